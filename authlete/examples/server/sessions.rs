//! Sessions of the example server, kept in memory and keyed by random cookies (no signed
//! cookies, no extra crates):
//!
//! - `sid`: the browser's session. The authorization page reads it from the request (the
//!   adapter hands the page the request's head) and starts one when the browser has none.
//!   It keeps the authorization requests waiting for this browser, each under a random
//!   transaction ID that is also a hidden field of the page's form: a form comes back
//!   only for a request of the session that posts it, which another site cannot forge
//!   (the cookie is `SameSite=Lax` too). Once the user logs in, it knows who they are, so
//!   the next page offers to continue as them, and the authorization endpoint asks it who
//!   is logged in when a request allows no interaction (`prompt=none`). Logging in gives
//!   the session a new ID, so that an ID planted before the login is worth nothing after.
//! - `device_tx`: one device-flow user code being approved, bound to the browser: its ID
//!   is also a hidden field of the form, and must match the cookie when the form comes
//!   back (a double-submit check).
//!
//! Everything expires after ten minutes (sessions with a login after a day) and is lost
//! on restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use authlete::flows::Bytes;
use authlete::flows::authorization::{AuthenticatedUser, Interaction, Session};
use http::{HeaderMap, HeaderValue, header};

use crate::common::{now_secs, random_token};

/// The browser session cookie.
pub const SESSION_COOKIE: &str = "sid";
/// The cookie of a pending device-flow verification.
pub const DEVICE_COOKIE: &str = "device_tx";

const INTERACTION_LIFETIME: Duration = Duration::from_secs(600);
const LOGIN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A browser's session.
#[derive(Debug, Clone, Default)]
struct BrowserSession {
    /// Who logged in, and when (seconds since the epoch).
    login: Option<(String, i64)>,
    /// The authorization requests waiting for this browser, by transaction ID.
    authorizations: HashMap<String, (Interaction, Instant)>,
    expires: Option<Instant>,
}

impl BrowserSession {
    fn live(&self, now: Instant) -> bool {
        self.expires.is_some_and(|expires| expires > now)
    }

    /// Keeps the session at least `lifetime` longer.
    fn extend(&mut self, lifetime: Duration) {
        let until = Instant::now() + lifetime;
        self.expires = Some(self.expires.map_or(until, |expires| expires.max(until)));
    }
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
    sessions: HashMap<String, BrowserSession>,
    devices: HashMap<String, (PendingDevice, Instant)>,
    /// The demo client's PKCE verifiers and nonces, by `state`.
    demo: HashMap<String, (String, String, Instant)>,
}

impl Inner {
    fn prune(&mut self) {
        let now = Instant::now();
        self.sessions.retain(|_, s| s.live(now));
        for session in self.sessions.values_mut() {
            session.authorizations.retain(|_, (_, t)| *t > now);
        }
        self.devices.retain(|_, (_, t)| *t > now);
        self.demo.retain(|_, (_, _, t)| *t > now);
    }

    /// The ID of the live session of the browser that sent `headers`.
    fn session_id(&self, headers: &HeaderMap) -> Option<String> {
        let id = cookie(headers, SESSION_COOKIE)?;
        let session = self.sessions.get(&id)?;
        session.live(Instant::now()).then_some(id)
    }

    /// The live session of the browser that sent `headers`.
    fn session(&mut self, headers: &HeaderMap) -> Option<&mut BrowserSession> {
        let id = self.session_id(headers)?;
        self.sessions.get_mut(&id)
    }
}

/// The session store. Cheap to clone.
#[derive(Clone, Default)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change leaves the maps consistent, so a panic elsewhere spoils nothing.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps an authorization request waiting for the browser that sent `headers`, in its
    /// session: the transaction ID, and the ID of the session when this started it (to
    /// set as the cookie).
    pub fn keep_authorization(
        &self,
        headers: &HeaderMap,
        interaction: Interaction,
    ) -> (String, Option<String>) {
        let tx = random_token();
        let mut inner = self.lock();
        inner.prune();
        let (id, started) = match inner.session_id(headers) {
            Some(id) => (id, None),
            None => {
                let id = random_token();
                (id.clone(), Some(id))
            }
        };
        let session = inner.sessions.entry(id).or_default();
        session.extend(INTERACTION_LIFETIME);
        let expires = Instant::now() + INTERACTION_LIFETIME;
        session
            .authorizations
            .insert(tx.clone(), (interaction, expires));
        (tx, started)
    }

    /// The authorization request `tx` of the session of the browser that sent `headers`.
    pub fn authorization(&self, headers: &HeaderMap, tx: &str) -> Option<Interaction> {
        let mut inner = self.lock();
        let session = inner.session(headers)?;
        let (interaction, expires) = session.authorizations.get(tx)?;
        (*expires > Instant::now()).then(|| interaction.clone())
    }

    /// Ends the authorization request `tx` of the browser's session; `false` when it was
    /// already ended (a second submission of the same form).
    pub fn end_authorization(&self, headers: &HeaderMap, tx: &str) -> bool {
        let mut inner = self.lock();
        let session = inner.session(headers);
        session.is_some_and(|session| session.authorizations.remove(tx).is_some())
    }

    /// Logs `subject` in, in the session of the browser that sent `headers` (or a new
    /// one): the session's new ID, for the `sid` cookie.
    pub fn log_in(&self, headers: &HeaderMap, subject: &str) -> String {
        let id = random_token();
        let mut inner = self.lock();
        inner.prune();
        let old = inner.session_id(headers);
        let mut session = old
            .and_then(|old| inner.sessions.remove(&old))
            .unwrap_or_default();
        session.login = Some((subject.to_owned(), now_secs()));
        session.extend(LOGIN_LIFETIME);
        inner.sessions.insert(id.clone(), session);
        id
    }

    /// The user logged in to the session of the browser that sent `headers`, and when they
    /// logged in.
    pub fn logged_in(&self, headers: &HeaderMap) -> Option<(String, i64)> {
        let mut inner = self.lock();
        inner.session(headers)?.login.clone()
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

/// For `prompt=none`: the user logged in to the browser's session.
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
