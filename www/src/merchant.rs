//! The merchant site: the demo page and the built package under a strict
//! Content-Security-Policy, and the configuration the page mounts the card fields with.

use std::path::Path;
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Only our own scripts, plus compiling our wasm; no inline script or style, no eval; the
/// secure origin may be framed and called.
fn content_security_policy(gateway: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {gateway}; frame-src {gateway}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Shared state of the merchant handlers.
#[derive(Clone)]
pub struct State {
    client_key: Arc<str>,
    gateway_url: Arc<str>,
}

impl State {
    pub fn new(client_key: String, gateway_url: String) -> Self {
        State {
            client_key: client_key.into(),
            gateway_url: gateway_url.into(),
        }
    }
}

/// The merchant site's routes.
pub fn app(state: State, static_dir: &Path, pkg_dir: &Path) -> Router {
    let policy = HeaderValue::from_str(&content_security_policy(&state.gateway_url))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    Router::new()
        .route("/api/config", get(config))
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .fallback_service(ServeDir::new(static_dir))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// What the page needs to mount the secure fields: the client key and the gateway.
async fn config(Extract(state): Extract<State>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "clientKey": &*state.client_key,
        "environment": &*state.gateway_url,
    }))
}
