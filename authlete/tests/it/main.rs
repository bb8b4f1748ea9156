//! The single integration-test binary of the `authlete` crate: one module per area.

#[cfg(all(feature = "axum", feature = "dpop"))]
mod axum_e2e;
#[cfg(feature = "blocking")]
mod blocking;
mod call_options;
mod config;
#[cfg(feature = "dpop")]
mod dpop;
#[cfg(feature = "dpop")]
mod dpop_calls;
mod errors;
mod faults;
mod flows_attestation;
mod flows_attestation_challenge;
mod flows_authorization;
mod flows_ciba;
mod flows_credential;
mod flows_device;
mod flows_discovery;
mod flows_federation;
mod flows_grant_management;
mod flows_introspection;
mod flows_logout;
mod flows_par;
mod flows_registration;
mod flows_resource;
mod flows_revocation;
mod flows_support;
mod flows_token;
mod flows_userinfo;
mod fuzz_smoke;
mod load;
#[cfg(any(feature = "rustls-ring", feature = "aws-lc-rs", feature = "native-tls"))]
mod mtls;
mod operations;
mod pagination;
#[cfg(any(feature = "rustls-ring", feature = "aws-lc-rs", feature = "native-tls"))]
mod proxy;
mod retry;
mod scripted;
#[cfg(feature = "axum")]
mod standin_e2e;
mod tls_features;
mod traceparent;
mod tracing;
mod unknown_members;
