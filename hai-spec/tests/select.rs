//! Selecting actions: exactly the reachable shapes, consistent errors, paging and
//! resources, and unknown names refused with suggestions.

use std::collections::BTreeSet;

use hai_spec::{select_actions, SelectError, Spec, UnknownAction};

/// A small spec whose shapes reach each other in every way a spec allows.
const DEMO: &str = r#"{
  "format": 1,
  "service": {
    "name": "demo",
    "version": "2024-01-01",
    "host": "demo.tencentcloudapi.com",
    "signing_service": "demo"
  },
  "actions": {
    "GetTree": {
      "doc": "Returns a tree.",
      "input": "GetTreeRequest",
      "output": "GetTreeResponse",
      "errors": ["InternalError"]
    },
    "ListThings": {
      "doc": "Lists things.",
      "input": "ListThingsRequest",
      "output": "ListThingsResponse",
      "errors": ["InvalidParameter.Limit", "ResourceNotFound.Thing"],
      "read_only": true,
      "paging": {"offset": "Offset", "limit": "Limit", "items": "ThingSet", "total_count": "TotalCount"}
    },
    "DeleteThing": {
      "doc": "Deletes a thing.",
      "input": "DeleteThingRequest",
      "output": "DeleteThingResponse",
      "errors": ["ResourceNotFound.Thing"],
      "examples": [{
        "title": "Not there",
        "request": {"ThingId": "t-1"},
        "response": {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "slow down"}, "RequestId": "r"}}
      }]
    }
  },
  "shapes": {
    "GetTreeRequest": {
      "type": "structure",
      "members": [
        {"name": "Root", "type": "string", "required": true},
        {"name": "Mode", "type": "Mode", "default": "DEEP"}
      ]
    },
    "GetTreeResponse": {
      "type": "structure",
      "members": [
        {"name": "Tree", "type": "Node"},
        {"name": "Tags", "type": "TagMap"},
        {"name": "RequestId", "type": "string", "required": true}
      ]
    },
    "Mode": {"type": "enum", "values": [{"value": "DEEP"}, {"value": "FLAT"}]},
    "Node": {
      "type": "structure",
      "members": [
        {"name": "Name", "type": "string"},
        {"name": "Parent", "type": "Node"},
        {"name": "Children", "type": "NodeList"}
      ]
    },
    "NodeList": {"type": "list", "member": "Node"},
    "TagMap": {"type": "map", "value": "Tag"},
    "Tag": {
      "type": "structure",
      "members": [{"name": "Kind", "type": "Kind"}]
    },
    "Kind": {"type": "enum", "values": [{"value": "USER"}, {"value": "SYSTEM"}]},
    "ListThingsRequest": {
      "type": "structure",
      "members": [
        {"name": "ThingIds", "type": "list<string>"},
        {"name": "Offset", "type": "int64"},
        {"name": "Limit", "type": "int64"}
      ]
    },
    "ListThingsResponse": {
      "type": "structure",
      "members": [
        {"name": "ThingSet", "type": "list<Thing>"},
        {"name": "TotalCount", "type": "int64"},
        {"name": "RequestId", "type": "string", "required": true}
      ]
    },
    "Thing": {
      "type": "structure",
      "members": [
        {"name": "ThingId", "type": "string", "required": true},
        {"name": "State", "type": "ThingState"},
        {"name": "Owners", "type": "map<list<Owner>>"}
      ]
    },
    "ThingState": {"type": "enum", "values": [{"value": "READY"}, {"value": "GONE"}]},
    "Owner": {
      "type": "structure",
      "members": [{"name": "Email", "type": "string"}]
    },
    "DeleteThingRequest": {
      "type": "structure",
      "members": [{"name": "ThingId", "type": "string", "required": true}]
    },
    "DeleteThingResponse": {
      "type": "structure",
      "members": [{"name": "RequestId", "type": "string", "required": true}]
    },
    "Orphan": {
      "type": "structure",
      "members": [{"name": "Level", "type": "OrphanLevel"}, {"name": "Owner", "type": "Owner"}]
    },
    "OrphanLevel": {"type": "enum", "values": [{"value": "LOW"}]}
  },
  "errors": {
    "common": {
      "InternalError": "An internal error occurred.",
      "RequestLimitExceeded": "Too many requests."
    },
    "service": {
      "InvalidParameter.Limit": "The limit is out of range.",
      "ResourceNotFound.Thing": "The thing does not exist.",
      "UnusedCode": "Returned by no action."
    }
  },
  "resources": {
    "Thing": {
      "describe": "ListThings",
      "id_list": "ThingIds",
      "items": "ThingSet",
      "id": "ThingId",
      "state": "State",
      "not_found_errors": ["ResourceNotFound.Thing"],
      "waiters": {"ready": {"target": "READY"}}
    }
  }
}"#;

fn demo() -> Spec {
    hai_spec::parse(DEMO).expect("the demo spec is valid")
}

fn hai() -> Spec {
    hai_spec::load(&hai_spec::hai_spec_path()).expect("the HAI spec is valid")
}

fn keys<T>(map: &hai_spec::UniqueMap<T>) -> BTreeSet<&str> {
    map.keys().map(String::as_str).collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

/// Selects, and checks the result survives the trip through its canonical text.
fn select(spec: &Spec, names: &[&str]) -> Spec {
    let selected = select_actions(spec, names).unwrap_or_else(|e| panic!("{names:?}: {e}"));
    let reparsed = hai_spec::parse(&hai_spec::to_text(&selected))
        .unwrap_or_else(|e| panic!("{names:?}: the selection does not validate: {e}"));
    assert_eq!(reparsed, selected);
    selected
}

fn unknown(spec: &Spec, names: &[&str]) -> Vec<UnknownAction> {
    match select_actions(spec, names) {
        Err(SelectError::Unknown(u)) => u,
        other => panic!("{names:?}: {other:?}"),
    }
}

#[test]
fn selection_keeps_exactly_the_reachable_shapes() {
    let spec = demo();
    let s = select(&spec, &["GetTree"]);
    assert_eq!(keys(&s.actions), set(&["GetTree"]));
    // An enum through a member (Mode), recursion by value and through a list shape (Node,
    // NodeList), a map shape to a structure to an enum (TagMap, Tag, Kind).
    assert_eq!(
        keys(&s.shapes),
        set(&[
            "GetTreeRequest",
            "GetTreeResponse",
            "Mode",
            "Node",
            "NodeList",
            "TagMap",
            "Tag",
            "Kind"
        ])
    );
    assert_eq!(s.service, spec.service);
    assert_eq!(s.actions["GetTree"], spec.actions["GetTree"]);
    assert_eq!(s.shapes["Node"], spec.shapes["Node"]);
}

#[test]
fn inline_list_and_map_types_reach_their_elements() {
    let s = select(&demo(), &["ListThings"]);
    // `list<Thing>` in the output, then `map<list<Owner>>` in Thing.
    assert_eq!(
        keys(&s.shapes),
        set(&[
            "ListThingsRequest",
            "ListThingsResponse",
            "Thing",
            "ThingState",
            "Owner"
        ])
    );
}

#[test]
fn a_self_contained_structure_is_kept_once() {
    let spec = demo();
    let s = select(&spec, &["GetTree"]);
    let nodes = s.shapes.keys().filter(|k| k.starts_with("Node")).count();
    assert_eq!(nodes, 2, "Node and NodeList");
}

#[test]
fn paging_and_resources_follow_the_describe_action() {
    let spec = demo();
    let listing = select(&spec, &["ListThings"]);
    assert_eq!(
        listing.actions["ListThings"].paging,
        spec.actions["ListThings"].paging
    );
    assert!(listing.actions["ListThings"].paging.is_some());
    assert_eq!(keys(&listing.resources), set(&["Thing"]));
    assert_eq!(listing.resources["Thing"], spec.resources["Thing"]);

    let deleting = select(&spec, &["DeleteThing", "GetTree"]);
    assert!(deleting.resources.is_empty(), "ListThings is not kept");
    assert!(deleting.actions.values().all(|a| a.paging.is_none()));
}

#[test]
fn only_the_kept_actions_service_codes_stay_and_every_common_code_does() {
    let spec = demo();
    let s = select(&spec, &["DeleteThing"]);
    assert_eq!(keys(&s.errors.service), set(&["ResourceNotFound.Thing"]));
    // The example's RequestLimitExceeded is common, like everything CommonError covers.
    assert_eq!(s.errors.common, spec.errors.common);
    let s = select(&spec, &["GetTree"]);
    assert!(
        s.errors.service.is_empty(),
        "InternalError is a common code"
    );
    let s = select(&spec, &["ListThings", "DeleteThing", "GetTree"]);
    assert_eq!(
        keys(&s.errors.service),
        set(&["InvalidParameter.Limit", "ResourceNotFound.Thing"])
    );
}

#[test]
fn every_action_selected_drops_only_what_nothing_reaches() {
    let spec = demo();
    let s = select(&spec, &["ListThings", "DeleteThing", "GetTree"]);
    assert_eq!(s.actions, spec.actions);
    assert_eq!(s.resources, spec.resources);
    let mut expected = spec.shapes.clone();
    expected.remove("Orphan");
    expected.remove("OrphanLevel");
    assert_eq!(s.shapes, expected);
    assert!(!s.errors.service.contains_key("UnusedCode"));
}

#[test]
fn repeats_and_order_do_not_matter() {
    let spec = demo();
    let a = select(&spec, &["ListThings", "GetTree", "ListThings"]);
    let b = select(&spec, &["GetTree", "ListThings"]);
    assert_eq!(a, b);
    let owned: Vec<String> = vec!["GetTree".into(), "ListThings".into()];
    assert_eq!(select_actions(&spec, &owned).unwrap(), b);
}

#[test]
fn each_hai_action_alone_is_a_valid_spec() {
    let spec = hai();
    for name in spec.actions.keys() {
        let s = select(&spec, &[name.as_str()]);
        assert_eq!(keys(&s.actions), set(&[name.as_str()]));
        assert!(s.shapes.len() < spec.shapes.len(), "{name}");
    }
    let all: Vec<&str> = spec.actions.keys().map(String::as_str).collect();
    let s = select(&spec, &all);
    assert_eq!(s.actions, spec.actions);
    assert_eq!(s.resources, spec.resources);
}

#[test]
fn hai_resources_go_with_their_describe_actions() {
    let spec = hai();
    let s = select(&spec, &["StopInstance", "DescribeInstances"]);
    assert_eq!(keys(&s.resources), set(&["Instance"]));
    assert!(s.actions["DescribeInstances"].paging.is_some());
    let s = select(&spec, &["StopInstance"]);
    assert!(s.resources.is_empty());
}

#[test]
fn an_empty_list_is_refused() {
    let none: [&str; 0] = [];
    assert_eq!(select_actions(&demo(), none), Err(SelectError::NoActions));
    let e = select_actions(&demo(), Vec::<String>::new()).unwrap_err();
    assert!(e.to_string().contains("no action selected"), "{e}");
}

#[test]
fn unknown_names_are_refused_with_close_matches_best_first() {
    let spec = hai();
    let u = unknown(&spec, &["describeregions"]);
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].name, "describeregions");
    // Not also DescribeServices or DescribeScenes, which share only the verb.
    assert_eq!(u[0].suggestions, ["DescribeRegions"]);

    let u = unknown(&spec, &["DescribeRegion"]);
    assert_eq!(u[0].suggestions, ["DescribeRegions"]);
    assert!(u[0].suggestions.len() <= hai_spec::MAX_SUGGESTIONS);

    let u = unknown(&spec, &["describeinstance"]);
    assert_eq!(u[0].suggestions[0], "DescribeInstances");

    // The same name in another case comes before names a few edits away.
    let u = unknown(&spec, &["STOPINSTANCE"]);
    assert_eq!(u[0].suggestions[0], "StopInstance");
    assert!(
        u[0].suggestions.iter().any(|s| s == "StartInstance"),
        "{u:?}"
    );

    let u = unknown(&spec, &["Frobnicate"]);
    assert!(u[0].suggestions.is_empty());
}

#[test]
fn every_unknown_name_is_reported_sorted_and_the_message_names_the_matches() {
    let spec = hai();
    let err = select_actions(&spec, ["StopInstance", "StopInstances", "Frobnicate"]).unwrap_err();
    let SelectError::Unknown(u) = &err else {
        panic!("{err:?}")
    };
    let names: Vec<&str> = u.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Frobnicate", "StopInstances"]);
    assert_eq!(u[1].suggestions[0], "StopInstance");
    let shown = err.to_string();
    assert_eq!(
        shown,
        format!(
            "unknown action \"Frobnicate\" (no action has a similar name); unknown action \
             \"StopInstances\"; did you mean {}?",
            if u[1].suggestions.len() == 1 {
                "StopInstance".to_owned()
            } else {
                format!("one of {}", u[1].suggestions.join(", "))
            }
        )
    );
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.source().is_none());
}

#[test]
fn a_huge_unknown_name_is_refused_quickly() {
    let spec = hai();
    let long = "DescribeRegions".repeat(20_000);
    let start = std::time::Instant::now();
    let u = unknown(&spec, &[long.as_str()]);
    assert!(u[0].suggestions.is_empty());
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn an_invalid_spec_in_code_is_an_error_not_an_invalid_selection() {
    let mut spec = demo();
    if let Some(hai_spec::Shape::Structure(s)) = spec.shapes.get_mut("Tag") {
        s.members[0].ty = "NoSuchShape".into();
    }
    match select_actions(&spec, ["GetTree"]) {
        Err(SelectError::Invalid(e)) => assert!(e.message.contains("NoSuchShape"), "{e}"),
        other => panic!("{other:?}"),
    }
}
