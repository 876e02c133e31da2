//! Each instance's request and outcome metrics, in Prometheus' text format on its own
//! listener (`metrics_listen`): requests by route and status, card decryption failures by
//! reason, replayed ciphertexts, forwards by outcome, PayKKa's latency by status, and rate
//! limit hits. Labels carry no card data and no identifiers (no `trans_id`, no client key).

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State as Extract};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use paykka_api::jwe::CardError;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: &'static str,
    scope: &'static str,
}

fn latency_histogram() -> Histogram {
    // 10 ms to about 40 s.
    Histogram::new(exponential_buckets(0.01, 2.0, 13))
}

/// The instance's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    decrypt_failures: Family<ReasonLabels, Counter>,
    forwards: Family<OutcomeLabels, Counter>,
    paykka_seconds: Family<StatusLabels, Histogram, fn() -> Histogram>,
    limit_hits: Family<LimitLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("secure_origin");
        let requests = Family::default();
        registry.register("requests", "Requests by route and status", requests.clone());
        let decrypt_failures = Family::default();
        registry.register(
            "decrypt_failures",
            "Card ciphertexts refused, by reason",
            decrypt_failures.clone(),
        );
        let forwards = Family::default();
        registry.register(
            "forwards",
            "Payments sent to PayKKa (or not), by outcome",
            forwards.clone(),
        );
        let paykka_seconds: Family<StatusLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "paykka_seconds",
            "PayKKa's Initiate latency, by HTTP status (or none)",
            paykka_seconds.clone(),
        );
        let limit_hits = Family::default();
        registry.register(
            "limit_hits",
            "Requests refused by a rate limit",
            limit_hits.clone(),
        );
        Metrics {
            registry,
            requests,
            decrypt_failures,
            forwards,
            paykka_seconds,
            limit_hits,
        }
    }
}

impl Metrics {
    /// A ciphertext refused for `error` (a replay among them).
    pub fn decrypt_failed(&self, error: &CardError) {
        let reason = match error {
            CardError::Decryption(_) => "undecryptable",
            CardError::Expired => "expired",
            CardError::Replayed => "replayed",
            CardError::Invalid(_) => "invalid_card",
        };
        self.decrypt_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// A forward ended `outcome` (`answered`, `unknown`, `not_sent`, `mismatch`,
    /// `retry_answered`, `settled`).
    pub fn forwarded(&self, outcome: &'static str) {
        self.forwards
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// PayKKa answered with `status` (`None`: no answer) after `seconds`.
    pub fn paykka_answered(&self, status: Option<u16>, seconds: f64) {
        let status = status.map_or_else(|| "none".to_owned(), |s| s.to_string());
        self.paykka_seconds
            .get_or_create(&StatusLabels { status })
            .observe(seconds);
    }

    /// A request refused by the limit named `limit`, counted per `scope`.
    pub fn limit_hit(&self, limit: &'static str, scope: &'static str) {
        self.limit_hits
            .get_or_create(&LimitLabels { limit, scope })
            .inc();
    }

    /// The metrics in Prometheus' text format.
    pub fn text(&self) -> String {
        let mut text = String::new();
        if encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// Counts each request by its route (the pattern, never the path's values) and status.
pub async fn count_requests(
    Extract(metrics): Extract<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let response = next.run(request).await;
    metrics
        .requests
        .get_or_create(&RouteLabels {
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// `/metrics`, for the metrics listener only.
pub fn app(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(text))
        .with_state(metrics)
}

async fn text(Extract(metrics): Extract<Arc<Metrics>>) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.text(),
    )
        .into_response()
}
