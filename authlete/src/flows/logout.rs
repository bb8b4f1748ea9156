//! OpenID Connect Back-Channel Logout: when a user's session ends, tell each client.
//!
//! For every client, [`BackchannelLogout::notify`] asks Authlete for a logout token
//! (`/backchannel/logout/token`, which also names the client's `backchannel_logout_uri`)
//! and POSTs it there as the form parameter `logout_token`. Deliveries run concurrently,
//! each within a timeout, never follow redirects, and report their own outcome: one
//! unreachable client does not stop the others.

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use crate::types::{BackchannelLogoutTokenRequest, BackchannelLogoutTokenResponseAction as Action};
use crate::{Client, Error};

/// Who to log out at one client: the client and the user's subject, session ID, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutTarget {
    /// The client ID (or alias) of the relying party.
    pub client: String,
    /// The user's subject (`sub` of the logout token).
    pub subject: Option<String>,
    /// The session ID (`sid` of the logout token).
    pub session_id: Option<String>,
}

impl LogoutTarget {
    /// The user `subject` at `client`.
    pub fn subject(client: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            subject: Some(subject.into()),
            session_id: None,
        }
    }

    /// The same target, also naming the session.
    #[must_use]
    pub fn with_session_id(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }
}

/// What happened for one client.
#[derive(Debug)]
#[non_exhaustive]
pub enum LogoutOutcome {
    /// The client acknowledged the logout token (`200` or `204`).
    Delivered {
        /// The status the client answered.
        status: StatusCode,
    },
    /// The client has no `backchannel_logout_uri`: nothing to deliver.
    NotRegistered,
    /// The client answered with an error status.
    Rejected {
        /// The status the client answered.
        status: StatusCode,
    },
    /// The client could not be reached, or did not answer within the timeout.
    Unreachable {
        /// Why, without the token.
        reason: String,
    },
    /// Authlete did not give a logout token.
    NoToken {
        /// Why: Authlete's error, or its `resultMessage` for `SERVER_ERROR` /
        /// `CALLER_ERROR`.
        reason: String,
    },
    /// Nothing was attempted: the HTTP client for the deliveries could not be built when
    /// the [`BackchannelLogout`] was made (see [`BackchannelLogout::with_timeout`]).
    /// Authlete was not asked for a token either.
    HttpClientUnavailable {
        /// reqwest's error (a builder error; its
        /// [`source`](std::error::Error::source) says what failed).
        error: Arc<reqwest::Error>,
    },
}

impl LogoutOutcome {
    /// Whether the client was told.
    pub fn is_delivered(&self) -> bool {
        matches!(self, LogoutOutcome::Delivered { .. })
    }
}

/// Sends back-channel logout tokens: see the [module documentation](self).
///
/// ```no_run
/// use authlete::flows::logout::{BackchannelLogout, LogoutTarget};
///
/// # async fn run(client: authlete::Client) {
/// let logout = BackchannelLogout::new(client);
/// for (target, outcome) in logout
///     .notify(vec![LogoutTarget::subject("1140735077", "john").with_session_id("s-1")])
///     .await
/// {
///     if !outcome.is_delivered() {
///         eprintln!("{}: {outcome:?}", target.client);
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct BackchannelLogout {
    client: Client,
    /// The client for the deliveries, or why it could not be built (reported for every
    /// target as [`LogoutOutcome::HttpClientUnavailable`]).
    http: Result<reqwest::Client, Arc<reqwest::Error>>,
}

impl BackchannelLogout {
    /// Delivers with a 5-second timeout per client; see
    /// [`with_timeout`](Self::with_timeout), also for what happens when the HTTP client
    /// for the deliveries cannot be built.
    pub fn new(client: Client) -> Self {
        Self::with_timeout(client, Duration::from_secs(5))
    }

    /// Delivers with `timeout` per client (connect, send and answer), with an HTTP client
    /// of its own (from [`crate::http_client_builder`], following no redirects).
    ///
    /// Should that client fail to build (reqwest could not set up its TLS backend, for
    /// example), the value is still made, but nothing is delivered: every target's
    /// outcome is [`LogoutOutcome::HttpClientUnavailable`] with reqwest's error, and
    /// Authlete is not asked for tokens that could not be sent. No default client without
    /// the timeout and redirect policy is put in its place.
    pub fn with_timeout(client: Client, timeout: Duration) -> Self {
        Self::with_http_client_builder(client, timeout, crate::http_client_builder())
    }

    /// [`with_timeout`](Self::with_timeout) with the delivery client made from `builder`,
    /// so that the tests can make its build fail.
    fn with_http_client_builder(
        client: Client,
        timeout: Duration,
        builder: reqwest::ClientBuilder,
    ) -> Self {
        let http = builder
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Arc::new);
        Self { client, http }
    }

    /// Tells every target's client, concurrently; the outcomes come back in the order of
    /// `targets`.
    pub async fn notify(&self, targets: Vec<LogoutTarget>) -> Vec<(LogoutTarget, LogoutOutcome)> {
        let mut tasks = tokio::task::JoinSet::new();
        for (index, target) in targets.into_iter().enumerate() {
            let this = self.clone();
            tasks.spawn(async move {
                let outcome = this.notify_one(&target).await;
                (index, target, outcome)
            });
        }
        let mut results = Vec::with_capacity(tasks.len());
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(result) => results.push(result),
                Err(error) => tracing::error!(%error, "a back-channel logout task failed"),
            }
        }
        results.sort_by_key(|(index, _, _)| *index);
        results
            .into_iter()
            .map(|(_, target, outcome)| (target, outcome))
            .collect()
    }

    /// Tells one client.
    pub async fn notify_one(&self, target: &LogoutTarget) -> LogoutOutcome {
        let http = match &self.http {
            Ok(http) => http,
            Err(error) => {
                tracing::error!(
                    client = %target.client,
                    ?error,
                    "no HTTP client for back-channel logout: nothing delivered"
                );
                return LogoutOutcome::HttpClientUnavailable {
                    error: Arc::clone(error),
                };
            }
        };
        let request = BackchannelLogoutTokenRequest {
            client_identifier: target.client.clone(),
            subject: target.subject.clone(),
            session_id: target.session_id.clone(),
        };
        let answer = match self.client.backchannel_logout_token(&request).await {
            Ok(answer) => answer,
            Err(error) => return no_token(&target.client, &error),
        };
        match answer.action {
            Some(Action::Ok) => {}
            other => {
                let reason = answer
                    .result_message
                    .unwrap_or_else(|| format!("Authlete answered {other:?}"));
                tracing::warn!(client = %target.client, %reason, "no back-channel logout token");
                return LogoutOutcome::NoToken { reason };
            }
        }
        let (Some(uri), Some(token)) = (answer.backchannel_logout_uri, answer.logout_token) else {
            return LogoutOutcome::NotRegistered;
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("logout_token", token.expose_secret())
            .finish();
        let delivery = http
            .post(&uri)
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await;
        let outcome = match delivery {
            Ok(response) if matches!(response.status().as_u16(), 200 | 204) => {
                LogoutOutcome::Delivered {
                    status: response.status(),
                }
            }
            Ok(response) => LogoutOutcome::Rejected {
                status: response.status(),
            },
            // reqwest's messages name the URL, never the form body.
            Err(error) => LogoutOutcome::Unreachable {
                reason: error.to_string(),
            },
        };
        tracing::debug!(client = %target.client, ?outcome, "back-channel logout");
        outcome
    }
}

fn no_token(client: &str, error: &Error) -> LogoutOutcome {
    tracing::warn!(client, %error, "could not get a back-channel logout token");
    LogoutOutcome::NoToken {
        reason: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use httpmock::MockServer;

    use super::*;
    use crate::flows::test_support::{client, failing_http_client_builder};

    #[tokio::test]
    async fn without_a_delivery_client_every_target_says_so_and_authlete_is_not_asked() {
        let authlete = MockServer::start_async().await;
        // Raw on purpose: any request at all to Authlete is a failure here.
        let anything = authlete
            .mock_async(|_, then| {
                then.status(500);
            })
            .await;
        let logout = BackchannelLogout::with_http_client_builder(
            client(&authlete.base_url()),
            Duration::from_secs(5),
            failing_http_client_builder(),
        );

        let results = logout
            .notify(vec![
                LogoutTarget::subject("c-1", "john"),
                LogoutTarget::subject("c-2", "john").with_session_id("s-1"),
            ])
            .await;

        assert_eq!(anything.calls_async().await, 0);
        assert_eq!(results.len(), 2);
        for (target, outcome) in &results {
            let LogoutOutcome::HttpClientUnavailable { error } = outcome else {
                panic!(
                    "{}: expected HttpClientUnavailable, got {outcome:?}",
                    target.client
                );
            };
            assert!(error.is_builder(), "{error:?}");
            assert!(error.source().is_some(), "the cause is kept: {error:?}");
            assert!(!outcome.is_delivered());
        }
    }
}
