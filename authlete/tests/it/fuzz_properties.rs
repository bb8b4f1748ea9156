//! The properties the fuzz targets (`fuzz/`, cargo-fuzz) and the proptest smoke pass
//! (`fuzz_smoke.rs`) check, shared by both: the fuzz targets include this file with
//! `#[path]`, so CI compiles and runs the very properties the fuzzers run.
//!
//! Each function takes raw input, never panics on its own, and panics (with the input
//! described) when a property of the SDK does not hold.

#![allow(dead_code)] // Each fuzz target uses a part of this file.

use std::fmt::Debug;

use authlete::flows::proxy::{ClientCertificateSource, Proxy, PublicUrlSource};
use authlete::flows::request::{self, BadRequest, RequestExtras, TokenScheme};
use authlete::flows::{Bytes, FlowSettings};
use authlete::types;
use base64::Engine as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

// ---------------------------------------------------------------------------------------
// Response decoding.
// ---------------------------------------------------------------------------------------

/// Declares the list of response types: every success type of a generated operation, and
/// `ApiResult` (the body of every error answer).
macro_rules! response_types {
    ($($name:ident),* $(,)?) => {
        /// The names of the response types, in the order [`decode_response`] numbers them.
        pub const RESPONSE_TYPES: &[&str] = &[$(stringify!($name)),*];

        /// The decoding check for each response type, in the same order.
        const DECODERS: &[fn(&[u8])] = &[$(check_decode::<types::$name>),*];
    };
}

response_types!(
    ApiResult,
    AttestationChallengeResponse,
    AuthorizationFailResponse,
    AuthorizationIssueResponse,
    AuthorizationResponse,
    AuthorizationTicketInfoResponse,
    AuthorizationTicketUpdateResponse,
    BackchannelAuthenticationCompleteResponse,
    BackchannelAuthenticationFailResponse,
    BackchannelAuthenticationIssueResponse,
    BackchannelAuthenticationResponse,
    BackchannelLogoutTokenResponse,
    Client,
    ClientAuthorizationDeleteResponse,
    ClientAuthorizationGetListResponse,
    ClientAuthorizationUpdateResponse,
    ClientExtensionRequestableScopesGetResponse,
    ClientExtensionRequestableScopesUpdateResponse,
    ClientFlagUpdateResponse,
    ClientGetListResponse,
    ClientGrantedScopesDeleteResponse,
    ClientRegistrationResponse,
    ClientSecretRefreshResponse,
    ClientSecretUpdateResponse,
    DeviceAuthorizationResponse,
    DeviceCompleteResponse,
    DeviceVerificationResponse,
    FederationConfigurationResponse,
    FederationRegistrationResponse,
    GrantManagementResponse,
    HskCreateResponse,
    HskDeleteResponse,
    HskGetListResponse,
    HskGetResponse,
    IdTokenReissueResponse,
    InfoResponse,
    IntrospectionResponse,
    JoseVerifyResponse,
    NativeSsoLogoutResponse,
    NativeSsoResponse,
    PushedAuthorizationResponse,
    RevocationResponse,
    Service,
    ServiceGetListResponse,
    ServiceJwksGetResponse,
    StandardIntrospectionResponse,
    TokenCreateBatchResponse,
    TokenCreateBatchStatusResponse,
    TokenCreateResponse,
    TokenFailResponse,
    TokenGetListResponse,
    TokenIssueResponse,
    TokenResponse,
    TokenRevokeResponse,
    TokenUpdateResponse,
    UserinfoIssueResponse,
    UserinfoResponse,
    VciBatchIssueResponse,
    VciBatchParseResponse,
    VciDeferredIssueResponse,
    VciDeferredParseResponse,
    VciJwksResponse,
    VciJwtissuerResponse,
    VciMetadataResponse,
    VciNonceResponse,
    VciOfferCreateResponse,
    VciOfferInfoResponse,
    VciSingleIssueResponse,
    VciSingleParseResponse,
);

/// Decodes `json` as the response type numbered `which` (modulo their number), as the
/// client does, and checks what the client relies on.
pub fn decode_response(which: u8, json: &[u8]) {
    DECODERS[usize::from(which) % DECODERS.len()](json);
}

/// For one type:
/// - decoding never panics (it returns a value or an error);
/// - a path-tracking decoder agrees with the plain one on success and on the value, and,
///   where the value does not fit the type, on the failing field's path with the one
///   `authlete::Error::Decode` computes from serde_json's position;
/// - the generated client's decoding (`authlete-sys`'s `decode_json`: one UTF-8 check for the
///   whole body, then `from_str`) gives what `from_slice` gives: the same value, or the same
///   error message;
/// - a decoded value serializes, and decodes back to itself (what the SDK sends back to
///   Authlete, such as unknown enum values, survives unchanged).
fn check_decode<T: DeserializeOwned + Serialize + PartialEq + Debug>(json: &[u8]) {
    let plain = serde_json::from_slice::<T>(json);
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let tracked = serde_path_to_error::deserialize::<_, T>(&mut deserializer);
    // `from_slice` also refuses trailing characters; the path tracker leaves them to `end`.
    let tracked = tracked.map_err(|e| e.to_string()).and_then(|value| {
        deserializer
            .end()
            .map(|()| value)
            .map_err(|e| e.to_string())
    });
    match (&plain, &tracked) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the two decoders disagree on the value"),
        (Err(error), Err(_)) if error.classify() == serde_json::error::Category::Data => {
            // Where the client says decoding failed: what the path tracker says.
            let mut deserializer = serde_json::Deserializer::from_slice(json);
            let tracked = serde_path_to_error::deserialize::<_, T>(&mut deserializer)
                .err()
                .map(|e| e.path().to_string());
            let ours = authlete::__fuzz::json_path(json, error);
            if let Some(tracked) = tracked {
                assert_eq!(ours, tracked, "the failing field's path differs");
            }
        }
        (Err(_), Err(_)) => {}
        _ => panic!(
            "the two decoders disagree on {}: plain {:?}, tracked {:?}",
            std::any::type_name::<T>(),
            plain.as_ref().map(|_| ()),
            tracked.as_ref().map(|_| ())
        ),
    }
    let client = match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str::<T>(text),
        Err(_) => serde_json::from_slice::<T>(json),
    };
    match (&plain, &client) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the client's decoding disagrees on the value"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "different errors"),
        _ => panic!(
            "the client's decoding disagrees with from_slice on {}: {:?} vs {:?}",
            std::any::type_name::<T>(),
            plain.as_ref().map(|_| ()).map_err(ToString::to_string),
            client.as_ref().map(|_| ()).map_err(ToString::to_string)
        ),
    }
    if let Ok(value) = plain {
        let encoded = serde_json::to_vec(&value).expect("a decoded response serializes");
        let again: T = serde_json::from_slice(&encoded).unwrap_or_else(|e| {
            panic!(
                "{} does not decode its own serialization: {e}: {}",
                std::any::type_name::<T>(),
                String::from_utf8_lossy(&encoded)
            )
        });
        assert_eq!(again, value, "the round trip changed the value");
    }
}

// ---------------------------------------------------------------------------------------
// Request parsing.
// ---------------------------------------------------------------------------------------

/// An incoming request as raw parts: what a fuzzer or a proptest strategy produces.
#[derive(Clone, Default)]
pub struct RawRequest {
    pub method: String,
    pub uri: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    /// `FlowSettings::max_body_bytes`.
    pub max_body_bytes: usize,
    /// Which proxy configuration (see [`proxy_for`]).
    pub proxy: u8,
    /// Whether the application puts a client certificate in the request's extensions.
    pub extras: bool,
}

impl Debug for RawRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, value)| (name.as_str(), text(value)))
                    .collect::<Vec<_>>(),
            )
            .field("body", &text(&self.body))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("proxy", &self.proxy)
            .field("extras", &self.extras)
            .finish()
    }
}

/// Header names the parsers look at, for generators to pick from.
pub const HEADER_NAMES: &[&str] = &[
    "authorization",
    "content-type",
    "dpop",
    "host",
    "forwarded",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-prefix",
    "x-ssl-cert",
    "x-ssl-cert-chain-0",
    "x-ssl-cert-chain-1",
    "client-cert",
    "client-cert-chain",
    "x-arr-clientcert",
    "x-forwarded-client-cert",
    "x-amzn-mtls-clientcert",
    "x-amzn-mtls-clientcert-leaf",
];

/// How many proxy configurations [`proxy_for`] numbers: 7 certificate sources times 7
/// public URL sources.
pub const PROXY_CONFIGURATIONS: u8 = 49;

/// The proxy configurations the checks run under, numbered.
pub fn proxy_for(which: u8) -> Proxy {
    let certificate = match which % 7 {
        0 => ClientCertificateSource::None,
        1 => ClientCertificateSource::Header {
            name: http::HeaderName::from_static("x-ssl-cert"),
            chain_prefix: Some("x-ssl-cert-chain-".into()),
        },
        2 => ClientCertificateSource::ClientCertHeader,
        3 => ClientCertificateSource::AzureAppService,
        4 => ClientCertificateSource::Envoy,
        5 => ClientCertificateSource::AwsAlbPassthrough,
        _ => ClientCertificateSource::AwsAlbVerify,
    };
    let url = match (which / 7) % 7 {
        0 => PublicUrlSource::Direct(http::uri::Scheme::HTTPS),
        1 => PublicUrlSource::Forwarded,
        2 => PublicUrlSource::XForwarded,
        3 => PublicUrlSource::Fixed("https://as.example.com".parse().unwrap()),
        4 => PublicUrlSource::Fixed("https://as.example.com/base/".parse().unwrap()),
        5 => PublicUrlSource::Direct(http::uri::Scheme::HTTP),
        _ => PublicUrlSource::Service,
    };
    Proxy::default()
        .with_client_certificate(certificate)
        .with_public_url(url)
}

impl RawRequest {
    /// The request, or `None` when `http` refuses the parts (no server could receive it).
    pub fn build(&self) -> Option<http::Request<Bytes>> {
        let method = http::Method::from_bytes(self.method.as_bytes()).ok()?;
        let uri: http::Uri = self.uri.parse().ok()?;
        let mut builder = http::Request::builder().method(method).uri(uri);
        for (name, value) in &self.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes()).ok()?;
            let value = http::HeaderValue::from_bytes(value).ok()?;
            builder = builder.header(name, value);
        }
        let mut request = builder.body(Bytes::from(self.body.clone())).ok()?;
        if self.extras {
            request
                .extensions_mut()
                .insert(RequestExtras::with_client_certificate(
                    "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----",
                    Vec::new(),
                ));
        }
        Some(request)
    }

    fn settings(&self) -> FlowSettings {
        FlowSettings::default()
            .with_max_body_bytes(self.max_body_bytes)
            .with_proxy(proxy_for(self.proxy))
    }
}

/// Every request parser of `authlete::flows::request`, on one request: none panics, each
/// accepts exactly what a plain reading of the rules accepts, and every refusal becomes a
/// `4xx` response.
pub fn request_parsing(raw: &RawRequest) {
    let Some(request) = raw.build() else {
        return;
    };
    let settings = raw.settings();
    let headers = request.headers();

    let form = request::form_parameters(&request, &settings);
    assert_eq!(
        same_reason(&form),
        same_reason(&expected_form(&request, &settings)),
        "form_parameters"
    );
    let either = request::query_or_form_parameters(&request, &settings);
    let expected_either = match *request.method() {
        http::Method::GET => {
            let query = request.uri().query().unwrap_or("");
            if query.len() > settings.max_body_bytes {
                Err(BadRequest::PayloadTooLarge)
            } else {
                check_urlencoded(query)
                    .and_then(|()| check_unique(query))
                    .map(|()| query.to_owned())
            }
        }
        http::Method::POST => form.clone(),
        _ => Err(BadRequest::MethodNotAllowed {
            allowed: "GET, POST",
        }),
    };
    assert_eq!(
        same_reason(&either),
        same_reason(&expected_either),
        "query_or_form_parameters"
    );

    let authorization: Vec<&http::HeaderValue> = headers.get_all("authorization").iter().collect();
    let credentials = request::client_credentials(headers);
    match &credentials {
        Ok(Some((id, secret))) => {
            let value = single_text(&authorization).expect("one Authorization header");
            let (scheme, encoded) = value.split_once(' ').expect("a scheme");
            assert!(scheme.eq_ignore_ascii_case("basic"), "{value:?}");
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .expect("valid base64");
            let decoded = String::from_utf8(decoded).expect("UTF-8");
            let (raw_id, raw_secret) = decoded.split_once(':').expect("a colon");
            assert_eq!(id, &form_decode(raw_id));
            assert_eq!(secret.expose_secret(), form_decode(raw_secret));
        }
        Ok(None) => assert!(
            authorization.is_empty()
                || single_text(&authorization).is_some_and(|v| !has_scheme(v, "basic")),
            "Basic credentials were ignored: {authorization:?}"
        ),
        Err(_) => {}
    }

    let token = request::access_token(headers);
    match &token {
        Ok(Some((scheme, token))) => {
            let value = single_text(&authorization).expect("one Authorization header");
            let expected_scheme = if has_scheme(value, "bearer") {
                TokenScheme::Bearer
            } else {
                assert!(has_scheme(value, "dpop"), "{value:?}");
                TokenScheme::Dpop
            };
            assert_eq!(*scheme, expected_scheme);
            let token = token.expose_secret();
            assert!(!token.is_empty(), "an empty token was accepted");
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)),
                "not an RFC 6750 b64token: {token:?}"
            );
        }
        Ok(None) => assert!(
            authorization.is_empty()
                || single_text(&authorization)
                    .is_some_and(|v| !has_scheme(v, "bearer") && !has_scheme(v, "dpop")),
            "a token was ignored: {authorization:?}"
        ),
        Err(_) => {}
    }

    let dpop: Vec<&http::HeaderValue> = headers.get_all("dpop").iter().collect();
    let proof = request::dpop_proof(headers);
    match &proof {
        Ok(Some(proof)) => assert_eq!(single_text(&dpop), Some(proof.as_str())),
        Ok(None) => assert!(dpop.is_empty()),
        Err(error) => {
            assert_eq!(error, &BadRequest::InvalidHeader("DPoP"));
            assert!(
                single_text(&dpop).is_none(),
                "one valid DPoP header refused"
            );
        }
    }

    for refusal in [
        form.err(),
        either.err(),
        credentials.err(),
        token.err(),
        proof.err(),
    ]
    .into_iter()
    .flatten()
    {
        let response = refusal.into_response();
        assert!(response.status().is_client_error(), "{}", response.status());
        assert_eq!(response.headers()["cache-control"], "no-store");
    }

    proxy_headers_of(&request, &settings);
}

/// What `form_parameters` must answer, read plainly from the rules.
fn expected_form(
    request: &http::Request<Bytes>,
    settings: &FlowSettings,
) -> Result<String, BadRequest> {
    if request.method() != http::Method::POST {
        return Err(BadRequest::MethodNotAllowed { allowed: "POST" });
    }
    if request.body().len() > settings.max_body_bytes {
        return Err(BadRequest::PayloadTooLarge);
    }
    let types: Vec<_> = request.headers().get_all("content-type").iter().collect();
    let content_type = match types.as_slice() {
        [] => None,
        [one] => Some(
            one.to_str()
                .map_err(|_| BadRequest::InvalidHeader("Content-Type"))?,
        ),
        _ => return Err(BadRequest::InvalidHeader("Content-Type")),
    };
    let media_type = content_type.map(|v| v.split(';').next().unwrap_or("").trim());
    if !media_type.is_some_and(|m| m.eq_ignore_ascii_case("application/x-www-form-urlencoded")) {
        return Err(BadRequest::UnsupportedMediaType);
    }
    let text = std::str::from_utf8(request.body())
        .map_err(|_| BadRequest::Malformed("the body is not valid UTF-8"))?;
    check_urlencoded(text)?;
    check_unique(text)?;
    Ok(text.to_owned())
}

/// No decoded name twice, but `resource` and `audience` (and empty names).
fn check_unique(text: &str) -> Result<(), BadRequest> {
    let names: Vec<String> = form_urlencoded::parse(text.as_bytes())
        .map(|(name, _)| name.into_owned())
        .filter(|name| !name.is_empty() && name != "resource" && name != "audience")
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() == names.len() {
        Ok(())
    } else {
        Err(BadRequest::RepeatedParameter("repeated".into()))
    }
}

/// Every `%` followed by two hex digits, and no control characters. (Which of the two
/// messages a text breaking both rules gets is not a property: see [`same_reason`].)
fn check_urlencoded(text: &str) -> Result<(), BadRequest> {
    let bytes = text.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, byte)| {
        *byte != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if escapes_ok && !bytes.iter().any(u8::is_ascii_control) {
        Ok(())
    } else {
        Err(BadRequest::Malformed("malformed"))
    }
}

/// A parse result with the message of `Malformed` left out.
fn same_reason(result: &Result<String, BadRequest>) -> Result<&str, BadRequest> {
    match result {
        Ok(text) => Ok(text),
        Err(BadRequest::Malformed(_)) => Err(BadRequest::Malformed("malformed")),
        Err(BadRequest::RepeatedParameter(_)) => {
            Err(BadRequest::RepeatedParameter("repeated".into()))
        }
        Err(other) => Err(other.clone()),
    }
}

/// The one value of a header that may appear once, as text.
fn single_text<'a>(values: &[&'a http::HeaderValue]) -> Option<&'a str> {
    match values {
        [one] => one.to_str().ok(),
        _ => None,
    }
}

fn has_scheme(value: &str, scheme: &str) -> bool {
    value
        .split_once(' ')
        .is_some_and(|(given, _)| given.eq_ignore_ascii_case(scheme))
}

fn form_decode(text: &str) -> String {
    form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A client ID and secret sent as RFC 6749 requires (form-urlencoded, then base64) come
/// back unchanged.
pub fn basic_credentials_round_trip(id: &str, secret: &str) {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let joined = format!("{}:{}", encode(id), encode(secret));
    let value = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(joined)
    );
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", value.parse().unwrap());
    let (got_id, got_secret) = request::client_credentials(&headers)
        .expect("well-formed Basic credentials")
        .expect("Basic credentials");
    assert_eq!(got_id, id);
    assert_eq!(got_secret.expose_secret(), secret);
}

// ---------------------------------------------------------------------------------------
// Proxy headers.
// ---------------------------------------------------------------------------------------

/// The client certificate and public URL of a request behind a proxy, under every proxy
/// configuration.
pub fn proxy_headers(raw: &RawRequest) {
    let Some(request) = raw.build() else {
        return;
    };
    for which in 0..PROXY_CONFIGURATIONS {
        let settings = FlowSettings::default().with_proxy(proxy_for(which));
        proxy_headers_of(&request, &settings);
    }
}

fn proxy_headers_of(request: &http::Request<Bytes>, settings: &FlowSettings) {
    let headers = request.headers();
    if let Some((certificate, chain)) = settings.proxy.client_certificate(headers) {
        check_pem(&certificate);
        chain.iter().for_each(|pem| check_pem(pem));
        assert!(chain.len() <= 16, "a chain of {}", chain.len());
    }
    check_certificate_model(headers, &settings.proxy);
    if let Some((certificate, _)) = request::client_certificate(request, settings) {
        check_pem(&certificate);
    }
    if let Some(url) = settings.proxy.public_url(request.uri(), headers) {
        check_public_url(&url, request.uri());
    }
    if let Some(url) = request::public_url(request, settings) {
        check_public_url(&url.parse().expect("a URL"), request.uri());
    }
}

/// The sources added in issue 15 against a plain reading of what each proxy sends.
///
/// - Azure `X-ARR-ClientCert`: a certificate is the header's base64, re-wrapped, with no
///   chain; and base64 of one short DER `SEQUENCE` (`30 len ...`) always gives one.
/// - Envoy and AWS ALB: every certificate returned is in the header (once quotes'
///   backslashes and percent-escapes are undone, whitespace ignored): none is made up.
fn check_certificate_model(headers: &http::HeaderMap, proxy: &Proxy) {
    let got = proxy.client_certificate(headers);
    let values = |name: &str| -> Vec<&[u8]> {
        headers
            .get_all(name)
            .iter()
            .map(http::HeaderValue::as_bytes)
            .collect()
    };
    let body = |pem: &str| -> String {
        pem.lines()
            .filter(|line| !line.starts_with("-----"))
            .collect()
    };
    let found_in = |name: &str| {
        let raw: Vec<u8> = values(name)
            .join(&b","[..])
            .into_iter()
            .filter(|b| *b != b'\\')
            .collect();
        let decoded: Vec<u8> = percent_encoding_decode(&raw)
            .into_iter()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let decoded = String::from_utf8_lossy(&decoded).into_owned();
        if let Some((certificate, chain)) = &got {
            for pem in std::iter::once(certificate).chain(chain) {
                assert!(
                    decoded.contains(&body(pem)),
                    "{pem:?} is not in {name}: {decoded:?}"
                );
            }
        }
    };
    match &proxy.client_certificate {
        ClientCertificateSource::AzureAppService => {
            let values = values("x-arr-clientcert");
            let single = match values.as_slice() {
                [value] => std::str::from_utf8(value).ok(),
                _ => None,
            };
            if let Some((certificate, chain)) = &got {
                assert!(chain.is_empty(), "a chain from X-ARR-ClientCert");
                assert_eq!(Some(body(certificate).as_str()), single.map(str::trim));
            }
            let der = single.and_then(|value| {
                base64::engine::general_purpose::STANDARD
                    .decode(value.trim())
                    .ok()
            });
            if let Some([0x30, length, rest @ ..]) = der.as_deref()
                && *length < 0x80
                && usize::from(*length) == rest.len()
            {
                assert!(got.is_some(), "no certificate from {single:?}");
            }
        }
        ClientCertificateSource::Envoy => found_in("x-forwarded-client-cert"),
        ClientCertificateSource::AwsAlbPassthrough => found_in("x-amzn-mtls-clientcert"),
        ClientCertificateSource::AwsAlbVerify => {
            found_in("x-amzn-mtls-clientcert-leaf");
            assert!(got.is_none_or(|(_, chain)| chain.is_empty()));
        }
        _ => {}
    }
}

/// Percent-decoding, as plainly as it can be written: `%` and two hex digits is a byte,
/// anything else is itself.
fn percent_encoding_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(high * 16 + low).expect("a byte"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// One hop's XFCC element: its other key-value pairs, and which certificate it holds.
pub type XfccElement = (Vec<(String, String)>, Option<u8>);

/// Envoy's `X-Forwarded-Client-Cert` built as Envoy builds it, one element per hop, from
/// any keys and values (quoted, with `"` and `\` escaped, when they hold a separator): the
/// certificate is the one of the last element (`certs[i]` picks a small DER certificate
/// for element `i`, or none), whatever the farther hops' elements hold.
pub fn xfcc_last_element_wins(elements: &[XfccElement]) {
    const DERS: &[&str] = &["MAA=", "MAMCAQA=", "MAYCAQACAQE="];
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let quote = |value: &str| -> String {
        if value.is_empty() || value.contains([',', ';', '=', '"', '\\', ' ']) {
            format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            value.to_owned()
        }
    };
    let pem =
        |der: &str| format!("-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----\n");
    let header = elements
        .iter()
        .map(|(pairs, cert)| {
            let mut parts: Vec<String> = pairs
                .iter()
                .filter(|(key, _)| {
                    !key.eq_ignore_ascii_case("cert") && !key.eq_ignore_ascii_case("chain")
                })
                .map(|(key, value)| format!("{key}={}", quote(value)))
                .collect();
            if let Some(which) = cert {
                let der = DERS[usize::from(*which) % DERS.len()];
                parts.insert(0, format!("Cert=\"{}\"", encode(&pem(der))));
            }
            if parts.is_empty() {
                parts.push("By=spiffe://hop".to_owned());
            }
            parts.join(";")
        })
        .collect::<Vec<_>>()
        .join(",");
    let Ok(value) = http::HeaderValue::from_str(&header) else {
        return;
    };
    let mut headers = http::HeaderMap::new();
    headers.insert("x-forwarded-client-cert", value);
    let got = Proxy::default()
        .with_client_certificate(ClientCertificateSource::Envoy)
        .client_certificate(&headers);
    let expected = elements.last().and_then(|(_, cert)| *cert).map(|which| {
        let der = DERS[usize::from(which) % DERS.len()];
        (
            format!("-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----"),
            Vec::new(),
        )
    });
    assert_eq!(got, expected, "{header}");
}

/// A PEM certificate as the proxy helpers build it: the markers, base64 lines of at most
/// 64 characters.
fn check_pem(pem: &str) {
    let body = pem
        .strip_prefix("-----BEGIN CERTIFICATE-----\n")
        .and_then(|rest| rest.strip_suffix("\n-----END CERTIFICATE-----"))
        .unwrap_or_else(|| panic!("not a PEM certificate: {pem:?}"));
    for line in body.lines() {
        assert!(
            !line.is_empty()
                && line.len() <= 64
                && line
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
            "bad PEM line {line:?} in {pem:?}"
        );
    }
}

/// The public URL is an `http(s)` URL with a host, and nothing a header could smuggle in:
/// no credentials, no query, no fragment.
fn check_public_url(url: &url::Url, uri: &http::Uri) {
    assert!(
        matches!(url.scheme(), "http" | "https"),
        "scheme of {url} for {uri}"
    );
    assert!(
        url.host_str().is_some_and(|h| !h.is_empty()),
        "no host: {url}"
    );
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "credentials in {url}"
    );
    assert_eq!(url.query(), None, "a query in {url} for {uri}");
    assert_eq!(url.fragment(), None, "a fragment in {url} for {uri}");
}
