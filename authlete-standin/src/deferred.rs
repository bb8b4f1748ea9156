//! CIBA (poll, ping and push modes) and the device flow: the user decides elsewhere while
//! the client polls the token endpoint (answered in `token.rs`), or, in ping and push modes,
//! the application notifies the client with what `/backchannel/authentication/complete`
//! hands back.

use authlete::Secret;
use authlete::types::{
    BackchannelAuthenticationCompleteRequest,
    BackchannelAuthenticationCompleteRequestResult as CibaResult,
    BackchannelAuthenticationCompleteResponse, BackchannelAuthenticationCompleteResponseAction,
    BackchannelAuthenticationFailRequest, BackchannelAuthenticationFailRequestReason as CibaReason,
    BackchannelAuthenticationFailResponse, BackchannelAuthenticationFailResponseAction,
    BackchannelAuthenticationIssueRequest, BackchannelAuthenticationIssueResponse,
    BackchannelAuthenticationIssueResponseAction, BackchannelAuthenticationRequest,
    BackchannelAuthenticationResponse, BackchannelAuthenticationResponseAction, DeliveryMode,
    DeviceAuthorizationRequest, DeviceAuthorizationResponse, DeviceAuthorizationResponseAction,
    DeviceCompleteRequest, DeviceCompleteRequestResult as DeviceResult, DeviceCompleteResponse,
    DeviceCompleteResponseAction, DeviceVerificationRequest, DeviceVerificationResponse,
    DeviceVerificationResponseAction,
};
use serde_json::json;

use super::oauth::granted_scopes;
use super::params::Params;
use super::state::{
    BackchannelTicket, DEFERRED_LIFETIME, Deferred, Delivery, Grant, SCOPES, State, Status,
    claims_object, claims_of, oauth_error, random_token, scope_details, user_code,
};
use super::token::new_refresh_token;

// ---------------------------------------------------------------------------------------
// CIBA

/// The claim of a push mode ID token naming the request it answers (CIBA Core section
/// 10.3.1).
const AUTH_REQ_ID_CLAIM: &str = "urn:openid:params:jwt:claim:auth_req_id";

/// How the client `client_id` receives CIBA results, as it registered
/// (`bcDeliveryMode`, poll when absent), with the request's `client_notification_token`;
/// or why the request is refused.
fn delivery(state: &State, client_id: i64, params: &Params) -> Result<Delivery, &'static str> {
    let client = state.client_by_number(client_id);
    let mode = client.and_then(|c| c.bc_delivery_mode.as_deref());
    let mode = mode.unwrap_or("poll").to_ascii_lowercase();
    if mode == "poll" {
        return Ok(Delivery::Poll);
    }
    let endpoint = client.and_then(|c| c.bc_notification_endpoint.clone());
    let Some(endpoint) = endpoint.filter(|e| !e.is_empty()) else {
        return Err("The client has not registered a backchannel notification endpoint.");
    };
    // CIBA Core section 7.1: required of ping and push clients.
    let Some(token) = params
        .get("client_notification_token")
        .filter(|t| !t.is_empty())
    else {
        return Err("The client_notification_token is required in ping and push modes.");
    };
    let token = Secret::new(token.to_owned());
    match mode.as_str() {
        "ping" => Ok(Delivery::Ping { endpoint, token }),
        "push" => Ok(Delivery::Push { endpoint, token }),
        _ => Err("The client has registered an unknown backchannel delivery mode."),
    }
}

fn delivery_mode(delivery: &Delivery) -> DeliveryMode {
    match delivery {
        Delivery::Poll => DeliveryMode::Poll,
        Delivery::Ping { .. } => DeliveryMode::Ping,
        Delivery::Push { .. } => DeliveryMode::Push,
    }
}

pub(super) fn backchannel(
    state: &mut State,
    request: BackchannelAuthenticationRequest,
) -> BackchannelAuthenticationResponse {
    use BackchannelAuthenticationResponseAction as Action;
    state.prune();
    let params = Params::parse(request.parameters.expose_secret());
    let refuse = |action, error: &str, description: &str| BackchannelAuthenticationResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description)),
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
    let scopes = match params.scopes(&SCOPES) {
        Ok(scopes) if scopes.iter().any(|s| s == "openid") => scopes,
        Ok(_) => {
            let description = "A backchannel authentication request must include openid.";
            return refuse(Action::BadRequest, "invalid_scope", description);
        }
        Err(description) => return refuse(Action::BadRequest, "invalid_scope", &description),
    };
    let hints: Vec<(&str, &str)> = ["login_hint", "login_hint_token", "id_token_hint"]
        .into_iter()
        .filter_map(|name| params.get(name).map(|value| (name, value)))
        .collect();
    let [(hint_name, hint)] = hints[..] else {
        return refuse(
            Action::BadRequest,
            "invalid_request",
            "Exactly one of login_hint, login_hint_token and id_token_hint is required.",
        );
    };
    // The subject of an ID token hint, which must be one of this service's ID tokens.
    let sub = match hint_name {
        "id_token_hint" => match state.id_tokens.get(hint) {
            Some((sub, _)) => Some(sub.clone()),
            None => {
                return refuse(
                    Action::BadRequest,
                    "invalid_request",
                    "The id_token_hint is not an ID token of this service.",
                );
            }
        },
        _ => None,
    };
    let delivery = match delivery(state, client_id, &params) {
        Ok(delivery) => delivery,
        Err(description) => return refuse(Action::BadRequest, "invalid_request", description),
    };
    let mode = delivery_mode(&delivery);
    let notification_token = match &delivery {
        Delivery::Poll => None,
        Delivery::Ping { token, .. } | Delivery::Push { token, .. } => Some(token.clone()),
    };
    let ticket = random_token();
    let waiting = BackchannelTicket {
        client_id,
        scopes: scopes.clone(),
        delivery,
        expires: state.now() + DEFERRED_LIFETIME,
    };
    state.backchannel_tickets.insert(ticket.clone(), waiting);
    let client = state.client_limited(client_id);
    BackchannelAuthenticationResponse {
        action: Some(Action::UserIdentification),
        ticket: Some(ticket),
        hint_type: Some(hint_name.to_ascii_uppercase()),
        hint: Some(hint.to_owned()),
        sub,
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        client_name: client.client_name,
        scopes: scope_details(&scopes),
        claim_names: claims_of(&scopes),
        binding_message: params.get("binding_message").map(str::to_owned),
        user_code: params.get("user_code").map(str::to_owned),
        user_code_required: Some(false),
        delivery_mode: Some(mode),
        client_notification_token: notification_token,
        requested_expiry: params.get("requested_expiry").and_then(|e| e.parse().ok()),
        ..Default::default()
    }
}

pub(super) fn backchannel_issue(
    state: &mut State,
    request: BackchannelAuthenticationIssueRequest,
) -> BackchannelAuthenticationIssueResponse {
    use BackchannelAuthenticationIssueResponseAction as Action;
    state.prune();
    let Some(BackchannelTicket {
        client_id,
        scopes,
        delivery,
        ..
    }) = state.backchannel_tickets.remove(&request.ticket)
    else {
        return BackchannelAuthenticationIssueResponse {
            action: Some(Action::InvalidTicket),
            ..Default::default()
        };
    };
    let auth_req_id = random_token();
    // A push client does not poll: no interval for it (CIBA Core section 7.3).
    let interval = (!matches!(delivery, Delivery::Push { .. })).then_some(state.polling_interval);
    let deferred = Deferred {
        client_id,
        handle: request.ticket,
        scopes,
        status: Status::Pending,
        expires: state.now() + DEFERRED_LIFETIME,
        interval: i64::from(state.polling_interval),
        last_poll: None,
        delivery,
    };
    state.backchannel.insert(auth_req_id.clone(), deferred);
    let mut content = json!({
        "auth_req_id": auth_req_id,
        "expires_in": DEFERRED_LIFETIME,
    });
    if let Some(interval) = interval {
        content["interval"] = json!(interval);
    }
    BackchannelAuthenticationIssueResponse {
        action: Some(Action::Ok),
        response_content: Some(content.to_string()),
        auth_req_id: Some(auth_req_id),
        expires_in: Some(DEFERRED_LIFETIME as i32),
        interval,
        ..Default::default()
    }
}

pub(super) fn backchannel_fail(
    state: &mut State,
    request: BackchannelAuthenticationFailRequest,
) -> BackchannelAuthenticationFailResponse {
    use BackchannelAuthenticationFailResponseAction as Action;
    state.backchannel_tickets.remove(&request.ticket);
    let (action, error) = match request.reason {
        CibaReason::UnknownUserId => (Action::BadRequest, "unknown_user_id"),
        CibaReason::ExpiredLoginHintToken => (Action::BadRequest, "expired_login_hint_token"),
        CibaReason::MissingUserCode => (Action::BadRequest, "missing_user_code"),
        CibaReason::InvalidUserCode => (Action::BadRequest, "invalid_user_code"),
        CibaReason::InvalidBindingMessage => (Action::BadRequest, "invalid_binding_message"),
        CibaReason::InvalidTarget => (Action::BadRequest, "invalid_target"),
        CibaReason::UnauthorizedClient => (Action::BadRequest, "unauthorized_client"),
        CibaReason::AccessDenied => (Action::Forbidden, "access_denied"),
        _ => (Action::InternalServerError, "server_error"),
    };
    let description = request
        .error_description
        .unwrap_or_else(|| "The backchannel authentication request was refused.".into());
    BackchannelAuthenticationFailResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, &description)),
        ..Default::default()
    }
}

pub(super) fn backchannel_complete(
    state: &mut State,
    request: BackchannelAuthenticationCompleteRequest,
) -> BackchannelAuthenticationCompleteResponse {
    use BackchannelAuthenticationCompleteResponseAction as Action;
    let now = state.now();
    let found = state.backchannel.iter_mut().find(|(_, d)| {
        d.handle == request.ticket && matches!(d.status, Status::Pending) && d.expires > now
    });
    let Some((auth_req_id, deferred)) = found else {
        return BackchannelAuthenticationCompleteResponse {
            action: Some(Action::ServerError),
            result_code: Some("A000002".into()),
            result_message: Some("[A000002] The ticket is unknown, used or expired.".into()),
            ..Default::default()
        };
    };
    let authorized = request.result == CibaResult::Authorized;
    deferred.status = decision(
        deferred,
        authorized,
        request.subject,
        request.scopes,
        request.claims.as_deref(),
        request.auth_time,
    );
    let (auth_req_id, client_id) = (auth_req_id.clone(), deferred.client_id);
    let delivery = deferred.delivery.clone();
    let client = state.client_limited(client_id);
    let mut answer = BackchannelAuthenticationCompleteResponse {
        action: Some(Action::Notification),
        auth_req_id: Some(auth_req_id.clone()),
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        client_name: client.client_name,
        delivery_mode: Some(delivery_mode(&delivery)),
        ..Default::default()
    };
    match delivery {
        // The client collects the result at the token endpoint.
        Delivery::Poll => answer.action = Some(Action::NoAction),
        // The application tells the client to collect it (CIBA Core section 10.2).
        Delivery::Ping { endpoint, token } => {
            answer.client_notification_endpoint = Some(endpoint);
            answer.client_notification_token = Some(token);
            let content = json!({ "auth_req_id": auth_req_id });
            answer.response_content = Some(Secret::new(content.to_string()));
        }
        // The application sends the client the tokens or the refusal (CIBA Core sections
        // 10.3 and 12); the request is settled here, the token endpoint has no part.
        Delivery::Push { endpoint, token } => {
            answer.client_notification_endpoint = Some(endpoint);
            answer.client_notification_token = Some(token);
            let settled = state.backchannel.remove(&auth_req_id).map(|d| d.status);
            let content = match settled {
                Some(Status::Granted(mut grant)) => {
                    grant
                        .claims
                        .insert(AUTH_REQ_ID_CLAIM.into(), json!(auth_req_id));
                    push_tokens(state, &grant, &auth_req_id, &mut answer)
                }
                _ => json!({
                    "auth_req_id": auth_req_id,
                    "error": "access_denied",
                    "error_description": "The end-user denied the request.",
                }),
            };
            answer.response_content = Some(Secret::new(content.to_string()));
        }
    }
    answer
}

/// Tokens for a push mode client: issued now, put in `answer`, and the notification's
/// body, the token response with the `auth_req_id` (CIBA Core section 10.3.1).
fn push_tokens(
    state: &mut State,
    grant: &Grant,
    auth_req_id: &str,
    answer: &mut BackchannelAuthenticationCompleteResponse,
) -> serde_json::Value {
    let refresh = new_refresh_token(state, grant.client_id);
    let issued = state.issue(grant, "CIBA", &Default::default(), refresh, None);
    let now = state.now();
    let mut content: serde_json::Value =
        serde_json::from_str(&issued.content).expect("the token response is JSON");
    content["auth_req_id"] = json!(auth_req_id);
    answer.access_token = Some(Secret::new(issued.access_token));
    answer.access_token_duration = Some(super::state::ACCESS_TOKEN_LIFETIME);
    answer.jwt_access_token = issued.jwt_access_token.map(Secret::new);
    answer.refresh_token = issued.refresh_token.map(Secret::new);
    answer.refresh_token_duration = issued.refresh_expires_at.map(|e| e - now);
    answer.id_token_duration = issued
        .id_token
        .is_some()
        .then_some(super::state::ACCESS_TOKEN_LIFETIME);
    answer.id_token = issued.id_token.map(Secret::new);
    content
}

/// What the user decided on a CIBA or device flow request: the grant, with the scopes
/// the application names (a subset of those requested) and the claims for the ID token,
/// or a refusal.
fn decision(
    deferred: &Deferred,
    authorized: bool,
    subject: String,
    scopes: Vec<String>,
    claims: Option<&str>,
    auth_time: Option<i64>,
) -> Status {
    if !authorized {
        return Status::Denied;
    }
    let mut grant = Grant::new(
        deferred.client_id,
        Some(subject),
        granted_scopes(&deferred.scopes, scopes),
    );
    grant.claims = claims_object(claims);
    grant.auth_time = auth_time;
    Status::Granted(grant)
}

// ---------------------------------------------------------------------------------------
// The device flow

pub(super) fn device_authorization(
    state: &mut State,
    request: DeviceAuthorizationRequest,
) -> DeviceAuthorizationResponse {
    use DeviceAuthorizationResponseAction as Action;
    state.prune();
    let params = Params::parse(request.parameters.expose_secret());
    let refuse = |action, error: &str, description: &str| DeviceAuthorizationResponse {
        action: Some(action),
        response_content: Some(Secret::new(oauth_error(error, description))),
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
    let scopes = match params.scopes(&SCOPES) {
        Ok(scopes) => scopes,
        Err(description) => return refuse(Action::BadRequest, "invalid_scope", &description),
    };
    let (device_code, user_code) = (random_token(), user_code());
    let verification_uri = format!("{}/device", state.issuer);
    let complete = format!(
        "{verification_uri}?user_code={}",
        form_urlencoded::byte_serialize(user_code.as_bytes()).collect::<String>()
    );
    let content = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": complete,
        "expires_in": DEFERRED_LIFETIME,
        "interval": state.polling_interval,
    });
    let deferred = Deferred {
        client_id,
        handle: user_code.clone(),
        scopes: scopes.clone(),
        status: Status::Pending,
        expires: state.now() + DEFERRED_LIFETIME,
        interval: i64::from(state.polling_interval),
        last_poll: None,
        delivery: Delivery::Poll,
    };
    state.devices.insert(device_code.clone(), deferred);
    let client = state.client_limited(client_id);
    DeviceAuthorizationResponse {
        action: Some(Action::Ok),
        response_content: Some(Secret::new(content.to_string())),
        device_code: Some(Secret::new(device_code)),
        user_code: Some(user_code),
        verification_uri: Some(verification_uri),
        verification_uri_complete: Some(complete),
        expires_in: Some(DEFERRED_LIFETIME as i32),
        interval: Some(state.polling_interval),
        client_id: client.client_id,
        client_name: client.client_name,
        scopes: scope_details(&scopes),
        ..Default::default()
    }
}

/// What a user code designates, for verification and completion alike.
enum DeviceLookup<'a> {
    /// No pending device flow request has it.
    Missing,
    /// Its pending request has expired.
    Expired,
    /// Its pending request, still within its lifetime.
    Live(&'a mut Deferred),
}

/// The pending device flow request of a user code as typed (any case, with or without
/// the dash), and whether it has expired.
fn device_by_user_code<'a>(state: &'a mut State, typed: &str) -> DeviceLookup<'a> {
    let now = state.now();
    let wanted: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let pending = state
        .devices
        .values_mut()
        .find(|d| d.handle.replace('-', "") == wanted && matches!(d.status, Status::Pending));
    match pending {
        None => DeviceLookup::Missing,
        Some(device) if device.expires <= now => DeviceLookup::Expired,
        Some(device) => DeviceLookup::Live(device),
    }
}

pub(super) fn device_verification(
    state: &mut State,
    request: DeviceVerificationRequest,
) -> DeviceVerificationResponse {
    use DeviceVerificationResponseAction as Action;
    let device = match device_by_user_code(state, &request.user_code) {
        DeviceLookup::Live(device) => device,
        DeviceLookup::Missing => {
            return DeviceVerificationResponse {
                action: Some(Action::NotExist),
                ..Default::default()
            };
        }
        DeviceLookup::Expired => {
            return DeviceVerificationResponse {
                action: Some(Action::Expired),
                ..Default::default()
            };
        }
    };
    let (scopes, expires, client_id) = (device.scopes.clone(), device.expires, device.client_id);
    let client = state.client_limited(client_id);
    DeviceVerificationResponse {
        action: Some(Action::Valid),
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        client_name: client.client_name,
        scopes: scope_details(&scopes),
        claim_names: claims_of(&scopes),
        expires_at: Some(expires * 1000),
        ..Default::default()
    }
}

pub(super) fn device_complete(
    state: &mut State,
    request: DeviceCompleteRequest,
) -> DeviceCompleteResponse {
    use DeviceCompleteResponseAction as Action;
    let device = match device_by_user_code(state, &request.user_code) {
        DeviceLookup::Live(device) => device,
        DeviceLookup::Missing => {
            return DeviceCompleteResponse {
                action: Some(Action::UserCodeNotExist),
                ..Default::default()
            };
        }
        DeviceLookup::Expired => {
            return DeviceCompleteResponse {
                action: Some(Action::UserCodeExpired),
                ..Default::default()
            };
        }
    };
    let authorized = request.result == DeviceResult::Authorized;
    device.status = decision(
        device,
        authorized,
        request.subject,
        request.scopes,
        request.claims.as_deref(),
        request.auth_time,
    );
    DeviceCompleteResponse {
        action: Some(Action::Success),
        ..Default::default()
    }
}
