//! The merchant site's routes: the demo page, the return page and the built package under
//! a strict Content-Security-Policy, the page's configuration, and the merchant API.

use std::path::Path;

use axum::extract::State as Extract;
use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use super::{api, State};

/// Only our own scripts, plus compiling our wasm; no inline script or style, no eval; the
/// secure origin may be framed and called.
fn content_security_policy(gateway: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {gateway}; frame-src {gateway}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The component lab's files, served only with `--lab`.
const LAB_FILES: [&str; 2] = ["/lab.html", "/lab.js"];

/// The merchant site's routes.
pub fn app(state: State, static_dir: &Path, pkg_dir: &Path) -> Router {
    let policy = HeaderValue::from_str(&content_security_policy(&state.gateway_url))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    let mut router = Router::new();
    if !state.serve_lab {
        // The lab mounts with options from its URL: a test tool, not part of the shop.
        for path in LAB_FILES {
            router = router.route(path, get(|| async { StatusCode::NOT_FOUND }));
        }
    }
    router
        .route("/api/config", get(config))
        .route("/api/orders", post(api::create_order))
        .route("/api/payments", post(api::pay))
        .route("/api/payments/{trans_id}", get(api::query))
        .route("/api/sessions", post(api::create_session))
        .route("/api/apple-pay/session", post(api::apple_pay_session))
        .route(api::WEBHOOK_PATH, post(api::webhook))
        .route_service(
            "/3ds/return",
            ServeFile::new(static_dir.join("return.html")),
        )
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

/// What the page needs to mount the secure fields: the client key and the secure origin.
async fn config(Extract(state): Extract<State>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "clientKey": state.client_key,
        "environment": state.gateway_url,
    }))
}
