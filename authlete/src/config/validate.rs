//! The checks [`ConfigBuilder::build`](super::ConfigBuilder::build) makes, and the
//! parsing of text values.

use std::time::Duration;

use authlete_sys::Secret;
use url::Url;

use super::error::ConfigError;
use super::types::{Origin, SHORT_VALUE, Setting, showable};

pub(super) fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub(super) fn trimmed_secret(value: Option<&Secret>) -> Option<Secret> {
    let secret = value?;
    let exposed = secret.expose_secret();
    let trimmed = exposed.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == exposed.len() {
        Some(secret.clone())
    } else {
        Some(Secret::new(trimmed))
    }
}

/// PEM text pasted into a single-line environment variable often has `\n` sequences for
/// its line breaks; a backslash never occurs in PEM, so they can be turned back.
pub(super) fn unescape_newlines(pem: Secret) -> Secret {
    match unescaped(pem.expose_secret()) {
        Some(text) => Secret::new(text),
        None => pem,
    }
}

/// [`unescape_newlines`] for text that is not secret.
pub(super) fn unescape_newlines_str(pem: String) -> String {
    unescaped(&pem).unwrap_or(pem)
}

/// The text with its `\n` (and `\r\n`) sequences turned into line breaks, if it has such
/// sequences and no line break.
fn unescaped(text: &str) -> Option<String> {
    (!text.contains('\n') && text.contains("\\n"))
        .then(|| text.replace("\\r\\n", "\n").replace("\\n", "\n"))
}

pub(super) fn parse_seconds(
    setting: Setting,
    value: &str,
    origin: &Origin,
) -> Result<Duration, ConfigError> {
    let error = |reason: &str| ConfigError::InvalidTimeout {
        setting,
        value: showable(value, SHORT_VALUE),
        reason: reason.to_owned(),
        origin: origin.clone(),
    };
    let seconds: f64 = value
        .trim()
        .parse()
        .map_err(|_| error("expected a number of seconds, such as 30 or 2.5"))?;
    if !seconds.is_finite() {
        return Err(error("expected a number of seconds, such as 30 or 2.5"));
    }
    if seconds < 0.0 {
        return Err(error("a timeout must be greater than zero"));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| error("the value is too large"))
}

pub(super) fn parse_base_url(value: &str, origin: Origin) -> Result<Url, ConfigError> {
    let error = |reason: String| ConfigError::InvalidBaseUrl {
        value: if value.contains("://") {
            Some(redact_url(value))
        } else {
            // Not even URL-like: show it only if it is short.
            showable(value, 32)
        },
        reason,
        origin: origin.clone(),
    };
    let mut url = Url::parse(value).map_err(|e| {
        error(match e {
            url::ParseError::RelativeUrlWithoutBase => {
                "not an absolute URL: it must start with https:// (or http://)".to_owned()
            }
            other => format!("not a URL ({other})"),
        })
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(error(format!(
            "the scheme must be https or http, not {}",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(error(
            "it must not contain a user name or password".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(error(
            "it must not have a query (?...) or fragment (#...)".to_owned(),
        ));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

/// The proxy URL: `http://` or `https://`, a host, an optional port, user name and
/// password, nothing else. Text without a scheme (`proxy.internal:3128`) is read as
/// `http://`, as curl and the `HTTPS_PROXY` conventions do.
pub(super) fn parse_proxy(value: &str, origin: Origin) -> Result<Url, ConfigError> {
    let text = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let error = |reason: String| ConfigError::InvalidProxy {
        value: if value.contains("://") || value.contains('@') {
            Some(redact_url(&text))
        } else {
            showable(value, 64)
        },
        reason,
        origin: origin.clone(),
    };
    let url = Url::parse(&text).map_err(|e| error(format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(error(format!(
            "the scheme must be http or https, not {} (SOCKS proxies are not supported)",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error("it has no host".to_owned()));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(error(
            "a proxy URL has no path, query or fragment: only scheme, host and port".to_owned(),
        ));
    }
    Ok(url)
}

/// The URL with the password of its user info, if any, replaced by `***`. Works on text
/// that does not parse, too.
pub(super) fn redact_url(value: &str) -> String {
    let Some(scheme_end) = value.find("://") else {
        return value.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &value[authority_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let user_info = &authority[..at];
            let user = user_info.split(':').next().unwrap_or("");
            let redacted = if user_info.contains(':') {
                format!("{user}:***")
            } else {
                "***".to_owned()
            };
            format!(
                "{}{}{}",
                &value[..authority_start],
                redacted,
                &value[authority_start + at..]
            )
        }
        None => value.to_owned(),
    }
}

pub(super) fn check_dpop_key(text: &str) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "not JSON (syntax error at line {}, column {}); expected a JWK such as \
             {{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":...,\"y\":...,\"d\":...}}",
            e.line(),
            e.column()
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err("not a JSON object; expected a JWK such as {\"kty\":\"EC\",...}".to_owned());
    };
    let kty = match object.get("kty") {
        None => return Err("the JWK has no \"kty\" member".to_owned()),
        Some(serde_json::Value::String(kty)) if !kty.is_empty() => kty.as_str(),
        Some(_) => return Err("the JWK's \"kty\" is not a non-empty string".to_owned()),
    };
    match kty {
        "oct" => Err(
            "it is a symmetric (\"oct\") key; DPoP needs an EC, RSA or OKP private key".to_owned(),
        ),
        "EC" | "RSA" | "OKP" if !object.contains_key("d") => Err(
            "it is a public key: the JWK has no private part (\"d\"); DPoP needs the private key"
                .to_owned(),
        ),
        _ => Ok(()),
    }
}

/// The PEM labels named in messages; any other label (which could be part of a secret
/// in malformed text) is not shown.
const PEM_LABELS: &[&str] = &[
    "CERTIFICATE",
    "TRUSTED CERTIFICATE",
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "PUBLIC KEY",
];

fn pem_label(line: &str, marker: &str) -> Option<String> {
    let label = line.strip_prefix(marker)?.strip_suffix("-----")?;
    // RFC 7468: printable characters, hyphens and spaces only between them.
    let valid = !label.contains("--")
        && !label.starts_with(['-', ' '])
        && !label.ends_with(['-', ' '])
        && label.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    valid.then(|| label.to_owned())
}

fn pem_name(label: &str) -> String {
    if PEM_LABELS.contains(&label) {
        format!("the PEM block {label}")
    } else {
        "a PEM block".to_owned()
    }
}

/// The labels of the PEM blocks of `text`, in order, or why its blocks are malformed.
/// Text outside the blocks (comments in a CA bundle, say) is ignored.
fn pem_block_labels(text: &str) -> Result<Vec<String>, String> {
    let mut labels = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = pem_label(line, "-----BEGIN ") {
            if let Some(open) = &open {
                return Err(format!("{} has no -----END ...----- line", pem_name(open)));
            }
            open = Some(label);
        } else if let Some(label) = pem_label(line, "-----END ") {
            if open.as_ref() != Some(&label) {
                return Err(format!(
                    "{} ends with an -----END ...----- line without a matching -----BEGIN ...----- line",
                    pem_name(&label)
                ));
            }
            labels.push(label);
            open = None;
        }
    }
    if let Some(open) = &open {
        return Err(format!("{} has no -----END ...----- line", pem_name(open)));
    }
    if labels.is_empty() && text.contains("-----BEGIN ") {
        return Err(
            "the PEM text has no line breaks: each -----BEGIN ...----- and \
             -----END ...----- marker must be on its own line (write \\n for a line break \
             in a one-line value)"
                .to_owned(),
        );
    }
    Ok(labels)
}

pub(super) fn check_pem(text: &str) -> Result<(), String> {
    let labels = pem_block_labels(text)?;
    if labels.is_empty() {
        return Err(
            "no PEM block: expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- \
             followed by the private key's block"
                .to_owned(),
        );
    }
    if !labels.iter().any(|label| label == "CERTIFICATE") {
        return Err("no certificate: expected a -----BEGIN CERTIFICATE----- block".to_owned());
    }
    if !labels.iter().any(|label| label.ends_with("PRIVATE KEY")) {
        return Err("no private key: expected a -----BEGIN PRIVATE KEY----- block (or an RSA or EC PRIVATE KEY block) after the certificate".to_owned());
    }
    Ok(())
}

/// Checks a bundle of trusted root certificates: PEM text with one or more `CERTIFICATE`
/// blocks and no other block. Returns the number of certificates.
pub(super) fn check_trusted_roots(text: &str) -> Result<usize, String> {
    let labels = pem_block_labels(text)?;
    if let Some(other) = labels.iter().find(|label| *label != "CERTIFICATE") {
        let hint = if other.ends_with("PRIVATE KEY") {
            " (a client certificate's private key belongs in the client certificate setting)"
        } else {
            ""
        };
        return Err(format!(
            "it contains {}: only -----BEGIN CERTIFICATE----- blocks of CA certificates \
             belong here{hint}",
            pem_name(other)
        ));
    }
    if labels.is_empty() {
        return Err(
            "no certificate: expected one or more -----BEGIN CERTIFICATE----- ... \
             -----END CERTIFICATE----- blocks"
                .to_owned(),
        );
    }
    Ok(labels.len())
}

/// How many `CERTIFICATE` blocks PEM text seems to have, for `Debug`; the text need not
/// be valid.
pub(super) fn count_certificates(text: &str) -> usize {
    text.matches("-----BEGIN CERTIFICATE-----").count()
}

pub(super) fn check_user_agent(value: &str) -> Result<(), ConfigError> {
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_graphic() || *c == ' ' || *c == '\t'))
    {
        return Err(ConfigError::InvalidUserAgent {
            reason: format!(
                "it contains {c:?}; a header value may only contain visible ASCII characters, spaces and tabs"
            ),
        });
    }
    Ok(())
}
