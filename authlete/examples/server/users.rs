//! The users of the example server: a fixed in-memory directory (like java-oauth-server's
//! `UserDao`), the claims it releases, and the CIBA side (who a hint designates, and the
//! requests waiting for a user's decision on `/ciba/approve`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authlete::flows::ciba::{CibaAuthentication, CibaUsers, HintType};
use authlete::flows::userinfo::{Claims, ClaimsProvider};
use authlete::types::UserinfoResponse;
use serde_json::{Value, json};

/// A user of the demo. Real servers keep password hashes, not passwords.
#[derive(Debug)]
pub struct User {
    /// The unique, stable identifier: the `sub` of the tokens.
    pub subject: &'static str,
    /// What the user types in the login form.
    pub login_id: &'static str,
    password: &'static str,
    pub name: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub email: &'static str,
    pub phone_number: &'static str,
}

/// Everyone who can log in: `john`/`john` and `jane`/`jane`.
pub static USERS: [User; 2] = [
    User {
        subject: "1001",
        login_id: "john",
        password: "john",
        name: "John Smith",
        given_name: "John",
        family_name: "Smith",
        email: "john@example.com",
        phone_number: "+1 (425) 555-1212",
    },
    User {
        subject: "1002",
        login_id: "jane",
        password: "jane",
        name: "Jane Smith",
        given_name: "Jane",
        family_name: "Smith",
        email: "jane@example.com",
        phone_number: "+1 (425) 555-1213",
    },
];

/// The user with this login ID and password.
pub fn authenticate(login_id: &str, password: &str) -> Option<&'static User> {
    USERS
        .iter()
        .find(|u| u.login_id == login_id.trim())
        .filter(|u| u.password == password)
}

/// The user with this subject.
pub fn by_subject(subject: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.subject == subject)
}

/// The user a CIBA `login_hint` names: login ID, e-mail address or subject.
pub fn by_hint(hint: &str) -> Option<&'static User> {
    let hint = hint.trim();
    USERS
        .iter()
        .find(|u| u.login_id == hint || u.subject == hint || u.email.eq_ignore_ascii_case(hint))
}

impl User {
    /// The values of the claims named (OpenID Connect Core 5.1 names); claims the user
    /// has no value for, and names with a language tag, are left out.
    pub fn claims<S: AsRef<str>>(&self, names: &[S]) -> Claims {
        let mut claims = Claims::new();
        for name in names {
            let name = name.as_ref();
            let value = match name {
                "name" => json!(self.name),
                "given_name" => json!(self.given_name),
                "family_name" => json!(self.family_name),
                "preferred_username" => json!(self.login_id),
                "email" => json!(self.email),
                "email_verified" => json!(true),
                "phone_number" => json!(self.phone_number),
                "phone_number_verified" => json!(false),
                _ => continue,
            };
            claims.insert(name.to_owned(), value);
        }
        claims
    }

    /// Whether `password` is this user's.
    pub fn has_password(&self, password: &str) -> bool {
        self.password == password
    }
}

/// The claims of the UserInfo endpoint come from the directory.
#[derive(Debug, Clone, Copy)]
pub struct Directory;

impl ClaimsProvider for Directory {
    async fn claims(&self, subject: &str, names: &[String], _: &UserinfoResponse) -> Claims {
        by_subject(subject).map_or_else(Claims::new, |user| user.claims(names))
    }
}

/// A CIBA request waiting for the user's decision on `/ciba/approve`, the page that
/// stands in for the user's authentication device.
#[derive(Debug, Clone)]
pub struct PendingCiba {
    /// The ID the approval form posts back.
    pub id: String,
    /// The ticket for `/backchannel/authentication/complete`.
    pub ticket: String,
    /// The user the request is for.
    pub user: &'static User,
    pub client_name: String,
    pub scopes: Vec<String>,
    pub claim_names: Vec<String>,
    pub binding_message: Option<String>,
    pub expires: Instant,
}

/// The CIBA requests waiting for a decision. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct CibaInbox {
    pending: Arc<Mutex<Vec<PendingCiba>>>,
}

impl CibaInbox {
    /// The requests still waiting, oldest first.
    pub fn pending(&self) -> Vec<PendingCiba> {
        let mut pending = self.pending.lock().unwrap();
        let now = Instant::now();
        pending.retain(|p| p.expires > now);
        pending.clone()
    }

    /// Takes the request `id` out of the inbox.
    pub fn take(&self, id: &str) -> Option<PendingCiba> {
        let mut pending = self.pending.lock().unwrap();
        let index = pending.iter().position(|p| p.id == id)?;
        Some(pending.remove(index)).filter(|p| p.expires > Instant::now())
    }

    /// Puts a request taken with [`take`](Self::take) back.
    pub fn put_back(&self, request: PendingCiba) {
        self.pending.lock().unwrap().push(request);
    }
}

/// The application's side of CIBA: users are found by login ID, e-mail or subject (or
/// the `sub` of an ID token hint); accepted requests go to the inbox.
#[derive(Debug, Clone)]
pub struct CibaDirectory {
    pub inbox: CibaInbox,
}

impl CibaUsers for CibaDirectory {
    type User = &'static User;

    async fn find_user(
        &self,
        hint_type: &HintType,
        hint: &str,
        sub: Option<&str>,
    ) -> Option<&'static User> {
        match hint_type {
            HintType::LoginHint => by_hint(hint),
            HintType::IdTokenHint => sub.and_then(by_subject),
            // A login_hint_token would have to be verified first; the demo takes none.
            _ => None,
        }
    }

    async fn start_authentication(&self, authentication: CibaAuthentication<&'static User>) {
        // A real server would now push a notification to the user's phone. Here the request
        // waits on /ciba/approve.
        let request = &authentication.request;
        let lifetime = authentication
            .expires_in
            .and_then(|s| u64::try_from(s).ok());
        let pending = PendingCiba {
            id: crate::common::random_token(),
            ticket: authentication.ticket.clone(),
            user: authentication.user,
            client_name: request.client_name.clone().unwrap_or_default(),
            scopes: request
                .scopes
                .iter()
                .filter_map(|s| s.name.clone())
                .collect(),
            claim_names: request.claim_names.clone(),
            binding_message: request.binding_message.clone(),
            expires: Instant::now() + Duration::from_secs(lifetime.unwrap_or(600)),
        };
        self.inbox.pending.lock().unwrap().push(pending);
    }
}

/// The claims of `user` that `names` asks for, as the JSON string Authlete takes.
pub fn claims_json<S: AsRef<str>>(user: &User, names: &[S]) -> Option<String> {
    let claims = user.claims(names);
    (!claims.is_empty()).then(|| Value::Object(claims).to_string())
}
