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

/// The service API key; in V3 also the service ID in paths.
const SERVICE: &str = "7159";
/// The service whose management operations (`get_service`, ...) are called: another one
/// than the configured service, to show that the argument is used.
const OTHER_SERVICE: &str = "4242";

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
    Json(Value),
    /// This status without a body; the result, serialized, must equal the value.
    Empty(u16, Value),
    /// `200` with this `text/plain` body; the result must be this string.
    Text(&'static str),
}

struct Case {
    /// The method of `authlete::Client`.
    name: &'static str,
    /// The Authlete operation id.
    operation: &'static str,
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
    body: Option<Value>,
    answer: Answer,
    call: Call,
}

/// The `resultCode` and `resultMessage` most answers carry, with `action` and more fields.
fn result(action: Option<&str>, more: Value) -> Value {
    let mut value = json!({ "resultCode": "A000001", "resultMessage": "[A000001] ok" });
    let object = value.as_object_mut().expect("an object");
    if let Some(action) = action {
        object.insert("action".into(), json!(action));
    }
    if let Value::Object(more) = more {
        object.extend(more);
    }
    value
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

/// The table: one row per operation, in the order of `operations.rs`.
fn cases() -> Vec<Case> {
    use Auth::{None as NoAuth, Owner, OwnerInV2, Service};

    let service_json =
        json!({ "apiKey": 4242, "serviceName": "s", "issuer": "https://as.example" });
    let client_json = json!({ "clientId": 1234, "clientName": "c", "developer": "dev" });
    let granted_scopes = json!({
        "serviceApiKey": 7159,
        "clientId": 1234,
        "subject": "alice",
        "latestGrantedScopes": ["read"],
        "mergedGrantedScopes": ["read", "write"],
        "resultCode": "A000001",
        "resultMessage": "[A000001] ok",
    });
    let authorized_clients = json!({
        "subject": "alice",
        "developer": "dev",
        "start": 1,
        "end": 3,
        "totalCount": 1,
        "clients": [{ "clientId": 1234, "clientName": "c" }],
    });
    let hsk = json!({ "handle": "h1", "kid": "k1", "kty": "EC", "alg": "ES256" });

    vec![
        // --- Services ---------------------------------------------------------------
        Case {
            name: "get_service",
            operation: "service_get_api",
            method: "GET",
            v3: "/api/4242/service/get",
            v2: Some("/api/service/get/4242"),
            auth: Owner,
            query: &[],
            body: None,
            answer: Answer::Json(service_json.clone()),
            call: |c, _| Box::pin(async move { out(c.get_service(OTHER_SERVICE).await) }),
        },
        Case {
            name: "get_service_list",
            operation: "service_get_list_api",
            method: "GET",
            v3: "/api/service/get/list",
            v2: Some("/api/service/get/list"),
            auth: Owner,
            query: &[("start", "2"), ("end", "7")],
            body: None,
            answer: Answer::Json(json!({
                "start": 2, "end": 7, "totalCount": 1, "services": [service_json.clone()]
            })),
            call: |c, _| Box::pin(async move { out(c.get_service_list(Some(2), Some(7)).await) }),
        },
        Case {
            name: "create_service",
            operation: "service_create_api",
            method: "POST",
            v3: "/api/service/create",
            v2: Some("/api/service/create"),
            auth: Owner,
            query: &[],
            body: Some(json!({
                "serviceName": "s",
                "issuer": "https://as.example",
                "supportedScopes": [{ "name": "read", "defaultEntry": false }],
            })),
            answer: Answer::Json(service_json.clone()),
            call: |c, body| Box::pin(async move { out(c.create_service(&req(body)).await) }),
        },
        Case {
            name: "update_service",
            operation: "service_update_api",
            method: "POST",
            v3: "/api/4242/service/update",
            v2: Some("/api/service/update/4242"),
            auth: Owner,
            query: &[],
            body: Some(json!({ "apiKey": 4242, "serviceName": "renamed" })),
            answer: Answer::Json(json!({ "apiKey": 4242, "serviceName": "renamed" })),
            call: |c, body| {
                Box::pin(async move { out(c.update_service(OTHER_SERVICE, &req(body)).await) })
            },
        },
        Case {
            name: "delete_service",
            operation: "service_delete_api",
            method: "DELETE",
            v3: "/api/4242/service/delete",
            v2: Some("/api/service/delete/4242"),
            auth: Owner,
            query: &[],
            body: None,
            answer: Answer::Empty(204, Value::Null),
            call: |c, _| Box::pin(async move { out(c.delete_service(OTHER_SERVICE).await) }),
        },
        // --- Clients ----------------------------------------------------------------
        Case {
            name: "get_client",
            operation: "client_get_api",
            method: "GET",
            v3: "/api/7159/client/get/1234",
            v2: Some("/api/client/get/1234"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(client_json.clone()),
            call: |c, _| Box::pin(async move { out(c.get_client("1234").await) }),
        },
        Case {
            name: "get_client_list",
            operation: "client_get_list_api",
            method: "GET",
            v3: "/api/7159/client/get/list",
            v2: Some("/api/client/get/list"),
            auth: Service,
            query: &[("developer", "dev"), ("start", "2"), ("end", "7")],
            body: None,
            answer: Answer::Json(json!({
                "start": 2, "end": 7, "totalCount": 1, "clients": [client_json.clone()]
            })),
            call: |c, _| {
                Box::pin(async move { out(c.get_client_list(Some("dev"), Some(2), Some(7)).await) })
            },
        },
        Case {
            name: "create_client",
            operation: "client_create_api",
            method: "POST",
            v3: "/api/7159/client/create",
            v2: Some("/api/client/create"),
            auth: Service,
            query: &[],
            body: Some(json!({
                "clientName": "c",
                "developer": "dev",
                "redirectUris": ["https://app.example/cb"],
                "grantTypes": ["AUTHORIZATION_CODE"],
            })),
            answer: Answer::Json(client_json.clone()),
            call: |c, body| Box::pin(async move { out(c.create_client(&req(body)).await) }),
        },
        Case {
            name: "update_client",
            operation: "client_update_api",
            method: "POST",
            v3: "/api/7159/client/update/1234",
            v2: Some("/api/client/update/1234"),
            auth: Service,
            query: &[],
            body: Some(json!({ "clientId": 1234, "clientName": "c2" })),
            answer: Answer::Json(json!({ "clientId": 1234, "clientName": "c2" })),
            call: |c, body| Box::pin(async move { out(c.update_client("1234", &req(body)).await) }),
        },
        Case {
            name: "delete_client",
            operation: "client_delete_api",
            method: "DELETE",
            v3: "/api/7159/client/delete/1234",
            v2: Some("/api/client/delete/1234"),
            auth: OwnerInV2,
            query: &[],
            body: None,
            answer: Answer::Empty(204, Value::Null),
            call: |c, _| Box::pin(async move { out(c.delete_client("1234").await) }),
        },
        Case {
            name: "update_client_lock_flag",
            operation: "client_flag_update_api",
            method: "POST",
            v3: "/api/7159/client/lock_flag/update/c-ident",
            v2: Some("/api/client/lock_flag/update/c-ident"),
            auth: Service,
            query: &[],
            body: Some(json!({ "clientLocked": true })),
            answer: Answer::Json(result(None, json!({}))),
            call: |c, body| {
                Box::pin(async move { out(c.update_client_lock_flag("c-ident", &req(body)).await) })
            },
        },
        Case {
            name: "refresh_client_secret",
            operation: "client_secret_refresh_api",
            method: "GET",
            v3: "/api/7159/client/secret/refresh/c-ident",
            v2: Some("/api/client/secret/refresh/c-ident"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(result(
                None,
                json!({ "newClientSecret": "new-secret", "oldClientSecret": "old-secret" }),
            )),
            call: |c, _| Box::pin(async move { out(c.refresh_client_secret("c-ident").await) }),
        },
        Case {
            name: "update_client_secret",
            operation: "client_secret_update_api",
            method: "POST",
            v3: "/api/7159/client/secret/update/c-ident",
            v2: Some("/api/client/secret/update/c-ident"),
            auth: Service,
            query: &[],
            body: Some(json!({ "clientSecret": "new-secret" })),
            answer: Answer::Json(result(
                None,
                json!({ "newClientSecret": "new-secret", "oldClientSecret": "old-secret" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.update_client_secret("c-ident", &req(body)).await) })
            },
        },
        // --- Client authorizations and granted scopes ------------------------------
        Case {
            name: "get_client_authorization_list_by_query",
            operation: "client_authorization_get_list_api",
            method: "GET",
            v3: "/api/7159/client/authorization/get/list",
            v2: Some("/api/client/authorization/get/list"),
            auth: Service,
            query: &[
                ("subject", "alice"),
                ("developer", "dev"),
                ("start", "1"),
                ("end", "3"),
            ],
            body: None,
            answer: Answer::Json(authorized_clients.clone()),
            call: |c, _| {
                Box::pin(async move {
                    out(c
                        .get_client_authorization_list_by_query(
                            "alice",
                            Some("dev"),
                            Some(1),
                            Some(3),
                        )
                        .await)
                })
            },
        },
        Case {
            name: "get_client_authorization_list",
            operation: "client_authorization_get_list_api_post",
            method: "POST",
            v3: "/api/7159/client/authorization/get/list",
            v2: Some("/api/client/authorization/get/list"),
            auth: Service,
            query: &[],
            body: Some(json!({ "subject": "alice", "developer": "dev", "start": 1, "end": 3 })),
            answer: Answer::Json(authorized_clients.clone()),
            call: |c, body| {
                Box::pin(async move { out(c.get_client_authorization_list(&req(body)).await) })
            },
        },
        Case {
            name: "get_client_authorization_list_by_subject",
            operation: "client_authorization_get_list_by_subject_api",
            method: "GET",
            v3: "/api/7159/client/authorization/get/list/alice",
            v2: Some("/api/client/authorization/get/list/alice"),
            auth: Service,
            query: &[("developer", "dev"), ("start", "1"), ("end", "3")],
            body: None,
            answer: Answer::Json(authorized_clients.clone()),
            call: |c, _| {
                Box::pin(async move {
                    out(c
                        .get_client_authorization_list_by_subject(
                            "alice",
                            Some("dev"),
                            Some(1),
                            Some(3),
                        )
                        .await)
                })
            },
        },
        Case {
            name: "update_client_authorization",
            operation: "client_authorization_update_api",
            method: "POST",
            v3: "/api/7159/client/authorization/update/1234",
            v2: Some("/api/client/authorization/update/1234"),
            auth: Service,
            query: &[],
            body: Some(json!({ "subject": "alice", "scopes": ["read"] })),
            answer: Answer::Json(result(None, json!({}))),
            call: |c, body| {
                Box::pin(
                    async move { out(c.update_client_authorization("1234", &req(body)).await) },
                )
            },
        },
        Case {
            name: "delete_client_authorization_by_query",
            operation: "client_authorization_delete_api",
            method: "DELETE",
            v3: "/api/7159/client/authorization/delete/1234",
            v2: Some("/api/client/authorization/delete/1234"),
            auth: Service,
            query: &[("subject", "alice")],
            body: None,
            answer: Answer::Json(result(
                None,
                json!({ "subject": "alice", "clientId": 1234 }),
            )),
            call: |c, _| {
                Box::pin(async move {
                    out(c
                        .delete_client_authorization_by_query("1234", "alice")
                        .await)
                })
            },
        },
        Case {
            name: "delete_client_authorization",
            operation: "client_authorization_delete_api_post",
            method: "POST",
            v3: "/api/7159/client/authorization/delete/1234",
            v2: Some("/api/client/authorization/delete/1234"),
            auth: Service,
            query: &[],
            body: Some(json!({ "subject": "alice" })),
            answer: Answer::Json(result(
                None,
                json!({ "subject": "alice", "clientId": 1234 }),
            )),
            call: |c, body| {
                Box::pin(
                    async move { out(c.delete_client_authorization("1234", &req(body)).await) },
                )
            },
        },
        Case {
            name: "delete_client_authorization_by_subject",
            operation: "client_authorization_delete_by_subject_api",
            method: "DELETE",
            v3: "/api/7159/client/authorization/delete/1234/alice",
            v2: Some("/api/client/authorization/delete/1234/alice"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(result(
                None,
                json!({ "subject": "alice", "clientId": 1234 }),
            )),
            call: |c, _| {
                Box::pin(async move {
                    out(c
                        .delete_client_authorization_by_subject("1234", "alice")
                        .await)
                })
            },
        },
        Case {
            name: "get_granted_scopes_by_query",
            operation: "client_granted_scopes_get_api",
            method: "GET",
            v3: "/api/7159/client/granted_scopes/get/1234",
            v2: Some("/api/client/granted_scopes/get/1234"),
            auth: Service,
            query: &[("subject", "alice")],
            body: None,
            answer: Answer::Json(granted_scopes.clone()),
            call: |c, _| {
                Box::pin(async move { out(c.get_granted_scopes_by_query("1234", "alice").await) })
            },
        },
        Case {
            name: "get_granted_scopes",
            operation: "client_granted_scopes_get_api_post",
            method: "POST",
            v3: "/api/7159/client/granted_scopes/get/1234",
            v2: Some("/api/client/granted_scopes/get/1234"),
            auth: Service,
            query: &[],
            body: Some(json!({ "subject": "alice" })),
            answer: Answer::Json(granted_scopes.clone()),
            call: |c, body| {
                Box::pin(async move { out(c.get_granted_scopes("1234", &req(body)).await) })
            },
        },
        Case {
            name: "get_granted_scopes_by_subject",
            operation: "client_granted_scopes_get_by_subject_api",
            method: "GET",
            v3: "/api/7159/client/granted_scopes/get/1234/alice",
            v2: Some("/api/client/granted_scopes/get/1234/alice"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(granted_scopes.clone()),
            call: |c, _| {
                Box::pin(async move { out(c.get_granted_scopes_by_subject("1234", "alice").await) })
            },
        },
        Case {
            name: "delete_granted_scopes",
            operation: "client_granted_scopes_delete_api",
            method: "DELETE",
            v3: "/api/7159/client/granted_scopes/delete/1234",
            v2: Some("/api/client/granted_scopes/delete/1234"),
            auth: Service,
            query: &[("subject", "alice")],
            body: None,
            answer: Answer::Json(result(None, json!({}))),
            call: |c, _| {
                Box::pin(async move { out(c.delete_granted_scopes("1234", "alice").await) })
            },
        },
        Case {
            name: "delete_granted_scopes_by_subject",
            operation: "client_granted_scopes_delete_by_subject_api",
            method: "DELETE",
            v3: "/api/7159/client/granted_scopes/delete/1234/alice",
            v2: Some("/api/client/granted_scopes/delete/1234/alice"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(result(None, json!({}))),
            call: |c, _| {
                Box::pin(
                    async move { out(c.delete_granted_scopes_by_subject("1234", "alice").await) },
                )
            },
        },
        // --- Authorization endpoint --------------------------------------------------
        Case {
            name: "authorization",
            operation: "auth_authorization_api",
            method: "POST",
            v3: "/api/7159/auth/authorization",
            v2: Some("/api/auth/authorization"),
            auth: Service,
            query: &[],
            body: Some(json!({
                "parameters": "response_type=code&client_id=1234&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
                "context": "ctx",
            })),
            answer: Answer::Json(result(Some("INTERACTION"), json!({ "ticket": "t1" }))),
            call: |c, body| Box::pin(async move { out(c.authorization(&req(body)).await) }),
        },
        Case {
            name: "authorization_fail",
            operation: "auth_authorization_fail_api",
            method: "POST",
            v3: "/api/7159/auth/authorization/fail",
            v2: Some("/api/auth/authorization/fail"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1", "reason": "DENIED", "description": "no" })),
            answer: Answer::Json(result(
                Some("LOCATION"),
                json!({ "responseContent": "https://app.example/cb?error=access_denied" }),
            )),
            call: |c, body| Box::pin(async move { out(c.authorization_fail(&req(body)).await) }),
        },
        Case {
            name: "authorization_issue",
            operation: "auth_authorization_issue_api",
            method: "POST",
            v3: "/api/7159/auth/authorization/issue",
            v2: Some("/api/auth/authorization/issue"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1", "subject": "alice", "scopes": ["openid"] })),
            answer: Answer::Json(result(
                Some("LOCATION"),
                json!({
                    "responseContent": "https://app.example/cb?code=abc",
                    "authorizationCode": "abc",
                }),
            )),
            call: |c, body| Box::pin(async move { out(c.authorization_issue(&req(body)).await) }),
        },
        Case {
            name: "push_authorization_request",
            operation: "pushed_auth_req_api",
            method: "POST",
            v3: "/api/7159/pushed_auth_req",
            v2: Some("/api/pushed_auth_req"),
            auth: Service,
            query: &[],
            body: Some(json!({
                "parameters": "response_type=code&client_id=1234",
                "clientId": "1234",
                "clientSecret": "client-secret",
            })),
            answer: Answer::Json(result(
                Some("CREATED"),
                json!({ "requestUri": "urn:ietf:params:oauth:request_uri:r1" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.push_authorization_request(&req(body)).await) })
            },
        },
        // --- Token endpoint ----------------------------------------------------------
        Case {
            name: "token",
            operation: "auth_token_api",
            method: "POST",
            v3: "/api/7159/auth/token",
            v2: Some("/api/auth/token"),
            auth: Service,
            query: &[],
            body: Some(json!({
                "parameters": "grant_type=authorization_code&code=abc",
                "clientId": "1234",
                "clientSecret": "client-secret",
            })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"access_token\":\"at\"}", "accessToken": "at" }),
            )),
            call: |c, body| Box::pin(async move { out(c.token(&req(body)).await) }),
        },
        Case {
            name: "token_fail",
            operation: "auth_token_fail_api",
            method: "POST",
            v3: "/api/7159/auth/token/fail",
            v2: Some("/api/auth/token/fail"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1", "reason": "INVALID_RESOURCE_OWNER_CREDENTIALS" })),
            answer: Answer::Json(result(
                Some("BAD_REQUEST"),
                json!({ "responseContent": "{\"error\":\"invalid_grant\"}" }),
            )),
            call: |c, body| Box::pin(async move { out(c.token_fail(&req(body)).await) }),
        },
        Case {
            name: "token_issue",
            operation: "auth_token_issue_api",
            method: "POST",
            v3: "/api/7159/auth/token/issue",
            v2: Some("/api/auth/token/issue"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1", "subject": "alice" })),
            answer: Answer::Json(result(Some("OK"), json!({ "accessToken": "at" }))),
            call: |c, body| Box::pin(async move { out(c.token_issue(&req(body)).await) }),
        },
        // --- Introspection, revocation, userinfo -------------------------------------
        Case {
            name: "introspection",
            operation: "auth_introspection_api",
            method: "POST",
            v3: "/api/7159/auth/introspection",
            v2: Some("/api/auth/introspection"),
            auth: Service,
            query: &[],
            body: Some(json!({ "token": "at", "scopes": ["read"], "subject": "alice" })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "subject": "alice", "clientId": 1234 }),
            )),
            call: |c, body| Box::pin(async move { out(c.introspection(&req(body)).await) }),
        },
        Case {
            name: "standard_introspection",
            operation: "auth_introspection_standard_api",
            method: "POST",
            v3: "/api/7159/auth/introspection/standard",
            v2: Some("/api/auth/introspection/standard"),
            auth: Service,
            query: &[],
            body: Some(json!({ "parameters": "token=at&token_type_hint=access_token" })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"active\":true}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.standard_introspection(&req(body)).await) })
            },
        },
        Case {
            name: "revocation",
            operation: "auth_revocation_api",
            method: "POST",
            v3: "/api/7159/auth/revocation",
            v2: Some("/api/auth/revocation"),
            auth: Service,
            query: &[],
            body: Some(json!({ "parameters": "token=rt", "clientId": "1234" })),
            answer: Answer::Json(result(Some("OK"), json!({ "responseContent": "" }))),
            call: |c, body| Box::pin(async move { out(c.revocation(&req(body)).await) }),
        },
        Case {
            name: "userinfo",
            operation: "auth_userinfo_api",
            method: "POST",
            v3: "/api/7159/auth/userinfo",
            v2: Some("/api/auth/userinfo"),
            auth: Service,
            query: &[],
            body: Some(json!({ "token": "at" })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "subject": "alice", "claims": ["name"] }),
            )),
            call: |c, body| Box::pin(async move { out(c.userinfo(&req(body)).await) }),
        },
        Case {
            name: "userinfo_issue",
            operation: "auth_userinfo_issue_api",
            method: "POST",
            v3: "/api/7159/auth/userinfo/issue",
            v2: Some("/api/auth/userinfo/issue"),
            auth: Service,
            query: &[],
            body: Some(json!({ "token": "at", "claims": "{\"name\":\"Alice\"}" })),
            answer: Answer::Json(result(
                Some("JSON"),
                json!({ "responseContent": "{\"sub\":\"alice\",\"name\":\"Alice\"}" }),
            )),
            call: |c, body| Box::pin(async move { out(c.userinfo_issue(&req(body)).await) }),
        },
        Case {
            name: "id_token_reissue",
            operation: "idtoken_reissue_api",
            method: "POST",
            v3: "/api/7159/idtoken/reissue",
            v2: Some("/api/idtoken/reissue"),
            auth: Service,
            query: &[],
            body: Some(json!({ "accessToken": "at", "refreshToken": "rt" })),
            answer: Answer::Json(result(Some("OK"), json!({ "idToken": "eyJ.id.token" }))),
            call: |c, body| Box::pin(async move { out(c.id_token_reissue(&req(body)).await) }),
        },
        Case {
            name: "grant_management",
            operation: "grant_m_api",
            method: "POST",
            v3: "/api/7159/gm",
            v2: Some("/api/gm"),
            auth: Service,
            query: &[],
            body: Some(json!({ "accessToken": "at", "gmAction": "QUERY", "grantId": "g1" })),
            answer: Answer::Json(result(Some("OK"), json!({ "responseContent": "{}" }))),
            call: |c, body| Box::pin(async move { out(c.grant_management(&req(body)).await) }),
        },
        // --- Service metadata ----------------------------------------------------------
        Case {
            name: "get_service_jwks",
            operation: "service_jwks_get_api",
            method: "GET",
            v3: "/api/7159/service/jwks/get",
            v2: Some("/api/service/jwks/get"),
            auth: Service,
            query: &[("includePrivateKeys", "true"), ("pretty", "false")],
            body: None,
            answer: Answer::Json(json!({ "keys": [{ "kty": "EC", "kid": "k1", "crv": "P-256" }] })),
            call: |c, _| {
                Box::pin(async move { out(c.get_service_jwks(Some(true), Some(false)).await) })
            },
        },
        Case {
            name: "get_service_jwks",
            operation: "service_jwks_get_api",
            method: "GET",
            v3: "/api/7159/service/jwks/get",
            v2: Some("/api/service/jwks/get"),
            auth: Service,
            query: &[("includePrivateKeys", "true"), ("pretty", "false")],
            body: None,
            // `204 No Content`: the service has no keys.
            answer: Answer::Empty(204, json!({ "keys": [] })),
            call: |c, _| {
                Box::pin(async move {
                    let jwks = c.get_service_jwks(Some(true), Some(false)).await?;
                    Ok(json!({ "keys": jwks.keys }))
                })
            },
        },
        Case {
            name: "get_service_configuration",
            operation: "service_configuration_api",
            method: "GET",
            v3: "/api/7159/service/configuration",
            v2: Some("/api/service/configuration"),
            auth: Service,
            query: &[
                ("pretty", "true"),
                ("patch", r#"[{"op":"add","path":"/x","value":"a b&c"}]"#),
            ],
            body: None,
            answer: Answer::Json(json!({
                "issuer": "https://as.example",
                "token_endpoint": "https://as.example/token",
            })),
            call: |c, _| {
                Box::pin(async move {
                    out(c
                        .get_service_configuration(
                            Some(true),
                            Some(r#"[{"op":"add","path":"/x","value":"a b&c"}]"#),
                        )
                        .await)
                })
            },
        },
        // --- Dynamic client registration ---------------------------------------------
        Case {
            name: "dynamic_client_register",
            operation: "client_registration_api",
            method: "POST",
            v3: "/api/7159/client/registration",
            v2: Some("/api/client/registration"),
            auth: Service,
            query: &[],
            body: Some(json!({ "json": "{\"redirect_uris\":[\"https://app.example/cb\"]}" })),
            answer: Answer::Json(result(
                Some("CREATED"),
                json!({ "responseContent": "{\"client_id\":\"1234\"}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.dynamic_client_register(&req(body)).await) })
            },
        },
        Case {
            name: "dynamic_client_get",
            operation: "client_registration_get_api",
            method: "POST",
            v3: "/api/7159/client/registration/get",
            v2: Some("/api/client/registration/get"),
            auth: Service,
            query: &[],
            body: Some(json!({ "clientId": "1234", "token": "rat" })),
            answer: Answer::Json(result(Some("OK"), json!({ "responseContent": "{}" }))),
            call: |c, body| Box::pin(async move { out(c.dynamic_client_get(&req(body)).await) }),
        },
        Case {
            name: "dynamic_client_update",
            operation: "client_registration_update_api",
            method: "POST",
            v3: "/api/7159/client/registration/update",
            v2: Some("/api/client/registration/update"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "clientId": "1234", "token": "rat", "json": "{\"client_name\":\"c2\"}" }),
            ),
            answer: Answer::Json(result(Some("UPDATED"), json!({ "responseContent": "{}" }))),
            call: |c, body| Box::pin(async move { out(c.dynamic_client_update(&req(body)).await) }),
        },
        Case {
            name: "dynamic_client_delete",
            operation: "client_registration_delete_api",
            method: "POST",
            v3: "/api/7159/client/registration/delete",
            v2: Some("/api/client/registration/delete"),
            auth: Service,
            query: &[],
            body: Some(json!({ "clientId": "1234", "token": "rat" })),
            answer: Answer::Json(result(Some("DELETED"), json!({}))),
            call: |c, body| Box::pin(async move { out(c.dynamic_client_delete(&req(body)).await) }),
        },
        // --- CIBA ---------------------------------------------------------------------
        Case {
            name: "backchannel_authentication",
            operation: "backchannel_authentication_api",
            method: "POST",
            v3: "/api/7159/backchannel/authentication",
            v2: Some("/api/backchannel/authentication"),
            auth: Service,
            query: &[],
            body: Some(json!({
                "parameters": "login_hint=alice&scope=openid",
                "clientId": "1234",
                "clientSecret": "client-secret",
            })),
            answer: Answer::Json(result(
                Some("USER_IDENTIFICATION"),
                json!({ "ticket": "t1" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.backchannel_authentication(&req(body)).await) })
            },
        },
        Case {
            name: "backchannel_authentication_issue",
            operation: "backchannel_authentication_issue_api",
            method: "POST",
            v3: "/api/7159/backchannel/authentication/issue",
            v2: Some("/api/backchannel/authentication/issue"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1" })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "authReqId": "ar1", "expiresIn": 600 }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.backchannel_authentication_issue(&req(body)).await) })
            },
        },
        Case {
            name: "backchannel_authentication_fail",
            operation: "backchannel_authentication_fail_api",
            method: "POST",
            v3: "/api/7159/backchannel/authentication/fail",
            v2: Some("/api/backchannel/authentication/fail"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1", "reason": "ACCESS_DENIED" })),
            answer: Answer::Json(result(
                Some("FORBIDDEN"),
                json!({ "responseContent": "{\"error\":\"access_denied\"}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.backchannel_authentication_fail(&req(body)).await) })
            },
        },
        Case {
            name: "backchannel_authentication_complete",
            operation: "backchannel_authentication_complete_api",
            method: "POST",
            v3: "/api/7159/backchannel/authentication/complete",
            v2: Some("/api/backchannel/authentication/complete"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1", "result": "AUTHORIZED", "subject": "alice" })),
            answer: Answer::Json(result(Some("NOTIFICATION"), json!({ "authReqId": "ar1" }))),
            call: |c, body| {
                Box::pin(
                    async move { out(c.backchannel_authentication_complete(&req(body)).await) },
                )
            },
        },
        // --- Device flow --------------------------------------------------------------
        Case {
            name: "device_authorization",
            operation: "device_authorization_api",
            method: "POST",
            v3: "/api/7159/device/authorization",
            v2: Some("/api/device/authorization"),
            auth: Service,
            query: &[],
            body: Some(json!({ "parameters": "client_id=1234&scope=openid" })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "deviceCode": "dc", "userCode": "XYZ", "expiresIn": 600 }),
            )),
            call: |c, body| Box::pin(async move { out(c.device_authorization(&req(body)).await) }),
        },
        Case {
            name: "device_verification",
            operation: "device_verification_api",
            method: "POST",
            v3: "/api/7159/device/verification",
            v2: Some("/api/device/verification"),
            auth: Service,
            query: &[],
            body: Some(json!({ "userCode": "XYZ" })),
            answer: Answer::Json(result(Some("VALID"), json!({ "clientId": 1234 }))),
            call: |c, body| Box::pin(async move { out(c.device_verification(&req(body)).await) }),
        },
        Case {
            name: "device_complete",
            operation: "device_complete_api",
            method: "POST",
            v3: "/api/7159/device/complete",
            v2: Some("/api/device/complete"),
            auth: Service,
            query: &[],
            body: Some(json!({ "userCode": "XYZ", "result": "AUTHORIZED", "subject": "alice" })),
            answer: Answer::Json(result(Some("SUCCESS"), json!({}))),
            call: |c, body| Box::pin(async move { out(c.device_complete(&req(body)).await) }),
        },
        // --- Token management ---------------------------------------------------------
        Case {
            name: "get_token_list",
            operation: "auth_token_get_list_api",
            method: "GET",
            v3: "/api/7159/auth/token/get/list",
            v2: Some("/api/auth/token/get/list"),
            auth: Service,
            query: &[
                ("clientIdentifier", "1234"),
                ("subject", "alice"),
                ("start", "0"),
                ("end", "10"),
            ],
            body: None,
            answer: Answer::Json(json!({
                "start": 0,
                "end": 10,
                "totalCount": 1,
                "subject": "alice",
                "accessTokens": [{ "accessTokenHash": "h", "subject": "alice", "clientId": 1234 }],
            })),
            call: |c, _| {
                Box::pin(async move {
                    out(c
                        .get_token_list(Some("1234"), Some("alice"), Some(0), Some(10))
                        .await)
                })
            },
        },
        Case {
            name: "token_create",
            operation: "auth_token_create_api",
            method: "POST",
            v3: "/api/7159/auth/token/create",
            v2: Some("/api/auth/token/create"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "grantType": "CLIENT_CREDENTIALS", "clientId": 1234, "scopes": ["read"] }),
            ),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "accessToken": "at", "clientId": 1234 }),
            )),
            call: |c, body| Box::pin(async move { out(c.token_create(&req(body)).await) }),
        },
        Case {
            name: "token_create_batch",
            operation: "auth_token_create_batch_api",
            method: "POST",
            v3: "/api/7159/auth/token/create/batch",
            v2: None,
            auth: Service,
            query: &[("dryRun", "true")],
            body: Some(json!([
                { "grantType": "CLIENT_CREDENTIALS", "clientId": 1234 },
                { "grantType": "PASSWORD", "clientId": 1234, "subject": "alice" },
            ])),
            answer: Answer::Json(result(None, json!({ "requestId": "batch-1" }))),
            call: |c, body| {
                Box::pin(async move { out(c.token_create_batch(req(body), Some(true)).await) })
            },
        },
        Case {
            name: "get_token_create_batch_status",
            operation: "auth_token_create_batch_status_api",
            method: "GET",
            v3: "/api/7159/auth/token/create/batch/status/batch-1",
            v2: None,
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(result(
                None,
                json!({ "status": { "requestId": "batch-1", "result": "SUCCEEDED", "tokenCount": 2 } }),
            )),
            call: |c, _| {
                Box::pin(async move { out(c.get_token_create_batch_status("batch-1").await) })
            },
        },
        Case {
            name: "token_update",
            operation: "auth_token_update_api",
            method: "POST",
            v3: "/api/7159/auth/token/update",
            v2: Some("/api/auth/token/update"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "accessToken": "at", "scopes": ["read"], "accessTokenPersistent": true }),
            ),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "accessToken": "at", "scopes": ["read"] }),
            )),
            call: |c, body| Box::pin(async move { out(c.token_update(&req(body)).await) }),
        },
        Case {
            name: "token_delete",
            operation: "auth_token_delete_api",
            method: "DELETE",
            v3: "/api/7159/auth/token/delete/at-1",
            v2: Some("/api/auth/token/delete/at-1"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Empty(204, Value::Null),
            call: |c, _| Box::pin(async move { out(c.token_delete("at-1").await) }),
        },
        Case {
            name: "token_revoke",
            operation: "auth_token_revoke_api",
            method: "POST",
            v3: "/api/7159/auth/token/revoke",
            v2: Some("/api/auth/token/revoke"),
            auth: Service,
            query: &[],
            body: Some(json!({ "clientIdentifier": "1234", "subject": "alice" })),
            answer: Answer::Json(result(None, json!({ "count": 2 }))),
            call: |c, body| Box::pin(async move { out(c.token_revoke(&req(body)).await) }),
        },
        // --- JOSE and federation ------------------------------------------------------
        Case {
            name: "verify_jose",
            operation: "jose_verify_api",
            method: "POST",
            v3: "/api/7159/jose/verify",
            v2: Some("/api/jose/verify"),
            auth: Service,
            query: &[],
            body: Some(json!({ "jose": "eyJhbGciOiJub25lIn0.e30.", "mandatoryClaims": ["iss"] })),
            answer: Answer::Json(result(
                None,
                json!({ "valid": true, "signatureValid": true }),
            )),
            call: |c, body| Box::pin(async move { out(c.verify_jose(&req(body)).await) }),
        },
        Case {
            name: "federation_configuration",
            operation: "federation_configuration_api",
            method: "POST",
            v3: "/api/7159/federation/configuration",
            v2: Some("/api/federation/configuration"),
            auth: Service,
            query: &[],
            // The method takes no request; it sends an empty object.
            body: Some(json!({})),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "eyJ.entity.statement" }),
            )),
            call: |c, _| Box::pin(async move { out(c.federation_configuration().await) }),
        },
        Case {
            name: "federation_registration",
            operation: "federation_registration_api",
            method: "POST",
            v3: "/api/7159/federation/registration",
            v2: Some("/api/federation/registration"),
            auth: Service,
            query: &[],
            body: Some(json!({ "entityConfiguration": "eyJ.entity.configuration" })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "eyJ.registered" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.federation_registration(&req(body)).await) })
            },
        },
        // --- Server information -------------------------------------------------------
        Case {
            name: "info",
            operation: "info_api",
            method: "GET",
            v3: "/api/info",
            v2: Some("/api/info"),
            auth: NoAuth,
            query: &[],
            body: None,
            answer: Answer::Json(json!({ "version": "3.0.16", "features": ["vci"] })),
            call: |c, _| Box::pin(async move { out(c.info().await) }),
        },
        // --- Requestable scopes -------------------------------------------------------
        Case {
            name: "get_requestable_scopes",
            operation: "client_extension_requestables_scopes_get_api",
            method: "GET",
            v3: "/api/7159/client/extension/requestable_scopes/get/1234",
            v2: Some("/api/client/extension/requestable_scopes/get/1234"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(json!({ "requestableScopes": ["read", "write"] })),
            call: |c, _| Box::pin(async move { out(c.get_requestable_scopes("1234").await) }),
        },
        Case {
            name: "set_requestable_scopes",
            operation: "client_extension_requestables_scopes_update_api_post",
            method: "POST",
            v3: "/api/7159/client/extension/requestable_scopes/update/1234",
            v2: Some("/api/client/extension/requestable_scopes/update/1234"),
            auth: Service,
            query: &[],
            body: Some(json!({ "requestableScopes": ["read"] })),
            answer: Answer::Json(json!({ "requestableScopes": ["read"] })),
            call: |c, body| {
                Box::pin(async move { out(c.set_requestable_scopes("1234", &req(body)).await) })
            },
        },
        Case {
            name: "put_requestable_scopes",
            operation: "client_extension_requestables_scopes_update_api",
            method: "PUT",
            v3: "/api/7159/client/extension/requestable_scopes/update/1234",
            v2: Some("/api/client/extension/requestable_scopes/update/1234"),
            auth: Service,
            query: &[],
            body: Some(json!({ "requestableScopes": ["write"] })),
            answer: Answer::Json(json!({ "requestableScopes": ["write"] })),
            call: |c, body| {
                Box::pin(async move { out(c.put_requestable_scopes("1234", &req(body)).await) })
            },
        },
        Case {
            name: "delete_requestable_scopes",
            operation: "client_extension_requestables_scopes_delete_api",
            method: "DELETE",
            v3: "/api/7159/client/extension/requestable_scopes/delete/1234",
            v2: Some("/api/client/extension/requestable_scopes/delete/1234"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Empty(204, Value::Null),
            call: |c, _| Box::pin(async move { out(c.delete_requestable_scopes("1234").await) }),
        },
        // --- Hardware security keys ---------------------------------------------------
        Case {
            name: "hsk_create",
            operation: "hsk_create_api",
            method: "POST",
            v3: "/api/7159/hsk/create",
            v2: Some("/api/hsk/create"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "kty": "EC", "use": "sig", "alg": "ES256", "kid": "k1", "hsmName": "google" }),
            ),
            answer: Answer::Json(result(Some("SUCCESS"), json!({ "hsk": hsk.clone() }))),
            call: |c, body| Box::pin(async move { out(c.hsk_create(&req(body)).await) }),
        },
        Case {
            name: "hsk_delete",
            operation: "hsk_delete_api",
            method: "DELETE",
            v3: "/api/7159/hsk/delete/h1",
            v2: Some("/api/hsk/delete/h1"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(result(Some("SUCCESS"), json!({ "hsk": hsk.clone() }))),
            call: |c, _| Box::pin(async move { out(c.hsk_delete("h1").await) }),
        },
        Case {
            name: "hsk_get",
            operation: "hsk_get_api",
            method: "GET",
            v3: "/api/7159/hsk/get/h1",
            v2: Some("/api/hsk/get/h1"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(result(Some("SUCCESS"), json!({ "hsk": hsk.clone() }))),
            call: |c, _| Box::pin(async move { out(c.hsk_get("h1").await) }),
        },
        Case {
            name: "hsk_get_list",
            operation: "hsk_get_list_api",
            method: "GET",
            v3: "/api/7159/hsk/get/list",
            v2: Some("/api/hsk/get/list"),
            auth: Service,
            query: &[],
            body: None,
            answer: Answer::Json(result(Some("SUCCESS"), json!({ "hsks": [hsk.clone()] }))),
            call: |c, _| Box::pin(async move { out(c.hsk_get_list().await) }),
        },
        // --- Echo -----------------------------------------------------------------------
        Case {
            name: "echo",
            operation: "misc_echo_api",
            method: "GET",
            v3: "/api/misc/echo",
            v2: Some("/api/misc/echo"),
            auth: NoAuth,
            query: &[],
            body: None,
            // The spec's only success answer for echo is `200` (its body is not decoded).
            answer: Answer::Empty(200, Value::Null),
            call: |c, _| Box::pin(async move { out(c.echo().await) }),
        },
        // --- Verifiable credentials -----------------------------------------------------
        Case {
            name: "credential_issuer_metadata",
            operation: "vci_metadata_api",
            method: "POST",
            v3: "/api/7159/vci/metadata",
            v2: Some("/api/vci/metadata"),
            auth: Service,
            query: &[],
            body: Some(json!({ "pretty": true })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"credential_issuer\":\"https://as.example\"}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.credential_issuer_metadata(&req(body)).await) })
            },
        },
        Case {
            name: "credential_jwt_issuer_metadata",
            operation: "vci_jwtissuer_api",
            method: "POST",
            v3: "/api/7159/vci/jwtissuer",
            v2: Some("/api/vci/jwtissuer"),
            auth: Service,
            query: &[],
            body: Some(json!({ "pretty": false })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"issuer\":\"https://as.example\"}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.credential_jwt_issuer_metadata(&req(body)).await) })
            },
        },
        Case {
            name: "credential_issuer_jwks",
            operation: "vci_jwks_api",
            method: "POST",
            v3: "/api/7159/vci/jwks",
            v2: Some("/api/vci/jwks"),
            auth: Service,
            query: &[],
            body: Some(json!({ "pretty": true })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"keys\":[]}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.credential_issuer_jwks(&req(body)).await) })
            },
        },
        Case {
            name: "credential_offer_create",
            operation: "vci_offer_create_api",
            method: "POST",
            v3: "/api/7159/vci/offer/create",
            v2: Some("/api/vci/offer/create"),
            auth: Service,
            query: &[],
            body: Some(json!({
                "credentialConfigurationIds": ["UniversityDegree"],
                "subject": "alice",
                "preAuthorizedCodeGrantIncluded": true,
            })),
            answer: Answer::Json(result(
                Some("CREATED"),
                json!({ "info": { "identifier": "o1" } }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.credential_offer_create(&req(body)).await) })
            },
        },
        Case {
            name: "credential_offer_info",
            operation: "vci_offer_info_api",
            method: "POST",
            v3: "/api/7159/vci/offer/info",
            v2: Some("/api/vci/offer/info"),
            auth: Service,
            query: &[],
            body: Some(json!({ "identifier": "o1" })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "info": { "identifier": "o1", "subject": "alice" } }),
            )),
            call: |c, body| Box::pin(async move { out(c.credential_offer_info(&req(body)).await) }),
        },
        Case {
            name: "credential_single_parse",
            operation: "vci_single_parse_api",
            method: "POST",
            v3: "/api/7159/vci/single/parse",
            v2: Some("/api/vci/single/parse"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "accessToken": "at", "requestContent": "{\"format\":\"jwt_vc_json\"}" }),
            ),
            answer: Answer::Json(result(Some("OK"), json!({ "responseContent": "{}" }))),
            call: |c, body| {
                Box::pin(async move { out(c.credential_single_parse(&req(body)).await) })
            },
        },
        Case {
            name: "credential_single_issue",
            operation: "vci_single_issue_api",
            method: "POST",
            v3: "/api/7159/vci/single/issue",
            v2: Some("/api/vci/single/issue"),
            auth: Service,
            query: &[],
            body: Some(json!({
                "accessToken": "at",
                "order": { "requestIdentifier": "r1", "credentialPayload": "{}" },
            })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"credential\":\"c\"}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.credential_single_issue(&req(body)).await) })
            },
        },
        Case {
            name: "credential_batch_parse",
            operation: "vci_batch_parse_api",
            method: "POST",
            v3: "/api/7159/vci/batch/parse",
            v2: Some("/api/vci/batch/parse"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "accessToken": "at", "requestContent": "{\"credential_requests\":[]}" }),
            ),
            answer: Answer::Json(result(Some("OK"), json!({ "responseContent": "{}" }))),
            call: |c, body| {
                Box::pin(async move { out(c.credential_batch_parse(&req(body)).await) })
            },
        },
        Case {
            name: "credential_batch_issue",
            operation: "vci_batch_issue_api",
            method: "POST",
            v3: "/api/7159/vci/batch/issue",
            v2: Some("/api/vci/batch/issue"),
            auth: Service,
            query: &[],
            body: Some(json!({ "accessToken": "at", "orders": [{ "requestIdentifier": "r1" }] })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"credential_responses\":[]}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.credential_batch_issue(&req(body)).await) })
            },
        },
        // --- Health check ---------------------------------------------------------------
        Case {
            name: "healthcheck",
            operation: "lifecycle_healthcheck_api",
            method: "GET",
            v3: "/api/lifecycle/healthcheck",
            v2: Some("/api/lifecycle/healthcheck"),
            auth: NoAuth,
            query: &[("extended", "true")],
            body: None,
            answer: Answer::Text("OK: database reachable"),
            call: |c, _| Box::pin(async move { out(c.healthcheck(Some(true)).await) }),
        },
        // --- Deferred credentials ---------------------------------------------------------
        Case {
            name: "credential_deferred_parse",
            operation: "vci_deferred_parse_api",
            method: "POST",
            v3: "/api/7159/vci/deferred/parse",
            v2: Some("/api/vci/deferred/parse"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "accessToken": "at", "requestContent": "{\"transaction_id\":\"tx1\"}" }),
            ),
            answer: Answer::Json(result(Some("OK"), json!({ "responseContent": "{}" }))),
            call: |c, body| {
                Box::pin(async move { out(c.credential_deferred_parse(&req(body)).await) })
            },
        },
        Case {
            name: "credential_deferred_issue",
            operation: "vci_deferred_issue_api",
            method: "POST",
            v3: "/api/7159/vci/deferred/issue",
            v2: Some("/api/vci/deferred/issue"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "order": { "requestIdentifier": "tx1", "issuanceDeferred": false } }),
            ),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"credential\":\"c\"}" }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.credential_deferred_issue(&req(body)).await) })
            },
        },
        // --- Authorization tickets ----------------------------------------------------------
        Case {
            name: "authorization_ticket_info",
            operation: "getAuthorizationTicketInfo",
            method: "POST",
            v3: "/api/7159/auth/authorization/ticket/info",
            v2: Some("/api/auth/authorization/ticket/info"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1" })),
            answer: Answer::Json(result(Some("OK"), json!({ "info": { "context": "ctx" } }))),
            call: |c, body| {
                Box::pin(async move { out(c.authorization_ticket_info(&req(body)).await) })
            },
        },
        Case {
            name: "authorization_ticket_update",
            operation: "updateAuthorizationTicket",
            method: "POST",
            v3: "/api/7159/auth/authorization/ticket/update",
            v2: Some("/api/auth/authorization/ticket/update"),
            auth: Service,
            query: &[],
            body: Some(json!({ "ticket": "t1", "info": "{\"context\":\"ctx2\"}" })),
            answer: Answer::Json(result(Some("OK"), json!({ "info": { "context": "ctx2" } }))),
            call: |c, body| {
                Box::pin(async move { out(c.authorization_ticket_update(&req(body)).await) })
            },
        },
        // --- Native SSO -----------------------------------------------------------------------
        Case {
            name: "native_sso",
            operation: "native_sso_api",
            method: "POST",
            v3: "/api/7159/nativesso",
            v2: Some("/api/nativesso"),
            auth: Service,
            query: &[],
            body: Some(json!({ "accessToken": "at", "refreshToken": "rt", "deviceSecret": "ds" })),
            answer: Answer::Json(result(Some("OK"), json!({ "idToken": "eyJ.id.token" }))),
            call: |c, body| Box::pin(async move { out(c.native_sso(&req(body)).await) }),
        },
        Case {
            name: "native_sso_logout",
            operation: "native_sso_logout_api",
            method: "POST",
            v3: "/api/7159/nativesso/logout",
            v2: Some("/api/nativesso/logout"),
            auth: Service,
            query: &[],
            body: Some(json!({ "sessionId": "sid" })),
            answer: Answer::Json(result(Some("OK"), json!({ "count": 2 }))),
            call: |c, body| Box::pin(async move { out(c.native_sso_logout(&req(body)).await) }),
        },
        // --- Operations missing from Authlete's published spec ---------------------------
        // Their V2 paths exist, though Authlete 2.x servers do not serve them: the client
        // sends them like any other V2 call.
        Case {
            name: "credential_nonce",
            operation: "vci_nonce_api",
            method: "POST",
            v3: "/api/7159/vci/nonce",
            v2: Some("/api/vci/nonce"),
            auth: Service,
            query: &[],
            body: Some(json!({ "pretty": false })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({ "responseContent": "{\"c_nonce\":\"n1\"}", "cnonce": "n1" }),
            )),
            call: |c, body| Box::pin(async move { out(c.credential_nonce(&req(body)).await) }),
        },
        Case {
            name: "attestation_challenge",
            operation: "attestation_challenge_api",
            method: "POST",
            v3: "/api/7159/attestation/challenge",
            v2: Some("/api/attestation/challenge"),
            auth: Service,
            query: &[],
            body: Some(json!({ "pretty": true })),
            answer: Answer::Json(result(
                Some("OK"),
                json!({
                    "responseContent": "{\"attestation_challenge\":\"ch1\"}",
                    "attestationChallenge": "ch1"
                }),
            )),
            call: |c, body| Box::pin(async move { out(c.attestation_challenge(&req(body)).await) }),
        },
        Case {
            name: "backchannel_logout_token",
            operation: "backchannel_logout_token_api",
            method: "POST",
            v3: "/api/7159/backchannel/logout/token",
            v2: Some("/api/backchannel/logout/token"),
            auth: Service,
            query: &[],
            body: Some(
                json!({ "clientIdentifier": "57297408867", "subject": "alice", "sessionId": "sid" }),
            ),
            answer: Answer::Json(result(
                Some("OK"),
                json!({
                    "logoutToken": "eyJ.logout.token",
                    "backchannelLogoutUri": "https://rp.example/logout"
                }),
            )),
            call: |c, body| {
                Box::pin(async move { out(c.backchannel_logout_token(&req(body)).await) })
            },
        },
    ]
}

/// The 91 `pub async fn`s of `authlete/src/operations.rs`, written out by hand so that a
/// method added there without a row here, or a row for a method that is gone, fails
/// [`the_table_covers_every_method_of_the_client`].
const CLIENT_METHODS: [&str; 91] = [
    "get_service",
    "get_service_list",
    "create_service",
    "update_service",
    "delete_service",
    "get_client",
    "get_client_list",
    "create_client",
    "update_client",
    "delete_client",
    "update_client_lock_flag",
    "refresh_client_secret",
    "update_client_secret",
    "get_client_authorization_list_by_query",
    "get_client_authorization_list",
    "get_client_authorization_list_by_subject",
    "update_client_authorization",
    "delete_client_authorization_by_query",
    "delete_client_authorization",
    "delete_client_authorization_by_subject",
    "get_granted_scopes_by_query",
    "get_granted_scopes",
    "get_granted_scopes_by_subject",
    "delete_granted_scopes",
    "delete_granted_scopes_by_subject",
    "authorization",
    "authorization_fail",
    "authorization_issue",
    "push_authorization_request",
    "token",
    "token_fail",
    "token_issue",
    "introspection",
    "standard_introspection",
    "revocation",
    "userinfo",
    "userinfo_issue",
    "id_token_reissue",
    "grant_management",
    "get_service_jwks",
    "get_service_configuration",
    "dynamic_client_register",
    "dynamic_client_get",
    "dynamic_client_update",
    "dynamic_client_delete",
    "backchannel_authentication",
    "backchannel_authentication_issue",
    "backchannel_authentication_fail",
    "backchannel_authentication_complete",
    "device_authorization",
    "device_verification",
    "device_complete",
    "get_token_list",
    "token_create",
    "token_create_batch",
    "get_token_create_batch_status",
    "token_update",
    "token_delete",
    "token_revoke",
    "verify_jose",
    "federation_configuration",
    "federation_registration",
    "info",
    "get_requestable_scopes",
    "set_requestable_scopes",
    "put_requestable_scopes",
    "delete_requestable_scopes",
    "hsk_create",
    "hsk_delete",
    "hsk_get",
    "hsk_get_list",
    "echo",
    "credential_issuer_metadata",
    "credential_jwt_issuer_metadata",
    "credential_issuer_jwks",
    "credential_offer_create",
    "credential_offer_info",
    "credential_single_parse",
    "credential_single_issue",
    "credential_batch_parse",
    "credential_batch_issue",
    "healthcheck",
    "credential_deferred_parse",
    "credential_deferred_issue",
    "authorization_ticket_info",
    "authorization_ticket_update",
    "native_sso",
    "native_sso_logout",
    "credential_nonce",
    "attestation_challenge",
    "backchannel_logout_token",
];

// ---------------------------------------------------------------------------------------
// Running a row
// ---------------------------------------------------------------------------------------

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
    let call = (case.call)(client, case.body.clone());

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
            match &case.body {
                Some(body) => {
                    when.json_body(body.clone());
                }
                None => {
                    when.is_true(|request: &HttpMockRequest| request.body_ref().is_empty());
                }
            }
            match &case.answer {
                Answer::Json(body) => {
                    then.status(200).json_body(body.clone());
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
            case.body
                .as_ref()
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
        Answer::Empty(_, expected) => (actual != expected)
            .then(|| format!("the decoded result is {actual}, expected {expected}")),
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

#[test]
fn the_table_covers_every_method_of_the_client() {
    let cases = cases();

    let mut operations: Vec<&str> = cases.iter().map(|c| c.operation).collect();
    operations.sort_unstable();
    operations.dedup();
    assert_eq!(
        operations.len(),
        91,
        "distinct operation ids in the table: {operations:?}"
    );

    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    let mut methods = CLIENT_METHODS.to_vec();
    methods.sort_unstable();
    let duplicates: Vec<&str> = methods
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    assert!(
        duplicates.is_empty(),
        "CLIENT_METHODS lists twice: {duplicates:?}"
    );
    let missing: Vec<&str> = methods
        .iter()
        .filter(|m| !names.contains(m))
        .copied()
        .collect();
    let extra: Vec<&str> = names
        .iter()
        .filter(|n| !methods.contains(n))
        .copied()
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "methods without a row: {missing:?}; rows for no method: {extra:?}"
    );

    // One method per operation: a row's method always names the same operation.
    for case in &cases {
        let other = cases
            .iter()
            .find(|c| c.name == case.name && c.operation != case.operation);
        assert!(
            other.is_none(),
            "`{}` has rows for two operations",
            case.name
        );
    }

    // Only the two V3-only operations lack a V2 path.
    let v3_only: Vec<&str> = cases
        .iter()
        .filter(|c| c.v2.is_none())
        .map(|c| c.name)
        .collect();
    assert_eq!(
        v3_only,
        ["token_create_batch", "get_token_create_batch_status"]
    );

    // Every row's request body is a valid JSON value for its method: checked when the
    // rows run; here, only that body-less rows are the GETs and DELETEs.
    for case in &cases {
        let has_body = case.body.is_some();
        let sends_body = matches!(case.method, "POST" | "PUT");
        assert_eq!(
            has_body, sends_body,
            "`{}`: {} with body {has_body}",
            case.name, case.method
        );
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
