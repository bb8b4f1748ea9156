//! The single integration-test binary of the `authlete` crate: one module per area.

mod config;
mod errors;
mod operations;
