//! CIBA in poll mode and the device flow: the user decides elsewhere while the client polls
//! the token endpoint (answered in `oauth.rs`).

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
use super::state::{
    DEFERRED_LIFETIME, Deferred, Grant, Params, State, Status, claims_object, claims_of, now_secs,
    oauth_error, random_token, scope_details, user_code,
};

// ---------------------------------------------------------------------------------------
// CIBA, poll mode

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
    let id = request.client_id.as_deref();
    let Some(client_id) = state.authenticate(id, request.client_secret.as_ref(), &params) else {
        return refuse(
            Action::Unauthorized,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    let scopes = match params.scopes() {
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
            Some(sub) => Some(sub.clone()),
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
    let ticket = random_token();
    state
        .backchannel_tickets
        .insert(ticket.clone(), (client_id, scopes.clone()));
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
        delivery_mode: Some(DeliveryMode::Poll),
        requested_expiry: params.get("requested_expiry").and_then(|e| e.parse().ok()),
        ..Default::default()
    }
}

pub(super) fn backchannel_issue(
    state: &mut State,
    request: BackchannelAuthenticationIssueRequest,
) -> BackchannelAuthenticationIssueResponse {
    use BackchannelAuthenticationIssueResponseAction as Action;
    let Some((client_id, scopes)) = state.backchannel_tickets.remove(&request.ticket) else {
        return BackchannelAuthenticationIssueResponse {
            action: Some(Action::InvalidTicket),
            ..Default::default()
        };
    };
    let auth_req_id = random_token();
    let deferred = Deferred {
        client_id,
        handle: request.ticket,
        scopes,
        status: Status::Pending,
        expires: now_secs() + DEFERRED_LIFETIME,
    };
    state.backchannel.insert(auth_req_id.clone(), deferred);
    let content = json!({
        "auth_req_id": auth_req_id,
        "expires_in": DEFERRED_LIFETIME,
        "interval": state.polling_interval,
    });
    BackchannelAuthenticationIssueResponse {
        action: Some(Action::Ok),
        response_content: Some(content.to_string()),
        auth_req_id: Some(auth_req_id),
        expires_in: Some(DEFERRED_LIFETIME as i32),
        interval: Some(state.polling_interval),
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
    let found = state
        .backchannel
        .iter_mut()
        .find(|(_, d)| d.handle == request.ticket && matches!(d.status, Status::Pending));
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
    let client = state.client_limited(client_id);
    BackchannelAuthenticationCompleteResponse {
        // Poll mode: the client collects the result at the token endpoint.
        action: Some(Action::NoAction),
        auth_req_id: Some(auth_req_id),
        client_id: client.client_id,
        client_name: client.client_name,
        delivery_mode: Some(DeliveryMode::Poll),
        ..Default::default()
    }
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
    Status::Granted(Grant {
        client_id: deferred.client_id,
        subject,
        scopes: granted_scopes(&deferred.scopes, scopes),
        claims: claims_object(claims),
        auth_time,
        nonce: None,
        redirect_uri: None,
        code_challenge: None,
    })
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
    let id = request.client_id.as_deref();
    let Some(client_id) = state.authenticate(id, request.client_secret.as_ref(), &params) else {
        return refuse(
            Action::Unauthorized,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    let scopes = match params.scopes() {
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
        expires: now_secs() + DEFERRED_LIFETIME,
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

/// The pending device flow request of a user code as typed (any case, with or without
/// the dash).
fn device_by_user_code<'a>(state: &'a mut State, typed: &str) -> Option<&'a mut Deferred> {
    let wanted: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    state
        .devices
        .values_mut()
        .find(|d| d.handle.replace('-', "") == wanted && matches!(d.status, Status::Pending))
}

pub(super) fn device_verification(
    state: &mut State,
    request: DeviceVerificationRequest,
) -> DeviceVerificationResponse {
    use DeviceVerificationResponseAction as Action;
    let Some(device) = device_by_user_code(state, &request.user_code) else {
        return DeviceVerificationResponse {
            action: Some(Action::NotExist),
            ..Default::default()
        };
    };
    if device.expires <= now_secs() {
        return DeviceVerificationResponse {
            action: Some(Action::Expired),
            ..Default::default()
        };
    }
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
    let Some(device) = device_by_user_code(state, &request.user_code) else {
        return DeviceCompleteResponse {
            action: Some(Action::UserCodeNotExist),
            ..Default::default()
        };
    };
    if device.expires <= now_secs() {
        return DeviceCompleteResponse {
            action: Some(Action::UserCodeExpired),
            ..Default::default()
        };
    }
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
