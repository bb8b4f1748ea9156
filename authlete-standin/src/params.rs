//! The parameters of a form-encoded OAuth request, as Authlete reads them: each parameter
//! once, except those that may repeat.

use std::collections::HashMap;
use std::fmt;

/// The parameters that may be given more than once (RFC 8707 `resource`, RFC 8693
/// `audience`); any other repeated parameter makes the request invalid (RFC 6749 sections
/// 3.1 and 3.2).
const REPEATABLE: [&str; 2] = ["resource", "audience"];

/// The parameters of a form-encoded request.
#[derive(Clone, Default)]
pub(super) struct Params {
    values: HashMap<String, Vec<String>>,
}

/// The parameters' names only: values include secrets (`client_secret`, `password`,
/// `code_verifier`, tokens).
impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.values.keys().collect();
        names.sort_unstable();
        f.debug_struct("Params")
            .field("names", &names)
            .finish_non_exhaustive()
    }
}

impl Params {
    pub(super) fn parse(text: &str) -> Self {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (name, value) in form_urlencoded::parse(text.as_bytes()) {
            values
                .entry(name.into_owned())
                .or_default()
                .push(value.into_owned());
        }
        Params { values }
    }

    /// The first parameter given more than once that may not be, if any.
    pub(super) fn repeated(&self) -> Option<&str> {
        let mut names: Vec<&str> = (self.values.iter())
            .filter(|(name, values)| values.len() > 1 && !REPEATABLE.contains(&name.as_str()))
            .map(|(name, _)| name.as_str())
            .collect();
        names.sort_unstable();
        names.first().copied()
    }

    /// The refusal of a request with a repeated parameter: its OAuth error description.
    pub(super) fn check_repeated(&self) -> Result<(), String> {
        match self.repeated() {
            Some(name) => Err(format!("The request has more than one {name} parameter.")),
            None => Ok(()),
        }
    }

    /// The value of the parameter `name` (its first, if it is repeated).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name)?.first().map(String::as_str)
    }

    /// Every value of the parameter `name`.
    pub(super) fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    pub(super) fn insert(&mut self, name: &str, value: String) {
        self.values.insert(name.to_owned(), vec![value]);
    }

    pub(super) fn remove(&mut self, name: &str) -> Option<String> {
        self.values.remove(name)?.into_iter().next()
    }

    /// The requested scopes, or why they are refused: each must be one of `supported`.
    pub(super) fn scopes(&self, supported: &[&str]) -> Result<Vec<String>, String> {
        let scopes: Vec<String> = self
            .get("scope")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        match scopes.iter().find(|s| !supported.contains(&s.as_str())) {
            Some(unknown) => Err(format!("The scope {unknown} is not supported.")),
            None => Ok(scopes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    #[test]
    fn a_repeated_single_valued_parameter_is_named() {
        let params = Params::parse("grant_type=a&code=1&code=2&redirect_uri=x");
        assert_eq!(params.repeated(), Some("code"));
        assert!(params.check_repeated().is_err());
    }

    #[test]
    fn resource_and_audience_may_repeat() {
        let params = Params::parse("resource=https://a&resource=https://b&audience=x&audience=y");
        assert_eq!(params.repeated(), None);
        assert_eq!(params.all("resource"), ["https://a", "https://b"]);
    }

    #[test]
    fn debug_output_names_the_parameters_without_their_values() {
        let params = Params::parse("client_secret=planted-s3cret&password=hunter2&scope=openid");
        let debug = format!("{params:?}");
        assert!(
            debug.contains("client_secret") && debug.contains("password"),
            "{debug}"
        );
        assert!(
            !debug.contains("planted-s3cret") && !debug.contains("hunter2"),
            "{debug}"
        );
    }

    #[test]
    fn unknown_scopes_are_refused() {
        let params = Params::parse("scope=openid+admin");
        assert!(params.scopes(&["openid"]).is_err());
        assert_eq!(params.scopes(&["openid", "admin"]).unwrap().len(), 2);
    }
}
