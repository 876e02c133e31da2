//! The secure origin's routes for the frames: the frame page (`frame_page`) at
//! `/frames/{client_key}/field.html`, framed only by that client key's registered origins
//! (`frame-ancestors` per merchant; an unknown key is a 404), its script and the bundle, and
//! `/v3/frames/load` — the merchant's current public key and `kid` — answered only to the
//! registered origins (CORS per client key).

use axum::extract::{Path as UrlPath, State as Extract};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::answers::UNKNOWN_CLIENT_KEY;
use crate::cors::{allowed_origin, answer, preflight};
use crate::limits::{self, Limited};
use crate::state::{ClientKey, State};
use paykka_api::client_ip::ClientIp;

/// The frame page's policy: our scripts and wasm only (and the page's own import map), talk
/// only to this origin, fonts only over https (or from here), framed only by the client
/// key's registered origins.
fn frame_policy(client: &ClientKey, import_map_source: &str) -> String {
    let ancestors = if client.origins.is_empty() {
        "'none'".to_owned()
    } else {
        client.origins.join(" ")
    };
    format!(
        "default-src 'none'; script-src 'self' {import_map_source} 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; \
         font-src 'self' https:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
}

/// The frame page, its files and the frames-load call.
pub fn app(state: State) -> Router {
    let assets = Router::new()
        .nest_service(
            "/frames/brands",
            ServeDir::new(state.frames.frames_dir.join("brands")),
        )
        .nest_service("/pkg", ServeDir::new(&state.frames.pkg_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    Router::new()
        .route("/frames/{client_key}/field.html", get(field_page))
        .route("/frames/frame.js", get(frame_script))
        .route("/v3/frames/load", post(frames_load).options(preflight))
        .with_state(state)
        .merge(assets)
}

async fn field_page(Extract(state): Extract<State>, UrlPath(key): UrlPath<String>) -> Response {
    let Some((_, client)) = state.client(&key) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let policy = HeaderValue::from_str(&frame_policy(client, &state.frames.import_map_source))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
        state.frames.html().to_owned(),
    )
        .into_response()
}

async fn frame_script(Extract(state): Extract<State>) -> Response {
    match tokio::fs::read(state.frames.frames_dir.join("frame.js")).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct FramesLoadRequest {
    client_key: String,
    /// The embedding page's origin, as a secure frame saw it (frame requests only).
    origin: Option<String>,
}

async fn frames_load(
    Extract(state): Extract<State>,
    ClientIp(peer): ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let caller = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let Ok(request) = serde_json::from_slice::<FramesLoadRequest>(&body) else {
        return answer(
            allowed_origin(&state, &headers),
            StatusCode::BAD_REQUEST,
            json!({"ret_code": "010000", "ret_msg": "Invalid request"}),
        );
    };
    // A frame of ours (same origin) tells which page embeds it; any other caller is the
    // page itself, and its Origin header says so.
    let page_origin = match caller {
        Some(origin) if origin == state.public_origin => request.origin.as_deref(),
        other => other,
    };
    let ip = limits::shopper_ip(&state, peer, &headers);
    if let Err(refusal) = limits::check(&state, Limited::FramesLoad, &request.client_key, &ip).await
    {
        return answer(
            allowed_origin(&state, &headers),
            refusal.status,
            json!({"ret_code": refusal.code.as_ref(), "ret_msg": refusal.message}),
        );
    }
    let Some((merchant, client)) = state.client(&request.client_key) else {
        return answer(
            None,
            StatusCode::UNAUTHORIZED,
            json!({"ret_code": UNKNOWN_CLIENT_KEY, "ret_msg": "Unknown client key"}),
        );
    };
    if !page_origin.is_some_and(|o| client.origins.iter().any(|allowed| allowed == o)) {
        tracing::info!(
            origin = page_origin.unwrap_or("-"),
            "frames load refused: origin not registered"
        );
        return answer(
            None,
            StatusCode::FORBIDDEN,
            json!({"ret_code": "1017", "ret_msg": "Origin not registered for this client key"}),
        );
    }
    let key = match state.keyring.current(&merchant.merchant_id).await {
        Ok(key) => key,
        Err(error) => {
            tracing::error!("frames load: {error:#}");
            return answer(
                caller,
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"ret_code": "999999", "ret_msg": "System exception"}),
            );
        }
    };
    let public_key: serde_json::Value =
        serde_json::from_str(&key.public_jwk).unwrap_or(serde_json::Value::Null);
    answer(
        caller,
        StatusCode::OK,
        json!({
            "ret_code": "000000",
            "ret_msg": "Success",
            "data": {
                "public_key": public_key,
                "kid": key.kid,
                "server_time": paykka_api::signing::now_ms(),
                "brands": paykka_api::card::ACCEPTED_BRANDS,
            }
        }),
    )
}
