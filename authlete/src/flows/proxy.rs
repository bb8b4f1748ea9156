//! Behind a proxy: where the client certificate and the public URL of a request come from.
//!
//! When a reverse proxy or load balancer terminates TLS, two things the handlers need are
//! missing from the request the application receives:
//!
//! - the client certificate of mutual TLS (RFC 8705), used for client authentication and
//!   certificate-bound tokens. The proxy passes it in a header: see
//!   [`ClientCertificateSource`].
//! - the URL the client used, which DPoP proofs (RFC 9449, `htu`) are checked against.
//!   The server sees its internal scheme and host instead, and over HTTP/1.1 no scheme at
//!   all; see [`PublicUrlSource`].
//!
//! A [`Proxy`] says where to find both. Put it in the [`FlowSettings`](super::FlowSettings)
//! given to every handler, with [`with_proxy`](super::FlowSettings::with_proxy). An
//! application that terminates TLS itself passes the certificate with
//! [`RequestExtras`](super::request::RequestExtras) instead, which takes precedence.
//!
//! # The client certificate, for mutual TLS
//!
//! Each source reads only its own proxy's headers: a header another proxy would set is
//! never looked at, so a client cannot bring one along. Every source gives the same
//! shape: the leaf certificate as PEM, and the certificates above it (without the leaf)
//! as PEM each; or nothing when the header is missing or not what the proxy sends.
//!
//! | proxy | [`ClientCertificateSource`] | header read |
//! |---|---|---|
//! | the application terminates TLS itself | [`None`](ClientCertificateSource::None) (the default) | none: [`RequestExtras`](super::request::RequestExtras) |
//! | nginx (`$ssl_client_escaped_cert`), Apache (`SSL_CLIENT_CERT`), HAProxy | [`Header`](ClientCertificateSource::Header) | the one you name (URL-encoded PEM, or PEM with spaces), the chain in `prefix`0, 1, ... |
//! | a proxy following RFC 9440 | [`ClientCertHeader`](ClientCertificateSource::ClientCertHeader) | `Client-Cert` and `Client-Cert-Chain` (`:base64 DER:`) |
//! | Azure App Service | [`AzureAppService`](ClientCertificateSource::AzureAppService) | `X-ARR-ClientCert` (base64 DER, no chain) |
//! | Envoy, Istio, Azure Container Apps | [`Envoy`](ClientCertificateSource::Envoy) | the last element of `X-Forwarded-Client-Cert`: its `Cert` and/or `Chain` (URL-encoded PEM) |
//! | AWS ALB, mutual TLS passthrough | [`AwsAlbPassthrough`](ClientCertificateSource::AwsAlbPassthrough) | `X-Amzn-Mtls-Clientcert` (URL-encoded PEM, leaf first) |
//! | AWS ALB, mutual TLS verify | [`AwsAlbVerify`](ClientCertificateSource::AwsAlbVerify) | `X-Amzn-Mtls-Clientcert-Leaf` (URL-encoded PEM, no chain) |
//!
//! A chain holds at most 16 certificates above the leaf. A header that must appear once
//! (all but `X-Forwarded-Client-Cert`, whose fields are joined in order) gives nothing
//! when it appears twice.
//!
//! # The public URL, for DPoP
//!
//! The handlers describe a request to Authlete with facts, never with a guess: `htm` is
//! the request's method, and `htu` is sent only when the deployment says where the public
//! URL comes from. Otherwise Authlete checks the proof's `htu` against the endpoint URL
//! configured in the service (its token endpoint, userinfo endpoint, ...), as Authlete's
//! Java handlers do. A wrong `htu` would make Authlete refuse every honest proof; an `htu`
//! taken from what the client says would let a proof made for another server pass.
//!
//! | deployment | [`PublicUrlSource`] | `htu` sent to Authlete |
//! |---|---|---|
//! | the service's endpoint URLs are the public ones (the usual case) | [`Service`](PublicUrlSource::Service) (the default) | none: Authlete uses the service's endpoint URL |
//! | the server faces clients itself, at one known base URL | [`Fixed`](PublicUrlSource::Fixed) | the base URL + the request's path |
//! | the server faces clients itself, under several host names | [`Direct`](PublicUrlSource::Direct) with the scheme it serves | that scheme + the `Host` the client sent + the path |
//! | a proxy sends `Forwarded: proto=...;host=...` (RFC 7239) | [`Forwarded`](PublicUrlSource::Forwarded) | its `proto` and `host` (else the `Host` header) + the path; none without a `proto` |
//! | a proxy sends `X-Forwarded-Proto` (`-Host`, `-Prefix`) | [`XForwarded`](PublicUrlSource::XForwarded) | its proto, host (else the `Host` header) and prefix + the path; none without a proto |
//! | a resource server accepting DPoP-bound tokens ([`TokenValidator`](super::resource::TokenValidator)) | any but `Service`: Authlete has no endpoint URL for it | as above |
//!
//! A proxy that sends no scheme is not taken to mean `https`: the handlers then send no
//! `htu`, and Authlete uses the service's endpoint URL. Plain HTTP on loopback during
//! development needs nothing when the service's endpoints are configured with those
//! `http://127.0.0.1:...` URLs, or `Fixed` with that base otherwise.
//!
//! Trust these headers only when a proxy you control sets them and strips them from
//! incoming requests; otherwise a client could claim any certificate or URL.
//!
//! ```
//! use authlete::flows::{ClientCertificateSource, FlowSettings, Proxy, PublicUrlSource};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // By default, no public URL: Authlete checks DPoP proofs against the service's URLs.
//! let request = http::Request::post("/token").header("host", "10.0.0.5:8080").body(())?;
//! let settings = FlowSettings::default();
//! assert_eq!(settings.proxy.public_url(request.uri(), request.headers()), None);
//!
//! // nginx serves https://as.example.com and passes the client's certificate with
//! // `proxy_set_header X-Ssl-Cert $ssl_client_escaped_cert;`.
//! let proxy = Proxy::default()
//!     .with_public_url(PublicUrlSource::Fixed("https://as.example.com".parse()?))
//!     .with_client_certificate(ClientCertificateSource::Header {
//!         name: http::HeaderName::from_static("x-ssl-cert"),
//!         chain_prefix: None,
//!     });
//! let settings = FlowSettings::default().with_proxy(proxy);
//! let url = settings.proxy.public_url(request.uri(), request.headers());
//! assert_eq!(url.map(String::from).as_deref(), Some("https://as.example.com/token"));
//!
//! // A proxy serving several host names says which one was used, and over which scheme,
//! // in `X-Forwarded-*`; this one passes the certificate as RFC 9440 `Client-Cert`.
//! let proxy = Proxy::default()
//!     .with_public_url(PublicUrlSource::XForwarded)
//!     .with_client_certificate(ClientCertificateSource::ClientCertHeader);
//! let request = http::Request::post("/token")
//!     .header("host", "10.0.0.5:8080")
//!     .header("x-forwarded-proto", "https")
//!     .header("x-forwarded-host", "login.example.org")
//!     .body(())?;
//! let url = proxy.public_url(request.uri(), request.headers());
//! assert_eq!(url.map(String::from).as_deref(), Some("https://login.example.org/token"));
//!
//! // Without X-Forwarded-Proto the scheme is unknown: no public URL rather than a guess.
//! let request = http::Request::post("/token")
//!     .header("x-forwarded-host", "login.example.org")
//!     .body(())?;
//! assert_eq!(proxy.public_url(request.uri(), request.headers()), None);
//! # Ok(())
//! # }
//! ```

use http::HeaderMap;
use url::Url;

/// Where the client certificate comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCertificateSource {
    /// No client certificate (the default): the server does not use mutual TLS, or the
    /// application passes it with [`crate::flows::request::RequestExtras`].
    #[default]
    None,
    /// A PEM certificate, URL-encoded or with spaces for newlines, in a header such as
    /// `X-Ssl-Cert` (nginx `$ssl_client_escaped_cert`, Apache `SSL_CLIENT_CERT`), with the
    /// chain in headers named `prefix` + 0, 1, ... (e.g. `X-Ssl-Cert-Chain-0`).
    Header {
        /// The header holding the client certificate.
        name: http::HeaderName,
        /// The prefix of the headers holding the chain, if any.
        chain_prefix: Option<String>,
    },
    /// RFC 9440: `Client-Cert` holds the DER certificate as a byte sequence
    /// (`:base64:`), and `Client-Cert-Chain` the chain.
    ClientCertHeader,
    /// Azure App Service: `X-ARR-ClientCert` holds the DER certificate in base64, without
    /// PEM armour. App Service passes no chain. Use the client certificate mode
    /// *Required*: in the other modes App Service does not check that the client holds
    /// the certificate's key.
    AzureAppService,
    /// Envoy: `X-Forwarded-Client-Cert` (XFCC), with `forward_client_cert_details` and
    /// `set_current_client_cert_details` including `cert` (the leaf, `Cert=`) and/or
    /// `chain` (the whole chain, leaf first, `Chain=`), both URL-encoded PEM.
    ///
    /// Envoy adds one element per hop (`APPEND_FORWARD`); the **last** element is the one
    /// the nearest Envoy added, the proxy the application trusts, and the only one read.
    /// Elements of farther hops are never used, also when the last one has no
    /// certificate. A header that does not follow Envoy's grammar (an unterminated quote,
    /// a pair without `=`, a key given twice), a `Cert` that is not one PEM certificate, a
    /// `Chain` whose first certificate is not the `Cert`, or a chain of more than 16
    /// certificates above the leaf gives no certificate.
    Envoy,
    /// AWS Application Load Balancer, mutual TLS *passthrough*: `X-Amzn-Mtls-Clientcert`
    /// holds the whole chain the client sent (leaf first) as URL-encoded PEM. The load
    /// balancer does not verify it: the application (with Authlete) must.
    AwsAlbPassthrough,
    /// AWS Application Load Balancer, mutual TLS *verify*: `X-Amzn-Mtls-Clientcert-Leaf`
    /// holds the leaf certificate the load balancer verified, as URL-encoded PEM. The
    /// load balancer passes no chain in this mode.
    AwsAlbVerify,
}

/// Where the public URL of a request comes from: see the
/// [deployment table](self#the-public-url-for-dpop).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicUrlSource {
    /// Nowhere (the default): the handlers send Authlete no `htu`, and Authlete checks
    /// DPoP proofs against the endpoint URLs configured in the service.
    #[default]
    Service,
    /// The server faces clients itself and serves this scheme (`http` or `https`; the
    /// server knows, the request does not say): the URL is the scheme, the request's
    /// authority (its `Host` header) and path. The host is what the client sent: use this
    /// only where the server answers for its own host names alone.
    Direct(http::uri::Scheme),
    /// RFC 7239 `Forwarded: proto=https;host=as.example.com` (its first element): the
    /// `proto`, the `host` or else the `Host` header, and the path. No URL without a
    /// `proto`.
    Forwarded,
    /// `X-Forwarded-Proto`, `X-Forwarded-Host` (else the `Host` header) and
    /// `X-Forwarded-Prefix`, and the path. No URL without `X-Forwarded-Proto`.
    XForwarded,
    /// A fixed base URL, such as `https://as.example.com`: the request's path is appended.
    Fixed(Url),
}

/// How the server is deployed: see the [module documentation](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Proxy {
    /// Where the client certificate comes from.
    pub client_certificate: ClientCertificateSource,
    /// Where the public URL comes from.
    pub public_url: PublicUrlSource,
}

impl Proxy {
    /// The same configuration taking the client certificate from `source`.
    #[must_use]
    pub fn with_client_certificate(mut self, source: ClientCertificateSource) -> Self {
        self.client_certificate = source;
        self
    }

    /// The same configuration taking the public URL from `source`.
    #[must_use]
    pub fn with_public_url(mut self, source: PublicUrlSource) -> Self {
        self.public_url = source;
        self
    }

    /// The client certificate (PEM) and its chain (PEM each), if the request has one.
    pub fn client_certificate(&self, headers: &HeaderMap) -> Option<(String, Vec<String>)> {
        match &self.client_certificate {
            ClientCertificateSource::None => None,
            ClientCertificateSource::Header { name, chain_prefix } => {
                let certificate = pem_from_header(headers.get(name)?.to_str().ok()?)?;
                let mut chain = Vec::new();
                if let Some(prefix) = chain_prefix {
                    for index in 0..16 {
                        let Some(value) = headers
                            .get(format!("{prefix}{index}").as_str())
                            .and_then(|v| v.to_str().ok())
                        else {
                            break;
                        };
                        if let Some(pem) = pem_from_header(value) {
                            chain.push(pem);
                        }
                    }
                }
                Some((certificate, chain))
            }
            ClientCertificateSource::ClientCertHeader => {
                let certificate =
                    pem_from_byte_sequence(headers.get("client-cert")?.to_str().ok()?)?;
                let chain = headers
                    .get("client-cert-chain")
                    .and_then(|v| v.to_str().ok())
                    .map(|list| {
                        list.split(',')
                            .filter_map(pem_from_byte_sequence)
                            .take(MAX_CHAIN)
                            .collect()
                    })
                    .unwrap_or_default();
                Some((certificate, chain))
            }
            ClientCertificateSource::AzureAppService => {
                let certificate = pem_from_base64_der(single(headers, "x-arr-clientcert")?)?;
                Some((certificate, Vec::new()))
            }
            ClientCertificateSource::Envoy => certificate_from_xfcc(headers),
            ClientCertificateSource::AwsAlbPassthrough => {
                let mut pems = pems_from_url_encoded(single(headers, "x-amzn-mtls-clientcert")?)?;
                let certificate = pems.remove(0);
                (pems.len() <= MAX_CHAIN).then_some((certificate, pems))
            }
            ClientCertificateSource::AwsAlbVerify => {
                let pems = pems_from_url_encoded(single(headers, "x-amzn-mtls-clientcert-leaf")?)?;
                let [certificate] = <[String; 1]>::try_from(pems).ok()?;
                Some((certificate, Vec::new()))
            }
        }
    }

    /// The URL the client used, without query or fragment, as the deployment says it is
    /// known (see [`PublicUrlSource`]). `None` when it is not known: with
    /// [`PublicUrlSource::Service`], when the headers it comes from are missing or say no
    /// scheme, and when a host, scheme or prefix is not well-formed (which could otherwise
    /// smuggle a query, a fragment or credentials into the URL).
    pub fn public_url(&self, uri: &http::Uri, headers: &HeaderMap) -> Option<Url> {
        let path = uri.path();
        // The authority the client addressed: the URI's (absolute form, HTTP/2), else
        // `Host`; without any `user@` part, since the URL the client used has none.
        let request_host = || {
            let host = match uri.authority() {
                Some(authority) => authority.as_str().rsplit('@').next().unwrap_or_default(),
                None => header(headers, "host")?.trim(),
            };
            valid_host(host).then_some(host)
        };
        let url = |proto: &str, host: &str, prefix: &str| {
            Url::parse(&format!("{proto}://{host}{prefix}{path}")).ok()
        };
        match &self.public_url {
            PublicUrlSource::Service => None,
            PublicUrlSource::Direct(scheme) => {
                let proto = valid_proto(scheme.as_str())?;
                url(proto, request_host()?, "")
            }
            PublicUrlSource::Fixed(base) => {
                let mut url = base.clone();
                let prefix = base.path().trim_end_matches('/');
                url.set_path(&format!("{prefix}{path}"));
                url.set_query(None);
                url.set_fragment(None);
                Some(url)
            }
            PublicUrlSource::Forwarded => {
                let forwarded = header(headers, "forwarded")
                    .and_then(|v| v.split(',').next())
                    .and_then(parse_forwarded)?;
                match forwarded.host {
                    Some(host) => url(forwarded.proto, &host, ""),
                    None => url(forwarded.proto, request_host()?, ""),
                }
            }
            PublicUrlSource::XForwarded => {
                let proto = first(header(headers, "x-forwarded-proto")).and_then(valid_proto)?;
                let host = match first(header(headers, "x-forwarded-host")) {
                    Some(host) => valid_host(host).then_some(host)?,
                    None => request_host()?,
                };
                let prefix = first(header(headers, "x-forwarded-prefix"))
                    .filter(|prefix| valid_prefix(prefix))
                    .unwrap_or("")
                    .trim_end_matches('/');
                url(proto, host, prefix)
            }
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The first element of a comma-separated header set by a chain of proxies.
fn first(value: Option<&str>) -> Option<&str> {
    value
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The `host` and `proto` of one `Forwarded` element (RFC 7239).
struct Forwarded {
    host: Option<String>,
    proto: &'static str,
}

/// The `host` (if any) and `proto` of one `Forwarded` element; `None` without a `proto`,
/// or when either is not well-formed.
fn parse_forwarded(element: &str) -> Option<Forwarded> {
    let mut host = None;
    let mut proto = None;
    for pair in element.split(';') {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => host = Some(valid_host(value).then(|| value.to_owned())?),
            "proto" => proto = Some(valid_proto(value)?),
            _ => {}
        }
    }
    Some(Forwarded {
        host,
        proto: proto?,
    })
}

/// A host (and port) with no characters that could change the URL's meaning.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// `http` or `https` (in any case), lower-cased; `None` for any other protocol.
fn valid_proto(proto: &str) -> Option<&'static str> {
    ["http", "https"]
        .into_iter()
        .find(|known| proto.eq_ignore_ascii_case(known))
}

/// A path prefix (`/auth`): no query, fragment, spaces or backslashes.
fn valid_prefix(prefix: &str) -> bool {
    prefix.starts_with('/')
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/%".contains(c))
}

/// A certificate a proxy put in a header: URL-encoded PEM, or PEM with its newlines turned
/// into spaces.
fn pem_from_header(value: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()?;
    let text = decoded.trim();
    let begin = "-----BEGIN CERTIFICATE-----";
    let end = "-----END CERTIFICATE-----";
    let body = text.strip_prefix(begin)?.strip_suffix(end)?;
    let body: String = body.split_whitespace().collect();
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    {
        return None;
    }
    Some(to_pem(&body))
}

/// An RFC 8941 byte sequence (`:base64:`) holding a DER certificate.
fn pem_from_byte_sequence(value: &str) -> Option<String> {
    let inner = value.trim().strip_prefix(':')?.strip_suffix(':')?;
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD
        .decode(inner)
        .ok()?;
    // `::` is an empty byte sequence: no certificate.
    (!der.is_empty()).then(|| to_pem(inner))
}

/// The most certificates a chain above the leaf may hold (as the `X-Ssl-Cert-Chain-*`
/// headers read).
const MAX_CHAIN: usize = 16;

/// The value of a header the request has exactly once.
fn single<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    values.next().is_none().then_some(())?;
    value.to_str().ok()
}

/// Whether `der` is exactly one DER `SEQUENCE` (an X.509 certificate is one): its tag, and
/// a definite length that covers the rest of the bytes, no more, no less.
fn is_der_sequence(der: &[u8]) -> bool {
    let [0x30, first, rest @ ..] = der else {
        return false;
    };
    let (length, content) = if *first < 0x80 {
        (usize::from(*first), rest)
    } else {
        let octets = usize::from(first & 0x7f);
        if octets == 0 || octets > 4 || rest.len() < octets {
            return false;
        }
        let (length, content) = rest.split_at(octets);
        let length = length
            .iter()
            .fold(0usize, |acc, byte| (acc << 8) | usize::from(*byte));
        (length, content)
    };
    length == content.len()
}

/// Base64 (standard alphabet, padded) of one DER certificate, as PEM.
fn pem_from_base64_der(value: &str) -> Option<String> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let der = engine.decode(value.trim()).ok()?;
    is_der_sequence(&der).then(|| to_pem(&engine.encode(der)))
}

/// URL-encoded text of one or more PEM certificates (separated by whitespace, nothing
/// else), as PEM each; `None` when any part is not a PEM certificate.
fn pems_from_url_encoded(value: &str) -> Option<Vec<String>> {
    let decoded = percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()?;
    pems_from_text(&decoded)
}

/// One or more PEM certificates separated by whitespace, as PEM each (re-encoded from
/// their DER); `None` when there is none, or when anything else is in the text.
fn pems_from_text(text: &str) -> Option<Vec<String>> {
    let begin = "-----BEGIN CERTIFICATE-----";
    let end = "-----END CERTIFICATE-----";
    let mut pems = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let after_begin = rest.strip_prefix(begin)?;
        let (body, after_end) = after_begin.split_once(end)?;
        let body: String = body.split_whitespace().collect();
        pems.push(pem_from_base64_der(&body)?);
        rest = after_end.trim_start();
        // The leaf and at most `MAX_CHAIN` more: stop reading a giant list early.
        if pems.len() > MAX_CHAIN + 1 {
            return None;
        }
    }
    (!pems.is_empty()).then_some(pems)
}

/// The certificate and chain of the last element of Envoy's `X-Forwarded-Client-Cert`.
fn certificate_from_xfcc(headers: &HeaderMap) -> Option<(String, Vec<String>)> {
    // Several header fields are one list, in order (RFC 9110, section 5.3).
    let mut joined = String::new();
    for value in headers.get_all("x-forwarded-client-cert") {
        if !joined.is_empty() {
            joined.push(',');
        }
        joined.push_str(value.to_str().ok()?);
    }
    let elements = parse_xfcc(&joined)?;
    let last = elements.last()?;
    let value = |key: &str| {
        let mut found = last.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key));
        let value = found.next().map(|(_, v)| v.as_str());
        // A key given twice is ambiguous.
        found.next().is_none().then_some(value)
    };
    let cert = match value("cert")? {
        Some(cert) => {
            let [cert] = <[String; 1]>::try_from(pems_from_url_encoded(cert)?).ok()?;
            Some(cert)
        }
        None => None,
    };
    let chain = match value("chain")? {
        Some(chain) => Some(pems_from_url_encoded(chain)?),
        None => None,
    };
    match (cert, chain) {
        (Some(cert), None) => Some((cert, Vec::new())),
        (cert, Some(mut chain)) => {
            let leaf = chain.remove(0);
            if cert.is_some_and(|cert| cert != leaf) || chain.len() > MAX_CHAIN {
                return None;
            }
            Some((leaf, chain))
        }
        (None, None) => None,
    }
}

/// Envoy's `X-Forwarded-Client-Cert` grammar: elements separated by `,`, each a list of
/// `key=value` pairs separated by `;`; a value may be double-quoted, holding `,`, `;`
/// and `=`, with `\"` for a quote (and `\` before any character for that character).
/// Optional whitespace around elements, pairs, keys and values is ignored. `None` when
/// the header does not follow the grammar.
fn parse_xfcc(header: &str) -> Option<Vec<Vec<(String, String)>>> {
    let mut elements = Vec::new();
    let mut pairs = Vec::new();
    let mut chars = header.chars().peekable();
    let skip_whitespace = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        while chars.next_if(|c| matches!(c, ' ' | '\t')).is_some() {}
    };
    loop {
        skip_whitespace(&mut chars);
        // The key.
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !matches!(c, '=' | ';' | ',' | '"')) {
            key.push(c);
        }
        let key = key.trim_end();
        if key.is_empty() || chars.next() != Some('=') {
            return None;
        }
        skip_whitespace(&mut chars);
        // The value, quoted or not.
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => value.push(chars.next()?),
                    c => value.push(c),
                }
            }
            skip_whitespace(&mut chars);
        } else {
            while let Some(c) = chars.next_if(|c| !matches!(c, ';' | ',')) {
                if matches!(c, '"' | '=') {
                    return None;
                }
                value.push(c);
            }
            value.truncate(value.trim_end().len());
        }
        pairs.push((key.to_owned(), value));
        match chars.next() {
            Some(';') => {}
            Some(',') => elements.push(std::mem::take(&mut pairs)),
            None => {
                elements.push(pairs);
                return Some(elements);
            }
            Some(_) => return None,
        }
    }
}

fn to_pem(base64: &str) -> String {
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in base64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("ASCII"));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----");
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    const CERT_BODY: &str = "MIIBszCCAVmgAwIBAgIUQ2FsbA==";

    #[test]
    fn certificate_from_an_escaped_header_with_its_chain() {
        let proxy = Proxy::default().with_client_certificate(ClientCertificateSource::Header {
            name: http::HeaderName::from_static("x-ssl-cert"),
            chain_prefix: Some("x-ssl-cert-chain-".into()),
        });
        let escaped =
            format!("-----BEGIN%20CERTIFICATE-----%0A{CERT_BODY}%0A-----END%20CERTIFICATE-----%0A");
        let spaced = format!("-----BEGIN CERTIFICATE----- {CERT_BODY} -----END CERTIFICATE-----");
        let h = headers(&[("x-ssl-cert", &escaped), ("x-ssl-cert-chain-0", &spaced)]);
        let (certificate, chain) = proxy.client_certificate(&h).unwrap();
        assert!(certificate.contains(CERT_BODY));
        assert!(certificate.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(chain.len(), 1);
        let h = headers(&[("x-ssl-cert", "(null)")]);
        assert_eq!(proxy.client_certificate(&h), None);
        assert_eq!(
            Proxy::default().client_certificate(&headers(&[("x-ssl-cert", &escaped)])),
            None
        );
    }

    #[test]
    fn certificate_from_rfc_9440_headers() {
        let proxy =
            Proxy::default().with_client_certificate(ClientCertificateSource::ClientCertHeader);
        let h = headers(&[("client-cert", &format!(":{CERT_BODY}:"))]);
        let (certificate, chain) = proxy.client_certificate(&h).unwrap();
        assert!(certificate.contains(CERT_BODY));
        assert!(chain.is_empty());
        assert_eq!(
            proxy.client_certificate(&headers(&[("client-cert", "not-a-sequence")])),
            None
        );
    }

    #[test]
    fn public_url_from_each_source() {
        let uri: http::Uri = "/token?x=1".parse().unwrap();
        let h = headers(&[
            ("host", "internal:8080"),
            (
                "forwarded",
                "for=1.2.3.4;proto=https;host=as.example.com, for=5.6.7.8",
            ),
            ("x-forwarded-host", "edge.example.com"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-prefix", "/auth/"),
        ]);
        let url = |source| {
            Proxy::default()
                .with_public_url(source)
                .public_url(&uri, &h)
                .map(String::from)
        };
        assert_eq!(url(PublicUrlSource::Service), None);
        assert_eq!(Proxy::default().public_url(&uri, &h), None);
        assert_eq!(
            url(PublicUrlSource::Direct(http::uri::Scheme::HTTP)).as_deref(),
            Some("http://internal:8080/token")
        );
        assert_eq!(
            url(PublicUrlSource::Direct(http::uri::Scheme::HTTPS)).as_deref(),
            Some("https://internal:8080/token")
        );
        assert_eq!(
            url(PublicUrlSource::Forwarded).as_deref(),
            Some("https://as.example.com/token")
        );
        assert_eq!(
            url(PublicUrlSource::XForwarded).as_deref(),
            Some("https://edge.example.com/auth/token")
        );
        assert_eq!(
            url(PublicUrlSource::Fixed(
                Url::parse("https://as.example.com/base/").unwrap()
            ))
            .as_deref(),
            Some("https://as.example.com/base/token")
        );
    }

    /// Issue 13: a scheme is never guessed. A proxy that sends no scheme gives no URL.
    #[test]
    fn no_scheme_no_url() {
        let uri: http::Uri = "/token".parse().unwrap();
        let url = |source: PublicUrlSource, pairs: &[(&'static str, &str)]| {
            Proxy::default()
                .with_public_url(source)
                .public_url(&uri, &headers(pairs))
                .map(String::from)
        };
        let host = ("host", "as.example.com");
        assert_eq!(url(PublicUrlSource::Service, &[host]), None);
        assert_eq!(url(PublicUrlSource::Forwarded, &[host]), None);
        assert_eq!(
            url(
                PublicUrlSource::Forwarded,
                &[host, ("forwarded", "host=as.example.com")]
            ),
            None
        );
        assert_eq!(url(PublicUrlSource::XForwarded, &[host]), None);
        assert_eq!(
            url(
                PublicUrlSource::XForwarded,
                &[host, ("x-forwarded-host", "edge.example.com")]
            ),
            None
        );
        // With the scheme and no forwarded host: the Host the proxy passed on.
        assert_eq!(
            url(
                PublicUrlSource::Forwarded,
                &[host, ("forwarded", "proto=http")]
            )
            .as_deref(),
            Some("http://as.example.com/token")
        );
        assert_eq!(
            url(
                PublicUrlSource::XForwarded,
                &[host, ("x-forwarded-proto", "https")]
            )
            .as_deref(),
            Some("https://as.example.com/token")
        );
        // No host at all.
        assert_eq!(
            url(PublicUrlSource::Direct(http::uri::Scheme::HTTP), &[]),
            None
        );
        assert_eq!(
            url(
                PublicUrlSource::XForwarded,
                &[("x-forwarded-proto", "https")]
            ),
            None
        );
    }

    #[test]
    fn hostile_forwarded_hosts_give_no_url() {
        let uri: http::Uri = "/token".parse().unwrap();
        for forwarded in [
            "host=\"evil.com/path?\";proto=https",
            "host=as.example.com;proto=javascript",
        ] {
            let h = headers(&[("host", "internal"), ("forwarded", forwarded)]);
            let url = Proxy::default()
                .with_public_url(PublicUrlSource::Forwarded)
                .public_url(&uri, &h);
            assert_eq!(url, None, "{forwarded}");
        }
    }

    /// Found by fuzzing (issue 7): headers could put a query, a fragment, credentials or
    /// another scheme into the public URL.
    #[test]
    fn hostile_hosts_protos_and_prefixes_never_shape_the_url() {
        let direct = PublicUrlSource::Direct(http::uri::Scheme::HTTPS);
        let url = |source: PublicUrlSource, uri: &str, pairs: &[(&'static str, &str)]| {
            Proxy::default()
                .with_public_url(source)
                .public_url(&uri.parse().unwrap(), &headers(pairs))
                .map(String::from)
        };
        for host in [
            "evil.com?x=",
            "evil.com#x",
            "evil.com/path",
            "user@evil.com",
            "",
        ] {
            assert_eq!(
                url(direct.clone(), "/token", &[("host", host)]),
                None,
                "{host:?}"
            );
        }
        assert_eq!(
            url(
                PublicUrlSource::Direct(http::uri::Scheme::HTTP),
                "http://user:pw@as.example.com/token",
                &[]
            )
            .as_deref(),
            Some("http://as.example.com/token")
        );
        let ftp: http::uri::Scheme = "ftp".parse().unwrap();
        assert_eq!(
            url(PublicUrlSource::Direct(ftp), "/token", &[("host", "a")]),
            None
        );
        let forwarded = |pairs: &[(&'static str, &str)]| {
            url(
                PublicUrlSource::XForwarded,
                "/token",
                &[&[("host", "internal")], pairs].concat(),
            )
        };
        assert_eq!(
            forwarded(&[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.com?x=")
            ]),
            None
        );
        assert_eq!(
            forwarded(&[
                ("x-forwarded-host", "as.example.com"),
                ("x-forwarded-proto", "javascript"),
            ]),
            None
        );
        assert_eq!(
            forwarded(&[
                ("x-forwarded-host", "as.example.com"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-prefix", "/a?b#c"),
            ])
            .as_deref(),
            Some("https://as.example.com/token")
        );
        assert_eq!(
            forwarded(&[
                ("x-forwarded-host", "as.example.com"),
                ("x-forwarded-proto", "HTTP"),
                ("x-forwarded-prefix", "/auth/"),
            ])
            .as_deref(),
            Some("http://as.example.com/auth/token")
        );
    }

    /// Found by fuzzing (issue 7): `Client-Cert: ::` (an empty byte sequence) gave a PEM
    /// certificate with no content.
    #[test]
    fn an_empty_rfc_9440_certificate_is_no_certificate() {
        let proxy =
            Proxy::default().with_client_certificate(ClientCertificateSource::ClientCertHeader);
        assert_eq!(
            proxy.client_certificate(&headers(&[("client-cert", "::")])),
            None
        );
        let h = headers(&[
            ("client-cert", &format!(":{CERT_BODY}:")),
            ("client-cert-chain", "::, :AA==:"),
        ]);
        assert_eq!(proxy.client_certificate(&h).unwrap().1.len(), 1);
    }

    /// Like the `X-Ssl-Cert-Chain-*` headers, `Client-Cert-Chain` gives at most 16.
    #[test]
    fn an_rfc_9440_chain_holds_at_most_16_certificates() {
        let proxy =
            Proxy::default().with_client_certificate(ClientCertificateSource::ClientCertHeader);
        let chain = vec![format!(":{CERT_BODY}:"); 40].join(", ");
        let h = headers(&[
            ("client-cert", &format!(":{CERT_BODY}:")),
            ("client-cert-chain", &chain),
        ]);
        assert_eq!(proxy.client_certificate(&h).unwrap().1.len(), MAX_CHAIN);
    }

    // --- Azure App Service, Envoy and AWS ALB (issue 15) ---------------------------------

    use base64::Engine as _;
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

    /// A real certificate (DER and PEM) for `name`.
    fn certificate(name: &str) -> (Vec<u8>, String) {
        let key = rcgen::generate_simple_self_signed(vec![name.to_owned()]).unwrap();
        (key.cert.der().to_vec(), key.cert.pem())
    }

    /// The DER of one PEM certificate as the helpers build it.
    fn der_of(pem: &str) -> Vec<u8> {
        let body: String = pem
            .strip_prefix("-----BEGIN CERTIFICATE-----\n")
            .and_then(|rest| rest.strip_suffix("\n-----END CERTIFICATE-----"))
            .unwrap()
            .lines()
            .inspect(|line| assert!(line.len() <= 64))
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    }

    /// Envoy URL-encodes everything but letters and digits.
    fn envoy_encoded(pem: &str) -> String {
        utf8_percent_encode(pem, NON_ALPHANUMERIC).to_string()
    }

    /// ALB: URL-encoded with `+`, `=` and `/` as safe characters.
    const ALB_SET: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'+')
        .remove(b'=')
        .remove(b'/');

    fn alb_encoded(pem: &str) -> String {
        utf8_percent_encode(pem, ALB_SET).to_string()
    }

    fn source(source: ClientCertificateSource) -> Proxy {
        Proxy::default().with_client_certificate(source)
    }

    fn ders(result: Option<(String, Vec<String>)>) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
        result.map(|(leaf, chain)| (der_of(&leaf), chain.iter().map(|p| der_of(p)).collect()))
    }

    #[test]
    fn azure_app_service_base64_der() {
        let (der, _) = certificate("client.example.com");
        let value = base64::engine::general_purpose::STANDARD.encode(&der);
        let proxy = source(ClientCertificateSource::AzureAppService);
        let got = ders(proxy.client_certificate(&headers(&[("x-arr-clientcert", &value)])));
        assert_eq!(got, Some((der.clone(), vec![])));
        for hostile in [
            "",
            "AA==",                        // base64, but not a certificate
            &value[..value.len() - 8],     // cut short
            &format!("{value}AAAA"),       // trailing bytes after the certificate
            &format!(":{value}:"),         // RFC 9440 framing
            "-----BEGIN CERTIFICATE-----", // PEM armour
            &value.replace('+', "-"),      // another alphabet (when it applies)
        ] {
            if hostile == value {
                continue;
            }
            let h = headers(&[("x-arr-clientcert", hostile)]);
            assert_eq!(proxy.client_certificate(&h), None, "{hostile:?}");
        }
        // Twice: no certificate rather than a guess.
        let h = headers(&[("x-arr-clientcert", &value), ("x-arr-clientcert", &value)]);
        assert_eq!(proxy.client_certificate(&h), None);
    }

    #[test]
    fn envoy_xfcc_as_envoy_documents_it() {
        let (leaf, leaf_pem) = certificate("client.example.com");
        let (ca, ca_pem) = certificate("ca.example.com");
        let (other, other_pem) = certificate("front.example.com");
        let proxy = source(ClientCertificateSource::Envoy);
        let get = |value: &str| {
            ders(proxy.client_certificate(&headers(&[("x-forwarded-client-cert", value)])))
        };
        let cert = envoy_encoded(&leaf_pem);
        let chain = envoy_encoded(&format!("{leaf_pem}{ca_pem}"));
        // One element, as with SANITIZE_SET and `cert`, `chain`, `subject`, `uri`, `dns`.
        let element = format!(
            "By=spiffe://cluster.local/ns/default/sa/as;Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688;\
             Cert=\"{cert}\";Chain=\"{chain}\";Subject=\"CN=client,O=Example\\\"; Inc.\\\"\";\
             URI=spiffe://cluster.local/ns/default/sa/client;DNS=client.example.com"
        );
        assert_eq!(get(&element), Some((leaf.clone(), vec![ca.clone()])));
        // Cert alone, unquoted (URL-encoded PEM holds no `,` `;` `=`), and Chain alone.
        assert_eq!(
            get(&format!("Hash=ab;Cert={cert}")),
            Some((leaf.clone(), vec![]))
        );
        assert_eq!(
            get(&format!("Chain=\"{chain}\"")),
            Some((leaf.clone(), vec![ca.clone()]))
        );
        // APPEND_FORWARD: one element per hop; the last is the nearest proxy's.
        let farther = format!("By=spiffe://front;Cert=\"{}\"", envoy_encoded(&other_pem));
        assert_eq!(
            get(&format!("{farther},{element}")),
            Some((leaf.clone(), vec![ca.clone()]))
        );
        assert_eq!(
            get(&format!("{element}, {farther}")),
            Some((other.clone(), vec![]))
        );
        // Several header fields are one list, in order.
        let h = headers(&[
            ("x-forwarded-client-cert", &farther),
            ("x-forwarded-client-cert", &element),
        ]);
        assert_eq!(
            ders(proxy.client_certificate(&h)),
            Some((leaf.clone(), vec![ca.clone()]))
        );
        // The nearest hop's element without a certificate: never a farther hop's.
        assert_eq!(get(&format!("{farther},By=spiffe://as;Hash=ab")), None);
        // Keys are case-insensitive.
        assert_eq!(get(&format!("cert=\"{cert}\"")), Some((leaf, vec![])));
    }

    #[test]
    fn hostile_envoy_headers_give_no_certificate() {
        let (_, leaf_pem) = certificate("client.example.com");
        let (_, ca_pem) = certificate("ca.example.com");
        let proxy = source(ClientCertificateSource::Envoy);
        let cert = envoy_encoded(&leaf_pem);
        let giant_chain = envoy_encoded(&format!("{leaf_pem}{}", ca_pem.repeat(17)));
        let long_chain = envoy_encoded(&format!("{leaf_pem}{}", ca_pem.repeat(16)));
        assert_eq!(
            proxy
                .client_certificate(&headers(&[(
                    "x-forwarded-client-cert",
                    &format!("Chain={long_chain}")
                )]))
                .map(|(_, chain)| chain.len()),
            Some(16)
        );
        let bad_utf8 = cert.replacen("MII", "%FF%FE", 1);
        let bad_escape = cert.replacen("MII", "%ZZ", 1);
        let truncated = &cert[..cert.len() / 2];
        let spliced = cert.replacen("%0A", "%0A-----END%20CERTIFICATE-----%0A", 1);
        for hostile in [
            format!("Cert=\"{cert}"),                   // unterminated quote
            format!("Cert=\"{cert}\\\""),               // the closing quote escaped
            format!("Cert=\"{cert}\"junk"),             // text after the quote
            format!("Cert={cert}\""),                   // a quote inside a bare value
            format!("Cert={bad_utf8}"),                 // not UTF-8 once decoded
            format!("Cert={bad_escape}"),               // not a percent-escape
            format!("Cert={truncated}"),                // cut short
            format!("Cert={spliced}"),                  // broken armour
            format!("Cert=\"{cert}\";Cert=\"{cert}\""), // a key twice
            format!("Cert=\"{cert}\";Chain=\"{}\"", envoy_encoded(&ca_pem)), // Chain of another leaf
            format!("Chain={giant_chain}"),                                  // 17 above the leaf
            format!("Cert=\"{}\"", envoy_encoded(&format!("{leaf_pem}{ca_pem}"))), // two as Cert
            format!("Cert={cert},"),                                         // an empty element
            format!("Cert={cert};;Hash=ab"),                                 // an empty pair
            "Cert".to_owned(),                                               // no `=`
            format!("=x;Cert={cert}"),                                       // no key
            "Cert=\"-----BEGIN CERTIFICATE-----AA==-----END CERTIFICATE-----\"".to_owned(),
            "Cert=(null)".to_owned(),
            "Cert=".to_owned(),
            format!("Cert={}", "A".repeat(100_000)),
            ",".repeat(10_000),
            "\"".repeat(10_000),
        ] {
            let h = headers(&[("x-forwarded-client-cert", &hostile)]);
            assert_eq!(proxy.client_certificate(&h), None, "{hostile:.80}");
        }
    }

    #[test]
    fn aws_alb_passthrough_and_verify() {
        let (leaf, leaf_pem) = certificate("client.example.com");
        let (ca, ca_pem) = certificate("ca.example.com");
        let passthrough = source(ClientCertificateSource::AwsAlbPassthrough);
        let verify = source(ClientCertificateSource::AwsAlbVerify);
        let chain = alb_encoded(&format!("{leaf_pem}{ca_pem}"));
        assert!(
            chain.contains('+') || chain.contains('/'),
            "ALB leaves +/= as they are"
        );
        let h = headers(&[("x-amzn-mtls-clientcert", &chain)]);
        assert_eq!(
            ders(passthrough.client_certificate(&h)),
            Some((leaf.clone(), vec![ca]))
        );
        assert_eq!(verify.client_certificate(&h), None);
        let h = headers(&[
            ("x-amzn-mtls-clientcert-leaf", &alb_encoded(&leaf_pem)),
            ("x-amzn-mtls-clientcert-serial-number", "7D5A"),
            ("x-amzn-mtls-clientcert-subject", "CN=client.example.com"),
        ]);
        assert_eq!(ders(verify.client_certificate(&h)), Some((leaf, vec![])));
        assert_eq!(passthrough.client_certificate(&h), None);
        // The leaf header holds one certificate; each header appears once.
        let h = headers(&[("x-amzn-mtls-clientcert-leaf", &chain)]);
        assert_eq!(verify.client_certificate(&h), None);
        let h = headers(&[
            ("x-amzn-mtls-clientcert", &chain),
            ("x-amzn-mtls-clientcert", &chain),
        ]);
        assert_eq!(passthrough.client_certificate(&h), None);
        let giant = alb_encoded(&format!("{leaf_pem}{}", ca_pem.repeat(17)));
        for hostile in [
            giant.as_str(),
            "",
            "%",
            "-----BEGIN%20CERTIFICATE-----",
            &chain[..chain.len() - 30],
        ] {
            let h = headers(&[("x-amzn-mtls-clientcert", hostile)]);
            assert_eq!(passthrough.client_certificate(&h), None, "{hostile:.80}");
        }
    }

    /// A header from another proxy is never read: a client could have brought it.
    #[test]
    fn each_source_reads_only_its_own_proxy_header() {
        let (der, pem) = certificate("client.example.com");
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        let all = [
            ("x-ssl-cert", envoy_encoded(&pem)),
            ("client-cert", format!(":{b64}:")),
            ("x-arr-clientcert", b64.clone()),
            (
                "x-forwarded-client-cert",
                format!("Cert=\"{}\"", envoy_encoded(&pem)),
            ),
            ("x-amzn-mtls-clientcert", alb_encoded(&pem)),
            ("x-amzn-mtls-clientcert-leaf", alb_encoded(&pem)),
        ];
        let sources = [
            ClientCertificateSource::Header {
                name: http::HeaderName::from_static("x-ssl-cert"),
                chain_prefix: None,
            },
            ClientCertificateSource::ClientCertHeader,
            ClientCertificateSource::AzureAppService,
            ClientCertificateSource::Envoy,
            ClientCertificateSource::AwsAlbPassthrough,
            ClientCertificateSource::AwsAlbVerify,
        ];
        for (own, certificate_source) in sources.into_iter().enumerate() {
            let proxy = source(certificate_source);
            let others: Vec<_> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != own)
                .map(|(_, (name, value))| (*name, value.as_str()))
                .collect();
            assert_eq!(proxy.client_certificate(&headers(&others)), None, "{own}");
            let mine = [(all[own].0, all[own].1.as_str())];
            assert_eq!(
                ders(proxy.client_certificate(&headers(&mine))),
                Some((der.clone(), vec![])),
                "{own}"
            );
        }
        assert_eq!(Proxy::default().client_certificate(&headers(&[])), None);
    }
}
