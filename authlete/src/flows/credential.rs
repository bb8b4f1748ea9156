//! OpenID for Verifiable Credential Issuance (OID4VCI): the endpoints of a credential
//! issuer.
//!
//! - Metadata: [`CredentialIssuerMetadataEndpoint`]
//!   (`/.well-known/openid-credential-issuer`), [`JwtIssuerMetadataEndpoint`]
//!   (`/.well-known/jwt-vc-issuer`) and [`CredentialIssuerJwksEndpoint`] (the keys that
//!   verify the credentials).
//! - Offers: [`create_offer`] makes a credential offer for the application to hand to a
//!   wallet (by value, or by reference through its `credential_offer_uri`), and
//!   [`CredentialOfferUriEndpoint`] serves offers by reference.
//! - Nonces: [`CredentialNonceEndpoint`] gives wallets a fresh `c_nonce` for their key
//!   proofs.
//! - Credentials: [`CredentialEndpoint`] (`/credential`), [`BatchCredentialEndpoint`]
//!   (`/batch_credential`) and [`DeferredCredentialEndpoint`] (`/deferred_credential`).
//!   Each validates the access token (Bearer or DPoP, with the DPoP proof and a
//!   certificate binding) through `/auth/introspection`, has Authlete parse the request,
//!   asks the application's [`CredentialIssuer`] what to issue, and has Authlete issue it.
//!
//! ```no_run
//! use authlete::flows::FlowSettings;
//! use authlete::flows::credential::{
//!     CredentialEndpoint, CredentialIssuer, CredentialOrder, CredentialPayload, CredentialRequest,
//! };
//! use serde_json::json;
//!
//! struct Issuer;
//!
//! impl CredentialIssuer for Issuer {
//!     async fn issue(&self, request: &CredentialRequest) -> CredentialOrder {
//!         let subject = request.token.subject.clone().unwrap_or_default();
//!         match request.info.format.as_deref() {
//!             Some("dc+sd-jwt") => CredentialOrder::Issue(CredentialPayload::new(json!({
//!                 "vct": "https://credentials.example.com/identity_credential",
//!                 "sub": subject,
//!                 "given_name": "John",
//!             }))),
//!             _ => CredentialOrder::refuse("unsupported_credential_format", "Only SD-JWT VCs."),
//!         }
//!     }
//! }
//!
//! # async fn run(client: authlete::Client, request: http::Request<bytes::Bytes>) {
//! let endpoint = CredentialEndpoint::new(client, FlowSettings::default(), Issuer);
//! let response = endpoint.handle(&request).await;
//! # let _ = response;
//! # }
//! ```

mod issue;
mod metadata;
mod nonce;
mod offer;

pub use issue::{
    BatchCredentialEndpoint, CredentialEndpoint, CredentialIssuer, CredentialOrder,
    CredentialPayload, CredentialRefusal, CredentialRequest, CredentialRequestKind,
    DeferredCredentialEndpoint,
};
pub use metadata::{
    CredentialIssuerJwksEndpoint, CredentialIssuerMetadataEndpoint, JwtIssuerMetadataEndpoint,
};
pub use nonce::CredentialNonceEndpoint;
pub use offer::{
    CREDENTIAL_OFFER_SCHEME, CredentialOffer, CredentialOfferUriEndpoint, OfferError, create_offer,
};

use bytes::Bytes;
use http::{Method, Request, StatusCode};

use super::request::{self, BadRequest};
use super::{FlowSettings, Response, response};

/// `Ok` for a `GET`, else `405` with `Allow: GET`.
fn require_get(request: &Request<Bytes>) -> Result<(), BadRequest> {
    if request.method() == Method::GET {
        Ok(())
    } else {
        Err(BadRequest::MethodNotAllowed { allowed: "GET" })
    }
}

/// Why a JSON body was refused before Authlete was asked.
enum BodyError {
    /// `405`, `413` or `400`.
    Bad(BadRequest),
    /// `415`: the body is not `application/json`.
    NotJson,
}

impl From<BadRequest> for BodyError {
    fn from(bad: BadRequest) -> Self {
        Self::Bad(bad)
    }
}

impl BodyError {
    fn into_response(self) -> Response {
        match self {
            Self::Bad(bad) => bad.into_response(),
            Self::NotJson => response::oauth_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                "the body must be application/json",
            ),
        }
    }
}

/// The body of a `POST` with `Content-Type: application/json`, which must hold a JSON
/// object: `405`, `413`, `415` or `400` otherwise.
fn json_object_body(
    request: &Request<Bytes>,
    settings: &FlowSettings,
) -> Result<String, BodyError> {
    if request.method() != Method::POST {
        return Err(BadRequest::MethodNotAllowed { allowed: "POST" }.into());
    }
    if request.body().len() > settings.max_body_bytes {
        return Err(BadRequest::PayloadTooLarge.into());
    }
    if request::media_type(request)?.as_deref() != Some("application/json") {
        return Err(BodyError::NotJson);
    }
    let text = std::str::from_utf8(request.body())
        .map_err(|_| BadRequest::Malformed("the body is not valid UTF-8"))?;
    let is_object = serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object());
    if !is_object {
        return Err(BadRequest::Malformed("the body is not a JSON object").into());
    }
    Ok(text.to_owned())
}
