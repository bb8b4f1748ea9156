//! Mutual TLS against a loopback server that requires a client certificate: the configured
//! certificate and key are presented on every connection, a missing or foreign client
//! certificate is refused with a transport error, and the server's certificate is trusted
//! only through `trusted_root_certificates`.
//!
//! The certificates are made by rcgen for each test; the server is rustls (through
//! tokio-rustls) with the ring provider, passed explicitly, so no process-wide default
//! provider is installed or needed. The client side is whichever TLS feature the tests
//! were built with (`rustls-ring`, `aws-lc-rs`, `native-tls`): CI runs this module under
//! each.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use authlete::{Client, Config, ConfigBuilder, Error, RetryPolicy, TransportErrorKind, types};
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::{NoServerSessionStorage, WebPkiClientVerifier};
use tokio_rustls::rustls::{RootCertStore, ServerConfig, crypto};

/// How long a server connection (handshake and requests) may last.
const CONNECTION_LIMIT: Duration = Duration::from_secs(10);
/// How long a test waits for the server to report what it saw.
const EVENT_LIMIT: Duration = Duration::from_secs(10);
/// How long a whole test may take.
const TEST_LIMIT: Duration = Duration::from_secs(60);

const CLIENT_NAME: &str = "authlete-rs mTLS test client";
pub(crate) const CLIENT_SUBJECT: &str = "CN=authlete-rs mTLS test client";
const SERVICE_ID: &str = "715948317";
const ACCESS_TOKEN: &str = "mtls-service-token";
const RESPONSE: &str = r#"{"action":"OK","resultCode":"A000"}"#;

// ---------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------

/// A certificate authority: its certificate (to trust) and what signs with it.
pub(crate) struct Ca {
    certificate: Certificate,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn new(common_name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = name(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        let certificate = params.self_signed(&key).unwrap();
        Ca {
            certificate,
            issuer: Issuer::new(params, key),
        }
    }

    pub(crate) fn pem(&self) -> String {
        self.certificate.pem()
    }

    fn der(&self) -> CertificateDer<'static> {
        self.certificate.der().clone()
    }

    /// An end-entity certificate for `names` (IP addresses or DNS names), and its key.
    fn issue(
        &self,
        common_name: &str,
        names: &[&str],
        usage: ExtendedKeyUsagePurpose,
    ) -> (Certificate, KeyPair) {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params.distinguished_name = name(common_name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().unwrap();
        let certificate = params.signed_by(&key, &self.issuer).unwrap();
        (certificate, key)
    }

    /// A client certificate and its PKCS #8 key, as the PEM text the configuration takes.
    fn client_pem(&self, common_name: &str) -> String {
        let (certificate, key) = self.issue(common_name, &[], ExtendedKeyUsagePurpose::ClientAuth);
        format!("{}{}", certificate.pem(), key.serialize_pem())
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

/// The certificates of one test: a server CA, a client CA, and the client certificate.
pub(crate) struct Pki {
    pub(crate) server_ca: Ca,
    client_ca: Ca,
    pub(crate) client_pem: String,
}

impl Pki {
    pub(crate) fn new() -> Pki {
        let client_ca = Ca::new("authlete-rs mTLS test client CA");
        let client_pem = client_ca.client_pem(CLIENT_NAME);
        Pki {
            server_ca: Ca::new("authlete-rs mTLS test server CA"),
            client_ca,
            client_pem,
        }
    }
}

/// The subject of a DER certificate, as `CN=...`.
fn subject(der: &[u8]) -> String {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).expect("an X.509 certificate");
    certificate.subject().to_string()
}

// ---------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------

/// What the server saw.
#[derive(Debug)]
enum Event {
    /// A request on an established connection.
    Request {
        /// Which connection (counted from 1).
        connection: usize,
        /// The subject of the client certificate presented on that connection.
        client_subject: String,
        request_line: String,
        authorization: Option<String>,
    },
    /// A connection whose TLS handshake failed.
    Refused { connection: usize, error: String },
}

/// A loopback HTTPS server that requires a client certificate signed by one CA, answers
/// every request with [`RESPONSE`] and reports what it sees. Every connection makes a full
/// handshake: no session resumption, so the client certificate is sent each time.
pub(crate) struct Server {
    pub(crate) port: u16,
    events: mpsc::UnboundedReceiver<Event>,
    accept_loop: JoinHandle<()>,
}

impl Server {
    /// `close_each`: close the connection after each answer, so that every call opens a
    /// new connection; otherwise keep it alive.
    pub(crate) async fn start(pki: &Pki, close_each: bool) -> Server {
        let provider = Arc::new(crypto::ring::default_provider());
        let mut client_roots = RootCertStore::empty();
        client_roots.add(pki.client_ca.der()).unwrap();
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(client_roots), provider.clone())
                .build()
                .unwrap();
        let (certificate, key) = pki.server_ca.issue(
            "authlete-rs mTLS test server",
            &["127.0.0.1", "localhost"],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![certificate.der().clone()], key)
            .unwrap();
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (sender, events) = mpsc::unbounded_channel();
        let connections = Arc::new(AtomicUsize::new(0));
        let accept_loop = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let connection = connections.fetch_add(1, Ordering::SeqCst) + 1;
                let acceptor = acceptor.clone();
                let sender = sender.clone();
                tokio::spawn(tokio::time::timeout(
                    CONNECTION_LIMIT,
                    serve(acceptor, tcp, connection, sender, close_each),
                ));
            }
        });
        Server {
            port,
            events,
            accept_loop,
        }
    }

    pub(crate) fn base_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The next event, waiting at most [`EVENT_LIMIT`].
    async fn next_event(&mut self) -> Event {
        tokio::time::timeout(EVENT_LIMIT, self.events.recv())
            .await
            .expect("the server reported nothing in time")
            .expect("the server stopped")
    }

    /// The next event, which must be a request: its connection and client subject.
    pub(crate) async fn next_request(&mut self) -> (usize, String) {
        match self.next_event().await {
            Event::Request {
                connection,
                client_subject,
                request_line,
                authorization,
            } => {
                assert_eq!(
                    request_line,
                    format!("POST /api/{SERVICE_ID}/auth/token HTTP/1.1")
                );
                assert_eq!(
                    authorization.as_deref(),
                    Some(format!("Bearer {ACCESS_TOKEN}").as_str())
                );
                (connection, client_subject)
            }
            other => panic!("expected a request, got {other:?}"),
        }
    }

    /// The next event, which must be a refused handshake: its connection and error.
    async fn next_refusal(&mut self) -> (usize, String) {
        match self.next_event().await {
            Event::Refused { connection, error } => (connection, error),
            other => panic!("expected a refused handshake, got {other:?}"),
        }
    }

    /// Nothing more was reported.
    pub(crate) fn assert_quiet(&mut self) {
        if let Ok(event) = self.events.try_recv() {
            panic!("unexpected {event:?}");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

/// One connection: the handshake, then HTTP/1.1 requests until the client closes it (or
/// after the first answer, with `close_each`).
async fn serve(
    acceptor: TlsAcceptor,
    tcp: TcpStream,
    connection: usize,
    events: mpsc::UnboundedSender<Event>,
    close_each: bool,
) {
    let tls = match acceptor.accept(tcp).await {
        Ok(tls) => tls,
        Err(error) => {
            let _ = events.send(Event::Refused {
                connection,
                error: error.to_string(),
            });
            return;
        }
    };
    let client_subject = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .map(|leaf| subject(leaf))
        .unwrap_or_default();
    let mut stream = BufReader::new(tls);
    loop {
        // The head: request line and headers, up to the empty line.
        let mut request_line = String::new();
        match stream.read_line(&mut request_line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut content_length = 0;
        let mut authorization = None;
        loop {
            let mut line = String::new();
            match stream.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                return;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                // Not expected from the client: give up on the connection.
                return;
            }
        }
        let mut body = vec![0; content_length];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        let _ = events.send(Event::Request {
            connection,
            client_subject: client_subject.clone(),
            request_line: request_line.trim_end().to_owned(),
            authorization,
        });
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: {}\r\n\r\n{RESPONSE}",
            RESPONSE.len(),
            if close_each { "close" } else { "keep-alive" },
        );
        let tls = stream.get_mut();
        if tls.write_all(answer.as_bytes()).await.is_err() || tls.flush().await.is_err() {
            return;
        }
        if close_each {
            let _ = tls.shutdown().await;
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------

/// A V3 configuration for `server`, trusting the server's CA.
pub(crate) fn config(server: &Server, pki: &Pki) -> ConfigBuilder {
    Config::builder()
        .base_url(server.base_url())
        .service_api_key(SERVICE_ID)
        .service_access_token(ACCESS_TOKEN)
        .trusted_root_certificates(pki.server_ca.pem())
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(5))
        .total_timeout(Duration::from_secs(10))
}

/// A client making exactly one attempt per call, so that the server's reports match the
/// calls one to one.
pub(crate) fn one_attempt_client(config: Config) -> Client {
    Client::builder(config)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

async fn call(client: &Client) -> Result<types::TokenResponse, Error> {
    client
        .token(&types::TokenRequest {
            parameters: "grant_type=authorization_code&code=mtls".into(),
            ..Default::default()
        })
        .await
}

pub(crate) async fn assert_ok(client: &Client) {
    let response = call(client).await.expect("the call succeeds");
    assert_eq!(response.action, Some(types::TokenResponseAction::Ok));
    assert_eq!(response.result_code.as_deref(), Some("A000"));
}

/// The call fails with a TLS error, which is not worth retrying; returns its message.
async fn assert_transport_error(client: &Client) -> String {
    match call(client).await {
        Err(Error::Transport(transport)) if transport.kind() == TransportErrorKind::Tls => {
            let error = Error::Transport(transport);
            assert!(!error.is_retryable(), "{error}");
            // What a reporter prints: the error, then each of its sources.
            std::iter::successors(Some(&error as &(dyn std::error::Error + 'static)), |e| {
                e.source()
            })
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ")
        }
        other => panic!("expected a TLS transport error, got {other:?}"),
    }
}

/// How the client's TLS library words a refusal, by TLS feature.
#[cfg(not(feature = "native-tls"))]
mod client_says {
    pub(super) const CERTIFICATE_REQUIRED: &str = "CertificateRequired";
    pub(super) const UNKNOWN_CA: &str = "UnknownCA";
    pub(super) const UNKNOWN_ISSUER: &str = "UnknownIssuer";
}

/// How the client's TLS library words a refusal, by TLS feature (OpenSSL on Linux).
#[cfg(feature = "native-tls")]
mod client_says {
    pub(super) const CERTIFICATE_REQUIRED: &str = "alert certificate required";
    pub(super) const UNKNOWN_CA: &str = "alert unknown ca";
    pub(super) const UNKNOWN_ISSUER: &str = "certificate verify failed";
}

/// Runs a test body within [`TEST_LIMIT`].
pub(crate) async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("the test took too long");
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

/// (a) The certificate configured through the builder is presented, on a kept-alive
/// connection and on new connections alike.
#[tokio::test]
async fn client_certificate_from_the_builder_is_presented() {
    bounded(async {
        let pki = Pki::new();

        // Two calls on one kept-alive connection.
        let mut server = Server::start(&pki, false).await;
        let client = one_attempt_client(
            config(&server, &pki)
                .client_certificate(pki.client_pem.clone())
                .build()
                .unwrap(),
        );
        assert_ok(&client).await;
        assert_ok(&client).await;
        let (first, subject_1) = server.next_request().await;
        let (second, subject_2) = server.next_request().await;
        assert_eq!(subject_1, CLIENT_SUBJECT);
        assert_eq!(subject_2, CLIENT_SUBJECT);
        assert_eq!(first, second, "the connection was kept alive");
        server.assert_quiet();

        // Two calls, each on a new connection with a full handshake.
        let mut server = Server::start(&pki, true).await;
        let client = one_attempt_client(
            config(&server, &pki)
                .client_certificate(pki.client_pem.clone())
                .build()
                .unwrap(),
        );
        assert_ok(&client).await;
        assert_ok(&client).await;
        let (first, subject_1) = server.next_request().await;
        let (second, subject_2) = server.next_request().await;
        assert_eq!(subject_1, CLIENT_SUBJECT);
        assert_eq!(subject_2, CLIENT_SUBJECT);
        assert_ne!(first, second, "each call had its own connection");
        server.assert_quiet();
    })
    .await;
}

/// (a) The same with the certificate and trusted roots from the environment, written on
/// one line with `\n` escapes, and the client from `Client::new`.
#[tokio::test]
async fn client_certificate_from_the_environment_is_presented() {
    bounded(async {
        let pki = Pki::new();
        let mut server = Server::start(&pki, true).await;
        let base_url = server.base_url();
        let certificate = pki.client_pem.trim().replace('\n', "\\n");
        let roots = pki.server_ca.pem().trim().replace('\n', "\\n");
        let config = Config::from_env_with(|name| {
            Some(match name {
                "AUTHLETE_BASE_URL" => base_url.clone(),
                "AUTHLETE_SERVICE_APIKEY" => SERVICE_ID.to_owned(),
                "AUTHLETE_SERVICE_ACCESSTOKEN" => ACCESS_TOKEN.to_owned(),
                "AUTHLETE_CLIENT_CERTIFICATE" => certificate.clone(),
                "AUTHLETE_TRUSTED_ROOT_CERTIFICATES" => roots.clone(),
                "AUTHLETE_TIMEOUT_CONNECT" => "5".to_owned(),
                "AUTHLETE_TIMEOUT_READ" => "5".to_owned(),
                "AUTHLETE_TIMEOUT_TOTAL" => "10".to_owned(),
                _ => return None,
            })
        })
        .unwrap();
        assert!(config.client_certificate().is_some());
        let client = Client::new(config).unwrap();
        assert_ok(&client).await;
        assert_ok(&client).await;
        let (first, subject_1) = server.next_request().await;
        let (second, subject_2) = server.next_request().await;
        assert_eq!(subject_1, CLIENT_SUBJECT);
        assert_eq!(subject_2, CLIENT_SUBJECT);
        assert_ne!(first, second);
        server.assert_quiet();
    })
    .await;
}

/// (b) Without a client certificate the server refuses the handshake: a transport error,
/// and no request reaches the server.
#[tokio::test]
async fn no_client_certificate_is_refused() {
    bounded(async {
        let pki = Pki::new();
        let mut server = Server::start(&pki, false).await;
        let client = one_attempt_client(config(&server, &pki).build().unwrap());
        let message = assert_transport_error(&client).await;
        assert!(message.contains("auth_token_api"), "{message}");
        // With TLS 1.3 the client learns of the refusal from the server's alert.
        assert!(
            message.contains(client_says::CERTIFICATE_REQUIRED),
            "{message}"
        );
        let (_, refusal) = server.next_refusal().await;
        assert!(refusal.contains("no certificates"), "{refusal}");
        server.assert_quiet();
    })
    .await;
}

/// (c) A client certificate signed by another CA is refused the same way.
#[tokio::test]
async fn client_certificate_from_another_ca_is_refused() {
    bounded(async {
        let pki = Pki::new();
        // Same subject, wrong issuer.
        let stranger = Ca::new("authlete-rs mTLS test other CA").client_pem(CLIENT_NAME);
        let mut server = Server::start(&pki, false).await;
        let client = one_attempt_client(
            config(&server, &pki)
                .client_certificate(stranger)
                .build()
                .unwrap(),
        );
        let message = assert_transport_error(&client).await;
        assert!(message.contains(client_says::UNKNOWN_CA), "{message}");
        let (_, refusal) = server.next_refusal().await;
        assert!(refusal.contains("UnknownIssuer"), "{refusal}");
        server.assert_quiet();
    })
    .await;
}

/// (d) The server's certificate is trusted only through `trusted_root_certificates`:
/// without it, the client refuses the server.
#[tokio::test]
async fn server_is_trusted_only_through_trusted_root_certificates() {
    bounded(async {
        let pki = Pki::new();
        let mut server = Server::start(&pki, false).await;

        let untrusting = one_attempt_client(
            config(&server, &pki)
                .trusted_root_certificates("")
                .client_certificate(pki.client_pem.clone())
                .build()
                .unwrap(),
        );
        let message = assert_transport_error(&untrusting).await;
        assert!(message.contains(client_says::UNKNOWN_ISSUER), "{message}");
        let (untrusting_connection, refusal) = server.next_refusal().await;
        assert!(refusal.to_lowercase().contains("alert"), "{refusal}");

        // Trusting another CA is no better.
        let misled = one_attempt_client(
            config(&server, &pki)
                .trusted_root_certificates(pki.client_ca.pem())
                .client_certificate(pki.client_pem.clone())
                .build()
                .unwrap(),
        );
        let message = assert_transport_error(&misled).await;
        assert!(message.contains(client_says::UNKNOWN_ISSUER), "{message}");
        let (misled_connection, _) = server.next_refusal().await;

        // With the server's CA, the same configuration succeeds.
        let trusting = one_attempt_client(
            config(&server, &pki)
                .client_certificate(pki.client_pem.clone())
                .build()
                .unwrap(),
        );
        assert_ok(&trusting).await;
        let (trusting_connection, subject) = server.next_request().await;
        assert_eq!(subject, CLIENT_SUBJECT);
        assert_eq!(
            [
                untrusting_connection,
                misled_connection,
                trusting_connection
            ],
            [1, 2, 3]
        );
        server.assert_quiet();
    })
    .await;
}
