// A tree generated for another (here an older) runtime interface names the mismatch instead
// of failing on whatever item changed.
::hai_runtime::__require_runtime_interface!(1);

fn main() {}
