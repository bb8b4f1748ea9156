//! What the TLS features decide at `Client` build time: with a backend, an `https` base
//! URL builds; without one (`--no-default-features`), the client is plain HTTP only, and a
//! setting that needs TLS is refused by name instead of failing at the first call.

use authlete::Client;
use authlete::config::{Config, ConfigBuilder};

fn v3(base_url: &str) -> ConfigBuilder {
    Config::builder()
        .base_url(base_url)
        .service_api_key("715948317")
        .service_access_token("token")
}

#[cfg(any(feature = "rustls-ring", feature = "aws-lc-rs", feature = "native-tls"))]
#[test]
fn https_builds_with_a_tls_feature() {
    Client::new(v3("https://us.authlete.com").build().unwrap()).unwrap();
    Client::new(v3("http://127.0.0.1:9").build().unwrap()).unwrap();
}

#[cfg(not(any(feature = "rustls-ring", feature = "aws-lc-rs", feature = "native-tls")))]
#[test]
fn without_a_tls_feature_only_plain_http_builds() {
    use authlete::Error;
    use authlete::config::{ConfigError, Setting};

    Client::new(v3("http://127.0.0.1:9").build().unwrap()).unwrap();
    for (builder, expected, name) in [
        (
            v3("https://us.authlete.com"),
            Setting::BaseUrl,
            "ConfigBuilder::base_url",
        ),
        (
            v3("http://127.0.0.1:9").proxy("https://proxy.internal:8443"),
            Setting::Proxy,
            "ConfigBuilder::proxy",
        ),
    ] {
        let error = Client::new(builder.build().unwrap()).unwrap_err();
        match &error {
            Error::Config(ConfigError::FeatureDisabled { setting, .. }) => {
                assert_eq!(*setting, expected)
            }
            other => panic!("expected FeatureDisabled, got {other:?}"),
        }
        let message = error.to_string();
        assert!(message.contains(name), "{message}");
        assert!(message.contains("rustls-ring"), "{message}");
    }
}
