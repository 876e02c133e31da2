//! The merchant site's routes: the demo page, the return page and the built package under
//! a strict Content-Security-Policy, the page's configuration, and the merchant API.

use std::path::Path;

use axum::extract::State as Extract;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use super::{api, refunds, webhooks, State};

/// Only our own scripts, plus compiling our wasm; no inline script or style, no eval; the
/// secure origin (card frames, the drop-in's session API) may be framed and called, and
/// PayKKa's pages (3-D Secure, redirect methods) framed in the drop-in's dialog. No one
/// frames the pages, but with `--lab` the site itself (the lab's `viewport.html` shows a
/// page at a phone's width where a browser's window cannot be that narrow).
fn content_security_policy(secure_origin: &str, paykka: &str, lab: bool) -> String {
    let (ancestors, framed) = if lab {
        ("'self'", "'self' ")
    } else {
        ("'none'", "")
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' https://pay.google.com; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {secure_origin} https://pay.google.com; \
         frame-src {framed}{secure_origin} {paykka} https://pay.google.com; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
}

/// Where the package is served the way a CDN serves it: `/sdk/<version>` of pkg/'s
/// package.json (`/sdk/unversioned` when it has none).
pub fn sdk_path(pkg_dir: &Path) -> String {
    let version = std::fs::read(pkg_dir.join("package.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|package| package["version"].as_str().map(str::to_owned))
        .filter(|v| {
            v.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c))
        });
    ["/sdk/", version.as_deref().unwrap_or("unversioned")].concat()
}

/// The versioned package: immutable, cacheable for a year, usable from any origin (with
/// the `integrity` hashes of integrity.json).
fn sdk(pkg_dir: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(pkg_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}

/// The wallet fakes, which live with the tests.
fn fakes_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes")
}

/// The component lab (a test tool that mounts components with options from its URL): its
/// own folder, outside the static files, so no spelling of a path reaches it without
/// `--lab`.
fn lab_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lab")
}

/// What a page written for PayKKa's SDK names where PayKKa's script was: the compat
/// script's `data-environment`, filled with this shop's secure origin when the page is
/// served.
const ENVIRONMENT_PLACEHOLDER: &str = "data-environment=\"SECURE_ORIGIN\"";

/// Serves a page written for PayKKa's SDK (`www/static/paykka/<name>`) with the secure
/// origin in its compat script tag, as a merchant's template would.
fn paykka_style_page(static_dir: &Path, name: &str, secure_origin: &str) -> Router<State> {
    let file = static_dir.join("paykka").join(name);
    let attribute = format!(
        "data-environment=\"{}\"",
        secure_origin.replace('&', "&amp;").replace('"', "&quot;")
    );
    Router::new().route(
        &format!("/paykka/{name}"),
        get(move || {
            let (file, attribute) = (file.clone(), attribute.clone());
            async move {
                match tokio::fs::read_to_string(&file).await {
                    Ok(page) => {
                        axum::response::Html(page.replace(ENVIRONMENT_PLACEHOLDER, &attribute))
                            .into_response()
                    }
                    Err(_) => StatusCode::NOT_FOUND.into_response(),
                }
            }
        }),
    )
}

/// The merchant site's routes.
pub fn app(state: State, static_dir: &Path, pkg_dir: &Path) -> Router {
    let policy = HeaderValue::from_str(&content_security_policy(
        &state.secure_origin_url,
        &state.gateway_url,
        state.serve_lab,
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    // The fakes are test code: served only with --wallet-fakes.
    let wallet_fakes = if state.wallet_fakes.is_some() {
        Router::new().fallback_service(ServeDir::new(fakes_dir()))
    } else {
        Router::new().fallback(|| async { StatusCode::NOT_FOUND })
    };
    let mut router = Router::new();
    for name in ["encrypted-card.html", "checkout.html"] {
        router = router.merge(paykka_style_page(
            static_dir,
            name,
            &state.secure_origin_url,
        ));
    }
    if state.serve_lab {
        for file in ["lab.html", "lab.js", "viewport.html", "viewport.js"] {
            router =
                router.route_service(&format!("/{file}"), ServeFile::new(lab_dir().join(file)));
        }
    }
    router
        .route("/api/config", get(config))
        .route("/api/orders", post(api::create_order))
        .route("/api/payments", post(api::pay))
        .route("/api/payments/{trans_id}", get(api::query))
        .route("/api/sessions", post(api::create_session))
        .route("/api/apple-pay/session", post(api::apple_pay_session))
        .route(api::WEBHOOK_PATH, post(webhooks::receive))
        .route("/api/admin/orders/{trans_id}/void", post(refunds::void))
        .route(
            "/api/admin/orders/{trans_id}/refunds",
            post(refunds::refund),
        )
        .route("/api/admin/refunds/{refund_trans_id}", get(refunds::query))
        .route_service(
            "/3ds/return",
            ServeFile::new(static_dir.join("return.html")),
        )
        // The drop-in's page under its own name (also as /checkout.html).
        .route_service(
            "/checkout",
            ServeFile::new(static_dir.join("checkout.html")),
        )
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .nest_service(&sdk_path(pkg_dir), sdk(pkg_dir))
        .nest_service("/wallet-fakes", wallet_fakes)
        .fallback_service(ServeDir::new(static_dir))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// What the page needs to mount the secure fields (the client key and the secure origins)
/// and the wallet buttons (the PayKKa merchant id; with `--wallet-fakes`, what the fakes
/// need to make tokens).
async fn config(Extract(state): Extract<State>) -> Json<serde_json::Value> {
    let fakes = state.wallet_fakes.as_ref().map(|f| {
        serde_json::json!({
            "applePayPublicKey": f.apple_pay_public_key,
            "merchantIdentifier": paykka_api::apple_pay_token::merchant_identifier(&state.paykka.merchant_id),
        })
    });
    Json(serde_json::json!({
        "clientKey": state.client_key,
        // The secure origin: the card frames and the drop-in's session API.
        "environment": state.secure_origin_url,
        "merchantId": state.paykka.merchant_id,
        "walletFakes": fakes,
        // The pages' test hooks (`?environment=`, `?payjs=`) work only with --lab.
        "testHooks": state.serve_lab,
    }))
}
