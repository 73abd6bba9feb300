//! Configuration files of other Tencent Cloud tools that this SDK can read.
//!
//! [`tccli`] reads the files `tccli configure` writes (`~/.tccli/<profile>.credential` and
//! `~/.tccli/<profile>.configure`), so a machine set up only for tccli works with this SDK
//! and with the `hai` tool unchanged.

pub mod tccli;
