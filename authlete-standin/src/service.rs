//! The service the stand-in plays, and the example client registered in it by default.

use authlete::types::{self, ClientType, GrantType};
use serde::Deserialize;

use crate::state;

/// The service the stand-in plays (its service ID; the API key in API generation 2).
pub const SERVICE_ID: &str = "715948317";
/// The client application registered in the examples' service ([`Service::default`]).
pub const CLIENT_ID: &str = "57297408867";
/// Its client secret.
pub const CLIENT_SECRET: &str = "stand-in-client-secret";
/// Its only redirect URI.
pub const REDIRECT_URI: &str = "https://client.example.org/cb";

/// The Authlete service the stand-in plays: what a seed file's `service` member holds, in
/// Authlete's JSON names (`issuer`, `clients`, `pkceRequired`, `pollingInterval`).
///
/// ```
/// let service = authlete_standin::Service {
///     issuer: "https://as.example.com".into(),
///     pkce_required: true,
///     ..Default::default()
/// };
/// assert_eq!(service.clients.len(), 2);
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    /// Its issuer identifier: the `iss` of ID tokens and authorization responses, and the
    /// base of the endpoint URLs in its discovery document.
    pub issuer: String,
    /// The client applications registered in it. A client is named by its numeric
    /// `client_id`, or by its `client_id_alias` when it has one.
    pub clients: Vec<types::Client>,
    /// Whether authorization requests must use PKCE (Authlete's `pkceRequired`). A request
    /// that uses it must use `S256`, and its code needs the verifier either way.
    pub pkce_required: bool,
    /// The seconds CIBA and device flow clients wait between two polls.
    pub polling_interval: i32,
}

impl Default for Service {
    /// The service of the command-line examples: the client application [`CLIENT_ID`] and a
    /// client for batch jobs; no PKCE required (the quick start follows Authlete's Python
    /// SDK, which sends none); clients poll every second, so that the examples end quickly.
    fn default() -> Self {
        let example_app = types::Client {
            client_id: CLIENT_ID.parse().ok(),
            client_name: Some("Example app".into()),
            client_secret: Some(CLIENT_SECRET.into()),
            client_type: Some(ClientType::Confidential),
            grant_types: vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::Ciba,
                GrantType::DeviceCode,
            ],
            redirect_uris: vec![REDIRECT_URI.into()],
            bc_delivery_mode: Some("POLL".into()),
            ..Default::default()
        };
        let batch_job = types::Client {
            client_id: Some(1_174_987_209),
            client_name: Some("Nightly batch".into()),
            client_secret: Some(state::random_token().into()),
            client_type: Some(ClientType::Confidential),
            grant_types: vec![GrantType::ClientCredentials],
            ..Default::default()
        };
        Service {
            issuer: "https://server.example.com".into(),
            clients: vec![example_app, batch_job],
            pkce_required: false,
            polling_interval: 1,
        }
    }
}
