//! The caller's IP address as the server saw the connection (the apps are served with
//! connect info), for the shop's `customer` fields and per-address limits.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;

/// The peer's IP address, when the server knows it (not in tests that call the app directly).
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let connect = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientIp(connect.map(|c| c.0.ip())))
    }
}
