//! Probes: `/healthz` (the process answers) and `/readyz` (the database answers, every
//! merchant's current key opens under the master key, and the service is not draining).

use std::sync::atomic::Ordering;

use axum::extract::State as Extract;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::state::State;

pub fn app(state: State) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(state)
}

async fn ready(Extract(state): Extract<State>) -> impl IntoResponse {
    if state.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    if state.storage.ping().await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
    }
    for merchant in &state.merchants {
        let opens = match state.keyring.current(&merchant.merchant_id).await {
            Ok(key) => state.keyring.open(&key).is_ok(),
            Err(_) => false,
        };
        if !opens {
            return (StatusCode::SERVICE_UNAVAILABLE, "card keys do not open");
        }
    }
    (StatusCode::OK, "ready")
}
