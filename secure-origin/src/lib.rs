//! paykka-secure-origin: the card-data service a PCI-assessed merchant (or a payment
//! partner) deploys beside its shop. It serves the card frames and the merchant's keys,
//! opens the ciphertexts the shop's backend forwards, and sends PayKKa its raw-card
//! Initiate request — so neither the shop's pages nor its servers ever hold card data.
//! docs/deploy.md says what runs where.

pub mod answers;
pub mod auth;
pub mod checkout;
pub mod checkout_session;
pub mod config;
pub mod cors;
pub mod forward;
pub mod frame_page;
pub mod frames;
pub mod health;
pub mod keyring;
pub mod limits;
pub mod metrics;
pub mod seal;
pub mod start;
pub mod state;
pub mod storage;

use axum::routing::post;
use axum::Router;

/// Every route of the service.
pub fn app(state: state::State) -> Router {
    Router::new()
        .route(paykka_api::paths::INITIATE, post(forward::initiate))
        .with_state(state.clone())
        .merge(frames::app(state.clone()))
        .merge(checkout::app(state.clone()))
        .merge(health::app(state.clone()))
        .route_layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::clone(&state.metrics),
            metrics::count_requests,
        ))
}
