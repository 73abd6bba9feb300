//! The spec loader: `hai_spec::parse` on any UTF-8 text must return, never panic.
//!
//! Oracle: a spec that loads can be written back as text, and that text loads again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = hai_spec::parse(text) {
        let written = hai_spec::to_text(&spec);
        if let Err(e) = hai_spec::parse(&written) {
            panic!("a loaded spec written back does not load: {e}");
        }
    }
});
