//! Sessions of the example server, kept in memory and keyed by random cookies (no signed
//! cookies, no extra crates):
//!
//! - `sid`: the login session, set when a user logs in on the authorization page; the
//!   authorization endpoint asks it who is logged in when a request allows no
//!   interaction (`prompt=none`).
//! - `authz_tx` / `device_tx`: one pending interaction (an authorization request, a
//!   device-flow user code), bound to the browser. Its ID is also a hidden field of the
//!   form, and must match the cookie when the form comes back (a double-submit check
//!   against cross-site requests; the cookies are `SameSite=Lax` too).
//!
//! Everything expires after ten minutes (login sessions after a day) and is lost on
//! restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authlete::flows::Bytes;
use authlete::flows::authorization::{AuthenticatedUser, Interaction, Session};
use http::{HeaderMap, HeaderValue, header};

use crate::common::{now_secs, random_token};

/// The login session cookie.
pub const LOGIN_COOKIE: &str = "sid";
/// The cookie of a pending authorization request.
pub const AUTHORIZATION_COOKIE: &str = "authz_tx";
/// The cookie of a pending device-flow verification.
pub const DEVICE_COOKIE: &str = "device_tx";

const INTERACTION_LIFETIME: Duration = Duration::from_secs(600);
const LOGIN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A logged-in user.
#[derive(Debug, Clone)]
struct Login {
    subject: String,
    auth_time: i64,
    expires: Instant,
}

/// A device-flow user code the user is about to approve or deny.
#[derive(Debug, Clone)]
pub struct PendingDevice {
    pub user_code: String,
    pub client_name: String,
    pub scopes: Vec<String>,
    pub claim_names: Vec<String>,
}

#[derive(Default)]
struct Inner {
    logins: HashMap<String, Login>,
    authorizations: HashMap<String, (Interaction, Instant)>,
    devices: HashMap<String, (PendingDevice, Instant)>,
    /// The demo client's PKCE verifiers and nonces, by `state`.
    demo: HashMap<String, (String, String, Instant)>,
}

impl Inner {
    fn prune(&mut self) {
        let now = Instant::now();
        self.logins.retain(|_, l| l.expires > now);
        self.authorizations.retain(|_, (_, t)| *t > now);
        self.devices.retain(|_, (_, t)| *t > now);
        self.demo.retain(|_, (_, _, t)| *t > now);
    }
}

/// The session store. Cheap to clone.
#[derive(Clone, Default)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    /// Logs `subject` in: the new session's ID, for the `sid` cookie.
    pub fn log_in(&self, subject: &str) -> String {
        let id = random_token();
        let mut inner = self.lock();
        inner.prune();
        inner.logins.insert(
            id.clone(),
            Login {
                subject: subject.to_owned(),
                auth_time: now_secs(),
                expires: Instant::now() + LOGIN_LIFETIME,
            },
        );
        id
    }

    /// The user logged in with the `sid` cookie of `headers`, and when they logged in.
    pub fn logged_in(&self, headers: &HeaderMap) -> Option<(String, i64)> {
        let id = cookie(headers, LOGIN_COOKIE)?;
        let inner = self.lock();
        let login = inner
            .logins
            .get(&id)
            .filter(|l| l.expires > Instant::now())?;
        Some((login.subject.clone(), login.auth_time))
    }

    /// Keeps an authorization request waiting for the user: the transaction ID.
    pub fn keep_authorization(&self, interaction: Interaction) -> String {
        let id = random_token();
        let mut inner = self.lock();
        inner.prune();
        inner.authorizations.insert(
            id.clone(),
            (interaction, Instant::now() + INTERACTION_LIFETIME),
        );
        id
    }

    /// The authorization request of transaction `id`, if the browser's cookie matches.
    pub fn authorization(&self, headers: &HeaderMap, id: &str) -> Option<Interaction> {
        if cookie(headers, AUTHORIZATION_COOKIE).as_deref() != Some(id) {
            return None;
        }
        let inner = self.lock();
        let (interaction, expires) = inner.authorizations.get(id)?;
        (*expires > Instant::now()).then(|| interaction.clone())
    }

    /// Ends the authorization transaction `id`; `false` when it was already ended (a
    /// second submission of the same form).
    pub fn end_authorization(&self, id: &str) -> bool {
        self.lock().authorizations.remove(id).is_some()
    }

    /// Keeps a verified user code waiting for the user's decision: the transaction ID.
    pub fn keep_device(&self, pending: PendingDevice) -> String {
        let id = random_token();
        let mut inner = self.lock();
        inner.prune();
        inner
            .devices
            .insert(id.clone(), (pending, Instant::now() + INTERACTION_LIFETIME));
        id
    }

    /// The user code of transaction `id`, if the browser's cookie matches.
    pub fn device(&self, headers: &HeaderMap, id: &str) -> Option<PendingDevice> {
        if cookie(headers, DEVICE_COOKIE).as_deref() != Some(id) {
            return None;
        }
        let inner = self.lock();
        let (pending, expires) = inner.devices.get(id)?;
        (*expires > Instant::now()).then(|| pending.clone())
    }

    /// Ends the device transaction `id`; `false` when it was already ended.
    pub fn end_device(&self, id: &str) -> bool {
        self.lock().devices.remove(id).is_some()
    }

    /// Remembers the demo client's PKCE verifier and nonce for `state`.
    pub fn keep_demo_request(&self, state: &str, verifier: &str, nonce: &str) {
        let mut inner = self.lock();
        inner.prune();
        inner.demo.insert(
            state.to_owned(),
            (
                verifier.to_owned(),
                nonce.to_owned(),
                Instant::now() + INTERACTION_LIFETIME,
            ),
        );
    }

    /// The demo client's PKCE verifier and nonce for `state`, once.
    pub fn take_demo_request(&self, state: &str) -> Option<(String, String)> {
        let (verifier, nonce, expires) = self.lock().demo.remove(state)?;
        (expires > Instant::now()).then_some((verifier, nonce))
    }
}

/// For `prompt=none`: the user of the browser's login session.
impl Session for Store {
    async fn current_user(&self, request: &http::Request<Bytes>) -> Option<AuthenticatedUser> {
        let (subject, auth_time) = self.logged_in(request.headers())?;
        Some(AuthenticatedUser::new(subject).auth_time(auth_time))
    }
}

/// The value of cookie `name` in the `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value: an HTTP-only, `SameSite=Lax` cookie for `path`, or its removal
/// when `value` is `None`. (Add `Secure` when serving over HTTPS.)
pub fn set_cookie(name: &str, value: Option<&str>, path: &str) -> HeaderValue {
    let text = match value {
        Some(value) => format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax"),
        None => format!("{name}=; Path={path}; HttpOnly; SameSite=Lax; Max-Age=0"),
    };
    HeaderValue::from_str(&text).expect("cookie names and random values are valid headers")
}
