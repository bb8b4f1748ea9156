//! Back-channel logout: a token per client from Authlete, delivered to each client's
//! `backchannel_logout_uri`, with an outcome per client.

use std::time::Duration;

use authlete::flows::logout::{BackchannelLogout, LogoutOutcome, LogoutTarget};
use authlete_sys::mock::MockServerExt as _;
use httpmock::MockServer;
use serde_json::json;

use crate::flows_support::{SERVICE, client};
use crate::scripted::{Reply, ScriptedServer};

const TOKEN: &str = "PLANTED-LOGOUT-TOKEN";

/// Authlete answers for `client` with a token and, if given, the client's logout URI.
async fn authlete_answers(server: &MockServer, client: &str, uri: Option<String>) {
    server.backchannel_logout_token_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(format!(r#"{{"clientIdentifier":"{client}"}}"#));
        then.into_inner().status(200).json_body(json!({
            "action": "OK", "logoutToken": format!("{TOKEN}-{client}"),
            "backchannelLogoutUri": uri,
        }));
    });
}

#[tokio::test]
async fn tokens_are_delivered_and_reported_per_client() {
    let authlete = MockServer::start_async().await;
    let relying_party = MockServer::start_async().await;
    // Raw on purpose: the relying party's logout endpoint, not an Authlete operation.
    let delivered = relying_party
        .mock_async(|when, then| {
            when.method("POST")
                .path("/logout")
                .header("content-type", "application/x-www-form-urlencoded")
                .form_urlencoded_tuple("logout_token", format!("{TOKEN}-app"));
            then.status(200);
        })
        .await;
    // Raw on purpose: the relying party's logout endpoint, not an Authlete operation.
    let refused = relying_party
        .mock_async(|when, then| {
            when.path("/refuse");
            then.status(400);
        })
        .await;
    // Raw on purpose: the relying party's logout endpoint, not an Authlete operation.
    let moved = relying_party
        .mock_async(|when, then| {
            when.path("/moved");
            then.status(302).header("location", "/logout");
        })
        .await;
    authlete_answers(&authlete, "app", Some(relying_party.url("/logout"))).await;
    authlete_answers(&authlete, "no-uri", None).await;
    authlete_answers(&authlete, "refusing", Some(relying_party.url("/refuse"))).await;
    authlete_answers(&authlete, "moving", Some(relying_party.url("/moved"))).await;

    let logout = BackchannelLogout::new(client(&authlete));
    let results = logout
        .notify(vec![
            LogoutTarget::subject("app", "john").with_session_id("s-1"),
            LogoutTarget::subject("no-uri", "john"),
            LogoutTarget::subject("refusing", "john"),
            LogoutTarget::subject("moving", "john"),
        ])
        .await;

    let clients: Vec<&str> = results.iter().map(|(t, _)| t.client.as_str()).collect();
    assert_eq!(
        clients,
        ["app", "no-uri", "refusing", "moving"],
        "in the order given"
    );
    assert!(matches!(results[0].1, LogoutOutcome::Delivered { status } if status == 200));
    assert!(matches!(results[1].1, LogoutOutcome::NotRegistered));
    assert!(matches!(results[2].1, LogoutOutcome::Rejected { status } if status == 400));
    assert!(
        matches!(results[3].1, LogoutOutcome::Rejected { status } if status == 302),
        "redirects are not followed: {:?}",
        results[3].1
    );
    delivered.assert_async().await;
    refused.assert_async().await;
    moved.assert_async().await;
    let shown = format!("{results:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

#[tokio::test]
async fn a_silent_client_times_out_without_holding_up_the_others() {
    let authlete = MockServer::start_async().await;
    let silent = ScriptedServer::start(vec![Reply::Stall]).await;
    let relying_party = MockServer::start_async().await;
    // Raw on purpose: the relying party's logout endpoint, not an Authlete operation.
    relying_party
        .mock_async(|when, then| {
            when.path("/logout");
            then.status(204);
        })
        .await;
    authlete_answers(
        &authlete,
        "silent",
        Some(format!("{}/logout", silent.base_url)),
    )
    .await;
    authlete_answers(&authlete, "fast", Some(relying_party.url("/logout"))).await;
    let logout = BackchannelLogout::with_timeout(client(&authlete), Duration::from_millis(300));
    let results = logout
        .notify(vec![
            LogoutTarget::subject("silent", "john"),
            LogoutTarget::subject("fast", "john"),
        ])
        .await;
    assert!(
        matches!(&results[0].1, LogoutOutcome::Unreachable { reason } if !reason.contains(TOKEN)),
        "{:?}",
        results[0].1
    );
    assert!(results[1].1.is_delivered());
}

#[tokio::test]
async fn authlete_refusing_a_token_is_reported() {
    let authlete = MockServer::start_async().await;
    authlete.backchannel_logout_token_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(r#"{"clientIdentifier":"unknown"}"#);
        then.into_inner().status(200).json_body(json!({
            "action": "CALLER_ERROR", "resultMessage": "[A123] no such client"
        }));
    });
    authlete.backchannel_logout_token_api(|when, then| {
        when.service_id(SERVICE)
            .into_inner()
            .json_body_includes(r#"{"clientIdentifier":"broken"}"#);
        then.into_inner()
            .status(500)
            .json_body(json!({"resultCode": "A001101"}));
    });
    let logout = BackchannelLogout::new(client(&authlete));
    let results = logout
        .notify(vec![
            LogoutTarget::subject("unknown", "john"),
            LogoutTarget::subject("broken", "john"),
        ])
        .await;
    assert!(
        matches!(&results[0].1, LogoutOutcome::NoToken { reason } if reason.contains("no such client")),
        "{:?}",
        results[0].1
    );
    assert!(matches!(&results[1].1, LogoutOutcome::NoToken { .. }));
    assert!(!results.iter().any(|(_, o)| o.is_delivered()));
}
