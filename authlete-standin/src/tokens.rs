//! Tokens: issued for a grant (access, refresh and ID tokens, JWT access tokens when the
//! service issues them), bound to a DPoP key or a client certificate, looked up and
//! checked when a resource server presents them.

use authlete::Secret;
use authlete::types::{TokenResponse, TokenResponseAction};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::dpop::{self, Failure};
use super::state::{
    ACCESS_TOKEN_LIFETIME, Binding, Grant, REFRESH_TOKEN_LIFETIME, State, TokenRecord, random_token,
};

/// What happens to the refresh token at a token request.
pub(super) enum Refresh {
    /// No refresh token (the client did not register the grant type, or the grant does
    /// not come with one).
    None,
    /// A new refresh token.
    New,
    /// The refresh token the client sent, kept (the service's `refreshTokenKept`).
    Keep(String),
}

/// Tokens just issued.
pub(super) struct Issued {
    /// The access token the stand-in keeps the record under.
    pub(super) access_token: String,
    /// Its JWT form, the one the client receives, when the service issues JWTs.
    pub(super) jwt_access_token: Option<String>,
    pub(super) refresh_token: Option<String>,
    pub(super) refresh_expires_at: Option<i64>,
    pub(super) id_token: Option<String>,
    pub(super) expires_at: i64,
    /// The token response's JSON for the client.
    pub(super) content: String,
}

/// Why a resource server's request with an access token is refused: the
/// `WWW-Authenticate` challenge, and the DPoP nonce to retry with when that is why.
pub(super) struct Refusal {
    pub(super) challenge: String,
    pub(super) dpop_nonce: Option<String>,
}

impl State {
    /// Access token (with a refresh token as `refresh` says, and an ID token for an
    /// end-user who granted `openid`) for `grant`, bound as `binding` says.
    pub(super) fn issue(
        &mut self,
        grant: &Grant,
        grant_type: &str,
        binding: &Binding,
        refresh: Refresh,
        code: Option<&str>,
    ) -> Issued {
        /// The token response, with its members in Authlete's order.
        #[derive(Serialize)]
        struct Body<'a> {
            access_token: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            refresh_token: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            scope: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            id_token: Option<&'a str>,
            token_type: &'static str,
            expires_in: i64,
        }
        let now = self.now();
        let access_token = random_token();
        let openid = grant.scopes.iter().any(|s| s == "openid");
        let id_token = (openid && grant.subject.is_some()).then(|| self.id_token(grant, now));
        let (refresh_token, refresh_expires_at) = match refresh {
            Refresh::None => (None, None),
            Refresh::Keep(token) => {
                let expires = self.refresh_tokens.get(&token).map(|r| r.expires_at);
                (Some(token), expires)
            }
            Refresh::New => {
                let token = random_token();
                // A refreshed ID token has no nonce: it answers no authentication request
                // (OpenID Connect Core section 12.2).
                let mut kept = grant.clone();
                kept.nonce = None;
                let record = TokenRecord {
                    client_id: grant.client_id,
                    subject: grant.subject.clone(),
                    scopes: grant.scopes.clone(),
                    issued_at: now,
                    expires_at: now + REFRESH_TOKEN_LIFETIME,
                    refresh_token: None,
                    grant: Some(kept),
                    // A refresh token is bound to the DPoP key (RFC 9449 section 5).
                    binding: Binding {
                        jkt: binding.jkt.clone(),
                        x5t: None,
                    },
                    code: code.map(str::to_owned),
                    grant_type: grant_type.to_owned(),
                };
                self.refresh_tokens.insert(token.clone(), record);
                (Some(token), Some(now + REFRESH_TOKEN_LIFETIME))
            }
        };
        let expires_at = now + ACCESS_TOKEN_LIFETIME;
        let jwt_access_token = self
            .jwt_access_tokens
            .then(|| self.jwt_access_token(grant, binding, now));
        if let Some(jwt) = &jwt_access_token {
            (self.jwt_access_tokens_issued).insert(jwt.clone(), access_token.clone());
        }
        self.access_tokens.insert(
            access_token.clone(),
            TokenRecord {
                client_id: grant.client_id,
                subject: grant.subject.clone(),
                scopes: grant.scopes.clone(),
                issued_at: now,
                expires_at,
                refresh_token: refresh_token.clone(),
                grant: None,
                binding: binding.clone(),
                code: code.map(str::to_owned),
                grant_type: grant_type.to_owned(),
            },
        );
        let body = Body {
            access_token: jwt_access_token.as_deref().unwrap_or(&access_token),
            refresh_token: refresh_token.as_deref(),
            scope: (!grant.scopes.is_empty()).then(|| grant.scopes.join(" ")),
            id_token: id_token.as_deref(),
            token_type: if binding.jkt.is_some() {
                "DPoP"
            } else {
                "Bearer"
            },
            expires_in: ACCESS_TOKEN_LIFETIME,
        };
        Issued {
            content: serde_json::to_string(&body).expect("the token response serializes"),
            access_token,
            jwt_access_token,
            refresh_token,
            refresh_expires_at,
            id_token,
            expires_at,
        }
    }

    /// Authlete's `OK` token response for `issued`.
    pub(super) fn token_response(
        &self,
        grant: &Grant,
        grant_type: &str,
        issued: Issued,
    ) -> TokenResponse {
        let client = self.client_limited(grant.client_id);
        let now = self.now();
        TokenResponse {
            action: Some(TokenResponseAction::Ok),
            response_content: Some(Secret::new(issued.content)),
            access_token: Some(Secret::new(issued.access_token)),
            access_token_duration: Some(ACCESS_TOKEN_LIFETIME),
            access_token_expires_at: Some(issued.expires_at * 1000),
            jwt_access_token: issued.jwt_access_token.map(Secret::new),
            refresh_token: issued.refresh_token.map(Secret::new),
            refresh_token_duration: issued.refresh_expires_at.map(|e| e - now),
            refresh_token_expires_at: issued.refresh_expires_at.map(|e| e * 1000),
            id_token: issued.id_token.map(Secret::new),
            subject: grant.subject.clone(),
            scopes: grant.scopes.clone(),
            client_id: client.client_id,
            client_id_alias: client.client_id_alias,
            grant_type: Some(grant_type.to_owned()),
            dpop_nonce: self.current_dpop_nonce(),
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
        let token = self.key.sign(&Value::Object(claims), "JWT");
        let subject = grant.subject.clone().unwrap_or_default();
        let forget = now + REFRESH_TOKEN_LIFETIME;
        self.id_tokens.insert(token.clone(), (subject, forget));
        token
    }

    /// A JWT access token (RFC 9068) for `grant`, signed with the service's key.
    fn jwt_access_token(&self, grant: &Grant, binding: &Binding, now: i64) -> String {
        let client_id = self.public_id(grant.client_id);
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.issuer));
        claims.insert(
            "sub".into(),
            json!(grant.subject.clone().unwrap_or_else(|| client_id.clone())),
        );
        claims.insert("client_id".into(), json!(client_id));
        claims.insert("scope".into(), json!(grant.scopes.join(" ")));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + ACCESS_TOKEN_LIFETIME));
        claims.insert("jti".into(), json!(random_token()));
        if let Some(cnf) = confirmation(binding) {
            claims.insert("cnf".into(), cnf);
        }
        self.key.sign(&Value::Object(claims), "at+jwt")
    }

    /// The key an access token is kept under: itself, or the token its JWT form stands
    /// for.
    pub(super) fn access_key<'a>(&'a self, token: &'a str) -> &'a str {
        (self.jwt_access_tokens_issued.get(token)).map_or(token, String::as_str)
    }

    /// A valid access token, in either form.
    pub(super) fn access_token(&self, token: &str) -> Option<&TokenRecord> {
        let now = self.now();
        (self.access_tokens.get(self.access_key(token))).filter(|t| t.expires_at > now)
    }

    /// Revokes every token issued for the authorization code `code`: it was used twice.
    pub(super) fn revoke_code_family(&mut self, code: &str) {
        let family = |t: &TokenRecord| t.code.as_deref() != Some(code);
        self.access_tokens.retain(|_, t| family(t));
        self.refresh_tokens.retain(|_, t| family(t));
    }

    /// The nonce to tell clients, when the service requires one in DPoP proofs.
    pub(super) fn current_dpop_nonce(&self) -> Option<String> {
        let now = self.now();
        (self.dpop_nonce_required).then(|| self.dpop_nonces.current(now))
    }

    /// The thumbprint of the key of `proof`, a DPoP proof for `htm` `htu` (and the access
    /// token `access_token`), or why it is refused. `nonce_required` asks for a nonce even
    /// when the service does not.
    pub(super) fn verify_dpop(
        &mut self,
        proof: &str,
        htm: &str,
        htu: &str,
        access_token: Option<&str>,
        nonce_required: bool,
    ) -> Result<String, Failure> {
        let now = self.now();
        let nonces =
            (nonce_required || self.dpop_nonce_required).then(|| self.dpop_nonces.accepted(now));
        let expected = dpop::Expected {
            htm,
            htu,
            access_token,
            now,
            nonces: nonces.as_deref(),
        };
        dpop::verify(&mut self.dpop_proofs, proof, &expected)
    }

    /// Whether a request to a protected resource may use the access token `token`, with
    /// the DPoP proof it came with (`dpop`) for its method `htm` and URL `htu`, and the
    /// client certificate of its TLS connection: a token bound to a key needs a valid
    /// proof of that key; a token bound to a certificate needs that certificate; a Bearer
    /// token needs neither.
    pub(super) fn check_binding(
        &mut self,
        token: &str,
        dpop: Option<&str>,
        (htm, htu): (Option<&str>, Option<&str>),
        certificate: Option<&str>,
        nonce_required: bool,
    ) -> Result<(), Refusal> {
        let Some(binding) = self.access_token(token).map(|t| t.binding.clone()) else {
            return Ok(());
        };
        if let Some(x5t) = &binding.x5t
            && certificate.and_then(certificate_thumbprint).as_ref() != Some(x5t)
        {
            return Err(self.refusal(
                "Bearer",
                "invalid_token",
                "The access token is bound to another client certificate.",
            ));
        }
        let Some(jkt) = binding.jkt else {
            return Ok(());
        };
        let Some(proof) = dpop else {
            return Err(self.refusal(
                "DPoP",
                "invalid_token",
                "The access token is bound to a key: a DPoP proof is required.",
            ));
        };
        let (Some(htm), Some(htu)) = (htm, htu) else {
            return Err(self.refusal(
                "DPoP",
                "invalid_dpop_proof",
                "The request's htm and htu are needed to check the DPoP proof.",
            ));
        };
        match self.verify_dpop(proof, htm, htu, Some(token), nonce_required) {
            Ok(thumbprint) if thumbprint == jkt => Ok(()),
            Ok(_) => Err(self.refusal(
                "DPoP",
                "invalid_dpop_proof",
                "The DPoP proof is signed with another key than the token is bound to.",
            )),
            Err(Failure::UseNonce) => Err(Refusal {
                challenge: dpop::challenge("use_dpop_nonce", "A DPoP nonce is required."),
                dpop_nonce: Some(self.dpop_nonces.current(self.now())),
            }),
            Err(Failure::Invalid(description)) => {
                Err(self.refusal("DPoP", "invalid_dpop_proof", &description))
            }
        }
    }

    fn refusal(&self, scheme: &str, error: &str, description: &str) -> Refusal {
        let challenge = match scheme {
            "DPoP" => dpop::challenge(error, description),
            _ => format!(r#"Bearer error="{error}",error_description="{description}""#),
        };
        Refusal {
            challenge,
            dpop_nonce: self.current_dpop_nonce(),
        }
    }
}

/// The `cnf` claim of a bound token (RFC 9449 section 6, RFC 8705 section 3.1).
pub(super) fn confirmation(binding: &Binding) -> Option<Value> {
    let mut cnf = Map::new();
    if let Some(jkt) = &binding.jkt {
        cnf.insert("jkt".into(), json!(jkt));
    }
    if let Some(x5t) = &binding.x5t {
        cnf.insert("x5t#S256".into(), json!(x5t));
    }
    (!cnf.is_empty()).then_some(Value::Object(cnf))
}

/// The SHA-256 thumbprint (RFC 8705 section 3.1) of a PEM certificate, or `None` when it
/// is not one.
pub(super) fn certificate_thumbprint(pem: &str) -> Option<String> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(body).ok().filter(|der| !der.is_empty())?;
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(der)))
}
