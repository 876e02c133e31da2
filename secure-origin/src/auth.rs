//! The shop's requests to the service, authenticated as PayKKa authenticates merchants:
//! `x-paykka-appid`, a timestamp within five minutes, a nonce used once (across every
//! instance: the storage keeps them), and an RSA signature over the exact body with the
//! key the shop registered here.

use axum::http::{HeaderMap, StatusCode};
use paykka_api::signing;

use crate::answers::{Refusal, NONCE_REPLAYED};
use crate::state::{Merchant, Service};

/// The merchant whose shop signed this request, or PayKKa's signature errors.
pub async fn shop<'a>(
    service: &'a Service,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
) -> Result<&'a Merchant, Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = signing::now_ms();
    let (merchant, nonce) = signing::verify_request(
        header,
        path,
        body,
        |app_id| {
            let merchant = service.merchant_by_app(app_id)?;
            Some((merchant, &merchant.shop_key))
        },
        now,
    )
    .map_err(|refused| Refusal::new(StatusCode::UNAUTHORIZED, refused.code(), refused.message()))?;
    let fresh = service
        .storage
        .spend_request_nonce(merchant.app_id.clone(), nonce.to_owned(), now)
        .await
        .map_err(Refusal::internal)?;
    if !fresh {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            NONCE_REPLAYED,
            "Nonce already used",
        ));
    }
    Ok(merchant)
}
