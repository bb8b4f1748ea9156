//! The header hook propagates the W3C trace context of the caller's `tracing` span, as
//! `examples/traceparent.rs` does: Authlete sees a `traceparent` in the caller's trace.

use authlete::{ApiVersion, Client, Config, types};
use authlete_sys::mock::MockServerExt as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use httpmock::MockServer;
use opentelemetry::propagation::{Injector, TextMapPropagator as _};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// The hook of the example.
fn inject_trace_context(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

#[tokio::test]
async fn authlete_sees_the_trace_of_the_callers_span() {
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("it")));
    let _guard = tracing::subscriber::set_default(subscriber);
    // Other tests run in parallel without a subscriber; make sure no callsite keeps an
    // interest computed before this subscriber existed.
    tracing::callsite::rebuild_interest_cache();

    let handler = tracing::info_span!("handler");
    let caller = handler.context().span().span_context().clone();
    assert!(caller.is_valid(), "the OpenTelemetry layer gives spans ids");
    let trace_id = caller.trace_id().to_string();
    let handler_span_id = caller.span_id().to_string();

    let server = MockServer::start_async().await;
    // Were the handler's own span sent, this one would take the request (defined first).
    let handler_span = server.auth_token_api(|when, then| {
        when.into_inner()
            .header_matches("^traceparent$", format!("-{handler_span_id}-"));
        then.ok(&types::TokenResponse::default());
    });
    let call_span = server.auth_token_api(|when, then| {
        // Version 00, the caller's trace, a span of its own (the call's `authlete` span,
        // a child of the handler's), sampled.
        when.into_inner().header_matches(
            "^traceparent$",
            format!("^00-{trace_id}-[0-9a-f]{{16}}-01$"),
        );
        then.ok(&types::TokenResponse::default());
    });
    let config = Config::builder()
        .base_url(server.base_url())
        .api_version(ApiVersion::V3)
        .service_api_key("7159")
        .service_access_token("svc-token")
        .build()
        .unwrap();
    let client = Client::builder(config)
        .request_headers(inject_trace_context)
        .build()
        .unwrap();
    client
        .token(&types::TokenRequest::default())
        .with_metadata()
        .instrument(handler)
        .await
        .unwrap();
    assert_eq!(call_span.calls_async().await, 1);
    assert_eq!(handler_span.calls_async().await, 0);
}
