//! xtask's tests as one binary: the importer, and the conformance check on checked-in trees.

mod conformance;
mod import;
