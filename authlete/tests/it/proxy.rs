//! The outbound proxy setting (`AUTHLETE_PROXY`, INI `proxy`, `ConfigBuilder::proxy`) and
//! the HTTP client hooks (`ClientBuilder::configure_http`, `ClientBuilder::http_client`).
//!
//! The proxy is a loopback `CONNECT` proxy written here, in front of the mutual-TLS
//! server of [`crate::mtls`]: a call through it succeeds only if the proxy tunnels it and
//! our TLS settings (trusted roots, client certificate) reach the server through the
//! tunnel. What the environment (`HTTPS_PROXY`, `NO_PROXY`) does is checked in a child
//! process, since environment variables are process-wide and the tests run in parallel.

use std::process::Command;

use authlete::config::{Config, ConfigError, Setting};
use authlete::{Client, Error, RetryPolicy};
use base64::Engine as _;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::mtls::{CLIENT_SUBJECT, Pki, Server, assert_ok, bounded, config, one_attempt_client};

const PROXY_USER: &str = "proxy-user";
const PROXY_PASSWORD: &str = "PLANTED-PROXY-PASSWORD";

/// What the proxy saw: one request head.
#[derive(Debug)]
struct Seen {
    request_line: String,
    proxy_authorization: Option<String>,
}

/// A loopback HTTP proxy: answers `CONNECT host:port` with 200 and tunnels the bytes both
/// ways; anything else gets 405. Reports each request head it reads.
struct ConnectProxy {
    port: u16,
    seen: mpsc::UnboundedReceiver<Seen>,
    accept_loop: JoinHandle<()>,
}

impl ConnectProxy {
    async fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (sender, seen) = mpsc::unbounded_channel();
        let accept_loop = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(tunnel(tcp, sender.clone()));
            }
        });
        ConnectProxy {
            port,
            seen,
            accept_loop,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Everything seen so far.
    fn drain(&mut self) -> Vec<Seen> {
        std::iter::from_fn(|| self.seen.try_recv().ok()).collect()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn tunnel(tcp: TcpStream, seen: mpsc::UnboundedSender<Seen>) {
    let mut client = BufReader::new(tcp);
    let mut request_line = String::new();
    if client.read_line(&mut request_line).await.is_err() {
        return;
    }
    let request_line = request_line.trim_end().to_owned();
    let mut proxy_authorization = None;
    loop {
        let mut line = String::new();
        match client.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("proxy-authorization")
        {
            proxy_authorization = Some(value.trim().to_owned());
        }
    }
    let target = request_line
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split(' ').next())
        .map(str::to_owned);
    let _ = seen.send(Seen {
        request_line,
        proxy_authorization,
    });
    let Some(target) = target else {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// The `CONNECT` line a proxy sees for `server`.
fn connect_line(server: &Server) -> String {
    format!("CONNECT 127.0.0.1:{} HTTP/1.1", server.port)
}

/// The configured proxy carries the call: the proxy sees the `CONNECT` with the Basic
/// credentials of the proxy URL, and the server sees the client certificate through the
/// tunnel. The password never shows in `Debug`.
#[tokio::test]
async fn calls_go_through_the_configured_proxy() {
    bounded(async {
        let pki = Pki::new();
        let mut server = Server::start(&pki, false).await;
        let mut proxy = ConnectProxy::start().await;
        let config = config(&server, &pki)
            .client_certificate(pki.client_pem.clone())
            .proxy(format!(
                "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}",
                proxy.port
            ))
            .build()
            .unwrap();
        assert!(!format!("{config:?}").contains(PROXY_PASSWORD));
        assert!(!format!("{:?}", config.to_builder()).contains(PROXY_PASSWORD));
        let client = one_attempt_client(config);
        assert_ok(&client).await;

        let (_, subject) = server.next_request().await;
        assert_eq!(subject, CLIENT_SUBJECT);
        let seen = proxy.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].request_line, connect_line(&server));
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{PROXY_USER}:{PROXY_PASSWORD}"));
        assert_eq!(
            seen[0].proxy_authorization.as_deref(),
            Some(format!("Basic {credentials}").as_str())
        );
        server.assert_quiet();
    })
    .await;
}

/// `configure_http` runs after our settings and keeps them: the proxy, the trusted roots
/// and the client certificate still apply.
#[tokio::test]
async fn configure_http_keeps_the_proxy_and_tls_settings() {
    bounded(async {
        let pki = Pki::new();
        let mut server = Server::start(&pki, false).await;
        let mut proxy = ConnectProxy::start().await;
        let config = config(&server, &pki)
            .client_certificate(pki.client_pem.clone())
            .proxy(proxy.url())
            .build()
            .unwrap();
        let client = Client::builder(config)
            .retry_policy(RetryPolicy::disabled())
            .configure_http(|http| http.tcp_nodelay(true).pool_max_idle_per_host(1))
            .build()
            .unwrap();
        assert_ok(&client).await;
        let (_, subject) = server.next_request().await;
        assert_eq!(subject, CLIENT_SUBJECT);
        let seen = proxy.drain();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].request_line, connect_line(&server));
        assert_eq!(seen[0].proxy_authorization, None);
    })
    .await;
}

/// A user's whole client cannot take our client certificate, trusted roots or proxy: the
/// build says which setting to move, instead of silently dropping it.
#[tokio::test]
async fn a_user_client_refuses_settings_it_cannot_honour() {
    let pki = Pki::new();
    let server = Server::start(&pki, false).await;
    let plain = || config(&server, &pki);
    let cases = [
        (
            plain().client_certificate(pki.client_pem.clone()),
            Setting::ClientCertificate,
        ),
        (plain(), Setting::TrustedRootCertificates),
        (
            plain()
                .trusted_root_certificates("")
                .proxy("http://127.0.0.1:9"),
            Setting::Proxy,
        ),
    ];
    for (builder, expected) in cases {
        let error = Client::builder(builder.build().unwrap())
            .http_client(authlete::http_client_builder().build().unwrap())
            .build()
            .unwrap_err();
        match &error {
            Error::Config(ConfigError::NotAppliedToHttpClient { setting, .. }) => {
                assert_eq!(*setting, expected)
            }
            other => panic!("expected NotAppliedToHttpClient, got {other:?}"),
        }
        let message = error.to_string();
        assert!(
            message.contains(&format!("ConfigBuilder::{}", expected.builder_method())),
            "{message}"
        );
        assert!(message.contains("configure_http"), "{message}");
    }

    // Without those settings the user's client is taken as it is.
    let config = Config::builder()
        .base_url("http://127.0.0.1:9")
        .service_api_key("715948317")
        .service_access_token("token")
        .build()
        .unwrap();
    Client::builder(config)
        .http_client(authlete::http_client_builder().build().unwrap())
        .build()
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// The environment, in a child process
// ---------------------------------------------------------------------------------------

/// Set in the child process only.
const CHILD_MARKER: &str = "AUTHLETE_RS_PROXY_TEST_CHILD";
const CHILD_TEST: &str = "proxy::child_makes_two_calls";

/// In the child (see [`environment_proxies_apply_only_without_the_setting`]): one call
/// with the configuration of the environment without `AUTHLETE_PROXY`, one with it. Does
/// nothing when run on its own.
#[tokio::test]
#[ignore = "run by environment_proxies_apply_only_without_the_setting in a child process"]
async fn child_makes_two_calls() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        return;
    }
    let without_setting = Config::from_env_with(|name| {
        (name != "AUTHLETE_PROXY")
            .then(|| std::env::var(name).ok())
            .flatten()
    })
    .unwrap();
    assert!(without_setting.proxy().is_none());
    assert_ok(&one_attempt_client(without_setting)).await;
    let with_setting = Config::from_env().unwrap();
    assert!(with_setting.proxy().is_some());
    assert_ok(&one_attempt_client(with_setting)).await;
}

/// Runs [`child_makes_two_calls`] with `env`, the server's settings and `AUTHLETE_PROXY`
/// pointing to `setting_proxy`; no proxy variable of this process is passed on.
async fn run_child(
    server: &Server,
    pki: &Pki,
    setting_proxy: &ConnectProxy,
    env: &[(&str, String)],
) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        CHILD_TEST,
        "--exact",
        "--ignored",
        "--test-threads=1",
        "--nocapture",
    ]);
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "REQUEST_METHOD",
    ] {
        command.env_remove(name);
    }
    for name in Setting::ALL.iter().filter_map(|s| s.env_var()) {
        command.env_remove(name);
    }
    command
        .env(CHILD_MARKER, "1")
        .env("AUTHLETE_BASE_URL", server.base_url())
        .env("AUTHLETE_SERVICE_APIKEY", "715948317")
        .env("AUTHLETE_SERVICE_ACCESSTOKEN", "mtls-service-token")
        .env("AUTHLETE_TRUSTED_ROOT_CERTIFICATES", pki.server_ca.pem())
        .env("AUTHLETE_CLIENT_CERTIFICATE", &pki.client_pem)
        .env("AUTHLETE_PROXY", setting_proxy.url());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed: {}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Without the setting, `HTTPS_PROXY` carries the call and `NO_PROXY` exempts hosts, as in
/// curl; with it (`AUTHLETE_PROXY`), the setting's proxy carries the call and neither
/// variable is consulted.
#[tokio::test]
async fn environment_proxies_apply_only_without_the_setting() {
    bounded(async {
        let pki = Pki::new();
        let mut server = Server::start(&pki, false).await;
        let mut env_proxy = ConnectProxy::start().await;
        let mut setting_proxy = ConnectProxy::start().await;

        // HTTPS_PROXY: the call without the setting goes through it, the other does not.
        run_child(
            &server,
            &pki,
            &setting_proxy,
            &[("HTTPS_PROXY", env_proxy.url())],
        )
        .await;
        let through_env: Vec<_> = env_proxy.drain();
        let through_setting: Vec<_> = setting_proxy.drain();
        assert_eq!(through_env.len(), 1, "{through_env:?}");
        assert_eq!(through_env[0].request_line, connect_line(&server));
        assert_eq!(through_setting.len(), 1, "{through_setting:?}");
        assert_eq!(through_setting[0].request_line, connect_line(&server));

        // NO_PROXY exempts the server from HTTPS_PROXY, but not from the setting.
        run_child(
            &server,
            &pki,
            &setting_proxy,
            &[
                ("HTTPS_PROXY", env_proxy.url()),
                ("NO_PROXY", "127.0.0.1".to_owned()),
            ],
        )
        .await;
        let through_env: Vec<_> = env_proxy.drain();
        let through_setting: Vec<_> = setting_proxy.drain();
        assert!(through_env.is_empty(), "{through_env:?}");
        assert_eq!(through_setting.len(), 1, "{through_setting:?}");

        // Four calls reached the server, from the child processes.
        for _ in 0..4 {
            let (_, subject) = server.next_request().await;
            assert_eq!(subject, CLIENT_SUBJECT);
        }
    })
    .await;
}
