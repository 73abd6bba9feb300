//! HAI emulator.
