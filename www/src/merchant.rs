//! The merchant site: the demo page and the built package under a strict
//! Content-Security-Policy, and the demo's public card-encryption key.

use std::path::Path;
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::keys::KeyPair;

/// Only our own scripts, plus compiling our wasm; no inline script or style, no eval.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Shared state of the merchant handlers.
#[derive(Clone)]
pub struct State {
    demo_key: Arc<KeyPair>,
}

impl State {
    pub fn new(demo_key: KeyPair) -> Self {
        State {
            demo_key: Arc::new(demo_key),
        }
    }
}

/// The merchant site's routes.
pub fn app(state: State, static_dir: &Path, pkg_dir: &Path) -> Router {
    Router::new()
        .route("/api/demo-key", get(demo_key))
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .fallback_service(ServeDir::new(static_dir))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
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

/// The public key the demo page encrypts with, and the server clock.
async fn demo_key(Extract(state): Extract<State>) -> Json<serde_json::Value> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Json(serde_json::json!({
        "publicKey": state.demo_key.public_jwk(),
        "serverTime": now_ms,
    }))
}
