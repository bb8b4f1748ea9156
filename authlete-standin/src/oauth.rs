//! The authorization endpoint (with PAR, and its tickets), discovery and the JWK Set.

use authlete::Secret;
use authlete::types::{
    AuthorizationFailRequest, AuthorizationFailRequestReason as FailReason,
    AuthorizationFailResponse, AuthorizationFailResponseAction, AuthorizationIssueRequest,
    AuthorizationIssueResponse, AuthorizationIssueResponseAction, AuthorizationRequest,
    AuthorizationResponse, AuthorizationResponseAction, AuthorizationTicketInfo,
    AuthorizationTicketInfoRequest, AuthorizationTicketInfoResponse,
    AuthorizationTicketInfoResponseAction, AuthorizationTicketUpdateRequest,
    AuthorizationTicketUpdateResponse, AuthorizationTicketUpdateResponseAction, GrantType, Prompt,
    PushedAuthorizationRequest, PushedAuthorizationResponse, PushedAuthorizationResponseAction,
    ResponseType,
};
use serde_json::json;

use super::dpop::Failure;
use super::json;
use super::params::Params;
use super::request_object;
use super::state::{
    CIBA_GRANT, CODE_LIFETIME, Challenge, Code, DEVICE_GRANT, Grant, PUSHED_LIFETIME,
    PendingAuthorization, Pushed, SCOPES, State, TOKEN_EXCHANGE_GRANT, claims_object, claims_of,
    oauth_error, random_token, scope_details, with_query,
};
use super::token::is_pkce_string;
use super::wire::{Answer, Request};

// ---------------------------------------------------------------------------------------
// The authorization endpoint and PAR

/// An authorization request the stand-in accepts.
struct Checked {
    redirect_uri: String,
    redirect_uri_given: bool,
    state: Option<String>,
    scopes: Vec<String>,
    code_challenge: Option<Challenge>,
}

/// Why an authorization request is refused: an OAuth error, and where it goes.
struct Refused {
    error: &'static str,
    description: String,
    /// The redirect URI to report it at, with the client's `state`, once the redirect URI
    /// is known to be the client's; otherwise the user agent is told (`BAD_REQUEST`).
    redirect: Option<(String, Option<String>)>,
}

/// Checks the authorization request `params` of the client `client_id` as Authlete does,
/// at the authorization endpoint and at the PAR endpoint.
fn check(state: &State, client_id: i64, params: &Params) -> Result<Checked, Refused> {
    let refuse = |error, description: &str| Refused {
        error,
        description: description.to_owned(),
        redirect: None,
    };
    params
        .check_repeated()
        .map_err(|description| refuse("invalid_request", &description))?;
    let client = state.client_by_number(client_id);
    let registered = client.map_or(&[][..], |c| c.redirect_uris.as_slice());
    // Compared as strings, exactly (RFC 9700 section 4.1.3).
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if registered.iter().any(|r| r == uri) => uri.to_owned(),
        None if registered.len() == 1 => registered[0].clone(),
        Some(_) => {
            return Err(refuse(
                "invalid_request",
                "The redirect_uri is not registered for the client.",
            ));
        }
        None => {
            return Err(refuse(
                "invalid_request",
                "The redirect_uri is missing: the client has several.",
            ));
        }
    };
    // From here on, errors go back to the client, at its redirect URI.
    let client_state = params.get("state").map(str::to_owned);
    let redirect = |error, description: &str| Refused {
        error,
        description: description.to_owned(),
        redirect: Some((redirect_uri.clone(), client_state.clone())),
    };
    let Some(response_type) = params.get("response_type") else {
        return Err(redirect("invalid_request", "The response_type is missing."));
    };
    let Some(response_type) = parse_response_type(response_type) else {
        return Err(redirect(
            "unsupported_response_type",
            "The response_type is not one OAuth defines.",
        ));
    };
    // A client without registered response types has `code` (Authlete's default).
    let types = client.map_or(&[][..], |c| c.response_types.as_slice());
    let registered_type = if types.is_empty() {
        response_type == ResponseType::Code
    } else {
        types.contains(&response_type)
    };
    let needed_grant = match response_type {
        ResponseType::Code => GrantType::AuthorizationCode,
        _ => GrantType::Implicit,
    };
    if !registered_type || !state.allows(client_id, needed_grant) {
        return Err(redirect(
            "unauthorized_client",
            "The client has not registered this response_type.",
        ));
    }
    if response_type != ResponseType::Code {
        return Err(redirect(
            "unsupported_response_type",
            "The stand-in supports response_type=code only.",
        ));
    }
    let scopes = params
        .scopes(&SCOPES)
        .map_err(|description| redirect("invalid_scope", &description))?;
    let code_challenge = pkce(state, client, params).map_err(|d| redirect("invalid_request", d))?;
    Ok(Checked {
        redirect_uri,
        redirect_uri_given: params.get("redirect_uri").is_some(),
        state: client_state,
        scopes,
        code_challenge,
    })
}

/// The response type `value` names (its words in any order).
fn parse_response_type(value: &str) -> Option<ResponseType> {
    let mut words: Vec<&str> = value.split(' ').collect();
    words.sort_unstable();
    Some(match words[..] {
        ["none"] => ResponseType::None,
        ["code"] => ResponseType::Code,
        ["token"] => ResponseType::Token,
        ["id_token"] => ResponseType::IdToken,
        ["code", "token"] => ResponseType::CodeToken,
        ["code", "id_token"] => ResponseType::CodeIdToken,
        ["id_token", "token"] => ResponseType::IdTokenToken,
        ["code", "id_token", "token"] => ResponseType::CodeIdTokenToken,
        _ => return None,
    })
}

/// The request's PKCE challenge (RFC 7636), or why it is refused: required when the
/// service or the client says so, `S256` only when they say so.
fn pkce(
    state: &State,
    client: Option<&authlete::types::Client>,
    params: &Params,
) -> Result<Option<Challenge>, &'static str> {
    let required = state.pkce_required || client.is_some_and(|c| c.pkce_required == Some(true));
    let s256_required =
        state.pkce_s256_required || client.is_some_and(|c| c.pkce_s256_required == Some(true));
    let Some(value) = params.get("code_challenge") else {
        if required {
            return Err("PKCE is required: the code_challenge is missing.");
        }
        return Ok(None);
    };
    let s256 = match params.get("code_challenge_method") {
        Some("S256") => true,
        None | Some("plain") if s256_required => {
            return Err("The code_challenge_method must be S256.");
        }
        None | Some("plain") => false,
        Some(_) => return Err("The code_challenge_method must be S256 or plain."),
    };
    if !is_pkce_string(value) {
        return Err("The code_challenge must be 43 to 128 unreserved characters.");
    }
    Ok(Some(Challenge {
        value: value.to_owned(),
        s256,
    }))
}

/// The refusal of a request that does not say which client sends it, or whose redirect
/// URI is not the client's.
fn bad_request(error: &str, description: &str) -> AuthorizationResponse {
    AuthorizationResponse {
        action: Some(AuthorizationResponseAction::BadRequest),
        response_content: Some(oauth_error(error, description)),
        ..Default::default()
    }
}

pub(super) fn authorization(
    state: &mut State,
    request: AuthorizationRequest,
) -> AuthorizationResponse {
    state.prune();
    let mut params = Params::parse(&request.parameters);
    if let Err(description) = params.check_repeated() {
        return bad_request("invalid_request", &description);
    }
    let client = params.get("client_id").and_then(|id| state.client(id));
    let Some((client_id, client)) = client.and_then(|c| Some((c.client_id?, c.clone()))) else {
        return bad_request("invalid_request", "The client_id is missing or unknown.");
    };
    let mut dpop_jkt = params.get("dpop_jkt").map(str::to_owned);
    if let Some(uri) = params.get("request_uri").map(str::to_owned) {
        // A pushed request is used once (RFC 9126 section 4).
        match state.pushed.remove(&uri) {
            Some(pushed) if pushed.client_id == client_id && pushed.expires > state.now() => {
                params = pushed.params;
                dpop_jkt = pushed.dpop_jkt.or(dpop_jkt);
            }
            _ => {
                return bad_request(
                    "invalid_request_uri",
                    "The request_uri is unknown, used, expired or for another client.",
                );
            }
        }
    } else if state.par_required || client.par_required == Some(true) {
        // RFC 9126 section 5: the service or the client requires PAR.
        return bad_request(
            "invalid_request",
            "The authorization request lacks a request_uri from the PAR endpoint, \
             which the service or the client requires.",
        );
    } else {
        let signature_required = state.signed_request_object_required;
        match request_object::open(&params, &client, signature_required) {
            Ok(opened) => params = opened,
            Err(description) => return bad_request("invalid_request_object", &description),
        }
    }
    let checked = match check(state, client_id, &params) {
        Ok(checked) => checked,
        Err(Refused {
            error,
            description,
            redirect: None,
        }) => return bad_request(error, &description),
        Err(Refused {
            error,
            description,
            redirect: Some((uri, client_state)),
        }) => {
            let location = error_location(
                &uri,
                error,
                &description,
                client_state.as_deref(),
                &state.issuer,
            );
            return AuthorizationResponse {
                action: Some(AuthorizationResponseAction::Location),
                response_content: Some(location),
                ..Default::default()
            };
        }
    };
    let prompts: Vec<Prompt> = params
        .get("prompt")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|prompt| match prompt {
            "none" => Some(Prompt::None),
            "login" => Some(Prompt::Login),
            "consent" => Some(Prompt::Consent),
            "select_account" => Some(Prompt::SelectAccount),
            "create" => Some(Prompt::Create),
            _ => None,
        })
        .collect();
    let scopes = checked.scopes.clone();
    let pending = PendingAuthorization {
        client_id,
        redirect_uri: checked.redirect_uri,
        redirect_uri_given: checked.redirect_uri_given,
        state: checked.state,
        scopes: checked.scopes,
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge: checked.code_challenge,
        dpop_jkt,
        context: None,
        expires: state.now() + CODE_LIFETIME,
    };
    let ticket = random_token();
    state.tickets.insert(ticket.clone(), pending);
    AuthorizationResponse {
        action: Some(if prompts.contains(&Prompt::None) {
            AuthorizationResponseAction::NoInteraction
        } else {
            AuthorizationResponseAction::Interaction
        }),
        ticket: Some(ticket),
        client: Some(state.client_limited(client_id)),
        scopes: scope_details(&scopes),
        claims: claims_of(&scopes),
        prompts,
        login_hint: params.get("login_hint").map(str::to_owned),
        max_age: params.get("max_age").and_then(|m| m.parse().ok()),
        result_code: Some("A004001".into()),
        result_message: Some("[A004001] The authorization request is valid.".into()),
        ..Default::default()
    }
}

pub(super) fn authorization_issue(
    state: &mut State,
    request: AuthorizationIssueRequest,
) -> AuthorizationIssueResponse {
    state.prune();
    let Some(pending) = state.tickets.remove(&request.ticket) else {
        let content = oauth_error("invalid_request", "The ticket is unknown, used or expired.");
        return AuthorizationIssueResponse {
            action: Some(AuthorizationIssueResponseAction::BadRequest),
            response_content: Some(Secret::new(content)),
            ..Default::default()
        };
    };
    let scopes = granted_scopes(&pending.scopes, request.scopes);
    let mut grant = Grant::new(pending.client_id, Some(request.subject), scopes);
    grant.claims = claims_object(request.claims.as_deref());
    grant.auth_time = request.auth_time;
    grant.nonce = pending.nonce;
    grant.redirect_uri = (pending.redirect_uri_given).then(|| pending.redirect_uri.clone());
    grant.code_challenge = pending.code_challenge;
    grant.dpop_jkt = pending.dpop_jkt;
    let code = random_token();
    let entry = Code {
        grant,
        expires: state.now() + CODE_LIFETIME,
        used: false,
    };
    state.codes.insert(code.clone(), entry);
    let mut query = vec![("code", code.as_str())];
    if let Some(client_state) = &pending.state {
        query.push(("state", client_state));
    }
    query.push(("iss", &state.issuer));
    AuthorizationIssueResponse {
        action: Some(AuthorizationIssueResponseAction::Location),
        response_content: Some(Secret::new(with_query(&pending.redirect_uri, &query))),
        authorization_code: Some(Secret::new(code.clone())),
        result_code: Some("A040001".into()),
        result_message: Some("[A040001] The authorization request was processed.".into()),
        ..Default::default()
    }
}

/// What the application keeps with a ticket, while the user logs in and consents.
pub(super) fn ticket_info(
    state: &mut State,
    request: AuthorizationTicketInfoRequest,
) -> AuthorizationTicketInfoResponse {
    use AuthorizationTicketInfoResponseAction as Action;
    state.prune();
    let Some(pending) = state.tickets.get(&request.ticket) else {
        return AuthorizationTicketInfoResponse {
            action: Some(Action::NotFound),
            result_code: Some("A000004".into()),
            result_message: Some("[A000004] The ticket is unknown, used or expired.".into()),
            ..Default::default()
        };
    };
    AuthorizationTicketInfoResponse {
        action: Some(Action::Ok),
        info: Some(AuthorizationTicketInfo {
            context: pending.context.clone(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub(super) fn ticket_update(
    state: &mut State,
    request: AuthorizationTicketUpdateRequest,
) -> AuthorizationTicketUpdateResponse {
    use AuthorizationTicketUpdateResponseAction as Action;
    state.prune();
    let Some(pending) = state.tickets.get_mut(&request.ticket) else {
        return AuthorizationTicketUpdateResponse {
            action: Some(Action::NotFound),
            result_code: Some("A000004".into()),
            result_message: Some("[A000004] The ticket is unknown, used or expired.".into()),
            ..Default::default()
        };
    };
    pending.context = request.info.context.clone();
    AuthorizationTicketUpdateResponse {
        action: Some(Action::Ok),
        info: Some(request.info),
        ..Default::default()
    }
}

/// The scopes the user granted: those requested, or the subset the application names.
pub(super) fn granted_scopes(requested: &[String], granted: Vec<String>) -> Vec<String> {
    if granted.is_empty() {
        return requested.to_vec();
    }
    granted
        .into_iter()
        .filter(|s| requested.contains(s))
        .collect()
}

pub(super) fn authorization_fail(
    state: &mut State,
    request: AuthorizationFailRequest,
) -> AuthorizationFailResponse {
    let Some(pending) = state.tickets.remove(&request.ticket) else {
        let content = oauth_error("invalid_request", "The ticket is unknown, used or expired.");
        return AuthorizationFailResponse {
            action: Some(AuthorizationFailResponseAction::BadRequest),
            response_content: Some(content),
            ..Default::default()
        };
    };
    let (error, description) = match request.reason {
        FailReason::NotLoggedIn | FailReason::ExceedsMaxAge | FailReason::DifferentSubject => {
            ("login_required", "The end-user must log in.")
        }
        FailReason::AcrNotSatisfied => ("login_required", "The required ACR is not satisfied."),
        FailReason::ConsentRequired => ("consent_required", "The end-user must consent."),
        FailReason::InteractionRequired => ("interaction_required", "The end-user must interact."),
        FailReason::NotAuthenticated => ("access_denied", "The end-user was not authenticated."),
        FailReason::ServerError => ("server_error", "The server failed."),
        _ => ("access_denied", "The end-user denied the request."),
    };
    let description = request.description.as_deref().unwrap_or(description);
    AuthorizationFailResponse {
        action: Some(AuthorizationFailResponseAction::Location),
        response_content: Some(error_location(
            &pending.redirect_uri,
            error,
            description,
            pending.state.as_deref(),
            &state.issuer,
        )),
        ..Default::default()
    }
}

/// The redirect that reports `error` to the client.
fn error_location(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
    issuer: &str,
) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", issuer));
    with_query(redirect_uri, &pairs)
}

pub(super) fn pushed_request(
    state: &mut State,
    request: PushedAuthorizationRequest,
) -> PushedAuthorizationResponse {
    use PushedAuthorizationResponseAction as Action;
    state.prune();
    let params = Params::parse(request.parameters.expose_secret());
    let nonce = state.current_dpop_nonce();
    let refuse = |action, error: &str, description: &str| PushedAuthorizationResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description)),
        dpop_nonce: nonce.clone(),
        ..Default::default()
    };
    if let Err(description) = params.check_repeated() {
        return refuse(Action::BadRequest, "invalid_request", &description);
    }
    let id = request.client_id.as_deref();
    let Some(client_id) = state.authenticate(id, request.client_secret.as_ref(), &params) else {
        return refuse(
            Action::Unauthorized,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    let Some(client) = state.client_by_number(client_id).cloned() else {
        return refuse(
            Action::Unauthorized,
            "invalid_client",
            "The client is unknown.",
        );
    };
    if params.get("request_uri").is_some() {
        return refuse(
            Action::BadRequest,
            "invalid_request",
            "A pushed request cannot contain request_uri.",
        );
    }
    // A proof at the PAR endpoint binds the authorization code to its key (RFC 9449
    // section 10).
    let mut dpop_jkt = params.get("dpop_jkt").map(str::to_owned);
    if let Some(proof) = request.dpop.as_deref() {
        let htu = (request.htu.clone()).unwrap_or_else(|| format!("{}/par", state.issuer));
        let htm = request.htm.as_deref().unwrap_or("POST");
        let nonce_required = request.dpop_nonce_required == Some(true);
        match state.verify_dpop(proof, htm, &htu, None, nonce_required) {
            Ok(jkt) if dpop_jkt.as_ref().is_none_or(|given| *given == jkt) => {
                dpop_jkt = Some(jkt);
            }
            Ok(_) => {
                let description = "The dpop_jkt is not the thumbprint of the proof's key.";
                return refuse(Action::BadRequest, "invalid_dpop_proof", description);
            }
            Err(Failure::UseNonce) => {
                let mut refused = refuse(
                    Action::BadRequest,
                    "use_dpop_nonce",
                    "A DPoP nonce is required.",
                );
                refused.dpop_nonce = Some(state.dpop_nonces.current(state.now()));
                return refused;
            }
            Err(Failure::Invalid(description)) => {
                return refuse(Action::BadRequest, "invalid_dpop_proof", &description);
            }
        }
    }
    let signature_required = state.signed_request_object_required;
    let mut params = match request_object::open(&params, &client, signature_required) {
        Ok(opened) => opened,
        Err(description) => {
            return refuse(Action::BadRequest, "invalid_request_object", &description);
        }
    };
    if let Err(refused) = check(state, client_id, &params) {
        return refuse(Action::BadRequest, refused.error, &refused.description);
    }
    params.remove("client_secret");
    params.insert("client_id", client_id.to_string());
    let request_uri = format!("urn:ietf:params:oauth:request_uri:{}", random_token());
    let pushed = Pushed {
        params,
        client_id,
        dpop_jkt,
        expires: state.now() + PUSHED_LIFETIME,
    };
    state.pushed.insert(request_uri.clone(), pushed);
    let content = json!({"request_uri": request_uri, "expires_in": PUSHED_LIFETIME});
    PushedAuthorizationResponse {
        action: Some(Action::Created),
        response_content: Some(content.to_string()),
        request_uri: Some(request_uri),
        dpop_nonce: nonce,
        result_code: Some("A245001".into()),
        result_message: Some("[A245001] The pushed authorization request was registered.".into()),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// Discovery and the JWK Set

pub(super) fn configuration(state: &mut State, _: &Request) -> Answer {
    let base = &state.issuer;
    let metadata = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/jwks"),
        "introspection_endpoint": format!("{base}/introspect"),
        "revocation_endpoint": format!("{base}/revoke"),
        "pushed_authorization_request_endpoint": format!("{base}/par"),
        "backchannel_authentication_endpoint": format!("{base}/bc-authorize"),
        "device_authorization_endpoint": format!("{base}/device_authorization"),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials",
            "password", CIBA_GRANT, DEVICE_GRANT, TOKEN_EXCHANGE_GRANT],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": if state.pkce_s256_required {
            json!(["S256"])
        } else {
            json!(["S256", "plain"])
        },
        "dpop_signing_alg_values_supported": ["ES256"],
        "tls_client_certificate_bound_access_tokens": true,
        "claims_supported": ["sub", "name", "given_name", "family_name", "preferred_username",
            "email", "email_verified", "phone_number", "phone_number_verified"],
        "backchannel_token_delivery_modes_supported": ["poll", "ping", "push"],
        "backchannel_user_code_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": true,
        "request_object_signing_alg_values_supported": if state.signed_request_object_required {
            json!(["ES256"])
        } else {
            json!(["ES256", "none"])
        },
        "request_uri_parameter_supported": true,
        "require_pushed_authorization_requests": state.par_required,
    });
    json(200, &metadata)
}

pub(super) fn jwks(state: &mut State, _: &Request) -> Answer {
    json(200, &json!({"keys": [state.key.public_jwk]}))
}
