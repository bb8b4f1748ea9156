//! Client authentication at the endpoints where clients authenticate as at the token
//! endpoint (RFC 6749 section 2.3): token, pushed authorization, backchannel
//! authentication, device authorization and revocation. One reader, so that all five read
//! the credentials alike, refuse the same mistakes with the same error, and challenge
//! alike.

use bytes::Bytes;
use http::{Request, StatusCode, header};

use super::{BadRequest, FlowSettings, Response, single_header, strip_scheme};
use crate::Secret;
use crate::flows::response::{self, ResponseExt as _};

/// How a client authenticated, or tried to: the first of these the request has, in this
/// order of precedence (see [`ClientAuthentication::read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuthMethod {
    /// `Authorization: Basic` (`client_secret_basic`, RFC 6749 section 2.3.1).
    Basic,
    /// `client_secret` in the form (`client_secret_post`).
    FormSecret,
    /// `client_assertion` in the form (`private_key_jwt`, `client_secret_jwt`; RFC 7523).
    Assertion,
    /// The `OAuth-Client-Attestation` and `OAuth-Client-Attestation-PoP` headers
    /// (OAuth 2.0 Attestation-Based Client Authentication).
    Attestation,
    /// Only a client certificate (`tls_client_auth`, `self_signed_tls_client_auth`;
    /// RFC 8705).
    Certificate,
    /// None of these: a public client naming itself with `client_id`, or no client at all.
    None,
}

/// What a request presents to authenticate its client, read once for every endpoint where
/// clients authenticate, to pass on to Authlete, which does the authentication itself.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientAuthentication {
    /// How the client authenticated (the first method by precedence).
    pub method: ClientAuthMethod,
    /// The client ID of `Authorization: Basic`.
    pub client_id: Option<String>,
    /// The client secret of `Authorization: Basic`.
    pub client_secret: Option<Secret>,
    /// The client certificate (PEM), from [`RequestExtras`](super::RequestExtras) or the
    /// proxy's header.
    pub client_certificate: Option<String>,
    /// Its chain (PEM each).
    pub client_certificate_chain: Vec<String>,
    /// The `OAuth-Client-Attestation` header.
    pub attestation: Option<String>,
    /// The `OAuth-Client-Attestation-PoP` header.
    pub attestation_pop: Option<String>,
}

/// Why a request's client authentication was refused before Authlete was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientAuthError {
    /// A header appears more than once, or is not text: `400 invalid_request`.
    #[error(transparent)]
    BadRequest(#[from] BadRequest),
    /// `Authorization` is not well-formed `Basic` credentials (bad base64, not UTF-8, no
    /// colon), or names another scheme: `401 invalid_client` with a `Basic` challenge, as
    /// RFC 6749 section 5.2 requires when the client used the `Authorization` header.
    #[error("{0}")]
    InvalidAuthorization(&'static str),
    /// The client ID of `Authorization: Basic` is not the form's `client_id`:
    /// `400 invalid_request`.
    #[error("the client_id parameter differs from the client ID of the Authorization header")]
    ClientIdMismatch,
    /// More than one of `Authorization: Basic`, `client_secret` and `client_assertion`
    /// (RFC 6749 section 2.3: a client must not use more than one method):
    /// `400 invalid_request`, as RFC 6749 section 5.2 says.
    #[error("more than one client authentication method: {0}")]
    MultipleMethods(&'static str),
    /// One of `OAuth-Client-Attestation` and `OAuth-Client-Attestation-PoP` without the
    /// other: `400 invalid_request`.
    #[error("OAuth-Client-Attestation and OAuth-Client-Attestation-PoP go together")]
    IncompleteAttestation,
}

impl ClientAuthError {
    /// The response: `401 invalid_client` with `WWW-Authenticate: Basic realm="<realm>"`
    /// for [`InvalidAuthorization`](Self::InvalidAuthorization), else what
    /// [`BadRequest::into_response`] gives or `400 invalid_request`.
    pub fn into_response(self, realm: &str) -> Response {
        let description = self.to_string();
        match self {
            ClientAuthError::BadRequest(bad) => bad.into_response(),
            ClientAuthError::InvalidAuthorization(_) => unauthorized(
                response::oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &description),
                realm,
            ),
            ClientAuthError::ClientIdMismatch
            | ClientAuthError::MultipleMethods(_)
            | ClientAuthError::IncompleteAttestation => {
                response::oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &description)
            }
        }
    }
}

/// The challenge of every `401` at an endpoint where clients authenticate:
/// `Basic realm="<realm>"`.
///
/// To a client that used `Authorization: Basic` it is the challenge RFC 6749 section 5.2
/// requires ("matching the authentication scheme used by the client"). To a client that
/// authenticated otherwise (form secret, assertion, attestation, certificate, none), a `401`
/// says which HTTP authentication schemes the endpoint supports (the same section), and
/// Basic is the only one OAuth client authentication has; RFC 9110 section 15.5.2 wants
/// every `401` to carry at least one challenge.
pub fn challenge(realm: &str) -> String {
    let realm: String = realm
        .chars()
        .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
        .collect();
    format!("Basic realm=\"{realm}\"")
}

/// `response` with the [`challenge`] of `realm`.
pub fn unauthorized(response: Response, realm: &str) -> Response {
    response.with_www_authenticate(Some(&challenge(realm)))
}

impl ClientAuthentication {
    /// Reads the client authentication of a request whose form `parameters` have been
    /// read (with [`form_parameters`](super::form_parameters), which has refused repeated
    /// parameters).
    ///
    /// Order of precedence, and the one error per problem:
    ///
    /// 1. `Authorization`: absent, or one well-formed `Basic` credential. Repeated: `400`
    ///    ([`BadRequest::InvalidHeader`]). Another scheme, or Basic that does not decode:
    ///    `401 invalid_client` ([`ClientAuthError::InvalidAuthorization`]).
    /// 2. `client_secret` in the form (an empty value counts as absent).
    /// 3. `client_assertion` in the form. More than one of 1 to 3:
    ///    [`ClientAuthError::MultipleMethods`].
    /// 4. `OAuth-Client-Attestation` with `OAuth-Client-Attestation-PoP`, each at most once
    ///    (`400` if repeated), both or neither ([`ClientAuthError::IncompleteAttestation`]).
    ///    They may come with 1 to 3: Authlete decides whether the client may combine them.
    /// 5. The client certificate, from [`RequestExtras`](super::RequestExtras) or else the
    ///    headers [`FlowSettings::proxy`] names. It is always passed on: a client
    ///    authenticating otherwise may still bind its tokens to it (RFC 8705 section 3).
    ///
    /// [`method`](Self::method) is the first present. Then, when both the Basic client ID
    /// and the form's `client_id` are given, they must be equal
    /// ([`ClientAuthError::ClientIdMismatch`]).
    ///
    /// ```
    /// use authlete::flows::FlowSettings;
    /// use authlete::flows::request::{ClientAuthMethod, ClientAuthentication};
    ///
    /// // "app:s3cret", base64.
    /// let request = http::Request::post("/token")
    ///     .header("authorization", "Basic YXBwOnMzY3JldA==")
    ///     .body(bytes::Bytes::new())?;
    /// let settings = FlowSettings::default();
    /// let read = ClientAuthentication::read(&request, "grant_type=x&client_id=app", &settings)?;
    /// assert_eq!(read.method, ClientAuthMethod::Basic);
    /// assert_eq!(read.client_id.as_deref(), Some("app"));
    ///
    /// // A form client_id that is not the Basic one is refused.
    /// let error = ClientAuthentication::read(&request, "client_id=other", &settings).unwrap_err();
    /// assert_eq!(error.into_response("token").status(), 400);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(
        request: &Request<Bytes>,
        parameters: &str,
        settings: &FlowSettings,
    ) -> Result<Self, ClientAuthError> {
        let headers = request.headers();
        let basic = match single_header(headers, header::AUTHORIZATION, "Authorization")? {
            None => None,
            Some(value) => Some(decode_basic(value)?),
        };
        let mut form_client_id = None;
        let mut form_secret = false;
        let mut assertion = false;
        for (name, value) in form_urlencoded::parse(parameters.as_bytes()) {
            if value.is_empty() {
                continue;
            }
            match name.as_ref() {
                "client_id" => form_client_id = Some(value.into_owned()),
                "client_secret" => form_secret = true,
                "client_assertion" => assertion = true,
                _ => {}
            }
        }
        match (basic.is_some(), form_secret, assertion) {
            (true, true, _) => {
                return Err(ClientAuthError::MultipleMethods(
                    "Authorization: Basic and client_secret",
                ));
            }
            (true, _, true) => {
                return Err(ClientAuthError::MultipleMethods(
                    "Authorization: Basic and client_assertion",
                ));
            }
            (_, true, true) => {
                return Err(ClientAuthError::MultipleMethods(
                    "client_secret and client_assertion",
                ));
            }
            _ => {}
        }
        let (attestation, attestation_pop) = super::client_attestation(headers)?;
        if attestation.is_some() != attestation_pop.is_some() {
            return Err(ClientAuthError::IncompleteAttestation);
        }
        if let (Some((id, _)), Some(form_id)) = (&basic, &form_client_id)
            && id != form_id
        {
            return Err(ClientAuthError::ClientIdMismatch);
        }
        let (client_certificate, client_certificate_chain) =
            super::client_certificate(request, settings)
                .map_or((None, Vec::new()), |(c, chain)| (Some(c), chain));
        let method = if basic.is_some() {
            ClientAuthMethod::Basic
        } else if form_secret {
            ClientAuthMethod::FormSecret
        } else if assertion {
            ClientAuthMethod::Assertion
        } else if attestation.is_some() {
            ClientAuthMethod::Attestation
        } else if client_certificate.is_some() {
            ClientAuthMethod::Certificate
        } else {
            ClientAuthMethod::None
        };
        let (client_id, client_secret) = basic.map_or((None, None), |(id, s)| (Some(id), Some(s)));
        Ok(Self {
            method,
            client_id,
            client_secret,
            client_certificate,
            client_certificate_chain,
            attestation,
            attestation_pop,
        })
    }
}

/// The client ID and secret of an `Authorization` header that must be Basic.
fn decode_basic(value: &str) -> Result<(String, Secret), ClientAuthError> {
    let encoded = strip_scheme(value, "Basic").ok_or(ClientAuthError::InvalidAuthorization(
        "the Authorization header must use the Basic scheme",
    ))?;
    super::decode_basic(encoded).ok_or(ClientAuthError::InvalidAuthorization(
        "malformed Basic credentials",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::request::RequestExtras;

    fn read(headers: &[(&str, &str)], form: &str, certificate: bool) -> ClientAuthentication {
        let mut request = Request::post("/token");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(Bytes::new()).unwrap();
        if certificate {
            request
                .extensions_mut()
                .insert(RequestExtras::with_client_certificate("PEM", Vec::new()));
        }
        ClientAuthentication::read(&request, form, &FlowSettings::default()).unwrap()
    }

    #[test]
    fn the_method_is_the_first_by_precedence() {
        let basic = ("authorization", "Basic YXBwOnMzY3JldA==");
        let attestation = [
            ("oauth-client-attestation", "a"),
            ("oauth-client-attestation-pop", "p"),
        ];
        let all = [basic, attestation[0], attestation[1]];
        assert_eq!(read(&all, "", true).method, ClientAuthMethod::Basic);
        let read_all = read(&all, "client_id=app", true);
        assert_eq!(read_all.client_certificate.as_deref(), Some("PEM"));
        assert_eq!(read_all.attestation.as_deref(), Some("a"));
        assert_eq!(
            read(&attestation, "client_secret=s", true).method,
            ClientAuthMethod::FormSecret
        );
        assert_eq!(
            read(&attestation, "client_assertion=a.b.c", true).method,
            ClientAuthMethod::Assertion
        );
        assert_eq!(
            read(&attestation, "client_id=app", true).method,
            ClientAuthMethod::Attestation
        );
        assert_eq!(
            read(&[], "client_id=app", true).method,
            ClientAuthMethod::Certificate
        );
        // Empty values count as absent (RFC 6749 section 3.1).
        assert_eq!(
            read(&[], "client_id=app&client_secret=", false).method,
            ClientAuthMethod::None
        );
        let mixed = read(&[basic], "client_id=&client_secret=", false);
        assert_eq!(mixed.method, ClientAuthMethod::Basic);
        assert_eq!(mixed.client_secret.unwrap().expose_secret(), "s3cret");
    }

    #[test]
    fn challenges_are_basic_with_a_clean_realm() {
        assert_eq!(challenge("token"), "Basic realm=\"token\"");
        assert_eq!(challenge("a\"b\\c\n"), "Basic realm=\"abc\"");
        let response = ClientAuthError::InvalidAuthorization("x").into_response("par");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Basic realm=\"par\""
        );
    }
}
