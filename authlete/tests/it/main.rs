//! The single integration-test binary of the `authlete` crate: one module per area.

#[cfg(feature = "blocking")]
mod blocking;
mod config;
mod dpop;
mod dpop_calls;
mod errors;
mod flows_logout;
mod flows_revocation;
mod flows_support;
mod mtls;
mod operations;
mod pagination;
mod retry;
mod scripted;
mod tracing;
