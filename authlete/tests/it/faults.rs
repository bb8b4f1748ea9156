//! Fault tests (issue 7): a loopback server that misbehaves on purpose, and the typed
//! [`authlete::Error`] each misbehaviour must end in, within the configured timeouts.
//!
//! [`FaultServer`] is a small HTTP/1.1 server with keep-alive that asks a function what to
//! do with each request ([`Fault`]): answer, reset the connection, stop in the middle of a
//! body, stall, trickle, or stream a huge body. The load test (`load.rs`) uses it too.
//!
//! Every test runs inside [`within`], so that a hang fails the test instead of the build.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use authlete::{ApiVersion, Client, Config, Error, RetryPolicy, TransportErrorKind, types};
use bytes::Bytes;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

// ---------------------------------------------------------------------------------------
// The misbehaving server.
// ---------------------------------------------------------------------------------------

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers with a status, extra headers and a body (`content-length` set; `content-type:
    /// application/json` unless a header sets it), and keeps the connection open.
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Bytes,
    },
    /// Resets the connection (TCP RST) after reading the request, before answering.
    Reset,
    /// Closes the connection (FIN) after reading the request, before answering.
    Close,
    /// Sends a head that announces `declared` body bytes, then `body` (fewer), then `end`.
    Partial {
        status: u16,
        declared: usize,
        body: Bytes,
        end: End,
    },
    /// Waits, then does the next thing.
    Delay(Duration, Box<Fault>),
    /// Reads the request and never answers (until the server is dropped).
    Stall,
    /// Streams a body of `len` bytes with `content-length`: `prefix`, then `filler` repeated,
    /// then `suffix`, without holding it in memory.
    Large {
        status: u16,
        content_type: &'static str,
        prefix: &'static str,
        filler: u8,
        suffix: &'static str,
        len: usize,
    },
    /// A `200` with a chunked body that sends one byte every `interval`, forever: the read
    /// timeout never fires, only the total timeout can end the call.
    Trickle { interval: Duration },
    /// A `200` with a chunked body (no `content-length`): `body` in 16 KiB chunks, then, if
    /// `flood` is set, that byte as fast as the client reads, forever.
    Chunked { body: Bytes, flood: Option<u8> },
}

/// How a [`Fault::Partial`] answer ends.
#[derive(Clone, Copy, Debug)]
pub enum End {
    /// TCP RST.
    Reset,
    /// TCP FIN.
    Close,
    /// Nothing more, connection left open.
    Stall,
}

impl Fault {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Self {
        Fault::Answer {
            status,
            headers: Vec::new(),
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    /// The same answer with one more header.
    pub fn with_header(self, name: &'static str, value: impl Into<String>) -> Self {
        match self {
            Fault::Answer {
                status,
                mut headers,
                body,
            } => {
                headers.push((name, value.into()));
                Fault::Answer {
                    status,
                    headers,
                    body,
                }
            }
            other => panic!("only answers take headers, not {other:?}"),
        }
    }
}

/// A request as the server saw it.
#[derive(Debug)]
pub struct Seen {
    /// Arrival order, from 0, over all connections.
    pub index: usize,
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

type Behaviour = Arc<dyn Fn(&Seen) -> Fault + Send + Sync>;

/// A running misbehaving server; it stops, closing every connection, when dropped.
pub struct FaultServer {
    pub base_url: String,
    requests: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultServer {
    /// A server that asks `behaviour` what to do with each request.
    pub async fn start(behaviour: impl Fn(&Seen) -> Fault + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let behaviour: Behaviour = Arc::new(behaviour);
        let (counter, accepted) = (requests.clone(), connections.clone());
        let task = tokio::spawn(async move {
            // Connection tasks live in this set: aborting the server aborts them all, which
            // closes their sockets (the load test counts file descriptors afterwards).
            let mut open = JoinSet::new();
            loop {
                tokio::select! {
                    accepted_socket = listener.accept() => {
                        let Ok((socket, _)) = accepted_socket else { return };
                        accepted.fetch_add(1, Ordering::SeqCst);
                        open.spawn(serve(socket, behaviour.clone(), counter.clone()));
                    }
                    Some(_) = open.join_next(), if !open.is_empty() => {}
                }
            }
        });
        Self {
            base_url,
            requests,
            connections,
            task,
        }
    }

    /// A server that does the same thing with every request.
    pub async fn always(fault: Fault) -> Self {
        Self::start(move |_| fault.clone()).await
    }

    /// A server that follows `script` in order; requests past its end get the last entry.
    pub async fn script(script: Vec<Fault>) -> Self {
        Self::start(move |seen| script[seen.index.min(script.len() - 1)].clone()).await
    }

    /// Requests read so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection: requests one after the other (keep-alive) until a fault ends it.
async fn serve(mut socket: TcpStream, behaviour: Behaviour, counter: Arc<AtomicUsize>) {
    let _ = socket.set_nodelay(true);
    let mut buffer = Vec::new();
    while let Some((method, path, body)) = read_request(&mut socket, &mut buffer).await {
        let index = counter.fetch_add(1, Ordering::SeqCst);
        let fault = behaviour(&Seen {
            index,
            method,
            path,
            body,
        });
        if !act(&mut socket, fault).await {
            return;
        }
    }
}

/// Does what `fault` says; false when the connection is over.
async fn act(socket: &mut TcpStream, mut fault: Fault) -> bool {
    while let Fault::Delay(wait, next) = fault {
        tokio::time::sleep(wait).await;
        fault = *next;
    }
    match fault {
        Fault::Delay(..) => unreachable!("delays are waited out above"),
        Fault::Answer {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                head.push_str("content-type: application/json\r\n");
            }
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let mut out = head.into_bytes();
            out.extend_from_slice(&body);
            socket.write_all(&out).await.is_ok()
        }
        Fault::Reset => {
            let _ = socket.set_zero_linger();
            false
        }
        Fault::Close => {
            let _ = socket.shutdown().await;
            false
        }
        Fault::Partial {
            status,
            declared,
            body,
            end,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                 content-length: {declared}\r\n\r\n"
            );
            if socket.write_all(head.as_bytes()).await.is_err()
                || socket.write_all(&body).await.is_err()
            {
                return false;
            }
            let _ = socket.flush().await;
            // Let the client read the head and start on the body before the connection ends.
            tokio::time::sleep(Duration::from_millis(20)).await;
            match end {
                End::Reset => {
                    let _ = socket.set_zero_linger();
                }
                End::Close => {
                    let _ = socket.shutdown().await;
                }
                End::Stall => std::future::pending::<()>().await,
            }
            false
        }
        Fault::Stall => std::future::pending().await,
        Fault::Large {
            status,
            content_type,
            prefix,
            filler,
            suffix,
            len,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {len}\r\n\r\n"
            );
            if socket.write_all(head.as_bytes()).await.is_err()
                || socket.write_all(prefix.as_bytes()).await.is_err()
            {
                return false;
            }
            let chunk = vec![filler; 64 * 1024];
            let mut left = len - prefix.len() - suffix.len();
            while left > 0 {
                let n = left.min(chunk.len());
                if socket.write_all(&chunk[..n]).await.is_err() {
                    return false;
                }
                left -= n;
            }
            socket.write_all(suffix.as_bytes()).await.is_ok()
        }
        Fault::Chunked { body, flood } => {
            let head = "HTTP/1.1 200 X\r\ncontent-type: application/json\r\n\
                        transfer-encoding: chunked\r\n\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let write_chunk = |chunk: &[u8]| {
                let mut out = format!("{:x}\r\n", chunk.len()).into_bytes();
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
                out
            };
            for chunk in body.chunks(16 * 1024) {
                if socket.write_all(&write_chunk(chunk)).await.is_err() {
                    return false;
                }
            }
            if let Some(filler) = flood {
                let chunk = write_chunk(&[filler; 64 * 1024]);
                while socket.write_all(&chunk).await.is_ok() {}
                return false;
            }
            socket.write_all(b"0\r\n\r\n").await.is_ok()
        }
        Fault::Trickle { interval } => {
            let head = "HTTP/1.1 200 X\r\ncontent-type: application/json\r\n\
                        transfer-encoding: chunked\r\n\r\n1\r\n{\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            // JSON allows any amount of whitespace: the body is never over.
            while socket.write_all(b"1\r\n \r\n").await.is_ok() {
                tokio::time::sleep(interval).await;
            }
            false
        }
    }
}

/// Reads one request (head and `content-length` body); `None` when the client closed the
/// connection. Bytes past the request stay in `buffer` for the next one.
async fn read_request(
    socket: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> Option<(String, String, Vec<u8>)> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let length = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                let body = buffer[end + 4..end + 4 + length].to_vec();
                buffer.drain(..end + 4 + length);
                let mut words = head.split_whitespace();
                let method = words.next().unwrap_or_default().to_owned();
                let path = words.next().unwrap_or_default().to_owned();
                return Some((method, path, body));
            }
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Helpers for the tests.
// ---------------------------------------------------------------------------------------

/// The longest any test below may take before it counts as hung.
const HANG: Duration = Duration::from_secs(20);

/// Runs a test body, failing it if it does not finish within [`HANG`].
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG, test)
        .await
        .expect("the call hung: no error within the bound")
}

/// The timeouts every test client uses, unless it says otherwise.
#[derive(Clone, Copy)]
struct Timeouts {
    connect: Duration,
    read: Duration,
    total: Duration,
}

const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    read: Duration::from_millis(300),
    total: Duration::from_secs(3),
};

/// Slack for scheduling on a loaded 2-core CI machine, on top of any computed bound.
const SLACK: Duration = Duration::from_secs(2);

fn client(base_url: &str, timeouts: Timeouts, policy: RetryPolicy) -> Client {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key("7159")
        .service_access_token("svc-token")
        .connect_timeout(timeouts.connect)
        .read_timeout(timeouts.read)
        .total_timeout(timeouts.total)
        .build()
        .unwrap();
    Client::builder(config)
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// The default retry rules with short waits, so that retried faults stay fast.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(50))
        .with_budget(Duration::from_secs(5))
}

fn token_request() -> types::TokenRequest {
    types::TokenRequest {
        parameters: "grant_type=authorization_code&code=abc".into(),
        ..Default::default()
    }
}

/// A token call (a POST, never repeated once it may have reached Authlete), timed.
async fn token_call(client: &Client) -> (Result<types::TokenResponse, Error>, Duration) {
    let started = Instant::now();
    let result = client.token(&token_request()).await;
    (result, started.elapsed())
}

/// A service read (a GET, which the default policy may repeat), timed.
async fn service_call(client: &Client) -> (Result<types::Service, Error>, Duration) {
    let started = Instant::now();
    let result = client.get_service("7159").await;
    (result, started.elapsed())
}

fn transport_kind<T: std::fmt::Debug>(result: &Result<T, Error>) -> TransportErrorKind {
    match result {
        Err(Error::Transport(transport)) => transport.kind(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

fn assert_within(elapsed: Duration, bound: Duration, what: &str) {
    assert!(
        elapsed <= bound + SLACK,
        "{what} took {elapsed:?}, more than its bound {bound:?} (+ {SLACK:?} slack)"
    );
}

const OK_TOKEN: &str = r#"{"action":"OK","resultCode":"A050001","responseContent":"{}"}"#;
const OK_SERVICE: &str = r#"{"apiKey":7159,"serviceName":"s"}"#;
const HTML_500: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title>\
                        </head><body><h1>Internal Server Error</h1><p>upstream failed</p>\
                        </body></html>\n";

// ---------------------------------------------------------------------------------------
// Connection refused.
// ---------------------------------------------------------------------------------------

/// A loopback port nothing listens on (it was free a moment ago).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_after_bounded_retries() {
    within(async {
        let base_url = format!("http://127.0.0.1:{}", closed_port());
        // Nothing reached Authlete, so even a POST is retried: 3 attempts, quick backoff.
        let (result, elapsed) = token_call(&client(&base_url, TIMEOUTS, quick())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Connect);
        let error = result.unwrap_err();
        assert!(error.is_retryable());
        assert_eq!(error.operation(), Some("auth_token_api"));
        assert_within(elapsed, quick().budget(), "connection refused, retried");

        let (result, elapsed) =
            token_call(&client(&base_url, TIMEOUTS, RetryPolicy::disabled())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Connect);
        assert_within(elapsed, TIMEOUTS.connect, "connection refused, once");
    })
    .await;
}

#[tokio::test]
async fn a_connection_closed_or_reset_before_any_answer_is_interrupted() {
    within(async {
        for fault in [Fault::Close, Fault::Reset] {
            let server = FaultServer::always(fault.clone()).await;
            let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
            assert_eq!(
                transport_kind(&result),
                TransportErrorKind::Interrupted,
                "{fault:?}: {result:?}"
            );
            // The request was sent: a POST must not be sent again.
            assert_eq!(server.requests(), 1, "{fault:?}");
            assert_within(elapsed, TIMEOUTS.total, "closed before answering");
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Reset in the middle of a body.
// ---------------------------------------------------------------------------------------

/// 100 bytes of a body that announced 1000.
fn first_100_bytes() -> Bytes {
    let mut body = br#"{"action":"OK","resultCode":"A050001","responseContent":""#.to_vec();
    body.resize(100, b'x');
    Bytes::from(body)
}

#[tokio::test]
async fn a_reset_in_the_middle_of_a_success_body_is_interrupted() {
    within(async {
        for end in [End::Reset, End::Close] {
            let server = FaultServer::script(vec![
                Fault::Partial {
                    status: 200,
                    declared: 1000,
                    body: first_100_bytes(),
                    end,
                },
                Fault::json(200, OK_TOKEN),
            ])
            .await;
            let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
            assert_eq!(
                transport_kind(&result),
                TransportErrorKind::Interrupted,
                "{end:?}: {result:?}"
            );
            let error = result.unwrap_err();
            assert!(error.is_retryable(), "{error}");
            assert!(error.to_string().contains("broke"), "{error}");
            assert_eq!(server.requests(), 1, "a POST is not sent again");
            assert_within(elapsed, TIMEOUTS.total, "reset mid-body");
        }
    })
    .await;
}

#[tokio::test]
async fn a_reset_in_the_middle_of_an_error_body_is_interrupted() {
    // The middleware reads error bodies itself (to keep them): the break surfaces there.
    within(async {
        let server = FaultServer::always(Fault::Partial {
            status: 500,
            declared: 1000,
            body: Bytes::from_static(br#"{"resultCode":"A000001","resultMessage":"#),
            end: End::Reset,
        })
        .await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Interrupted);
        assert_eq!(server.requests(), 1);
        assert_within(elapsed, TIMEOUTS.total, "reset mid error body");
    })
    .await;
}

fn get_body_reset() -> Fault {
    Fault::Partial {
        status: 200,
        declared: 1000,
        body: Bytes::from_static(br#"{"apiKey":7159,"serviceName":"s"#),
        end: End::Reset,
    }
}

#[tokio::test]
async fn a_get_whose_body_breaks_is_retried() {
    // The whole answer is read inside the retry loop, so a body that breaks counts as a
    // broken exchange: a GET is sent again.
    within(async {
        let server =
            FaultServer::script(vec![get_body_reset(), Fault::json(200, OK_SERVICE)]).await;
        let (result, elapsed) = service_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(
            result.expect("the retry succeeds").service_name.as_deref(),
            Some("s")
        );
        assert_eq!(server.requests(), 2);
        assert_within(
            elapsed,
            TIMEOUTS.total,
            "reset mid GET body, then an answer",
        );
    })
    .await;
}

#[tokio::test]
async fn a_get_whose_body_always_breaks_is_interrupted_after_the_attempts() {
    within(async {
        let server = FaultServer::always(get_body_reset()).await;
        let (result, elapsed) = service_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Interrupted);
        assert_eq!(server.requests(), 3, "max_attempts");
        assert_within(elapsed, TIMEOUTS.total, "reset mid GET body, 3 times");
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Stalls.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_stall_before_the_head_hits_the_read_timeout() {
    within(async {
        let server = FaultServer::always(Fault::Stall).await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Timeout);
        let error = result.unwrap_err();
        assert!(error.to_string().contains("timed out"), "{error}");
        assert!(
            error.to_string().contains("read timeout (300ms)"),
            "{error}"
        );
        assert_eq!(
            server.requests(),
            1,
            "a POST is not sent again after a timeout"
        );
        assert!(elapsed >= TIMEOUTS.read, "{elapsed:?}");
        assert_within(elapsed, TIMEOUTS.read, "stall");
    })
    .await;
}

#[tokio::test]
async fn a_stall_in_the_middle_of_a_body_hits_the_read_timeout() {
    within(async {
        let server = FaultServer::always(Fault::Partial {
            status: 200,
            declared: 1000,
            body: first_100_bytes(),
            end: End::Stall,
        })
        .await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Timeout);
        assert_within(elapsed, TIMEOUTS.read, "stall mid-body");
    })
    .await;
}

#[tokio::test]
async fn a_stalled_get_is_retried_then_times_out_within_the_budget() {
    within(async {
        let server = FaultServer::always(Fault::Stall).await;
        let (result, elapsed) = service_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Timeout);
        assert_eq!(server.requests(), 3, "a GET is retried after a timeout");
        assert_within(
            elapsed,
            TIMEOUTS.read * 3 + quick().max_backoff() * 2,
            "3 stalled GETs",
        );
    })
    .await;
}

#[tokio::test]
async fn a_body_that_trickles_forever_hits_the_total_timeout() {
    // One byte every 50 ms: every read succeeds well within the read timeout, so only the
    // total timeout can end the call.
    within(async {
        let server = FaultServer::always(Fault::Trickle {
            interval: Duration::from_millis(50),
        })
        .await;
        let timeouts = Timeouts {
            total: Duration::from_secs(1),
            ..TIMEOUTS
        };
        let (result, elapsed) = token_call(&client(&server.base_url, timeouts, quick())).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Timeout);
        let error = result.unwrap_err().to_string();
        assert!(error.contains("total timeout (1s)"), "{error}");
        assert!(elapsed >= timeouts.total, "{elapsed:?}");
        assert_within(elapsed, timeouts.total, "trickle");
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// 5xx with an HTML body.
// ---------------------------------------------------------------------------------------

fn html(status: u16) -> Fault {
    Fault::Answer {
        status,
        headers: vec![("content-type", "text/html; charset=utf-8".into())],
        body: Bytes::from_static(HTML_500.as_bytes()),
    }
}

#[tokio::test]
async fn a_5xx_with_an_html_body_is_an_api_error_keeping_the_page() {
    within(async {
        let server = FaultServer::always(html(500)).await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        let error = result.unwrap_err();
        let Error::Api(api) = &error else {
            panic!("expected an API error, got {error:?}");
        };
        assert_eq!(api.status(), 500);
        assert_eq!(api.result_code(), None);
        assert_eq!(api.result_message(), None);
        assert_eq!(api.body_text(), HTML_500);
        assert!(!error.is_retryable());
        let shown = error.to_string();
        assert!(shown.contains("not Authlete's JSON"), "{shown}");
        assert!(!shown.contains('\n'), "one line: {shown:?}");
        assert_eq!(server.requests(), 1);
        assert_within(elapsed, TIMEOUTS.total, "HTML 500");
    })
    .await;
}

#[tokio::test]
async fn an_html_503_is_retried_then_reported_with_its_page() {
    within(async {
        let server = FaultServer::always(html(503)).await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        let error = result.unwrap_err();
        let Error::Api(api) = &error else {
            panic!("expected an API error, got {error:?}");
        };
        assert_eq!(api.status(), 503);
        assert_eq!(api.body_text(), HTML_500);
        assert!(error.is_retryable());
        assert_eq!(server.requests(), 3, "503 asks to come back: 3 attempts");
        assert_within(elapsed, quick().budget(), "HTML 503");
    })
    .await;
}

#[tokio::test]
async fn an_html_502_to_a_get_is_retried_then_reported() {
    within(async {
        let server =
            FaultServer::script(vec![html(502), html(502), Fault::json(200, OK_SERVICE)]).await;
        let (result, _) = service_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(result.unwrap().service_name.as_deref(), Some("s"));
        assert_eq!(server.requests(), 3);

        let server = FaultServer::always(html(502)).await;
        let (result, elapsed) = service_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        let error = result.unwrap_err();
        assert_eq!(
            error.status(),
            Some(http::StatusCode::BAD_GATEWAY),
            "{error:?}"
        );
        assert!(matches!(error, Error::Api(_)));
        assert_within(elapsed, quick().budget(), "HTML 502");
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Truncated JSON.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn truncated_json_with_a_matching_length_is_a_decode_error() {
    within(async {
        let cut = &OK_TOKEN[..OK_TOKEN.len() - 12];
        let server = FaultServer::always(Fault::json(200, cut)).await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        let error = result.unwrap_err();
        let Error::Decode(decode) = &error else {
            panic!("expected a decode error, got {error:?}");
        };
        assert_eq!(decode.status(), 200);
        assert_eq!(decode.body(), cut.as_bytes());
        assert!(decode.message().contains("EOF"), "{}", decode.message());
        assert!(!error.is_retryable());
        assert_eq!(server.requests(), 1);
        assert_within(elapsed, TIMEOUTS.total, "truncated JSON");
    })
    .await;
}

#[tokio::test]
async fn truncated_json_in_an_error_answer_is_an_api_error_with_the_raw_body() {
    within(async {
        let cut = r#"{"resultCode":"A001202","resultMess"#;
        let server = FaultServer::always(Fault::json(400, cut)).await;
        let (result, _) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        let error = result.unwrap_err();
        let Error::Api(api) = &error else {
            panic!("expected an API error, got {error:?}");
        };
        assert_eq!(api.status(), 400);
        assert_eq!(api.result_code(), None, "a cut body is not trusted in part");
        assert_eq!(api.body(), cut.as_bytes());
    })
    .await;
}

#[tokio::test]
async fn an_empty_success_body_is_a_decode_error() {
    within(async {
        let server = FaultServer::always(Fault::json(200, "")).await;
        let (result, _) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        let error = result.unwrap_err();
        assert!(
            matches!(&error, Error::Decode(d) if d.path() == "."),
            "{error:?}"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// 429 with Retry-After.
// ---------------------------------------------------------------------------------------

const BUSY: &str = r#"{"resultCode":"A000002","resultMessage":"too many requests"}"#;

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    within(async {
        let server = FaultServer::script(vec![
            Fault::json(429, BUSY).with_header("retry-after", "1"),
            Fault::json(200, OK_TOKEN),
        ])
        .await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert_eq!(result.unwrap().action, Some(types::TokenResponseAction::Ok));
        assert_eq!(server.requests(), 2);
        assert!(
            elapsed >= Duration::from_secs(1),
            "Retry-After: 1 is honoured: {elapsed:?}"
        );
        assert_within(elapsed, Duration::from_secs(1), "429 then 200");
    })
    .await;
}

#[tokio::test]
async fn a_429_with_an_http_date_retry_after_is_honoured() {
    within(async {
        let when = std::time::SystemTime::now() + Duration::from_secs(1);
        let server = FaultServer::script(vec![
            Fault::json(429, BUSY).with_header("retry-after", httpdate::fmt_http_date(when)),
            Fault::json(200, OK_TOKEN),
        ])
        .await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(server.requests(), 2);
        assert_within(elapsed, Duration::from_secs(2), "429 (date) then 200");
    })
    .await;
}

#[tokio::test]
async fn a_429_that_persists_ends_in_a_retryable_api_error() {
    within(async {
        let server =
            FaultServer::always(Fault::json(429, BUSY).with_header("retry-after", "0")).await;
        let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
        let error = result.unwrap_err();
        let Error::Api(api) = &error else {
            panic!("expected an API error, got {error:?}");
        };
        assert_eq!(api.status(), 429);
        assert_eq!(api.result_code(), Some("A000002"));
        assert_eq!(api.result_message(), Some("too many requests"));
        assert!(error.is_retryable());
        assert_eq!(server.requests(), 3, "max_attempts");
        assert_within(elapsed, quick().budget(), "persistent 429");
    })
    .await;
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_is_reported_at_once() {
    within(async {
        for value in [
            "3600".to_owned(),
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600)),
        ] {
            let server =
                FaultServer::always(Fault::json(429, BUSY).with_header("retry-after", value)).await;
            let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
            assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(429));
            assert_eq!(server.requests(), 1, "no wait past the budget");
            assert_within(elapsed, Duration::ZERO, "429 with a long Retry-After");
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// A body far larger than expected.
// ---------------------------------------------------------------------------------------

/// 50 MB: far more than any answer of Authlete.
const HUGE: usize = 50 * 1024 * 1024;

fn huge_token_answer(status: u16) -> Fault {
    Fault::Large {
        status,
        content_type: "application/json",
        prefix: r#"{"action":"OK","resultCode":"A050001","responseContent":""#,
        filler: b'a',
        suffix: r#""}"#,
        len: HUGE,
    }
}

fn with_limit(base_url: &str, timeouts: Timeouts, limit: usize) -> Client {
    let config = client(base_url, timeouts, quick()).config().clone();
    Client::builder(config)
        .retry_policy(quick())
        .max_response_bytes(limit)
        .build()
        .unwrap()
}

fn assert_too_large<T: std::fmt::Debug>(result: &Result<T, Error>, limit: usize) {
    assert_eq!(
        transport_kind(result),
        TransportErrorKind::ResponseTooLarge,
        "{result:?}"
    );
    let error = result.as_ref().unwrap_err();
    assert!(!error.is_retryable(), "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("more than {limit} bytes")),
        "{error}"
    );
}

#[tokio::test]
async fn a_50_mb_answer_is_refused_on_its_content_length() {
    // The default limit (32 MiB) is below the declared length: the call ends on the head,
    // without reading the body, and is not sent again (a bigger answer will not shrink).
    within(async {
        for status in [200, 502] {
            let server = FaultServer::always(huge_token_answer(status)).await;
            let (result, elapsed) = token_call(&client(&server.base_url, TIMEOUTS, quick())).await;
            assert_too_large(&result, authlete::DEFAULT_MAX_RESPONSE_BYTES);
            assert_eq!(server.requests(), 1, "{status}");
            assert_within(elapsed, TIMEOUTS.read, "refused on the head");
        }
    })
    .await;
}

#[tokio::test]
async fn an_endless_chunked_answer_stops_at_the_limit() {
    // No content-length, and a body that never ends: reading stops at the limit, long
    // before the total timeout. Also for a GET, which would be retried after a break.
    within(async {
        let server = FaultServer::always(Fault::Chunked {
            body: Bytes::from_static(br#"{"apiKey":7159,"serviceName":""#),
            flood: Some(b'a'),
        })
        .await;
        let timeouts = Timeouts {
            total: Duration::from_secs(30),
            ..TIMEOUTS
        };
        let client = with_limit(&server.base_url, timeouts, 1024 * 1024);
        let (result, elapsed) = service_call(&client).await;
        assert_too_large(&result, 1024 * 1024);
        assert_eq!(server.requests(), 1);
        assert_within(elapsed, TIMEOUTS.total, "endless body");
    })
    .await;
}

#[tokio::test]
async fn the_limit_counts_every_byte_of_the_body() {
    // A valid answer of exactly `len` bytes, in 16 KiB chunks or with a content-length: a
    // limit of `len` reads it, `len - 1` refuses it.
    let mut body = br#"{"apiKey":7159,"serviceName":"s","description":""#.to_vec();
    body.resize(100_000, b'd');
    body.extend_from_slice(br#""}"#);
    let body = Bytes::from(body);
    let len = body.len();
    within(async {
        for fault in [
            Fault::Chunked {
                body: body.clone(),
                flood: None,
            },
            Fault::Answer {
                status: 200,
                headers: vec![],
                body: body.clone(),
            },
        ] {
            let server = FaultServer::always(fault.clone()).await;
            let (result, _) = service_call(&with_limit(&server.base_url, TIMEOUTS, len)).await;
            let service = result.unwrap_or_else(|e| panic!("{fault:?}: {e}"));
            assert_eq!(service.description.map(|d| d.len()), Some(len - 50));
            let (result, _) = service_call(&with_limit(&server.base_url, TIMEOUTS, len - 1)).await;
            assert_too_large(&result, len - 1);
        }
    })
    .await;
}

#[tokio::test]
async fn a_50_mb_answer_under_a_raised_limit_is_read_whole() {
    const PREFIX: &str = r#"{"action":"OK","resultCode":"A050001","responseContent":""#;
    const SUFFIX: &str = r#""}"#;
    within(async {
        let server = FaultServer::always(huge_token_answer(200)).await;
        let timeouts = Timeouts {
            total: Duration::from_secs(15),
            ..TIMEOUTS
        };
        let client = with_limit(&server.base_url, timeouts, 64 * 1024 * 1024);
        let (result, elapsed) = token_call(&client).await;
        let response = result.expect("a valid 50 MB answer under the limit decodes");
        let content = response.response_content.expect("responseContent");
        assert_eq!(
            content.expose_secret().len(),
            HUGE - PREFIX.len() - SUFFIX.len()
        );
        assert_within(elapsed, timeouts.total, "50 MB answer");
    })
    .await;
}

#[tokio::test]
async fn a_50_mb_error_page_under_a_raised_limit_is_kept_whole_in_the_api_error() {
    within(async {
        let server = FaultServer::always(Fault::Large {
            status: 502,
            content_type: "text/html",
            prefix: "<html><body>",
            filler: b'x',
            suffix: "</body></html>",
            len: HUGE,
        })
        .await;
        let timeouts = Timeouts {
            total: Duration::from_secs(15),
            ..TIMEOUTS
        };
        let client = with_limit(&server.base_url, timeouts, 64 * 1024 * 1024);
        let (result, elapsed) = token_call(&client).await;
        let error = result.unwrap_err();
        let Error::Api(api) = &error else {
            panic!("expected an API error, got {error:?}");
        };
        assert_eq!(api.status(), 502);
        assert_eq!(api.body().len(), HUGE);
        // Messages stay short whatever the body.
        assert!(error.to_string().len() < 400, "{}", error.to_string().len());
        assert_within(elapsed, timeouts.total, "50 MB error page");
    })
    .await;
}

#[tokio::test]
async fn a_50_mb_body_under_a_raised_limit_that_is_not_json_is_a_decode_error() {
    within(async {
        let server = FaultServer::always(Fault::Large {
            status: 200,
            content_type: "application/json",
            prefix: r#"{"action":"OK","scopes":["#,
            filler: b' ',
            suffix: "",
            len: HUGE,
        })
        .await;
        let timeouts = Timeouts {
            total: Duration::from_secs(15),
            ..TIMEOUTS
        };
        let client = with_limit(&server.base_url, timeouts, 64 * 1024 * 1024);
        let (result, elapsed) = token_call(&client).await;
        let error = result.unwrap_err();
        let Error::Decode(decode) = &error else {
            panic!("expected a decode error, got {error:?}");
        };
        assert_eq!(decode.body().len(), HUGE);
        assert!(decode.message().contains("EOF"), "{}", decode.message());
        assert_within(elapsed, timeouts.total, "50 MB of whitespace");
    })
    .await;
}

#[tokio::test]
async fn a_stalled_raw_call_ends_in_the_total_timeout() {
    // `Client::sys` sends once, with the configured total timeout as reqwest's timeout of
    // the request: a server that never answers is an error, even for an operation whose
    // success has no body (`misc_echo_api`: 200, empty), never a success or a hang.
    within(async {
        let stalled = FaultServer::always(Fault::Stall).await;
        let client = with_limit(&stalled.base_url, TIMEOUTS, usize::MAX);
        match client.sys().misc_echo_api().await {
            Err(authlete::sys::Error::CommunicationError(error)) => {
                assert!(error.is_timeout(), "{error:?}");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    })
    .await;
}

/// A user's own HTTP client keeps our read timeout: the transport applies it per call,
/// whichever client sends.
#[tokio::test]
async fn a_user_http_client_keeps_the_read_timeout() {
    within(async {
        let server = FaultServer::always(Fault::Stall).await;
        let config = Config::builder()
            .base_url(&server.base_url)
            .service_api_key("7159")
            .service_access_token("svc-token")
            .connect_timeout(TIMEOUTS.connect)
            .read_timeout(TIMEOUTS.read)
            .total_timeout(TIMEOUTS.total)
            .build()
            .unwrap();
        let client = Client::builder(config)
            .retry_policy(quick())
            .http_client(authlete::http_client_builder().build().unwrap())
            .build()
            .unwrap();
        let (result, _) = token_call(&client).await;
        assert_eq!(transport_kind(&result), TransportErrorKind::Timeout);
        let error = result.unwrap_err();
        assert!(
            error.to_string().contains("read timeout (300ms)"),
            "{error}"
        );
    })
    .await;
}
