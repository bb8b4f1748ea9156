//! The token endpoint (`/auth/token`), and `/auth/token/issue` and `/auth/token/fail` for
//! the password grant, which Authlete hands to the application.

use authlete::Secret;
use authlete::types::{
    ClientType, GrantType, TokenFailRequest, TokenFailRequestReason as FailReason,
    TokenFailResponse, TokenFailResponseAction, TokenInfo, TokenIssueRequest, TokenIssueResponse,
    TokenIssueResponseAction, TokenRequest, TokenResponse, TokenResponseAction, TokenType,
};

use super::dpop::Failure;
use super::params::Params;
use super::state::{
    Binding, CIBA_GRANT, CODE_LIFETIME, DEVICE_GRANT, Delivery, Grant, SCOPES, State, Status,
    TOKEN_EXCHANGE_GRANT, TokenTicket, oauth_error, random_token, scope_details,
};
use super::tokens::{Refresh, certificate_thumbprint};

/// By how much a client polling too fast must slow down, seconds (RFC 8628 section 3.5).
const SLOW_DOWN_STEP: i64 = 5;

pub(super) fn token(state: &mut State, request: TokenRequest) -> TokenResponse {
    state.prune();
    let params = Params::parse(request.parameters.expose_secret());
    if let Err(description) = params.check_repeated() {
        return bad_request(state, "invalid_request", &description);
    }
    let id = request.client_id.as_deref();
    let Some(client_id) = state.authenticate(id, request.client_secret.as_ref(), &params) else {
        return token_error(
            state,
            TokenResponseAction::InvalidClient,
            "invalid_client",
            "Client authentication failed.",
        );
    };
    let binding = match binding(state, &request, client_id) {
        Ok(binding) => binding,
        Err(refused) => return *refused,
    };
    let param = |name: &str| params.get(name).unwrap_or_default();
    let grant_type = param("grant_type");
    let registered = match grant_type {
        "authorization_code" => GrantType::AuthorizationCode,
        "refresh_token" => GrantType::RefreshToken,
        "client_credentials" => GrantType::ClientCredentials,
        "password" => GrantType::Password,
        CIBA_GRANT => GrantType::Ciba,
        DEVICE_GRANT => GrantType::DeviceCode,
        TOKEN_EXCHANGE_GRANT => GrantType::TokenExchange,
        "" => return bad_request(state, "invalid_request", "The grant_type is missing."),
        _ => {
            return bad_request(
                state,
                "unsupported_grant_type",
                "The stand-in does not support this grant type.",
            );
        }
    };
    if !state.allows(client_id, registered) {
        return bad_request(
            state,
            "unauthorized_client",
            "The client has not registered this grant type.",
        );
    }
    match grant_type {
        "authorization_code" => authorization_code(state, client_id, &params, &binding),
        "refresh_token" => refresh(state, client_id, &params, binding),
        "client_credentials" => client_credentials(state, client_id, &params, &binding),
        "password" => password(state, client_id, &params, binding),
        TOKEN_EXCHANGE_GRANT => token_exchange(state, client_id, &params),
        CIBA_GRANT => deferred_tokens(state, client_id, Flow::Ciba, param("auth_req_id"), binding),
        _ => deferred_tokens(
            state,
            client_id,
            Flow::Device,
            param("device_code"),
            binding,
        ),
    }
}

/// What the tokens of this request will be bound to: the key of its DPoP proof, the
/// client's certificate when the client registered certificate-bound tokens; or the
/// refusal of a proof or of a missing certificate.
fn binding(
    state: &mut State,
    request: &TokenRequest,
    client_id: i64,
) -> Result<Binding, Box<TokenResponse>> {
    let client = state.client_by_number(client_id);
    let dpop_required = client.is_some_and(|c| c.dpop_required == Some(true));
    let certificate_bound =
        client.is_some_and(|c| c.tls_client_certificate_bound_access_tokens == Some(true));
    let jkt = match request.dpop.as_deref() {
        None if dpop_required => {
            let description = "The client requires DPoP: a DPoP proof is missing.";
            return Err(Box::new(bad_request(
                state,
                "invalid_dpop_proof",
                description,
            )));
        }
        None => None,
        Some(proof) => {
            // Without `htu`, Authlete checks the proof against the service's token
            // endpoint (RFC 9449 section 5).
            let htu = (request.htu.clone()).unwrap_or_else(|| format!("{}/token", state.issuer));
            let htm = request.htm.as_deref().unwrap_or("POST");
            let nonce_required = request.dpop_nonce_required == Some(true);
            match state.verify_dpop(proof, htm, &htu, None, nonce_required) {
                Ok(jkt) => Some(jkt),
                Err(Failure::UseNonce) => {
                    let mut refused =
                        bad_request(state, "use_dpop_nonce", "A DPoP nonce is required.");
                    refused.dpop_nonce = Some(state.dpop_nonces.current(state.now()));
                    return Err(Box::new(refused));
                }
                Err(Failure::Invalid(description)) => {
                    let refused = bad_request(state, "invalid_dpop_proof", &description);
                    return Err(Box::new(refused));
                }
            }
        }
    };
    let x5t = match request.client_certificate.as_deref() {
        _ if !certificate_bound => None,
        Some(pem) => match certificate_thumbprint(pem) {
            Some(x5t) => Some(x5t),
            None => {
                let description = "The client certificate is not a PEM certificate.";
                return Err(Box::new(bad_request(state, "invalid_request", description)));
            }
        },
        None => {
            let description =
                "The client uses certificate-bound tokens: its certificate is missing.";
            return Err(Box::new(bad_request(state, "invalid_request", description)));
        }
    };
    Ok(Binding { jkt, x5t })
}

fn authorization_code(
    state: &mut State,
    client_id: i64,
    params: &Params,
    binding: &Binding,
) -> TokenResponse {
    let Some(code) = params.get("code") else {
        return bad_request(state, "invalid_request", "The code is missing.");
    };
    let Some(entry) = state.codes.get(code) else {
        return invalid_grant(state, "The authorization code is unknown or expired.");
    };
    if entry.used {
        // A code used twice may be stolen: what it gave is revoked (RFC 6749 4.1.2).
        state.revoke_code_family(code);
        state.codes.remove(code);
        let description = "The authorization code was used before: its tokens are revoked.";
        return invalid_grant(state, description);
    }
    let grant = entry.grant.clone();
    if grant.client_id != client_id {
        return invalid_grant(
            state,
            "The authorization code was issued to another client.",
        );
    }
    if grant
        .redirect_uri
        .as_deref()
        .is_some_and(|uri| Some(uri) != params.get("redirect_uri"))
    {
        let description = "The redirect_uri differs from the authorization request's.";
        return invalid_grant(state, description);
    }
    let verifier = params.get("code_verifier");
    match (&grant.code_challenge, verifier) {
        (None, None) => {}
        (None, Some(_)) => {
            let description = "The authorization request had no code_challenge.";
            return invalid_grant(state, description);
        }
        (Some(_), None) => return invalid_grant(state, "The code_verifier is missing."),
        (Some(_), Some(verifier)) if !is_pkce_string(verifier) => {
            let description = "The code_verifier must be 43 to 128 unreserved characters.";
            return invalid_grant(state, description);
        }
        (Some(challenge), Some(verifier)) => {
            if !challenge.matches(verifier) {
                let description = "The code_verifier does not match the code_challenge.";
                return invalid_grant(state, description);
            }
        }
    }
    if grant
        .dpop_jkt
        .as_ref()
        .is_some_and(|jkt| binding.jkt.as_ref() != Some(jkt))
    {
        let description = "The authorization code is bound to another DPoP key.";
        return bad_request(state, "invalid_dpop_proof", description);
    }
    if let Some(entry) = state.codes.get_mut(code) {
        entry.used = true;
    }
    let refresh = new_refresh_token(state, client_id);
    let issued = state.issue(&grant, "AUTHORIZATION_CODE", binding, refresh, Some(code));
    state.token_response(&grant, "AUTHORIZATION_CODE", issued)
}

/// Whether `value` is a PKCE verifier or challenge: 43 to 128 unreserved characters (RFC
/// 7636 section 4.1).
pub(super) fn is_pkce_string(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// A new refresh token when the client registered the grant type.
pub(super) fn new_refresh_token(state: &State, client_id: i64) -> Refresh {
    if state.allows(client_id, GrantType::RefreshToken) {
        Refresh::New
    } else {
        Refresh::None
    }
}

fn refresh(state: &mut State, client_id: i64, params: &Params, binding: Binding) -> TokenResponse {
    let Some(token) = params.get("refresh_token") else {
        return bad_request(state, "invalid_request", "The refresh_token is missing.");
    };
    let now = state.now();
    let found = (state.refresh_tokens.get(token))
        .filter(|r| r.client_id == client_id && r.expires_at > now);
    let Some(record) = found else {
        return invalid_grant(state, "The refresh token is unknown or expired.");
    };
    let (Some(mut grant), code) = (record.grant.clone(), record.code.clone()) else {
        return invalid_grant(state, "The refresh token is unknown or expired.");
    };
    if record
        .binding
        .jkt
        .as_ref()
        .is_some_and(|jkt| binding.jkt.as_ref() != Some(jkt))
    {
        let description = "The refresh token is bound to a DPoP key: a proof of it is needed.";
        return bad_request(state, "invalid_dpop_proof", description);
    }
    if params.get("scope").is_some() {
        match params.scopes(&SCOPES) {
            Ok(scopes) if scopes.iter().all(|s| grant.scopes.contains(s)) => grant.scopes = scopes,
            _ => {
                let description = "A refresh may only narrow the scopes granted.";
                return bad_request(state, "invalid_scope", description);
            }
        }
    }
    // The access token issued with the refresh token gives way to the new one.
    state
        .access_tokens
        .retain(|_, t| t.refresh_token.as_deref() != Some(token));
    let refresh = if state.refresh_token_kept {
        Refresh::Keep(token.to_owned())
    } else {
        state.refresh_tokens.remove(token);
        Refresh::New
    };
    let issued = state.issue(&grant, "REFRESH_TOKEN", &binding, refresh, code.as_deref());
    state.token_response(&grant, "REFRESH_TOKEN", issued)
}

fn client_credentials(
    state: &mut State,
    client_id: i64,
    params: &Params,
    binding: &Binding,
) -> TokenResponse {
    let confidential = (state.client_by_number(client_id))
        .is_some_and(|c| c.client_type == Some(ClientType::Confidential));
    if !confidential {
        let description = "The client credentials grant is for confidential clients.";
        return bad_request(state, "unauthorized_client", description);
    }
    let scopes = match params.scopes(&SCOPES) {
        Ok(scopes) => scopes,
        Err(description) => return bad_request(state, "invalid_scope", &description),
    };
    // No end-user, so neither an ID token nor a refresh token (RFC 6749 section 4.4.3).
    let grant = Grant::new(client_id, None, scopes);
    let issued = state.issue(&grant, "CLIENT_CREDENTIALS", binding, Refresh::None, None);
    state.token_response(&grant, "CLIENT_CREDENTIALS", issued)
}

/// The password grant: Authlete checks the request and hands the credentials to the
/// application (`PASSWORD`), which calls `/auth/token/issue` or `/auth/token/fail`.
fn password(state: &mut State, client_id: i64, params: &Params, binding: Binding) -> TokenResponse {
    let (Some(username), Some(password)) = (params.get("username"), params.get("password")) else {
        let description = "The username and the password are required.";
        return bad_request(state, "invalid_request", description);
    };
    let scopes = match params.scopes(&SCOPES) {
        Ok(scopes) => scopes,
        Err(description) => return bad_request(state, "invalid_scope", &description),
    };
    let ticket = random_token();
    let waiting = TokenTicket {
        client_id,
        scopes: scopes.clone(),
        binding,
        expires: state.now() + CODE_LIFETIME,
    };
    state.token_tickets.insert(ticket.clone(), waiting);
    let client = state.client_limited(client_id);
    TokenResponse {
        action: Some(TokenResponseAction::Password),
        ticket: Some(ticket),
        username: Some(username.to_owned()),
        password: Some(Secret::new(password.to_owned())),
        scopes,
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        grant_type: Some("PASSWORD".into()),
        dpop_nonce: state.current_dpop_nonce(),
        result_code: Some("A051001".into()),
        result_message: Some("[A051001] The resource owner's credentials are to check.".into()),
        ..Default::default()
    }
}

pub(super) fn token_issue(state: &mut State, request: TokenIssueRequest) -> TokenIssueResponse {
    state.prune();
    let Some(ticket) = state.token_tickets.remove(&request.ticket) else {
        return TokenIssueResponse {
            action: Some(TokenIssueResponseAction::InternalServerError),
            response_content: Some(Secret::new(oauth_error(
                "server_error",
                "The ticket is unknown, used or expired.",
            ))),
            result_code: Some("A000003".into()),
            result_message: Some("[A000003] The ticket is unknown, used or expired.".into()),
            ..Default::default()
        };
    };
    let grant = Grant::new(ticket.client_id, Some(request.subject), ticket.scopes);
    let refresh = new_refresh_token(state, ticket.client_id);
    let issued = state.issue(&grant, "PASSWORD", &ticket.binding, refresh, None);
    let answer = state.token_response(&grant, "PASSWORD", issued);
    TokenIssueResponse {
        action: Some(TokenIssueResponseAction::Ok),
        response_content: answer.response_content,
        access_token: answer.access_token,
        access_token_duration: answer.access_token_duration,
        access_token_expires_at: answer.access_token_expires_at,
        jwt_access_token: answer.jwt_access_token,
        refresh_token: answer.refresh_token,
        refresh_token_duration: answer.refresh_token_duration,
        refresh_token_expires_at: answer.refresh_token_expires_at,
        client_id: answer.client_id,
        client_id_alias: answer.client_id_alias,
        subject: answer.subject,
        scopes: answer.scopes,
        result_code: Some("A054001".into()),
        result_message: Some("[A054001] The token request was processed.".into()),
        ..Default::default()
    }
}

pub(super) fn token_fail(state: &mut State, request: TokenFailRequest) -> TokenFailResponse {
    use TokenFailResponseAction as Action;
    state.prune();
    if state.token_tickets.remove(&request.ticket).is_none() {
        return TokenFailResponse {
            action: Some(Action::InternalServerError),
            response_content: Some(oauth_error(
                "server_error",
                "The ticket is unknown, used or expired.",
            )),
            result_code: Some("A000003".into()),
            result_message: Some("[A000003] The ticket is unknown, used or expired.".into()),
        };
    }
    let (action, error, description) = match request.reason {
        FailReason::InvalidResourceOwnerCredentials => (
            Action::BadRequest,
            "invalid_grant",
            "The username or the password is wrong.",
        ),
        FailReason::InvalidTarget => (
            Action::BadRequest,
            "invalid_target",
            "The resource is not valid.",
        ),
        FailReason::InvalidClient => (
            Action::BadRequest,
            "invalid_client",
            "Client authentication failed.",
        ),
        FailReason::UnauthorizedClient => (
            Action::BadRequest,
            "unauthorized_client",
            "The client may not use this grant.",
        ),
        FailReason::InvalidScope => (
            Action::BadRequest,
            "invalid_scope",
            "A requested scope is not granted.",
        ),
        _ => (
            Action::InternalServerError,
            "server_error",
            "The token request failed.",
        ),
    };
    TokenFailResponse {
        action: Some(action),
        response_content: Some(oauth_error(error, description)),
        result_code: Some("A055001".into()),
        result_message: Some("[A055001] The token request was refused.".into()),
    }
}

/// The token types of RFC 8693 section 3 the stand-in knows.
fn token_type(uri: &str) -> Option<TokenType> {
    Some(
        match uri.strip_prefix("urn:ietf:params:oauth:token-type:")? {
            "access_token" => TokenType::AccessToken,
            "refresh_token" => TokenType::RefreshToken,
            "id_token" => TokenType::IdToken,
            "saml1" => TokenType::Saml1,
            "saml2" => TokenType::Saml2,
            "jwt" => TokenType::Jwt,
            _ => return None,
        },
    )
}

/// Token exchange (RFC 8693): Authlete checks the request and the tokens it issued
/// itself, and hands it to the application (`TOKEN_EXCHANGE`).
fn token_exchange(state: &mut State, client_id: i64, params: &Params) -> TokenResponse {
    let refuse = |error: &str, description: &str| bad_request(state, error, description);
    let Some(subject_token) = params.get("subject_token") else {
        return refuse("invalid_request", "The subject_token is missing.");
    };
    let Some(subject_type) = params.get("subject_token_type").and_then(token_type) else {
        return refuse(
            "invalid_request",
            "The subject_token_type is missing or unknown.",
        );
    };
    let actor_token = params.get("actor_token");
    let actor_type = match params.get("actor_token_type") {
        None if actor_token.is_some() => {
            return refuse("invalid_request", "The actor_token_type is missing.");
        }
        Some(_) if actor_token.is_none() => {
            return refuse(
                "invalid_request",
                "The actor_token_type has no actor_token.",
            );
        }
        None => None,
        Some(uri) => match token_type(uri) {
            Some(kind) => Some(kind),
            None => return refuse("invalid_request", "The actor_token_type is unknown."),
        },
    };
    let requested = match params.get("requested_token_type") {
        None => None,
        Some(uri) => match token_type(uri) {
            Some(kind) => Some(kind),
            None => return refuse("invalid_request", "The requested_token_type is unknown."),
        },
    };
    let resources = params.all("resource");
    if resources
        .iter()
        .any(|r| !r.contains("://") || r.contains('#'))
    {
        let description = "A resource must be an absolute URI without a fragment.";
        return refuse("invalid_target", description);
    }
    let scopes = match params.scopes(&SCOPES) {
        Ok(scopes) => scopes,
        Err(description) => return refuse("invalid_scope", &description),
    };
    // A token of this service must be valid; others are the application's to judge.
    let subject_info = match subject_type {
        TokenType::AccessToken | TokenType::RefreshToken => {
            match token_info(state, subject_token, &subject_type) {
                Some(info) => Some(info),
                None => {
                    let description = "The subject_token is not a valid token of this service.";
                    return bad_request(state, "invalid_request", description);
                }
            }
        }
        _ => None,
    };
    let actor_info = match (actor_token, &actor_type) {
        (Some(token), Some(kind @ (TokenType::AccessToken | TokenType::RefreshToken))) => {
            match token_info(state, token, kind) {
                Some(info) => Some(info),
                None => {
                    let description = "The actor_token is not a valid token of this service.";
                    return bad_request(state, "invalid_request", description);
                }
            }
        }
        _ => None,
    };
    let client = state.client_limited(client_id);
    TokenResponse {
        action: Some(TokenResponseAction::TokenExchange),
        subject_token: Some(Secret::new(subject_token.to_owned())),
        subject_token_type: Some(subject_type),
        subject_token_info: subject_info,
        actor_token: actor_token.map(|t| Secret::new(t.to_owned())),
        actor_token_type: actor_type,
        actor_token_info: actor_info,
        requested_token_type: requested,
        audiences: params.all("audience").to_vec(),
        resources: resources.to_vec(),
        scopes,
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        grant_type: Some("TOKEN_EXCHANGE".into()),
        dpop_nonce: state.current_dpop_nonce(),
        result_code: Some("A320001".into()),
        result_message: Some("[A320001] The token exchange request is valid.".into()),
        ..Default::default()
    }
}

/// What Authlete tells of a valid access or refresh token of the service.
fn token_info(state: &State, token: &str, kind: &TokenType) -> Option<TokenInfo> {
    let now = state.now();
    let record = match kind {
        TokenType::AccessToken => state.access_token(token),
        _ => (state.refresh_tokens.get(token)).filter(|r| r.expires_at > now),
    }?;
    let client = state.client_limited(record.client_id);
    Some(TokenInfo {
        client_id: client.client_id,
        client_id_alias: client.client_id_alias,
        subject: record.subject.clone(),
        scopes: scope_details(&record.scopes),
        expires_at: Some(record.expires_at * 1000),
        ..Default::default()
    })
}

#[derive(Clone, Copy)]
enum Flow {
    Ciba,
    Device,
}

/// The token request of a client polling for a CIBA or device flow decision.
fn deferred_tokens(
    state: &mut State,
    client_id: i64,
    flow: Flow,
    id: &str,
    binding: Binding,
) -> TokenResponse {
    let now = state.now();
    let (requests, grant_type) = match flow {
        Flow::Ciba => (&mut state.backchannel, "CIBA"),
        Flow::Device => (&mut state.devices, "DEVICE_CODE"),
    };
    let Some(request) = requests.get_mut(id).filter(|r| r.client_id == client_id) else {
        return invalid_grant(state, "The request is unknown or for another client.");
    };
    if request.expires <= now {
        requests.remove(id);
        return bad_request(state, "expired_token", "The request has expired.");
    }
    if matches!(request.delivery, Delivery::Push { .. }) {
        // A push client is sent its tokens, it does not poll (CIBA Core section 10.3).
        return bad_request(
            state,
            "unauthorized_client",
            "The client's backchannel delivery mode is push: the tokens are pushed to it.",
        );
    }
    match &request.status {
        Status::Pending => {
            // Polling faster than the interval slows the client down, for this request
            // and the following ones (RFC 8628 section 3.5, CIBA Core section 11).
            let too_soon = request
                .last_poll
                .is_some_and(|t| now - t < request.interval);
            request.last_poll = Some(now);
            if too_soon {
                request.interval += SLOW_DOWN_STEP;
                let description = format!(
                    "The client polls too often: wait {} seconds between requests.",
                    request.interval
                );
                return bad_request(state, "slow_down", &description);
            }
            bad_request(
                state,
                "authorization_pending",
                "The end-user has not decided yet.",
            )
        }
        Status::Denied => {
            requests.remove(id);
            bad_request(state, "access_denied", "The end-user denied the request.")
        }
        Status::Granted(grant) => {
            let grant = grant.clone();
            requests.remove(id);
            let refresh = new_refresh_token(state, client_id);
            let issued = state.issue(&grant, grant_type, &binding, refresh, None);
            state.token_response(&grant, grant_type, issued)
        }
    }
}

fn invalid_grant(state: &State, description: &str) -> TokenResponse {
    bad_request(state, "invalid_grant", description)
}

fn bad_request(state: &State, error: &str, description: &str) -> TokenResponse {
    token_error(state, TokenResponseAction::BadRequest, error, description)
}

fn token_error(
    state: &State,
    action: TokenResponseAction,
    error: &str,
    description: &str,
) -> TokenResponse {
    TokenResponse {
        action: Some(action),
        response_content: Some(Secret::new(oauth_error(error, description))),
        dpop_nonce: state.current_dpop_nonce(),
        ..Default::default()
    }
}
