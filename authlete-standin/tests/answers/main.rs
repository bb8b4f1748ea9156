//! The stand-in's answers: what its management operations do, and that every answer it sends
//! conforms to the spec, `openapi/authlete.yaml`.

mod conformance;
mod conformance_management;
mod management;
mod session;
mod spec;
