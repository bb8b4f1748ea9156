//! The HTML pages of the example server: plain strings, every value escaped.

use authlete::flows::authorization::Interaction;
use authlete::flows::{Response, response};
use http::{HeaderValue, StatusCode, header};

use crate::common::escape;
use crate::sessions::PendingDevice;
use crate::users::{PendingCiba, USERS, User};

/// An HTML response that no one may frame, with no referrer (the pages' URLs can carry
/// codes) and nothing but inline style.
pub fn html(status: StatusCode, title: &str, content: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>\n{content}\n</main></body></html>\n",
        title = escape(title),
    );
    let mut response = response::html(status, page);
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}\
    main{max-width:44rem}label{display:block;margin:.5rem 0}\
    input[type=text],input[type=password]{padding:.3rem;width:14rem}\
    button{padding:.4rem 1rem;margin:.5rem .5rem 0 0}.error{color:#b00020}\
    pre{background:#f4f4f4;padding:.7rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}\
    table{border-collapse:collapse}td{padding:.2rem .8rem .2rem 0;vertical-align:top}\
    .box{border:1px solid #ccc;padding:.5rem 1rem;margin:1rem 0}";

/// A page with one message.
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    html(
        status,
        title,
        &format!("<p>{}</p><p><a href=\"/\">Home</a></p>", escape(text)),
    )
}

/// The home page: what the server serves, and where to try it.
pub fn index(base: &str, standin: bool) -> Response {
    let endpoint = |path: &str, what: &str| {
        format!(
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            escape(&format!("{base}{path}")),
            escape(what)
        )
    };
    let endpoints = [
        ("/authorize", "authorization endpoint (login and consent)"),
        ("/par", "pushed authorization requests (RFC 9126)"),
        ("/token", "token endpoint"),
        (
            "/introspect",
            "introspection (RFC 7662), for resource servers",
        ),
        ("/revoke", "revocation (RFC 7009)"),
        ("/userinfo", "UserInfo"),
        ("/.well-known/openid-configuration", "discovery"),
        ("/jwks", "JWK Set"),
        ("/bc-authorize", "CIBA backchannel authentication"),
        (
            "/ciba/approve",
            "the user's side of CIBA (stands in for their phone)",
        ),
        ("/device_authorization", "device authorization (RFC 8628)"),
        ("/device", "device flow verification page"),
        ("/api/me", "a protected resource (scope profile)"),
    ]
    .iter()
    .map(|(path, what)| endpoint(path, what))
    .collect::<String>();
    let users = USERS
        .iter()
        .map(|u| format!("<code>{0}</code>/<code>{0}</code>", escape(u.login_id)))
        .collect::<Vec<_>>()
        .join(", ");
    let backend = if standin {
        "an embedded stand-in of Authlete (no credentials were configured)"
    } else {
        "Authlete"
    };
    html(
        StatusCode::OK,
        "Authlete example server",
        &format!(
            "<p>An OAuth 2.0 and OpenID Connect server built with <code>authlete::axum</code>, \
             backed by {backend}. Users: {users}.</p>\
             <p><a href=\"/demo\">Sign in with the demo client</a> (authorization code flow \
             with PKCE, then the protected API).</p><table>{endpoints}</table>"
        ),
    )
}

/// The login and consent page of an authorization request; `signed_in`, the user already
/// logged in to the browser's session, may approve without logging in again.
pub fn authorization(
    interaction: &Interaction,
    tx: &str,
    signed_in: Option<&User>,
    error: Option<&str>,
) -> Response {
    let client = interaction.client_name().unwrap_or("An application");
    let scopes = interaction
        .authorization_response()
        .scopes
        .iter()
        .map(|s| {
            format!(
                "<li><code>{}</code> {}</li>",
                escape(s.name.as_deref().unwrap_or_default()),
                escape(s.description.as_deref().unwrap_or_default())
            )
        })
        .collect::<String>();
    let content = format!(
        "<p><strong>{client}</strong> asks for access to your account:</p><ul>{scopes}</ul>\
         {form}",
        client = escape(client),
        form = login_form(
            "/authorize/decision",
            tx,
            // A hint in the login field would stand in the way of continuing as the user
            // signed in.
            interaction
                .login_hint()
                .filter(|_| signed_in.is_none())
                .unwrap_or_default(),
            signed_in,
            error
        ),
    );
    html(StatusCode::OK, "Authorize", &content)
}

/// Login fields and the two buttons, posting `tx` back. With a user `signed_in`, the
/// login fields are for logging in as someone else, and may stay empty.
fn login_form(
    action: &str,
    tx: &str,
    login_hint: &str,
    signed_in: Option<&User>,
    error: Option<&str>,
) -> String {
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\">{}</p>", escape(e))
    });
    let (signed_in, required) = match signed_in {
        Some(user) => (
            format!(
                "<p>Signed in as <strong>{}</strong> ({}). Authorize as them, or log in as \
                 someone else:</p>",
                escape(user.name),
                escape(user.login_id)
            ),
            "",
        ),
        None => (String::new(), " required"),
    };
    format!(
        "<form method=\"post\" action=\"{action}\">{error}{signed_in}\
         <input type=\"hidden\" name=\"tx\" value=\"{tx}\">\
         <label>Login ID <input type=\"text\" name=\"login_id\" value=\"{hint}\" \
         autocomplete=\"username\"{required}></label>\
         <label>Password <input type=\"password\" name=\"password\" \
         autocomplete=\"current-password\"{required}></label>\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Authorize</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button>\
         </form>",
        tx = escape(tx),
        hint = escape(login_hint),
    )
}

/// The device flow's first page: type the code the device shows.
pub fn device_code_form(user_code: Option<&str>, error: Option<&str>) -> Response {
    let error_html = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\">{}</p>", escape(e))
    });
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(
        status,
        "Connect a device",
        &format!(
            "<p>Enter the code your device shows.</p>\
             <form method=\"post\" action=\"/device\">{error_html}\
             <label>Code <input type=\"text\" name=\"user_code\" value=\"{}\" \
             autocomplete=\"off\" required></label>\
             <button type=\"submit\">Continue</button></form>",
            escape(user_code.unwrap_or_default())
        ),
    )
}

/// The device flow's login and consent page.
pub fn device_consent(pending: &PendingDevice, tx: &str, error: Option<&str>) -> Response {
    let scopes = pending
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect::<String>();
    html(
        StatusCode::OK,
        "Authorize a device",
        &format!(
            "<p>A device using <strong>{}</strong> (code <code>{}</code>) asks for access to \
             your account:</p><ul>{scopes}</ul>{}",
            escape(&pending.client_name),
            escape(&pending.user_code),
            login_form("/device/complete", tx, "", None, error)
        ),
    )
}

/// The CIBA requests waiting for the user: this page stands in for the authentication
/// device (a phone app) of each user.
pub fn ciba_inbox(pending: &[PendingCiba], note: Option<(bool, &str)>) -> Response {
    let note_html = note.map_or_else(String::new, |(ok, text)| {
        let class = if ok { "" } else { " class=\"error\"" };
        format!("<p{class}>{}</p>", escape(text))
    });
    let requests = if pending.is_empty() {
        "<p>No request is waiting. Send one to <code>/bc-authorize</code>, e.g. \
         <code>login_hint=john</code>.</p>"
            .to_owned()
    } else {
        pending
            .iter()
            .map(|p| {
                let message = p.binding_message.as_deref().map_or_else(String::new, |m| {
                    format!("<p>Binding message: <strong>{}</strong></p>", escape(m))
                });
                format!(
                    "<div class=\"box\"><p><strong>{client}</strong> asks <strong>{user}</strong> \
                     for: <code>{scopes}</code></p>{message}\
                     <form method=\"post\" action=\"/ciba/approve\">\
                     <input type=\"hidden\" name=\"id\" value=\"{id}\">\
                     <label>Password of {user} <input type=\"password\" name=\"password\"></label>\
                     <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\
                     <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
                     </form></div>",
                    client = escape(&p.client_name),
                    user = escape(p.user.login_id),
                    scopes = escape(&p.scopes.join(" ")),
                    id = escape(&p.id),
                )
            })
            .collect()
    };
    html(
        StatusCode::OK,
        "CIBA requests",
        &format!(
            "<p>This page plays the users' authentication devices: approve or deny the \
             backchannel authentication requests waiting for them.</p>{note_html}{requests}"
        ),
    )
}

/// What the demo client got.
pub fn demo_result(sections: &[(&str, String)]) -> Response {
    let content = sections
        .iter()
        .map(|(title, text)| format!("<h2>{}</h2><pre>{}</pre>", escape(title), escape(text)))
        .collect::<String>();
    html(
        StatusCode::OK,
        "Demo client",
        &format!("{content}<p><a href=\"/demo\">Again</a> · <a href=\"/\">Home</a></p>"),
    )
}
