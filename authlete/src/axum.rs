//! The axum adapter (feature `axum`): mount the endpoint flows in a router, and protect
//! routes with the resource-server token validation.
//!
//! ```no_run
//! # async fn run(client: authlete::Client) {
//! use authlete::axum::AuthorizationServer;
//! use authlete::flows::FlowSettings;
//! use authlete::flows::revocation::RevocationEndpoint;
//!
//! let router: axum::Router = AuthorizationServer::new()
//!     .endpoint("/revoke", RevocationEndpoint::new(client.clone(), FlowSettings::default()))
//!     .into_router();
//! # let _ = router;
//! # }
//! ```
//!
//! The authorization endpoint needs the application's login and consent page. Its renderer
//! gets the [`Interaction`] and the head of the browser's request ([`Parts`]): the cookies
//! of the user's session, `Accept-Language`, what other layers put in the extensions.
//!
//! ```no_run
//! # async fn run(client: authlete::Client) {
//! # fn escape(text: &str) -> String { text.replace('&', "&amp;").replace('<', "&lt;") }
//! use std::sync::Arc;
//!
//! use authlete::axum::AuthorizationServer;
//! use authlete::flows::authorization::{AuthorizationEndpoint, Interaction, NoSession};
//! use authlete::flows::{FlowSettings, Response, response};
//! use http::request::Parts;
//! use http::{StatusCode, header};
//!
//! async fn consent_page(interaction: Interaction, request: Parts) -> Response {
//!     // The page in the browser's language, when it is one the server speaks.
//!     let languages = request.headers.get(header::ACCEPT_LANGUAGE);
//!     let french = languages
//!         .and_then(|value| value.to_str().ok())
//!         .is_some_and(|value| value.starts_with("fr"));
//!     let asks = if french { "demande l'accès à votre compte" } else { "asks for access" };
//!     // A real page also keeps interaction.ticket() in the browser's session (its cookie
//!     // is in request.headers) and shows the login form.
//!     let client = escape(interaction.client_name().unwrap_or("An application"));
//!     response::html(StatusCode::OK, format!("<p>{client} {asks}</p>"))
//! }
//!
//! let endpoint = AuthorizationEndpoint::new(client, FlowSettings::default(), NoSession);
//! let router: axum::Router = AuthorizationServer::new()
//!     .authorization("/authorize", Arc::new(endpoint), consent_page)
//!     .into_router();
//! # let _ = router;
//! # }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::request::Parts;

use crate::flows::authorization::{
    AuthorizationEndpoint, AuthorizationOutcome, Interaction, Session,
};
use crate::flows::grant_management::GrantManagementEndpoint;
use crate::flows::registration::ClientConfigurationEndpoint;
use crate::flows::request::BadRequest;
use crate::flows::resource::{TokenInfo, TokenValidator};
use crate::flows::{Endpoint, response};

/// Builds an [`axum::Router`] with the endpoints the application chooses.
#[derive(Debug, Default)]
#[must_use]
pub struct AuthorizationServer {
    router: axum::Router,
}

impl AuthorizationServer {
    /// No endpoints yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `endpoint` at `path`, for every method (the handler answers `405` itself to
    /// the methods it does not take).
    pub fn endpoint(self, path: &str, endpoint: impl Endpoint) -> Self {
        Self {
            router: self.router.route(path, route(endpoint)),
        }
    }

    /// Serves the authorization endpoint at `path`: `render` turns an interaction (the user
    /// must log in or consent) into the application's page; every other outcome is answered
    /// as the flow decides. The decision comes back through
    /// [`AuthorizationEndpoint::decide`] from the application's own route.
    ///
    /// `render` also gets the head of the browser's request: method, URI, headers (the
    /// session cookie, `Accept-Language`) and extensions (what layers such as a session
    /// middleware put there), so that the page can tell who is logged in, bind the ticket
    /// to the browser's session and speak the user's language. It gets them by value: the
    /// flow is done with the request by then, so they cost nothing to hand over, the page's
    /// future can hold them across `.await`, and axum's `FromRequestParts` extractors can
    /// run on them. (With a borrowed `&Parts` the page's future could not keep them:
    /// `Fn(..) -> Fut` names one future type for every borrow, and stable Rust cannot
    /// require `Send` of an `AsyncFn`'s future.) The body is left out: the flow has read
    /// it, and its parameters are in the [`Interaction`].
    pub fn authorization<S, F, Fut>(
        self,
        path: &str,
        endpoint: Arc<AuthorizationEndpoint<S>>,
        render: F,
    ) -> Self
    where
        S: Session + 'static,
        F: Fn(Interaction, Parts) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = crate::flows::Response> + Send,
    {
        let route = axum::routing::any(move |request: Request| {
            let endpoint = endpoint.clone();
            let render = render.clone();
            async move {
                let request = match read(request, endpoint.settings().max_body_bytes).await {
                    Ok(request) => request,
                    Err(response) => return response,
                };
                let response = match endpoint.handle(&request).await {
                    AuthorizationOutcome::Interaction(interaction) => {
                        let (parts, _) = request.into_parts();
                        render(interaction, parts).await
                    }
                    AuthorizationOutcome::Response(response) => response,
                };
                into_axum(response)
            }
        });
        Self {
            router: self.router.route(path, route),
        }
    }

    /// Serves RFC 7592 client configuration at `path`, which must capture the client ID as
    /// `{client_id}` (e.g. `/register/{client_id}`).
    pub fn client_configuration(self, path: &str, endpoint: ClientConfigurationEndpoint) -> Self {
        let limit = endpoint.settings().max_body_bytes;
        self.route_with_id(path, endpoint, limit, |endpoint, request, client_id| async move {
            endpoint.handle(&request, &client_id).await
        })
    }

    /// Serves grant management at `path`, which must capture the grant ID as `{grant_id}`
    /// (e.g. `/grants/{grant_id}`).
    pub fn grant_management(self, path: &str, endpoint: GrantManagementEndpoint) -> Self {
        let limit = endpoint.settings().max_body_bytes;
        self.route_with_id(
            path,
            endpoint,
            limit,
            |endpoint, request, grant_id| async move { endpoint.handle(&request, &grant_id).await },
        )
    }

    /// Routes `path`, whose one capture names what the request is about (a client, a
    /// grant), to `handle`, with the body read under the endpoint's own `limit`.
    fn route_with_id<E, Fut>(
        self,
        path: &str,
        endpoint: E,
        limit: usize,
        handle: fn(Arc<E>, http::Request<Bytes>, String) -> Fut,
    ) -> Self
    where
        E: Send + Sync + 'static,
        Fut: Future<Output = crate::flows::Response> + Send + 'static,
    {
        let endpoint = Arc::new(endpoint);
        let route = axum::routing::any(
            move |axum::extract::Path(id): axum::extract::Path<String>, request: Request| {
                let endpoint = endpoint.clone();
                async move {
                    match read(request, limit).await {
                        Ok(request) => into_axum(handle(endpoint, request, id).await),
                        Err(response) => response,
                    }
                }
            },
        );
        Self {
            router: self.router.route(path, route),
        }
    }

    /// The router, to merge with the application's own routes or to serve.
    pub fn into_router(self) -> axum::Router {
        self.router
    }
}

/// A route serving `endpoint` for every method.
pub fn route<S: Clone + Send + Sync + 'static>(
    endpoint: impl Endpoint,
) -> axum::routing::MethodRouter<S> {
    let endpoint = Arc::new(endpoint);
    axum::routing::any(move |request: Request| {
        let endpoint = endpoint.clone();
        async move { handle(&*endpoint, request).await }
    })
}

/// Reads the body within the endpoint's limit, runs the handler and converts the response.
pub async fn handle(endpoint: &impl Endpoint, request: Request) -> Response {
    match read(request, endpoint.max_body_bytes()).await {
        Ok(request) => into_axum(endpoint.handle(&request).await),
        Err(response) => response,
    }
}

/// The request with its body read, or `413` when it is larger than `limit`.
async fn read(request: Request, limit: usize) -> Result<http::Request<Bytes>, Response> {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(http::Request::from_parts(parts, bytes)),
        // Too large, or the client stopped sending: either way the request is refused.
        Err(_) => Err(into_axum(BadRequest::PayloadTooLarge.into_response())),
    }
}

/// Converts a [`flows::Response`](crate::flows::Response) into an axum response, for
/// handlers of the application's own routes that call the flows.
///
/// ```no_run
/// use authlete::axum::into_axum;
/// use authlete::flows::device::{DeviceFlow, VerificationOutcome};
/// use authlete::flows::response;
/// use http::StatusCode;
///
/// async fn verify(flow: DeviceFlow, user_code: String) -> axum::response::Response {
///     let page = match flow.verify(&user_code).await {
///         VerificationOutcome::Valid { .. } => response::html(StatusCode::OK, "<p>Approve?</p>"),
///         _ => response::html(StatusCode::BAD_REQUEST, "<p>Unknown code.</p>"),
///     };
///     into_axum(page)
/// }
/// ```
pub fn into_axum(response: crate::flows::Response) -> Response {
    response.map(Body::from)
}

/// A [`flows::Response`](crate::flows::Response) that an axum handler can return as it is.
///
/// ```no_run
/// use authlete::axum::FlowResponse;
/// use authlete::flows::revocation::RevocationEndpoint;
/// use authlete::flows::Bytes;
///
/// async fn revoke(endpoint: RevocationEndpoint, request: http::Request<Bytes>) -> FlowResponse {
///     FlowResponse(endpoint.handle(&request).await)
/// }
/// ```
#[derive(Debug)]
pub struct FlowResponse(pub crate::flows::Response);

impl From<crate::flows::Response> for FlowResponse {
    fn from(response: crate::flows::Response) -> Self {
        Self(response)
    }
}

impl IntoResponse for FlowResponse {
    fn into_response(self) -> Response {
        into_axum(self.0)
    }
}

/// A tower layer that lets a request through only with a valid access token, and puts its
/// [`TokenInfo`] in the request's extensions (read it with [`Token`]); otherwise it answers
/// with the error response and its `WWW-Authenticate` challenge.
///
/// ```no_run
/// # fn run(validator: authlete::flows::resource::TokenValidator) {
/// use authlete::axum::{RequireToken, Token};
/// use axum::routing::get;
///
/// async fn me(Token(info): Token) -> String {
///     format!("hello {}", info.subject.as_deref().unwrap_or("nobody"))
/// }
///
/// let api: axum::Router = axum::Router::new()
///     .route("/me", get(me))
///     .layer(RequireToken::new(validator));
/// # let _ = api;
/// # }
/// ```
#[derive(Clone)]
pub struct RequireToken {
    validator: TokenValidator,
}

impl RequireToken {
    /// Validates with `validator` (its required scopes, subject, and so on).
    pub fn new(validator: TokenValidator) -> Self {
        Self { validator }
    }
}

impl<S> tower_layer::Layer<S> for RequireToken {
    type Service = RequireTokenService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireTokenService {
            inner,
            validator: self.validator.clone(),
        }
    }
}

/// The service [`RequireToken`] wraps around a route.
#[derive(Clone)]
pub struct RequireTokenService<S> {
    inner: S,
    validator: TokenValidator,
}

impl<S> tower_service::Service<Request> for RequireTokenService<S>
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone that was polled ready serves this request (tower's usual pattern).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let validator = self.validator.clone();
        Box::pin(async move {
            // Validation needs the head only; the body stays for the protected handler.
            let (mut parts, body) = request.into_parts();
            match validator.validate_parts(&parts).await {
                Ok(info) => {
                    parts.extensions.insert(info);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(response) => Ok(into_axum(response)),
            }
        })
    }
}

/// The validated access token of a request that went through [`RequireToken`].
#[derive(Debug, Clone)]
pub struct Token(pub TokenInfo);

impl<S: Send + Sync> FromRequestParts<S> for Token {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<TokenInfo>() {
            Some(info) => Ok(Token(info.clone())),
            None => Err(into_axum(response::server_error(
                "the Token extractor is used on a route without the RequireToken layer",
            ))
            .into_response()),
        }
    }
}
