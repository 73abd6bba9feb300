//! Workspace-level tests (in `tests/`) and the generator's fixture output, compiled here
//! as a crate that depends on `hai-sdk`.

/// Generated from `tests/fixtures/demo-spec.json` by `cargo xtask regen`; a snapshot that must compile.
#[rustfmt::skip]
#[path = "fixture_generated/mod.rs"]
pub mod demo;

/// Generated from `tests/fixtures/widgets-imported.json`, itself imported by
/// `cargo xtask import-tencent` from `tests/fixtures/widgets.api.json`: another service's tree.
#[rustfmt::skip]
#[path = "imported_generated/mod.rs"]
pub mod widgets;
