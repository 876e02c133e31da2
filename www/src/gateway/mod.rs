//! The sandbox gateway: a subset of the PayKKa v3 API (signed requests and responses),
//! the secure origin of the card frames, the 3-D Secure challenge page and the webhook
//! outbox. Everything is persisted in its own SQLite file. This file only lists the parts
//! and routes them.

pub mod checkout_api;
pub mod frames;
pub mod payment;
pub mod payments;
pub mod protocol;
pub mod sessions;
pub mod state;
pub mod test_cards;
pub mod threeds;
pub mod wallet_tokens;
pub mod webhooks;

use std::path::Path;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use paykka_api::paths;

pub use state::{ClientKey, Gateway, Merchant, State, MIGRATIONS};

/// The gateway's routes.
pub fn app(state: State, frames_dir: &Path, pkg_dir: &Path) -> Router {
    Router::new()
        .route(paths::INITIATE, post(payments::initiate))
        .route(paths::QUERY, post(payments::query))
        .route(paths::CAPTURE, post(payments::capture))
        .route(paths::VOID, post(payments::void))
        .route(paths::REFUND, post(payments::refund))
        .route(paths::REFUND_QUERY, post(payments::refund_query))
        .route(paths::SESSION_CREATE, post(sessions::create))
        .route(paths::SESSION_QUERY, post(sessions::query))
        .route(paths::APPLE_PAY_SESSION, post(sessions::apple_pay))
        .route(
            checkout_api::SESSION,
            post(checkout_api::session).options(frames::preflight),
        )
        .route(
            checkout_api::PAY,
            post(checkout_api::pay).options(frames::preflight),
        )
        .route(
            checkout_api::RESULT,
            post(checkout_api::result).options(frames::preflight),
        )
        .route(
            checkout_api::APPLE_PAY_SESSION,
            post(checkout_api::apple_pay_session).options(frames::preflight),
        )
        .route(
            "/3ds/challenge/{token}",
            get(threeds::page_route).post(threeds::submit),
        )
        .with_state(Arc::clone(&state))
        .merge(frames::app(state, frames_dir, pkg_dir))
}
