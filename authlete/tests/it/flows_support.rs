//! Shared helpers for the tests of the endpoint flows.

#![allow(dead_code)]

use authlete::flows::{Bytes, Response};
use authlete::{ApiVersion, Client, Config, RetryPolicy};
use authlete_sys::mock::MockServerExt as _;
use http::{Request, StatusCode, header};
use httpmock::{Mock, MockServer};
use serde_json::Value;

/// The service every flow test uses.
pub const SERVICE: &str = "7159";

/// A V3 client for the mock server, without retries.
pub fn client(server: &MockServer) -> Client {
    let config = Config::builder()
        .base_url(server.base_url())
        .api_version(ApiVersion::V3)
        .service_api_key(SERVICE)
        .service_access_token("svc-token")
        .build()
        .unwrap();
    Client::builder(config)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// Declares [`Operation`]: one variant per Authlete operation a shared helper mocks, each
/// with the typed mock of `authlete_sys::mock::MockServerExt` it stands for.
macro_rules! operations {
    ($($(#[$doc:meta])* $variant:ident => $mock:ident,)*) => {
        /// An Authlete operation that a shared helper mocks by its typed mock, so that the
        /// helper follows the spec's path and HTTP method instead of a path string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Operation {
            $($(#[$doc])* $variant,)*
        }

        impl Operation {
            /// A mock of this operation for the test service: `config` gets the raw `When`
            /// (method, path and service already pinned) and `Then`.
            pub fn mock<'a>(
                self,
                server: &'a MockServer,
                config: impl FnOnce(httpmock::When, httpmock::Then),
            ) -> Mock<'a> {
                match self {
                    $(Operation::$variant => server.$mock(|when, then| {
                        config(when.service_id(SERVICE).into_inner(), then.into_inner())
                    }),)*
                }
            }
        }
    };
}

operations! {
    /// `POST /api/{serviceId}/auth/introspection`
    AuthIntrospection => auth_introspection_api,
    /// `POST /api/{serviceId}/auth/revocation`
    AuthRevocation => auth_revocation_api,
    /// `POST /api/{serviceId}/auth/token`
    AuthToken => auth_token_api,
    /// `POST /api/{serviceId}/auth/token/fail`
    AuthTokenFail => auth_token_fail_api,
    /// `POST /api/{serviceId}/auth/token/issue`
    AuthTokenIssue => auth_token_issue_api,
    /// `POST /api/{serviceId}/backchannel/authentication`
    BackchannelAuthentication => backchannel_authentication_api,
    /// `POST /api/{serviceId}/client/registration`
    ClientRegistration => client_registration_api,
    /// `POST /api/{serviceId}/client/registration/delete`
    ClientRegistrationDelete => client_registration_delete_api,
    /// `POST /api/{serviceId}/client/registration/get`
    ClientRegistrationGet => client_registration_get_api,
    /// `POST /api/{serviceId}/client/registration/update`
    ClientRegistrationUpdate => client_registration_update_api,
    /// `POST /api/{serviceId}/device/authorization`
    DeviceAuthorization => device_authorization_api,
    /// `POST /api/{serviceId}/device/complete`
    DeviceComplete => device_complete_api,
    /// `POST /api/{serviceId}/device/verification`
    DeviceVerification => device_verification_api,
    /// `POST /api/{serviceId}/federation/configuration`
    FederationConfiguration => federation_configuration_api,
    /// `POST /api/{serviceId}/federation/registration`
    FederationRegistration => federation_registration_api,
    /// `POST /api/{serviceId}/idtoken/reissue`
    IdtokenReissue => idtoken_reissue_api,
    /// `POST /api/{serviceId}/nativesso`
    NativeSso => native_sso_api,
    /// `POST /api/{serviceId}/pushed_auth_req`
    PushedAuthReq => pushed_auth_req_api,
    /// `POST /api/{serviceId}/vci/batch/issue`
    VciBatchIssue => vci_batch_issue_api,
    /// `POST /api/{serviceId}/vci/batch/parse`
    VciBatchParse => vci_batch_parse_api,
    /// `POST /api/{serviceId}/vci/deferred/issue`
    VciDeferredIssue => vci_deferred_issue_api,
    /// `POST /api/{serviceId}/vci/deferred/parse`
    VciDeferredParse => vci_deferred_parse_api,
    /// `POST /api/{serviceId}/vci/jwks`
    VciJwks => vci_jwks_api,
    /// `POST /api/{serviceId}/vci/jwtissuer`
    VciJwtissuer => vci_jwtissuer_api,
    /// `POST /api/{serviceId}/vci/metadata`
    VciMetadata => vci_metadata_api,
    /// `POST /api/{serviceId}/vci/nonce`
    VciNonce => vci_nonce_api,
    /// `POST /api/{serviceId}/vci/offer/create`
    VciOfferCreate => vci_offer_create_api,
    /// `POST /api/{serviceId}/vci/offer/info`
    VciOfferInfo => vci_offer_info_api,
    /// `POST /api/{serviceId}/vci/single/issue`
    VciSingleIssue => vci_single_issue_api,
    /// `POST /api/{serviceId}/vci/single/parse`
    VciSingleParse => vci_single_parse_api,
}

/// A form POST to `uri`.
pub fn form_post(uri: &str, body: &str) -> Request<Bytes> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

/// The body as text.
pub fn text(response: &Response) -> String {
    String::from_utf8(response.body().to_vec()).unwrap()
}

/// The body as JSON.
pub fn json(response: &Response) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

/// Every flow response is uncacheable.
pub fn assert_no_store(response: &Response) {
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()[header::PRAGMA], "no-cache");
}

/// A generic 500 that says nothing about the server's internals.
pub fn assert_generic_500(response: &Response) {
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_no_store(response);
    assert_eq!(json(response)["error"], "server_error");
}

/// `Authorization: Basic` for `id` and `secret` (not form-encoded: tests use plain ones).
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// One of the five endpoints where clients authenticate, for
/// [`check_client_authentication`].
pub struct ClientAuthEndpoint<'a, H> {
    /// The endpoint's path, e.g. `/token`.
    pub path: &'a str,
    /// A valid form for it, without client credentials.
    pub form: &'a str,
    /// The realm of its `Basic` challenge.
    pub realm: &'a str,
    /// Authlete's operation, e.g. [`Operation::AuthToken`].
    pub operation: Operation,
    /// The action of Authlete's answer when the client fails to authenticate.
    pub unauthorized_action: &'a str,
    /// Handles a request.
    pub handle: H,
}

/// The one reader of client authentication (`ClientAuthentication::read`), through an
/// endpoint: what it passes to Authlete, what it refuses without asking Authlete, and the
/// challenge of every `401`.
pub async fn check_client_authentication<H, F>(
    server: &MockServer,
    endpoint: ClientAuthEndpoint<'_, H>,
) where
    H: Fn(Request<Bytes>) -> F,
    F: std::future::Future<Output = Response>,
{
    use serde_json::json;
    let ClientAuthEndpoint {
        path,
        form,
        realm,
        operation,
        unauthorized_action,
        handle,
    } = endpoint;
    let challenge = format!("Basic realm=\"{realm}\"");
    let post = |body: &str, headers: &[(&str, &str)]| {
        let mut request = form_post(path, body);
        for (name, value) in headers {
            request.headers_mut().append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        request
    };

    // Refused before Authlete is asked, one error per problem.
    let any = operation.mock(server, |_, then| {
        then.status(200)
            .json_body(json!({"action": "INTERNAL_SERVER_ERROR"}));
    });
    let app_basic = basic("app", "s3cret");
    let refusals: Vec<(Request<Bytes>, StatusCode, &str, &str)> = vec![
        (
            post(
                &format!("{form}&client_id=other"),
                &[("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Basic client ID differs from the form's client_id",
        ),
        (
            post(
                &format!("{form}&client_secret=s3cret"),
                &[("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Basic and client_secret",
        ),
        (
            post(
                &format!(
                    "{form}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c"
                ),
                &[("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Basic and client_assertion",
        ),
        (
            post(
                &format!("{form}&client_id=app&client_secret=s&client_assertion=a.b.c"),
                &[],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_secret and client_assertion",
        ),
        (
            post(&format!("{form}&client_id=app&client_id=other"), &[]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id twice",
        ),
        (
            post(form, &[("oauth-client-attestation", "a.b.c")]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "attestation without its PoP",
        ),
        (
            post(form, &[("oauth-client-attestation-pop", "a.b.c")]),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "attestation PoP alone",
        ),
        (
            post(
                form,
                &[("authorization", &app_basic), ("authorization", &app_basic)],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "two Authorization headers",
        ),
        (
            post(form, &[("authorization", "Basic !!not-base64")]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Basic that is not base64",
        ),
        (
            post(form, &[("authorization", "Basic bm8tY29sb24=")]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Basic without a colon",
        ),
        (
            post(form, &[("authorization", "Bearer abc")]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "another scheme",
        ),
    ];
    for (request, status, error, case) in refusals {
        let response = handle(request).await;
        assert_eq!(response.status(), status, "{path}: {case}");
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], error, "{path}: {case}");
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(
                response.headers()[header::WWW_AUTHENTICATE],
                challenge.as_str(),
                "{path}: {case}"
            );
        } else {
            assert!(
                !response.headers().contains_key(header::WWW_AUTHENTICATE),
                "{path}: {case}"
            );
        }
    }
    assert_eq!(any.calls_async().await, 0, "{path}: Authlete was asked");
    any.delete_async().await;

    // Passed on: Basic with the same client_id in the form, the attestation headers.
    let passed = operation.mock(server, |when, then| {
        when.json_body_includes(
            json!({
                "clientId": "app",
                "clientSecret": "s3cret",
                "oauthClientAttestation": "att.jwt",
                "oauthClientAttestationPop": "pop.jwt"
            })
            .to_string(),
        );
        then.status(200).json_body(json!({
            "action": unauthorized_action,
            "responseContent": r#"{"error":"invalid_client"}"#
        }));
    });
    let response = handle(post(
        &format!("{form}&client_id=app"),
        &[
            ("authorization", &app_basic),
            ("oauth-client-attestation", "att.jwt"),
            ("oauth-client-attestation-pop", "pop.jwt"),
        ],
    ))
    .await;
    passed.assert_async().await;
    passed.delete_async().await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    assert_eq!(
        response.headers()[header::WWW_AUTHENTICATE],
        challenge.as_str()
    );

    // Authlete refuses a client that did not use Basic: still a Basic challenge, since a
    // 401 names the schemes the endpoint supports (RFC 6749 section 5.2).
    let refused = operation.mock(server, |_, then| {
        then.status(200).json_body(json!({
            "action": unauthorized_action,
            "responseContent": r#"{"error":"invalid_client"}"#
        }));
    });
    for (body, headers) in [
        (format!("{form}&client_id=app&client_secret=wrong"), vec![]),
        (
            format!("{form}&client_id=app&client_assertion=a.b.c"),
            vec![],
        ),
        (
            form.to_owned(),
            vec![
                ("oauth-client-attestation", "att.jwt"),
                ("oauth-client-attestation-pop", "pop.jwt"),
            ],
        ),
        (format!("{form}&client_id=app"), vec![]),
    ] {
        let response = handle(post(&body, &headers)).await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{path}: {body}"
        );
        assert_no_store(&response);
        assert_eq!(json(&response)["error"], "invalid_client");
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            challenge.as_str(),
            "{path}: {body}"
        );
    }
    assert_eq!(refused.calls_async().await, 4);
}
