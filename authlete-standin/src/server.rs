//! The HTTP server: each request matched to an operation of the route table, its
//! credentials checked, its body read within a limit, then answered by the operation's
//! handler under the state's lock. Whatever goes wrong gets a status and an `ApiResult`
//! body, never a dropped connection.

use std::collections::HashMap;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::body::Body;
use axum::extract::State as Extract;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use tokio::net::TcpListener;

use crate::credentials::{Credentials, Generation, Refusal};
use crate::dispatch::{self, Handler};
use crate::state::State;
use crate::wire::{Answer, Request};
use crate::{api_result, bounds, routing};

/// The largest request body the stand-in reads, bytes. Authlete's own limit is not
/// published; a request object or a client's metadata with its JWK Set fits many times.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the server's requests share.
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) credentials: Credentials,
    handlers: HashMap<&'static str, Handler>,
    max_entries: usize,
}

impl Shared {
    pub(crate) fn new(state: State, credentials: Credentials, max_entries: usize) -> Self {
        Shared {
            state: Mutex::new(state),
            credentials,
            handlers: dispatch::handlers(),
            max_entries,
        }
    }

    /// The state, even after a panic in a handler: each answer leaves it consistent, or
    /// at worst with one request half done, which is no reason to stop serving.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Serves `listener` until `shutdown` completes, then finishes the requests under way.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().fallback(answer).with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn answer(
    Extract(shared): Extract<Arc<Shared>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let declared = (parts.headers.get(header::CONTENT_LENGTH))
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let Some(matched) = routing::find(parts.method.as_str(), parts.uri.path()) else {
        return respond(Answer::json(
            404,
            &api_result("A000404", "No Authlete API has this method and path."),
        ));
    };
    let authorization = (parts.headers.get(header::AUTHORIZATION)).and_then(|v| v.to_str().ok());
    let mut matched = matched;
    if matched.route.v2_path == Some(matched.route.v3_path) {
        // The same path in both generations (the account-wide operations on services): the
        // credentials tell which.
        let basic = authorization
            .is_some_and(|a| a.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("basic ")));
        matched.generation = if basic {
            Generation::V2
        } else {
            Generation::V3
        };
    }
    let check = if routing::names_a_managed_service(matched.route) {
        Credentials::check_managing
    } else {
        Credentials::check
    };
    let checked = check(
        &shared.credentials,
        matched.route.credentials,
        matched.generation,
        authorization,
        matched.service.as_deref(),
    );
    match checked {
        Ok(()) => {}
        Err(Refusal::Unauthorized) => {
            let mut answer = Answer::json(
                401,
                &api_result(
                    "A000401",
                    "The credentials are missing or wrong for this API.",
                ),
            );
            let scheme = match matched.generation {
                Generation::V3 => "Bearer",
                Generation::V2 => "Basic",
            };
            let challenge = format!("{scheme} realm=\"Authlete\"");
            answer.headers.push(("www-authenticate".into(), challenge));
            return respond(answer);
        }
        Err(Refusal::UnknownService) => {
            return respond(Answer::json(
                404,
                &api_result("A000402", "The service in the path does not exist."),
            ));
        }
    }
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        // The body outgrew the limit without a Content-Length, or the client left.
        return too_large();
    };
    let Some(handler) = shared.handlers.get(matched.route.operation) else {
        return respond(Answer::json(
            501,
            &api_result(
                "A000501",
                &format!(
                    "The stand-in for Authlete does not implement {} ({}).",
                    matched.route.operation, matched.route.rust_method
                ),
            ),
        ));
    };
    let request = Request {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: (parts.uri.query())
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default(),
        headers: (parts.headers.iter())
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect(),
        body: body.to_vec(),
    };
    let answered = catch_unwind(AssertUnwindSafe(|| {
        let mut state = shared.lock();
        // Expired entries go on every call, so that the state stays bounded by what is
        // alive, and then by the caps.
        state.prune();
        let answer = handler(&mut state, &request);
        bounds::enforce(&mut state, shared.max_entries);
        answer
    }));
    respond(answered.unwrap_or_else(|_| {
        Answer::json(
            500,
            &api_result("A000500", "The stand-in failed on this request."),
        )
    }))
}

fn too_large() -> Response {
    respond(Answer::json(
        413,
        &api_result(
            "A000413",
            &format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        ),
    ))
}

fn respond(answer: Answer) -> Response {
    let mut response = Body::from(answer.body).into_response();
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::try_from(name),
            HeaderValue::try_from(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
