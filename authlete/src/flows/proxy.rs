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
                    .map(|list| list.split(',').filter_map(pem_from_byte_sequence).collect())
                    .unwrap_or_default();
                Some((certificate, chain))
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
}
