//! What the stand-in remembers, and what several operations share: the service's clients,
//! the requests waiting for the user, the grants waiting to become tokens, the tokens, and
//! the key that signs ID tokens.

use std::collections::HashMap;

use authlete::Secret;
use authlete::types::{self, ClientLimitedAuthorization, ClientType, GrantType, Scope};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::Service;
use super::clock::Clock;
use super::dpop::{NonceSource, SeenProofs};
use super::params::Params;

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
pub(super) const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

pub(super) struct State {
    pub(super) issuer: String,
    /// The service's clients, oldest first.
    pub(super) clients: Vec<types::Client>,
    pub(super) pkce_required: bool,
    pub(super) pkce_s256_required: bool,
    pub(super) refresh_token_kept: bool,
    pub(super) dpop_nonce_required: bool,
    pub(super) signed_request_object_required: bool,
    pub(super) par_required: bool,
    pub(super) jwt_access_tokens: bool,
    pub(super) polling_interval: i32,
    pub(super) clock: Clock,
    pub(super) key: SigningKey,
    /// Pushed authorization requests, by `request_uri`.
    pub(super) pushed: HashMap<String, Pushed>,
    /// Authorization requests waiting for the user's decision, by ticket.
    pub(super) tickets: HashMap<String, PendingAuthorization>,
    /// Authorization codes, used or not, until they expire.
    pub(super) codes: HashMap<String, Code>,
    /// Password grant requests waiting for the application to check the credentials.
    pub(super) token_tickets: HashMap<String, TokenTicket>,
    pub(super) access_tokens: HashMap<String, TokenRecord>,
    /// The JWT form of access tokens, for services that issue them: the token it stands for.
    pub(super) jwt_access_tokens_issued: HashMap<String, String>,
    pub(super) refresh_tokens: HashMap<String, TokenRecord>,
    /// The subjects of the ID tokens issued, for `id_token_hint`, with when they are
    /// forgotten (an expired ID token is still a hint, for as long as a refresh token).
    pub(super) id_tokens: HashMap<String, (String, i64)>,
    /// CIBA requests whose user the server is identifying, by ticket.
    pub(super) backchannel_tickets: HashMap<String, BackchannelTicket>,
    /// CIBA requests, by `auth_req_id`.
    pub(super) backchannel: HashMap<String, Deferred>,
    /// Device flow requests, by device code.
    pub(super) devices: HashMap<String, Deferred>,
    /// The DPoP proofs seen lately, so that each is used once.
    pub(super) dpop_proofs: SeenProofs,
    /// The nonces DPoP proofs must carry when the service requires one.
    pub(super) dpop_nonces: NonceSource,
    /// Services, and what management operations remember.
    pub(super) management: super::management::Store,
}

/// A pushed authorization request: its parameters, for the client that pushed it.
pub(super) struct Pushed {
    pub(super) params: Params,
    pub(super) client_id: i64,
    /// The thumbprint of the key of the PAR request's DPoP proof: the code is bound to it.
    pub(super) dpop_jkt: Option<String>,
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
    pub(super) code_challenge: Option<Challenge>,
    pub(super) dpop_jkt: Option<String>,
    /// What the application keeps with the ticket (`/auth/authorization/ticket/update`).
    pub(super) context: Option<String>,
    pub(super) expires: i64,
}

/// A PKCE code challenge (RFC 7636) and its method.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Challenge {
    pub(super) value: String,
    pub(super) s256: bool,
}

impl Challenge {
    /// Whether `verifier` is the one the challenge was made from.
    pub(super) fn matches(&self, verifier: &str) -> bool {
        if self.s256 {
            pkce_challenge(verifier) == self.value
        } else {
            verifier == self.value
        }
    }
}

/// An authorization code: the grant it stands for, until it expires; once used, the
/// family of tokens issued for it, which a second use revokes (RFC 6749 section 4.1.2).
pub(super) struct Code {
    pub(super) grant: Grant,
    pub(super) expires: i64,
    pub(super) used: bool,
}

/// A password grant request the application decides on (`/auth/token/issue` or `fail`).
pub(super) struct TokenTicket {
    pub(super) client_id: i64,
    pub(super) scopes: Vec<String>,
    pub(super) binding: Binding,
    pub(super) expires: i64,
}

/// A CIBA request whose user the server is identifying.
pub(super) struct BackchannelTicket {
    pub(super) client_id: i64,
    pub(super) scopes: Vec<String>,
    pub(super) delivery: Delivery,
    pub(super) expires: i64,
}

/// How the result of a CIBA request reaches the client (CIBA Core section 5): the client
/// polls the token endpoint (poll; also the device flow), is told when to poll (ping), or
/// is sent the tokens (push). Ping and push carry the `client_notification_token` of the
/// request and the client's registered notification endpoint.
#[derive(Clone)]
pub(super) enum Delivery {
    Poll,
    Ping { endpoint: String, token: Secret },
    Push { endpoint: String, token: Secret },
}

/// What the user granted, waiting to become tokens.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Grant {
    pub(super) client_id: i64,
    /// The end-user; none for the client credentials grant.
    pub(super) subject: Option<String>,
    pub(super) scopes: Vec<String>,
    /// Claims for the ID token, as the application gave them.
    pub(super) claims: Map<String, Value>,
    pub(super) auth_time: Option<i64>,
    pub(super) nonce: Option<String>,
    /// The redirect URI the token request must repeat, if any.
    pub(super) redirect_uri: Option<String>,
    /// The PKCE challenge the token request's verifier must match, if any.
    pub(super) code_challenge: Option<Challenge>,
    /// The key the token request's DPoP proof must be signed with, if any (RFC 9449
    /// section 10).
    pub(super) dpop_jkt: Option<String>,
}

impl Grant {
    /// A grant of `scopes` to `client_id` for `subject`, with nothing else attached.
    pub(super) fn new(client_id: i64, subject: Option<String>, scopes: Vec<String>) -> Self {
        Grant {
            client_id,
            subject,
            scopes,
            claims: Map::new(),
            auth_time: None,
            nonce: None,
            redirect_uri: None,
            code_challenge: None,
            dpop_jkt: None,
        }
    }
}

/// What a token is bound to: the key of a DPoP proof (RFC 9449), the client's certificate
/// (RFC 8705).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Binding {
    /// The JWK SHA-256 thumbprint of the DPoP key (`cnf.jkt`).
    pub(super) jkt: Option<String>,
    /// The SHA-256 thumbprint of the client certificate (`cnf.x5t#S256`).
    pub(super) x5t: Option<String>,
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
    pub(super) binding: Binding,
    /// The authorization code the token descends from, if any.
    pub(super) code: Option<String>,
    /// The grant type it was issued with, as Authlete names it.
    pub(super) grant_type: String,
}

/// A CIBA or device flow request: the user decides elsewhere, the client polls.
pub(super) struct Deferred {
    pub(super) client_id: i64,
    /// What the server reports the decision with: the CIBA ticket, or the user code.
    pub(super) handle: String,
    pub(super) scopes: Vec<String>,
    pub(super) status: Status,
    pub(super) expires: i64,
    /// The seconds the client must wait between polls: grows by 5 at each `slow_down`.
    pub(super) interval: i64,
    /// When the client last polled.
    pub(super) last_poll: Option<i64>,
    /// How the result reaches the client.
    pub(super) delivery: Delivery,
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
            pkce_s256_required,
            refresh_token_kept,
            dpop_nonce_required,
            signed_request_object_required,
            par_required,
            jwt_access_tokens,
            polling_interval,
            clock,
        } = service;
        let now = clock.now();
        for client in &mut clients {
            client.created_at = client.created_at.or(Some(now * 1000));
        }
        State {
            issuer: issuer.trim_end_matches('/').to_owned(),
            clients,
            pkce_required,
            pkce_s256_required,
            refresh_token_kept,
            dpop_nonce_required,
            signed_request_object_required,
            par_required,
            jwt_access_tokens,
            polling_interval,
            clock,
            key: SigningKey::generate(),
            pushed: HashMap::new(),
            tickets: HashMap::new(),
            codes: HashMap::new(),
            token_tickets: HashMap::new(),
            access_tokens: HashMap::new(),
            jwt_access_tokens_issued: HashMap::new(),
            refresh_tokens: HashMap::new(),
            id_tokens: HashMap::new(),
            backchannel_tickets: HashMap::new(),
            backchannel: HashMap::new(),
            devices: HashMap::new(),
            dpop_proofs: SeenProofs::default(),
            dpop_nonces: NonceSource::default(),
            management: Default::default(),
        }
    }

    /// The time now, seconds since the Unix epoch, by the service's clock.
    pub(super) fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Forgets what has expired.
    pub(super) fn prune(&mut self) {
        let now = self.now();
        self.pushed.retain(|_, p| p.expires > now);
        self.tickets.retain(|_, t| t.expires > now);
        self.codes.retain(|_, c| c.expires > now);
        self.token_tickets.retain(|_, t| t.expires > now);
        self.access_tokens.retain(|_, t| t.expires_at > now);
        let access = &self.access_tokens;
        self.jwt_access_tokens_issued
            .retain(|_, opaque| access.contains_key(opaque));
        self.refresh_tokens.retain(|_, t| t.expires_at > now);
        self.backchannel_tickets.retain(|_, t| t.expires > now);
        self.id_tokens.retain(|_, (_, forget)| *forget > now);
        // Expired CIBA and device requests stay a while, to be told apart from unknown
        // ones (`expired_token`).
        self.backchannel
            .retain(|_, d| d.expires + DEFERRED_LIFETIME > now);
        self.devices
            .retain(|_, d| d.expires + DEFERRED_LIFETIME > now);
    }

    /// Whether the client `number` registered the grant type `grant_type`.
    pub(super) fn allows(&self, number: i64, grant_type: GrantType) -> bool {
        self.client_by_number(number)
            .is_some_and(|c| c.grant_types.contains(&grant_type))
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

/// Seconds since the Unix epoch, by the system clock (for the management API's
/// timestamps, which no expiry depends on).
pub(super) fn now_secs() -> i64 {
    Clock::system().now()
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

    /// A JWS (compact serialization) of `claims`, signed with `ES256`, of the type `typ`
    /// (`JWT` for ID tokens, `at+jwt` for access tokens, RFC 9068).
    pub(super) fn sign(&self, claims: &Value, typ: &str) -> String {
        let header = json!({"alg": "ES256", "typ": typ, "kid": self.kid});
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
