//! Propagating the W3C trace context to Authlete: every call carries a `traceparent` header
//! naming the current `tracing` span, as OpenTelemetry sees it.
//!
//! ```text
//! cargo run -p authlete --example traceparent
//! ```
//!
//! The application already sends its `tracing` spans to OpenTelemetry through
//! `tracing-opentelemetry` (here with a tracer that exports nowhere). The client's
//! [`ClientBuilder::request_headers`](authlete::ClientBuilder::request_headers) hook runs
//! inside the call's `authlete` span, a child of the caller's span: it injects that span's
//! context, so Authlete's side of the trace (and any proxy in between) joins the caller's
//! trace. Credentials come from `Config::load()` (`AUTHLETE_*` or `authlete.ini`).

use authlete::{Client, Config};
use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Injector, TextMapPropagator as _};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

/// Adds `traceparent` (and `tracestate`, when there is one) for the current span.
pub fn inject_trace_context(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
}

/// Lets an OpenTelemetry propagator write into an `http::HeaderMap`.
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("traceparent-example")))
        .with(tracing_subscriber::fmt::layer());
    tracing::subscriber::set_global_default(subscriber)?;

    let config = match Config::load() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("no Authlete configuration ({error}); set AUTHLETE_* or write authlete.ini");
            return Ok(());
        }
    };
    let client = Client::builder(config)
        .request_headers(inject_trace_context)
        .build()?;

    // A request handler's span: the call to Authlete is part of its trace.
    let handler = tracing::info_span!("handle_token_request");
    let trace_id = handler.context().span().span_context().trace_id();
    let (_, metadata) = client
        .get_service_configuration(&Default::default())
        .with_metadata()
        .instrument(handler)
        .await?;
    println!(
        "trace {trace_id}: HTTP {}, request id {:?}",
        metadata.status(),
        metadata.request_id()
    );
    Ok(())
}
