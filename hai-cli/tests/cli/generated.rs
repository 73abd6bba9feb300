//! The binary's generated command table (`src/generated/commands.rs`), for [`crate::table`].

#[rustfmt::skip]
#[path = "../../src/generated/commands.rs"]
pub mod commands;
