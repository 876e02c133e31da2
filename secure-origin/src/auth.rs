//! The shop's requests to the service, authenticated as PayKKa authenticates merchants:
//! `x-paykka-appid`, a timestamp within five minutes, a nonce used once (across every
//! instance: the storage keeps them), and an RSA signature over the exact body with the
//! key the shop registered here.

use axum::http::{HeaderMap, StatusCode};
use paykka_api::signing::{
    self, HEADER_APPID, HEADER_NONCE, HEADER_SIGN, HEADER_SIGN_ALG, HEADER_TIMESTAMP, SIGN_ALG,
};

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
    let unauthorized =
        |code: &'static str, message: &str| Refusal::new(StatusCode::UNAUTHORIZED, code, message);
    let (Some(app_id), Some(timestamp), Some(nonce), Some(sign)) = (
        header(HEADER_APPID),
        header(HEADER_TIMESTAMP),
        header(HEADER_NONCE),
        header(HEADER_SIGN),
    ) else {
        return Err(unauthorized("206002", "Signature not found"));
    };
    if header(HEADER_SIGN_ALG).is_some_and(|alg| alg != SIGN_ALG)
        || !(10..=100).contains(&nonce.len())
    {
        return Err(unauthorized("206003", "Signature error"));
    }
    let merchant = service
        .merchant_by_app(app_id)
        .ok_or_else(|| unauthorized("206005", "Merchant does not exist"))?;
    let message = signing::string_to_sign("POST", path, timestamp, nonce, body);
    if !signing::verify(&merchant.shop_key, &message, sign) {
        return Err(unauthorized("206003", "Signature error"));
    }
    let now = signing::now_ms();
    if !signing::timestamp_fresh(timestamp, now) {
        return Err(unauthorized("206004", "Signature expired"));
    }
    let fresh = service
        .storage
        .spend_request_nonce(app_id.to_owned(), nonce.to_owned(), now)
        .await
        .map_err(Refusal::internal)?;
    if !fresh {
        return Err(unauthorized(NONCE_REPLAYED, "Nonce already used"));
    }
    Ok(merchant)
}
