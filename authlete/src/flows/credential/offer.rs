//! Credential offers: creating them for the application, and serving them by reference.

use bytes::Bytes;
use http::{Request, StatusCode};
use url::Url;

use super::require_get;
use crate::flows::request::BadRequest;
use crate::flows::{FlowSettings, Response, response};
use crate::types::{
    CredentialOfferInfo, VciOfferCreateRequest, VciOfferCreateResponseAction as CreateAction,
    VciOfferInfoRequest, VciOfferInfoResponseAction as InfoAction,
};
use crate::{Client, Error};

/// The URI scheme wallets register for credential offers: `openid-credential-offer://`.
pub const CREDENTIAL_OFFER_SCHEME: &str = "openid-credential-offer://";

/// Why [`create_offer`] made no offer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfferError {
    /// `FORBIDDEN`: the service does not issue verifiable credentials.
    #[error("credential offers are not allowed for this service: {message}")]
    Forbidden {
        /// Authlete's `resultMessage`.
        message: String,
    },
    /// `CALLER_ERROR`: the request was wrong, e.g. it named no credential configuration.
    #[error("the credential offer request is invalid: {message}")]
    InvalidRequest {
        /// Authlete's `resultMessage`.
        message: String,
    },
    /// `AUTHLETE_ERROR`: Authlete failed.
    #[error("Authlete failed to create the credential offer: {message}")]
    Authlete {
        /// Authlete's `resultMessage`.
        message: String,
    },
    /// Authlete answered with an action this version does not know, or `CREATED` without
    /// the offer.
    #[error("unexpected answer from Authlete: {action}")]
    Unexpected {
        /// The action.
        action: String,
    },
    /// The call to Authlete failed.
    #[error(transparent)]
    Call(#[from] Error),
}

/// A credential offer Authlete created: its details in [`CredentialOffer::info`], and the
/// ways to hand it to a wallet.
///
/// The offer carries the pre-authorized code when it has one: whoever holds the offer can
/// obtain the credential (with the transaction code, if one is required), so show it only
/// to the intended user.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialOffer {
    /// Everything Authlete knows about the offer.
    pub info: CredentialOfferInfo,
}

impl CredentialOffer {
    /// The offer's identifier, which [`CredentialOfferUriEndpoint`] looks up.
    pub fn identifier(&self) -> Option<&str> {
        self.info.identifier.as_deref()
    }

    /// The offer itself, as JSON (the `credential_offer` parameter).
    pub fn offer_json(&self) -> Option<&str> {
        self.info.credential_offer.as_deref()
    }

    /// The `credential_offer_uri` of the offer: `endpoint` (where the application mounted
    /// [`CredentialOfferUriEndpoint`], e.g. `https://issuer.example.com/offers`) with the
    /// identifier as its last path segment.
    pub fn offer_uri(&self, endpoint: &Url) -> Option<Url> {
        let identifier = self.identifier()?;
        let mut url = endpoint.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .ok()?
            .pop_if_empty()
            .push(identifier);
        Some(url)
    }

    /// A link for the wallet passing the offer by reference:
    /// `openid-credential-offer://?credential_offer_uri=...` (see [`Self::offer_uri`]).
    pub fn link_by_reference(&self, endpoint: &Url) -> Option<String> {
        let uri = self.offer_uri(endpoint)?;
        Some(link("credential_offer_uri", uri.as_str()))
    }

    /// A link for the wallet passing the offer by value:
    /// `openid-credential-offer://?credential_offer=...`.
    pub fn link_by_value(&self) -> Option<String> {
        Some(link("credential_offer", self.offer_json()?))
    }
}

fn link(parameter: &str, value: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair(parameter, value)
        .finish();
    format!("{CREDENTIAL_OFFER_SCHEME}?{query}")
}

/// Creates a credential offer through Authlete's `/vci/offer/create`.
///
/// | Authlete action | result |
/// |---|---|
/// | `CREATED` | `Ok` with the offer |
/// | `FORBIDDEN` | [`OfferError::Forbidden`] |
/// | `CALLER_ERROR` | [`OfferError::InvalidRequest`] |
/// | `AUTHLETE_ERROR` | [`OfferError::Authlete`] |
/// | anything else | [`OfferError::Unexpected`] |
///
/// ```no_run
/// # async fn run(client: authlete::Client) -> Result<(), authlete::flows::credential::OfferError> {
/// use authlete::flows::credential::create_offer;
/// use authlete::types::VciOfferCreateRequest;
///
/// let offer = create_offer(&client, &VciOfferCreateRequest {
///     credential_configuration_ids: vec!["IdentityCredential".into()],
///     pre_authorized_code_grant_included: Some(true),
///     subject: Some("john".into()),
///     ..Default::default()
/// })
/// .await?;
/// let endpoint = url::Url::parse("https://issuer.example.com/offers").unwrap();
/// let link = offer.link_by_reference(&endpoint); // show it as a QR code
/// # let _ = link;
/// # Ok(()) }
/// ```
pub async fn create_offer(
    client: &Client,
    request: &VciOfferCreateRequest,
) -> Result<CredentialOffer, OfferError> {
    let answer = client.credential_offer_create(request).await?;
    let message = || answer.result_message.clone().unwrap_or_default();
    match &answer.action {
        Some(CreateAction::Created) => match answer.info {
            Some(info) => Ok(CredentialOffer { info }),
            None => Err(OfferError::Unexpected {
                action: "CREATED without the offer".into(),
            }),
        },
        Some(CreateAction::Forbidden) => Err(OfferError::Forbidden { message: message() }),
        Some(CreateAction::CallerError) => Err(OfferError::InvalidRequest { message: message() }),
        Some(CreateAction::AuthleteError) => Err(OfferError::Authlete { message: message() }),
        Some(other) => Err(OfferError::Unexpected {
            action: other.as_str().to_owned(),
        }),
        None => Err(OfferError::Unexpected {
            action: "(none)".into(),
        }),
    }
}

/// Handles `GET` of a `credential_offer_uri`: the credential offer whose identifier is the
/// last path segment (as [`CredentialOffer::offer_uri`] builds it), from Authlete's
/// `/vci/offer/info`.
///
/// | Authlete action | response |
/// |---|---|
/// | `OK` | `200` with the credential offer JSON |
/// | `FORBIDDEN` | `403` with an `access_denied` error JSON (the service does not issue verifiable credentials) |
/// | `NOT_FOUND` | `404` with an `invalid_request` error JSON (no such offer, or it expired) |
/// | `CALLER_ERROR`, `AUTHLETE_ERROR`, anything else | `500` with a generic body |
///
/// Before Authlete is asked: any method but `GET` is answered `405`, and an identifier that
/// is empty, longer than 256 characters or not made of URL-safe characters
/// (`A-Z a-z 0-9 - . _ ~`) `400`.
#[derive(Debug, Clone)]
pub struct CredentialOfferUriEndpoint {
    client: Client,
}

impl CredentialOfferUriEndpoint {
    /// A handler calling Authlete with `client`. A `GET` has no body, so no setting applies
    /// yet; `settings` keeps the constructor the same as every other handler's.
    pub fn new(client: Client, settings: FlowSettings) -> Self {
        let _ = settings;
        Self { client }
    }

    /// Handles one request for an offer, identified by the last segment of the path.
    pub async fn handle(&self, request: &Request<Bytes>) -> Response {
        let identifier = request.uri().path().rsplit('/').next().unwrap_or("");
        self.handle_identifier(request, identifier).await
    }

    /// Handles one request for the offer `identifier`, for applications whose router has
    /// already taken it from the path or the query.
    pub async fn handle_identifier(&self, request: &Request<Bytes>, identifier: &str) -> Response {
        if let Err(bad) = require_get(request) {
            return bad.into_response();
        }
        if !valid_identifier(identifier) {
            return BadRequest::Malformed("invalid credential offer identifier").into_response();
        }
        let body = VciOfferInfoRequest {
            identifier: Some(identifier.to_owned()),
        };
        let answer = match self.client.credential_offer_info(&body).await {
            Ok(answer) => answer,
            Err(e) => return response::authlete_failure(&e),
        };
        match answer.action {
            Some(InfoAction::Ok) => match answer.info.and_then(|info| info.credential_offer) {
                Some(offer) => response::json(StatusCode::OK, offer),
                None => response::server_error("vci_offer_info_api answered OK without the offer"),
            },
            Some(InfoAction::Forbidden) => response::oauth_error(
                StatusCode::FORBIDDEN,
                "access_denied",
                "Credential offers are not available.",
            ),
            Some(InfoAction::NotFound) => response::oauth_error(
                StatusCode::NOT_FOUND,
                "invalid_request",
                "The credential offer does not exist or has expired.",
            ),
            Some(InfoAction::CallerError) => {
                tracing::error!(message = ?answer.result_message, "vci_offer_info_api: CALLER_ERROR");
                response::server_error("vci_offer_info_api answered CALLER_ERROR")
            }
            Some(InfoAction::AuthleteError) => {
                tracing::error!(message = ?answer.result_message, "vci_offer_info_api: AUTHLETE_ERROR");
                response::server_error("vci_offer_info_api answered AUTHLETE_ERROR")
            }
            Some(other) => response::unknown_action("vci_offer_info_api", other.as_str()),
            None => response::unknown_action("vci_offer_info_api", "(none)"),
        }
    }
}

fn valid_identifier(identifier: &str) -> bool {
    !identifier.is_empty()
        && identifier.len() <= 256
        && identifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

impl crate::flows::Endpoint for CredentialOfferUriEndpoint {
    async fn handle(&self, request: &http::Request<bytes::Bytes>) -> crate::flows::Response {
        CredentialOfferUriEndpoint::handle(self, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(identifier: &str) -> CredentialOffer {
        CredentialOffer {
            info: CredentialOfferInfo {
                identifier: Some(identifier.into()),
                credential_offer: Some(r#"{"credential_issuer":"https://i.example"}"#.into()),
                ..Default::default()
            },
        }
    }

    #[test]
    fn offer_uris_and_links() {
        let offer = offer("abc-123");
        for endpoint in [
            "https://i.example/offers",
            "https://i.example/offers/?x=1#f",
        ] {
            let endpoint = Url::parse(endpoint).unwrap();
            assert_eq!(
                offer.offer_uri(&endpoint).unwrap().as_str(),
                "https://i.example/offers/abc-123"
            );
        }
        let endpoint = Url::parse("https://i.example/offers").unwrap();
        assert_eq!(
            offer.link_by_reference(&endpoint).unwrap(),
            "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Foffers%2Fabc-123"
        );
        assert_eq!(
            offer.link_by_value().unwrap(),
            "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A%22https%3A%2F%2Fi.example%22%7D"
        );
        let empty = CredentialOffer {
            info: CredentialOfferInfo::default(),
        };
        assert_eq!(empty.offer_uri(&endpoint), None);
        assert_eq!(empty.link_by_value(), None);
    }

    #[test]
    fn identifiers() {
        assert!(valid_identifier("Abc-_.~9"));
        for bad in ["", "a b", "a%2F", "..%00", "ü", &"a".repeat(257)] {
            assert!(!valid_identifier(bad), "{bad:?}");
        }
    }
}
