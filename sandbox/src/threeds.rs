//! The sandbox's 3-D Secure challenge: a page where the shopper enters the one-time code
//! (or fails on purpose) — or, for a redirect method (Alipay, WeChat Pay), approves or
//! declines; the payment then completes and the browser returns to the merchant's
//! `return_url`. Plain HTML form, no script.

use axum::extract::{Form, Path, State as Extract};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::payment::{update_status, Payment};
use super::payments::REDIRECT_METHODS;
use super::state::State;

/// The sandbox's one-time code.
pub const CHALLENGE_CODE: &str = "1234";

/// No script; the form posts here and redirects to the merchant; framed only by this
/// origin and the page origins registered for the payment's merchant (a checkout may show
/// the challenge in a modal frame).
fn page_policy(ancestors: &str) -> String {
    format!("default-src 'none'; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'self' {ancestors}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, body: String, ancestors: &str) -> Response {
    let mut response = (status, Html(body)).into_response();
    let policy = HeaderValue::from_str(&page_policy(ancestors))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, policy);
    response
}

async fn find(gateway: &State, token: String) -> Option<Payment> {
    gateway
        .db
        .call(move |conn| Payment::by_challenge(conn, &token))
        .await
        .ok()
        .flatten()
}

/// The challenge page.
pub async fn page_handler(gateway: &State, token: String) -> Response {
    let Some(payment) = find(gateway, token.clone()).await else {
        return page(
            StatusCode::NOT_FOUND,
            "<!doctype html><title>Not found</title><p>Unknown authentication.</p>".into(),
            "",
        );
    };
    let ancestors = gateway
        .merchants
        .iter()
        .filter(|m| m.merchant_id == payment.merchant_id)
        .flat_map(|m| m.domains.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let amount = paykka_api::money::decimal(payment.amount, &payment.currency).unwrap_or_default();
    if REDIRECT_METHODS.contains(&payment.payment_method.as_str()) {
        return approval_page(&payment, &amount, &token, &ancestors);
    }
    let last4 = payment
        .card
        .as_ref()
        .map(|c| c.2.clone())
        .unwrap_or_default();
    page(
        StatusCode::OK,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
             <title>Card authentication</title></head><body><main><h1>Confirm your payment</h1>\
             <p>{currency} {amount} with the card ending {last4}.</p>\
             <p>Sandbox: the one-time code is <strong>{CHALLENGE_CODE}</strong>.</p>\
             <form method=\"post\" action=\"/3ds/challenge/{token}\">\
             <label for=\"code\">One-time code</label> <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" autofocus>\
             <button id=\"submit\" type=\"submit\" name=\"action\" value=\"submit\">Confirm</button> \
             <button id=\"fail\" type=\"submit\" name=\"action\" value=\"fail\">Fail authentication</button>\
             </form></main></body></html>",
            currency = escape(&payment.currency),
            amount = escape(&amount),
            last4 = escape(&last4),
            token = escape(&token),
        ),
        &ancestors,
    )
}

/// A redirect method's page (Alipay, WeChat Pay): the shopper approves or declines.
fn approval_page(payment: &Payment, amount: &str, token: &str, ancestors: &str) -> Response {
    let name = if payment.payment_method == "ALIPAY" {
        "Alipay"
    } else {
        "WeChat Pay"
    };
    page(
        StatusCode::OK,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
             <title>{name} (sandbox)</title></head><body><main><h1>{name} (sandbox)</h1>\
             <p>Pay {currency} {amount}.</p>\
             <form method=\"post\" action=\"/3ds/challenge/{token}\">\
             <button id=\"approve\" type=\"submit\" name=\"action\" value=\"approve\">Approve</button> \
             <button id=\"fail\" type=\"submit\" name=\"action\" value=\"fail\">Decline</button>\
             </form></main></body></html>",
            currency = escape(&payment.currency),
            amount = escape(amount),
            token = escape(token),
        ),
        ancestors,
    )
}

pub async fn page_route(Extract(gateway): Extract<State>, Path(token): Path<String>) -> Response {
    page_handler(&gateway, token).await
}

#[derive(Deserialize)]
pub struct Answer {
    code: Option<String>,
    action: Option<String>,
}

/// The shopper's answer: completes the payment and returns to the merchant.
pub async fn submit(
    Extract(gateway): Extract<State>,
    Path(token): Path<String>,
    Form(answer): Form<Answer>,
) -> Response {
    let approved = answer.action.as_deref() == Some("approve");
    let passed = answer.action.as_deref() != Some("fail")
        && answer.code.as_deref().map(str::trim) == Some(CHALLENGE_CODE);
    let app_ids: Vec<(String, String)> = gateway
        .merchants
        .iter()
        .map(|m| (m.merchant_id.clone(), m.app_id.clone()))
        .collect();
    let result = gateway
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let Some(mut payment) = Payment::by_challenge(&tx, &token)? else {
                return Ok(None);
            };
            if payment.status == "PROCESSING" {
                let app_id = app_ids
                    .iter()
                    .find(|(m, _)| *m == payment.merchant_id)
                    .map(|(_, a)| a.clone())
                    .unwrap_or_default();
                let redirect_method = REDIRECT_METHODS.contains(&payment.payment_method.as_str());
                let to = if redirect_method && !approved {
                    ("FAILURE", "3006", "Declined by the shopper")
                } else if !redirect_method && !passed {
                    ("FAILURE", "3005", "3-D Secure authentication failed")
                } else if payment.capture_method == "MANUAL" {
                    ("AUTHORIZED", "0000", "Success")
                } else {
                    ("SUCCESS", "0000", "Success")
                };
                update_status(&tx, &mut payment, to.0, to.1, to.2, &app_id)?;
            }
            tx.commit()?;
            Ok(Some(payment))
        })
        .await;
    match result {
        Ok(Some(payment)) => match payment.return_url {
            Some(url) => {
                let separator = if url.contains('?') { '&' } else { '?' };
                Redirect::to(&format!(
                    "{url}{separator}trans_id={}&order_id={}",
                    urlencoding::encode(&payment.trans_id),
                    urlencoding::encode(&payment.order_id)
                ))
                .into_response()
            }
            None => page(
                StatusCode::OK,
                format!(
                    "<!doctype html><title>Done</title><p>Authentication finished: {}.</p>",
                    escape(&payment.status)
                ),
                "",
            ),
        },
        Ok(None) => page(
            StatusCode::NOT_FOUND,
            "<!doctype html><title>Not found</title><p>Unknown authentication.</p>".into(),
            "",
        ),
        Err(error) => {
            tracing::error!("3-D Secure: {error:#}");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><title>Error</title><p>Try again.</p>".into(),
                "",
            )
        }
    }
}
