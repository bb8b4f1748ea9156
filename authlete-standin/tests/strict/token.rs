//! The token endpoint: grant types each client registered, client credentials, password
//! and token exchange handed to the application, refresh as the service says, code reuse,
//! repeated parameters, expiry.

use authlete::types::{
    IntrospectionRequest, IntrospectionResponseAction, TokenFailRequest, TokenFailRequestReason,
    TokenFailResponseAction, TokenIssueRequest, TokenIssueResponseAction, TokenRequest,
    TokenResponse, TokenResponseAction as Action, TokenType,
};
use authlete::{Client, Secret};
use authlete_standin::{Clock, Service};

use crate::support::{
    BATCH, BATCH_SECRET, REDIRECT_URI, START, VERIFIER, app_code, app_token_request, app_tokens,
    claims_of, error_of, service, start, start_default, text, token,
};

fn error(answer: &TokenResponse) -> String {
    assert_eq!(answer.action, Some(Action::BadRequest), "{answer:?}");
    error_of(&text(answer.response_content.as_ref()))
}

async fn introspect(client: &Client, access_token: &str) -> Option<IntrospectionResponseAction> {
    let request = IntrospectionRequest {
        token: Secret::new(access_token.to_owned()),
        ..Default::default()
    };
    client.introspection(&request).await.unwrap().action
}

fn batch_request(parameters: &str) -> TokenRequest {
    TokenRequest {
        parameters: Secret::new(parameters.to_owned()),
        client_id: Some(BATCH.into()),
        client_secret: Some(BATCH_SECRET.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn client_credentials_give_an_access_token_only_to_clients_that_registered_them() {
    let (_standin, client, _) = start_default().await;
    let answer = token(
        &client,
        &batch_request("grant_type=client_credentials&scope=email"),
    )
    .await;
    assert_eq!(answer.action, Some(Action::Ok), "{answer:?}");
    assert!(answer.refresh_token.is_none() && answer.id_token.is_none());
    assert_eq!(answer.scopes, ["email"]);
    assert_eq!(answer.subject, None);
    let access_token = text(answer.access_token.as_ref());
    assert_eq!(
        introspect(&client, &access_token).await,
        Some(IntrospectionResponseAction::Ok)
    );

    let unknown = token(
        &client,
        &batch_request("grant_type=client_credentials&scope=admin"),
    )
    .await;
    assert_eq!(error(&unknown), "invalid_scope");
    let wrong_secret = TokenRequest {
        client_secret: Some("wrong".into()),
        ..batch_request("grant_type=client_credentials")
    };
    assert_eq!(
        token(&client, &wrong_secret).await.action,
        Some(Action::InvalidClient)
    );
    // The application client did not register the grant type.
    let app = token(&client, &app_token_request("grant_type=client_credentials")).await;
    assert_eq!(error(&app), "unauthorized_client");
}

#[tokio::test]
async fn repeated_token_parameters_are_refused() {
    let (_standin, client, _) = start_default().await;
    let code = app_code(&client).await;
    for parameters in [
        format!("grant_type=authorization_code&grant_type=password&code={code}"),
        format!("grant_type=authorization_code&code={code}&code=other"),
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_URI}\
             &redirect_uri={REDIRECT_URI}&code_verifier={VERIFIER}"
        ),
    ] {
        let answer = token(&client, &app_token_request(&parameters)).await;
        assert_eq!(error(&answer), "invalid_request", "{parameters}");
    }
    // The code is still good: a refused request did not use it.
    assert_eq!(app_tokens(&client, &code).await.action, Some(Action::Ok));
}

#[tokio::test]
async fn the_password_grant_is_handed_to_the_application() {
    let (_standin, client, _) = start_default().await;
    let request =
        app_token_request("grant_type=password&username=john&password=s3cret&scope=email");
    let answer = token(&client, &request).await;
    assert_eq!(answer.action, Some(Action::Password), "{answer:?}");
    assert_eq!(answer.username.as_deref(), Some("john"));
    assert_eq!(text(answer.password.as_ref()), "s3cret");
    let issued = client
        .token_issue(&TokenIssueRequest {
            ticket: answer.ticket.clone().unwrap(),
            subject: "john".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(issued.action, Some(TokenIssueResponseAction::Ok));
    assert_eq!(issued.subject.as_deref(), Some("john"));
    assert!(issued.access_token.is_some() && issued.refresh_token.is_some());
    // A ticket is used once.
    let again = client
        .token_fail(&TokenFailRequest {
            ticket: answer.ticket.unwrap(),
            reason: TokenFailRequestReason::InvalidResourceOwnerCredentials,
        })
        .await
        .unwrap();
    assert_eq!(
        again.action,
        Some(TokenFailResponseAction::InternalServerError)
    );

    let answer = token(&client, &request).await;
    let failed = client
        .token_fail(&TokenFailRequest {
            ticket: answer.ticket.unwrap(),
            reason: TokenFailRequestReason::InvalidResourceOwnerCredentials,
        })
        .await
        .unwrap();
    assert_eq!(failed.action, Some(TokenFailResponseAction::BadRequest));
    assert_eq!(
        error_of(failed.response_content.as_deref().unwrap()),
        "invalid_grant"
    );

    let no_password = token(
        &client,
        &app_token_request("grant_type=password&username=j"),
    )
    .await;
    assert_eq!(error(&no_password), "invalid_request");
    let batch = token(
        &client,
        &batch_request("grant_type=password&username=j&password=p"),
    )
    .await;
    assert_eq!(error(&batch), "unauthorized_client");
}

const EXCHANGE: &str = "grant_type=urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

#[tokio::test]
async fn token_exchange_is_handed_to_the_application_with_the_subject_token_checked() {
    let (_standin, client, _) = start_default().await;
    let tokens = app_tokens(&client, &app_code(&client).await).await;
    let subject_token = text(tokens.access_token.as_ref());
    let parameters = format!(
        "{EXCHANGE}&subject_token={subject_token}&subject_token_type={ACCESS_TOKEN_TYPE}\
         &audience=https://a.example&audience=https://b.example&resource=https://rs.example/api"
    );
    let answer = token(&client, &app_token_request(&parameters)).await;
    assert_eq!(answer.action, Some(Action::TokenExchange), "{answer:?}");
    assert_eq!(answer.subject_token_type, Some(TokenType::AccessToken));
    let info = answer
        .subject_token_info
        .expect("what Authlete knows of the subject token");
    assert_eq!(info.subject.as_deref(), Some("john"));
    assert_eq!(answer.audiences, ["https://a.example", "https://b.example"]);
    assert_eq!(answer.resources, ["https://rs.example/api"]);

    let unknown =
        format!("{EXCHANGE}&subject_token=not-a-token&subject_token_type={ACCESS_TOKEN_TYPE}");
    let unknown = token(&client, &app_token_request(&unknown)).await;
    assert_eq!(error(&unknown), "invalid_request");
    let untyped = format!("{EXCHANGE}&subject_token={subject_token}");
    assert_eq!(
        error(&token(&client, &app_token_request(&untyped)).await),
        "invalid_request"
    );
    let fragment = format!(
        "{EXCHANGE}&subject_token={subject_token}&subject_token_type={ACCESS_TOKEN_TYPE}\
         &resource=https://rs.example/api%23part"
    );
    assert_eq!(
        error(&token(&client, &app_token_request(&fragment)).await),
        "invalid_target"
    );
}

fn refresh_request(refresh_token: &str) -> TokenRequest {
    app_token_request(&format!(
        "grant_type=refresh_token&refresh_token={refresh_token}"
    ))
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_reissues_the_id_token_without_nonce() {
    let (_standin, client, _) = start_default().await;
    let first = app_tokens(&client, &app_code(&client).await).await;
    assert_eq!(
        claims_of(&text(first.id_token.as_ref()))["nonce"],
        "n-0S6_WzA2Mj"
    );
    let old_refresh = text(first.refresh_token.as_ref());
    let refreshed = token(&client, &refresh_request(&old_refresh)).await;
    assert_eq!(refreshed.action, Some(Action::Ok), "{refreshed:?}");
    let new_refresh = text(refreshed.refresh_token.as_ref());
    assert_ne!(new_refresh, old_refresh);
    let id_token = claims_of(&text(refreshed.id_token.as_ref()));
    assert_eq!(id_token["sub"], "john");
    assert!(id_token.get("nonce").is_none(), "{id_token}");
    // The old refresh token and the access token issued with it are gone.
    assert_eq!(
        error(&token(&client, &refresh_request(&old_refresh)).await),
        "invalid_grant"
    );
    let old_access = text(first.access_token.as_ref());
    assert_eq!(
        introspect(&client, &old_access).await,
        Some(IntrospectionResponseAction::Unauthorized)
    );
    // A refresh may narrow the scopes, not widen them.
    let narrow = app_token_request(&format!(
        "grant_type=refresh_token&refresh_token={new_refresh}&scope=email"
    ));
    assert_eq!(error(&token(&client, &narrow).await), "invalid_scope");
}

#[tokio::test]
async fn refresh_keeps_the_refresh_token_when_the_service_says_so() {
    let clock = Clock::manual(START);
    let kept = Service {
        refresh_token_kept: true,
        ..service(&clock)
    };
    let (_standin, client) = start(kept).await;
    let first = app_tokens(&client, &app_code(&client).await).await;
    let refresh_token = text(first.refresh_token.as_ref());
    for _ in 0..2 {
        let refreshed = token(&client, &refresh_request(&refresh_token)).await;
        assert_eq!(text(refreshed.refresh_token.as_ref()), refresh_token);
    }
}

#[tokio::test]
async fn a_reused_code_fails_and_revokes_the_tokens_it_gave() {
    let (_standin, client, _) = start_default().await;
    let code = app_code(&client).await;
    let first = app_tokens(&client, &code).await;
    let access_token = text(first.access_token.as_ref());
    assert_eq!(
        introspect(&client, &access_token).await,
        Some(IntrospectionResponseAction::Ok)
    );

    assert_eq!(error(&app_tokens(&client, &code).await), "invalid_grant");
    assert_eq!(
        introspect(&client, &access_token).await,
        Some(IntrospectionResponseAction::Unauthorized)
    );
    let refresh = token(
        &client,
        &refresh_request(&text(first.refresh_token.as_ref())),
    )
    .await;
    assert_eq!(error(&refresh), "invalid_grant");
}

#[tokio::test]
async fn a_reused_code_revokes_the_tokens_refreshed_from_it_too() {
    let (_standin, client, _) = start_default().await;
    let code = app_code(&client).await;
    let first = app_tokens(&client, &code).await;
    let refreshed = token(
        &client,
        &refresh_request(&text(first.refresh_token.as_ref())),
    )
    .await;
    let access_token = text(refreshed.access_token.as_ref());
    assert_eq!(
        introspect(&client, &access_token).await,
        Some(IntrospectionResponseAction::Ok)
    );

    assert_eq!(error(&app_tokens(&client, &code).await), "invalid_grant");
    assert_eq!(
        introspect(&client, &access_token).await,
        Some(IntrospectionResponseAction::Unauthorized)
    );
}

#[tokio::test]
async fn pkce_verifiers_must_be_well_formed_and_match() {
    let (_standin, client, _) = start_default().await;
    let with_verifier = |code: &str, verifier: &str| {
        app_token_request(&format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_URI}\
             &code_verifier={verifier}"
        ))
    };
    let code = app_code(&client).await;
    let short = token(&client, &with_verifier(&code, "abc")).await;
    assert_eq!(error(&short), "invalid_grant");
    let wrong = token(&client, &with_verifier(&code, &"a".repeat(43))).await;
    assert_eq!(error(&wrong), "invalid_grant");
    let missing = app_token_request(&format!(
        "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT_URI}"
    ));
    assert_eq!(error(&token(&client, &missing).await), "invalid_grant");
    assert_eq!(
        token(&client, &with_verifier(&code, VERIFIER)).await.action,
        Some(Action::Ok)
    );
}

#[tokio::test]
async fn access_and_refresh_tokens_expire() {
    let (_standin, client, clock) = start_default().await;
    let tokens = app_tokens(&client, &app_code(&client).await).await;
    let access_token = text(tokens.access_token.as_ref());
    clock.advance(86_401);
    assert_eq!(
        introspect(&client, &access_token).await,
        Some(IntrospectionResponseAction::Unauthorized)
    );
    let refresh_token = text(tokens.refresh_token.as_ref());
    clock.advance(864_000);
    assert_eq!(
        error(&token(&client, &refresh_request(&refresh_token)).await),
        "invalid_grant"
    );
}
