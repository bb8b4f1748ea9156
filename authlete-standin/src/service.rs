//! The service the stand-in plays, and the example client registered in it by default.

use authlete::types::{self, ClientType, GrantType};
use serde::Deserialize;

use crate::clock::Clock;
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
/// Authlete's JSON names (`issuer`, `clients`, `pkceRequired`, `pkceS256Required`,
/// `refreshTokenKept`, `dpopNonceRequired`, `signedRequestObjectRequired`, `parRequired`,
/// `jwtAccessTokens`, `pollingInterval`).
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
    /// Whether authorization requests must use PKCE (Authlete's `pkceRequired`; a client's
    /// `pkceRequired` requires it for that client). A code issued with a challenge needs
    /// the verifier either way.
    pub pkce_required: bool,
    /// Whether a PKCE challenge must use `S256`, not `plain` (Authlete's
    /// `pkceS256Required`; also per client).
    pub pkce_s256_required: bool,
    /// Whether a refresh keeps the refresh token (Authlete's `refreshTokenKept`) rather
    /// than replacing it with a new one.
    pub refresh_token_kept: bool,
    /// Whether DPoP proofs must carry a nonce the service gave out (Authlete's
    /// `dpopNonceRequired`); the nonce to use comes in the `dpopNonce` of its answers.
    pub dpop_nonce_required: bool,
    /// Whether request objects must be signed (a client that registered
    /// `requestSignAlg` must sign them anyway).
    pub signed_request_object_required: bool,
    /// Whether authorization requests must come through PAR, with a `request_uri` the
    /// PAR endpoint issued (Authlete's `parRequired`; a client's `parRequired` requires it
    /// for that client).
    pub par_required: bool,
    /// Whether access tokens are JWTs (RFC 9068) signed with the service's key, as with
    /// Authlete's `accessTokenSignAlg`.
    pub jwt_access_tokens: bool,
    /// The seconds CIBA and device flow clients wait between two polls; polling faster
    /// gets `slow_down` and 5 seconds more to wait.
    pub polling_interval: i32,
    /// The stand-in's clock: [`Clock::manual`] lets tests see expiry without waiting. Not
    /// in seed files: a started stand-in follows the system clock.
    #[serde(skip)]
    pub clock: Clock,
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
                GrantType::Password,
                GrantType::TokenExchange,
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
            pkce_s256_required: false,
            refresh_token_kept: false,
            dpop_nonce_required: false,
            signed_request_object_required: false,
            par_required: false,
            jwt_access_tokens: false,
            polling_interval: 1,
            clock: Clock::system(),
        }
    }
}
