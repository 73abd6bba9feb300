//! The credentials file (INI) parser, and the checks the profile provider runs on the
//! values it reads.
//!
//! Oracles: an error names a line of the input; keys come out lower-cased, one word, with
//! the line they were read from; values come out trimmed.
#![no_main]

use hai_runtime::__fuzz;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|&b| b == b'\n').count();
    match __fuzz::parse_ini(data) {
        Err((line, what)) => {
            assert!(
                (1..=lines).contains(&line),
                "error on line {line} of {lines}: {what}"
            );
        }
        Ok(sections) => {
            for (name, section) in &sections {
                assert!(
                    !name.is_empty() && name.trim() == name,
                    "section name {name:?}"
                );
                for (key, (value, line)) in section {
                    assert!(
                        (1..=lines).contains(line),
                        "key {key:?} from line {line} of {lines}"
                    );
                    assert!(!key.is_empty(), "empty key");
                    assert!(
                        !key.contains(char::is_whitespace),
                        "key {key:?} has whitespace"
                    );
                    assert_eq!(key.to_ascii_lowercase(), *key, "key not lower-cased");
                    assert_eq!(value.trim(), value, "value not trimmed");
                    let _ = __fuzz::value_problem(value);
                }
            }
        }
    }
});
