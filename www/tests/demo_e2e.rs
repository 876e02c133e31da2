//! End to end: the real demo binary on two origins and a real headless Chromium. A shopper
//! types a card into the secure frames; the host page gets ciphertext that the gateway's
//! key decrypts to exactly what was typed, and never sees the card itself.

mod support;

use std::time::Duration;

use fantoccini::Locator;
use josekit::jwe::{self, RSA_OAEP_256};
use serde_json::Value;
use support::{
    browser, encrypt_last4, eval, eventually, frame_value, next_year_yy, open_lab, settled,
    type_in_frame, urlencode, wait_for, Server,
};

/// Opens a field's ciphertext with the secure origin's key (josekit: an independent JOSE).
async fn decrypt(data: &std::path::Path, compact: &str) -> Value {
    let pem = support::secure_origin_card_key(data).await;
    let decrypter = RSA_OAEP_256.decrypter_from_pem(pem).unwrap();
    let (payload, _) = jwe::deserialize_compact(compact, &decrypter).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

#[tokio::test]
async fn a_card_typed_into_secure_frames_decrypts_to_exactly_what_was_typed() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_lab(c, &format!("{}/lab.html", server.merchant), "ready").await;

    let yy = next_year_yy();
    type_in_frame(c, 0, "4242424242424242").await;
    assert_eq!(
        frame_value(c, 0).await,
        "4242 4242 4242 4242",
        "formatted inside the frame"
    );
    type_in_frame(c, 1, &format!("12{yy:02}")).await;
    assert_eq!(frame_value(c, 1).await, format!("12/{yy:02}"));
    type_in_frame(c, 2, "123").await;
    let result = c
        .execute_async(
            "const done = arguments[0]; window.lab.card.encrypt().then(done, e => done(e.code))",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(result["brand"], "visa");
    assert_eq!(result["last4"], "4242");
    let payment = &result["payment"];
    assert_eq!(payment["payment_method"], "BANKCARD");
    let year = format!("20{yy:02}");
    for (slot, field, value) in [
        ("encrypted_card_no", "number", "4242424242424242"),
        ("encrypted_exp_month", "expiryMonth", "12"),
        ("encrypted_exp_year", "expiryYear", year.as_str()),
        ("encrypted_cvv", "cvc", "123"),
    ] {
        let payload = decrypt(data.path(), payment[slot].as_str().unwrap()).await;
        assert_eq!(payload["field"], field);
        assert_eq!(payload["value"], value);
    }
    browser.close().await;
}

#[tokio::test]
async fn the_host_page_cannot_read_the_fields_and_sees_no_card_data() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_lab(c, &format!("{}/lab.html", server.merchant), "ready").await;
    assert_eq!(
        eval(c, "return document.querySelectorAll('iframe').length").await,
        3
    );
    let title = eval(c, "return document.querySelector('iframe').title").await;
    assert_eq!(title, "Secure card number field");

    let yy = next_year_yy();
    let cards = [
        ("5555555555554444", "737"),
        ("378282246310005", "7373"),
        ("4242424242424242", "123"),
    ];
    for (number, cvc) in cards {
        eval(c, "window.lab.card.clear(); return 0").await;
        type_in_frame(c, 0, number).await;
        type_in_frame(c, 1, &format!("11{yy:02}")).await;
        type_in_frame(c, 2, cvc).await;
        assert_eq!(
            encrypt_last4(c).await,
            Value::from(&number[number.len() - 4..])
        );
    }
    let access = eval(
        c,
        "const f = document.querySelector('iframe'); let r = f.contentDocument === null ? 'null' : 'document'; \
         try { f.contentWindow.document.body; r += ',readable'; } catch (e) { r += ',blocked'; } return r;",
    )
    .await;
    assert_eq!(access, "null,blocked");
    let everything = eval(c, "return JSON.stringify({e: window.lab.events, m: window.lab.messages, c: window.lab.console})").await;
    let everything = everything.as_str().unwrap();
    assert!(everything.contains("fieldValid"), "events were recorded");
    for (number, cvc) in cards {
        assert!(
            !everything.contains(number),
            "number {number} reached the host"
        );
        assert!(
            !everything.contains(&format!("\"{cvc}\"")),
            "CVV {cvc} reached the host"
        );
    }
    // As a value of its own: the digits alone may stand inside a random id or a time.
    assert!(
        !everything.contains(&format!("11/{yy:02}"))
            && !everything.contains(&format!("\"11{yy:02}\"")),
        "expiry reached the host"
    );
    browser.close().await;
    let log = server.log();
    for (number, _) in cards {
        assert!(!log.contains(number));
    }
}

#[tokio::test]
async fn frames_advance_focus_submit_on_enter_take_styles_and_unmount_cleanly() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    let styles = r#"{"base":{"color":"rgb(1, 2, 3)"}}"#;
    open_lab(
        c,
        &format!(
            "{}/lab.html?locale=zh-CN&styles={}",
            server.merchant,
            urlencode(styles)
        ),
        "ready",
    )
    .await;
    let titles = eval(
        c,
        "return [...document.querySelectorAll('iframe')].map(f => f.title)",
    )
    .await;
    assert_eq!(
        titles,
        serde_json::json!(["安全卡号输入框", "安全有效期输入框", "安全码输入框"])
    );
    type_in_frame(c, 0, "4242424242424242").await;
    let active = eventually(
        c,
        "return [...document.querySelectorAll('iframe')].indexOf(document.activeElement)",
        Value::from(1),
    )
    .await;
    assert_eq!(active, 1, "focus moved to the expiry frame");
    c.enter_frame(0).await.unwrap();
    let color = eval(
        c,
        "return getComputedStyle(document.querySelector('input')).color",
    )
    .await;
    let label = eval(c, "return document.querySelector('label').textContent").await;
    let lang = eval(c, "return document.documentElement.lang").await;
    c.find(Locator::Css("input"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    c.enter_parent_frame().await.unwrap();
    assert_eq!(
        color, "rgb(1, 2, 3)",
        "the style object applies inside the frame"
    );
    assert_eq!(label, "卡号");
    assert_eq!(lang, "zh-CN");
    let submits = eventually(
        c,
        "return window.lab.events.filter(e => e.via === 'dom' && e.name === 'submit').length",
        Value::from(1),
    )
    .await;
    assert_eq!(submits, 1, "Enter in a frame submits");
    // update() reaches into the frames: English labels, the typed card still there.
    eval(c, "window.lab.card.update({locale: 'en-US'}); return 0").await;
    c.enter_frame(0).await.unwrap();
    let label = eventually(
        c,
        "return document.querySelector('label').textContent",
        Value::from("Card number"),
    )
    .await;
    let value = eval(c, "return document.querySelector('input').value").await;
    c.enter_parent_frame().await.unwrap();
    assert_eq!(label, "Card number");
    assert_eq!(value, "4242 4242 4242 4242");
    eval(c, "window.lab.card.unmount(); return 0").await;
    assert_eq!(
        eval(c, "return document.querySelectorAll('#card *').length").await,
        0,
        "nothing left"
    );
    let count = eval(c, "return window.lab.events.length").await;
    eval(c, "window.lab.card.clear(); return 0").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        eval(c, "return window.lab.events.length").await,
        count,
        "no event after unmount"
    );
    browser.close().await;
}

#[tokio::test]
async fn forged_messages_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_lab(c, &format!("{}/lab.html", server.merchant), "ready").await;
    type_in_frame(c, 0, "4242424242424242").await;
    let before = settled(c, "return JSON.stringify(window.lab.card.state)").await;
    let ignored = eval(c, "return window.lab.card.ignoredMessageCount")
        .await
        .as_u64()
        .unwrap();
    // Well-formed reports, but from the host's own origin and without the channel secret.
    eval(
        c,
        "for (const channel of ['forged', '']) { window.postMessage({paykka: 1, channel, field: 'cardNumber', \
         type: 'report', state: 'invalid', validityError: 'LUHN_FAILED', empty: false, focused: false, \
         shownError: 'LUHN_FAILED', acceptable: false, brand: 'amex', revision: 99}, '*'); } return 0;",
    )
    .await;
    let expected = Value::from(ignored + 2);
    eventually(c, "return window.lab.card.ignoredMessageCount", expected).await;
    let after = eval(c, "return JSON.stringify(window.lab.card.state)").await;
    assert_eq!(before, after, "state unchanged");
    let now = eval(c, "return window.lab.card.ignoredMessageCount")
        .await
        .as_u64()
        .unwrap();
    assert!(
        now >= ignored + 2,
        "forged messages counted: {ignored} → {now}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_unregistered_page_origin_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let addr = format!("127.0.0.1:{port}");
    let allowed = format!("http://localhost:{port}");
    let server = Server::start_with(
        data.path(),
        &["--merchant-addr", &addr, "--allowed-origin", &allowed],
    );
    let browser = browser().await;
    let c = &browser.client;
    // Served from 127.0.0.1, registered as localhost only: the secure origin answers such a
    // page no CORS, so it cannot even read a refusal (nor a key); the error says so.
    open_lab(c, &format!("{}/lab.html", server.merchant), "error").await;
    assert_eq!(
        eval(c, "return window.lab.error.code").await,
        "KEY_FETCH_FAILED"
    );
    let message = eval(c, "return window.lab.error.message").await;
    assert!(message.as_str().unwrap().contains("origin"), "{message}");
    assert_eq!(
        eval(c, "return document.querySelectorAll('iframe').length").await,
        0,
        "frames removed"
    );
    let errors = eval(
        c,
        "return window.lab.events.filter(e => e.name === 'error').map(e => e.detail.code)",
    )
    .await;
    assert!(errors
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "KEY_FETCH_FAILED"));
    // The registered origin works.
    open_lab(c, &format!("http://localhost:{port}/lab.html"), "ready").await;
    // Inline mode asks the secure origin itself (CORS, Origin header) and is refused the
    // same way.
    open_lab(
        c,
        &format!("{}/lab.html?isolation=inline", server.merchant),
        "error",
    )
    .await;
    assert_eq!(
        eval(c, "return window.lab.error.code").await,
        "KEY_FETCH_FAILED"
    );
    open_lab(
        c,
        &format!("http://localhost:{port}/lab.html?isolation=inline"),
        "ready",
    )
    .await;
    browser.close().await;
}

#[tokio::test]
async fn a_missing_frame_page_times_out_and_a_navigating_frame_tears_down() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    // A wrong environment (the merchant origin is no gateway) is a typed error at once.
    let url = format!(
        "{}/lab.html?environment={}&frameTimeout=3000",
        server.merchant, server.merchant
    );
    open_lab(c, &url, "error").await;
    assert_eq!(
        eval(c, "return window.lab.error.code").await,
        "KEY_FETCH_FAILED"
    );
    assert_eq!(
        eval(c, "return document.querySelectorAll('iframe').length").await,
        0
    );

    // A secure origin that hands out a key but lost its frame script after it started:
    // the frames never answer.
    let frames = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("frames");
    std::fs::create_dir(frames.path().join("brands")).unwrap();
    std::fs::copy(source.join("frame.js"), frames.path().join("frame.js")).unwrap();
    let broken_data = tempfile::tempdir().unwrap();
    let broken = Server::start_with(
        broken_data.path(),
        &[
            "--merchant-addr",
            "127.0.0.1:0",
            "--frames-dir",
            frames.path().to_str().unwrap(),
        ],
    );
    std::fs::remove_file(frames.path().join("frame.js")).unwrap();
    open_lab(
        c,
        &format!(
            "{}/lab.html?frameTimeout=1500&environment={}",
            broken.merchant, broken.secure_origin
        ),
        "error",
    )
    .await;
    assert_eq!(
        eval(c, "return window.lab.error.code").await,
        "FRAME_TIMEOUT"
    );
    assert_eq!(
        eval(c, "return document.querySelectorAll('iframe').length").await,
        0
    );

    open_lab(c, &format!("{}/lab.html", server.merchant), "ready").await;
    eval(
        c,
        "document.querySelector('iframe').src = 'about:blank'; return 0",
    )
    .await;
    let errors = eventually(
        c,
        "return window.lab.events.some(e => e.name === 'error' && e.detail.code === 'FRAME_NAVIGATED')",
        Value::from(true),
    )
    .await;
    assert_eq!(errors, true, "FRAME_NAVIGATED reported");
    assert_eq!(
        eval(c, "return document.querySelectorAll('iframe').length").await,
        0,
        "torn down"
    );
    browser.close().await;
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    // The demo works under its CSP: were wasm or scripts blocked, Pay would stay disabled.
    c.goto(&server.merchant).await.unwrap();
    wait_for(c, "#pay:not([disabled])").await;
    let client_key = config(&server.merchant).await["clientKey"]
        .as_str()
        .unwrap()
        .to_owned();
    for url in [
        format!("{}/", server.merchant),
        format!("{}/frames/{client_key}/field.html", server.secure_origin),
    ] {
        let csp = reqwest::get(&url).await.unwrap().headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        // Our own scripts and wasm, Google Pay's pay.js (the shop's page) and the frame
        // page's import map by hash: nothing else.
        let script_src: Vec<&str> = csp
            .split(';')
            .find_map(|d| d.trim().strip_prefix("script-src "))
            .expect("a script-src")
            .split_whitespace()
            .collect();
        assert!(
            script_src.contains(&"'self'") && script_src.contains(&"'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(
            script_src.iter().all(
                |s| ["'self'", "'wasm-unsafe-eval'", "https://pay.google.com"].contains(s)
                    || s.starts_with("'sha256-")
            ),
            "{csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn keys_are_created_once_and_kept() {
    let data = tempfile::tempdir().unwrap();
    let first = Server::start(data.path());
    let client_key = config(&first.merchant).await["clientKey"].clone();
    let card_key_before = support::secure_origin_card_key(data.path()).await;
    drop(first);
    let second = Server::start(data.path());
    assert_eq!(
        config(&second.merchant).await["clientKey"],
        client_key,
        "same client key"
    );
    let card_key = support::secure_origin_card_key(data.path()).await;
    assert_eq!(card_key, card_key_before, "same card key after restart");
    let log = second.log();
    assert!(
        !log.contains(card_key.lines().nth(1).unwrap()),
        "no key material in logs"
    );
    use std::os::unix::fs::PermissionsExt;
    for secret in ["master.key", "merchant-key.pem", "platform-key.pem"] {
        let mode = std::fs::metadata(data.path().join(secret))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{secret}");
    }
}

async fn config(base: &str) -> Value {
    reqwest::get(format!("{base}/api/config"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The native primitives (RustCrypto, used by the server and the tests) and the browser's
/// make the same envelope: a ciphertext made natively decrypts with Chromium's WebCrypto.
#[tokio::test]
async fn native_ciphertexts_decrypt_with_the_browsers_webcrypto() {
    use paykka_web::crypto::{encrypt_field, EncryptionContext, EncryptionKey, FieldName};
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let card_key = paykka_api::keys::load_or_create(&data.path().join("card-key.pem")).unwrap();
    let key = EncryptionKey::from_jwk(
        &serde_json::from_value(card_key.public_jwk()).unwrap(),
        None,
    )
    .unwrap();
    let context = EncryptionContext {
        now_ms: paykka_api::signing::now_ms(),
        session_id: Some("CS1".into()),
    };
    let jwe = encrypt_field(
        &key,
        FieldName::Number,
        "4242 4242 4242 4242",
        &context,
        &mut rand::rng(),
    )
    .unwrap();
    let pem = std::fs::read_to_string(data.path().join("card-key.pem")).unwrap();
    let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let browser = browser().await;
    let c = &browser.client;
    open_lab(c, &format!("{}/lab.html", server.merchant), "ready").await;
    let payload = c
        .execute_async(
            r#"const [der, compact, done] = arguments;
            const bytes = (t) => Uint8Array.from(atob(t), (ch) => ch.charCodeAt(0));
            const b64url = (t) => bytes(t.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (t.length % 4)) % 4));
            (async () => {
              const key = await crypto.subtle.importKey('pkcs8', bytes(der), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
              const [header, wrapped, iv, ciphertext, tag] = compact.split('.');
              const cek = await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, key, b64url(wrapped));
              const aes = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['decrypt']);
              const ct = b64url(ciphertext), t = b64url(tag);
              const sealed = new Uint8Array(ct.length + t.length);
              sealed.set(ct); sealed.set(t, ct.length);
              const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: b64url(iv), additionalData: new TextEncoder().encode(header), tagLength: 128 }, aes, sealed);
              return JSON.parse(new TextDecoder().decode(plain));
            })().then(done, (e) => done(String(e)));"#,
            vec![Value::from(der), Value::from(jwe)],
        )
        .await
        .unwrap();
    assert_eq!(payload["field"], "number", "{payload}");
    assert_eq!(payload["value"], "4242424242424242");
    assert_eq!(payload["sid"], "CS1");
    browser.close().await;
}
