//! The secure origin of the card frames: the frame page and the package, and the *frames
//! load* call (public key, key id, server time, accepted brands), answered only for page
//! origins registered for the client key.

use std::path::Path;

use axum::extract::State as Extract;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use super::state::{ClientKey, State};

/// The page origins registered for these client keys, space-separated (for
/// `frame-ancestors`).
pub fn registered_origins<'a>(clients: impl Iterator<Item = &'a ClientKey>) -> String {
    let mut origins: Vec<&str> = clients
        .flat_map(|c| c.origins.iter().map(String::as_str))
        .collect();
    origins.sort_unstable();
    origins.dedup();
    origins.join(" ")
}

/// The frame page's policy: our scripts and wasm only, talk only to this origin, fonts only
/// over https (or from here), and be framed only by registered merchant origins.
fn frame_policy(clients: &[ClientKey]) -> String {
    let ancestors = registered_origins(clients.iter());
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; \
         font-src 'self' https:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors {}",
        if ancestors.is_empty() { "'none'" } else { &ancestors }
    )
}

/// The frame page, the package and the frames-load call.
pub fn app(state: State, frames_dir: &Path, pkg_dir: &Path) -> Router {
    let policy = HeaderValue::from_str(&frame_policy(&state.clients))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    // The frame page under a client key's path (as the card fields ask for it) and at its
    // own name (the benchmark's floor).
    let page = ServeFile::new(frames_dir.join("field.html"));
    let frames = Router::new()
        .route_service("/frames/{client_key}/field.html", page.clone())
        .route_service("/frames/field.html", page)
        .route_service(
            "/frames/frame.js",
            ServeFile::new(frames_dir.join("frame.js")),
        )
        .nest_service("/frames/brands", ServeDir::new(frames_dir.join("brands")))
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    Router::new()
        .route("/v3/frames/load", post(frames_load).options(preflight))
        .with_state(state)
        .merge(frames)
}

#[derive(Deserialize)]
struct FramesLoadRequest {
    client_key: String,
    /// The embedding page's origin, as a secure frame saw it (frame requests only).
    origin: Option<String>,
}

/// CORS headers echoing the caller's origin, so a refused page can still read why.
fn cors(headers: &HeaderMap) -> [(header::HeaderName, HeaderValue); 4] {
    let origin = headers
        .get(header::ORIGIN)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("null"));
    [
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin),
        (
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        ),
        (
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        ),
        (header::VARY, HeaderValue::from_static("Origin")),
    ]
}

pub async fn preflight(method: Method, headers: HeaderMap) -> impl IntoResponse {
    let status = if method == Method::OPTIONS {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::METHOD_NOT_ALLOWED
    };
    (status, cors(&headers))
}

pub fn answer(headers: &HeaderMap, status: StatusCode, body: serde_json::Value) -> Response {
    (status, cors(headers), Json(body)).into_response()
}

async fn frames_load(
    Extract(state): Extract<State>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Ok(request) = serde_json::from_slice::<FramesLoadRequest>(&body) else {
        return answer(
            &headers,
            StatusCode::BAD_REQUEST,
            serde_json::json!({"ret_code": "010000", "ret_msg": "Invalid request"}),
        );
    };
    let inner = &*state;
    let Some(client) = inner.clients.iter().find(|c| c.key == request.client_key) else {
        return answer(
            &headers,
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"ret_code": "CLIENT_KEY_UNKNOWN", "ret_msg": "Unknown client key"}),
        );
    };
    // A frame of ours (same origin) tells which page embeds it; any other caller is the
    // page itself, and its Origin header says so.
    let caller = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let page_origin = match caller {
        Some(origin) if origin == inner.own_origin => request.origin.as_deref(),
        other => other,
    };
    if !page_origin.is_some_and(|o| client.origins.iter().any(|allowed| allowed == o)) {
        tracing::info!(
            origin = page_origin.unwrap_or("-"),
            "frames load refused: origin not registered"
        );
        return answer(
            &headers,
            StatusCode::FORBIDDEN,
            serde_json::json!({"ret_code": "ORIGIN_NOT_ALLOWED", "ret_msg": "Origin not registered for this client key"}),
        );
    }
    let card_key = &client.card_key;
    answer(
        &headers,
        StatusCode::OK,
        serde_json::json!({
            "ret_code": "000000",
            "ret_msg": "Success",
            "data": {
                "public_key": card_key.public_jwk(),
                "kid": card_key.kid,
                "server_time": paykka_api::signing::now_ms(),
                "brands": paykka_api::card::ACCEPTED_BRANDS,
            }
        }),
    )
}
