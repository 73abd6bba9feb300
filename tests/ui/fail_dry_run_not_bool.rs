// DryRun is a Boolean: a string is refused at compile time.
use hai_sdk::stop_instance::StopInstanceRequest;

fn main() {
    let _ = StopInstanceRequest::new("hai-dunyfddn").dry_run("false");
}
