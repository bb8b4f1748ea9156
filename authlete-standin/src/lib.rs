#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
//!
//! # Inside
//!
//! Each request is matched to an operation of `authlete::routes` (`routing.rs`), its
//! credentials checked (`credentials.rs`), its body read within [`MAX_BODY_BYTES`]
//! (`server.rs`), and answered by the operation's handler (`dispatch.rs`) from an in-memory
//! state (`state.rs`, on the time of `clock.rs`): `oauth.rs` for authorization (with PAR
//! and tickets), discovery and the JWK Set; `token.rs` for the token endpoint, and
//! `tokens.rs` for the tokens it issues and their binding; `resource.rs` for introspection,
//! revocation and UserInfo; `deferred.rs` for CIBA and the device flow; `dpop.rs` for DPoP
//! proofs; `params.rs` and `request_object.rs` for a request's parameters; `management.rs`
//! (with `management/`) for services, clients, what users granted clients and token
//! operations. `bounds.rs` caps the state, `persist.rs` keeps it in a file.

mod bounds;
mod clock;
mod credentials;
mod deferred;
mod dispatch;
mod dpop;
mod management;
mod oauth;
mod params;
mod persist;
mod request_object;
mod resource;
mod routing;
mod seed;
mod server;
mod service;
mod state;
mod token;
mod tokens;
mod wire;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use authlete::types;
use authlete::{ApiVersion, Client, Config, Error};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use self::bounds::DEFAULT_MAX_ENTRIES;
pub use self::clock::Clock;
pub use self::credentials::Credentials;
pub use self::persist::StateFileError;
pub use self::seed::Seed;
pub use self::server::MAX_BODY_BYTES;
use self::server::Shared;
pub use self::service::{CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SERVICE_ID, Service};
use self::state::State;
use self::wire::Answer;

/// Why a stand-in did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The port could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The state file could not be read.
    #[error(transparent)]
    StateFile(#[from] StateFileError),
    /// The seed names something that does not exist (a token for an unknown client).
    #[error("seed: {0}")]
    Seed(String),
}

/// Starts a [`StandIn`] with more than a [`Service`]: see [`StandIn::builder`].
#[derive(Debug, Default)]
#[must_use]
pub struct Builder {
    seed: Seed,
    port: u16,
    state_file: Option<PathBuf>,
    max_entries: Option<usize>,
}

impl Builder {
    /// The service to play (by default [`Service::default`]).
    pub fn service(mut self, service: Service) -> Self {
        self.seed.service = service;
        self
    }

    /// The credentials to accept (by default [`Credentials::default`]).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.seed.credentials = credentials;
        self
    }

    /// The service, the credentials and the tokens at once, as read from a seed file.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// An access token the stand-in knows from the start, as if Authlete's
    /// `auth_token_create_api` had made it: for a resource server's tests, a user's token
    /// without running a flow. See [`Seed::tokens`] for the members it honours.
    pub fn token(mut self, token: types::TokenCreateRequest) -> Self {
        self.seed.tokens.push(token);
        self
    }

    /// The loopback port to listen on; `0`, the default, lets the system choose one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// A file that keeps the state (clients, access and refresh tokens) across runs:
    /// restored at start if it exists, written when the stand-in [stops](StandIn::stop),
    /// atomically (a temporary file renamed over it).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// The most entries of each kind (tickets, codes, tokens, ...) kept at once (by default
    /// [`DEFAULT_MAX_ENTRIES`]); past it, the soonest to expire are dropped.
    pub fn max_entries(mut self, max: usize) -> Self {
        self.max_entries = Some(max);
        self
    }

    /// Starts the stand-in on `127.0.0.1`, serving on the current Tokio runtime.
    pub async fn start(self) -> Result<StandIn, StartError> {
        let Seed {
            service,
            credentials,
            tokens,
        } = self.seed;
        let mut state = State::new(service);
        if let Some(path) = &self.state_file {
            persist::restore(&mut state, path)?;
        }
        for token in &tokens {
            seed::plant(&mut state, token).map_err(StartError::Seed)?;
        }
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| StartError::Bind { address, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| StartError::Bind { address, source })?;
        let max = self.max_entries.unwrap_or(DEFAULT_MAX_ENTRIES);
        let shared = Arc::new(Shared::new(state, credentials, max));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, shared.clone(), async move {
            // A dropped sender stops the server too.
            let _ = stopped.await;
        }));
        Ok(StandIn {
            base_url: format!("http://{local}"),
            shared,
            stop: Some(stop),
            task: Some(task),
            state_file: self.state_file,
        })
    }
}

/// The stand-in for Authlete: an HTTP server on a loopback port, in this process, that
/// answers as an Authlete service would. It stops when dropped, or with [`StandIn::stop`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let standin = authlete_standin::StandIn::start(Default::default()).await?;
/// let client = standin.client()?;
/// let jwks = client.get_service_jwks(&Default::default()).await?;
/// assert_eq!(jwks.keys[0]["crv"], "P-256");
/// # Ok(()) }
/// ```
pub struct StandIn {
    base_url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    state_file: Option<PathBuf>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn")
            .field("base_url", &self.base_url)
            .field("credentials", &self.shared.credentials)
            .finish_non_exhaustive()
    }
}

impl StandIn {
    /// Starts a stand-in that plays `service`, with the default [`Credentials`], on a port
    /// the system chooses.
    pub async fn start(service: Service) -> Result<StandIn, StartError> {
        Self::builder().service(service).start().await
    }

    /// A builder, for credentials, a port, a state file or caps.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// The configuration to call it with in API generation 3: the service ID and access
    /// token, and the service owner's access token.
    pub fn config(&self) -> Config {
        let credentials = self.credentials();
        Config::builder()
            .base_url(self.base_url())
            .service_api_key(credentials.service_api_key.clone())
            .service_access_token(credentials.service_access_token.clone())
            .service_owner_access_token(credentials.service_owner_access_token.clone())
            .build()
            .expect("the stand-in's configuration is valid")
    }

    /// The configuration to call it with in API generation 2: the service's and the
    /// service owner's API keys and secrets.
    pub fn config_v2(&self) -> Config {
        let credentials = self.credentials();
        Config::builder()
            .base_url(self.base_url())
            .api_version(ApiVersion::V2)
            .service_api_key(credentials.service_api_key.clone())
            .service_api_secret(credentials.service_api_secret.clone())
            .service_owner_api_key(credentials.service_owner_api_key.clone())
            .service_owner_api_secret(credentials.service_owner_api_secret.clone())
            .build()
            .expect("the stand-in's configuration is valid")
    }

    /// A client for it, in API generation 3.
    pub fn client(&self) -> Result<Client, Error> {
        Client::new(self.config())
    }

    /// The `export AUTHLETE_...=...` lines of a shell that point `authlete::Config::load`
    /// at it (API generation 3), one per line.
    pub fn exports(&self) -> String {
        let credentials = self.credentials();
        let lines = [
            ("AUTHLETE_BASE_URL", self.base_url()),
            ("AUTHLETE_API_VERSION", "V3"),
            ("AUTHLETE_SERVICE_APIKEY", &credentials.service_api_key),
            (
                "AUTHLETE_SERVICE_ACCESSTOKEN",
                credentials.service_access_token.expose_secret(),
            ),
            (
                "AUTHLETE_SERVICEOWNER_ACCESSTOKEN",
                credentials.service_owner_access_token.expose_secret(),
            ),
        ];
        lines
            .iter()
            .map(|(name, value)| format!("export {name}={}\n", shell_quote(value)))
            .collect()
    }

    /// Stops it: no new connections, the requests under way answered; then the state is
    /// written to the state file, if it has one.
    pub async fn stop(mut self) -> Result<(), StateFileError> {
        self.stop.take();
        if let Some(task) = self.task.take() {
            // The server's own I/O errors end it either way.
            let _ = task.await;
        }
        match &self.state_file {
            Some(path) => persist::save(&self.shared.lock(), path),
            None => Ok(()),
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The operation ids (as in `authlete::routes`) the stand-in answers; every other operation
/// of the spec gets `501`.
///
/// ```
/// assert!(authlete_standin::operations_served().contains(&"auth_token_api"));
/// ```
pub fn operations_served() -> Vec<&'static str> {
    dispatch::handlers().into_keys().collect()
}

/// `value` quoted for a POSIX shell when it needs it.
fn shell_quote(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

fn json<T: Serialize>(status: u16, value: &T) -> Answer {
    Answer::json(status, value)
}

/// The body of Authlete's errors.
fn api_result(code: &str, message: &str) -> types::ApiResult {
    types::ApiResult {
        result_code: Some(code.into()),
        result_message: Some(format!("[{code}] {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An authorization request of the default client: one ticket more in the state.
    async fn authorization(client: &Client) {
        let request = types::AuthorizationRequest {
            parameters: format!("response_type=code&client_id={CLIENT_ID}"),
            ..Default::default()
        };
        let response = client.authorization(&request).await.unwrap();
        assert!(response.ticket.is_some(), "{response:?}");
    }

    #[tokio::test]
    async fn the_state_is_capped() {
        let standin = StandIn::builder().max_entries(3).start().await.unwrap();
        let client = standin.client().unwrap();
        for _ in 0..6 {
            authorization(&client).await;
        }
        assert_eq!(standin.shared.lock().tickets.len(), 3);
    }

    #[tokio::test]
    async fn expired_entries_go_on_the_next_call() {
        let standin = StandIn::start(Service::default()).await.unwrap();
        let client = standin.client().unwrap();
        authorization(&client).await;
        authorization(&client).await;
        {
            let mut state = standin.shared.lock();
            assert_eq!(state.tickets.len(), 2);
            // Both expire, as they would ten minutes later.
            state.tickets.values_mut().for_each(|t| t.expires = 0);
        }
        client.get_service_jwks(&Default::default()).await.unwrap();
        assert!(standin.shared.lock().tickets.is_empty());
    }
}
