//! JSON over `fetch` with a deadline (the secure origin's calls, the merchant backend's),
//! and a deadline for any promise the page hands back.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Object, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestInit, Response};

use super::dom::window;

/// Why a call gave no usable answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// No answer: offline, refused, blocked.
    Unreachable,
    /// No answer before the deadline (the request was aborted).
    Timeout,
    /// An answer that is not JSON.
    Garbage,
}

/// An answer with a JSON body.
pub struct JsonAnswer {
    /// The status was 2xx.
    pub ok: bool,
    pub body: JsValue,
}

/// `POST url` with `body` as JSON (same-origin credentials); aborted after `timeout_ms`.
pub async fn post_json(url: &str, body: &Object, timeout_ms: u32) -> Result<JsonAnswer, HttpError> {
    let body = JSON::stringify(body).map_err(|_| HttpError::Garbage)?;
    let controller = AbortController::new().map_err(|_| HttpError::Unreachable)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    init.set_signal(Some(&controller.signal()));
    let headers = Object::new();
    let _ = Reflect::set(&headers, &"content-type".into(), &"application/json".into());
    init.set_headers(&headers);
    let expired = Rc::new(Cell::new(false));
    let timer = {
        let expired = expired.clone();
        gloo_timers::callback::Timeout::new(timeout_ms, move || {
            expired.set(true);
            controller.abort();
        })
    };
    let failed = || {
        if expired.get() {
            HttpError::Timeout
        } else {
            HttpError::Unreachable
        }
    };
    let win = window().map_err(|_| HttpError::Unreachable)?;
    let response = JsFuture::from(win.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| failed())?;
    let response: Response = response.dyn_into().map_err(|_| HttpError::Garbage)?;
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    drop(timer);
    Ok(JsonAnswer {
        ok: response.ok(),
        body: json.ok_or_else(|| match failed() {
            HttpError::Timeout => HttpError::Timeout,
            _ => HttpError::Garbage,
        })?,
    })
}

/// Awaits `value` (a promise or a plain value); `Err(None)` after `timeout_ms`,
/// `Err(Some(reason))` when it rejects.
pub async fn within(value: JsValue, timeout_ms: u32) -> Result<JsValue, Option<JsValue>> {
    let late = JsValue::from(Object::new());
    let marker = late.clone();
    // The timer is owned here: dropping it after the race clears it.
    let mut timer = None;
    let deadline = Promise::new(&mut |resolve, _| {
        let marker = marker.clone();
        timer = Some(gloo_timers::callback::Timeout::new(timeout_ms, move || {
            let _ = resolve.call1(&JsValue::UNDEFINED, &marker);
        }));
    });
    let race = Promise::race(&js_sys::Array::of2(&Promise::resolve(&value), &deadline));
    let result = JsFuture::from(race).await;
    drop(timer);
    match result {
        Ok(v) if v == late => Err(None),
        Ok(v) => Ok(v),
        Err(reason) => Err(Some(reason)),
    }
}
