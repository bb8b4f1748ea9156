//! Credentials on the wire: the `Authorization` header each operation takes (Bearer or DPoP
//! in V3; HTTP Basic with the service or service-owner key in V2), the V2 paths, and the
//! DPoP proof of every attempt.

use base64::Engine as _;
use http::{HeaderMap, HeaderValue, StatusCode};

use super::route::{Credentials, Route};
use crate::config::{ApiVersion, Config};
use crate::dpop::{DpopError, DpopSigner};

/// The credential headers and path rules of one client.
pub(super) struct Auth {
    version: ApiVersion,
    /// The path of the base URL (`/authlete` in `https://host/authlete`), without the
    /// trailing slash.
    base_path: String,
    service: Option<HeaderValue>,
    service_owner: Option<HeaderValue>,
}

impl Auth {
    /// The headers of `config`; `dpop` when the access tokens are DPoP-bound.
    pub(super) fn new(config: &Config, dpop: bool) -> Self {
        let scheme = if dpop { "DPoP" } else { "Bearer" };
        let version = config.api_version();
        let (service, service_owner) = match version {
            ApiVersion::V3 => (
                config
                    .service_access_token()
                    .map(|t| token_header(scheme, t.expose_secret())),
                config
                    .service_owner_access_token()
                    .map(|t| token_header(scheme, t.expose_secret())),
            ),
            ApiVersion::V2 => (
                config
                    .service_api_key()
                    .zip(config.service_api_secret())
                    .map(|(k, s)| basic(k, s.expose_secret())),
                config
                    .service_owner_api_key()
                    .zip(config.service_owner_api_secret())
                    .map(|(k, s)| basic(k, s.expose_secret())),
            ),
        };
        Self {
            version,
            base_path: config.base_url().path().trim_end_matches('/').to_string(),
            service: service.flatten(),
            service_owner: service_owner.flatten(),
        }
    }

    /// Adds the credentials `route` takes and, in V2, rewrites the path; the error says
    /// why the request cannot be sent (no credentials, no V2 path).
    pub(super) fn apply(
        &self,
        route: &Route,
        request: &mut reqwest::Request,
    ) -> Result<(), String> {
        debug_assert_eq!(request.method().as_str(), route.method);
        match self.authorization(route.credentials) {
            Some(value) => {
                request
                    .headers_mut()
                    .insert(http::header::AUTHORIZATION, value.clone());
            }
            None if route.credentials != Credentials::None => {
                return Err(format!(
                    "no credentials for `{}` in the configuration",
                    route.operation
                ));
            }
            None => {}
        }
        if self.version == ApiVersion::V2 {
            let path = self.v2_path(route, request.url().path())?;
            request.url_mut().set_path(&path);
        }
        Ok(())
    }

    fn authorization(&self, credentials: Credentials) -> Option<&HeaderValue> {
        match (credentials, self.version) {
            (Credentials::None, _) => None,
            (Credentials::Service, _) => self.service.as_ref().or(self.service_owner.as_ref()),
            (Credentials::ServiceOwner, ApiVersion::V2) => self.service_owner.as_ref(),
            (Credentials::ServiceOwnerPreferred, ApiVersion::V3) => {
                self.service.as_ref().or(self.service_owner.as_ref())
            }
            (Credentials::ServiceOwner, ApiVersion::V3)
            | (Credentials::ServiceOwnerPreferred, ApiVersion::V2) => {
                self.service_owner.as_ref().or(self.service.as_ref())
            }
        }
    }

    /// Rewrites a V3 path (after the base path) to its V2 form.
    fn v2_path(&self, route: &Route, path: &str) -> Result<String, String> {
        let v2 = route
            .v2_path
            .ok_or_else(|| format!("`{}` is not available in API generation 2", route.operation))?;
        let relative = path.strip_prefix(&self.base_path).unwrap_or(path);
        let template: Vec<&str> = route.v3_path.split('/').collect();
        let actual: Vec<&str> = relative.split('/').collect();
        if template.len() != actual.len() {
            return Err(format!(
                "unexpected path {relative} for `{}`",
                route.operation
            ));
        }
        let value_of = |name: &str| -> Option<&str> {
            template
                .iter()
                .zip(&actual)
                .find(|(t, _)| {
                    t.trim_start_matches('{').trim_end_matches('}') == name && t.starts_with('{')
                })
                .map(|(_, a)| *a)
        };
        let mut out = self.base_path.clone();
        for segment in v2.split('/').skip(1) {
            out.push('/');
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                // V2 names the service by its API key where V3 has the service ID.
                let name = if name == "serviceApiKey" {
                    "serviceId"
                } else {
                    name
                };
                out.push_str(
                    value_of(name).ok_or_else(|| {
                        format!("no `{name}` in the path of `{}`", route.operation)
                    })?,
                );
            } else {
                out.push_str(segment);
            }
        }
        Ok(out)
    }
}

/// DPoP-bound access tokens: a fresh proof for every attempt, with Authlete's latest nonce.
pub(super) struct Dpop {
    signer: DpopSigner,
    /// The latest `DPoP-Nonce` Authlete sent, for the next proofs.
    nonce: std::sync::Mutex<Option<String>>,
}

impl Dpop {
    pub(super) fn new(signer: DpopSigner) -> Self {
        Self {
            signer,
            nonce: std::sync::Mutex::new(None),
        }
    }

    /// Adds a fresh DPoP proof, bound to the access token the request carries and to the
    /// latest nonce.
    pub(super) fn sign(&self, request: &mut reqwest::Request) -> Result<(), DpopError> {
        let token = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("DPoP "))
            .map(str::to_owned);
        let nonce = self.nonce.lock().ok().and_then(|n| n.clone());
        let proof = self.signer.proof(
            request.method().as_str(),
            request.url().as_str(),
            token.as_deref(),
            nonce.as_deref(),
        )?;
        if let Ok(value) = HeaderValue::from_str(&proof) {
            request.headers_mut().insert("dpop", value);
        }
        Ok(())
    }

    /// Keeps the `DPoP-Nonce` of an answer for the next proofs; true when the answer is a
    /// `use_dpop_nonce` challenge.
    pub(super) fn note_nonce(&self, status: StatusCode, headers: &HeaderMap) -> bool {
        let Some(nonce) = headers.get("dpop-nonce").and_then(|v| v.to_str().ok()) else {
            return false;
        };
        if let Ok(mut current) = self.nonce.lock() {
            *current = Some(nonce.to_owned());
        }
        let challenged = headers
            .get_all(http::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("use_dpop_nonce"));
        challenged || status == StatusCode::UNAUTHORIZED
    }
}

fn token_header(scheme: &str, token: &str) -> Option<HeaderValue> {
    sensitive(format!("{scheme} {token}"))
}

fn basic(key: &str, secret: &str) -> Option<HeaderValue> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    sensitive(format!("Basic {encoded}"))
}

fn sensitive(value: String) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&value).ok()?;
    value.set_sensitive(true);
    Some(value)
}
