//! Rust SDK for the [Authlete](https://www.authlete.com/) Web API.
//!
//! [`sys`] is the complete low-level client generated from our OpenAPI description of
//! Authlete; configuration, authentication for API generations 2 and 3, typed errors and
//! the endpoint flows are built on top of it in this crate.

pub use authlete_sys as sys;
