//! Every answer the stand-in sends conforms to the spec: for each operation it serves (as its
//! dispatch table lists them, `operations_served`), a row drives a realistic exchange,
//! successes and refusals, and each answer on the way is checked against the response schema
//! of its operation and status, its `action` against the spec's enum.

use authlete_standin::{CLIENT_ID, CLIENT_SECRET, MAX_BODY_BYTES, REDIRECT_URI};
use serde_json::{Value, json};

use super::session::{Generation, Session};
use super::spec::spec;

const SUBJECT: &str = "alice";

/// The client's credentials, as the flows pass them to Authlete.
fn client(mut body: Value) -> Value {
    body["clientId"] = json!(CLIENT_ID);
    body["clientSecret"] = json!(CLIENT_SECRET);
    body
}

fn authorization_parameters(extra: &str) -> String {
    format!(
        "response_type=code&client_id={CLIENT_ID}&redirect_uri={REDIRECT_URI}\
         &scope=openid+profile&state=s-1&nonce=n-1{extra}"
    )
}

/// A ticket for an authorization request waiting for the user.
async fn ticket(s: &Session) -> String {
    let parameters = authorization_parameters("");
    let answer = s.call(
        "auth_authorization_api",
        &[],
        json!({ "parameters": parameters }),
    );
    answer.await.text("ticket")
}

/// An authorization code, for the user.
async fn code(s: &Session) -> String {
    let ticket = ticket(s).await;
    let body = json!({ "ticket": ticket, "subject": SUBJECT });
    let answer = s.call("auth_authorization_issue_api", &[], body).await;
    answer.text("authorizationCode")
}

/// An access token and a refresh token, for the user.
async fn tokens(s: &Session) -> (String, String) {
    let code = code(s).await;
    let parameters =
        format!("grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_URI}");
    let answer = s.call(
        "auth_token_api",
        &[],
        client(json!({ "parameters": parameters })),
    );
    let answer = answer.await;
    (answer.text("accessToken"), answer.text("refreshToken"))
}

/// The ticket of a password grant token request, which the application settles with
/// `auth_token_issue_api` or `auth_token_fail_api`.
async fn password_ticket(s: &Session) -> String {
    let parameters = format!("grant_type=password&username={SUBJECT}&password=pw&scope=openid");
    let answer = s.call(
        "auth_token_api",
        &[],
        client(json!({ "parameters": parameters })),
    );
    answer.await.text("ticket")
}

/// The CIBA ticket for a request about the user.
async fn backchannel_ticket(s: &Session) -> String {
    let parameters = format!("scope=openid&login_hint={SUBJECT}");
    let body = client(json!({ "parameters": parameters }));
    let answer = s.call("backchannel_authentication_api", &[], body).await;
    answer.text("ticket")
}

/// A CIBA request of a new client in ping or push `mode`, completed with `result`, its
/// client polling before and after.
async fn notified(s: &Session, mode: &str, result: &str) {
    let client = json!({ "clientName": mode, "bcDeliveryMode": mode,
                         "bcNotificationEndpoint": "https://client.example.org/ciba",
                         "grantTypes": ["CIBA", "REFRESH_TOKEN"] });
    let client_id = s.call("client_create_api", &[], client).await.body["clientId"].to_string();
    let parameters = format!("scope=openid&login_hint={SUBJECT}&client_notification_token=n-1");
    let body = json!({ "parameters": parameters, "clientId": client_id });
    let ticket = s
        .call("backchannel_authentication_api", &[], body)
        .await
        .text("ticket");
    let issued = s.call(
        "backchannel_authentication_issue_api",
        &[],
        json!({ "ticket": ticket }),
    );
    let auth_req_id = issued.await.text("authReqId");
    let poll = format!("grant_type=urn:openid:params:grant-type:ciba&auth_req_id={auth_req_id}");
    let body = json!({ "parameters": poll, "clientId": client_id });
    s.call("auth_token_api", &[], body.clone()).await;
    let completion = json!({ "ticket": ticket, "result": result, "subject": SUBJECT });
    s.call("backchannel_authentication_complete_api", &[], completion)
        .await;
    s.call("auth_token_api", &[], body).await;
}

/// A device flow request: its device code and user code.
async fn device(s: &Session) -> (String, String) {
    let body = client(json!({ "parameters": "scope=openid" }));
    let answer = s.call("device_authorization_api", &[], body).await;
    (answer.text("deviceCode"), answer.text("userCode"))
}

/// One row per operation: the exchange that ends in it. `false` for an operation with no
/// row.
async fn drive(s: &Session, operation: &str) -> bool {
    let unknown = "no-such-thing";
    match operation {
        "auth_authorization_api" => {
            ticket(s).await;
            let prompt_none = authorization_parameters("&prompt=none");
            s.call(operation, &[], json!({ "parameters": prompt_none }))
                .await;
            let parameters = "response_type=code&client_id=0";
            s.call(operation, &[], json!({ "parameters": parameters }))
                .await;
        }
        "auth_authorization_issue_api" => {
            code(s).await;
            s.call(
                operation,
                &[],
                json!({ "ticket": unknown, "subject": SUBJECT }),
            )
            .await;
        }
        "auth_authorization_fail_api" => {
            let ticket = ticket(s).await;
            s.call(
                operation,
                &[],
                json!({ "ticket": ticket, "reason": "DENIED" }),
            )
            .await;
            s.call(
                operation,
                &[],
                json!({ "ticket": unknown, "reason": "DENIED" }),
            )
            .await;
        }
        // Served on the `strict` branch: rows ready for the merge.
        "getAuthorizationTicketInfo" => {
            let ticket = ticket(s).await;
            s.call(operation, &[], json!({ "ticket": ticket })).await;
            s.call(operation, &[], json!({ "ticket": unknown })).await;
        }
        "updateAuthorizationTicket" => {
            let ticket = ticket(s).await;
            let info = json!({ "context": "step 2 of the consent" });
            s.call(operation, &[], json!({ "ticket": ticket, "info": info }))
                .await;
            let info = json!({});
            s.call(operation, &[], json!({ "ticket": unknown, "info": info }))
                .await;
        }
        "auth_token_issue_api" => {
            let ticket = password_ticket(s).await;
            s.call(
                operation,
                &[],
                json!({ "ticket": ticket, "subject": SUBJECT }),
            )
            .await;
            s.call(
                operation,
                &[],
                json!({ "ticket": unknown, "subject": SUBJECT }),
            )
            .await;
        }
        "auth_token_fail_api" => {
            let ticket = password_ticket(s).await;
            let reason = "INVALID_RESOURCE_OWNER_CREDENTIALS";
            s.call(
                operation,
                &[],
                json!({ "ticket": ticket, "reason": reason }),
            )
            .await;
            s.call(
                operation,
                &[],
                json!({ "ticket": unknown, "reason": reason }),
            )
            .await;
        }
        "pushed_auth_req_api" => {
            let parameters = authorization_parameters("");
            let answer = s.call(operation, &[], client(json!({ "parameters": parameters })));
            let request_uri = answer.await.text("requestUri");
            let parameters = format!("client_id={CLIENT_ID}&request_uri={request_uri}");
            s.call(
                "auth_authorization_api",
                &[],
                json!({ "parameters": parameters }),
            )
            .await;
            let wrong = json!({ "parameters": "response_type=code", "clientId": CLIENT_ID,
                                "clientSecret": "wrong" });
            s.call(operation, &[], wrong).await;
        }
        "auth_token_api" => {
            let (_, refresh) = tokens(s).await;
            let parameters = format!("grant_type=refresh_token&refresh_token={refresh}");
            s.call(operation, &[], client(json!({ "parameters": parameters })))
                .await;
            let parameters = format!("grant_type=authorization_code&code={unknown}");
            s.call(operation, &[], client(json!({ "parameters": parameters })))
                .await;
            let parameters = "grant_type=authorization_code&code=x";
            let wrong = json!({ "parameters": parameters, "clientId": CLIENT_ID,
                                "clientSecret": "wrong" });
            s.call(operation, &[], wrong).await;
        }
        "auth_introspection_api" => {
            let (access, _) = tokens(s).await;
            s.call(
                operation,
                &[],
                json!({ "token": access, "scopes": ["openid"] }),
            )
            .await;
            s.call(operation, &[], json!({ "token": unknown })).await;
        }
        "auth_introspection_standard_api" => {
            let (access, refresh) = tokens(s).await;
            for token in [access, refresh, unknown.to_owned()] {
                let parameters = format!("token={token}");
                s.call(operation, &[], json!({ "parameters": parameters }))
                    .await;
            }
        }
        "auth_revocation_api" => {
            let (access, _) = tokens(s).await;
            let parameters = format!("token={access}");
            s.call(operation, &[], client(json!({ "parameters": parameters })))
                .await;
            let wrong = json!({ "parameters": "token=x", "clientId": CLIENT_ID,
                                "clientSecret": "wrong" });
            s.call(operation, &[], wrong).await;
        }
        "auth_userinfo_api" => {
            let (access, _) = tokens(s).await;
            s.call(operation, &[], json!({ "token": access })).await;
            s.call(operation, &[], json!({ "token": unknown })).await;
        }
        "auth_userinfo_issue_api" => {
            let (access, _) = tokens(s).await;
            let claims = json!({ "name": "Alice" }).to_string();
            s.call(operation, &[], json!({ "token": access, "claims": claims }))
                .await;
            s.call(operation, &[], json!({ "token": unknown })).await;
        }
        "service_configuration_api" | "service_jwks_get_api" => {
            s.get(operation, &[], &[]).await;
        }
        "backchannel_authentication_api" => {
            backchannel_ticket(s).await;
            let body = client(json!({ "parameters": "scope=profile" }));
            s.call(operation, &[], body).await;
        }
        "backchannel_authentication_issue_api" => {
            let ticket = backchannel_ticket(s).await;
            s.call(operation, &[], json!({ "ticket": ticket })).await;
            s.call(operation, &[], json!({ "ticket": unknown })).await;
        }
        "backchannel_authentication_fail_api" => {
            let ticket = backchannel_ticket(s).await;
            let body = json!({ "ticket": ticket, "reason": "ACCESS_DENIED" });
            s.call(operation, &[], body).await;
        }
        "backchannel_authentication_complete_api" => {
            let ticket = backchannel_ticket(s).await;
            let issued = s.call(
                "backchannel_authentication_issue_api",
                &[],
                json!({ "ticket": ticket }),
            );
            let auth_req_id = issued.await.text("authReqId");
            let poll =
                format!("grant_type=urn:openid:params:grant-type:ciba&auth_req_id={auth_req_id}");
            s.call("auth_token_api", &[], client(json!({ "parameters": poll })))
                .await;
            let body = json!({ "ticket": ticket, "result": "AUTHORIZED", "subject": SUBJECT });
            s.call(operation, &[], body).await;
            s.call("auth_token_api", &[], client(json!({ "parameters": poll })))
                .await;
            let body = json!({ "ticket": unknown, "result": "AUTHORIZED", "subject": SUBJECT });
            s.call(operation, &[], body).await;
            for (mode, result) in [
                ("PING", "AUTHORIZED"),
                ("PUSH", "AUTHORIZED"),
                ("PUSH", "ACCESS_DENIED"),
            ] {
                notified(s, mode, result).await;
            }
        }
        "device_authorization_api" => {
            device(s).await;
            let wrong = json!({ "parameters": "scope=openid", "clientId": CLIENT_ID,
                                "clientSecret": "wrong" });
            s.call(operation, &[], wrong).await;
        }
        "device_verification_api" => {
            let (_, user_code) = device(s).await;
            s.call(operation, &[], json!({ "userCode": user_code }))
                .await;
            s.call(operation, &[], json!({ "userCode": unknown })).await;
        }
        "device_complete_api" => {
            let (device_code, user_code) = device(s).await;
            let poll = format!(
                "grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code={device_code}"
            );
            s.call("auth_token_api", &[], client(json!({ "parameters": poll })))
                .await;
            let body = json!({ "userCode": user_code, "result": "AUTHORIZED", "subject": SUBJECT });
            s.call(operation, &[], body).await;
            s.call("auth_token_api", &[], client(json!({ "parameters": poll })))
                .await;
            let body = json!({ "userCode": unknown, "result": "AUTHORIZED", "subject": SUBJECT });
            s.call(operation, &[], body).await;
        }
        operation => return super::conformance_management::drive(s, operation).await,
    }
    true
}

/// The operations the stand-in serves (its dispatch table), in order.
fn sorted_operations() -> Vec<&'static str> {
    let mut operations = authlete_standin::operations_served();
    operations.sort_unstable();
    operations
}

/// The operations the stand-in serves in `generation`. In V2, not those whose V2 path is
/// their V3 path (`service/create`, `service/get/list`): the server takes them for V3 and
/// wants a Bearer token, a gap of its routing (which should tell them by the credentials'
/// scheme).
fn served(generation: Generation) -> Vec<&'static str> {
    let operations = sorted_operations();
    let in_v2 = |operation: &&str| {
        let operation = spec().operation(operation).unwrap();
        operation
            .v2_path
            .as_ref()
            .is_some_and(|v2| *v2 != operation.path)
    };
    match generation {
        Generation::V3 => operations,
        Generation::V2 => operations.into_iter().filter(in_v2).collect(),
    }
}

/// Runs every row in `generation`: each operation served needs a row, a success among its
/// answers, and every answer conforming.
async fn every_row(generation: Generation) {
    let mut missing = Vec::new();
    let mut mismatches = Vec::new();
    for operation in sorted_operations() {
        assert!(
            spec().operation(operation).is_some(),
            "the stand-in serves {operation}, which the spec does not have"
        );
    }
    for operation in served(generation) {
        let session = Session::start(generation).await;
        if !drive(&session, operation).await {
            missing.push(operation);
            continue;
        }
        // A success too: a refusal alone would also conform, for a request misrouted.
        assert!(
            session.succeeded().contains(operation),
            "{generation:?}: the row of {operation} never gets a success from it"
        );
        mismatches.extend(session.mismatches());
    }
    assert!(
        missing.is_empty(),
        "operations served with no conformance row: {missing:?}"
    );
    assert!(
        mismatches.is_empty(),
        "{generation:?}: answers that do not conform:\n{}",
        mismatches.join("")
    );
}

#[tokio::test]
async fn every_answer_of_every_operation_served_conforms_to_the_spec_in_v3() {
    every_row(Generation::V3).await;
}

#[tokio::test]
async fn every_answer_of_every_operation_served_conforms_to_the_spec_in_v2() {
    every_row(Generation::V2).await;
}

/// What every operation answers to a request without the service's credentials, to a body
/// that is not JSON, and to one over the size limit.
async fn refusals(generation: Generation) {
    let s = Session::start(generation).await;
    let oversize = format!("\"{}\"", "x".repeat(MAX_BODY_BYTES));
    for operation in served(generation) {
        let path = &spec().operation(operation).unwrap().path;
        let parameters = path.matches('{').count() - usize::from(path.contains("{serviceId}"));
        let args = vec!["1"; parameters];
        let anonymous = s.call_anonymously(operation, &args, json!({})).await;
        assert_eq!(anonymous.status, 401, "{operation} without credentials");
        if spec().operation(operation).unwrap().method == "POST" {
            let malformed = s.call_raw(operation, &args, "{not json").await;
            assert_eq!(malformed.status, 400, "{operation} with a malformed body");
            let large = s.call_raw(operation, &args, &oversize).await;
            assert_eq!(large.status, 413, "{operation} with too large a body");
        }
    }
    let mismatches = s.mismatches();
    assert!(
        mismatches.is_empty(),
        "answers that do not conform:\n{}",
        mismatches.join("")
    );
}

#[tokio::test]
async fn refusals_of_every_operation_served_conform_to_the_spec_in_v3() {
    refusals(Generation::V3).await;
}

#[tokio::test]
async fn refusals_of_every_operation_served_conform_to_the_spec_in_v2() {
    refusals(Generation::V2).await;
}
