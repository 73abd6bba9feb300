//! The conformance check (`check-tencent --conformance`) on the checked-in trees: HAI's
//! documented examples through hai-sdk, and a fixture of the mismatches Tencent's examples of
//! other services carry through the widgets tree.

use std::path::{Path, PathBuf};

use serde_json::json;
use xtask::conformance::{run, Check, Decoded, Tally};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn read(p: &str) -> String {
    let p = root().join(p);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn hais_documented_examples_decode_and_come_back_member_for_member() {
    let spec = hai_spec::load(&hai_spec::hai_spec_path()).unwrap();
    let examples = read("tests/fixtures/hai-2023-08-12.examples.json");
    let r = run(&spec, &examples, |a, c| hai_sdk::visit_action(a, c)).unwrap();
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    assert_eq!(r.unknown_actions, 0);
    // One answer carries a mismatch: DescribeDeployTemplates' GPUCount, converted.
    assert_eq!(
        r.answers,
        Tally {
            examples: r.answers.examples,
            decoded: r.answers.examples,
            lossless: r.answers.examples - 1,
            reported: 1,
            converted: 1,
            ..Tally::default()
        }
    );
    assert!(r.answers.examples >= 25, "{:?}", r.answers);
    assert_eq!(r.requests.lossless, r.requests.examples);
    assert_eq!(r.requests.decoded, r.requests.examples);
}

#[test]
fn the_mismatches_of_tencents_examples_are_converted_or_reported_and_nothing_is_lost() {
    let spec = hai_spec::load(&root().join("tests/fixtures/widgets-imported.json")).unwrap();
    let examples = read("tests/fixtures/widgets.examples.json");
    let r = run(&spec, &examples, |a, c| {
        hai_tests::widgets::visit_action(a, c)
    })
    .unwrap();
    // Answers: the error answer is not counted; the withdrawn member comes back.
    assert_eq!(
        r.answers,
        Tally {
            examples: 5,
            decoded: 5,
            lossless: 3,
            reported: 2,
            // TotalCount "2", GadgetId 7, a single Tags object.
            converted: 3,
            // TotalCount -1 (uint64), Type an object, a null inside Tags.
            absent: 3,
            ..Tally::default()
        },
        "{:#?}",
        r.problems
    );
    // Requests: one omits the required Name and is refused naming it; "x" and 1.5 do not
    // convert (a float is never an integer in a request).
    assert_eq!(
        r.requests,
        Tally {
            examples: 6,
            decoded: 5,
            lossless: 2,
            reported: 3,
            // Limit "10", Offset "0", Active "true", GadgetIds "g-1", Name 5.
            converted: 5,
            absent: 2,
            missing: 1,
            ..Tally::default()
        },
        "{:#?}",
        r.problems
    );
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    assert!(
        r.problems[0].starts_with("CreateGadget#0 request: refused: Name: missing required member"),
        "{}",
        r.problems[0]
    );
    assert!(r.clean());
}

#[test]
fn a_member_that_does_not_come_back_is_counted_lost_with_its_path() {
    let spec = hai_spec::load(&root().join("tests/fixtures/widgets-imported.json")).unwrap();
    let examples = read("tests/fixtures/widgets.examples.json");
    // A tree that decodes everything to nothing, reporting nothing.
    fn forgetful(_: &str, _: Check<'_>) -> Option<Decoded> {
        Some(Decoded::Ok {
            back: json!({}),
            mismatches: Vec::new(),
        })
    }
    let r = run(&spec, &examples, forgetful).unwrap();
    assert_eq!(r.answers.lost, 5);
    assert!(!r.clean());
    assert!(
        r.problems.iter().any(
            |p| p == "ListGadgets#0 answer: Response.GadgetSet came back different, unreported"
        ),
        "{:#?}",
        r.problems
    );
}
