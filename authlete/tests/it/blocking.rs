//! `authlete::blocking::Client`: plain `#[test]`s, no async runtime of their own, against
//! httpmock's blocking API.

use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use authlete::{ApiVersion, Config, Error, blocking, types};
use authlete_sys::mock::MockServerExt as _;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

const SERVICE: &str = "7159";
/// `Basic base64("owner:owner-secret")`.
const V2_OWNER_AUTH: &str = "Basic b3duZXI6b3duZXItc2VjcmV0";

fn v3_config(base_url: &str) -> authlete::ConfigBuilder {
    Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key(SERVICE)
        .service_access_token("svc-token")
        .service_owner_access_token("org-token")
}

fn client(base_url: &str) -> blocking::Client {
    blocking::Client::new(v3_config(base_url).build().unwrap()).unwrap()
}

fn token_request() -> types::TokenRequest {
    types::TokenRequest {
        parameters: "grant_type=authorization_code&code=abc".into(),
        ..Default::default()
    }
}

/// Answers every token request with `OK`, after `delay`.
fn token_mock(server: &MockServer, delay: Duration) -> httpmock::Mock<'_> {
    server.auth_token_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .header("authorization", "Bearer svc-token")
            .json_body(json!({"parameters": "grant_type=authorization_code&code=abc"}));
        then.into_inner()
            .status(200)
            .delay(delay)
            .header("content-type", "application/json")
            .json_body(json!({
                "resultCode": "A050001",
                "resultMessage": "[A050001] The token request was processed successfully.",
                "action": "OK",
                "responseContent": "{\"access_token\":\"at\"}"
            }));
    })
}

fn assert_token_ok(response: &types::TokenResponse) {
    assert_eq!(response.action, Some(types::TokenResponseAction::Ok));
    assert_eq!(response.result_code.as_deref(), Some("A050001"));
}

#[test]
fn a_v3_call() {
    let server = MockServer::start();
    let mock = token_mock(&server, Duration::ZERO);
    let response = client(&server.base_url()).token(&token_request()).unwrap();
    assert_token_ok(&response);
    mock.assert();
}

#[test]
fn a_v2_call_with_basic_auth_on_the_v2_path() {
    let server = MockServer::start();
    // Raw: the V2 path is not in the (V3) spec, so there is no typed mock for it.
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path("/api/service/get/7159")
            .header("authorization", V2_OWNER_AUTH);
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"serviceName": "blocking"}));
    });
    let config = Config::builder()
        .base_url(server.base_url())
        .api_version(ApiVersion::V2)
        .service_api_key(SERVICE)
        .service_api_secret("svc-secret")
        .service_owner_api_key("owner")
        .service_owner_api_secret("owner-secret")
        .build()
        .unwrap();
    let client = blocking::Client::new(config).unwrap();
    let service = client.get_service(SERVICE).unwrap();
    assert_eq!(service.service_name.as_deref(), Some("blocking"));
    mock.assert();
    // V3-only operations are refused without sending, as by the async client.
    let error = client.token_create_batch(Vec::new(), None).unwrap_err();
    assert!(
        matches!(
            error,
            Error::UnsupportedInV2 {
                operation: "auth_token_create_batch_api"
            }
        ),
        "{error:?}"
    );
}

#[test]
fn an_error_answer_is_an_api_error_with_its_result_code() {
    let server = MockServer::start();
    let body =
        r#"{"resultCode":"A001202","resultMessage":"[A001202] Authorization header is missing."}"#;
    server.auth_token_api(|when, then| {
        when.service_id(SERVICE);
        then.into_inner()
            .status(401)
            .header("content-type", "application/json")
            .body(body);
    });
    let error = client(&server.base_url())
        .token(&token_request())
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.status(), 401);
    assert_eq!(api.operation(), "auth_token_api");
    assert_eq!(api.result_code(), Some("A001202"));
    assert_eq!(
        api.result_message(),
        Some("[A001202] Authorization header is missing.")
    );
    assert_eq!(api.body(), body.as_bytes());
}

#[test]
fn a_call_without_a_response_body() {
    let server = MockServer::start();
    let mock = server.client_delete_api(|when, then| {
        when.service_id(SERVICE)
            .client_id("57297408867")
            .into_inner()
            .header("authorization", "Bearer svc-token");
        then.no_content();
    });
    client(&server.base_url())
        .delete_client("57297408867")
        .unwrap();
    mock.assert();
}

#[test]
fn for_service_config_and_async_client() {
    let server = MockServer::start();
    let mock = server.client_get_api(|when, then| {
        when.service_id("4242").client_id("1");
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .json_body(json!({"clientName": "other"}));
    });
    let client = client(&server.base_url());
    let other = client.for_service("4242");
    let found = other.get_client("1").unwrap();
    assert_eq!(found.client_name.as_deref(), Some("other"));
    mock.assert();
    assert_eq!(other.config().service_api_key(), Some(SERVICE));
    assert_eq!(
        client.async_client().config().base_url(),
        client.config().base_url()
    );
    assert!(format!("{client:?}").contains("blocking::Client"));

    fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    send_sync_clone::<blocking::Client>();
}

#[test]
fn one_client_shared_by_eight_threads() {
    const THREADS: usize = 8;
    const CALLS: usize = 2;
    const DELAY: Duration = Duration::from_millis(250);
    let server = MockServer::start();
    let mock = token_mock(&server, DELAY);
    let client = client(&server.base_url());
    let barrier = Arc::new(Barrier::new(THREADS));
    let started = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let client = client.clone();
            let barrier = barrier.clone();
            thread::spawn(move || {
                barrier.wait();
                for _ in 0..CALLS {
                    assert_token_ok(&client.token(&token_request()).unwrap());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let elapsed = started.elapsed();
    mock.assert_calls(THREADS * CALLS);
    // The calls of the threads overlap on the one runtime thread: in sequence they would
    // take THREADS * CALLS * DELAY = 4 s, overlapping about 0.5 s; the bound leaves a wide
    // margin for a loaded machine.
    assert!(
        elapsed < DELAY * (THREADS * CALLS * 3 / 4) as u32,
        "the calls did not run concurrently: {elapsed:?}"
    );
}

/// The threads of this process, and those of them that are runtime threads of blocking
/// clients (`comm` is cut to 15 bytes).
#[cfg(target_os = "linux")]
fn threads() -> (usize, usize) {
    let mut all = 0;
    let mut runtimes = 0;
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        all += 1;
        let comm = std::fs::read_to_string(task.unwrap().path().join("comm")).unwrap_or_default();
        if comm.trim_end() == &"authlete-blocking"[..15] {
            runtimes += 1;
        }
    }
    (all, runtimes)
}

#[cfg(target_os = "linux")]
#[test]
fn clients_leave_no_thread_behind() {
    const CLIENTS: usize = 32;
    // Other tests of this binary start and stop threads meanwhile.
    const SLACK: usize = 12;
    let server = MockServer::start();
    let mock = token_mock(&server, Duration::ZERO);
    let config = v3_config(&server.base_url()).build().unwrap();
    let (all_before, runtimes_before) = threads();

    // One after the other, each with a call (so a connection task and the pool exist), a
    // clone and a client for another service.
    for _ in 0..CLIENTS {
        let client = blocking::Client::new(config.clone()).unwrap();
        let clone = client.clone();
        assert_token_ok(&clone.token(&token_request()).unwrap());
        let _other = client.for_service("4242");
    }
    // Many at once: one runtime thread each, all joined on drop.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| blocking::Client::new(config.clone()).unwrap())
        .collect();
    assert_token_ok(&clients[0].token(&token_request()).unwrap());
    let (_, runtimes_alive) = threads();
    assert!(
        runtimes_alive >= CLIENTS,
        "{runtimes_alive} runtime threads for {CLIENTS} clients"
    );
    drop(clients);

    // Dropping joins the runtime threads, so the count is back at once; the retries only
    // ride out threads of concurrent tests, while a leak (CLIENTS threads and more) stays.
    let settled = Instant::now();
    loop {
        let (all_after, runtimes_after) = threads();
        if all_after <= all_before + SLACK && runtimes_after <= runtimes_before + SLACK {
            break;
        }
        assert!(
            settled.elapsed() < Duration::from_secs(5),
            "threads left behind: {all_before} before, {all_after} after; runtime threads: \
             {runtimes_before} before, {runtimes_after} after"
        );
        thread::sleep(Duration::from_millis(50));
    }
    mock.assert_calls(CLIENTS + 1);
}

/// Runs `f` on a thread of its own and fails, instead of hanging, if it deadlocks.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(f());
    });
    result
        .recv_timeout(limit)
        .expect("the call deadlocked or panicked")
}

/// The documented behaviour in async code: creating, calling and dropping work (the caller
/// waits on a channel, never on a runtime of its own), blocking the calling worker thread.
#[test]
fn inside_a_tokio_runtime_it_works_and_does_not_deadlock() {
    let server = MockServer::start();
    let mock = token_mock(&server, Duration::ZERO);
    let config = v3_config(&server.base_url()).build().unwrap();

    for flavor in ["current_thread", "multi_thread"] {
        let config = config.clone();
        within(Duration::from_secs(30), move || {
            let runtime = match flavor {
                "current_thread" => tokio::runtime::Builder::new_current_thread(),
                _ => tokio::runtime::Builder::new_multi_thread(),
            }
            .enable_all()
            .build()
            .unwrap();
            runtime.block_on(async move {
                // Created, called and dropped in an async context: no panic ("Cannot start a
                // runtime from within a runtime", "Cannot drop a runtime in a context where
                // blocking is not allowed"), no deadlock.
                let client = blocking::Client::new(config).unwrap();
                assert_token_ok(&client.token(&token_request()).unwrap());
                // The recommended way from async code: off the worker thread.
                let moved = client.clone();
                let response = tokio::task::spawn_blocking(move || moved.token(&token_request()))
                    .await
                    .unwrap()
                    .unwrap();
                assert_token_ok(&response);
                drop(client);
            });
        });
    }
    mock.assert_calls(4);
}

/// Calls the blocking form of every operation, through the operation tests' table (generated
/// from the spec, like the blocking methods): each sends its request, and Authlete's error
/// answer comes back as `Error::Api`. That each blocking method calls the async method of its
/// name with its arguments is checked at compile time (see `blocking_methods!`).
#[test]
fn every_operation_has_its_blocking_form() {
    let server = MockServer::start();
    let mock = server.mock(|_, then| {
        then.status(400)
            .header("content-type", "application/json")
            .json_body(json!({"resultCode": "A000001", "resultMessage": "bad request"}));
    });
    let client = client(&server.base_url());
    let cases = crate::operations::cases();
    let mut operations: Vec<&str> = cases.iter().map(|case| case.operation).collect();
    operations.dedup();
    assert_eq!(operations.len(), authlete::routes::ALL.len());
    let mut sent = 0;
    for case in cases.iter().filter(|case| {
        // One call per operation (an operation may have two rows).
        let first = operations.contains(&case.operation);
        operations.retain(|o| *o != case.operation);
        first
    }) {
        let body = case.body.map(|body| serde_json::from_str(body).unwrap());
        match (case.blocking_call)(&client, body) {
            Err(Error::Api(api)) if api.status() == 400 => sent += 1,
            other => panic!("{}: expected the 400 answer, got {other:?}", case.name),
        }
    }
    mock.assert_calls(sent);
}
