//! The workspace-level tests as one binary (one link of tokio, hyper and rustls instead of one
//! per file): end-to-end runs against the in-process emulator, the generated types' guarantees,
//! spec-driven properties, generated-tree freshness and the trybuild compile-fail cases.

#[macro_use]
mod support;

mod applications;
mod auth;
mod blocking;
mod compile_fail;
mod cookbook;
mod decoding;
mod demo_fixture;
mod examples;
mod faults;
mod freshness;
mod generated_waiters;
mod instances;
mod mocks;
mod prompts;
mod properties;
mod rate_limit;
mod readme;
mod services;
mod shared_config;
mod signature_hints;
mod stop_instance;
mod stop_instance_types;
mod tls;
mod untyped_call;
