//! Every method of `authlete::Client`, in API generations 3 and 2, against a mock Authlete.
//!
//! One table, [`cases`], has a row per operation (91: the 88 of Authlete's published spec
//! and the 3 it omits, plus the JWKS answered `204 No Content`): the HTTP method, the V3 and V2 paths with their parameters filled in, the
//! credentials, the query, the JSON body the method is given, what the mock answers, and a
//! function that calls the typed method. Each test runs the whole table for one API
//! generation and one base URL, and reports every failing row, by operation and
//! generation, at the end.
//!
//! A row passes when the mock received exactly one request with the right method, path
//! (under the base URL's path prefix, if any), query, `Authorization` header, no
//! `api-version` header and exactly the JSON body the method was given, and the typed
//! result, serialized back, has the fields the mock answered. In V2 the two V3-only
//! operations must fail with [`Error::UnsupportedInV2`] without sending anything.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authlete::{ApiVersion, Client, Config, Error};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Configuration of the client under test
// ---------------------------------------------------------------------------------------

// The table, generated from the spec by `cargo xtask codegen`.
mod cases;

pub(crate) use cases::cases;
use cases::{OTHER_SERVICE, SERVICE};

const V3_SERVICE_AUTH: &str = "Bearer svc-token";
const V3_OWNER_AUTH: &str = "Bearer org-token";
/// `Basic base64("7159:svc-secret")`.
const V2_SERVICE_AUTH: &str = "Basic NzE1OTpzdmMtc2VjcmV0";
/// `Basic base64("owner:owner-secret")`.
const V2_OWNER_AUTH: &str = "Basic b3duZXI6b3duZXItc2VjcmV0";

/// The path prefix of the base URL in the `..._under_a_path_prefix` tests.
const PREFIX: &str = "/authlete";

fn v3_client(base_url: &str) -> Client {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V3)
        .service_api_key(SERVICE)
        .service_access_token("svc-token")
        .service_owner_access_token("org-token")
        .build()
        .expect("a valid V3 configuration");
    Client::new(config).expect("a client")
}

fn v2_client(base_url: &str) -> Client {
    let config = Config::builder()
        .base_url(base_url)
        .api_version(ApiVersion::V2)
        .service_api_key(SERVICE)
        .service_api_secret("svc-secret")
        .service_owner_api_key("owner")
        .service_owner_api_secret("owner-secret")
        .build()
        .expect("a valid V2 configuration");
    Client::new(config).expect("a client")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    V3,
    V2,
}

// ---------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------

type CallFuture<'a> = Pin<Box<dyn Future<Output = Result<Value, Error>> + 'a>>;

/// Calls one typed method of the client with the row's body (if any) and serializes its
/// result.
type Call = for<'a> fn(&'a Client, Option<Value>) -> CallFuture<'a>;

/// The same call through the blocking client.
#[cfg(feature = "blocking")]
type BlockingCall = fn(&authlete::blocking::Client, Option<Value>) -> Result<Value, Error>;

/// Which credentials a row's operation must send.
#[derive(Debug, Clone, Copy)]
enum Auth {
    /// The service's: `Bearer svc-token` (V3), `Basic 7159:svc-secret` (V2).
    Service,
    /// The service owner's: `Bearer org-token` (V3), `Basic owner:owner-secret` (V2).
    Owner,
    /// The service owner's key and secret in V2 (they are configured), else the
    /// service's: `Bearer svc-token` (V3), `Basic owner:owner-secret` (V2).
    OwnerInV2,
    /// No `Authorization` header at all.
    None,
}

impl Auth {
    fn header(self, generation: Generation) -> Option<&'static str> {
        match (self, generation) {
            (Auth::None, _) => None,
            (Auth::Service | Auth::OwnerInV2, Generation::V3) => Some(V3_SERVICE_AUTH),
            (Auth::Owner, Generation::V3) => Some(V3_OWNER_AUTH),
            (Auth::Service, Generation::V2) => Some(V2_SERVICE_AUTH),
            (Auth::Owner | Auth::OwnerInV2, Generation::V2) => Some(V2_OWNER_AUTH),
        }
    }
}

/// What the mock answers, and so what the typed result must be.
#[derive(Debug, Clone)]
enum Answer {
    /// `200` with this JSON; the result, serialized, must have each of its fields.
    Json(&'static str),
    /// This status without a body; the result, serialized, must equal this JSON.
    Empty(u16, &'static str),
    /// `200` with this `text/plain` body; the result must be this string.
    Text(&'static str),
}

pub(crate) struct Case {
    /// The method of `authlete::Client`.
    pub(crate) name: &'static str,
    /// The Authlete operation id.
    pub(crate) operation: &'static str,
    /// The HTTP method.
    method: &'static str,
    /// The V3 path, parameters filled in.
    v3: &'static str,
    /// The V2 path, parameters filled in; `None` for the V3-only operations.
    v2: Option<&'static str>,
    auth: Auth,
    /// The query the request must carry, and no other.
    query: &'static [(&'static str, &'static str)],
    /// The JSON request the method is given, and the exact body the request must carry.
    pub(crate) body: Option<&'static str>,
    answer: Answer,
    call: Call,
    /// The blocking form of `call`.
    #[cfg(feature = "blocking")]
    pub(crate) blocking_call: BlockingCall,
}

/// The typed request of a row, from its JSON body.
fn req<T: DeserializeOwned>(body: Option<Value>) -> T {
    let body = body.expect("this row needs a JSON body");
    serde_json::from_value(body.clone()).unwrap_or_else(|e| {
        panic!(
            "the body {body} of a row is not a valid {}: {e}",
            std::any::type_name::<T>()
        )
    })
}

/// Serializes a typed result.
fn out<T: Serialize>(result: Result<T, Error>) -> Result<Value, Error> {
    result.map(|value| serde_json::to_value(value).expect("a result serializes"))
}

/// A request that matched no expectation, as the mock saw it.
fn describe(request: &HttpMockRequest) -> String {
    let headers = request.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| format!("{:?}", v.to_str().unwrap_or("<not text>")))
            .unwrap_or_else(|| "none".into())
    };
    format!(
        "{} {} (authorization: {}, api-version: {}) body: {}",
        request.method_str(),
        request.uri(),
        header("authorization"),
        header("api-version"),
        if request.body_ref().is_empty() {
            "<empty>".to_string()
        } else {
            request.body_string()
        },
    )
}

/// Registers a mock that answers any request and records it, to name what was sent
/// when the expected request did not come. Register it after the expectation: httpmock
/// answers with the first mock that matches.
async fn record_unexpected(server: &MockServer) -> (httpmock::Mock<'_>, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let mock = server
        .mock_async(move |when, then| {
            when.any_request();
            then.respond_with(move |request: &HttpMockRequest| {
                sink.lock().unwrap().push(describe(request));
                HttpMockResponse::builder()
                    .status(404)
                    .header("content-type", "application/json")
                    .body(r#"{"resultCode":"TEST","resultMessage":"no expectation matched"}"#)
                    .build()
            });
        })
        .await;
    (mock, seen)
}

/// Runs one row against `server` and returns what is wrong, if anything.
async fn run_case(
    case: &Case,
    generation: Generation,
    client: &Client,
    server: &MockServer,
    prefix: &str,
) -> Result<(), String> {
    server.reset_async().await;
    let body: Option<Value> = case.body.map(|body| {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{}: sample body: {e}", case.name))
    });
    let call = (case.call)(client, body.clone());

    let Some(path) = (match generation {
        Generation::V3 => Some(case.v3),
        Generation::V2 => case.v2,
    }) else {
        // V3-only in V2: refused before anything is sent.
        let (recorder, seen) = record_unexpected(server).await;
        let outcome = tokio::time::timeout(Duration::from_secs(10), call).await;
        let mut problems = Vec::new();
        match outcome {
            Err(_) => problems.push("timed out".to_string()),
            Ok(Err(Error::UnsupportedInV2 { operation })) if operation == case.operation => {}
            Ok(other) => problems.push(format!(
                "expected Err(UnsupportedInV2 {{ operation: {:?} }}), got {other:?}",
                case.operation
            )),
        }
        let calls = recorder.calls_async().await;
        if calls != 0 {
            problems.push(format!(
                "expected no request, the mock received {calls}: {:?}",
                seen.lock().unwrap()
            ));
        }
        return if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        };
    };

    let full_path = format!("{prefix}{path}");
    let authorization = case.auth.header(generation);
    let query_len = case.query.len();
    let expected = server
        .mock_async(|when, then| {
            let mut when = when
                .method(case.method)
                .path(full_path.as_str())
                .header_missing("api-version")
                .is_true(move |request: &HttpMockRequest| {
                    request.query_params().len() == query_len
                });
            for (name, value) in case.query {
                when = when.query_param(*name, *value);
            }
            when = match authorization {
                Some(value) => when.header("authorization", value),
                None => when.header_missing("authorization"),
            };
            match &body {
                Some(body) => {
                    when.json_body(body.clone());
                }
                None => {
                    when.is_true(|request: &HttpMockRequest| request.body_ref().is_empty());
                }
            }
            match &case.answer {
                Answer::Json(body) => {
                    then.status(200)
                        .header("content-type", "application/json")
                        .body(*body);
                }
                Answer::Empty(status, _) => {
                    then.status(*status);
                }
                Answer::Text(text) => {
                    then.status(200)
                        .header("content-type", "text/plain")
                        .body(*text);
                }
            }
        })
        .await;
    let (_recorder, unexpected) = record_unexpected(server).await;

    let outcome = tokio::time::timeout(Duration::from_secs(10), call).await;

    let mut problems = Vec::new();
    let calls = expected.calls_async().await;
    let unexpected = unexpected.lock().unwrap().clone();
    if calls != 1 || !unexpected.is_empty() {
        problems.push(format!(
            "expected one {} {full_path}{} with authorization {}, no api-version and body {}; \
             the expectation matched {calls} time(s), other requests: {unexpected:?}",
            case.method,
            query_string(case.query),
            authorization
                .map(|a| format!("{a:?}"))
                .unwrap_or_else(|| "none".into()),
            body.as_ref()
                .map(Value::to_string)
                .unwrap_or_else(|| "<empty>".into()),
        ));
    }
    match outcome {
        Err(_) => problems.push("timed out after 10 s".into()),
        Ok(Err(error)) => problems.push(format!("the call failed: {error} ({error:?})")),
        Ok(Ok(value)) => {
            if let Some(problem) = check_result(&case.answer, &value) {
                problems.push(problem);
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn query_string(query: &[(&str, &str)]) -> String {
    if query.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("?{}", pairs.join("&"))
}

/// What is wrong with the typed result, serialized, for what the mock answered.
fn check_result(answer: &Answer, actual: &Value) -> Option<String> {
    match answer {
        Answer::Json(expected) => {
            let expected: Value = serde_json::from_str(expected).expect("a JSON answer");
            let expected = expected.as_object().expect("JSON answers are objects");
            let wrong: Vec<String> = expected
                .iter()
                .filter(|(name, value)| actual.get(name.as_str()) != Some(*value))
                .map(|(name, value)| {
                    format!(
                        "`{name}`: answered {value}, decoded {}",
                        actual
                            .get(name.as_str())
                            .map(Value::to_string)
                            .unwrap_or_else(|| "nothing".into())
                    )
                })
                .collect();
            (!wrong.is_empty()).then(|| format!("the decoded result differs: {}", wrong.join(", ")))
        }
        Answer::Empty(_, expected) => {
            let expected: Value = serde_json::from_str(expected).expect("a JSON value");
            (*actual != expected)
                .then(|| format!("the decoded result is {actual}, expected {expected}"))
        }
        Answer::Text(text) => (actual != &json!(text))
            .then(|| format!("the decoded text is {actual}, expected {text:?}")),
    }
}

/// Runs the whole table for one generation and base-URL prefix, and fails naming every
/// failing row.
async fn run_all(generation: Generation, prefix: &str) {
    let server = MockServer::start_async().await;
    let base_url = server.url(prefix);
    let client = match generation {
        Generation::V3 => v3_client(&base_url),
        Generation::V2 => v2_client(&base_url),
    };
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = run_case(case, generation, &client, &server, prefix).await;
        let label = match &case.answer {
            Answer::Empty(status, _) => {
                format!(
                    "[{generation:?}] {} ({}) answered {status}",
                    case.name, case.operation
                )
            }
            _ => format!("[{generation:?}] {} ({})", case.name, case.operation),
        };
        if let Err(problem) = outcome {
            failures.push(format!("{label}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed in {generation:?} with base URL {base_url}:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn every_operation_in_v3() {
    run_all(Generation::V3, "").await;
}

#[tokio::test]
async fn every_operation_in_v3_under_a_path_prefix() {
    run_all(Generation::V3, PREFIX).await;
}

#[tokio::test]
async fn every_operation_in_v2() {
    run_all(Generation::V2, "").await;
}

#[tokio::test]
async fn every_operation_in_v2_under_a_path_prefix() {
    run_all(Generation::V2, PREFIX).await;
}

/// The spec's operations, read from `openapi/authlete.yaml` itself: (operation id, HTTP
/// method, path, the operation object).
fn spec_operations() -> Vec<(String, String, String, serde_yaml::Value)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/authlete.yaml");
    let text = std::fs::read_to_string(path).expect("the spec");
    let spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("the spec parses");
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().expect("a path item") {
            let method = method.as_str().expect("a method").to_uppercase();
            if method == "PARAMETERS" {
                continue;
            }
            let id = op["operationId"]
                .as_str()
                .expect("an operationId")
                .to_string();
            out.push((id, method, path.as_str().unwrap().to_string(), op.clone()));
        }
    }
    out
}

/// The generated route table and test table agree with the spec, read here with a YAML
/// parser, independently of the generator.
#[test]
fn the_generated_tables_agree_with_the_spec() {
    use authlete::routes::{ALL, Credentials};

    let spec = spec_operations();
    assert_eq!(ALL.len(), spec.len(), "one route per operation of the spec");
    let cases = cases();
    for (id, method, path, op) in &spec {
        let route = authlete::routes::find(id).unwrap_or_else(|| panic!("no route for {id}"));
        let text = |key: &str| op[key].as_str().map(str::to_string);
        assert_eq!(route.method, method, "{id}: method");
        assert_eq!(route.v3_path, path, "{id}: V3 path");
        assert_eq!(
            route.v2_path.map(str::to_string),
            text("x-v2-path"),
            "{id}: V2 path"
        );
        assert_eq!(
            route.v2_path.is_none(),
            op["x-v3-only"].as_bool() == Some(true),
            "{id}: x-v3-only"
        );
        assert_eq!(
            Some(route.rust_method.to_string()),
            text("x-rust-method"),
            "{id}"
        );
        assert_eq!(
            route.java_method.map(str::to_string),
            text("x-java-method"),
            "{id}"
        );
        assert_eq!(
            route.deprecated,
            op["deprecated"].as_bool() == Some(true),
            "{id}"
        );
        let credentials = match route.credentials {
            Credentials::Service => "service",
            Credentials::ServiceOwner => "service-owner",
            Credentials::ServiceOwnerPreferred => "service-owner-preferred",
            Credentials::None => "none",
            _ => "unknown",
        };
        assert_eq!(
            Some(credentials.to_string()),
            text("x-credentials"),
            "{id}: credentials"
        );

        // The test table has a row for it, with the same facts.
        let rows: Vec<&Case> = cases.iter().filter(|c| c.operation == id).collect();
        assert!(!rows.is_empty(), "{id}: no row in the test table");
        for row in rows {
            assert_eq!(row.name, route.rust_method, "{id}: row method");
            assert_eq!(row.method, route.method, "{id}: row HTTP method");
            assert_eq!(
                row.v2.is_none(),
                route.v2_path.is_none(),
                "{id}: row V2 path"
            );
            let sends_body = op.get("requestBody").is_some();
            assert_eq!(row.body.is_some(), sends_body, "{id}: row body");
            let auth = match row.auth {
                Auth::Service => "service",
                Auth::Owner => "service-owner",
                Auth::OwnerInV2 => "service-owner-preferred",
                Auth::None => "none",
            };
            assert_eq!(auth, credentials, "{id}: row credentials");
        }
    }
}

/// `ServiceOwner` and `ServiceOwnerPreferred` routes when no service-owner credentials are
/// configured: V3 and V2 `ServiceOwnerPreferred` fall back to the service's; V2
/// `ServiceOwner` refuses to send.
#[tokio::test]
async fn operations_without_service_owner_credentials() {
    let server = MockServer::start_async().await;

    // V3, service token only: get_service (ServiceOwner) falls back to the service token.
    let v3 = Client::new(
        Config::builder()
            .base_url(server.base_url())
            .api_version(ApiVersion::V3)
            .service_api_key(SERVICE)
            .service_access_token("svc-token")
            .build()
            .unwrap(),
    )
    .unwrap();
    let mock = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/4242/service/get")
                .header("authorization", V3_SERVICE_AUTH);
            then.status(200).json_body(json!({ "apiKey": 4242 }));
        })
        .await;
    let service = v3
        .get_service(OTHER_SERVICE)
        .await
        .expect("get_service in V3");
    assert_eq!(service.api_key, Some(4242));
    mock.assert_async().await;

    // V2, service key and secret only.
    server.reset_async().await;
    let v2 = Client::new(
        Config::builder()
            .base_url(server.base_url())
            .api_version(ApiVersion::V2)
            .service_api_key(SERVICE)
            .service_api_secret("svc-secret")
            .build()
            .unwrap(),
    )
    .unwrap();
    // delete_client (ServiceOwnerPreferred) uses the service's key and secret.
    let mock = server
        .mock_async(|when, then| {
            when.method("DELETE")
                .path("/api/client/delete/1234")
                .header("authorization", V2_SERVICE_AUTH);
            then.status(204);
        })
        .await;
    v2.delete_client("1234").await.expect("delete_client in V2");
    mock.assert_async().await;

    // get_service (ServiceOwner) has no credentials to send, and sends nothing.
    server.reset_async().await;
    let (recorder, seen) = record_unexpected(&server).await;
    let error = v2
        .get_service(OTHER_SERVICE)
        .await
        .expect_err("no service-owner credentials");
    assert!(
        matches!(
            error,
            Error::InvalidRequest {
                operation: "service_get_api",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        recorder.calls_async().await,
        0,
        "sent: {:?}",
        seen.lock().unwrap()
    );
}
