//! Configuration: every environment variable and INI key, the builder, validation, and
//! that no secret shows in `Debug` or in an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use authlete::config::{
    ApiVersion, Cluster, Config, ConfigBuilder, ConfigError, DEFAULT_USER_AGENT, Origin, Secret,
    Setting, Timeouts,
};

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/// Every secret value in these tests contains this marker; no `Debug` or message may.
const PLANTED: &str = "PLANTED-SECRET";

const DPOP_KEY: &str = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"PLANTED-SECRET-DPOP-D"}"#;

const PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUPLANTED-SECRET-CERT
-----END CERTIFICATE-----
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49PLANTED-SECRET-KEY
-----END PRIVATE KEY-----
";

/// Two CA certificates (not secret: no planted marker).
const ROOTS: &str = "-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUROOT1
-----END CERTIFICATE-----
-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUROOT2
-----END CERTIFICATE-----
";

/// [`ROOTS`] as in a system CA bundle, with comment lines around the certificates.
const ROOTS_WITH_COMMENTS: &str = "# Example Private Root CA 1
-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUROOT1
-----END CERTIFICATE-----

# Example Private Root CA 2
-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUROOT2
-----END CERTIFICATE-----
";

/// One CA certificate.
const ROOT_ONE: &str = "-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUROOT1
-----END CERTIFICATE-----
";

/// A fake environment.
fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

fn from_env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_env_with(env(pairs))
}

/// A V3 environment with every variable set.
fn full_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AUTHLETE_BASE_URL", "https://jp.authlete.com"),
        ("AUTHLETE_API_VERSION", "V3"),
        ("AUTHLETE_SERVICEOWNER_APIKEY", "so-key"),
        (
            "AUTHLETE_SERVICEOWNER_APISECRET",
            "PLANTED-SECRET-SO-APISECRET",
        ),
        (
            "AUTHLETE_SERVICEOWNER_ACCESSTOKEN",
            "PLANTED-SECRET-SO-TOKEN",
        ),
        ("AUTHLETE_SERVICE_APIKEY", "715948317"),
        ("AUTHLETE_SERVICE_APISECRET", "PLANTED-SECRET-APISECRET"),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET-TOKEN"),
        ("AUTHLETE_DPOP_KEY", DPOP_KEY),
        ("AUTHLETE_CLIENT_CERTIFICATE", PEM),
        ("AUTHLETE_TRUSTED_ROOT_CERTIFICATES", ROOTS),
        (
            "AUTHLETE_PROXY",
            "http://proxy-user:PLANTED-SECRET-PROXY@proxy.internal:3128",
        ),
        ("AUTHLETE_TIMEOUT_CONNECT", "2"),
        ("AUTHLETE_TIMEOUT_READ", "12.5"),
        ("AUTHLETE_TIMEOUT_TOTAL", "40"),
    ]
}

/// `pairs` with `name` replaced (or removed, for `None`).
fn with(
    mut pairs: Vec<(&'static str, &'static str)>,
    name: &'static str,
    value: Option<&'static str>,
) -> Vec<(&'static str, &'static str)> {
    pairs.retain(|(n, _)| *n != name);
    if let Some(value) = value {
        pairs.push((name, value));
    }
    pairs
}

/// A V3 INI file with every key set, with the PEM as a quoted multi-line value.
fn full_ini() -> String {
    format!(
        "[authlete]
base_url = https://jp.authlete.com
api_version = V3
service_owner.api_key = so-key
service_owner.api_secret = PLANTED-SECRET-SO-APISECRET
service_owner.access_token = PLANTED-SECRET-SO-TOKEN
service.api_key = 715948317
service.api_secret = PLANTED-SECRET-APISECRET
service.access_token = PLANTED-SECRET-TOKEN
service.dpop_key = {DPOP_KEY}
service.client_certificate = \"{PEM}\"
trusted_root_certificates = \"{ROOTS}\"
proxy = http://proxy-user:PLANTED-SECRET-PROXY@proxy.internal:3128
timeout.connect = 2
timeout.read = 12.5
timeout.total = 40
"
    )
}

/// `text` written to `authlete.ini` in a new temporary directory.
fn ini_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("authlete.ini");
    std::fs::write(&path, text).expect("write the INI file");
    (dir, path)
}

/// A builder with a valid V3 configuration.
fn v3() -> ConfigBuilder {
    Config::builder()
        .cluster(Cluster::Us)
        .service_api_key("715948317")
        .service_access_token("PLANTED-SECRET-TOKEN")
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(PLANTED), "a secret leaked: {text}");
}

/// Checks that neither the message nor `Debug` of `error` shows a secret, and returns the
/// message.
fn message(error: &ConfigError) -> String {
    let display = error.to_string();
    assert_no_secret(&display);
    assert_no_secret(&format!("{error:?}"));
    display
}

fn assert_mentions(error: &ConfigError, parts: &[&str]) {
    let text = message(error);
    for part in parts {
        assert!(text.contains(part), "{part:?} not in {text:?}");
    }
}

fn expose(secret: Option<&Secret>) -> Option<&str> {
    secret.map(Secret::expose_secret)
}

/// Checks every accessor against the values of [`full_env`] and [`full_ini`].
fn assert_full(config: &Config) {
    assert_eq!(config.base_url().as_str(), "https://jp.authlete.com/");
    assert_eq!(config.api_version(), ApiVersion::V3);
    assert_eq!(config.service_owner_api_key(), Some("so-key"));
    assert_eq!(
        expose(config.service_owner_api_secret()),
        Some("PLANTED-SECRET-SO-APISECRET")
    );
    assert_eq!(
        expose(config.service_owner_access_token()),
        Some("PLANTED-SECRET-SO-TOKEN")
    );
    assert_eq!(config.service_api_key(), Some("715948317"));
    assert_eq!(
        expose(config.service_api_secret()),
        Some("PLANTED-SECRET-APISECRET")
    );
    assert_eq!(
        expose(config.service_access_token()),
        Some("PLANTED-SECRET-TOKEN")
    );
    assert_eq!(expose(config.dpop_key()), Some(DPOP_KEY));
    assert_eq!(expose(config.client_certificate()), Some(PEM.trim()));
    assert_eq!(config.trusted_root_certificates(), Some(ROOTS.trim()));
    assert_eq!(
        config.proxy().map(|url| url.as_str()),
        Some("http://proxy-user:PLANTED-SECRET-PROXY@proxy.internal:3128/")
    );
    assert_eq!(
        config.timeouts(),
        Timeouts::new(
            Duration::from_secs(2),
            Duration::from_millis(12_500),
            Duration::from_secs(40)
        )
    );
    assert_eq!(config.user_agent(), DEFAULT_USER_AGENT);
}

// ---------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------

#[test]
fn env_reads_every_variable() {
    let config = from_env(&full_env()).unwrap();
    assert_full(&config);
    // Every variable of the table is one the test sets.
    let names: Vec<_> = full_env().iter().map(|(n, _)| *n).collect();
    for setting in Setting::ALL {
        if let Some(var) = setting.env_var() {
            assert!(names.contains(&var), "{var} is not tested");
        }
    }
}

#[test]
fn env_v3_with_service_owner_token_only() {
    let config = from_env(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_SERVICEOWNER_ACCESSTOKEN", "PLANTED-SECRET-SO"),
        ("AUTHLETE_SERVICE_APIKEY", "715948317"),
    ])
    .unwrap();
    assert_eq!(config.api_version(), ApiVersion::V3);
    assert_eq!(
        expose(config.service_owner_access_token()),
        Some("PLANTED-SECRET-SO")
    );
    assert_eq!(config.service_access_token().map(|_| ()), None);
    assert_eq!(config.timeouts(), Timeouts::default());
}

#[test]
fn env_v2_happy_paths() {
    let service = from_env(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_API_VERSION", "V2"),
        ("AUTHLETE_SERVICE_APIKEY", "715948317"),
        ("AUTHLETE_SERVICE_APISECRET", "PLANTED-SECRET-1"),
    ])
    .unwrap();
    assert_eq!(service.api_version(), ApiVersion::V2);
    assert_eq!(service.service_api_key(), Some("715948317"));
    assert_eq!(
        expose(service.service_api_secret()),
        Some("PLANTED-SECRET-1")
    );

    let owner = from_env(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_API_VERSION", "2"),
        ("AUTHLETE_SERVICEOWNER_APIKEY", "owner"),
        ("AUTHLETE_SERVICEOWNER_APISECRET", "PLANTED-SECRET-2"),
    ])
    .unwrap();
    assert_eq!(owner.api_version(), ApiVersion::V2);
    assert_eq!(owner.service_owner_api_key(), Some("owner"));
    assert_eq!(owner.service_api_key(), None);
}

#[test]
fn env_empty_and_blank_values_are_unset() {
    let config = from_env(&[
        ("AUTHLETE_BASE_URL", "  https://us.authlete.com  "),
        ("AUTHLETE_API_VERSION", ""),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", " PLANTED-SECRET-T \n"),
        ("AUTHLETE_SERVICE_APIKEY", " 715948317 "),
        ("AUTHLETE_SERVICE_APISECRET", "   "),
        ("AUTHLETE_DPOP_KEY", ""),
        ("AUTHLETE_CLIENT_CERTIFICATE", ""),
        ("AUTHLETE_TRUSTED_ROOT_CERTIFICATES", " \n "),
        ("AUTHLETE_TIMEOUT_READ", ""),
    ])
    .unwrap();
    assert_eq!(config.api_version(), ApiVersion::V3);
    assert_eq!(config.base_url().as_str(), "https://us.authlete.com/");
    assert_eq!(
        expose(config.service_access_token()),
        Some("PLANTED-SECRET-T")
    );
    assert_eq!(config.service_api_key(), Some("715948317"));
    assert!(config.service_api_secret().is_none());
    assert!(config.dpop_key().is_none());
    assert!(config.client_certificate().is_none());
    assert_eq!(config.trusted_root_certificates(), None);
    assert_eq!(config.timeouts().read, Timeouts::DEFAULT_READ);
}

#[test]
fn env_api_version_spellings() {
    for (value, expected) in [
        ("V2", ApiVersion::V2),
        ("v2", ApiVersion::V2),
        ("2", ApiVersion::V2),
        ("V3", ApiVersion::V3),
        ("v3", ApiVersion::V3),
        (" 3 ", ApiVersion::V3),
    ] {
        let config = from_env(&[
            ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
            ("AUTHLETE_API_VERSION", value),
            ("AUTHLETE_SERVICE_APIKEY", "k"),
            ("AUTHLETE_SERVICE_APISECRET", "PLANTED-SECRET"),
            ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
        ])
        .unwrap();
        assert_eq!(config.api_version(), expected, "{value}");
    }
}

#[test]
fn env_pem_with_escaped_newlines() {
    let one_line = PEM.trim().replace('\n', "\\n");
    let lookup = move |name: &str| match name {
        "AUTHLETE_BASE_URL" => Some("https://us.authlete.com".to_owned()),
        "AUTHLETE_SERVICE_ACCESSTOKEN" => Some("PLANTED-SECRET".to_owned()),
        "AUTHLETE_SERVICE_APIKEY" => Some("715948317".to_owned()),
        "AUTHLETE_CLIENT_CERTIFICATE" => Some(one_line.clone()),
        _ => None,
    };
    let config = Config::from_env_with(lookup).unwrap();
    assert_eq!(expose(config.client_certificate()), Some(PEM.trim()));
}

#[test]
fn env_trusted_root_certificates() {
    // Multi-line, as written.
    let config = from_env(&[
        ("AUTHLETE_BASE_URL", "https://authlete.internal.example"),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
        ("AUTHLETE_SERVICE_APIKEY", "715948317"),
        ("AUTHLETE_TRUSTED_ROOT_CERTIFICATES", ROOTS),
    ])
    .unwrap();
    assert_eq!(config.trusted_root_certificates(), Some(ROOTS.trim()));
    // One line with `\n` escapes (and `\r\n` ones), as environment variables often are.
    for one_line in [
        ROOTS.trim().replace('\n', "\\n"),
        ROOTS.trim().replace('\n', "\\r\\n"),
    ] {
        let config = from_env(&[
            ("AUTHLETE_BASE_URL", "https://authlete.internal.example"),
            ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
            ("AUTHLETE_SERVICE_APIKEY", "715948317"),
            ("AUTHLETE_TRUSTED_ROOT_CERTIFICATES", &one_line),
        ])
        .unwrap();
        assert_eq!(
            config.trusted_root_certificates(),
            Some(ROOTS.trim()),
            "{one_line}"
        );
    }
    // Text around the certificates, as in CA bundles, is kept and ignored.
    let config = from_env(&[
        ("AUTHLETE_BASE_URL", "https://authlete.internal.example"),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
        ("AUTHLETE_SERVICE_APIKEY", "715948317"),
        ("AUTHLETE_TRUSTED_ROOT_CERTIFICATES", ROOTS_WITH_COMMENTS),
    ])
    .unwrap();
    assert_eq!(
        config.trusted_root_certificates(),
        Some(ROOTS_WITH_COMMENTS.trim())
    );
    assert!(format!("{config:?}").contains("trusted_root_certificates: Some(2 certificates)"));
    // Unset by default.
    let config = from_env(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
        ("AUTHLETE_SERVICE_APIKEY", "715948317"),
    ])
    .unwrap();
    assert_eq!(config.trusted_root_certificates(), None);
}

// ---------------------------------------------------------------------------------------
// INI
// ---------------------------------------------------------------------------------------

#[test]
fn ini_trusted_root_certificates() {
    let base = "[authlete]\nbase_url = https://authlete.internal.example\nservice.api_key = 715948317\nservice.access_token = PLANTED-SECRET\n";
    // Quoted, spanning lines.
    let config =
        Config::from_ini_str(&format!("{base}trusted_root_certificates = \"{ROOTS}\"\n")).unwrap();
    assert_eq!(config.trusted_root_certificates(), Some(ROOTS.trim()));
    // One line with `\n` escapes, unquoted; backslashes are kept by the INI reader and
    // read as line breaks in PEM text.
    let one_line = ROOTS.trim().replace('\n', "\\n");
    let (_dir, path) = ini_file(&format!("{base}trusted_root_certificates = {one_line}\n"));
    let config = Config::from_ini_file(&path).unwrap();
    assert_eq!(config.trusted_root_certificates(), Some(ROOTS.trim()));
    // The key is not namespaced, and is case-sensitive like every key.
    let error = Config::from_ini_str(&format!("{base}Trusted_Root_Certificates = {one_line}\n"))
        .unwrap_err();
    assert!(
        matches!(
            &error,
            ConfigError::WrongCaseIniKey {
                expected: "trusted_root_certificates",
                ..
            }
        ),
        "{error:?}"
    );
    // In a quoted value, lines starting with `#` are still INI comments: a CA bundle's
    // comment lines drop out (but for one on the key's own line, which stays as text
    // outside the PEM blocks), and its certificates stay.
    let config = Config::from_ini_str(&format!(
        "{base}trusted_root_certificates = \"{ROOTS_WITH_COMMENTS}\"\n"
    ))
    .unwrap();
    let roots = config.trusted_root_certificates().unwrap();
    assert!(!roots.contains("Root CA 2"), "{roots}");
    assert!(format!("{config:?}").contains("trusted_root_certificates: Some(2 certificates)"));
    // Empty is unset.
    let config = Config::from_ini_str(&format!("{base}trusted_root_certificates =\n")).unwrap();
    assert_eq!(config.trusted_root_certificates(), None);
}

#[test]
fn ini_reads_every_key() {
    let (_dir, path) = ini_file(&full_ini());
    let config = Config::from_ini_file(&path).unwrap();
    assert_full(&config);
    assert_full(&Config::from_ini_str(&full_ini()).unwrap());
    for setting in Setting::ALL {
        if let Some(key) = setting.ini_key() {
            assert!(
                full_ini().contains(&format!("\n{key} = ")),
                "{key} is not tested"
            );
        }
    }
}

#[test]
fn ini_with_comments_quotes_whitespace_and_other_sections() {
    let text = "\u{feff}; a comment\r\n\
                # another comment\r\n\
                [other]\r\n\
                base_url = https://other.example\r\n\
                \r\n\
                [ authlete ]\r\n\
                \t  base_url   =   'https://eu.authlete.com/'  \r\n\
                  ; an indented comment\r\n\
                  # another one\r\n\
                api_version: \"v2\"\r\n\
                service.api_key=715948317\r\n\
                service.api_secret = \"  PLANTED-SECRET-QUOTED  \"\r\n\
                future.setting = ignored\r\n\
                service.api_key_v4 = ignored too\r\n\
                \r\n\
                [more]\r\n\
                service.api_key = not this one\r\n";
    let (_dir, path) = ini_file(text);
    let config = Config::from_ini_file(&path).unwrap();
    assert_eq!(config.base_url().as_str(), "https://eu.authlete.com/");
    assert_eq!(config.api_version(), ApiVersion::V2);
    assert_eq!(config.service_api_key(), Some("715948317"));
    // Quotes are removed; the surrounding whitespace inside them too, as everywhere.
    assert_eq!(
        expose(config.service_api_secret()),
        Some("PLANTED-SECRET-QUOTED")
    );
}

#[test]
fn ini_keeps_backslashes_and_inline_semicolons() {
    let config = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.api_key = 1\nservice.access_token = a\\nb;c#d\n",
    )
    .unwrap();
    assert_eq!(expose(config.service_access_token()), Some("a\\nb;c#d"));
}

#[test]
fn ini_empty_values_are_unset() {
    let text = "[authlete]\nbase_url = https://us.authlete.com\napi_version =\nservice.api_key = \"\"\n\
         service.access_token = PLANTED-SECRET\n";
    // Without the service ID, a V3 configuration is for service management only.
    assert!(matches!(
        Config::from_ini_str(text).unwrap_err(),
        ConfigError::MissingServiceId { .. }
    ));
    let config = ConfigBuilder::from_ini_str(text)
        .unwrap()
        .service_management_only()
        .build()
        .unwrap();
    assert_eq!(config.api_version(), ApiVersion::V3);
    assert_eq!(config.service_api_key(), None);
}

#[test]
fn ini_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.ini");
    let error = Config::from_ini_file(&path).unwrap_err();
    match &error {
        ConfigError::ReadIniFile {
            path: reported,
            source,
            ..
        } => {
            assert_eq!(reported, &path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_mentions(&error, &["cannot read", "nowhere.ini"]);
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn ini_without_authlete_section() {
    let (_dir, path) = ini_file("base_url = https://us.authlete.com\n[other]\nkey = value\n");
    let error = Config::from_ini_file(&path).unwrap_err();
    assert!(matches!(
        &error,
        ConfigError::MissingIniSection { path: Some(p), found: None, .. } if p == &path
    ));
    assert_mentions(&error, &["[authlete]", "authlete.ini"]);

    let error =
        Config::from_ini_str("[Authlete]\nbase_url = https://us.authlete.com\n").unwrap_err();
    assert!(matches!(
        &error,
        ConfigError::MissingIniSection { path: None, found: Some(f), .. } if f == "Authlete"
    ));
    assert_mentions(&error, &["[Authlete]", "case-sensitive", "the INI text"]);

    let error = Config::from_ini_str("").unwrap_err();
    assert!(matches!(error, ConfigError::MissingIniSection { .. }));
}

#[test]
fn ini_key_in_wrong_case_is_refused() {
    let (_dir, path) = ini_file(
        "[authlete]\nbase_url = https://us.authlete.com\nService.Access_Token = PLANTED-SECRET\n",
    );
    let error = Config::from_ini_file(&path).unwrap_err();
    assert!(matches!(
        &error,
        ConfigError::WrongCaseIniKey { key, expected: "service.access_token", .. }
            if key == "Service.Access_Token"
    ));
    assert_mentions(
        &error,
        &[
            "`Service.Access_Token`",
            "`service.access_token`",
            "authlete.ini",
        ],
    );
}

#[test]
fn ini_duplicates_are_refused() {
    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.access_token = PLANTED-SECRET-1\n\
         service.access_token = PLANTED-SECRET-2\n",
    )
    .unwrap_err();
    assert!(
        matches!(&error, ConfigError::DuplicateIniEntry { entry, .. } if entry == "`service.access_token`")
    );
    assert_mentions(&error, &["`service.access_token`", "more than once"]);

    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\n[other]\n[authlete]\nbase_url = https://jp.authlete.com\n",
    )
    .unwrap_err();
    assert!(
        matches!(&error, ConfigError::DuplicateIniEntry { entry, .. } if entry == "[authlete]")
    );
}

#[test]
fn ini_malformed() {
    // A line that is neither `key = value`, a section nor a comment: reported at its line,
    // without its content (it may be a secret pasted on its own line).
    let (_dir, path) = ini_file(
        "[authlete]\nbase_url = https://us.authlete.com\nPLANTED-SECRET-STRAY\nservice.access_token = x\n",
    );
    let error = Config::from_ini_file(&path).unwrap_err();
    assert!(
        matches!(&error, ConfigError::MalformedIni { line: 3, path: Some(p), .. } if p == &path),
        "{error:?}"
    );
    assert_mentions(&error, &["line 3", "authlete.ini", "key = value"]);

    for (text, line, words) in [
        ("[authlete\nbase_url = x\n", 1, "`]`"),
        ("[authlete]\nbase_url = \"https://x\n", 2, "quote"),
        ("[authlete]\n= value\n", 2, "`=`"),
        ("[authlete]\nbase_url\n", 2, "key = value"),
        (
            "[authlete]\nbase_url = x\n[broken\nkey = value]\n",
            3,
            "`]`",
        ),
    ] {
        let error = Config::from_ini_str(text).unwrap_err();
        match &error {
            ConfigError::MalformedIni {
                line: reported,
                path: None,
                ..
            } => assert_eq!(*reported, line, "{text:?}: {error}"),
            other => panic!("{text:?}: unexpected {other:?}"),
        }
        assert_mentions(&error, &[words, "the INI text"]);
    }
}

// ---------------------------------------------------------------------------------------
// load
// ---------------------------------------------------------------------------------------

#[test]
fn load_prefers_the_file_then_the_environment() {
    let (dir, _path) = ini_file(
        "[authlete]\nbase_url = https://br.authlete.com\nservice.api_key = 1\nservice.access_token = PLANTED-SECRET\n",
    );
    let config = Config::load_with(dir.path(), env(&full_env())).unwrap();
    assert_eq!(config.base_url().as_str(), "https://br.authlete.com/");
    assert_eq!(
        (config.service_api_key(), config.dpop_key().is_some()),
        (Some("1"), false),
        "the environment is not merged"
    );

    let empty = tempfile::tempdir().unwrap();
    let config = Config::load_with(empty.path(), env(&full_env())).unwrap();
    assert_full(&config);
}

#[test]
fn load_finds_nothing() {
    let empty = tempfile::tempdir().unwrap();
    let error = Config::load_with(
        empty.path(),
        env(&[("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET")]),
    )
    .unwrap_err();
    assert!(
        matches!(&error, ConfigError::NotFound { ini_path, .. } if ini_path == &empty.path().join("authlete.ini"))
    );
    assert_mentions(&error, &["authlete.ini", "AUTHLETE_BASE_URL"]);

    // A file that exists is used, and its errors reported, even if the environment is fine.
    let (dir, _path) = ini_file("[other]\n");
    let error = Config::load_with(dir.path(), env(&full_env())).unwrap_err();
    assert!(matches!(error, ConfigError::MissingIniSection { .. }));
}

// ---------------------------------------------------------------------------------------
// Builder, clusters, versions, timeouts
// ---------------------------------------------------------------------------------------

#[test]
fn cluster_presets() {
    let expected = [
        (Cluster::Us, "us", "https://us.authlete.com"),
        (Cluster::Jp, "jp", "https://jp.authlete.com"),
        (Cluster::Eu, "eu", "https://eu.authlete.com"),
        (Cluster::Br, "br", "https://br.authlete.com"),
    ];
    assert_eq!(Cluster::ALL.len(), expected.len());
    for (cluster, name, url) in expected {
        assert!(Cluster::ALL.contains(&cluster));
        assert_eq!(cluster.base_url(), url);
        assert_eq!(cluster.to_string(), name);
        assert_eq!(name.parse::<Cluster>(), Ok(cluster));
        assert_eq!(name.to_uppercase().parse::<Cluster>(), Ok(cluster));
        let config = v3().cluster(cluster).build().unwrap();
        assert_eq!(config.base_url().as_str(), format!("{url}/"));
    }
    let error = "mars".parse::<Cluster>().unwrap_err();
    assert!(error.to_string().contains("\"mars\""));
}

#[test]
fn api_version_parsing_and_display() {
    assert_eq!(ApiVersion::default(), ApiVersion::V3);
    assert_eq!(ApiVersion::V2.to_string(), "V2");
    assert_eq!(ApiVersion::V3.to_string(), "V3");
    assert_eq!("v2".parse::<ApiVersion>(), Ok(ApiVersion::V2));
    assert_eq!("V3".parse::<ApiVersion>(), Ok(ApiVersion::V3));
    assert_eq!("3".parse::<ApiVersion>(), Ok(ApiVersion::V3));
    let error = "V4".parse::<ApiVersion>().unwrap_err();
    assert!(error.to_string().contains("\"V4\""));
    assert!(error.to_string().contains("V2 or V3"));
}

#[test]
fn timeouts_defaults_and_setters() {
    let defaults = Timeouts::default();
    assert_eq!(defaults.connect, Duration::from_secs(5));
    assert_eq!(defaults.read, Duration::from_secs(30));
    assert_eq!(defaults.total, Duration::from_secs(60));
    let custom = Timeouts::default()
        .with_connect(Duration::from_secs(1))
        .with_read(Duration::from_secs(2))
        .with_total(Duration::from_secs(3));
    assert_eq!(
        custom,
        Timeouts::new(
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(3)
        )
    );
    assert_eq!(v3().timeouts(custom).build().unwrap().timeouts(), custom);
    let config = v3()
        .connect_timeout(Duration::from_millis(500))
        .read_timeout(Duration::from_secs(20))
        .total_timeout(Duration::from_secs(25))
        .build()
        .unwrap();
    assert_eq!(
        config.timeouts(),
        Timeouts::new(
            Duration::from_millis(500),
            Duration::from_secs(20),
            Duration::from_secs(25)
        )
    );
    assert_eq!(v3().build().unwrap().timeouts(), defaults);
}

#[test]
fn builder_sets_everything() {
    let config = Config::builder()
        .base_url("https://jp.authlete.com")
        .api_version(ApiVersion::V3)
        .service_owner_api_key("so-key")
        .service_owner_api_secret("PLANTED-SECRET-SO-APISECRET")
        .service_owner_access_token("PLANTED-SECRET-SO-TOKEN")
        .service_api_key("715948317")
        .service_api_secret(Secret::new("PLANTED-SECRET-APISECRET"))
        .service_access_token(String::from("PLANTED-SECRET-TOKEN"))
        .dpop_key(DPOP_KEY)
        .client_certificate(PEM)
        .trusted_root_certificates(ROOTS)
        .proxy("http://proxy-user:PLANTED-SECRET-PROXY@proxy.internal:3128")
        .timeouts(Timeouts::new(
            Duration::from_secs(2),
            Duration::from_millis(12_500),
            Duration::from_secs(40),
        ))
        .build()
        .unwrap();
    assert_full(&config);
    let config = config
        .to_builder()
        .user_agent("my-server/1.0")
        .build()
        .unwrap();
    assert_eq!(config.user_agent(), "my-server/1.0");
}

#[test]
fn builder_overrides_loaded_values() {
    let config = from_env(&full_env()).unwrap();
    let overridden = config
        .to_builder()
        .cluster(Cluster::Eu)
        .service_access_token("PLANTED-SECRET-NEW")
        .read_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    assert_eq!(overridden.base_url().as_str(), "https://eu.authlete.com/");
    assert_eq!(
        expose(overridden.service_access_token()),
        Some("PLANTED-SECRET-NEW")
    );
    assert_eq!(overridden.timeouts().read, Duration::from_secs(3));
    assert_eq!(overridden.timeouts().connect, Duration::from_secs(2));
    assert_eq!(overridden.service_api_key(), Some("715948317"));

    // The same through From, unchanged.
    let same = ConfigBuilder::from(config.clone()).build().unwrap();
    assert_full(&same);

    // An empty value unsets.
    let unset = config
        .to_builder()
        .service_owner_api_key("")
        .service_owner_api_secret("")
        .build()
        .unwrap();
    assert_eq!(unset.service_owner_api_key(), None);
    assert!(unset.service_owner_api_secret().is_none());

    // An incomplete environment completed in code.
    let completed =
        ConfigBuilder::from_env_with(env(&[("AUTHLETE_BASE_URL", "https://us.authlete.com")]))
            .unwrap()
            .service_api_key("715948317")
            .service_access_token("PLANTED-SECRET-FROM-VAULT")
            .build()
            .unwrap();
    assert_eq!(completed.base_url().as_str(), "https://us.authlete.com/");

    // The same for INI text and files.
    let ini = "[authlete]\nbase_url = https://jp.authlete.com\n";
    let from_str = ConfigBuilder::from_ini_str(ini)
        .unwrap()
        .service_api_key("715948317")
        .service_access_token("PLANTED-SECRET")
        .build()
        .unwrap();
    assert_eq!(from_str.base_url().as_str(), "https://jp.authlete.com/");
    let (_dir, path) = ini_file(ini);
    let from_file = ConfigBuilder::from_ini_file(&path)
        .unwrap()
        .service_api_key("715948317")
        .service_access_token("PLANTED-SECRET")
        .build()
        .unwrap();
    assert_eq!(from_file.base_url().as_str(), "https://jp.authlete.com/");
}

#[test]
fn errors_after_override_still_name_the_source() {
    // The total timeout comes from the environment: the message names its variable.
    let config = from_env(&full_env()).unwrap();
    let error = config
        .to_builder()
        .read_timeout(Duration::from_secs(90))
        .build()
        .unwrap_err();
    assert!(matches!(
        error,
        ConfigError::InvalidTimeout {
            setting: Setting::ReadTimeout,
            origin: Origin::Builder,
            ..
        }
    ));
    assert_mentions(
        &error,
        &[
            "ConfigBuilder::read_timeout",
            "AUTHLETE_TIMEOUT_TOTAL",
            "40s",
        ],
    );
}

#[test]
fn base_url_normalization() {
    for (given, expected, path) in [
        ("https://us.authlete.com", "https://us.authlete.com/", "/"),
        ("https://us.authlete.com/", "https://us.authlete.com/", "/"),
        ("https://US.Authlete.com//", "https://us.authlete.com/", "/"),
        (
            "https://gw.example/authlete",
            "https://gw.example/authlete",
            "/authlete",
        ),
        (
            "https://gw.example/authlete/",
            "https://gw.example/authlete",
            "/authlete",
        ),
        (
            "http://localhost:8080/a/b//",
            "http://localhost:8080/a/b",
            "/a/b",
        ),
    ] {
        let config = v3().base_url(given).build().unwrap();
        assert_eq!(config.base_url().as_str(), expected, "{given}");
        assert_eq!(config.base_url().path(), path, "{given}");
    }
}

#[test]
fn user_agent_default() {
    let config = v3().build().unwrap();
    assert_eq!(
        config.user_agent(),
        format!("authlete-rs/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(config.user_agent(), DEFAULT_USER_AGENT);
    assert_eq!(
        v3().user_agent("").build().unwrap().user_agent(),
        DEFAULT_USER_AGENT
    );
}

#[test]
fn setting_names() {
    assert_eq!(Setting::ALL.len(), 16);
    for setting in Setting::ALL {
        assert!(!setting.builder_method().is_empty());
        if let Some(var) = setting.env_var() {
            assert!(var.starts_with("AUTHLETE_"));
        }
    }
    assert_eq!(Setting::UserAgent.env_var(), None);
    assert_eq!(Setting::DpopKey.ini_key(), Some("service.dpop_key"));
    assert_eq!(
        Setting::TrustedRootCertificates.env_var(),
        Some("AUTHLETE_TRUSTED_ROOT_CERTIFICATES")
    );
    assert_eq!(
        Setting::TrustedRootCertificates.ini_key(),
        Some("trusted_root_certificates")
    );
    assert_eq!(
        Setting::TrustedRootCertificates.builder_method(),
        "trusted_root_certificates"
    );
}

// ---------------------------------------------------------------------------------------
// Validation errors, by source
// ---------------------------------------------------------------------------------------

#[test]
fn invalid_base_url() {
    let cases = [
        ("us.authlete.com", "absolute"),
        ("ftp://us.authlete.com", "https or http"),
        ("https://", "not a URL"),
        ("https://us.authlete.com/?x=1", "query"),
        ("https://us.authlete.com/#x", "fragment"),
        (
            "https://admin:PLANTED-SECRET-PW@us.authlete.com",
            "user name or password",
        ),
    ];
    for (value, reason) in cases {
        let error = v3().base_url(value).build().unwrap_err();
        assert!(
            matches!(
                &error,
                ConfigError::InvalidBaseUrl {
                    origin: Origin::Builder,
                    ..
                }
            ),
            "{value}: {error:?}"
        );
        assert_mentions(&error, &[reason, "ConfigBuilder::base_url"]);
    }
    let error = from_env(&with(full_env(), "AUTHLETE_BASE_URL", Some("ftp://x"))).unwrap_err();
    assert_mentions(&error, &["AUTHLETE_BASE_URL", "\"ftp://x\""]);
    let error =
        Config::from_ini_str("[authlete]\nbase_url = mailto:a@b\nservice.access_token = t\n")
            .unwrap_err();
    assert_mentions(&error, &["`base_url`", "[authlete] section", "mailto"]);

    // A long value that is not even URL-like (a token in the wrong variable?) is withheld.
    let error = from_env(&with(
        full_env(),
        "AUTHLETE_BASE_URL",
        Some("PLANTED-SECRET-0123456789abcdefghijklmnop"),
    ))
    .unwrap_err();
    assert!(matches!(
        &error,
        ConfigError::InvalidBaseUrl { value: None, .. }
    ));
    assert_mentions(&error, &["AUTHLETE_BASE_URL", "(value not shown)"]);

    // A password in a URL that does not even parse is hidden too.
    let error = v3()
        .base_url("https://admin:PLANTED-SECRET-PW@exa mple.com:99999")
        .build()
        .unwrap_err();
    match &error {
        ConfigError::InvalidBaseUrl { value, .. } => {
            assert_eq!(
                value.as_deref(),
                Some("https://admin:***@exa mple.com:99999")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    message(&error);
}

#[test]
fn missing_base_url() {
    let error = from_env(&with(full_env(), "AUTHLETE_BASE_URL", None)).unwrap_err();
    assert!(matches!(
        &error,
        ConfigError::MissingBaseUrl {
            loaded_from: Origin::Environment,
            ..
        }
    ));
    assert_mentions(&error, &["AUTHLETE_BASE_URL"]);

    let error =
        Config::from_ini_str("[authlete]\nservice.access_token = PLANTED-SECRET\n").unwrap_err();
    assert!(matches!(error, ConfigError::MissingBaseUrl { .. }));
    assert_mentions(
        &error,
        &["`base_url`", "[authlete] section of the INI text"],
    );

    let error = Config::builder()
        .service_access_token("PLANTED-SECRET")
        .build()
        .unwrap_err();
    assert_mentions(
        &error,
        &["ConfigBuilder::base_url", "ConfigBuilder::cluster"],
    );
    let error = v3().base_url("  ").build().unwrap_err();
    assert!(matches!(error, ConfigError::MissingBaseUrl { .. }));
}

#[test]
fn invalid_api_version() {
    let error = from_env(&with(full_env(), "AUTHLETE_API_VERSION", Some("V4"))).unwrap_err();
    assert!(
        matches!(&error, ConfigError::InvalidApiVersion { value, .. } if value.as_deref() == Some("V4"))
    );
    assert_mentions(&error, &["AUTHLETE_API_VERSION", "\"V4\"", "V2 or V3"]);

    let error = Config::from_ini_str("[authlete]\napi_version = 1.0\n").unwrap_err();
    assert_mentions(&error, &["`api_version`", "\"1.0\""]);

    // A long value (a secret in the wrong variable?) is not shown.
    let error = from_env(&with(
        full_env(),
        "AUTHLETE_API_VERSION",
        Some("PLANTED-SECRET-IN-THE-WRONG-VARIABLE"),
    ))
    .unwrap_err();
    assert_mentions(&error, &["AUTHLETE_API_VERSION", "not shown"]);
}

#[test]
fn v3_without_access_token() {
    let error = from_env(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_SERVICE_APIKEY", "715948317"),
        ("AUTHLETE_SERVICE_APISECRET", "PLANTED-SECRET"),
    ])
    .unwrap_err();
    assert!(matches!(
        error,
        ConfigError::MissingAccessToken {
            api_key_pair_present: true,
            ..
        }
    ));
    assert_mentions(
        &error,
        &[
            "V3",
            "AUTHLETE_SERVICE_ACCESSTOKEN",
            "AUTHLETE_SERVICEOWNER_ACCESSTOKEN",
            "AUTHLETE_API_VERSION",
        ],
    );

    let error =
        Config::from_ini_str("[authlete]\nbase_url = https://us.authlete.com\n").unwrap_err();
    assert!(matches!(
        error,
        ConfigError::MissingAccessToken {
            api_key_pair_present: false,
            ..
        }
    ));
    assert_mentions(
        &error,
        &["`service.access_token`", "`service_owner.access_token`"],
    );

    let error = Config::builder().cluster(Cluster::Us).build().unwrap_err();
    assert_mentions(
        &error,
        &[
            "call ConfigBuilder::service_access_token",
            "ConfigBuilder::service_owner_access_token",
        ],
    );
}

#[test]
fn v2_without_key_pair() {
    let error = from_env(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_API_VERSION", "V2"),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
    ])
    .unwrap_err();
    assert!(matches!(
        error,
        ConfigError::MissingApiKeyPair {
            access_token_present: true,
            ..
        }
    ));
    assert_mentions(
        &error,
        &[
            "V2",
            "AUTHLETE_SERVICE_APIKEY",
            "AUTHLETE_SERVICE_APISECRET",
            "AUTHLETE_SERVICEOWNER_APIKEY",
            "AUTHLETE_SERVICEOWNER_APISECRET",
            "AUTHLETE_API_VERSION",
        ],
    );
    let error =
        Config::from_ini_str("[authlete]\nbase_url = https://us.authlete.com\napi_version = V2\n")
            .unwrap_err();
    assert_mentions(&error, &["`service.api_key`", "`service_owner.api_secret`"]);
}

#[test]
fn key_without_secret_and_the_reverse() {
    let base = [
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET-T"),
    ];
    let cases = [
        (
            "AUTHLETE_SERVICE_APIKEY",
            "k",
            Setting::ServiceApiKey,
            Setting::ServiceApiSecret,
        ),
        (
            "AUTHLETE_SERVICE_APISECRET",
            "PLANTED-SECRET-S",
            Setting::ServiceApiSecret,
            Setting::ServiceApiKey,
        ),
        (
            "AUTHLETE_SERVICEOWNER_APIKEY",
            "k",
            Setting::ServiceOwnerApiKey,
            Setting::ServiceOwnerApiSecret,
        ),
        (
            "AUTHLETE_SERVICEOWNER_APISECRET",
            "PLANTED-SECRET-S",
            Setting::ServiceOwnerApiSecret,
            Setting::ServiceOwnerApiKey,
        ),
    ];
    for version in ["V2", "V3"] {
        for (var, value, present, missing) in cases {
            let mut pairs = base.to_vec();
            pairs.push(("AUTHLETE_API_VERSION", version));
            pairs.push((var, value));
            if version == "V3" && present == Setting::ServiceApiKey {
                // In V3 the service API key is the service ID, which has no secret.
                let config = from_env(&pairs).unwrap();
                assert_eq!(config.service_api_key(), Some("k"));
                continue;
            }
            let error = from_env(&pairs).unwrap_err();
            match &error {
                ConfigError::IncompleteCredentials {
                    present: p,
                    missing: m,
                    origin: Origin::Environment,
                    ..
                } => {
                    assert_eq!((*p, *m), (present, missing));
                }
                other => panic!("{version} {var}: unexpected {other:?}"),
            }
            assert_mentions(
                &error,
                &[var, missing.env_var().unwrap(), "both or neither"],
            );
        }
    }
    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\napi_version = V2\nservice_owner.api_secret = PLANTED-SECRET\n",
    )
    .unwrap_err();
    assert_mentions(
        &error,
        &["`service_owner.api_secret`", "`service_owner.api_key`"],
    );
}

#[test]
fn invalid_timeouts() {
    // Zero, from each source.
    let error = v3().connect_timeout(Duration::ZERO).build().unwrap_err();
    assert!(matches!(
        error,
        ConfigError::InvalidTimeout {
            setting: Setting::ConnectTimeout,
            ..
        }
    ));
    assert_mentions(
        &error,
        &["ConfigBuilder::connect_timeout", "greater than zero"],
    );
    let error = from_env(&with(full_env(), "AUTHLETE_TIMEOUT_READ", Some("0"))).unwrap_err();
    assert_mentions(&error, &["AUTHLETE_TIMEOUT_READ", "greater than zero"]);
    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.access_token = t\ntimeout.total = 0\n",
    )
    .unwrap_err();
    assert_mentions(&error, &["`timeout.total`", "greater than zero"]);

    // Connect or read above total.
    let error = v3()
        .total_timeout(Duration::from_secs(3))
        .build()
        .unwrap_err();
    assert!(matches!(
        error,
        ConfigError::InvalidTimeout {
            setting: Setting::ConnectTimeout,
            ..
        }
    ));
    assert_mentions(
        &error,
        &["connect timeout", "ConfigBuilder::total_timeout", "3s"],
    );
    let error = from_env(&with(full_env(), "AUTHLETE_TIMEOUT_READ", Some("41"))).unwrap_err();
    assert!(matches!(
        error,
        ConfigError::InvalidTimeout {
            setting: Setting::ReadTimeout,
            ..
        }
    ));
    assert_mentions(
        &error,
        &["AUTHLETE_TIMEOUT_READ", "AUTHLETE_TIMEOUT_TOTAL", "41s"],
    );

    // A default total timeout is named as such.
    let error = v3()
        .read_timeout(Duration::from_secs(61))
        .build()
        .unwrap_err();
    assert_mentions(
        &error,
        &["61s", "60s by default", "call ConfigBuilder::total_timeout"],
    );

    // Unreadable values.
    for value in ["abc", "-1", "1e400", "NaN", "30s"] {
        let error =
            from_env(&with(full_env(), "AUTHLETE_TIMEOUT_CONNECT", Some(value))).unwrap_err();
        assert!(
            matches!(&error, ConfigError::InvalidTimeout { setting: Setting::ConnectTimeout, value: v, .. } if v.as_deref() == Some(value)),
            "{value}: {error:?}"
        );
        assert_mentions(&error, &["AUTHLETE_TIMEOUT_CONNECT"]);
    }
}

#[test]
fn invalid_dpop_key() {
    let cases = [
        ("PLANTED-SECRET-not-json", "not JSON"),
        ("{\"d\": \"PLANTED-SECRET\"", "not JSON"),
        ("[\"PLANTED-SECRET\"]", "not a JSON object"),
        ("\"PLANTED-SECRET\"", "not a JSON object"),
        ("{\"crv\":\"P-256\",\"d\":\"PLANTED-SECRET\"}", "no \"kty\""),
        ("{\"kty\":7,\"d\":\"PLANTED-SECRET\"}", "\"kty\""),
        (
            "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"PLANTED-SECRET\"}",
            "public key",
        ),
        ("{\"kty\":\"oct\",\"k\":\"PLANTED-SECRET\"}", "symmetric"),
    ];
    for (key, reason) in cases {
        let error = v3().dpop_key(key).build().unwrap_err();
        assert!(
            matches!(
                &error,
                ConfigError::InvalidDpopKey {
                    origin: Origin::Builder,
                    ..
                }
            ),
            "{key}: {error:?}"
        );
        assert_mentions(&error, &[reason, "ConfigBuilder::dpop_key"]);
    }
    let error = from_env(&with(
        full_env(),
        "AUTHLETE_DPOP_KEY",
        Some("PLANTED-SECRET"),
    ))
    .unwrap_err();
    assert_mentions(&error, &["AUTHLETE_DPOP_KEY"]);
    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.access_token = t\nservice.dpop_key = PLANTED-SECRET\n",
    )
    .unwrap_err();
    assert_mentions(&error, &["`service.dpop_key`"]);
    // Key types this version does not know are accepted.
    v3().dpop_key("{\"kty\":\"AKP\",\"priv\":\"PLANTED-SECRET\"}")
        .build()
        .unwrap();
}

#[test]
fn invalid_client_certificate() {
    let cert_only = "-----BEGIN CERTIFICATE-----\nPLANTED-SECRET\n-----END CERTIFICATE-----\n";
    let key_only = "-----BEGIN PRIVATE KEY-----\nPLANTED-SECRET\n-----END PRIVATE KEY-----\n";
    let cases = [
        ("PLANTED-SECRET", "no PEM block"),
        (
            "-----BEGIN CERTIFICATE-----\nPLANTED-SECRET\n",
            "the PEM block CERTIFICATE has no -----END",
        ),
        (
            "-----BEGIN CERTIFICATE-----PLANTED-SECRET-----END CERTIFICATE-----",
            "no line breaks",
        ),
        (
            "PLANTED-SECRET\n-----END CERTIFICATE-----\n",
            "without a matching",
        ),
        (cert_only, "no private key"),
        (key_only, "no certificate"),
    ];
    for (pem, reason) in cases {
        let error = v3().client_certificate(pem).build().unwrap_err();
        assert!(
            matches!(
                &error,
                ConfigError::InvalidClientCertificate {
                    origin: Origin::Builder,
                    ..
                }
            ),
            "{pem}: {error:?}"
        );
        assert_mentions(&error, &[reason, "ConfigBuilder::client_certificate"]);
    }
    let error = from_env(&with(
        full_env(),
        "AUTHLETE_CLIENT_CERTIFICATE",
        Some(cert_only),
    ))
    .unwrap_err();
    assert_mentions(&error, &["AUTHLETE_CLIENT_CERTIFICATE", "no private key"]);
    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.access_token = t\nservice.client_certificate = PLANTED-SECRET\n",
    )
    .unwrap_err();
    assert_mentions(&error, &["`service.client_certificate`"]);
    // Other PEM private-key labels are accepted.
    let rsa = PEM.replace("PRIVATE KEY", "RSA PRIVATE KEY");
    v3().client_certificate(rsa).build().unwrap();
}

#[test]
fn builder_trusted_root_certificates() {
    let config = v3().trusted_root_certificates(ROOT_ONE).build().unwrap();
    assert_eq!(config.trusted_root_certificates(), Some(ROOT_ONE.trim()));
    // Kept through to_builder, replaced by a later call, unset by an empty value.
    let config = config.to_builder().build().unwrap();
    assert_eq!(config.trusted_root_certificates(), Some(ROOT_ONE.trim()));
    let replaced = config
        .to_builder()
        .trusted_root_certificates(String::from(ROOTS))
        .build()
        .unwrap();
    assert_eq!(replaced.trusted_root_certificates(), Some(ROOTS.trim()));
    let unset = replaced
        .to_builder()
        .trusted_root_certificates("  ")
        .build()
        .unwrap();
    assert_eq!(unset.trusted_root_certificates(), None);
    // A one-line value with `\n` escapes.
    let config = v3()
        .trusted_root_certificates(ROOTS.trim().replace('\n', "\\n"))
        .build()
        .unwrap();
    assert_eq!(config.trusted_root_certificates(), Some(ROOTS.trim()));
    // Independent of the client certificate: both may be set.
    let config = v3()
        .client_certificate(PEM)
        .trusted_root_certificates(ROOTS)
        .build()
        .unwrap();
    assert!(config.client_certificate().is_some());
    assert_eq!(config.trusted_root_certificates(), Some(ROOTS.trim()));
}

#[test]
fn invalid_trusted_root_certificates() {
    let cases = [
        ("not a certificate", "no certificate"),
        (
            "-----BEGIN CERTIFICATE-----\nMIIB\n",
            "the PEM block CERTIFICATE has no -----END",
        ),
        (
            "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----",
            "no line breaks",
        ),
        ("MIIB\n-----END CERTIFICATE-----\n", "without a matching"),
        (PEM, "the PEM block PRIVATE KEY"),
        (
            "-----BEGIN TRUSTED CERTIFICATE-----\nMIIB\n-----END TRUSTED CERTIFICATE-----\n",
            "the PEM block TRUSTED CERTIFICATE",
        ),
        (
            "-----BEGIN PLANTED-SECRET-----\nMIIB\n-----END PLANTED-SECRET-----\n",
            "contains a PEM block",
        ),
    ];
    for (pem, reason) in cases {
        let error = v3().trusted_root_certificates(pem).build().unwrap_err();
        assert!(
            matches!(
                &error,
                ConfigError::InvalidTrustedRootCertificates {
                    origin: Origin::Builder,
                    ..
                }
            ),
            "{pem}: {error:?}"
        );
        assert_mentions(
            &error,
            &[
                "invalid trusted root certificates",
                reason,
                "ConfigBuilder::trusted_root_certificates",
            ],
        );
    }
    // A private key is refused with a hint, and never shown.
    let error = v3().trusted_root_certificates(PEM).build().unwrap_err();
    assert_mentions(&error, &["client certificate"]);

    // Each source names its own setting.
    let error = from_env(&with(
        full_env(),
        "AUTHLETE_TRUSTED_ROOT_CERTIFICATES",
        Some("MIIB"),
    ))
    .unwrap_err();
    assert!(matches!(
        error,
        ConfigError::InvalidTrustedRootCertificates {
            origin: Origin::Environment,
            ..
        }
    ));
    assert_mentions(
        &error,
        &["AUTHLETE_TRUSTED_ROOT_CERTIFICATES", "no certificate"],
    );
    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.access_token = t\ntrusted_root_certificates = MIIB\n",
    )
    .unwrap_err();
    assert_mentions(
        &error,
        &[
            "`trusted_root_certificates`",
            "the INI text",
            "no certificate",
        ],
    );
}

#[test]
fn invalid_user_agent() {
    let error = v3().user_agent("bad\nagent").build().unwrap_err();
    assert!(matches!(error, ConfigError::InvalidUserAgent { .. }));
    assert_mentions(&error, &["ConfigBuilder::user_agent", "'\\n'"]);
}

// ---------------------------------------------------------------------------------------
// Secrets never shown
// ---------------------------------------------------------------------------------------

#[test]
fn debug_shows_settings_but_not_secrets() {
    let config = from_env(&full_env()).unwrap();
    let debug = format!("{config:?}");
    assert_no_secret(&debug);
    for part in [
        "base_url: \"https://jp.authlete.com/\"",
        "api_version: V3",
        "service_owner_api_key: Some(\"so-key\")",
        "service_owner_api_secret: Some(Secret([REDACTED]))",
        "service_owner_access_token: Some(Secret([REDACTED]))",
        "service_api_key: Some(\"715948317\")",
        "service_api_secret: Some(Secret([REDACTED]))",
        "service_access_token: Some(Secret([REDACTED]))",
        "dpop_key: Some(Secret([REDACTED]))",
        "client_certificate: Some(Secret([REDACTED]))",
        "trusted_root_certificates: Some(2 certificates)",
        "connect: 2s",
        "read: 12.5s",
        "total: 40s",
        "user_agent: \"authlete-rs/",
    ] {
        assert!(debug.contains(part), "{part:?} not in {debug}");
    }

    let builder = config.to_builder();
    let debug = format!("{builder:?}");
    assert_no_secret(&debug);
    assert!(debug.contains("service_access_token: Some(Secret([REDACTED]))"));
    assert!(debug.contains("service_api_key: Some(\"715948317\")"));
    assert!(debug.contains("trusted_root_certificates: Some(2 certificates)"));
    // Only the number of certificates shows, not their text.
    assert!(!debug.contains("ROOT1"), "{debug}");

    let one = format!(
        "{:?}",
        v3().trusted_root_certificates(ROOT_ONE).build().unwrap()
    );
    assert!(
        one.contains("trusted_root_certificates: Some(1 certificate)"),
        "{one}"
    );
    assert!(!one.contains("ROOT1"), "{one}");
    let none = format!("{:?}", v3().build().unwrap());
    assert!(none.contains("trusted_root_certificates: None"), "{none}");

    let builder = Config::builder().base_url("https://user:PLANTED-SECRET-PW@us.authlete.com");
    let debug = format!("{builder:?}");
    assert_no_secret(&debug);
    assert!(debug.contains("https://user:***@us.authlete.com"));

    let (_dir, path) = ini_file(&full_ini());
    let config = Config::from_ini_file(&path).unwrap();
    assert_no_secret(&format!("{config:?}"));
    assert_no_secret(&format!("{:?}", config.to_builder()));
}

#[test]
fn no_error_shows_a_secret() {
    // Every variant, each with all secrets planted where the source allows.
    let full = full_env();
    let empty_dir = tempfile::tempdir().unwrap();
    let errors: Vec<ConfigError> = vec![
        from_env(&with(full.clone(), "AUTHLETE_BASE_URL", Some("https://u:PLANTED-SECRET@x/"))).unwrap_err(),
        from_env(&with(full.clone(), "AUTHLETE_BASE_URL", None)).unwrap_err(),
        from_env(&with(full.clone(), "AUTHLETE_API_VERSION", Some("PLANTED-SECRET-0123456789abcdef"))).unwrap_err(),
        from_env(&with(
            with(full.clone(), "AUTHLETE_SERVICE_ACCESSTOKEN", None),
            "AUTHLETE_SERVICEOWNER_ACCESSTOKEN",
            None,
        ))
        .unwrap_err(),
        from_env(&[
            ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
            ("AUTHLETE_API_VERSION", "V2"),
            ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
        ])
        .unwrap_err(),
        from_env(&with(full.clone(), "AUTHLETE_SERVICE_APIKEY", None)).unwrap_err(),
        from_env(&with(with(full.clone(), "AUTHLETE_SERVICE_APIKEY", None), "AUTHLETE_SERVICE_APISECRET", None)).unwrap_err(),
        from_env(&with(full.clone(), "AUTHLETE_TIMEOUT_TOTAL", Some("1"))).unwrap_err(),
        from_env(&with(full.clone(), "AUTHLETE_DPOP_KEY", Some("{\"kty\":\"EC\",\"x\":\"PLANTED-SECRET\"}"))).unwrap_err(),
        from_env(&with(full.clone(), "AUTHLETE_CLIENT_CERTIFICATE", Some("PLANTED-SECRET"))).unwrap_err(),
        from_env(&with(full.clone(), "AUTHLETE_TRUSTED_ROOT_CERTIFICATES", Some("PLANTED-SECRET"))).unwrap_err(),
        v3().user_agent("PLANTED-SECRET\u{7}").build().unwrap_err(),
        Config::from_ini_file(empty_dir.path().join("missing.ini")).unwrap_err(),
        Config::from_ini_str("[authlete]\nPLANTED-SECRET\nbase_url = x\n").unwrap_err(),
        Config::from_ini_str("[authlete]\nbase_url = \"PLANTED-SECRET\n").unwrap_err(),
        Config::from_ini_str("[Authlete]\nservice.access_token = PLANTED-SECRET\n").unwrap_err(),
        Config::from_ini_str("[authlete]\nSERVICE.ACCESS_TOKEN = PLANTED-SECRET\n").unwrap_err(),
        Config::from_ini_str("[authlete]\nservice.api_secret = PLANTED-SECRET\nservice.api_secret = PLANTED-SECRET\n").unwrap_err(),
        Config::load_with(empty_dir.path(), env(&[("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET")])).unwrap_err(),
    ];
    let mut kinds = Vec::new();
    for error in &errors {
        message(error);
        let kind = format!("{error:?}");
        kinds.push(kind[..kind.find([' ', '{', '(']).unwrap_or(kind.len())].to_owned());
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "DuplicateIniEntry",
            "IncompleteCredentials",
            "InvalidApiVersion",
            "InvalidBaseUrl",
            "InvalidClientCertificate",
            "InvalidDpopKey",
            "InvalidTimeout",
            "InvalidTrustedRootCertificates",
            "InvalidUserAgent",
            "MalformedIni",
            "MissingAccessToken",
            "MissingApiKeyPair",
            "MissingBaseUrl",
            "MissingIniSection",
            "MissingServiceId",
            "NotFound",
            "ReadIniFile",
            "WrongCaseIniKey",
        ]
    );
}

#[test]
fn ini_file_path_is_named_in_origin() {
    let (_dir, path) = ini_file(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.dpop_key = {}\nservice.access_token = t\n",
    );
    let error = Config::from_ini_file(&path).unwrap_err();
    match &error {
        ConfigError::InvalidDpopKey {
            origin: Origin::Ini { path: Some(p) },
            ..
        } => assert_eq!(p.as_path(), Path::new(&path)),
        other => panic!("unexpected {other:?}"),
    }
    assert_mentions(&error, &[&path.display().to_string(), "`service.dpop_key`"]);
}

#[test]
fn types_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Config>();
    assert_send_sync::<ConfigBuilder>();
    assert_send_sync::<ConfigError>();
    assert_send_sync::<Timeouts>();
}

// ---------------------------------------------------------------------------------------
// V3 without the service ID (issue 13)
// ---------------------------------------------------------------------------------------

/// A V3 configuration without the service ID cannot serve the flows: it is refused at
/// validation with an error naming the setting in the source's vocabulary, unless the
/// application says it only manages services.
#[test]
fn v3_without_the_service_id_is_refused_unless_for_service_management() {
    let builder = || {
        Config::builder()
            .cluster(Cluster::Us)
            .service_access_token("PLANTED-SECRET")
    };
    let error = builder().build().unwrap_err();
    assert!(
        matches!(error, ConfigError::MissingServiceId { .. }),
        "{error:?}"
    );
    let text = message(&error);
    assert!(text.contains("ConfigBuilder::service_api_key"), "{text}");
    assert!(
        text.contains("ConfigBuilder::service_management_only"),
        "{text}"
    );

    let error = from_env(&[
        ("AUTHLETE_BASE_URL", "https://us.authlete.com"),
        ("AUTHLETE_SERVICE_ACCESSTOKEN", "PLANTED-SECRET"),
    ])
    .unwrap_err();
    assert!(
        message(&error).contains("AUTHLETE_SERVICE_APIKEY"),
        "{error}"
    );
    let error = Config::from_ini_str(
        "[authlete]\nbase_url = https://us.authlete.com\nservice.access_token = PLANTED-SECRET\n",
    )
    .unwrap_err();
    assert!(message(&error).contains("`service.api_key`"), "{error}");

    // Service management only: accepted, and remembered through to_builder.
    let config = builder().service_management_only().build().unwrap();
    assert!(config.service_management_only());
    assert!(
        config
            .to_builder()
            .build()
            .unwrap()
            .service_management_only()
    );
    assert!(format!("{config:?}").contains("service_management_only: true"));
    // With the service ID, or in V2, nothing to say.
    assert!(
        !builder()
            .service_api_key("1")
            .build()
            .unwrap()
            .service_management_only()
    );
    assert!(
        Config::builder()
            .cluster(Cluster::Us)
            .api_version(ApiVersion::V2)
            .service_owner_api_key("k")
            .service_owner_api_secret("PLANTED-SECRET")
            .build()
            .is_ok()
    );
    // Client::new sees the same refusal, since it takes a validated Config.
    assert!(authlete::Client::new(config).is_ok());
}

// ---------------------------------------------------------------------------------------
// Proxy
// ---------------------------------------------------------------------------------------

#[test]
fn proxy_from_the_builder() {
    let config = v3().proxy("https://proxy.internal:8443").build().unwrap();
    assert_eq!(
        config.proxy().map(|url| url.as_str()),
        Some("https://proxy.internal:8443/")
    );
    // Without a scheme: http, as in curl and HTTPS_PROXY.
    let config = v3().proxy("proxy.internal:3128").build().unwrap();
    assert_eq!(
        config.proxy().map(|url| url.as_str()),
        Some("http://proxy.internal:3128/")
    );
    // Empty is unset; unset is None.
    assert_eq!(v3().proxy(" ").build().unwrap().proxy(), None);
    assert_eq!(v3().build().unwrap().proxy(), None);
    // Kept through to_builder.
    let config = v3().proxy("http://proxy.internal:3128").build().unwrap();
    assert!(config.to_builder().build().unwrap().proxy().is_some());
}

#[test]
fn invalid_proxies_are_refused_without_their_password() {
    for (value, reason) in [
        (
            "socks5://proxy.internal:1080",
            "SOCKS proxies are not supported",
        ),
        (
            "http://proxy.internal:3128/path",
            "no path, query or fragment",
        ),
        (
            "http://proxy.internal:3128?x=1",
            "no path, query or fragment",
        ),
        ("http://:3128", "not a URL"),
        (
            "http://user:PLANTED-SECRET-PROXY@proxy.internal:3128/x",
            "no path",
        ),
    ] {
        let error = v3().proxy(value).build().unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidProxy { .. }),
            "{value}: {error:?}"
        );
        assert_mentions(&error, &[reason, "ConfigBuilder::proxy"]);
    }
    // The variable is named when the value came from the environment.
    let error = from_env(&with(
        full_env(),
        "AUTHLETE_PROXY",
        Some("ftp://proxy.internal"),
    ))
    .unwrap_err();
    assert_mentions(&error, &["AUTHLETE_PROXY", "scheme must be http or https"]);
}

/// Without the `dpop` feature a DPoP key is refused by name, not ignored.
#[cfg(not(feature = "dpop"))]
#[test]
fn a_dpop_key_needs_the_dpop_feature() {
    let error = v3().dpop_key(DPOP_KEY).build().unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::FeatureDisabled {
                setting: Setting::DpopKey,
                ..
            }
        ),
        "{error:?}"
    );
    assert_mentions(&error, &["`dpop` feature", "ConfigBuilder::dpop_key"]);
}
