// Requests are #[non_exhaustive]: outside hai-sdk they are built with `new`, never a literal.
use hai_sdk::stop_instance::StopInstanceRequest;

fn main() {
    let _ = StopInstanceRequest { instance_id: "hai-dunyfddn".to_owned(), stop_mode: None, dry_run: None };
}
