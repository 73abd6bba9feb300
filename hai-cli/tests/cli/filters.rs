//! `--filter` and `--waiter` expressions as tccli's JMESPath reads them, and their errors.

use hai_emulator::InstanceState;

use crate::{hai_at, json, run, temp_home, Emu};

/// tccli's Python JMESPath takes `` `RUNNING` `` (not JSON) as the string "RUNNING".
#[test]
fn unquoted_literal_in_filter_selects_the_running_instances() {
    let emu = Emu::start();
    let home = temp_home("filter-literal");
    let r = run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--filter",
        "InstanceSet[?InstanceState==`RUNNING`].InstanceId",
    ]));
    let mut ids: Vec<String> = json(&r)
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.stdout))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let mut running: Vec<String> = emu
        .handle
        .instances()
        .into_iter()
        .filter(|i| i.instance_state == InstanceState::Running)
        .map(|i| i.instance_id)
        .collect();
    ids.sort();
    running.sort();
    assert!(running.contains(&"hai-dunyfddn".to_owned()), "{running:?}");
    assert_eq!(ids, running);
    // The JSON spelling gives the same answer.
    let quoted = json(&run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--filter",
        "InstanceSet[?InstanceState==`\"RUNNING\"`].InstanceId",
    ])));
    assert_eq!(quoted.as_array().unwrap().len(), running.len());
}

#[test]
fn unquoted_literal_in_waiter_expr() {
    let emu = Emu::start();
    let home = temp_home("waiter-literal");
    let r = run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--InstanceIds",
        "hai-stopped1",
        "--waiter",
        "{'expr':'InstanceSet[0].InstanceState==`STOPPED_NO_CHARGE`','to':true,'timeout':5,'interval':1}",
        "--filter",
        "InstanceSet[0].InstanceId",
    ]));
    assert_eq!(json(&r), "hai-stopped1");
}

/// The crate's message shows the expression and a caret under the fault on their own lines:
/// they are printed as lines, not as `\u{a}`.
#[test]
fn a_bad_filter_is_reported_on_readable_lines() {
    let emu = Emu::start();
    let home = temp_home("filter-error");
    let r = run(hai_at(&emu, &home).args(["DescribeInstances", "--filter", "InstanceSet[?"]));
    assert_eq!(r.status, 255);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "error: --filter: Parse error: Unexpected nud token -- found Eof (line 0, column 13)\n\
         InstanceSet[?\n             ^\n"
    );
    // Other control characters are still escaped.
    let r = run(hai_at(&emu, &home).args(["DescribeInstances", "--filter", "a\u{1b}[31m"]));
    assert_eq!(r.status, 255);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    assert!(r.stderr.contains("a\\u{1b}[31m\n"), "{}", r.stderr);
    // The same for --waiter's expr.
    let r = run(hai_at(&emu, &home).args([
        "DescribeInstances",
        "--waiter",
        "{'expr':'InstanceSet[0].','to':'RUNNING'}",
    ]));
    assert_eq!(r.status, 255);
    assert!(
        r.stderr
            .starts_with("error: --waiter: `expr`: Parse error: ")
            && r.stderr.ends_with("\nInstanceSet[0].\n               ^\n"),
        "{}",
        r.stderr
    );
}
