//! Small helpers shared by the example server and its smoke test.

use std::time::{SystemTime, UNIX_EPOCH};

use authlete::types::{self, ClientType, GrantType};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// The client the demo uses: the server's own demo page (`/demo`) and `--smoke` play it.
///
/// With the embedded stand-in, this client is registered there. Against a real Authlete
/// service, register a confidential client with this redirect URI (or set
/// `DEMO_CLIENT_ID`, `DEMO_CLIENT_SECRET` and `DEMO_REDIRECT_URI`).
#[derive(Debug, Clone)]
pub struct DemoClient {
    /// The client ID (an alias of the numeric ID at the stand-in).
    pub client_id: String,
    /// Its secret, for `client_secret_basic`; `None` for a public client.
    pub client_secret: Option<String>,
    /// Its redirect URI: this server's `/cb`, unless configured otherwise.
    pub redirect_uri: String,
    /// The scopes it asks for.
    pub scope: String,
}

impl DemoClient {
    /// The demo client for a server at `base_url`, with overrides from the environment.
    pub fn from_env(base_url: &str) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        // A client of one's own is public unless its secret is given too.
        let (client_id, client_secret) = match var("DEMO_CLIENT_ID") {
            Some(id) => (id, var("DEMO_CLIENT_SECRET")),
            None => ("demo-client".into(), Some("demo-client-secret".into())),
        };
        Self {
            client_id,
            client_secret,
            redirect_uri: var("DEMO_REDIRECT_URI").unwrap_or_else(|| format!("{base_url}/cb")),
            scope: "openid profile email".into(),
        }
    }

    /// The client as the stand-in for Authlete registers it: a numeric ID as Authlete
    /// would assign, with `client_id` as its alias.
    pub fn registration(&self) -> types::Client {
        let client_type = match self.client_secret {
            Some(_) => ClientType::Confidential,
            None => ClientType::Public,
        };
        types::Client {
            client_id: Some(1_140_735_077),
            client_id_alias: Some(self.client_id.clone()),
            client_id_alias_enabled: Some(true),
            client_name: Some("Demo Client".into()),
            client_secret: self.client_secret.clone().map(Into::into),
            client_type: Some(client_type),
            grant_types: vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::Ciba,
                GrantType::DeviceCode,
            ],
            redirect_uris: vec![self.redirect_uri.clone()],
            bc_delivery_mode: Some("POLL".into()),
            ..Default::default()
        }
    }
}

/// 32 random bytes, base64url: session IDs, tickets, codes, tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system's random number generator");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The PKCE `S256` challenge of `verifier` (RFC 7636 section 4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `value` percent-encoded for a query string or form.
pub fn urlencode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `value` escaped for HTML text and attribute values.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
