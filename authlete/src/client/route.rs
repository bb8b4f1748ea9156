//! Where each operation lives and which credentials it takes: the types of the generated
//! [`routes`](crate::routes) table.

/// Which credentials an operation takes (the spec's `x-credentials`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// The service's: its access token (V3) or API key and secret (V2).
    Service,
    /// The service owner's: an organization or service-owner access token (V3), or the
    /// service-owner key and secret (V2). Falls back to the service's in V3.
    ServiceOwner,
    /// The service owner's key and secret in V2 when configured, else the service's.
    ServiceOwnerPreferred,
    /// None: the operation is public.
    None,
}

/// One Authlete operation: where it lives in API generations 2 and 3, how it authenticates,
/// and which method calls it. Generated from the spec, one per operation, in
/// [`routes`](crate::routes).
///
/// ```
/// let route = &authlete::routes::AUTH_TOKEN_API;
/// assert_eq!(route.rust_method, "token");
/// assert_eq!(route.v2_path, Some("/api/auth/token"));
/// ```
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The operation id of the spec.
    pub operation: &'static str,
    /// The method of [`Client`](crate::Client) that calls it.
    pub rust_method: &'static str,
    /// Its name in Authlete's Java SDK, when the Java SDK calls it.
    pub java_method: Option<&'static str>,
    /// The HTTP method.
    pub method: &'static str,
    /// The path in API generation 3.
    pub v3_path: &'static str,
    /// The path in API generation 2; `None` when the operation is V3-only.
    pub v2_path: Option<&'static str>,
    /// Which credentials it takes.
    pub credentials: Credentials,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
}
