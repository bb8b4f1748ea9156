//! The UserInfo endpoint (OpenID Connect Core 1.0 section 5.3).
//!
//! [`UserInfoEndpoint`] asks Authlete's `/auth/userinfo` whether the access token is valid
//! and which claims the client may receive, asks the application's [`ClaimsProvider`] for
//! their values, and has Authlete's `/auth/userinfo/issue` build the answer (JSON, or a
//! signed and possibly encrypted JWT, as the client registered).
//!
//! ```no_run
//! use authlete::flows::userinfo::{ClaimsProvider, UserInfoEndpoint};
//! use authlete::flows::FlowSettings;
//! use authlete::types::UserinfoResponse;
//! use serde_json::{Map, Value};
//!
//! struct Directory;
//!
//! impl ClaimsProvider for Directory {
//!     async fn claims(
//!         &self,
//!         subject: &str,
//!         claim_names: &[String],
//!         _info: &UserinfoResponse,
//!     ) -> Map<String, Value> {
//!         let mut claims = Map::new();
//!         for name in claim_names {
//!             match name.as_str() {
//!                 "name" => { claims.insert(name.clone(), Value::from(format!("User {subject}"))); }
//!                 "email" => { claims.insert(name.clone(), Value::from("user@example.com")); }
//!                 _ => {}
//!             }
//!         }
//!         claims
//!     }
//! }
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) {
//! let endpoint = UserInfoEndpoint::new(client, FlowSettings::default(), Directory);
//! let response = endpoint.handle(&request).await;
//! # let _ = response;
//! # }
//! ```

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::{Map, Value};

use super::request::{self, BadRequest};
use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::types::{
    Pair, UserinfoIssueRequest, UserinfoIssueResponse, UserinfoIssueResponseAction as IssueAction,
    UserinfoRequest, UserinfoResponse, UserinfoResponseAction as Action,
};
use crate::{Client, Secret};

/// Claim values, keyed by claim name.
pub type Claims = Map<String, Value>;

/// Where the values of the user's claims come from: the application's user store.
///
/// Claim names may carry a language tag (`family_name#ja`), which Authlete adds from the
/// request's `claims_locales` and `claims` parameters; answer with the key exactly as
/// asked, or leave a claim out when there is no value for it. Claims that are not asked
/// for are dropped by Authlete, and `sub` is always set by Authlete.
pub trait ClaimsProvider: Send + Sync {
    /// The values of `claim_names` for the user `subject`. `info` is Authlete's whole
    /// answer (scopes, client, consented claims, properties of the access token, ...).
    fn claims(
        &self,
        subject: &str,
        claim_names: &[String],
        info: &UserinfoResponse,
    ) -> impl Future<Output = Claims> + Send;

    /// The values of the claims Authlete needs to compute transformed claims
    /// (`requestedClaimsForTx`; OpenID Connect Advanced Syntax for Claims). By default,
    /// [`claims`](Self::claims) answers.
    fn claims_for_transformation(
        &self,
        subject: &str,
        claim_names: &[String],
        info: &UserinfoResponse,
    ) -> impl Future<Output = Claims> + Send {
        self.claims(subject, claim_names, info)
    }

    /// The `verified_claims` (OpenID Connect for Identity Assurance 1.0) matching
    /// `request`, the `verified_claims` the client asked for in the `userinfo` part of its
    /// `claims` parameter; `None` to include none (the default).
    fn verified_claims(
        &self,
        subject: &str,
        request: &Value,
        info: &UserinfoResponse,
    ) -> impl Future<Output = Option<Value>> + Send {
        let _ = (subject, request, info);
        async { None }
    }

    /// For each element of `requestedVerifiedClaimsForTx` (the claim names one requested
    /// `verified_claims` element needs to compute transformed claims), their values: one
    /// map per element, in order. None by default.
    fn verified_claims_for_transformation(
        &self,
        subject: &str,
        claim_names: &[Vec<String>],
        info: &UserinfoResponse,
    ) -> impl Future<Output = Vec<Claims>> + Send {
        let _ = (subject, claim_names, info);
        async { Vec::new() }
    }
}

/// A provider without any claim values: the UserInfo response holds only `sub`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoClaims;

impl ClaimsProvider for NoClaims {
    async fn claims(&self, _: &str, _: &[String], _: &UserinfoResponse) -> Claims {
        Claims::new()
    }
}

impl<T: ClaimsProvider> ClaimsProvider for Arc<T> {
    fn claims(
        &self,
        subject: &str,
        claim_names: &[String],
        info: &UserinfoResponse,
    ) -> impl Future<Output = Claims> + Send {
        T::claims(self, subject, claim_names, info)
    }

    fn claims_for_transformation(
        &self,
        subject: &str,
        claim_names: &[String],
        info: &UserinfoResponse,
    ) -> impl Future<Output = Claims> + Send {
        T::claims_for_transformation(self, subject, claim_names, info)
    }

    fn verified_claims(
        &self,
        subject: &str,
        request: &Value,
        info: &UserinfoResponse,
    ) -> impl Future<Output = Option<Value>> + Send {
        T::verified_claims(self, subject, request, info)
    }

    fn verified_claims_for_transformation(
        &self,
        subject: &str,
        claim_names: &[Vec<String>],
        info: &UserinfoResponse,
    ) -> impl Future<Output = Vec<Claims>> + Send {
        T::verified_claims_for_transformation(self, subject, claim_names, info)
    }
}

/// Handles `GET` and `POST` on the UserInfo endpoint through Authlete's `/auth/userinfo`
/// and `/auth/userinfo/issue`.
///
/// The access token comes in `Authorization: Bearer` or `Authorization: DPoP` (with the
/// `DPoP` proof, checked against the method and the public URL: the one the
/// [`Proxy`](super::Proxy) configuration gives, else the service's userinfo endpoint), or
/// as the `access_token` parameter of a form `POST` (RFC 6750 section 2.2); the client
/// certificate is passed on for certificate-bound tokens, and the covered headers of an
/// RFC 9421 message signature (`Signature-Input`) for FAPI 2.0 message signing (with the
/// target URI when the public URL is configured).
///
/// `/auth/userinfo`:
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | the claims from the [`ClaimsProvider`], then `/auth/userinfo/issue` (below) |
/// | `BAD_REQUEST` | `400`, `WWW-Authenticate` from Authlete (`responseContent`) |
/// | `UNAUTHORIZED` | `401`, `WWW-Authenticate` from Authlete |
/// | `FORBIDDEN` | `403`, `WWW-Authenticate` from Authlete |
/// | `INTERNAL_SERVER_ERROR` | `500`, `WWW-Authenticate` from Authlete |
/// | anything else | `500` with a generic body |
///
/// `/auth/userinfo/issue`:
///
/// | Authlete action | response |
/// |---|---|
/// | `JSON` | `200`, `application/json` with the claims |
/// | `JWT` | `200`, `application/jwt` with the signed (or encrypted) claims |
/// | `BAD_REQUEST` | `400`, `WWW-Authenticate` from Authlete |
/// | `UNAUTHORIZED` | `401`, `WWW-Authenticate` from Authlete |
/// | `FORBIDDEN` | `403`, `WWW-Authenticate` from Authlete |
/// | `INTERNAL_SERVER_ERROR` | `500`, `WWW-Authenticate` from Authlete |
/// | anything else | `500` with a generic body |
///
/// The error answers have an empty body, as OpenID Connect Core 1.0 section 5.3.3 and RFC
/// 6750 section 3 describe. Every answer carries the `DPoP-Nonce` Authlete gives, and the
/// success answers the `Signature`, `Signature-Input` and `Content-Digest` headers when
/// Authlete signed the response. Before Authlete is asked: a request without an access
/// token is answered `401` with `WWW-Authenticate: Bearer`; one with two tokens (header and
/// form, or a repeated parameter) or a malformed header or form `400` with
/// `WWW-Authenticate: Bearer error="invalid_request"`; other methods `405`; a `POST` body
/// that is not a form `415`; a body over the limit `413`.
#[derive(Debug, Clone)]
pub struct UserInfoEndpoint<P = NoClaims> {
    client: Client,
    settings: FlowSettings,
    claims: P,
    dpop_nonce_required: bool,
}

impl<P: ClaimsProvider> UserInfoEndpoint<P> {
    /// A handler calling Authlete with `client` and asking `claims` for claim values.
    pub fn new(client: Client, settings: FlowSettings, claims: P) -> Self {
        Self {
            client,
            settings,
            claims,
            dpop_nonce_required: false,
        }
    }

    /// The same handler requiring a server-provided `nonce` in DPoP proofs even when the
    /// service does not (`dpopNonceRequired`).
    #[must_use]
    pub fn with_dpop_nonce_required(mut self, required: bool) -> Self {
        self.dpop_nonce_required = required;
        self
    }

    /// Handles one UserInfo request.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        match self.try_handle(request).await {
            Ok(response) | Err(response) => response,
        }
    }

    async fn try_handle(&self, request: &Request<Bytes>) -> Result<Response, Response> {
        let token = presented_token(request, &self.settings).map_err(NoToken::into_response)?;
        let dpop = request::dpop_proof(request.headers()).map_err(refuse)?;
        let certificate = request::client_certificate(request, &self.settings).map(|(c, _)| c);
        let htu = request::public_url(request, &self.settings);
        let target_uri = htu.as_ref().map(|url| match request.uri().query() {
            Some(query) => format!("{url}?{query}"),
            None => url.clone(),
        });
        let signature_headers = signature_headers(request.headers());
        let has_body = !request.body().is_empty();
        let message = (has_body && !signature_headers.is_empty())
            .then(|| String::from_utf8_lossy(request.body()).into_owned());
        let body = UserinfoRequest {
            token: token.clone(),
            client_certificate: certificate,
            dpop,
            dpop_nonce_required: self.dpop_nonce_required.then_some(true),
            headers: signature_headers.clone(),
            htm: Some(request.method().as_str().to_owned()),
            htu,
            message,
            request_body_contained: has_body.then_some(true),
            target_uri,
            uri: None,
        };
        let info = self
            .client
            .userinfo(&body)
            .await
            .map_err(|e| response::authlete_failure(&e))?;
        let nonce = info.dpop_nonce.clone();
        let response = match info.action {
            Some(Action::Ok) => {
                let signature = request::single_header(
                    request.headers(),
                    header::HeaderName::from_static("signature"),
                    "Signature",
                )
                .ok()
                .flatten()
                .map(str::to_owned);
                self.issue(token, &info, signature_headers, signature).await
            }
            Some(Action::BadRequest) => {
                challenge(StatusCode::BAD_REQUEST, info.response_content.as_deref())
            }
            Some(Action::Unauthorized) => {
                challenge(StatusCode::UNAUTHORIZED, info.response_content.as_deref())
            }
            Some(Action::Forbidden) => {
                challenge(StatusCode::FORBIDDEN, info.response_content.as_deref())
            }
            Some(Action::InternalServerError) => {
                log_internal_error(
                    "auth_userinfo_api",
                    info.result_code.as_deref(),
                    info.result_message.as_deref(),
                );
                challenge(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    info.response_content.as_deref(),
                )
            }
            Some(other) => response::unknown_action("auth_userinfo_api", other.as_str()),
            None => response::unknown_action("auth_userinfo_api", "(none)"),
        };
        Ok(response.with_dpop_nonce(nonce.as_deref()))
    }

    /// Collects the claims and has Authlete build the UserInfo response.
    async fn issue(
        &self,
        token: Secret,
        info: &UserinfoResponse,
        headers: Vec<Pair>,
        request_signature: Option<String>,
    ) -> Response {
        let subject = info.subject.as_deref().unwrap_or_default();
        let mut claims = if info.claims.is_empty() {
            Claims::new()
        } else {
            self.claims.claims(subject, &info.claims, info).await
        };
        if let Some(requested) = requested_verified_claims(info)
            && let Some(verified) = self.claims.verified_claims(subject, &requested, info).await
        {
            claims.insert("verified_claims".to_owned(), verified);
        }
        let claims_for_tx = if info.requested_claims_for_tx.is_empty() {
            Claims::new()
        } else {
            self.claims
                .claims_for_transformation(subject, &info.requested_claims_for_tx, info)
                .await
        };
        let verified_claims_for_tx = if info.requested_verified_claims_for_tx.is_empty() {
            Vec::new()
        } else {
            // Authlete wraps each element as `{"array": [...]}`; the callback gets the lists.
            let claim_names: Vec<Vec<String>> = info
                .requested_verified_claims_for_tx
                .iter()
                .map(|element| element.array.clone())
                .collect();
            self.claims
                .verified_claims_for_transformation(subject, &claim_names, info)
                .await
                .into_iter()
                .map(|claims| Value::Object(claims).to_string())
                .collect()
        };
        let body = UserinfoIssueRequest {
            token,
            claims: (!claims.is_empty()).then(|| Value::Object(claims).to_string()),
            claims_for_tx: (!claims_for_tx.is_empty())
                .then(|| Value::Object(claims_for_tx).to_string()),
            headers,
            request_signature,
            sub: None,
            verified_claims_for_tx,
        };
        match self.client.userinfo_issue(&body).await {
            Ok(answer) => issued(answer),
            Err(e) => response::authlete_failure(&e),
        }
    }
}

/// The answer of `/auth/userinfo/issue` as the HTTP response.
fn issued(answer: UserinfoIssueResponse) -> Response {
    let content = answer.response_content.as_deref();
    let response = match answer.action {
        Some(IssueAction::Json) => {
            response::json(StatusCode::OK, content.unwrap_or_default().to_owned())
        }
        Some(IssueAction::Jwt) => response::content(
            StatusCode::OK,
            response::JWT,
            content.unwrap_or_default().to_owned(),
        ),
        Some(IssueAction::BadRequest) => challenge(StatusCode::BAD_REQUEST, content),
        Some(IssueAction::Unauthorized) => challenge(StatusCode::UNAUTHORIZED, content),
        Some(IssueAction::Forbidden) => challenge(StatusCode::FORBIDDEN, content),
        Some(IssueAction::InternalServerError) => {
            log_internal_error(
                "auth_userinfo_issue_api",
                answer.result_code.as_deref(),
                answer.result_message.as_deref(),
            );
            challenge(StatusCode::INTERNAL_SERVER_ERROR, content)
        }
        Some(other) => return response::unknown_action("auth_userinfo_issue_api", other.as_str()),
        None => return response::unknown_action("auth_userinfo_issue_api", "(none)"),
    };
    response
        .with_header(
            header::HeaderName::from_static("signature"),
            answer.signature.as_deref(),
        )
        .with_header(
            header::HeaderName::from_static("signature-input"),
            answer.signature_input.as_deref(),
        )
        .with_header(
            header::HeaderName::from_static("content-digest"),
            answer.content_digest.as_deref(),
        )
}

/// `status` with an empty body and Authlete's challenge; when Authlete gave none that
/// can be sent, a challenge with the error code the status implies.
fn challenge(status: StatusCode, challenge: Option<&str>) -> Response {
    let usable = challenge.filter(|c| !c.is_empty() && http::HeaderValue::from_str(c).is_ok());
    let fallback = match status {
        StatusCode::BAD_REQUEST => "Bearer error=\"invalid_request\"",
        StatusCode::UNAUTHORIZED => "Bearer error=\"invalid_token\"",
        StatusCode::FORBIDDEN => "Bearer error=\"insufficient_scope\"",
        _ => "Bearer error=\"server_error\"",
    };
    response::empty(status).with_www_authenticate(Some(usable.unwrap_or(fallback)))
}

fn log_internal_error(operation: &'static str, code: Option<&str>, message: Option<&str>) {
    tracing::error!(
        operation,
        result_code = code,
        result_message = message,
        "Authlete answered INTERNAL_SERVER_ERROR"
    );
}

/// A refusal before Authlete is asked; a `400` carries a Bearer challenge (RFC 6750
/// section 3.1, `invalid_request`).
fn refuse(bad: BadRequest) -> Response {
    let response = bad.into_response();
    if response.status() == StatusCode::BAD_REQUEST {
        response.with_www_authenticate(Some("Bearer error=\"invalid_request\""))
    } else {
        response
    }
}

/// Why no access token could be read.
enum NoToken {
    /// The request is malformed.
    Refused(BadRequest),
    /// The request has no access token.
    Missing,
}

impl NoToken {
    fn into_response(self) -> Response {
        match self {
            NoToken::Refused(bad) => refuse(bad),
            // RFC 6750 section 3.1: no error code when the request carries no credentials.
            NoToken::Missing => {
                response::empty(StatusCode::UNAUTHORIZED).with_www_authenticate(Some("Bearer"))
            }
        }
    }
}

/// The access token, from the `Authorization` header or the `access_token` form parameter
/// of a `POST` (exactly one of them, RFC 6750 section 2).
fn presented_token(request: &Request<Bytes>, settings: &FlowSettings) -> Result<Secret, NoToken> {
    let method = request.method();
    if method != Method::GET && method != Method::POST {
        return Err(NoToken::Refused(BadRequest::MethodNotAllowed {
            allowed: "GET, POST",
        }));
    }
    if request.body().len() > settings.max_body_bytes {
        return Err(NoToken::Refused(BadRequest::PayloadTooLarge));
    }
    let from_header = request::access_token(request.headers())
        .map_err(NoToken::Refused)?
        .map(|(_, token)| token);
    let from_form = if method == Method::POST && !request.body().is_empty() {
        let form = request::form_parameters(request, settings).map_err(NoToken::Refused)?;
        // `form_parameters` has refused a repeated `access_token`.
        let token = form_urlencoded::parse(form.as_bytes())
            .find(|(name, _)| name == "access_token")
            .map(|(_, value)| value.into_owned());
        match token {
            Some(token) if token.is_empty() => {
                return Err(NoToken::Refused(BadRequest::Malformed(
                    "the access_token parameter is empty",
                )));
            }
            other => other.map(Secret::new),
        }
    } else {
        None
    };
    match (from_header, from_form) {
        (Some(token), None) | (None, Some(token)) => Ok(token),
        (Some(_), Some(_)) => Err(NoToken::Refused(BadRequest::Malformed(
            "the access token is presented in more than one way",
        ))),
        (None, None) => Err(NoToken::Missing),
    }
}

/// The most headers of an RFC 9421 signature passed on to Authlete.
const MAX_SIGNATURE_HEADERS: usize = 32;

/// For a request signed with HTTP Message Signatures (RFC 9421): `Signature`,
/// `Signature-Input` and the headers the signatures cover, as Authlete needs them to check
/// the signature and to sign the response. Other headers (cookies, ...) are not passed on.
/// Empty for an unsigned request.
fn signature_headers(headers: &HeaderMap) -> Vec<Pair> {
    let Some(input) = headers.get("signature-input").and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    let mut names = vec!["signature-input".to_owned(), "signature".to_owned()];
    // The covered components are the quoted items of the inner lists:
    // sig=("@method" "authorization" "content-digest";sf);created=...;keyid="k"
    let mut depth = 0usize;
    let mut rest = input;
    while let Some(position) = rest.find(['(', ')', '"']) {
        let found = rest.as_bytes()[position];
        rest = &rest[position + 1..];
        match found {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ => {
                let Some(end) = rest.find('"') else { break };
                let item = &rest[..end];
                rest = &rest[end + 1..];
                if depth > 0 && !item.starts_with('@') {
                    let name = item.to_ascii_lowercase();
                    if !names.contains(&name) && names.len() < MAX_SIGNATURE_HEADERS {
                        names.push(name);
                    }
                }
            }
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let values: Vec<&str> = headers
                .get_all(name.as_str())
                .iter()
                .map(|v| v.to_str().ok())
                .collect::<Option<_>>()?;
            (!values.is_empty()).then(|| Pair {
                key: Some(name),
                value: Some(values.join(", ")),
                ..Default::default()
            })
        })
        .collect()
}

/// The `verified_claims` the client asked for in the `userinfo` part of its `claims`
/// request parameter, if any.
fn requested_verified_claims(info: &UserinfoResponse) -> Option<Value> {
    let claims = info.user_info_claims.as_deref()?;
    let mut parsed: Value = serde_json::from_str(claims).ok()?;
    match parsed.get_mut("verified_claims")?.take() {
        Value::Null => None,
        requested => Some(requested),
    }
}

impl<P: ClaimsProvider + 'static> crate::flows::Endpoint for UserInfoEndpoint<P> {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        UserInfoEndpoint::handle(self, request).await
    }

    fn max_body_bytes(&self) -> usize {
        self.settings.max_body_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_covered_headers_are_passed_on() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "signature-input",
            r#"sig=("@method" "@target-uri" "Authorization" "content-digest";sf);created=1;keyid="cookie""#
                .parse()
                .unwrap(),
        );
        headers.insert("signature", "sig=:AAAA:".parse().unwrap());
        headers.insert("authorization", "Bearer t".parse().unwrap());
        headers.insert("cookie", "session=secret".parse().unwrap());
        let pairs = signature_headers(&headers);
        let keys: Vec<_> = pairs.iter().map(|p| p.key.as_deref().unwrap()).collect();
        assert_eq!(keys, ["signature-input", "signature", "authorization"]);
        assert!(signature_headers(&HeaderMap::new()).is_empty());
        headers.insert("signature-input", r#"sig=("unterminated"#.parse().unwrap());
        assert_eq!(signature_headers(&headers).len(), 2);
    }

    #[test]
    fn verified_claims_requests_are_found() {
        let info = UserinfoResponse {
            user_info_claims: Some(
                r#"{"given_name":null,"verified_claims":{"claims":{"family_name":null}}}"#.into(),
            ),
            ..Default::default()
        };
        assert_eq!(
            requested_verified_claims(&info).unwrap()["claims"],
            serde_json::json!({"family_name": null})
        );
        let none = UserinfoResponse {
            user_info_claims: Some(r#"{"verified_claims":null}"#.into()),
            ..Default::default()
        };
        assert!(requested_verified_claims(&none).is_none());
    }
}
