//! Authlete, or the stand-in for it (the `authlete-standin` crate): what lets every example
//! run on a fresh machine, offline.
//!
//! Examples include this file with `#[path = "support/connect.rs"] mod backend;` and call
//! [`connect`], or [`connect_with`] to describe the [`Service`] the stand-in plays. Authlete
//! counts as configured when `Config::load()` succeeds: an `authlete.ini` in the current
//! directory, or `AUTHLETE_BASE_URL` with a service access token (V3) or an API key and
//! secret (V2) in the environment. Then the examples call Authlete. With no configuration at
//! all, [`connect`] says so in one line on stderr and starts the stand-in; a configuration
//! that is there but incomplete is an error.

#![allow(dead_code)] // each example uses part of this module

use std::error::Error;

use authlete::{Client, Config, ConfigError};
use authlete_standin::{CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, Service, StandIn};

/// The client application an example plays, as registered in the Authlete service.
#[derive(Debug, Clone)]
pub struct App {
    /// Its client ID.
    pub client_id: String,
    /// Its secret, for a confidential client (sent as with HTTP Basic).
    pub client_secret: Option<String>,
    /// Its redirect URI, needed when it has several.
    pub redirect_uri: Option<String>,
}

/// The Authlete the examples talk to.
pub struct Connection {
    /// The client for Authlete or for the stand-in.
    pub client: Client,
    /// The stand-in, when Authlete is not configured; it stops when dropped.
    standin: Option<StandIn>,
}

/// A client for the configured Authlete or, when nothing is configured, for a stand-in
/// playing [`Service::default`], started here (said in one line on stderr).
pub async fn connect() -> Result<Connection, Box<dyn Error>> {
    connect_with(Service::default()).await
}

/// [`connect`], with a stand-in that plays `service`.
pub async fn connect_with(service: Service) -> Result<Connection, Box<dyn Error>> {
    match Config::load() {
        Ok(config) => Ok(Connection {
            client: Client::new(config)?,
            standin: None,
        }),
        Err(ConfigError::NotFound { .. }) => {
            let standin = StandIn::start(service).await?;
            eprintln!(
                "No Authlete configuration (AUTHLETE_BASE_URL and credentials, or \
                 ./authlete.ini): using a stand-in for Authlete at {}",
                standin.base_url()
            );
            Ok(Connection {
                client: standin.client()?,
                standin: Some(standin),
            })
        }
        Err(error) => Err(error.into()),
    }
}

impl Connection {
    /// Whether the examples talk to the stand-in.
    pub fn is_standin(&self) -> bool {
        self.standin.is_some()
    }

    /// The client application to play: the stand-in's [`CLIENT_ID`], or with Authlete the
    /// one named by `{prefix}_CLIENT_ID`, `{prefix}_CLIENT_SECRET` (for a confidential
    /// client) and `{prefix}_REDIRECT_URI` (optional).
    pub fn app(&self, prefix: &str) -> Result<App, String> {
        if self.is_standin() {
            return Ok(App {
                client_id: CLIENT_ID.into(),
                client_secret: Some(CLIENT_SECRET.into()),
                redirect_uri: Some(REDIRECT_URI.into()),
            });
        }
        let var = |name: &str| {
            let value = std::env::var(format!("{prefix}_{name}")).ok();
            value.filter(|value| !value.trim().is_empty())
        };
        let client_id = var("CLIENT_ID").ok_or_else(|| {
            format!(
                "Authlete is configured: set {prefix}_CLIENT_ID to a client of your service \
                 (and {prefix}_CLIENT_SECRET if it is confidential)"
            )
        })?;
        Ok(App {
            client_id,
            client_secret: var("CLIENT_SECRET"),
            redirect_uri: var("REDIRECT_URI"),
        })
    }
}
