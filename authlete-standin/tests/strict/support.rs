//! What the tests share: a stand-in with a manual clock, the clients it knows, and the
//! steps of the flows as an authorization server takes them through `authlete::Client`.

use authlete::types::{
    self, AuthorizationIssueRequest, AuthorizationRequest, AuthorizationResponseAction, ClientType,
    GrantType, TokenRequest, TokenResponse,
};
use authlete::{Client, Secret};
use authlete_standin::{Clock, Service, StandIn};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The confidential client of the tests: authorization code, refresh, CIBA, device flow,
/// password and token exchange.
pub const APP: &str = "3000";
pub const APP_SECRET: &str = "app-secret";
pub const REDIRECT_URI: &str = "https://app.example/cb";
/// A public client using DPoP.
pub const SPA: &str = "3001";
pub const SPA_REDIRECT_URI: &str = "https://spa.example/cb";
/// A confidential client for the client credentials grant.
pub const BATCH: &str = "3002";
pub const BATCH_SECRET: &str = "batch-secret";

/// The start of the tests' manual clock.
pub const START: i64 = 1_800_000_000;

/// A verifier of 43 characters and its `S256` challenge (RFC 7636 appendix B).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The tests' service: their clients, nothing required.
pub fn service(clock: &Clock) -> Service {
    let app = types::Client {
        client_id: Some(APP.parse().unwrap()),
        client_secret: Some(APP_SECRET.into()),
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
        ..Default::default()
    };
    let spa = types::Client {
        client_id: Some(SPA.parse().unwrap()),
        client_type: Some(ClientType::Public),
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        redirect_uris: vec![SPA_REDIRECT_URI.into()],
        ..Default::default()
    };
    let batch = types::Client {
        client_id: Some(BATCH.parse().unwrap()),
        client_secret: Some(BATCH_SECRET.into()),
        client_type: Some(ClientType::Confidential),
        grant_types: vec![GrantType::ClientCredentials],
        ..Default::default()
    };
    Service {
        issuer: "https://as.example".into(),
        clients: vec![app, spa, batch],
        polling_interval: 5,
        clock: clock.clone(),
        ..Service::default()
    }
}

/// A stand-in playing `service`, and a client for it.
pub async fn start(service: Service) -> (StandIn, Client) {
    let standin = StandIn::start(service).await.expect("the stand-in starts");
    let client = standin.client().expect("a client for the stand-in");
    (standin, client)
}

/// A stand-in playing the tests' service on a manual clock.
pub async fn start_default() -> (StandIn, Client, Clock) {
    let clock = Clock::manual(START);
    let (standin, client) = start(service(&clock)).await;
    (standin, client, clock)
}

/// The OAuth error of an answer's `responseContent`.
pub fn error_of(content: &str) -> String {
    let body: Value = serde_json::from_str(content).expect("an OAuth error body");
    body["error"].as_str().unwrap_or_default().to_owned()
}

/// The `error` of a redirect URI's query, or of a JSON body.
pub fn error_in_location(location: &str) -> String {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "error")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// The authorization request `parameters`, through to a code for the subject `john`.
pub async fn code_for(client: &Client, parameters: &str) -> String {
    let answer = client
        .authorization(&AuthorizationRequest {
            parameters: parameters.to_owned(),
            ..Default::default()
        })
        .await
        .expect("/auth/authorization");
    assert_eq!(
        answer.action,
        Some(AuthorizationResponseAction::Interaction),
        "{:?}",
        answer.response_content
    );
    let issued = client
        .authorization_issue(&AuthorizationIssueRequest {
            ticket: answer.ticket.expect("a ticket"),
            subject: "john".into(),
            ..Default::default()
        })
        .await
        .expect("/auth/authorization/issue");
    let location = issued.response_content.expect("a redirect");
    let query = location
        .expose_secret()
        .split_once('?')
        .unwrap()
        .1
        .to_owned();
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "code")
        .map(|(_, value)| value.into_owned())
        .expect("a code")
}

/// A code for the tests' confidential client, with PKCE and `openid`.
pub async fn app_code(client: &Client) -> String {
    let parameters = format!(
        "response_type=code&client_id={APP}&redirect_uri={REDIRECT_URI}&scope=openid+profile\
         &nonce=n-0S6_WzA2Mj&code_challenge={CHALLENGE}&code_challenge_method=S256"
    );
    code_for(client, &parameters).await
}

/// A token request of the confidential client with `parameters`.
pub fn app_token_request(parameters: &str) -> TokenRequest {
    TokenRequest {
        parameters: Secret::new(parameters.to_owned()),
        client_id: Some(APP.into()),
        client_secret: Some(APP_SECRET.into()),
        ..Default::default()
    }
}

/// `/auth/token` with `request`.
pub async fn token(client: &Client, request: &TokenRequest) -> TokenResponse {
    client.token(request).await.expect("/auth/token")
}

/// Tokens for `code` of the confidential client (with [`VERIFIER`]).
pub async fn app_tokens(client: &Client, code: &str) -> TokenResponse {
    let parameters = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_URI}\
         &code_verifier={VERIFIER}"
    );
    token(client, &app_token_request(&parameters)).await
}

/// The text of a secret of an answer.
pub fn text(secret: Option<&Secret>) -> String {
    secret
        .map(|s| s.expose_secret().to_owned())
        .unwrap_or_default()
}

/// The claims of a JWT (unverified).
pub fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Whether `jwt` verifies with a key of the JWK Set `jwks`.
pub fn verifies_with(jwt: &str, jwks: &Value) -> bool {
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let Some(keys) = jwks["keys"].as_array() else {
        return false;
    };
    let Some(key) = keys.iter().find(|k| k["kid"] == header["kid"]) else {
        return false;
    };
    let key =
        DecodingKey::from_ec_components(key["x"].as_str().unwrap(), key["y"].as_str().unwrap())
            .unwrap();
    let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
    let verifier = (provider.verifier_factory)(&Algorithm::ES256, &key).unwrap();
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    verifier.verify(signed.as_bytes(), &signature).is_ok()
}

/// A client's DPoP key (P-256), which makes proofs.
pub struct DpopKey {
    key: EncodingKey,
    jwk: Value,
}

impl DpopKey {
    /// A new key.
    pub fn generate() -> Self {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        use p256::pkcs8::EncodePrivateKey as _;
        let secret = loop {
            let mut bytes = [0u8; 32];
            getrandom::getrandom(&mut bytes).unwrap();
            if let Ok(secret) = p256::SecretKey::from_slice(&bytes) {
                break secret;
            }
        };
        let point = secret.public_key().to_encoded_point(false);
        let (x, y) = point.as_bytes()[1..].split_at(32);
        let der = secret.to_pkcs8_der().unwrap();
        DpopKey {
            key: EncodingKey::from_ec_der(der.as_bytes()),
            jwk: json!({
                "kty": "EC",
                "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
            }),
        }
    }

    /// Its JWK thumbprint (RFC 7638), the `jkt` of the tokens bound to it.
    pub fn thumbprint(&self) -> String {
        let canonical = json!({
            "crv": "P-256", "kty": "EC", "x": self.jwk["x"], "y": self.jwk["y"]
        });
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.to_string()))
    }

    /// Its public JWK, named `kid`, for a client's registered JWK Set.
    pub fn public_jwk(&self, kid: &str) -> Value {
        let mut jwk = self.jwk.clone();
        jwk["kid"] = json!(kid);
        jwk
    }

    /// A proof with these claims (`htm`, `htu`, `iat`, ... as the test wants them).
    pub fn proof_with(&self, claims: &Value) -> String {
        let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk});
        self.sign(&header, claims)
    }

    /// A JWS (`ES256`, compact serialization) of `claims` with `header`.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let provider = &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
        let signer = (provider.signer_factory)(&Algorithm::ES256, &self.key).unwrap();
        let signature = signer.try_sign(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// A fresh proof for `htm` `htu` at `now`, with the access token's hash when
    /// `access_token` is given, and `nonce` when given.
    pub fn proof(
        &self,
        htm: &str,
        htu: &str,
        now: i64,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> String {
        let mut claims = json!({
            "htm": htm,
            "htu": htu,
            "iat": now,
            "jti": URL_SAFE_NO_PAD.encode(rand_bytes()),
        });
        if let Some(token) = access_token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token)));
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        self.proof_with(&claims)
    }
}

fn rand_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).unwrap();
    bytes
}
