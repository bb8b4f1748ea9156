//! What the stand-in remembers, and what several operations share: the service's clients,
//! the requests waiting for the user, the grants waiting to become tokens, the tokens, and
//! the key that signs ID tokens.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use authlete::Secret;
use authlete::types::{
    self, ClientLimitedAuthorization, ClientType, Scope, TokenResponse, TokenResponseAction,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::Service;
use super::dpop::{self, SeenProofs};

/// Lifetime of tickets and authorization codes, seconds.
pub(super) const CODE_LIFETIME: i64 = 600;
/// Lifetime of pushed authorization requests, seconds.
pub(super) const PUSHED_LIFETIME: i64 = 60;
/// Lifetime of access tokens (and ID tokens), seconds: Authlete's default.
pub(super) const ACCESS_TOKEN_LIFETIME: i64 = 86_400;
/// Lifetime of refresh tokens, seconds: Authlete's default.
pub(super) const REFRESH_TOKEN_LIFETIME: i64 = 864_000;
/// Lifetime of CIBA requests and device codes, seconds.
pub(super) const DEFERRED_LIFETIME: i64 = 600;

/// The scopes the service supports.
pub(super) const SCOPES: [&str; 6] = [
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "offline_access",
];

pub(super) const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
pub(super) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub(super) struct State {
    pub(super) issuer: String,
    /// The service's clients, oldest first.
    pub(super) clients: Vec<types::Client>,
    pub(super) pkce_required: bool,
    pub(super) polling_interval: i32,
    pub(super) key: SigningKey,
    /// Pushed authorization requests, by `request_uri`.
    pub(super) pushed: HashMap<String, Pushed>,
    /// Authorization requests waiting for the user's decision, by ticket.
    pub(super) tickets: HashMap<String, PendingAuthorization>,
    /// Authorization codes, with when they expire.
    pub(super) codes: HashMap<String, (Grant, i64)>,
    pub(super) access_tokens: HashMap<String, TokenRecord>,
    pub(super) refresh_tokens: HashMap<String, TokenRecord>,
    /// The subjects of the ID tokens issued, for `id_token_hint`.
    pub(super) id_tokens: HashMap<String, String>,
    /// CIBA requests whose user the server is identifying, by ticket: the client and the
    /// scopes.
    pub(super) backchannel_tickets: HashMap<String, (i64, Vec<String>)>,
    /// CIBA requests, by `auth_req_id`.
    pub(super) backchannel: HashMap<String, Deferred>,
    /// Device flow requests, by device code.
    pub(super) devices: HashMap<String, Deferred>,
    /// The DPoP proofs seen lately, so that each is used once.
    pub(super) dpop_proofs: SeenProofs,
    /// Services, and what management operations remember.
    pub(super) management: super::management::Store,
}

/// A pushed authorization request: its parameters, for the client that pushed it.
pub(super) struct Pushed {
    pub(super) params: Params,
    pub(super) client_id: i64,
    pub(super) expires: i64,
}

pub(super) struct PendingAuthorization {
    pub(super) client_id: i64,
    pub(super) redirect_uri: String,
    /// Whether the request named its redirect URI: then the token request must repeat it.
    pub(super) redirect_uri_given: bool,
    pub(super) state: Option<String>,
    pub(super) scopes: Vec<String>,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: Option<String>,
    pub(super) expires: i64,
}

/// What the user granted, waiting to become tokens.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Grant {
    pub(super) client_id: i64,
    pub(super) subject: String,
    pub(super) scopes: Vec<String>,
    /// Claims for the ID token, as the application gave them.
    pub(super) claims: Map<String, Value>,
    pub(super) auth_time: Option<i64>,
    pub(super) nonce: Option<String>,
    /// The redirect URI the token request must repeat, if any.
    pub(super) redirect_uri: Option<String>,
    /// The PKCE `S256` challenge the token request's verifier must match, if any.
    pub(super) code_challenge: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct TokenRecord {
    pub(super) client_id: i64,
    pub(super) subject: Option<String>,
    pub(super) scopes: Vec<String>,
    pub(super) issued_at: i64,
    pub(super) expires_at: i64,
    /// For an access token: the refresh token issued with it.
    pub(super) refresh_token: Option<String>,
    /// For a refresh token: what a refreshed access token carries.
    pub(super) grant: Option<Grant>,
    /// For an access token bound to a DPoP key: the key's JWK thumbprint (RFC 9449).
    pub(super) jkt: Option<String>,
}

/// A CIBA or device flow request: the user decides elsewhere, the client polls.
pub(super) struct Deferred {
    pub(super) client_id: i64,
    /// What the server reports the decision with: the CIBA ticket, or the user code.
    pub(super) handle: String,
    pub(super) scopes: Vec<String>,
    pub(super) status: Status,
    pub(super) expires: i64,
}

pub(super) enum Status {
    Pending,
    Granted(Grant),
    Denied,
}

impl State {
    pub(super) fn new(service: Service) -> Self {
        let Service {
            issuer,
            mut clients,
            pkce_required,
            polling_interval,
        } = service;
        for client in &mut clients {
            client.created_at = client.created_at.or(Some(now_secs() * 1000));
        }
        State {
            issuer: issuer.trim_end_matches('/').to_owned(),
            clients,
            pkce_required,
            polling_interval,
            key: SigningKey::generate(),
            pushed: HashMap::new(),
            tickets: HashMap::new(),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            id_tokens: HashMap::new(),
            backchannel_tickets: HashMap::new(),
            backchannel: HashMap::new(),
            devices: HashMap::new(),
            dpop_proofs: SeenProofs::default(),
            management: Default::default(),
        }
    }

    /// Forgets what has expired.
    pub(super) fn prune(&mut self) {
        let now = now_secs();
        self.pushed.retain(|_, p| p.expires > now);
        self.tickets.retain(|_, t| t.expires > now);
        self.codes.retain(|_, (_, expires)| *expires > now);
        self.access_tokens.retain(|_, t| t.expires_at > now);
        self.refresh_tokens.retain(|_, t| t.expires_at > now);
        self.backchannel.retain(|_, d| d.expires > now);
        self.devices.retain(|_, d| d.expires > now);
    }

    /// The client `id` names: its numeric ID, or its alias.
    pub(super) fn client(&self, id: &str) -> Option<&types::Client> {
        self.clients.iter().find(|c| {
            c.client_id.is_some_and(|n| n.to_string() == id)
                || c.client_id_alias.as_deref() == Some(id)
        })
    }

    /// The client with the numeric ID `number`.
    pub(super) fn client_by_number(&self, number: i64) -> Option<&types::Client> {
        self.clients.iter().find(|c| c.client_id == Some(number))
    }

    /// The numeric ID of the client that sent a request, with HTTP Basic (`id`, `secret`)
    /// or in the form; a confidential client must give its secret.
    pub(super) fn authenticate(
        &self,
        id: Option<&str>,
        secret: Option<&Secret>,
        params: &Params,
    ) -> Option<i64> {
        let client = self.client(id.or(params.get("client_id"))?)?;
        let secret = secret
            .map(Secret::expose_secret)
            .or(params.get("client_secret"));
        let expected = client.client_secret.as_ref().map(Secret::expose_secret);
        let confidential = client.client_type == Some(ClientType::Confidential);
        (!confidential || (secret.is_some() && secret == expected)).then_some(client.client_id?)
    }

    /// What answers say of the client `number`.
    pub(super) fn client_limited(&self, number: i64) -> ClientLimitedAuthorization {
        let client = self.client_by_number(number);
        ClientLimitedAuthorization {
            client_id: Some(number),
            client_id_alias: client.and_then(|c| c.client_id_alias.clone()),
            client_id_alias_enabled: client.map(|c| c.client_id_alias.is_some()),
            client_name: client.and_then(|c| c.client_name.clone()),
            ..Default::default()
        }
    }

    /// The client ID the client `number` goes by: its alias if it has one (as in the `aud`
    /// of ID tokens).
    pub(super) fn public_id(&self, number: i64) -> String {
        let alias = self
            .client_by_number(number)
            .and_then(|c| c.client_id_alias.clone());
        alias.unwrap_or_else(|| number.to_string())
    }

    /// Access and refresh tokens for `grant` (and an ID token, for `openid`): Authlete's
    /// token response. With `jkt`, the thumbprint of the key of the request's DPoP proof,
    /// the access token is bound to that key (`token_type` `DPoP`).
    pub(super) fn issue_tokens(
        &mut self,
        grant: Grant,
        grant_type: &str,
        jkt: Option<String>,
    ) -> TokenResponse {
        /// The token response, with its members in Authlete's order.
        #[derive(Serialize)]
        struct Body<'a> {
            access_token: &'a str,
            refresh_token: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            scope: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            id_token: Option<&'a str>,
            token_type: &'static str,
            expires_in: i64,
        }
        let now = now_secs();
        let (access_token, refresh_token) = (random_token(), random_token());
        let id_token = grant
            .scopes
            .iter()
            .any(|s| s == "openid")
            .then(|| self.id_token(&grant, now));
        self.refresh_tokens.insert(
            refresh_token.clone(),
            TokenRecord {
                client_id: grant.client_id,
                subject: Some(grant.subject.clone()),
                scopes: grant.scopes.clone(),
                issued_at: now,
                expires_at: now + REFRESH_TOKEN_LIFETIME,
                refresh_token: None,
                grant: Some(grant.clone()),
                jkt: None,
            },
        );
        self.access_tokens.insert(
            access_token.clone(),
            TokenRecord {
                client_id: grant.client_id,
                subject: Some(grant.subject.clone()),
                scopes: grant.scopes.clone(),
                issued_at: now,
                expires_at: now + ACCESS_TOKEN_LIFETIME,
                refresh_token: Some(refresh_token.clone()),
                grant: None,
                jkt: jkt.clone(),
            },
        );
        let body = Body {
            access_token: &access_token,
            refresh_token: &refresh_token,
            scope: (!grant.scopes.is_empty()).then(|| grant.scopes.join(" ")),
            id_token: id_token.as_deref(),
            token_type: if jkt.is_some() { "DPoP" } else { "Bearer" },
            expires_in: ACCESS_TOKEN_LIFETIME,
        };
        let content = serde_json::to_string(&body).expect("the token response serializes");
        let client = self.client_limited(grant.client_id);
        TokenResponse {
            action: Some(TokenResponseAction::Ok),
            response_content: Some(Secret::new(content)),
            access_token: Some(Secret::new(access_token)),
            access_token_duration: Some(ACCESS_TOKEN_LIFETIME),
            access_token_expires_at: Some((now + ACCESS_TOKEN_LIFETIME) * 1000),
            refresh_token: Some(Secret::new(refresh_token)),
            id_token: id_token.map(Secret::new),
            subject: Some(grant.subject),
            scopes: grant.scopes,
            client_id: client.client_id,
            client_id_alias: client.client_id_alias,
            grant_type: Some(grant_type.to_owned()),
            result_code: Some("A050001".into()),
            result_message: Some("[A050001] The token request was processed.".into()),
            ..Default::default()
        }
    }

    /// An ID token for `grant`, signed with the service's key.
    fn id_token(&mut self, grant: &Grant, now: i64) -> String {
        let mut claims = grant.claims.clone();
        let standard = json!({
            "iss": self.issuer,
            "sub": grant.subject,
            "aud": [self.public_id(grant.client_id)],
            "exp": now + ACCESS_TOKEN_LIFETIME,
            "iat": now,
        });
        if let Value::Object(standard) = standard {
            claims.extend(standard);
        }
        if let Some(auth_time) = grant.auth_time {
            claims.insert("auth_time".into(), json!(auth_time));
        }
        if let Some(nonce) = &grant.nonce {
            claims.insert("nonce".into(), json!(nonce));
        }
        let token = self.key.sign(&Value::Object(claims));
        self.id_tokens.insert(token.clone(), grant.subject.clone());
        token
    }

    /// A valid access token.
    pub(super) fn access_token(&self, token: &str) -> Option<&TokenRecord> {
        self.access_tokens
            .get(token)
            .filter(|t| t.expires_at > now_secs())
    }

    /// Whether a request to a protected resource may use the access token `token`, with
    /// the DPoP proof it came with (`dpop`), for its method `htm` and URL `htu`: a token
    /// bound to a key needs a valid proof of that key for this request; a Bearer token
    /// needs none. Otherwise the `WWW-Authenticate` challenge that refuses it.
    pub(super) fn check_binding(
        &mut self,
        token: &str,
        dpop: Option<&str>,
        htm: Option<&str>,
        htu: Option<&str>,
    ) -> Result<(), String> {
        let Some(jkt) = self.access_token(token).and_then(|t| t.jkt.clone()) else {
            return Ok(());
        };
        let Some(proof) = dpop else {
            return Err(dpop::challenge(
                "invalid_token",
                "The access token is bound to a key: a DPoP proof is required.",
            ));
        };
        let (Some(htm), Some(htu)) = (htm, htu) else {
            return Err(dpop::challenge(
                "invalid_dpop_proof",
                "The request's htm and htu are needed to check the DPoP proof.",
            ));
        };
        let expected = dpop::Expected {
            htm,
            htu,
            access_token: Some(token),
        };
        match dpop::verify(&mut self.dpop_proofs, proof, &expected) {
            Ok(thumbprint) if thumbprint == jkt => Ok(()),
            Ok(_) => Err(dpop::challenge(
                "invalid_dpop_proof",
                "The DPoP proof is signed with another key than the token is bound to.",
            )),
            Err(description) => Err(dpop::challenge("invalid_dpop_proof", &description)),
        }
    }
}

/// The parameters of a form-encoded request (the first value of each).
pub(super) struct Params(HashMap<String, String>);

impl Params {
    pub(super) fn parse(text: &str) -> Self {
        let mut map = HashMap::new();
        for (name, value) in form_urlencoded::parse(text.as_bytes()) {
            map.entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        Params(map)
    }

    /// The value of the parameter `name`.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub(super) fn insert(&mut self, name: &str, value: String) {
        self.0.insert(name.to_owned(), value);
    }

    pub(super) fn remove(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    /// The requested scopes, or why they are refused.
    pub(super) fn scopes(&self) -> Result<Vec<String>, String> {
        let scopes: Vec<String> = self
            .get("scope")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        match scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
            Some(unknown) => Err(format!("The scope {unknown} is not supported.")),
            None => Ok(scopes),
        }
    }
}

/// The scopes with the descriptions a consent page shows.
pub(super) fn scope_details(scopes: &[String]) -> Vec<Scope> {
    let description = |name: &str| match name {
        "openid" => "Sign you in with your account",
        "profile" => "Your name and user name",
        "email" => "Your e-mail address",
        "phone" => "Your phone number",
        "address" => "Your postal address",
        "offline_access" => "Access while you are away",
        _ => "",
    };
    scopes
        .iter()
        .map(|name| Scope {
            name: Some(name.clone()),
            description: Some(description(name).into()),
            ..Default::default()
        })
        .collect()
}

/// The claims the scopes stand for (OpenID Connect Core 5.4); none without `openid`.
pub(super) fn claims_of(scopes: &[String]) -> Vec<String> {
    if !scopes.iter().any(|s| s == "openid") {
        return Vec::new();
    }
    let mut claims = Vec::new();
    for scope in scopes {
        let names: &[&str] = match scope.as_str() {
            "profile" => &[
                "name",
                "family_name",
                "given_name",
                "middle_name",
                "nickname",
                "preferred_username",
                "profile",
                "picture",
                "website",
                "gender",
                "birthdate",
                "zoneinfo",
                "locale",
                "updated_at",
            ],
            "email" => &["email", "email_verified"],
            "phone" => &["phone_number", "phone_number_verified"],
            "address" => &["address"],
            _ => &[],
        };
        claims.extend(names.iter().map(|n| (*n).to_owned()));
    }
    claims
}

/// The claims an application gave (a JSON object), or none.
pub(super) fn claims_object(claims: Option<&str>) -> Map<String, Value> {
    claims
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

/// The body of an OAuth error response.
pub(super) fn oauth_error(error: &str, description: &str) -> String {
    json!({ "error": error, "error_description": description }).to_string()
}

/// `uri` with `pairs` added to its query.
pub(super) fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    let mut separator = if uri.contains('?') { '&' } else { '?' };
    for (name, value) in pairs {
        out.push(separator);
        out.push_str(name);
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        separator = '&';
    }
    out
}

/// The PKCE `S256` challenge of `verifier` (RFC 7636 section 4.2).
pub(super) fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// 32 random bytes, base64url, like Authlete's tickets, codes and tokens.
pub(super) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A user code as RFC 8628 suggests, such as `WDJB-MJHT`: consonants only, so that it
/// spells no words.
pub(super) fn user_code() -> String {
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let letters: String = random_bytes::<8>()
        .iter()
        .map(|b| char::from(LETTERS[usize::from(*b) % LETTERS.len()]))
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the operating system's random number generator");
    bytes
}

/// Seconds since the Unix epoch.
pub(super) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The service's ID token signing key: a P-256 key made at start-up.
pub(super) struct SigningKey {
    key: EncodingKey,
    pub(super) public_jwk: Value,
    kid: String,
}

impl SigningKey {
    fn generate() -> Self {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        use p256::pkcs8::EncodePrivateKey as _;

        // A random scalar is a valid key but for a negligible few: draw again then.
        let secret = loop {
            if let Ok(secret) = p256::SecretKey::from_slice(&random_bytes::<32>()) {
                break secret;
            }
        };
        let point = secret.public_key().to_encoded_point(false);
        let (x, y) = point.as_bytes()[1..].split_at(32);
        let der = secret.to_pkcs8_der().expect("a P-256 key encodes");
        let kid = random_token()[..12].to_owned();
        Self {
            key: EncodingKey::from_ec_der(der.as_bytes()),
            public_jwk: json!({
                "kty": "EC",
                "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
                "use": "sig",
                "alg": "ES256",
                "kid": kid,
            }),
            kid,
        }
    }

    /// A JWS (compact serialization) of `claims`, signed with `ES256`.
    fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        // The RustCrypto provider, named: the process-wide default needs to be chosen.
        let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
        let signer = (provider.signer_factory)(&Algorithm::ES256, &self.key)
            .expect("an ES256 signer for a P-256 key");
        let signature = signer.try_sign(input.as_bytes()).expect("signing succeeds");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}
