//! Calls to Authlete with DPoP-bound access tokens: `Authorization: DPoP`, a fresh proof on
//! every request, and one more try when Authlete answers with a nonce challenge.

use authlete::dpop::DpopSigner;
use authlete::{ApiVersion, Client, Config, Error, RetryPolicy, types};
use jsonwebtoken::Algorithm;

use crate::dpop::{p256_jwk, sha256_b64, verify};
use crate::scripted::{Reply, ScriptedServer};

const OK: &str = r#"{"action":"OK","resultCode":"A050001"}"#;
const CHALLENGE: &str = r#"{"resultCode":"A000001","resultMessage":"use_dpop_nonce"}"#;

fn client(server: &ScriptedServer, policy: RetryPolicy) -> Client {
    let config = Config::builder()
        .base_url(&server.base_url)
        .service_api_key("7159")
        .service_access_token("svc-token")
        .dpop_key(p256_jwk().to_string())
        .build()
        .unwrap();
    Client::builder(config)
        .retry_policy(policy)
        .build()
        .unwrap()
}

fn token_request() -> types::TokenRequest {
    types::TokenRequest {
        parameters: "grant_type=client_credentials".into(),
        ..Default::default()
    }
}

fn signer() -> DpopSigner {
    DpopSigner::from_jwk(&p256_jwk().to_string()).unwrap()
}

/// Verifies the proof of request `index` and returns its claims.
fn proof_claims(server: &ScriptedServer, index: usize) -> serde_json::Value {
    let proofs = server.header_values("dpop");
    let proof = proofs[index].as_deref().expect("a DPoP header");
    verify(&signer(), proof, Algorithm::ES256, 64)
}

#[tokio::test]
async fn every_call_carries_a_proof_bound_to_the_token() {
    let server = ScriptedServer::start(vec![Reply::Status(200, vec![], OK)]).await;
    let client = client(&server, RetryPolicy::disabled());
    client.token(&token_request()).await.unwrap();
    client.token(&token_request()).await.unwrap();

    let authorizations = server.header_values("authorization");
    assert_eq!(authorizations[0].as_deref(), Some("DPoP svc-token"));
    let first = proof_claims(&server, 0);
    let second = proof_claims(&server, 1);
    assert_eq!(first["htm"], "POST");
    assert_eq!(
        first["htu"],
        format!("{}/api/7159/auth/token", server.base_url)
    );
    assert_eq!(first["ath"], sha256_b64("svc-token"));
    assert!(first.get("nonce").is_none());
    assert_ne!(
        first["jti"], second["jti"],
        "each request has its own proof"
    );
}

#[tokio::test]
async fn a_nonce_challenge_is_answered_once_and_the_nonce_kept() {
    let server = ScriptedServer::start(vec![
        Reply::Status(
            401,
            vec![
                ("www-authenticate", "DPoP error=\"use_dpop_nonce\""),
                ("dpop-nonce", "nonce-1"),
            ],
            CHALLENGE,
        ),
        Reply::Status(200, vec![], OK),
    ])
    .await;
    // Retries off: answering the challenge is part of the protocol, not a retry.
    let client = client(&server, RetryPolicy::disabled());
    let response = client.token(&token_request()).await.unwrap();
    assert_eq!(response.action, Some(types::TokenResponseAction::Ok));
    assert_eq!(server.requests(), 2);
    assert!(proof_claims(&server, 0).get("nonce").is_none());
    assert_eq!(proof_claims(&server, 1)["nonce"], "nonce-1");

    // Later calls use the nonce from the start.
    client.token(&token_request()).await.unwrap();
    assert_eq!(proof_claims(&server, 2)["nonce"], "nonce-1");
}

#[tokio::test]
async fn a_repeated_challenge_is_not_answered_forever() {
    let server = ScriptedServer::start(vec![Reply::Status(
        401,
        vec![
            ("www-authenticate", "DPoP error=\"use_dpop_nonce\""),
            ("dpop-nonce", "nonce-x"),
        ],
        CHALLENGE,
    )])
    .await;
    let error = client(&server, RetryPolicy::disabled())
        .token(&token_request())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status() == 401),
        "{error:?}"
    );
    assert_eq!(server.requests(), 2);
}

#[test]
fn dpop_needs_api_generation_3() {
    let config = Config::builder()
        .base_url("https://us.authlete.com")
        .api_version(ApiVersion::V2)
        .service_api_key("7159")
        .service_api_secret("secret")
        .dpop_key(p256_jwk().to_string())
        .build()
        .unwrap();
    let error = Client::new(config).unwrap_err();
    assert!(
        matches!(error, Error::Config(authlete::ConfigError::DpopKeyNeedsV3)),
        "{error:?}"
    );
    assert!(error.to_string().contains("generation 3"), "{error}");
}
