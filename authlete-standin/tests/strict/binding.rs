//! Tokens bound to a DPoP key (RFC 9449) or a client certificate (RFC 8705), DPoP proofs
//! checked as Authlete checks them, and tokens signed by a key the JWK Set publishes.

use authlete::query::GetServiceJwksQuery;
use authlete::types::{
    GrantType, IntrospectionRequest, IntrospectionResponse, IntrospectionResponseAction,
    StandardIntrospectionRequest, TokenRequest, TokenResponse, TokenResponseAction as Action,
    UserinfoRequest, UserinfoResponseAction,
};
use authlete::{Client, Secret};
use authlete_standin::{Clock, Service};
use serde_json::{Value, json};

use crate::support::{
    BATCH, BATCH_SECRET, CHALLENGE, DpopKey, SPA, SPA_REDIRECT_URI, START, VERIFIER, app_code,
    app_tokens, claims_of, code_for, error_of, service, start, start_default, text, token,
    verifies_with,
};

const TOKEN_ENDPOINT: &str = "https://as.example/token";
const RESOURCE: &str = "https://rs.example/api";

/// The public client's token request for a code, with a DPoP proof.
fn spa_token_request(code: &str, proof: Option<String>) -> TokenRequest {
    TokenRequest {
        parameters: Secret::new(format!(
            "grant_type=authorization_code&code={code}&client_id={SPA}\
             &redirect_uri={SPA_REDIRECT_URI}&code_verifier={VERIFIER}"
        )),
        dpop: proof,
        htm: Some("POST".into()),
        htu: Some(TOKEN_ENDPOINT.into()),
        ..Default::default()
    }
}

async fn spa_code(client: &Client) -> String {
    let parameters = format!(
        "response_type=code&client_id={SPA}&scope=openid&code_challenge={CHALLENGE}\
         &code_challenge_method=S256"
    );
    code_for(client, &parameters).await
}

/// Introspection of `access_token` at the resource server `GET RESOURCE`, with `proof`.
async fn introspect(
    client: &Client,
    access_token: &str,
    proof: Option<String>,
    certificate: Option<&str>,
) -> IntrospectionResponse {
    let request = IntrospectionRequest {
        token: Secret::new(access_token.to_owned()),
        dpop: proof,
        htm: Some("GET".into()),
        htu: Some(RESOURCE.into()),
        client_certificate: certificate.map(str::to_owned),
        ..Default::default()
    };
    client.introspection(&request).await.unwrap()
}

fn unauthorized(answer: &IntrospectionResponse) -> bool {
    answer.action == Some(IntrospectionResponseAction::Unauthorized)
}

#[tokio::test]
async fn dpop_binds_tokens_and_introspection_checks_every_part_of_the_proof() {
    let (_standin, client, _) = start_default().await;
    let key = DpopKey::generate();
    let proof = key.proof("POST", TOKEN_ENDPOINT, START, None, None);
    let answer = token(
        &client,
        &spa_token_request(&spa_code(&client).await, Some(proof)),
    )
    .await;
    assert_eq!(answer.action, Some(Action::Ok), "{answer:?}");
    let content: Value = serde_json::from_str(&text(answer.response_content.as_ref())).unwrap();
    assert_eq!(content["token_type"], "DPoP");
    let access_token = text(answer.access_token.as_ref());

    // RFC 7662 introspection shows the binding.
    let standard = client
        .standard_introspection(&StandardIntrospectionRequest {
            parameters: Secret::new(format!("token={access_token}")),
            ..Default::default()
        })
        .await
        .unwrap();
    let body: Value = serde_json::from_str(standard.response_content.as_deref().unwrap()).unwrap();
    assert_eq!(body["cnf"]["jkt"], key.thumbprint());
    assert_eq!(body["token_type"], "DPoP");

    let at = Some(access_token.as_str());
    assert!(unauthorized(
        &introspect(&client, &access_token, None, None).await
    ));
    let wrong_htm = key.proof("POST", RESOURCE, START, at, None);
    assert!(unauthorized(
        &introspect(&client, &access_token, Some(wrong_htm), None).await
    ));
    let wrong_htu = key.proof("GET", "https://rs.example/other", START, at, None);
    assert!(unauthorized(
        &introspect(&client, &access_token, Some(wrong_htu), None).await
    ));
    let old = key.proof("GET", RESOURCE, START - 300, at, None);
    assert!(unauthorized(
        &introspect(&client, &access_token, Some(old), None).await
    ));
    let no_ath = key.proof("GET", RESOURCE, START, None, None);
    assert!(unauthorized(
        &introspect(&client, &access_token, Some(no_ath), None).await
    ));
    let other_key = DpopKey::generate().proof("GET", RESOURCE, START, at, None);
    assert!(unauthorized(
        &introspect(&client, &access_token, Some(other_key), None).await
    ));
    let mut forged = key.proof("GET", RESOURCE, START, at, None);
    forged.replace_range(forged.len() - 4.., "AAAA");
    assert!(unauthorized(
        &introspect(&client, &access_token, Some(forged), None).await
    ));

    let good = key.proof("GET", RESOURCE, START, at, None);
    let answer = introspect(&client, &access_token, Some(good.clone()), None).await;
    assert_eq!(
        answer.action,
        Some(IntrospectionResponseAction::Ok),
        "{answer:?}"
    );
    // A proof is used once.
    assert!(unauthorized(
        &introspect(&client, &access_token, Some(good), None).await
    ));
    let challenge = introspect(&client, &access_token, None, None)
        .await
        .response_content;
    assert!(challenge.unwrap().starts_with("DPoP "));
}

#[tokio::test]
async fn userinfo_wants_a_proof_of_the_key_too() {
    let (_standin, client, _) = start_default().await;
    let key = DpopKey::generate();
    let proof = key.proof("POST", TOKEN_ENDPOINT, START, None, None);
    let answer = token(
        &client,
        &spa_token_request(&spa_code(&client).await, Some(proof)),
    )
    .await;
    let access_token = text(answer.access_token.as_ref());
    let userinfo = |proof: Option<String>| UserinfoRequest {
        token: Secret::new(access_token.clone()),
        dpop: proof,
        htm: Some("GET".into()),
        htu: Some("https://as.example/userinfo".into()),
        ..Default::default()
    };
    let refused = client.userinfo(&userinfo(None)).await.unwrap();
    assert_eq!(refused.action, Some(UserinfoResponseAction::Unauthorized));
    let at = Some(access_token.as_str());
    let proof = key.proof("GET", "https://as.example/userinfo", START, at, None);
    let answer = client.userinfo(&userinfo(Some(proof))).await.unwrap();
    assert_eq!(
        answer.action,
        Some(UserinfoResponseAction::Ok),
        "{answer:?}"
    );
}

#[tokio::test]
async fn the_refresh_token_of_a_dpop_client_is_bound_to_its_key() {
    let (_standin, client, _) = start_default().await;
    let key = DpopKey::generate();
    let proof = key.proof("POST", TOKEN_ENDPOINT, START, None, None);
    let answer = token(
        &client,
        &spa_token_request(&spa_code(&client).await, Some(proof)),
    )
    .await;
    let refresh_token = text(answer.refresh_token.as_ref());
    let refresh = |proof: Option<String>| TokenRequest {
        parameters: Secret::new(format!(
            "grant_type=refresh_token&refresh_token={refresh_token}&client_id={SPA}"
        )),
        dpop: proof,
        htm: Some("POST".into()),
        htu: Some(TOKEN_ENDPOINT.into()),
        ..Default::default()
    };
    let error = |answer: &TokenResponse| error_of(&text(answer.response_content.as_ref()));
    assert_eq!(
        error(&token(&client, &refresh(None)).await),
        "invalid_dpop_proof"
    );
    let other = DpopKey::generate().proof("POST", TOKEN_ENDPOINT, START, None, None);
    assert_eq!(
        error(&token(&client, &refresh(Some(other))).await),
        "invalid_dpop_proof"
    );
    let same = key.proof("POST", TOKEN_ENDPOINT, START, None, None);
    let refreshed = token(&client, &refresh(Some(same))).await;
    assert_eq!(refreshed.action, Some(Action::Ok), "{refreshed:?}");
    let content: Value = serde_json::from_str(&text(refreshed.response_content.as_ref())).unwrap();
    assert_eq!(content["token_type"], "DPoP");
}

#[tokio::test]
async fn a_service_requiring_dpop_nonces_answers_use_dpop_nonce_with_the_nonce_to_use() {
    let clock = Clock::manual(START);
    let with_nonces = Service {
        dpop_nonce_required: true,
        ..service(&clock)
    };
    let (_standin, client) = start(with_nonces).await;
    let key = DpopKey::generate();
    let code = spa_code(&client).await;
    let without = key.proof("POST", TOKEN_ENDPOINT, START, None, None);
    let refused = token(&client, &spa_token_request(&code, Some(without))).await;
    assert_eq!(refused.action, Some(Action::BadRequest));
    assert_eq!(
        error_of(&text(refused.response_content.as_ref())),
        "use_dpop_nonce"
    );
    let nonce = refused
        .dpop_nonce
        .expect("the nonce to use, for the DPoP-Nonce header");
    let wrong = key.proof("POST", TOKEN_ENDPOINT, START, None, Some("made-up"));
    let refused = token(&client, &spa_token_request(&code, Some(wrong))).await;
    assert_eq!(
        error_of(&text(refused.response_content.as_ref())),
        "use_dpop_nonce"
    );

    let with = key.proof("POST", TOKEN_ENDPOINT, START, None, Some(&nonce));
    let answer = token(&client, &spa_token_request(&code, Some(with))).await;
    assert_eq!(answer.action, Some(Action::Ok), "{answer:?}");
    assert!(answer.dpop_nonce.is_some());

    // Nonces go stale: one from long ago is refused at the resource server, with a new one.
    let access_token = text(answer.access_token.as_ref());
    clock.advance(3_600);
    let at = Some(access_token.as_str());
    let stale = key.proof("GET", RESOURCE, START + 3_600, at, Some(&nonce));
    let refused = introspect(&client, &access_token, Some(stale), None).await;
    assert!(unauthorized(&refused));
    assert!(refused.response_content.unwrap().contains("use_dpop_nonce"));
    let fresh = refused.dpop_nonce.expect("a new nonce");
    assert_ne!(fresh, nonce);
    let proof = key.proof("GET", RESOURCE, START + 3_600, at, Some(&fresh));
    let answer = introspect(&client, &access_token, Some(proof), None).await;
    assert_eq!(
        answer.action,
        Some(IntrospectionResponseAction::Ok),
        "{answer:?}"
    );
}

/// A PEM certificate block around `der` (the stand-in reads only its bytes).
fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
}

#[tokio::test]
async fn certificate_bound_tokens_need_the_same_certificate_at_introspection() {
    let clock = Clock::manual(START);
    let mut bound = service(&clock);
    for client in &mut bound.clients {
        if client.grant_types.contains(&GrantType::ClientCredentials) {
            client.tls_client_certificate_bound_access_tokens = Some(true);
        }
    }
    let (_standin, client) = start(bound).await;
    let certificate = pem(b"the batch client's certificate");
    let request = |certificate: Option<String>| TokenRequest {
        parameters: Secret::new("grant_type=client_credentials".to_owned()),
        client_id: Some(BATCH.into()),
        client_secret: Some(BATCH_SECRET.into()),
        client_certificate: certificate,
        ..Default::default()
    };
    let refused = token(&client, &request(None)).await;
    assert_eq!(
        error_of(&text(refused.response_content.as_ref())),
        "invalid_request"
    );

    let answer = token(&client, &request(Some(certificate.clone()))).await;
    assert_eq!(answer.action, Some(Action::Ok), "{answer:?}");
    let access_token = text(answer.access_token.as_ref());
    assert!(unauthorized(
        &introspect(&client, &access_token, None, None).await
    ));
    let other = pem(b"another certificate");
    assert!(unauthorized(
        &introspect(&client, &access_token, None, Some(&other)).await
    ));
    let answer = introspect(&client, &access_token, None, Some(&certificate)).await;
    assert_eq!(
        answer.action,
        Some(IntrospectionResponseAction::Ok),
        "{answer:?}"
    );
    assert!(answer.certificate_thumbprint.is_some());
}

#[tokio::test]
async fn id_tokens_and_jwt_access_tokens_verify_with_the_published_jwk_set() {
    let clock = Clock::manual(START);
    let jwt = Service {
        jwt_access_tokens: true,
        ..service(&clock)
    };
    let (_standin, client) = start(jwt).await;
    let answer = app_tokens(&client, &app_code(&client).await).await;
    let jwks = client
        .get_service_jwks(&GetServiceJwksQuery::new())
        .await
        .unwrap();
    let jwks = json!({"keys": jwks.keys});
    let id_token = text(answer.id_token.as_ref());
    assert!(verifies_with(&id_token, &jwks));
    let content: Value = serde_json::from_str(&text(answer.response_content.as_ref())).unwrap();
    let access_token = content["access_token"].as_str().unwrap().to_owned();
    assert!(verifies_with(&access_token, &jwks), "{access_token}");
    assert_eq!(claims_of(&access_token)["sub"], "john");
    assert_eq!(claims_of(&access_token)["iss"], "https://as.example");
    // The JWT is the access token: introspection knows it.
    let answer = introspect(&client, &access_token, None, None).await;
    assert_eq!(answer.action, Some(IntrospectionResponseAction::Ok));
    // A signature by another key does not verify.
    let mut tampered = id_token.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    assert!(!verifies_with(&tampered, &jwks));
}

#[tokio::test]
async fn a_proof_at_par_binds_the_code_to_its_key() {
    use authlete::types::{PushedAuthorizationRequest, PushedAuthorizationResponseAction};
    let (_standin, client, _) = start_default().await;
    let key = DpopKey::generate();
    let pushed = client
        .push_authorization_request(&PushedAuthorizationRequest {
            parameters: Secret::new(format!(
                "response_type=code&client_id={SPA}&scope=openid&code_challenge={CHALLENGE}\
                 &code_challenge_method=S256"
            )),
            client_id: Some(SPA.into()),
            dpop: Some(key.proof("POST", "https://as.example/par", START, None, None)),
            htm: Some("POST".into()),
            htu: Some("https://as.example/par".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        pushed.action,
        Some(PushedAuthorizationResponseAction::Created)
    );
    let request_uri = pushed.request_uri.unwrap();
    let code = code_for(
        &client,
        &format!("client_id={SPA}&request_uri={request_uri}"),
    )
    .await;
    let other = DpopKey::generate().proof("POST", TOKEN_ENDPOINT, START, None, None);
    let refused = token(&client, &spa_token_request(&code, Some(other))).await;
    assert_eq!(
        error_of(&text(refused.response_content.as_ref())),
        "invalid_dpop_proof"
    );
    let same = key.proof("POST", TOKEN_ENDPOINT, START, None, None);
    let answer = token(&client, &spa_token_request(&code, Some(same))).await;
    assert_eq!(answer.action, Some(Action::Ok), "{answer:?}");
}

#[tokio::test]
async fn a_client_that_requires_dpop_gets_no_token_without_a_proof() {
    let clock = Clock::manual(START);
    let mut dpop_only = service(&clock);
    for client in &mut dpop_only.clients {
        if client.client_id == Some(SPA.parse().unwrap()) {
            client.dpop_required = Some(true);
        }
    }
    let (_standin, client) = start(dpop_only).await;
    let refused = token(&client, &spa_token_request(&spa_code(&client).await, None)).await;
    assert_eq!(
        error_of(&text(refused.response_content.as_ref())),
        "invalid_dpop_proof"
    );
}
