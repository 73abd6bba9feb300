//! hai-sdk's integration tests, in one binary so the suite links once: the runtime against
//! byte-exact loopback servers, the credential providers, the signer's vectors and
//! properties. (`runtime_env.rs` stays a binary of its own: it changes the process
//! environment.)

mod credentials_common;
mod runtime_support;

mod credentials_chain;
mod credentials_cvm;
mod credentials_env;
mod credentials_profile;
mod credentials_redaction;
mod credentials_sts;
mod runtime_by_name;
mod runtime_client_token;
mod runtime_connect;
mod runtime_endpoints;
mod runtime_errors;
mod runtime_failover;
mod runtime_paging;
mod runtime_rate_limit;
mod runtime_request;
mod runtime_retry;
mod runtime_tls;
mod runtime_tracing;
mod signer_vectors;
