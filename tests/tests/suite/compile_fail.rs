//! Compile-time guarantees of the generated API (trybuild). Each `ui/*.rs` case proves one.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass_documented_usage.rs");
    t.compile_fail("ui/fail_new_without_instance_id.rs");
    t.compile_fail("ui/fail_request_struct_literal.rs");
    t.compile_fail("ui/fail_dry_run_not_bool.rs");
    t.compile_fail("ui/fail_exhaustive_error_match.rs");
    t.compile_fail("ui/fail_construct_unhandled.rs");
    t.compile_fail("ui/fail_unknown_stop_mode_variant.rs");
    t.compile_fail("ui/fail_construct_unknown_enum_value.rs");
    t.compile_fail("ui/fail_response_struct_literal.rs");
    t.compile_fail("ui/fail_runtime_interface_mismatch.rs");
}
