//! Sending a prepared request until it has an answer to return: the DPoP proof of each
//! attempt, the answer read under its deadlines, and a retry when
//! [`RetryPolicy::next_wait`] says so.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderMap;

use super::auth::{Auth, Dpop};
use super::body::{Answer, Deadlines, Failure, within};
use super::logging::log_body;
use super::route::Route;
use crate::error::Error;
use crate::retry::{Outcome, RetryPolicy};

/// A hook that adds headers to every call: see
/// [`ClientBuilder::request_headers`](super::ClientBuilder::request_headers).
pub(super) type HeaderHook = Arc<dyn Fn(&mut HeaderMap) + Send + Sync>;

/// What every call of one client shares.
pub(super) struct Transport {
    pub(super) http: reqwest::Client,
    pub(super) auth: Arc<Auth>,
    /// Signs a DPoP proof for every attempt when the access tokens are DPoP-bound.
    pub(super) dpop: Option<Arc<Dpop>>,
    pub(super) retry: RetryPolicy,
    pub(super) log_bodies: bool,
    /// The largest answer read; see [`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes).
    pub(super) max_response_bytes: usize,
    /// The read and total timeouts of each attempt, enforced here rather than by reqwest:
    /// one timer per wait instead of reqwest's boxed timers on every request and body.
    /// `None` when the application brought its own HTTP client (and its timeouts).
    pub(super) timeouts: Option<(Duration, Duration)>,
    pub(super) request_headers: Option<HeaderHook>,
}

impl Transport {
    /// Adds, in this order, the credentials of `route` (and the V2 path), the headers of
    /// the client's hook, and the call's own headers, each replacing earlier headers of
    /// the same name.
    pub(super) fn prepare(
        &self,
        route: &'static Route,
        request: &mut reqwest::Request,
        call_headers: HeaderMap,
    ) -> Result<(), Error> {
        self.auth
            .apply(route, request)
            .map_err(|message| Error::InvalidRequest {
                operation: route.operation,
                message,
            })?;
        if let Some(hook) = &self.request_headers {
            hook(request.headers_mut());
        }
        if !call_headers.is_empty() {
            request.headers_mut().extend(call_headers);
        }
        Ok(())
    }

    /// Sends `request` until an answer is final under `policy`; `attempts` counts the
    /// requests sent (it stays readable when the caller drops this future at its timeout).
    pub(super) async fn send(
        &self,
        route: &'static Route,
        mut request: reqwest::Request,
        policy: &RetryPolicy,
        attempts: &mut u32,
    ) -> Result<Answer, Error> {
        if self.log_bodies {
            log_body("request", request.body().and_then(reqwest::Body::as_bytes));
        }
        // Only reads are safe to repeat after they may have reached Authlete.
        let idempotent = request.method() == http::Method::GET;
        let started = Instant::now();
        let mut attempt = 1;
        let mut nonce_retried = false;
        loop {
            *attempts = attempt;
            // A DPoP nonce challenge is answered by sending again, so keep a copy then.
            let spare = if attempt < policy.max_attempts() || self.dpop.is_some() {
                request.try_clone()
            } else {
                None
            };
            if let Some(dpop) = &self.dpop {
                dpop.sign(&mut request)?;
            }
            let result = self.attempt(request).await;
            if let (Ok(answer), Some(dpop)) = (&result, &self.dpop)
                && dpop.note_nonce(answer.status, &answer.headers)
                && !nonce_retried
                && let Some(spare) = spare
            {
                // Authlete asked for a proof with its nonce: one more try, which does not
                // count against the retry policy since nothing was processed.
                tracing::debug!("answering the DPoP nonce challenge");
                nonce_retried = true;
                request = spare;
                continue;
            }
            let outcome = match &result {
                Ok(answer) => Outcome::of_answer(answer.status, &answer.headers),
                Err(failure) => failure.outcome(),
            };
            let wait = spare.as_ref().and_then(|_| {
                let jitter = fastrand::f64();
                policy.next_wait(idempotent, attempt, started.elapsed(), outcome, jitter)
            });
            match (spare, wait) {
                (Some(spare), Some(wait)) => {
                    tracing::debug!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        ?outcome,
                        "retrying the call to Authlete"
                    );
                    drop(result);
                    tokio::time::sleep(wait).await;
                    request = spare;
                    attempt += 1;
                }
                _ => {
                    let answer = result.map_err(|failure| failure.into_error(route.operation))?;
                    if self.log_bodies {
                        log_body("response", Some(&answer.body));
                    }
                    return Ok(answer);
                }
            }
        }
    }

    /// One exchange: the request sent, the answer read whole.
    async fn attempt(&self, request: reqwest::Request) -> Result<Answer, Failure> {
        // The whole answer is read here: so that its size is capped, and a read that
        // breaks is retried like a broken connection.
        let deadlines = self.timeouts.map(Deadlines::start);
        match within(deadlines.as_ref(), self.http.execute(request)).await {
            Ok(Ok(response)) => {
                Answer::read(response, self.max_response_bytes, deadlines.as_ref()).await
            }
            Ok(Err(error)) => Err(Failure::Http(error)),
            Err(timed_out) => Err(timed_out),
        }
    }
}
