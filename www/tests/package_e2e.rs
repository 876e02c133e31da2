//! The npm tarball as merchants install it: `./dev build` packs it into target/; here it is
//! installed into a fresh consumer project with Vite (pinned, from the npm registry), built,
//! served on its own origin and run in a real Chromium against the demo's secure origin — mount the
//! card fields, encrypt, pay. And the versioned CDN-style path `/sdk/<version>/…` with long
//! cache headers, CORS and the package's SRI hashes, from a plain HTML page.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use fantoccini::Client;
use serde_json::{json, Value};
use support::{browser, eval, free_port, next_year_yy, pkg_dir, type_in_frame, wait_for, Server};

const VITE: &str = "6.4.6";
const REACT: &str = "18.3.1";

fn tarball() -> PathBuf {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    std::fs::read_dir(&target)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("paykka-web-") && n.ends_with(".tgz"))
        })
        .expect("target/paykka-web-<version>.tgz: run ./dev build first")
}

/// Serves `dir` on a free port; returns its origin.
async fn serve(dir: &Path) -> String {
    let port = free_port();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://127.0.0.1:{port}")
}

/// Types a card into the page's frames and encrypts it with `window.card`.
async fn encrypt(c: &Client) -> Value {
    let yy = next_year_yy();
    type_in_frame(c, 0, "4242424242424242").await;
    type_in_frame(c, 1, &format!("12{yy:02}")).await;
    type_in_frame(c, 2, "123").await;
    c.execute_async(
        "const done = arguments[0]; window.card.encrypt().then(r => done(r.payment), e => done({error: e.code}))",
        vec![],
    )
    .await
    .unwrap()
}

/// Pays a new demo order with `payment` through the merchant API.
async fn pay(merchant: &str, payment: Value) -> Value {
    let http = reqwest::Client::new();
    let order: Value = http
        .post(format!("{merchant}/api/orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.post(format!("{merchant}/api/payments"))
        .json(&json!({"trans_id": order["trans_id"], "payment": payment}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn config_query(server: &Server, client_key: &str) -> String {
    format!(
        "?clientKey={client_key}&environment={}",
        server.secure_origin
    )
}

fn client_key(data: &Path) -> String {
    std::fs::read_to_string(data.join("client-key"))
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn the_tarball_installs_builds_with_vite_and_pays() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(
        dir.join("package.json"),
        json!({"name": "consumer", "private": true, "type": "module",
               "dependencies": {"paykka-web": format!("file:{}", tarball().display()), "vite": VITE,
                                "react": REACT, "react-dom": REACT}})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("vite.config.js"),
        "export default { build: { target: 'es2022', rollupOptions: { input: { main: 'index.html', react: 'react.html' } } } };\n",
    )
    .unwrap();
    // The custom element in a React app (no JSX, so no plugin).
    std::fs::write(
        dir.join("react.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>react</title></head>\
         <body><div id=\"root\"></div><script type=\"module\" src=\"/react.js\"></script></body></html>\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("react.js"),
        "import { createElement, useEffect, useRef, useState } from 'react';\n\
         import { createRoot } from 'react-dom/client';\n\
         import 'paykka-web/elements';\n\
         const params = new URLSearchParams(location.search);\n\
         function App() {\n\
           const card = useRef(null);\n\
           const [state, setState] = useState('loading');\n\
           useEffect(() => {\n\
             const ready = () => card.current.ready.then((c) => { window.card = c; setState('ready'); });\n\
             card.current.addEventListener('paykka:ready', ready);\n\
             return () => card.current?.removeEventListener('paykka:ready', ready);\n\
           }, []);\n\
           return createElement('div', null,\n\
             createElement('paykka-card', { ref: card, 'client-key': params.get('clientKey'), environment: params.get('environment') }),\n\
             createElement('p', { id: 'react-status' }, state));\n\
         }\n\
         createRoot(document.getElementById('root')).render(createElement(App));\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>consumer</title></head>\
         <body><div id=\"card\"></div><div id=\"inline-card\"></div><script type=\"module\" src=\"/main.js\"></script></body></html>\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.js"),
        "import init, { EncryptedCard } from 'paykka-web';\n\
         const params = new URLSearchParams(location.search);\n\
         await init();\n\
         window.card = await EncryptedCard.mount('#card', { clientKey: params.get('clientKey'), environment: params.get('environment'), locale: 'ja-JP' });\n\
         const [apple, google] = await Promise.all([import('paykka-web/apple-pay'), import('paykka-web/google-pay')]);\n\
         window.walletEntries = [apple.ApplePayButton, apple.GooglePayButton, google.GooglePayButton, google.ApplePayButton].map((e) => typeof e).join();\n\
         const inline = await import('paykka-web/inline');\n\
         await inline.default();\n\
         window.inlineEntry = [inline.EncryptedCard, inline.CardEncryptor, inline.bootFrame].map((e) => typeof e).join();\n\
         window.inlineCard = await inline.EncryptedCard.mount('#inline-card', { clientKey: params.get('clientKey'), environment: params.get('environment'), isolation: 'inline' });\n\
         const checkout = await import('paykka-web/checkout');\n\
         await checkout.default();\n\
         window.checkoutEntry = typeof checkout.Checkout;\n\
         document.body.dataset.ready = 'true';\n",
    )
    .unwrap();
    let npm = |args: &[&str]| {
        let status = Command::new("npm")
            .args(args)
            .current_dir(dir)
            .status()
            .expect("npm");
        assert!(status.success(), "npm {args:?}");
    };
    npm(&["install", "--no-audit", "--no-fund", "--silent"]);
    npm(&["exec", "--", "vite", "build", "--logLevel", "warn"]);
    let installed: Value = serde_json::from_slice(
        &std::fs::read(dir.join("node_modules/paykka-web/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(installed["name"], "paykka-web");
    let origin = serve(&dir.join("dist")).await;

    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &[
            "--merchant-addr",
            "127.0.0.1:0",
            "--allowed-origin",
            &origin,
        ],
    );
    let browser = browser().await;
    let c = &browser.client;
    c.goto(&format!(
        "{origin}/{}",
        config_query(&server, &client_key(data.path()))
    ))
    .await
    .unwrap();
    wait_for(c, "body[data-ready='true']").await;
    // The ja-JP pack came through the bundler: Vite made it a chunk of its own.
    let title = c
        .execute(
            "return document.querySelector('#card iframe').title",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(title, "カード番号の安全な入力欄");
    // Each wallet's entry resolves through the package's exports, with its own button only.
    assert_eq!(
        eval(c, "return window.walletEntries").await,
        "function,undefined,function,undefined"
    );
    // Inline mode resolves through its own entry: EncryptedCard only, its three fields on
    // the page (no frame), mounted with the same client key.
    assert_eq!(
        eval(c, "return window.inlineEntry").await,
        "function,undefined,undefined"
    );
    assert_eq!(
        eval(
            c,
            "return [document.querySelectorAll('#inline-card iframe').length, \
             document.querySelectorAll('#inline-card [data-paykka-field]').length].join()"
        )
        .await,
        "0,3"
    );
    // The checkout's entry builds: its wallet bundles and the wallet probe, imported by
    // relative paths from inside the package, resolve (Vite fails the build otherwise).
    assert_eq!(eval(c, "return window.checkoutEntry").await, "function");
    let chunks: Vec<String> = std::fs::read_dir(dir.join("dist/assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        chunks.iter().any(|name| name.starts_with("ja-JP")),
        "no ja-JP chunk in {chunks:?}"
    );
    let payment = encrypt(c).await;
    assert_eq!(payment["payment_method"], "BANKCARD", "{payment}");
    let answer = pay(&server.merchant, payment).await;
    assert_eq!(answer["status"], "SUCCESS", "{answer}");

    // The same with <paykka-card> in a React app.
    c.goto(&format!(
        "{origin}/react.html{}",
        config_query(&server, &client_key(data.path()))
    ))
    .await
    .unwrap();
    wait_for(c, "#react-status").await;
    let ready = support::eventually(
        c,
        "return document.getElementById('react-status').textContent",
        Value::from("ready"),
    )
    .await;
    assert_eq!(ready, "ready");
    let payment = encrypt(c).await;
    assert_eq!(pay(&server.merchant, payment).await["status"], "SUCCESS");
    browser.close().await;
}

#[tokio::test]
async fn a_plain_page_loads_the_versioned_sdk_with_integrity() {
    let package: Value =
        serde_json::from_slice(&std::fs::read(pkg_dir().join("package.json")).unwrap()).unwrap();
    let version = package["version"].as_str().unwrap().to_owned();
    let integrity: Value =
        serde_json::from_slice(&std::fs::read(pkg_dir().join("integrity.json")).unwrap()).unwrap();
    let hash = integrity["paykka_web.js"].as_str().unwrap().to_owned();
    let wasm_hash = integrity["paykka_web_bg.wasm"].as_str().unwrap().to_owned();

    let site = tempfile::tempdir().unwrap();
    let origin_port = free_port();
    let origin = format!("http://127.0.0.1:{origin_port}");
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &[
            "--merchant-addr",
            "127.0.0.1:0",
            "--allowed-origin",
            &origin,
        ],
    );
    let sdk = format!("{}/sdk/{version}/paykka_web.js", server.merchant);

    let response = reqwest::get(&sdk).await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(
        reqwest::get(format!("{}/sdk/0.0.0-nope/paykka_web.js", server.merchant))
            .await
            .unwrap()
            .status(),
        404
    );

    // As pkg-template/README.md shows it: an import map pins the module for every import of
    // it (a `<script integrity>` beside an `import` does not, in WebKit), and the wasm's
    // hash goes with its fetch.
    let wasm = format!("{}/sdk/{version}/paykka_web_bg.wasm", server.merchant);
    let bad = |hash: &str| format!("sha384-AAAA{}", &hash[11..]);
    for (name, js, wasm_hash) in [
        ("good", hash.clone(), wasm_hash.clone()),
        ("bad", bad(&hash), wasm_hash.clone()),
        ("bad-wasm", hash.clone(), bad(&wasm_hash)),
    ] {
        let import_map = json!({"integrity": {&sdk: js}});
        std::fs::write(
            site.path().join(format!("{name}.html")),
            format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>sri</title>\
                 <script type=\"importmap\">{import_map}</script>\
                 <script type=\"module\" src=\"/main.js\"></script></head>\
                 <body data-wasm-integrity=\"{wasm_hash}\"><div id=\"card\"></div></body></html>"
            ),
        )
        .unwrap();
    }
    std::fs::write(
        site.path().join("main.js"),
        format!(
            "import init, {{ EncryptedCard }} from '{sdk}';\n\
             const params = new URLSearchParams(location.search);\n\
             const integrity = document.body.dataset.wasmIntegrity;\n\
             await init({{ module_or_path: fetch('{wasm}', {{ integrity }}) }});\n\
             window.card = await EncryptedCard.mount('#card', {{ clientKey: params.get('clientKey'), environment: params.get('environment') }});\n\
             document.body.dataset.ready = 'true';\n"
        ),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", origin_port))
        .await
        .unwrap();
    let app =
        axum::Router::new().fallback_service(tower_http::services::ServeDir::new(site.path()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let browser = browser().await;
    let c = &browser.client;
    let query = config_query(&server, &client_key(data.path()));
    c.goto(&format!("{origin}/good.html{query}")).await.unwrap();
    wait_for(c, "body[data-ready='true']").await;
    let payment = encrypt(c).await;
    assert_eq!(pay(&server.merchant, payment).await["status"], "SUCCESS");

    // A file that does not match its hash does not run.
    for page in ["bad", "bad-wasm"] {
        c.goto(&format!("{origin}/{page}.html{query}"))
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        let ready = c
            .execute("return document.body.dataset.ready ?? null", vec![])
            .await
            .unwrap();
        assert_eq!(
            ready,
            Value::Null,
            "{page}: the wrong hash blocked the file"
        );
    }
    browser.close().await;
}
