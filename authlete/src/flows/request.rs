//! Reading what the flows need from an incoming request, refusing malformed or hostile
//! requests with the right `4xx` before Authlete is asked.
//!
//! # Parameters
//!
//! [`form_parameters`] and [`query_or_form_parameters`] accept well-formed
//! `application/x-www-form-urlencoded` text within [`FlowSettings::max_body_bytes`], and
//! refuse a parameter that appears twice (RFC 6749 sections 3.1 and 3.2), except those of
//! [`REPEATABLE_PARAMETERS`].
//!
//! # Client authentication
//!
//! The five endpoints where clients authenticate as at the token endpoint (token, pushed
//! authorization, backchannel authentication, device authorization, revocation) read the
//! client's credentials with one reader, [`ClientAuthentication::read`], and pass them to
//! Authlete, which authenticates the client. The order of precedence:
//!
//! | | credentials | problems refused before Authlete is asked |
//! |---|---|---|
//! | 1 | `Authorization: Basic` | repeated: `400 invalid_request`; another scheme or not decodable: `401 invalid_client` with the `Basic` challenge (RFC 6749 section 5.2) |
//! | 2 | `client_secret` in the form | with 1: `400 invalid_request` (more than one method, RFC 6749 section 2.3) |
//! | 3 | `client_assertion` in the form | with 1 or 2: `400 invalid_request` |
//! | 4 | `OAuth-Client-Attestation` and `-PoP` | repeated, or one without the other: `400 invalid_request` |
//! | 5 | the client certificate ([`RequestExtras`], else the [`Proxy`](super::Proxy) header) | none: always passed on, also to bind tokens (RFC 8705) |
//!
//! The client ID of 1 must equal the form's `client_id` when both are given (`400
//! invalid_request`). [`ClientAuthentication::method`] is the first present. Every `401`
//! of these endpoints, whether refused here or by Authlete, carries
//! `WWW-Authenticate: Basic realm="<endpoint>"` ([`challenge`]).

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};

use super::response::{self, ResponseExt as _};
use super::{FlowSettings, Response};
use crate::Secret;

mod client_auth;

pub use self::client_auth::{
    ClientAuthError, ClientAuthMethod, ClientAuthentication, challenge, unauthorized,
};

/// Facts about a request that the application may know better than its headers, such as
/// the client certificate of a mutual-TLS connection it terminated itself. Put it in the
/// request's extensions (`request.extensions_mut().insert(extras)`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RequestExtras {
    /// The client certificate (PEM).
    pub client_certificate: Option<String>,
    /// Its chain (PEM each).
    pub client_certificate_chain: Vec<String>,
}

impl RequestExtras {
    /// Extras carrying a client certificate and its chain.
    pub fn with_client_certificate(certificate: impl Into<String>, chain: Vec<String>) -> Self {
        Self {
            client_certificate: Some(certificate.into()),
            client_certificate_chain: chain,
        }
    }
}

/// Why a request was refused before Authlete was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadRequest {
    /// The endpoint does not accept this method.
    #[error("method not allowed; allowed: {allowed}")]
    MethodNotAllowed {
        /// The methods it accepts, for the `Allow` header.
        allowed: &'static str,
    },
    /// The body is not `application/x-www-form-urlencoded`.
    #[error("the body must be application/x-www-form-urlencoded")]
    UnsupportedMediaType,
    /// The body is larger than [`FlowSettings::max_body_bytes`].
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// The body or query is not well-formed.
    #[error("{0}")]
    Malformed(&'static str),
    /// A header is not well-formed or appears more than once.
    #[error("invalid or repeated {0} header")]
    InvalidHeader(&'static str),
    /// A parameter appears more than once (RFC 6749 sections 3.1 and 3.2), other than
    /// those that may repeat ([`REPEATABLE_PARAMETERS`]). The name is given when it is
    /// short and plain, else empty.
    #[error("{}", repeated_message(.0))]
    RepeatedParameter(String),
}

impl BadRequest {
    /// The response: `405` with `Allow`, `415`, `413`, or `400 invalid_request`.
    pub fn into_response(self) -> Response {
        let description = self.to_string();
        match self {
            BadRequest::MethodNotAllowed { allowed } => response::oauth_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                &description,
            )
            .with_header(header::ALLOW, Some(allowed)),
            BadRequest::UnsupportedMediaType => response::oauth_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                &description,
            ),
            BadRequest::PayloadTooLarge => response::oauth_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                &description,
            ),
            BadRequest::Malformed(_)
            | BadRequest::InvalidHeader(_)
            | BadRequest::RepeatedParameter(_) => {
                response::oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &description)
            }
        }
    }
}

/// The parameters that may appear more than once in a request: `resource` (RFC 8707) and
/// `audience` (RFC 8693). Every other repeated parameter is refused.
pub const REPEATABLE_PARAMETERS: &[&str] = &["resource", "audience"];

/// The body of a `POST` with `application/x-www-form-urlencoded` parameters, as the
/// string Authlete's `parameters` expects.
///
/// A parameter that appears twice (after percent-decoding its name) is refused with
/// [`BadRequest::RepeatedParameter`], except those of [`REPEATABLE_PARAMETERS`]: RFC 6749
/// forbids it, and Authlete must not be left to pick one of, say, two `redirect_uri`.
pub fn form_parameters(
    request: &Request<Bytes>,
    settings: &FlowSettings,
) -> Result<String, BadRequest> {
    if request.method() != Method::POST {
        return Err(BadRequest::MethodNotAllowed { allowed: "POST" });
    }
    form_body(request, settings)
}

/// The parameters of a request that may come as a query (`GET`) or a form (`POST`), such
/// as an authorization request; repeated parameters are refused as by [`form_parameters`].
pub fn query_or_form_parameters(
    request: &Request<Bytes>,
    settings: &FlowSettings,
) -> Result<String, BadRequest> {
    match *request.method() {
        Method::GET => {
            let query = request.uri().query().unwrap_or("");
            if query.len() > settings.max_body_bytes {
                return Err(BadRequest::PayloadTooLarge);
            }
            check_urlencoded(query)?;
            check_unique(query)?;
            Ok(query.to_owned())
        }
        Method::POST => form_body(request, settings),
        _ => Err(BadRequest::MethodNotAllowed {
            allowed: "GET, POST",
        }),
    }
}

fn form_body(request: &Request<Bytes>, settings: &FlowSettings) -> Result<String, BadRequest> {
    if request.body().len() > settings.max_body_bytes {
        return Err(BadRequest::PayloadTooLarge);
    }
    if media_type(request)?.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(BadRequest::UnsupportedMediaType);
    }
    let text = std::str::from_utf8(request.body())
        .map_err(|_| BadRequest::Malformed("the body is not valid UTF-8"))?;
    check_urlencoded(text)?;
    check_unique(text)?;
    Ok(text.to_owned())
}

/// The media type of the body, lowercase and without parameters (`application/json` for
/// `Application/JSON; charset=utf-8`); `None` without a `Content-Type`, an error when it is
/// repeated or not text.
pub(crate) fn media_type(request: &Request<Bytes>) -> Result<Option<String>, BadRequest> {
    Ok(
        single_header(request.headers(), header::CONTENT_TYPE, "Content-Type")?.map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        }),
    )
}

/// Rejects broken percent-encoding and control characters.
fn check_urlencoded(text: &str) -> Result<(), BadRequest> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let valid = bytes.len() > index + 2
                    && bytes[index + 1].is_ascii_hexdigit()
                    && bytes[index + 2].is_ascii_hexdigit();
                if !valid {
                    return Err(BadRequest::Malformed("broken percent-encoding"));
                }
                index += 3;
            }
            byte if byte.is_ascii_control() => {
                return Err(BadRequest::Malformed(
                    "control characters in the parameters",
                ));
            }
            _ => index += 1,
        }
    }
    Ok(())
}

/// Refuses a parameter name that appears twice, but those of [`REPEATABLE_PARAMETERS`].
/// Names are compared percent-decoded (`redirect%5Furi` is `redirect_uri`); empty names,
/// which carry nothing, are ignored.
fn check_unique(text: &str) -> Result<(), BadRequest> {
    let mut seen = std::collections::HashSet::new();
    for (name, _) in form_urlencoded::parse(text.as_bytes()) {
        if name.is_empty() || REPEATABLE_PARAMETERS.contains(&name.as_ref()) {
            continue;
        }
        if !seen.insert(name.clone()) {
            return Err(BadRequest::RepeatedParameter(displayable_name(&name)));
        }
    }
    Ok(())
}

fn repeated_message(name: &str) -> String {
    if name.is_empty() {
        "a parameter appears more than once".to_owned()
    } else {
        format!("the parameter {name} appears more than once")
    }
}

/// The name for an error message when it is short and plain; otherwise nothing, so that
/// the message never echoes a long or strange string a client sent.
fn displayable_name(name: &str) -> String {
    let plain = name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if plain {
        name.to_owned()
    } else {
        String::new()
    }
}

/// A header that may appear at most once, as text.
pub fn single_header<'a>(
    headers: &'a HeaderMap,
    name: header::HeaderName,
    display: &'static str,
) -> Result<Option<&'a str>, BadRequest> {
    let mut values = headers.get_all(&name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(BadRequest::InvalidHeader(display));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| BadRequest::InvalidHeader(display))
}

/// The client ID and secret of `Authorization: Basic` (RFC 6749 section 2.3.1: both
/// form-urlencoded before base64), if the request has that header.
pub fn client_credentials(headers: &HeaderMap) -> Result<Option<(String, Secret)>, BadRequest> {
    let Some(value) = single_header(headers, header::AUTHORIZATION, "Authorization")? else {
        return Ok(None);
    };
    let Some(encoded) = strip_scheme(value, "Basic") else {
        return Ok(None);
    };
    decode_basic(encoded)
        .map(Some)
        .ok_or(BadRequest::InvalidHeader("Authorization"))
}

/// The client ID and secret of the credentials of `Authorization: Basic`, if they are
/// base64 of UTF-8 text with a colon.
fn decode_basic(encoded: &str) -> Option<(String, Secret)> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), Secret::new(unescape(secret))))
}

/// How an access token was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenScheme {
    /// `Authorization: Bearer` (RFC 6750).
    Bearer,
    /// `Authorization: DPoP` (RFC 9449).
    Dpop,
}

/// The access token of `Authorization: Bearer` or `Authorization: DPoP`, if present.
pub fn access_token(headers: &HeaderMap) -> Result<Option<(TokenScheme, Secret)>, BadRequest> {
    let Some(value) = single_header(headers, header::AUTHORIZATION, "Authorization")? else {
        return Ok(None);
    };
    let (scheme, token) = if let Some(token) = strip_scheme(value, "Bearer") {
        (TokenScheme::Bearer, token)
    } else if let Some(token) = strip_scheme(value, "DPoP") {
        (TokenScheme::Dpop, token)
    } else {
        return Ok(None);
    };
    let token = token.trim();
    // RFC 6750 b64token.
    let valid = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b));
    if !valid {
        return Err(BadRequest::InvalidHeader("Authorization"));
    }
    Ok(Some((scheme, Secret::new(token))))
}

/// The `DPoP` header (a proof JWT), if present; more than one is refused.
pub fn dpop_proof(headers: &HeaderMap) -> Result<Option<String>, BadRequest> {
    Ok(single_header(headers, header::HeaderName::from_static("dpop"), "DPoP")?.map(str::to_owned))
}

/// The `OAuth-Client-Attestation` and `OAuth-Client-Attestation-PoP` headers of OAuth 2.0
/// Attestation-Based Client Authentication, if present; each may appear at most once.
pub fn client_attestation(
    headers: &HeaderMap,
) -> Result<(Option<String>, Option<String>), BadRequest> {
    let attestation = single_header(
        headers,
        header::HeaderName::from_static("oauth-client-attestation"),
        "OAuth-Client-Attestation",
    )?;
    let pop = single_header(
        headers,
        header::HeaderName::from_static("oauth-client-attestation-pop"),
        "OAuth-Client-Attestation-PoP",
    )?;
    Ok((attestation.map(str::to_owned), pop.map(str::to_owned)))
}

/// The client certificate: from [`RequestExtras`] in the request's extensions when the
/// application put one there, else from the headers the proxy configuration names.
pub fn client_certificate(
    request: &Request<Bytes>,
    settings: &FlowSettings,
) -> Option<(String, Vec<String>)> {
    if let Some(extras) = request.extensions().get::<RequestExtras>()
        && let Some(certificate) = &extras.client_certificate
    {
        return Some((certificate.clone(), extras.client_certificate_chain.clone()));
    }
    settings.proxy.client_certificate(request.headers())
}

/// The URL the client used (for DPoP's `htu`), without query or fragment, when the
/// deployment says where it comes from ([`Proxy`](super::Proxy)); `None` otherwise, and
/// then Authlete uses the endpoint URL configured in the service.
pub fn public_url(request: &Request<Bytes>, settings: &FlowSettings) -> Option<String> {
    settings
        .proxy
        .public_url(request.uri(), request.headers())
        .map(String::from)
}

/// The credentials after `scheme` and a space, case-insensitively (RFC 9110).
fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(content_type: &str, body: &str) -> Request<Bytes> {
        Request::post("/token")
            .header("content-type", content_type)
            .body(Bytes::from(body.to_owned()))
            .unwrap()
    }

    #[test]
    fn form_parameters_accepts_well_formed_forms_only() {
        let settings = FlowSettings::default();
        let ok = post(
            "application/x-www-form-urlencoded; charset=UTF-8",
            "grant_type=x&code=a%20b",
        );
        assert_eq!(
            form_parameters(&ok, &settings).unwrap(),
            "grant_type=x&code=a%20b"
        );
        for (request, expected) in [
            (
                post("application/json", "{}"),
                BadRequest::UnsupportedMediaType,
            ),
            (
                post("application/x-www-form-urlencoded", "a=%zz"),
                BadRequest::Malformed("broken percent-encoding"),
            ),
            (
                post("application/x-www-form-urlencoded", "a=%4"),
                BadRequest::Malformed("broken percent-encoding"),
            ),
            (
                post("application/x-www-form-urlencoded", "a=\u{1}"),
                BadRequest::Malformed("control characters in the parameters"),
            ),
        ] {
            assert_eq!(form_parameters(&request, &settings).unwrap_err(), expected);
        }
        let big = post("application/x-www-form-urlencoded", &"a".repeat(100));
        assert_eq!(
            form_parameters(&big, &FlowSettings::default().with_max_body_bytes(10)).unwrap_err(),
            BadRequest::PayloadTooLarge
        );
        let get = Request::get("/token").body(Bytes::new()).unwrap();
        let error = form_parameters(&get, &settings).unwrap_err();
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()["allow"], "POST");
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let request = Request::post("/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from_static(b"a=\xff"))
            .unwrap();
        assert!(matches!(
            form_parameters(&request, &FlowSettings::default()),
            Err(BadRequest::Malformed(_))
        ));
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = HeaderMap::new();
        // "my%3Aclient" / "p%40ss w" form-encoded, as RFC 6749 requires.
        let value = base64::engine::general_purpose::STANDARD.encode("my%3Aclient:p%40ss+w");
        headers.insert("authorization", format!("Basic {value}").parse().unwrap());
        let (id, secret) = client_credentials(&headers).unwrap().unwrap();
        assert_eq!(id, "my:client");
        assert_eq!(secret.expose_secret(), "p@ss w");
        headers.insert("authorization", "Basic !!!".parse().unwrap());
        assert!(client_credentials(&headers).is_err());
        headers.insert("authorization", "Bearer abc".parse().unwrap());
        assert!(client_credentials(&headers).unwrap().is_none());
        headers.append("authorization", "Basic abc".parse().unwrap());
        assert_eq!(
            client_credentials(&headers).unwrap_err(),
            BadRequest::InvalidHeader("Authorization")
        );
    }

    #[test]
    fn access_tokens_by_scheme() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "bearer abc.DEF-_~+/=".parse().unwrap());
        let (scheme, token) = access_token(&headers).unwrap().unwrap();
        assert_eq!(
            (scheme, token.expose_secret()),
            (TokenScheme::Bearer, "abc.DEF-_~+/=")
        );
        headers.insert("authorization", "DPoP xyz".parse().unwrap());
        assert_eq!(
            access_token(&headers).unwrap().unwrap().0,
            TokenScheme::Dpop
        );
        headers.insert("authorization", "Bearer a b".parse().unwrap());
        assert!(access_token(&headers).is_err());
        headers.insert("authorization", "Basic abc".parse().unwrap());
        assert!(access_token(&headers).unwrap().is_none());
    }

    #[test]
    fn dpop_header_must_be_single() {
        let mut headers = HeaderMap::new();
        assert_eq!(dpop_proof(&headers).unwrap(), None);
        headers.append("dpop", "a.b.c".parse().unwrap());
        assert_eq!(dpop_proof(&headers).unwrap().as_deref(), Some("a.b.c"));
        headers.append("dpop", "d.e.f".parse().unwrap());
        assert_eq!(
            dpop_proof(&headers).unwrap_err(),
            BadRequest::InvalidHeader("DPoP")
        );
    }

    #[test]
    fn repeated_parameters_are_refused_but_resource_and_audience() {
        let settings = FlowSettings::default();
        let form = |body: &str| {
            form_parameters(&post("application/x-www-form-urlencoded", body), &settings)
        };
        for (body, name) in [
            (
                "redirect_uri=https%3A%2F%2Fapp%2Fcb&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
                "redirect_uri",
            ),
            ("grant_type=a&code=x&grant_type=b", "grant_type"),
            ("code=x&code=x", "code"),
            // The same name, percent-encoded differently.
            ("redirect_uri=a&redirect%5Furi=b", "redirect_uri"),
            // An empty value is still the parameter.
            ("client_id=&client_id=x", "client_id"),
            ("%00=a&%00=b", ""),
        ] {
            assert_eq!(
                form(body),
                Err(BadRequest::RepeatedParameter(name.to_owned())),
                "{body}"
            );
        }
        assert!(
            form("resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb&audience=x&audience=y").is_ok()
        );
        assert!(form("a=1&&b=2&=x&=y").is_ok());
        let long = "n".repeat(100);
        assert_eq!(
            form(&format!("{long}=1&{long}=2")),
            Err(BadRequest::RepeatedParameter(String::new()))
        );
        let response = form("code=a&code=b").unwrap_err().into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(
            body["error_description"],
            "the parameter code appears more than once"
        );
        let get = Request::get("/authorize?client_id=1&redirect_uri=a&redirect_uri=b")
            .body(Bytes::new())
            .unwrap();
        assert_eq!(
            query_or_form_parameters(&get, &settings),
            Err(BadRequest::RepeatedParameter("redirect_uri".into()))
        );
    }

    #[test]
    fn query_or_form() {
        let settings = FlowSettings::default();
        let get = Request::get("/authorize?response_type=code&client_id=1")
            .body(Bytes::new())
            .unwrap();
        assert_eq!(
            query_or_form_parameters(&get, &settings).unwrap(),
            "response_type=code&client_id=1"
        );
        let put = Request::put("/authorize").body(Bytes::new()).unwrap();
        assert!(matches!(
            query_or_form_parameters(&put, &settings),
            Err(BadRequest::MethodNotAllowed { .. })
        ));
    }
}
