//! The emulator's tests as one binary, each module over real loopback HTTP to a server the test
//! starts on 127.0.0.1.

mod common;

mod actions;
mod emulator;
mod inference;
mod logging;
mod signatures;
mod tls;
