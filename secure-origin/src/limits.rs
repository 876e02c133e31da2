//! Shared rate limits on what shoppers' pages call: the frames' key (`/v3/frames/load`)
//! and the drop-in's payments (`/v3/checkout/pay`), per client key and per IP address, in
//! one-minute windows counted in the database — so they hold across every instance. A
//! request over a limit is refused with `SO0009` before anything else is done. The
//! shopper's address is the connection's peer, or, when the peer is a proxy the
//! configuration trusts, the last address in `X-Forwarded-For` that is not one of them.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode};
use paykka_api::signing::now_ms;

use crate::answers::{Refusal, RATE_LIMITED};
use crate::state::Service;

const WINDOW_MS: i64 = 60_000;

/// What is limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limited {
    FramesLoad,
    Pay,
}

impl Limited {
    pub fn name(self) -> &'static str {
        match self {
            Limited::FramesLoad => "frames_load",
            Limited::Pay => "pay",
        }
    }
}

/// The shopper's address as this service can tell it.
pub fn shopper_ip(service: &Service, peer: Option<IpAddr>, headers: &HeaderMap) -> String {
    let Some(peer) = peer else {
        return "unknown".to_owned();
    };
    if !service.trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|hop| !service.trusted_proxies.contains(hop))
        .unwrap_or(peer)
        .to_string()
}

/// Counts this request against its client key's and its address's limits for `what`.
pub async fn check(
    service: &Service,
    what: Limited,
    client_key: &str,
    ip: &str,
) -> Result<(), Refusal> {
    let limits = service.limits;
    let (per_client_key, per_ip) = match what {
        Limited::FramesLoad => (limits.frames_load_per_client_key, limits.frames_load_per_ip),
        Limited::Pay => (limits.pays_per_client_key, limits.pays_per_ip),
    };
    let now = now_ms();
    let window = now - now.rem_euclid(WINDOW_MS);
    for (scope, key, limit) in [
        ("client_key", client_key, per_client_key),
        ("ip", ip, per_ip),
    ] {
        let hits = service
            .storage
            .count_hit(
                format!("{}:{scope}:{key}", what.name()),
                window,
                window - WINDOW_MS,
            )
            .await
            .map_err(Refusal::internal)?;
        if hits > i64::from(limit) {
            service.metrics.limit_hit(what.name(), scope);
            let seconds = (window + WINDOW_MS - now).div_euclid(1000) + 1;
            return Err(Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                RATE_LIMITED,
                format!("Too many requests: try again in {seconds} s"),
            ));
        }
    }
    Ok(())
}
