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

/// Generated from `tests/fixtures/constructs.json`, imported from `constructs.api.json` with
/// `constructs.overlay.json`: every member type, recursive structures, names that collide
/// after conversion, shapes named like std items, names the runtime reserves.
#[rustfmt::skip]
#[path = "constructs_generated/mod.rs"]
pub mod constructs;

/// The README's Rust blocks, compiled (and run, unless `no_run`) as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
