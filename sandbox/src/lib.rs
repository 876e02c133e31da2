//! paykka-sandbox: PayKKa played offline — a subset of its v3 API (signed requests and
//! answers), the 3-D Secure challenge page and the webhook outbox, persisted in its own
//! SQLite file. It plays PayKKa only: the card frames, their keys and the drop-in's session
//! API are the secure origin's (paykka-secure-origin), which sends it raw-card requests as a
//! PCI-assessed merchant's. This file only lists the parts and routes them.

pub mod payment;
pub mod payments;
pub mod protocol;
pub mod refunds;
pub mod sessions;
pub mod state;
pub mod test_cards;
pub mod threeds;
pub mod wallet_tokens;
pub mod webhooks;

use axum::routing::{get, post};
use axum::Router;
use paykka_api::paths;

pub use state::{Gateway, Merchant, State, MIGRATIONS};

/// The gateway's routes.
pub fn app(state: State) -> Router {
    Router::new()
        .route(paths::INITIATE, post(payments::initiate))
        .route(paths::QUERY, post(payments::query))
        .route(paths::CAPTURE, post(payments::capture))
        .route(paths::VOID, post(payments::void))
        .route(paths::REFUND, post(refunds::refund))
        .route(paths::REFUND_QUERY, post(refunds::refund_query))
        .route(paths::SESSION_CREATE, post(sessions::create))
        .route(paths::SESSION_QUERY, post(sessions::query))
        .route(paths::APPLE_PAY_SESSION, post(sessions::apple_pay))
        .route(
            "/3ds/challenge/{token}",
            get(threeds::page_route).post(threeds::submit),
        )
        .with_state(state)
}
