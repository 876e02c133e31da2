//! CORS for the routes a merchant's page calls (`/v3/frames/load`, the checkout's session
//! API): only a registered origin (some client key's, or this service's own) gets
//! `Access-Control-Allow-Origin`; any other page cannot read the answer.

use axum::extract::State as Extract;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::state::{Service, State};

/// CORS for a registered origin only: an unregistered page gets no
/// `Access-Control-Allow-Origin` and cannot read the answer.
pub fn cors(origin: Option<&str>) -> Vec<(header::HeaderName, HeaderValue)> {
    let mut headers = vec![(header::VARY, HeaderValue::from_static("Origin"))];
    if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.extend([
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin),
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            ),
        ]);
    }
    headers
}

/// The caller's origin if some client key registers it (or it is this service's own).
pub fn allowed_origin<'h>(state: &Service, headers: &'h HeaderMap) -> Option<&'h str> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    let registered = origin == state.public_origin
        || state
            .merchants
            .iter()
            .flat_map(|m| &m.client_keys)
            .any(|c| c.origins.iter().any(|o| o == origin));
    registered.then_some(origin)
}

pub async fn preflight(
    Extract(state): Extract<State>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let status = if method == Method::OPTIONS {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::METHOD_NOT_ALLOWED
    };
    let cors = cors(allowed_origin(&state, &headers));
    (status, axum::response::AppendHeaders(cors)).into_response()
}

pub fn answer(origin: Option<&str>, status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        axum::response::AppendHeaders(cors(origin)),
        Json(body),
    )
        .into_response()
}
