//! What a stand-in starts with (the seed): the service, the credentials, and access tokens
//! made beforehand for users of the service.

use authlete::types::TokenCreateRequest;
use serde::Deserialize;

use crate::credentials::Credentials;
use crate::service::Service;
use crate::state::{ACCESS_TOKEN_LIFETIME, Binding, State, TokenRecord, random_token};

/// What a stand-in starts with: the service it plays, the credentials it accepts, and
/// access tokens it knows from the start. A seed file (`--seed FILE`) is this in JSON, every
/// member optional:
///
/// ```
/// let seed: authlete_standin::Seed = serde_json::from_str(r#"{
///     "service": {"issuer": "https://as.example.com", "pkceRequired": true},
///     "credentials": {"serviceAccessToken": "my-token"},
///     "tokens": [{"grantType": "AUTHORIZATION_CODE", "clientId": 57297408867,
///                 "subject": "alice", "scopes": ["profile"], "accessToken": "alice-token"}]
/// }"#).unwrap();
/// assert!(seed.service.pkce_required);
/// assert_eq!(seed.tokens[0].subject.as_deref(), Some("alice"));
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    /// The service it plays.
    pub service: Service,
    /// The credentials it accepts.
    pub credentials: Credentials,
    /// Access tokens it knows from the start, in the form of Authlete's token creation
    /// request. Honoured: `clientId` (a client of the service, required), `subject`,
    /// `scopes`, `accessToken` (the value; random when absent), `accessTokenDuration`
    /// (seconds; Authlete's default of a day when absent), `dpopKeyThumbprint` (a
    /// DPoP-bound token) and `certificateThumbprint` (a certificate-bound token). Other
    /// members are ignored.
    pub tokens: Vec<TokenCreateRequest>,
}

/// Puts the access token `token` describes in `state`.
pub(crate) fn plant(state: &mut State, token: &TokenCreateRequest) -> Result<(), String> {
    let client_id = token
        .client_id
        .ok_or("a token without clientId".to_owned())?;
    if state.client_by_number(client_id).is_none() {
        return Err(format!(
            "a token for client {client_id}, not a client of the service"
        ));
    }
    let value = (token.access_token.as_ref())
        .map(|t| t.expose_secret().to_owned())
        .unwrap_or_else(random_token);
    let now = state.now();
    let lifetime = token
        .access_token_duration
        .filter(|d| *d > 0)
        .unwrap_or(ACCESS_TOKEN_LIFETIME);
    state.access_tokens.insert(
        value,
        TokenRecord {
            client_id,
            subject: token.subject.clone(),
            scopes: token.scopes.clone(),
            issued_at: now,
            expires_at: now.saturating_add(lifetime),
            refresh_token: None,
            grant: None,
            binding: Binding {
                jkt: token.dpop_key_thumbprint.clone(),
                x5t: token.certificate_thumbprint.clone(),
            },
            code: None,
            grant_type: token.grant_type.as_str().to_owned(),
        },
    );
    Ok(())
}
