//! The authorization endpoint and PAR: redirect URIs, response types, scopes, PKCE,
//! repeated parameters, request objects, `request_uri` use.

use authlete::Client;
use authlete::Secret;
use authlete::types::{
    AuthorizationIssueRequest, AuthorizationRequest, AuthorizationResponse,
    AuthorizationResponseAction as Action, PushedAuthorizationRequest, PushedAuthorizationResponse,
    PushedAuthorizationResponseAction as ParAction,
};
use authlete_standin::{Clock, Service};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use crate::support::{
    APP, APP_SECRET, CHALLENGE, REDIRECT_URI, START, app_code, app_tokens, error_in_location,
    error_of, service, start, start_default, text,
};

async fn authorize(client: &Client, parameters: &str) -> AuthorizationResponse {
    client
        .authorization(&AuthorizationRequest {
            parameters: parameters.to_owned(),
            ..Default::default()
        })
        .await
        .expect("/auth/authorization")
}

async fn push(client: &Client, parameters: &str) -> PushedAuthorizationResponse {
    client
        .push_authorization_request(&PushedAuthorizationRequest {
            parameters: Secret::new(parameters.to_owned()),
            client_id: Some(APP.into()),
            client_secret: Some(APP_SECRET.into()),
            ..Default::default()
        })
        .await
        .expect("/pushed_auth_req")
}

fn refused_with(answer: &PushedAuthorizationResponse, error: &str) {
    assert_eq!(answer.action, Some(ParAction::BadRequest), "{answer:?}");
    assert_eq!(error_of(answer.response_content.as_deref().unwrap()), error);
}

const CODE_REQUEST: &str = "response_type=code&client_id=3000&scope=openid";

#[tokio::test]
async fn repeated_parameters_are_refused_at_the_authorization_endpoint() {
    let (_standin, client, _) = start_default().await;
    for repeated in [
        format!("{CODE_REQUEST}&redirect_uri={REDIRECT_URI}&redirect_uri=https://evil.example/cb"),
        format!("{CODE_REQUEST}&response_type=token"),
        format!("{CODE_REQUEST}&state=a&state=b"),
    ] {
        let answer = authorize(&client, &repeated).await;
        assert_eq!(answer.action, Some(Action::BadRequest), "{repeated}");
        assert_eq!(
            error_of(answer.response_content.as_deref().unwrap()),
            "invalid_request"
        );
    }
}

#[tokio::test]
async fn redirect_uris_must_be_registered_exactly() {
    let (_standin, client, _) = start_default().await;
    for uri in [
        "https://app.example/cb/",
        "https://app.example/cb?x=1",
        "https://APP.example/cb",
        "https://evil.example/cb",
    ] {
        let answer = authorize(&client, &format!("{CODE_REQUEST}&redirect_uri={uri}")).await;
        assert_eq!(answer.action, Some(Action::BadRequest), "{uri}");
    }
    let answer = authorize(
        &client,
        &format!("{CODE_REQUEST}&redirect_uri={REDIRECT_URI}"),
    )
    .await;
    assert_eq!(answer.action, Some(Action::Interaction));
}

#[tokio::test]
async fn unregistered_response_types_and_unknown_scopes_go_back_to_the_client() {
    let (_standin, client, _) = start_default().await;
    let answer = authorize(&client, "response_type=token&client_id=3000&scope=openid").await;
    assert_eq!(answer.action, Some(Action::Location));
    let location = answer.response_content.unwrap();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    assert_eq!(error_in_location(&location), "unauthorized_client");

    let answer = authorize(
        &client,
        "response_type=code&client_id=3000&scope=openid+admin",
    )
    .await;
    assert_eq!(
        error_in_location(&answer.response_content.unwrap()),
        "invalid_scope"
    );

    let answer = authorize(&client, "response_type=code+bogus&client_id=3000").await;
    let location = answer.response_content.unwrap();
    assert_eq!(error_in_location(&location), "unsupported_response_type");
}

#[tokio::test]
async fn par_refuses_what_the_authorization_endpoint_refuses() {
    let (_standin, client, _) = start_default().await;
    let token = push(&client, "response_type=token&scope=openid").await;
    refused_with(&token, "unauthorized_client");
    let unregistered = push(
        &client,
        "response_type=code&scope=openid&redirect_uri=https://evil.example/cb",
    )
    .await;
    refused_with(&unregistered, "invalid_request");
    let unknown_scope = push(&client, "response_type=code&scope=openid+admin").await;
    refused_with(&unknown_scope, "invalid_scope");
    let repeated = push(&client, "response_type=code&scope=openid&scope=email").await;
    refused_with(&repeated, "invalid_request");
    let accepted = push(&client, "response_type=code&scope=openid").await;
    assert_eq!(accepted.action, Some(ParAction::Created));
}

/// An unsigned request object (`alg` `none`) with these claims.
fn unsigned_request_object(claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none"}).to_string());
    format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
}

#[tokio::test]
async fn par_refuses_unsigned_request_objects_when_the_service_requires_signed_ones() {
    let claims = json!({"client_id": APP, "response_type": "code", "scope": "openid"});
    let parameters = format!("request={}", unsigned_request_object(&claims));

    let (_lenient, client, _) = start_default().await;
    let accepted = push(&client, &parameters).await;
    assert_eq!(accepted.action, Some(ParAction::Created), "{accepted:?}");

    let clock = Clock::manual(START);
    let strict = Service {
        signed_request_object_required: true,
        ..service(&clock)
    };
    let (_strict, client) = start(strict).await;
    refused_with(&push(&client, &parameters).await, "invalid_request_object");
    // The claims of a request object are checked like parameters.
    let token = json!({"client_id": APP, "response_type": "token", "scope": "openid"});
    let (_lenient, client, _) = start_default().await;
    let parameters = format!("request={}", unsigned_request_object(&token));
    refused_with(&push(&client, &parameters).await, "unauthorized_client");
}

#[tokio::test]
async fn a_pushed_request_is_used_once_and_expires() {
    let (_standin, client, clock) = start_default().await;
    let uri = |answer: PushedAuthorizationResponse| answer.request_uri.expect("a request_uri");
    let request_uri = uri(push(&client, "response_type=code&scope=openid").await);
    let with_uri = format!("client_id={APP}&request_uri={request_uri}");
    assert_eq!(
        authorize(&client, &with_uri).await.action,
        Some(Action::Interaction)
    );
    let again = authorize(&client, &with_uri).await;
    assert_eq!(again.action, Some(Action::BadRequest));
    assert_eq!(
        error_of(&again.response_content.unwrap()),
        "invalid_request_uri"
    );

    let request_uri = uri(push(&client, "response_type=code&scope=openid").await);
    clock.advance(61);
    let expired = authorize(
        &client,
        &format!("client_id={APP}&request_uri={request_uri}"),
    )
    .await;
    assert_eq!(
        error_of(&expired.response_content.unwrap()),
        "invalid_request_uri"
    );
}

#[tokio::test]
async fn pkce_is_required_and_s256_only_when_the_service_says_so() {
    let clock = Clock::manual(START);
    let strict = Service {
        pkce_required: true,
        pkce_s256_required: true,
        ..service(&clock)
    };
    let (_standin, client) = start(strict).await;
    let missing = authorize(&client, CODE_REQUEST).await;
    assert_eq!(
        error_in_location(&missing.response_content.unwrap()),
        "invalid_request"
    );
    let plain = format!("{CODE_REQUEST}&code_challenge={CHALLENGE}&code_challenge_method=plain");
    let plain = authorize(&client, &plain).await;
    assert_eq!(
        error_in_location(&plain.response_content.unwrap()),
        "invalid_request"
    );
    let short = format!("{CODE_REQUEST}&code_challenge=abc&code_challenge_method=S256");
    let short = authorize(&client, &short).await;
    assert_eq!(
        error_in_location(&short.response_content.unwrap()),
        "invalid_request"
    );
    let s256 = format!("{CODE_REQUEST}&code_challenge={CHALLENGE}&code_challenge_method=S256");
    assert_eq!(
        authorize(&client, &s256).await.action,
        Some(Action::Interaction)
    );

    // Without the requirement, plain (the default method) is accepted.
    let (_lenient, client, _) = start_default().await;
    let plain = format!("{CODE_REQUEST}&code_challenge={CHALLENGE}");
    assert_eq!(
        authorize(&client, &plain).await.action,
        Some(Action::Interaction)
    );
}

#[tokio::test]
async fn a_ticket_expires() {
    let (_standin, client, clock) = start_default().await;
    let answer = authorize(&client, CODE_REQUEST).await;
    clock.advance(601);
    let issued = client
        .authorization_issue(&AuthorizationIssueRequest {
            ticket: answer.ticket.unwrap(),
            subject: "john".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        issued.action,
        Some(authlete::types::AuthorizationIssueResponseAction::BadRequest)
    );
}

#[tokio::test]
async fn a_code_expires() {
    let (_standin, client, clock) = start_default().await;
    let code = app_code(&client).await;
    clock.advance(601);
    let answer = app_tokens(&client, &code).await;
    assert_eq!(
        error_of(&text(answer.response_content.as_ref())),
        "invalid_grant"
    );
}

#[tokio::test]
async fn a_ticket_keeps_the_application_context_until_it_expires() {
    use authlete::types::{
        AuthorizationTicketInfo, AuthorizationTicketInfoRequest,
        AuthorizationTicketInfoResponseAction as InfoAction, AuthorizationTicketUpdateRequest,
        AuthorizationTicketUpdateResponseAction as UpdateAction,
    };
    let (_standin, client, clock) = start_default().await;
    let ticket = authorize(&client, CODE_REQUEST).await.ticket.unwrap();
    let update = AuthorizationTicketUpdateRequest {
        ticket: ticket.clone(),
        info: AuthorizationTicketInfo {
            context: Some("step 2 of 3".into()),
            ..Default::default()
        },
    };
    let updated = client.authorization_ticket_update(&update).await.unwrap();
    assert_eq!(updated.action, Some(UpdateAction::Ok));
    let info_request = AuthorizationTicketInfoRequest { ticket };
    let info = client
        .authorization_ticket_info(&info_request)
        .await
        .unwrap();
    assert_eq!(info.action, Some(InfoAction::Ok));
    assert_eq!(info.info.unwrap().context.as_deref(), Some("step 2 of 3"));
    clock.advance(601);
    let expired = client
        .authorization_ticket_info(&info_request)
        .await
        .unwrap();
    assert_eq!(expired.action, Some(InfoAction::NotFound));
    let expired = client.authorization_ticket_update(&update).await.unwrap();
    assert_eq!(expired.action, Some(UpdateAction::NotFound));
}

#[tokio::test]
async fn signed_request_objects_verify_with_the_clients_registered_key() {
    use crate::support::DpopKey;
    let key = DpopKey::generate();
    let clock = Clock::manual(START);
    let mut strict = Service {
        signed_request_object_required: true,
        ..service(&clock)
    };
    let jwks = json!({"keys": [key.public_jwk("k1")]}).to_string();
    for client in &mut strict.clients {
        if client.client_id == Some(APP.parse().unwrap()) {
            client.jwks = Some(jwks.clone());
        }
    }
    let (_standin, client) = start(strict).await;
    let header = json!({"alg": "ES256", "kid": "k1"});
    let claims = json!({"client_id": APP, "response_type": "code", "scope": "openid"});
    let signed = key.sign(&header, &claims);
    let accepted = push(&client, &format!("request={signed}")).await;
    assert_eq!(accepted.action, Some(ParAction::Created), "{accepted:?}");

    let by_another_key = DpopKey::generate().sign(&header, &claims);
    let refused = push(&client, &format!("request={by_another_key}")).await;
    refused_with(&refused, "invalid_request_object");
    let for_another_client = json!({"client_id": "3001", "response_type": "code"});
    let refused = push(
        &client,
        &format!("request={}", key.sign(&header, &for_another_client)),
    )
    .await;
    refused_with(&refused, "invalid_request_object");
}

#[tokio::test]
async fn par_is_required_when_the_service_or_the_client_says_so() {
    let request = "response_type=code&client_id=3000&scope=openid";
    let refused = |answer: AuthorizationResponse| {
        assert_eq!(answer.action, Some(Action::BadRequest), "{answer:?}");
        let content = answer.response_content.unwrap();
        assert_eq!(error_of(&content), "invalid_request");
        assert!(content.contains("request_uri"), "{content}");
    };
    let clock = Clock::manual(START);
    let (_standin, client) = start(Service {
        par_required: true,
        ..service(&clock)
    })
    .await;
    refused(authorize(&client, request).await);
    let request_uri = push(&client, "response_type=code&scope=openid").await;
    let with_uri = format!(
        "client_id={APP}&request_uri={}",
        request_uri.request_uri.unwrap()
    );
    assert_eq!(
        authorize(&client, &with_uri).await.action,
        Some(Action::Interaction)
    );

    // The client's parRequired, in a service that does not require PAR.
    let mut service = service(&clock);
    service.clients[0].par_required = Some(true);
    let (_standin, client) = start(service).await;
    refused(authorize(&client, request).await);
    let other = "response_type=code&client_id=3001&scope=openid\
                 &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
                 &code_challenge_method=S256";
    assert_eq!(
        authorize(&client, other).await.action,
        Some(Action::Interaction)
    );
}
