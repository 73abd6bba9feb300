// A tree generated for another runtime interface names the mismatch instead of failing on
// whatever item changed.
::hai_sdk::__require_runtime_interface!(2);

fn main() {}
