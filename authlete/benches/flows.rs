//! The token endpoint's request-to-response path against an in-process stand-in for
//! Authlete: a loopback HTTP/1.1 server on the same current-thread runtime that answers every
//! request with one canned `/auth/token` answer, so that what is measured is this crate's
//! work plus one loopback round trip, with no other process involved.
//!
//! - `flows/token/handler`: `TokenEndpoint::handle`, from the client's HTTP request to the
//!   HTTP response ready to send (form and `Authorization` parsing, the Authlete call, the
//!   mapping of `action` to a response);
//! - `flows/token/client.token`: the same Authlete call alone, with the request the handler
//!   builds. The difference between the two is the handler's own overhead;
//! - `flows/token/rejected`: a request refused before Authlete is asked (wrong media type);
//! - `flows/token/parse`: the request parsing helpers alone, no I/O.
//!
//! ```sh
//! cargo bench -p authlete --bench flows
//! ```

use std::hint::black_box;
use std::sync::Arc;

use authlete::flows::token::{DefaultTokenPolicy, TokenEndpoint};
use authlete::flows::{Bytes, FlowSettings, request};
use authlete::types::{TokenRequest, TokenResponseAction};
use authlete::{ApiVersion, Client, Config};
use base64::Engine as _;
use criterion::Criterion;
use http::{Request, StatusCode, header};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The service the stand-in serves.
const SERVICE: &str = "715948317";

/// What the client sends to the token endpoint (authorization code grant with PKCE).
const FORM: &str = "grant_type=authorization_code&code=Xv_su944auuBgc5mfUnxXayiiQU9Z4-T_Yae_UfExmo\
                    &redirect_uri=https%3A%2F%2Fmy-client.example.com%2Fcb1\
                    &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// Authlete's answer: the token was issued (`action` `OK`), about the size of a real one.
const TOKEN_ANSWER: &str = r#"{"resultCode":"A050001","resultMessage":"[A050001] The token request (grant_type=authorization_code) was processed successfully.","action":"OK","responseContent":"{\"access_token\":\"wSftZ5fvaE8Q0ZNOpv0tT954gstMR98MDkyu5Jn4Q3n\",\"refresh_token\":\"l5W6yamrtbJVr-kVVRKTUz3kX2pf_qn_hPYft76s5Jr\",\"scope\":\"openid profile email\",\"id_token\":\"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqb2huIn0.c2lnbmF0dXJl\",\"token_type\":\"Bearer\",\"expires_in\":86400}","grantType":"AUTHORIZATION_CODE","clientId":26478243745571,"clientIdAlias":"my-client","clientIdAliasUsed":false,"subject":"john","scopes":["openid","profile","email"],"accessToken":"wSftZ5fvaE8Q0ZNOpv0tT954gstMR98MDkyu5Jn4Q3n","accessTokenExpiresAt":1764115200000,"accessTokenDuration":86400,"refreshToken":"l5W6yamrtbJVr-kVVRKTUz3kX2pf_qn_hPYft76s5Jr","refreshTokenExpiresAt":1766707200000,"refreshTokenDuration":2592000,"idToken":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqb2huIn0.c2lnbmF0dXJl","clientAuthMethod":"CLIENT_SECRET_BASIC","properties":null,"clientAttributes":null,"serviceAttributes":null}"#;

/// The stand-in's whole HTTP response to every request.
fn canned_response() -> Arc<[u8]> {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json;charset=UTF-8\r\n\
         content-length: {}\r\n\r\n",
        TOKEN_ANSWER.len()
    )
    .into_bytes();
    response.extend_from_slice(TOKEN_ANSWER.as_bytes());
    response.into()
}

/// Accepts connections and answers every request on them with `response`.
async fn serve(listener: TcpListener, response: Arc<[u8]>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(connection(stream, response.clone()));
    }
}

/// One keep-alive connection: read a request (head, then `Content-Length` bytes of body),
/// answer, repeat until the client closes it.
async fn connection(mut stream: TcpStream, response: Arc<[u8]>) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let (head_end, body_length) = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break (end + 4, content_length(&buffer[..end]));
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        while buffer.len() < head_end + body_length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..head_end + body_length);
        if stream.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// The `Content-Length` of a request head (0 when absent).
fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

/// The client's token request, with HTTP Basic client authentication.
fn token_request(content_type: &'static str) -> Request<Bytes> {
    let basic = base64::engine::general_purpose::STANDARD
        .encode("26478243745571:nBRG8ZAaSLlAwIR3xCDzDXjDVa2hUUtGt64sD55vBIPnHOWiDvD_M7OzEpMbwMj0");
    Request::post("https://as.example.com/token")
        .header(header::HOST, "as.example.com")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Bytes::from_static(FORM.as_bytes()))
        .expect("a valid request")
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let listener = runtime
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let address = listener.local_addr().expect("the stand-in's address");
    runtime.spawn(serve(listener, canned_response()));

    // The client applications get (default timeouts and retry policy).
    let config = Config::builder()
        .base_url(format!("http://{address}"))
        .api_version(ApiVersion::V3)
        .service_api_key(SERVICE)
        .service_access_token("bench-token")
        .build()
        .expect("configuration");
    let client = Client::new(config).expect("client");
    let settings = FlowSettings::default();
    let endpoint = TokenEndpoint::new(client.clone(), settings.clone(), DefaultTokenPolicy);
    let request = token_request("application/x-www-form-urlencoded");
    let rejected = token_request("text/plain");

    // What the handler sends to Authlete for this request.
    let parameters = request::form_parameters(&request, &settings).expect("a form");
    let (client_id, client_secret) = request::client_credentials(request.headers())
        .expect("valid credentials")
        .expect("Basic credentials");
    let authlete_request = TokenRequest {
        parameters: parameters.into(),
        client_id: Some(client_id),
        client_secret: Some(client_secret),
        htm: Some("POST".into()),
        htu: request::public_url(&request, &settings),
        ..Default::default()
    };

    // Check the paths once, so that an error path is never what gets measured.
    runtime.block_on(async {
        let response = endpoint.handle(&request).await;
        assert_eq!(response.status(), StatusCode::OK, "{response:?}");
        let answer = client.token(&authlete_request).await.expect("token");
        assert_eq!(answer.action, Some(TokenResponseAction::Ok));
        let response = endpoint.handle(&rejected).await;
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    });

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("flows/token");
    group.bench_function("handler", |b| {
        b.to_async(&runtime)
            .iter(|| async { endpoint.handle(black_box(&request)).await })
    });
    group.bench_function("client.token", |b| {
        b.to_async(&runtime)
            .iter(|| async { client.token(black_box(&authlete_request)).await.unwrap() })
    });
    group.bench_function("rejected", |b| {
        b.to_async(&runtime)
            .iter(|| async { endpoint.handle(black_box(&rejected)).await })
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            let request = black_box(&request);
            let parameters = request::form_parameters(request, &settings).unwrap();
            let credentials = request::client_credentials(request.headers()).unwrap();
            let dpop = request::dpop_proof(request.headers()).unwrap();
            let htu = request::public_url(request, &settings);
            (parameters, credentials, dpop, htu)
        })
    });
    group.finish();
    c.final_summary();
}
