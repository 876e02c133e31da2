//! Forwarding: the shop's Initiate Transaction with the four `encrypted_*` fields comes
//! in signed by the shop; the service opens the ciphertexts (the merchant's key by `kid`,
//! each field in its slot, within its time window, for the request's session, each nonce
//! once), swaps them for PayKKa's raw-card fields (`card_no`, `exp_month`, `exp_year`,
//! `cvv`), signs the request as the merchant and sends it to PayKKa, and returns PayKKa's
//! signed answer unchanged — the shop verifies PayKKa itself. One PayKKa call per
//! `trans_id`: a retry gets the first answer byte for byte; a `trans_id` whose outcome is
//! unknown is looked up with Query Transaction, never sent again. The checkout's payments
//! (`checkout`) go through the same ledger.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paykka_api::card::Card;
use paykka_api::client::{CallError, SignedAnswer};
use paykka_api::jwe::{decrypt_field, key_id, CardError, MAX_AGE_MS, MAX_SKEW_MS};
use paykka_api::paths::{INITIATE, QUERY};
use paykka_api::signing::{now_ms, HEADER_NONCE, HEADER_SIGN, HEADER_TIMESTAMP};
use paykka_web::crypto::FieldName;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::answers::{
    signed_refusal, Refusal, FORWARD_MISMATCH, FORWARD_UNKNOWN, KEY_RETIRED, NOT_SENT, PLAIN_CARD,
};
use crate::keyring::KeyRefusal;
use crate::state::{Merchant, Service, State};
use crate::storage::{Claim, ForwardClaim, ForwardState, StoredAnswer};

/// The encrypted fields and the raw-card field each becomes.
const FIELDS: [(FieldName, &str, &str); 4] = [
    (FieldName::Number, "encrypted_card_no", "card_no"),
    (FieldName::ExpiryMonth, "encrypted_exp_month", "exp_month"),
    (FieldName::ExpiryYear, "encrypted_exp_year", "exp_year"),
    (FieldName::Cvc, "encrypted_cvv", "cvv"),
];

/// Raw-card members the shop must never send (it never sees them).
const PLAIN_FIELDS: [&str; 4] = ["card_no", "exp_month", "exp_year", "cvv"];

/// `POST /v3/payment/acq` from the shop.
pub async fn initiate(
    Extract(service): Extract<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match forward(&service, &headers, &body).await {
        Ok(answer) => relay(&answer),
        Err(refusal) => signed_refusal(&service, INITIATE, refusal),
    }
}

/// PayKKa's answer as PayKKa sent it.
fn relay(answer: &StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        answer.body.clone(),
    )
        .into_response();
    for (name, value) in &answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The request's parts the service acts on.
struct Request<'a> {
    session_id: Option<&'a str>,
    payment: &'a Map<String, Value>,
}

fn read_request<'a>(json: &'a Value, merchant: &Merchant) -> Result<Request<'a>, Refusal> {
    let text = |key: &str| json.get(key).and_then(Value::as_str);
    if text("merchant_id") != Some(merchant.merchant_id.as_str()) {
        return Err(Refusal::bad_request(
            "merchant_id does not belong to the caller",
        ));
    }
    text("trans_id")
        .filter(|t| (1..=64).contains(&t.len()))
        .ok_or_else(|| Refusal::bad_request("trans_id must be 1 to 64 characters"))?;
    let payment = json
        .get("payment")
        .and_then(Value::as_object)
        .ok_or_else(|| Refusal::bad_request("payment is required"))?;
    if PLAIN_FIELDS.iter().any(|f| payment.contains_key(*f)) {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            PLAIN_CARD,
            "Card data must come encrypted: the shop never handles it",
        ));
    }
    let method = payment.get("payment_method").and_then(Value::as_str);
    if !method.is_some_and(|m| m.eq_ignore_ascii_case("BANKCARD")) {
        return Err(Refusal::bad_request(
            "only BANKCARD payments with encrypted card fields are forwarded",
        ));
    }
    let session_id = match json.get("session_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.as_str()),
        Some(_) => return Err(Refusal::bad_request("session_id must be a string")),
    };
    Ok(Request {
        session_id,
        payment,
    })
}

/// The four values, opened and checked, with their nonces.
pub struct Opened {
    values: [Zeroizing<String>; 4],
    nonces: Vec<String>,
    card: Card,
}

/// Opens the `encrypted_*` members of `payment`, made for `session_id` (or for none).
pub async fn open_card(
    service: &Service,
    merchant: &Merchant,
    payment: &Map<String, Value>,
    session_id: Option<&str>,
    now: i64,
) -> Result<Opened, Refusal> {
    let mut values: Vec<Zeroizing<String>> = Vec::with_capacity(4);
    let mut nonces = Vec::with_capacity(4);
    // The four fields name one key as a rule: it is unsealed once for the request (and
    // wiped with it).
    let mut keys: Vec<paykka_api::keys::KeyPair> = Vec::with_capacity(1);
    // Each refusal of a ciphertext is counted by its reason.
    let fail = |error: CardError| {
        service.metrics.decrypt_failed(&error);
        Refusal::from(error)
    };
    for (slot, member, _) in FIELDS {
        let compact = payment
            .get(member)
            .and_then(Value::as_str)
            .ok_or_else(|| Refusal::bad_request("all four encrypted_* fields are required"))?;
        let unknown = CardError::Decryption("Unknown card encryption key");
        let kid = key_id(compact).ok_or_else(|| fail(unknown.clone()))?;
        let index = match keys.iter().position(|k| k.kid == kid) {
            Some(index) => index,
            None => match service
                .keyring
                .opening_key(&merchant.merchant_id, &kid)
                .await
                .map_err(Refusal::internal)?
            {
                Ok(key) => {
                    keys.push(key);
                    keys.len() - 1
                }
                Err(KeyRefusal::Unknown) => return Err(fail(unknown)),
                Err(KeyRefusal::Retired) => {
                    return Err(Refusal::new(
                        StatusCode::BAD_REQUEST,
                        KEY_RETIRED,
                        "Card encryption key retired: encrypt again",
                    ))
                }
            },
        };
        let field =
            decrypt_field(std::iter::once(&keys[index]), slot, compact, now).map_err(fail)?;
        // A ciphertext made for a session pays that session only, and one made outside a
        // session cannot pay one.
        if field.session_id.as_deref() != session_id {
            return Err(fail(CardError::Decryption(
                "Card encryption belongs to another session",
            )));
        }
        values.push(Zeroizing::new(field.value));
        nonces.push(field.nonce);
    }
    let values: [Zeroizing<String>; 4] = values
        .try_into()
        .map_err(|_| Refusal::bad_request("all four encrypted_* fields are required"))?;
    let card = Card::check(&values[0], &values[1], &values[2], &values[3], now).map_err(fail)?;
    Ok(Opened {
        values,
        nonces,
        card,
    })
}

/// PayKKa's raw-card request: the shop's request with the ciphertexts swapped for values.
fn raw_card_body(json: &Value, opened: &Opened) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    let mut body = json.clone();
    let payment = body
        .get_mut("payment")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| Refusal::bad_request("payment is required"))?;
    for (index, (_, encrypted, plain)) in FIELDS.iter().enumerate() {
        payment.remove(*encrypted);
        let value = if index == 0 {
            opened.card.number.clone()
        } else {
            opened.values[index].to_string()
        };
        payment.insert((*plain).to_owned(), Value::String(value));
    }
    let bytes = serde_json::to_vec(&body).map_err(|e| Refusal::internal(e.into()));
    // The copies inside the JSON tree are wiped before the tree is freed.
    if let Some(payment) = body.get_mut("payment").and_then(Value::as_object_mut) {
        for plain in PLAIN_FIELDS {
            if let Some(Value::String(value)) = payment.get_mut(plain) {
                value.zeroize();
            }
        }
    }
    bytes.map(Zeroizing::new)
}

fn stored(answer: SignedAnswer) -> StoredAnswer {
    StoredAnswer {
        status: answer.status,
        headers: vec![
            (HEADER_TIMESTAMP.to_owned(), answer.timestamp),
            (HEADER_NONCE.to_owned(), answer.nonce),
            (HEADER_SIGN.to_owned(), answer.sign),
        ],
        body: answer.body,
    }
}

async fn forward(
    service: &Service,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<StoredAnswer, Refusal> {
    let merchant = crate::auth::shop(service, headers, INITIATE, body).await?;
    let json: Value = serde_json::from_slice(body)
        .map_err(|_| Refusal::bad_request("Invalid request: malformed JSON"))?;
    let request = read_request(&json, merchant)?;
    let now = now_ms();
    let opened = open_card(service, merchant, request.payment, request.session_id, now).await?;
    send(service, merchant, &json, Some(&opened), now).await
}

/// Sends PayKKa the Initiate request `json` as the merchant — with the raw card of `card`
/// in place of its ciphertexts, or as it is (a wallet token) — once per `trans_id`.
pub async fn send(
    service: &Service,
    merchant: &Merchant,
    json: &Value,
    card: Option<&Opened>,
    now: i64,
) -> Result<StoredAnswer, Refusal> {
    let trans_id = json["trans_id"].as_str().unwrap_or_default();
    let nonces = card.map(|c| c.nonces.clone()).unwrap_or_default();
    let fingerprint = fingerprint(json);
    let claim = ForwardClaim {
        merchant_id: merchant.merchant_id.clone(),
        trans_id: trans_id.to_owned(),
        fingerprint: fingerprint.clone(),
        nonces: nonces.clone(),
        now,
        nonces_until: now + MAX_AGE_MS + 2 * MAX_SKEW_MS,
    };
    match service
        .storage
        .claim_forward(claim)
        .await
        .map_err(Refusal::internal)?
    {
        Claim::Claimed => {}
        Claim::Replayed => {
            service.metrics.decrypt_failed(&CardError::Replayed);
            return Err(CardError::Replayed.into());
        }
        Claim::Existing(existing) if existing.fingerprint != fingerprint => {
            service.metrics.forwarded("mismatch");
            return Err(Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                FORWARD_MISMATCH,
                "This trans_id was sent with another request",
            ));
        }
        Claim::Existing(existing) => {
            let state = match existing.state {
                ForwardState::InFlight => wait_for_answer(service, merchant, trans_id).await?,
                done => done,
            };
            return match state {
                ForwardState::Answered(answer) => {
                    service.metrics.forwarded("retry_answered");
                    Ok(answer)
                }
                // Still in flight after as long as a PayKKa call may take: the instance that
                // sent it stopped before it wrote the outcome (it died). Unknown: settled by
                // a query, never sent again.
                ForwardState::InFlight | ForwardState::Unknown => {
                    service.metrics.forwarded("settled");
                    Err(settle(merchant, trans_id).await)
                }
            };
        }
    }
    let bytes = match card {
        Some(card) => raw_card_body(json, card)?,
        None => Zeroizing::new(serde_json::to_vec(json).map_err(|e| Refusal::internal(e.into()))?),
    };
    let timeout = Duration::from_millis(service.paykka_timeout_ms);
    let started = std::time::Instant::now();
    let sent = merchant
        .paykka
        .exchange(INITIATE, bytes.to_vec(), timeout)
        .await;
    drop(bytes);
    service.metrics.paykka_answered(
        sent.as_ref().ok().map(|answer| answer.status),
        started.elapsed().as_secs_f64(),
    );
    if let Err(CallError::NotSent) = sent {
        // Nothing left: the claim is undone, so the same request may be tried again.
        service
            .storage
            .release_forward(merchant.merchant_id.clone(), trans_id.to_owned(), nonces)
            .await
            .map_err(Refusal::internal)?;
        service.metrics.forwarded("not_sent");
        return Err(not_sent());
    }
    let (state, result) = match sent {
        // A 5xx says nothing of whether the payment was made.
        Ok(answer) if answer.status >= 500 => (ForwardState::Unknown, Ok(stored(answer))),
        Ok(answer) => {
            let answer = stored(answer);
            (ForwardState::Answered(answer.clone()), Ok(answer))
        }
        Err(error) => (ForwardState::Unknown, Err(unknown_outcome(&error))),
    };
    let outcome = match state {
        ForwardState::Answered(_) => "answered",
        _ => "unknown",
    };
    service.metrics.forwarded(outcome);
    tracing::info!(
        merchant_id = %merchant.merchant_id,
        trans_id,
        bin = card.map(|c| c.card.bin()),
        last4 = card.map(|c| c.card.last4()),
        state = outcome,
        "forwarded"
    );
    service
        .storage
        .finish_forward(merchant.merchant_id.clone(), trans_id.to_owned(), state)
        .await
        .map_err(Refusal::internal)?;
    result
}

/// What identifies a forward's request: its amount, currency, session and payment (the
/// ciphertexts). Other members (the shop's `timestamp`, browser data) may differ between a
/// request and its retry.
fn fingerprint(json: &Value) -> String {
    let binding = json!({
        "amount": json.get("amount"),
        "currency": json.get("currency"),
        "session_id": json.get("session_id"),
        "payment": json.get("payment"),
    });
    let bytes = serde_json::to_vec(&binding).unwrap_or_default();
    base16ct::lower::encode_string(&Sha256::digest(bytes))
}

/// A retry that comes while the first request is with PayKKa waits for its answer (as long
/// as a PayKKa call may take), then gets the same.
async fn wait_for_answer(
    service: &Service,
    merchant: &Merchant,
    trans_id: &str,
) -> Result<ForwardState, Refusal> {
    let deadline = now_ms() + i64::try_from(service.paykka_timeout_ms).unwrap_or(i64::MAX) + 1_000;
    loop {
        let forward = service
            .storage
            .forward(merchant.merchant_id.clone(), trans_id.to_owned())
            .await
            .map_err(Refusal::internal)?;
        match forward.map(|f| f.state) {
            Some(ForwardState::InFlight) if now_ms() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Some(state) => return Ok(state),
            // Released (PayKKa was not reached): nothing to wait for.
            None => return Err(not_sent()),
        }
    }
}

/// PayKKa could not be reached and the request never left: it may be tried again.
fn not_sent() -> Refusal {
    Refusal::new(
        StatusCode::SERVICE_UNAVAILABLE,
        NOT_SENT,
        "PayKKa cannot be reached: nothing was sent; try again",
    )
}

fn unknown_outcome(error: &CallError) -> Refusal {
    let why = match error {
        CallError::BadSignature => "PayKKa's answer was not signed",
        _ => "PayKKa did not answer in time",
    };
    Refusal::new(
        StatusCode::BAD_GATEWAY,
        FORWARD_UNKNOWN,
        format!("{why}: the outcome is unknown; query the transaction, do not resend"),
    )
}

/// A `trans_id` whose first send has no known outcome: what PayKKa says of it now (Query
/// Transaction), never a second send.
async fn settle(merchant: &Merchant, trans_id: &str) -> Refusal {
    let query = json!({"merchant_id": merchant.merchant_id, "trans_id": trans_id});
    let status = match merchant.paykka.call(QUERY, &query).await {
        Ok(data) => data["status"].as_str().unwrap_or("UNKNOWN").to_owned(),
        Err(CallError::Refused(..)) => "NOT_FOUND".to_owned(),
        Err(_) => "UNKNOWN".to_owned(),
    };
    let mut refusal = Refusal::new(
        StatusCode::CONFLICT,
        FORWARD_UNKNOWN,
        "This trans_id was sent and its outcome was unknown: query the transaction, do not resend",
    );
    refusal.data = Some(Box::new(json!({"trans_id": trans_id, "status": status})));
    refusal
}
