//! The credentials the stand-in accepts, and their check on each call, as Authlete checks
//! them: a Bearer access token in API generation 3, HTTP Basic with an API key and secret in
//! generation 2; the service's for service operations, the service owner's for the
//! operations on services.

use authlete::Secret;
use authlete::routes::Credentials as Needed;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::SERVICE_ID;

/// The API generation a call used, told by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generation {
    V2,
    V3,
}

/// The stand-in's service ID (its API key in API generation 2) and the secrets it accepts:
/// what a seed file's `credentials` member holds. Secrets are redacted in `Debug`.
///
/// ```
/// let credentials = authlete_standin::Credentials::default();
/// assert_eq!(credentials.service_api_key, authlete_standin::SERVICE_ID);
/// assert!(!format!("{credentials:?}").contains("stand-in-service-access-token"));
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Credentials {
    /// The service ID in API generation 3, its API key in generation 2.
    pub service_api_key: String,
    /// The service access token (generation 3).
    pub service_access_token: Secret,
    /// The service API secret (generation 2).
    pub service_api_secret: Secret,
    /// The service owner's API key (generation 2).
    pub service_owner_api_key: String,
    /// The service owner's API secret (generation 2).
    pub service_owner_api_secret: Secret,
    /// The service owner's access token (generation 3; an organization token with
    /// Authlete), for the operations on services.
    pub service_owner_access_token: Secret,
}

impl Default for Credentials {
    /// Fixed, well-known values: the stand-in listens on loopback only, and tests and the
    /// binary's printed variables stay the same from one run to the next.
    fn default() -> Self {
        Credentials {
            service_api_key: SERVICE_ID.into(),
            service_access_token: "stand-in-service-access-token".into(),
            service_api_secret: "stand-in-service-api-secret".into(),
            service_owner_api_key: "620574138".into(),
            service_owner_api_secret: "stand-in-service-owner-api-secret".into(),
            service_owner_access_token: "stand-in-service-owner-access-token".into(),
        }
    }
}

/// Why a call is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No credentials, or wrong ones: `401`.
    Unauthorized,
    /// The path names a service the stand-in does not play: `404`.
    UnknownService,
}

impl Credentials {
    /// Whether `authorization` (the header's value) carries credentials the operation
    /// accepts in `generation`; `path_service` is the service the path names, if any.
    pub(crate) fn check(
        &self,
        needed: Needed,
        generation: Generation,
        authorization: Option<&str>,
        path_service: Option<&str>,
    ) -> Result<(), Refusal> {
        if needed == Needed::None {
            return Ok(());
        }
        let (service, owner) = self.caller(generation, authorization)?;
        let accepted = match (needed, generation) {
            (Needed::Service, _) => service,
            // In generation 3 a service's own access token may manage its service.
            (Needed::ServiceOwner, Generation::V3) => service || owner,
            (Needed::ServiceOwner, Generation::V2) => owner,
            (Needed::ServiceOwnerPreferred, _) => service || owner,
            (Needed::None, _) => true,
            // A kind of credentials added to the spec later: refused until understood.
            _ => false,
        };
        if !accepted {
            return Err(Refusal::Unauthorized);
        }
        match path_service {
            Some(id) if id != self.service_api_key => Err(Refusal::UnknownService),
            _ => Ok(()),
        }
    }

    /// As [`Credentials::check`] for an operation whose path names the service it manages
    /// (the spec's `x-service-id: argument`: `service_get_api`, `service_update_api`,
    /// `service_delete_api`): the service owner may name any service (the handler then
    /// looks it up among those the management store holds), a service's own access token
    /// only its own service.
    pub(crate) fn check_managing(
        &self,
        needed: Needed,
        generation: Generation,
        authorization: Option<&str>,
        path_service: Option<&str>,
    ) -> Result<(), Refusal> {
        self.check(needed, generation, authorization, None)?;
        let (_, owner) = self.caller(generation, authorization)?;
        match path_service {
            Some(id) if id != self.service_api_key && !owner => Err(Refusal::UnknownService),
            _ => Ok(()),
        }
    }

    /// Whether `authorization` carries the service's credentials, the service owner's, in
    /// `generation`; refused when it carries none of the generation's scheme.
    fn caller(
        &self,
        generation: Generation,
        authorization: Option<&str>,
    ) -> Result<(bool, bool), Refusal> {
        Ok(match generation {
            Generation::V3 => {
                let token = bearer(authorization).ok_or(Refusal::Unauthorized)?;
                (
                    token == self.service_access_token.expose_secret(),
                    token == self.service_owner_access_token.expose_secret(),
                )
            }
            Generation::V2 => {
                let (key, secret) = basic(authorization).ok_or(Refusal::Unauthorized)?;
                (
                    key == self.service_api_key
                        && secret == self.service_api_secret.expose_secret(),
                    key == self.service_owner_api_key
                        && secret == self.service_owner_api_secret.expose_secret(),
                )
            }
        })
    }
}

fn bearer(authorization: Option<&str>) -> Option<&str> {
    let (scheme, token) = authorization?.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn basic(authorization: Option<&str>) -> Option<(String, String)> {
    let (scheme, encoded) = authorization?.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (key, secret) = decoded.split_once(':')?;
    Some((key.to_owned(), secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic_header(key: &str, secret: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{key}:{secret}")))
    }

    #[test]
    fn generation_3_takes_the_service_access_token() {
        let c = Credentials::default();
        let ok = c.check(
            Needed::Service,
            Generation::V3,
            Some("Bearer stand-in-service-access-token"),
            Some(SERVICE_ID),
        );
        assert_eq!(ok, Ok(()));
        for wrong in [None, Some("Bearer nope"), Some("Basic x")] {
            let refused = c.check(Needed::Service, Generation::V3, wrong, Some(SERVICE_ID));
            assert_eq!(refused, Err(Refusal::Unauthorized));
        }
        let elsewhere = c.check(
            Needed::Service,
            Generation::V3,
            Some("Bearer stand-in-service-access-token"),
            Some("1"),
        );
        assert_eq!(elsewhere, Err(Refusal::UnknownService));
    }

    #[test]
    fn generation_2_tells_the_service_from_its_owner() {
        let c = Credentials::default();
        let service = basic_header(SERVICE_ID, "stand-in-service-api-secret");
        let owner = basic_header("620574138", "stand-in-service-owner-api-secret");
        let check = |needed, header: &str| c.check(needed, Generation::V2, Some(header), None);
        assert_eq!(check(Needed::Service, &service), Ok(()));
        assert_eq!(check(Needed::Service, &owner), Err(Refusal::Unauthorized));
        assert_eq!(check(Needed::ServiceOwner, &owner), Ok(()));
        assert_eq!(
            check(Needed::ServiceOwner, &service),
            Err(Refusal::Unauthorized)
        );
        assert_eq!(check(Needed::ServiceOwnerPreferred, &service), Ok(()));
        let wrong_secret = basic_header(SERVICE_ID, "guess");
        assert_eq!(
            check(Needed::Service, &wrong_secret),
            Err(Refusal::Unauthorized)
        );
    }
}
