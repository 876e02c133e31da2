//! `./dev bench`: measures bundle size, card encryption, keystroke cost, mount time and
//! backend throughput, each beside its yardstick measured in the same run (or, for the
//! other SDKs' sizes, their published figures). Prints Markdown, writes the same as JSON.

mod backend;
mod browser;
mod bytes;
mod instances;
mod sizes;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use browser::{free_port, Browser};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
                    / 1024
                    / 1024
            })
        })
        .unwrap_or(0);
    let chromium = Command::new("chromium")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "memory_gib": memory,
        "chromium": chromium,
        "date": std::process::Command::new("date").arg("-u").arg("+%Y-%m-%dT%H:%M:%SZ").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()),
    })
}

/// The demo process, killed when dropped (also when a measurement fails).
struct Demo(std::process::Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the release demo binary on free ports with `origins` registered; answers it, the
/// merchant site and the secure origin (the card frames and the drop-in's session API).
fn start_demo(data: &std::path::Path, origins: &[&str]) -> anyhow::Result<(Demo, String, String)> {
    let merchant = format!("127.0.0.1:{}", free_port()?);
    let gateway = format!("127.0.0.1:{}", free_port()?);
    let secure_origin = format!("127.0.0.1:{}", free_port()?);
    let merchant_origin = format!("http://{merchant}");
    let mut child = Demo(
        Command::new(root().join("target/release/paykka-www"))
            .args([
                "--merchant-addr",
                &merchant,
                "--gateway-addr",
                &gateway,
                "--secure-origin-addr",
                &secure_origin,
                "--log",
                "warn",
                // The demo page's Apple Pay button on its test fake (time to a visible button).
                "--wallet-fakes",
            ])
            .args(origins.iter().flat_map(|o| ["--allowed-origin", o]))
            .args(["--allowed-origin", &merchant_origin])
            .arg("--data-dir")
            .arg(data)
            .arg("--pkg-dir")
            .arg(root().join("pkg"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let stdout = child
        .0
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let ready = BufReader::new(stdout)
        .lines()
        .find_map(|l| l.ok().filter(|l| l.starts_with("ready ")))
        .ok_or_else(|| anyhow::anyhow!("the demo did not start"))?;
    let part = |name: &str| {
        ready
            .split_whitespace()
            .find_map(|p| p.strip_prefix(name))
            .unwrap_or_default()
            .to_owned()
    };
    Ok((child, part("merchant="), part("secure-origin=")))
}

/// How long one mount in `mode` takes on the bench page (its `first`).
async fn first_mount_ms(browser: &Browser, mode: &str) -> anyhow::Result<f64> {
    let run = browser.run(&format!("mount('{mode}', 1)")).await?;
    Ok(run["first"].as_f64().unwrap_or(f64::NAN))
}

/// Runs `call` on the bench page at `url` in a fresh browser profile (cold caches), then
/// closes that browser.
/// The demo page in a fresh profile with the Apple Pay fake (pay.js absent): ms from
/// navigation to its first visible wallet button (probe, then the wallet bundle).
async fn wallet_button_ms(merchant: &str) -> anyhow::Result<f64> {
    let fresh = Browser::start().await?;
    let client = fresh.client();
    client
        .goto(&format!("{merchant}/?fakes=apple&payjs=/missing-pay.js"))
        .await?;
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css("body[data-ready='true']"))
        .await?;
    let shown = client
        .execute(
            "return performance.getEntriesByName('paykka-demo:wallets-shown')[0]?.startTime ?? null",
            vec![],
        )
        .await?;
    fresh.close().await;
    shown
        .as_f64()
        .ok_or_else(|| anyhow::anyhow!("the demo page showed no wallet button"))
}

async fn run_cold(url: &str, call: &str) -> anyhow::Result<Value> {
    let fresh = Browser::start().await?;
    fresh.open(url).await?;
    let run = fresh.run(call).await;
    fresh.close().await;
    run
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let root = root();
    let pkg = root.join("pkg");
    let budget: Value = serde_json::from_slice(&std::fs::read(root.join("size-budget.json"))?)?;

    eprintln!("sizes…");
    let modes = sizes::measure_modes(&pkg, &root.join("www/frames"))?;
    let floor_gzip = sizes::floor_gzip(&root.join("target/floor/pkg"))?;
    // Where each bundle's bytes go, from the same bundles built with their names kept.
    let bytes_by_bundle = [
        "paykka_web",
        "paykka_web_frame",
        "paykka_web_inline",
        "paykka_web_full",
        "paykka_web_wallets",
        "paykka_web_apple_pay",
        "paykka_web_google_pay",
        "paykka_web_checkout",
    ]
    .into_iter()
    .map(|name| {
        let path = root.join(format!("target/named/{name}_bg.wasm"));
        bytes::breakdown(&path, name, 10)
    })
    .collect::<anyhow::Result<Vec<_>>>()?;

    let page = root.join("bench/page");
    let forge = root.join("bench/.node/node_modules/node-forge/dist");
    let bench_origin = browser::serve_page(page, pkg.clone(), forge).await?;
    let data = tempfile::tempdir()?;
    // The same bench page as `localhost`: another site than the secure origin's 127.0.0.1,
    // so its frames get their own renderer process, as on a merchant's real site.
    let cross_site_origin = bench_origin.replace("127.0.0.1", "localhost");
    let (demo, merchant, secure_origin) =
        start_demo(data.path(), &[&bench_origin, &cross_site_origin])?;
    let config: Value = reqwest::get(format!("{merchant}/api/config"))
        .await?
        .json()
        .await?;
    let client_key = config["clientKey"].as_str().unwrap_or_default().to_owned();
    let page_url =
        format!("{bench_origin}/index.html?clientKey={client_key}&environment={secure_origin}");

    eprintln!("encryption…");
    let browser = Browser::start().await?;
    browser.open(&page_url).await?;
    let mut encryption = Vec::new();
    for bits in [2048, 3072, 4096] {
        let runs = if bits == 2048 { 300 } else { 200 };
        encryption.push(
            browser
                .run(&format!(
                    "encryption({{bits: {bits}, runs: {runs}, warmup: 20}})"
                ))
                .await?,
        );
    }

    eprintln!("keystrokes…");
    let keys_inline = browser.run("keystrokesInline(5000)").await?;
    browser.run("mountFramesAndKeep()").await?;
    let source = browser
        .client()
        .execute("return window.paykkaKeystrokes.toString()", vec![])
        .await?;
    browser.client().enter_frame(0).await?;
    let keys_frames = browser
        .client()
        .execute(
            &format!(
                "return ({})(document.querySelector('input'), 5000)",
                source.as_str().unwrap_or("")
            ),
            vec![],
        )
        .await?;
    browser.client().enter_parent_frame().await?;

    eprintln!("mount (warm)…");
    let warm_inline = browser.run("mount('inline', 20)").await?;
    let warm_frames = browser.run("mount('frames', 20)").await?;
    browser.close().await;

    eprintln!("mount (cold: a fresh browser profile each)…");
    let cross_site_url = page_url.replacen(&bench_origin, &cross_site_origin, 1);
    let mut cold_inline = Vec::new();
    let mut cold_frames = Vec::new();
    let mut cold_frames_cross_site = Vec::new();
    let mut floor_loaded = Vec::new();
    let mut floor_booted = Vec::new();
    for _ in 0..20 {
        let fresh = Browser::start().await?;
        fresh.open(&page_url).await?;
        cold_frames.push(first_mount_ms(&fresh, "frames").await?);
        cold_inline.push(first_mount_ms(&fresh, "inline").await?);
        fresh.close().await;
        let cross_site = run_cold(&cross_site_url, "mount('frames', 1)").await?;
        cold_frames_cross_site.push(cross_site["first"].as_f64().unwrap_or(f64::NAN));
        for (floor, call) in [
            (
                &mut floor_loaded,
                "frameFloor('/frames/brands/visa.svg', 'load')",
            ),
            (
                &mut floor_booted,
                &format!("frameFloor('/frames/{client_key}/field.html', 'hello')"),
            ),
        ] {
            floor.push(
                run_cold(&page_url, call).await?["ms"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
            );
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };

    eprintln!("checkout mount (cold: a fresh browser profile each)…");
    let mut cold_checkout = Vec::new();
    for _ in 0..10 {
        let session: Value = reqwest::Client::new()
            .post(format!("{merchant}/api/sessions"))
            .send()
            .await?
            .json()
            .await?;
        let call = format!(
            "checkout({})",
            serde_json::to_string(&session["session_id"])?
        );
        let run = run_cold(&page_url, &call).await?;
        if run["interactive"] != Value::Bool(true) {
            anyhow::bail!("the checkout's pay button was not interactive: {run}");
        }
        cold_checkout.push(run["ms"].as_f64().unwrap_or(f64::NAN));
    }

    eprintln!("wallet button (cold: a fresh browser profile each)…");
    let mut cold_wallet_button = Vec::new();
    for _ in 0..10 {
        cold_wallet_button.push(wallet_button_ms(&merchant).await?);
    }

    eprintln!("backend…");
    let (rsa_ops, cores) = backend::rsa_ceiling(3.0)?;
    let throughput = backend::throughput(&merchant, &secure_origin, 8, 10.0).await?;
    drop(demo);
    eprintln!("the secure origin on PostgreSQL, one instance then two…");
    let [one, two] = instances::measure(&root, 8, 10.0).await?;

    let ceiling = rsa_ops / backend::PRIVATE_OPS_PER_PAYMENT;
    let service_ceiling = rsa_ops / instances::PRIVATE_OPS_PER_PAYMENT;
    let instance_rows: Vec<Value> = [&one, &two]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({
                "instances": i + 1, "clients": t.clients, "payments": t.payments,
                "failures": t.failures, "payments_per_second": t.per_second,
                "p50_ms": t.p50_ms, "p99_ms": t.p99_ms,
                "ceiling_payments_per_second": service_ceiling,
                "ratio_to_ceiling": ratio(t.per_second, service_ceiling),
            })
        })
        .collect();
    let decryptions_only = rsa_ops / 4.0;
    let frames = &modes[0];
    let inline = &modes[1];
    let frames_gzip = frames.total(|f| f.gzip) as f64;
    let inline_gzip = inline.total(|f| f.gzip) as f64;
    let frames_target = budget["framesTotalGzipBytes"].as_f64().unwrap_or(80_000.0);
    let inline_target = budget["inlineTotalGzipBytes"].as_f64().unwrap_or(70_000.0);
    // The wallets' target is each button alone (its own bundle).
    let apple_gzip = modes[5].total(|f| f.gzip) as f64;
    let google_gzip = modes[6].total(|f| f.gzip) as f64;
    let wallets_target = budget["walletsTotalGzipBytes"].as_f64().unwrap_or(25_000.0);
    let checkout_gzip = modes[3].total(|f| f.gzip) as f64;
    let checkout_target = budget["checkoutTotalGzipBytes"]
        .as_f64()
        .unwrap_or(120_000.0);
    let e2048 = &encryption[0];
    let (ours, webcrypto, forge) = (
        e2048["ours"].as_f64().unwrap_or(f64::NAN),
        e2048["webcrypto"].as_f64().unwrap_or(f64::NAN),
        e2048["forge"].as_f64().unwrap_or(f64::NAN),
    );
    let report = json!({
        "machine": machine(),
        "size": {
            "modes": modes.iter().map(sizes::ModeSize::json).collect::<Vec<_>>(),
            "budget": {"framesTotalGzipBytes": frames_target, "inlineTotalGzipBytes": inline_target,
                       "applePayTotalGzipBytes": wallets_target, "applePay_pass": apple_gzip <= wallets_target,
                       "googlePayTotalGzipBytes": wallets_target, "googlePay_pass": google_gzip <= wallets_target,
                       "checkoutTotalGzipBytes": checkout_target, "checkout_pass": checkout_gzip <= checkout_target,
                       "framesHostGzipBytes": budget["framesHostGzipBytes"].as_f64().unwrap_or(30_000.0),
                       "frames_pass": frames_gzip <= frames_target, "inline_pass": inline_gzip <= inline_target},
            "yardsticks_gzip_published": {"adyen_core_card": 65_000, "braintree_hosted_fields_plus_client": 71_000},
            "page_bundle_floor_gzip": floor_gzip,
            "ratio_frames_vs_adyen": ratio(frames_gzip, 65_000.0),
            "ratio_frames_vs_braintree": ratio(frames_gzip, 71_000.0),
        },
        "encryption_ms_per_card": encryption,
        "encryption_ratios_2048": {"ours_over_webcrypto": ratio(ours, webcrypto), "forge_over_ours": ratio(forge, ours)},
        "keystroke_ms": {"inline": keys_inline, "frames": keys_frames},
        "mount_ms": {
            "inline": {"warm_median": warm_inline["median"], "cold_median": median(cold_inline)},
            "frames": {"warm_median": warm_frames["median"], "cold_median": median(cold_frames),
                "cold_median_cross_site": median(cold_frames_cross_site),
                "cold_median_three_static_frames": median(floor_loaded),
                "cold_median_three_frames_booted": median(floor_booted)},
            "checkout": {"cold_median": median(cold_checkout), "target": 300.0},
            "wallet_button": {"cold_median": median(cold_wallet_button)},
        },
        "backend": {
            "clients": throughput.clients, "seconds": throughput.seconds, "payments": throughput.payments,
            "failures": throughput.failures, "payments_per_second": throughput.per_second,
            "p50_ms": throughput.p50_ms, "p99_ms": throughput.p99_ms,
            "rsa2048_private_ops_per_second": rsa_ops, "rsa_threads": cores,
            "private_ops_per_payment": backend::PRIVATE_OPS_PER_PAYMENT,
            "ceiling_payments_per_second": ceiling, "ratio_to_ceiling": ratio(throughput.per_second, ceiling),
            "decryptions_only_payments_per_second": decryptions_only,
            "ratio_to_decryptions_only": ratio(throughput.per_second, decryptions_only),
        },
        "instances": instance_rows,
        "bytes": bytes_by_bundle.iter().map(bytes::Breakdown::json).collect::<Vec<_>>(),
    });

    let mut markdown = render(&report);
    markdown += "\n## Where the bytes go (each bundle before gzip, built again with its names kept)\n\nThe ten largest functions of each bundle and its data (texts, CSS, brand tables, panic locations), in bytes of the shipped wasm. Closures carry the name of the function they are written in (`{{closure}}`); generic code is named by its instance. Then what each module adds to the bundle's gzip: repeated code compresses well, so a module's raw bytes can overstate what removing it would save.\n\n";
    for breakdown in &bytes_by_bundle {
        markdown += &breakdown.markdown();
    }
    println!("{markdown}");
    std::fs::create_dir_all(root.join("docs"))?;
    std::fs::write(root.join("docs/benchmarks.md"), &markdown)?;
    std::fs::write(
        root.join("docs/benchmarks.json"),
        serde_json::to_string_pretty(&report)? + "\n",
    )?;
    eprintln!("wrote docs/benchmarks.md and docs/benchmarks.json");
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}

fn kb(bytes: &Value) -> String {
    format!("{:.1} KB", bytes.as_f64().unwrap_or(0.0) / 1000.0)
}

fn ms(value: &Value) -> String {
    format!("{:.3} ms", value.as_f64().unwrap_or(f64::NAN))
}

fn pass(ok: bool) -> &'static str {
    if ok {
        "pass"
    } else {
        "**miss**"
    }
}

/// The report as Markdown.
fn render(r: &Value) -> String {
    let m = &r["machine"];
    let mut out = format!(
        "# paykka-web benchmarks\n\nMeasured {} on {} ({} cores, {} GiB), {}.\nProduced by `./dev bench`; the same figures are in `docs/benchmarks.json`.\n\n",
        m["date"].as_str().unwrap_or(""), m["cpu"].as_str().unwrap_or(""), m["cores"], m["memory_gib"], m["chromium"].as_str().unwrap_or("Chromium")
    );
    out += "## Size (everything a browser downloads to show the card form; `wallets`: both wallet buttons' entry, `applePay` and `googlePay` each button's alone; `walletProbe`: what a page fetches first, and all it fetches where no wallet can be shown; `checkout`: the drop-in with its card frames, which fetches a wallet's bundle only when the session offers that wallet and the browser can show it)\n\n| mode | raw | gzip -9 | brotli | target (gzip) | |\n|---|---|---|---|---|---|\n";
    let budget = &r["size"]["budget"];
    for mode in r["size"]["modes"].as_array().into_iter().flatten() {
        let name = mode["mode"].as_str().unwrap_or("");
        let (target, ok) = (
            &budget[format!("{name}TotalGzipBytes")],
            budget[format!("{name}_pass")].as_bool().unwrap_or(false),
        );
        let (target, verdict) = if target.is_null() {
            ("–".to_owned(), "")
        } else {
            (kb(target), pass(ok))
        };
        out += &format!(
            "| {name} | {} | {} | {} | {target} | {verdict} |\n",
            kb(&mode["raw"]),
            kb(&mode["gzip"]),
            kb(&mode["brotli"]),
        );
    }
    let page_share: f64 = r["size"]["modes"][0]["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["name"].as_str().is_some_and(|n| n.ends_with("(page)")))
        .filter_map(|f| f["gzip"].as_f64())
        .sum();
    let host_target = budget["framesHostGzipBytes"].as_f64().unwrap_or(30_000.0);
    out += &format!(
        "\nFrames mode, the merchant page's share (page bundle): {} gzip, target ≤ {}: {}.\n",
        kb(&Value::from(page_share)),
        kb(&Value::from(host_target)),
        pass(page_share <= host_target)
    );
    out += &format!(
        "\nThe toolchain's floor for a page bundle (`bench/floor`: three iframes, their messages relayed into DOM events, `mount()` and `encrypt()` as Promises, and nothing else; built as the real bundles are): {} gzip.\n",
        kb(&r["size"]["page_bundle_floor_gzip"]),
    );
    out += &format!(
        "\nYardsticks (published, not re-measured): Adyen Web core + Card ≈ 65 KB gzip, Braintree hosted-fields + client ≈ 71 KB gzip, each plus frame code from their CDN. Frames mode here is {:.2}× Adyen's figure and {:.2}× Braintree's.\n\n",
        r["size"]["ratio_frames_vs_adyen"].as_f64().unwrap_or(f64::NAN),
        r["size"]["ratio_frames_vs_braintree"].as_f64().unwrap_or(f64::NAN)
    );
    out += "## Encryption of a whole card (4 fields, paykka-web JWE v1), median per card\n\n| RSA key | ours (wasm) | WebCrypto | node-forge | ours / WebCrypto | forge / ours |\n|---|---|---|---|---|---|\n";
    for e in r["encryption_ms_per_card"].as_array().into_iter().flatten() {
        let (o, w, f) = (
            e["ours"].as_f64().unwrap_or(f64::NAN),
            e["webcrypto"].as_f64().unwrap_or(f64::NAN),
            e["forge"].as_f64().unwrap_or(f64::NAN),
        );
        out += &format!(
            "| {} bit | {o:.3} ms | {w:.3} ms | {f:.3} ms | {:.2}× | {:.2}× |\n",
            e["bits"],
            o / w,
            f / o
        );
    }
    out += "\nMedians of batches of 10 cards (300 cards at 2048 bit, 200 at 3072 and 4096) after 20 warm-up cards each; the three take turns batch by batch, so a slow moment of the machine falls on all of them alike. Each implementation's output is checked to decrypt with WebCrypto first. Targets (2048 bit): ours ≤ 1.5× WebCrypto; forge ≥ 8× slower than ours.\n\n";
    let k = &r["keystroke_ms"];
    out += &format!(
        "## Keystroke cost (one input event in the number field: format, caret, brand, checks, state, events)\n\nTyped digits, backspaces, pastes and select-all deletions, each `beforeinput` timed around its synchronous handling. The page's timer resolution is 0.1 ms (Chromium without cross-origin isolation), so p50 values of 0.0 mean under 0.1 ms.\n\n| mode | events | p50 | p99 | target p99 ≤ 1 ms |\n|---|---|---|---|---|\n| inline | {} | {} | {} | {} |\n| frames (inside the frame) | {} | {} | {} | {} |\n\n",
        k["inline"]["events"], ms(&k["inline"]["p50"]), ms(&k["inline"]["p99"]), pass(k["inline"]["p99"].as_f64().unwrap_or(9.0) <= 1.0),
        k["frames"]["events"], ms(&k["frames"]["p50"]), ms(&k["frames"]["p99"]), pass(k["frames"]["p99"].as_f64().unwrap_or(9.0) <= 1.0),
    );
    let mt = &r["mount_ms"];
    out += &format!(
        "## Mount to ready (median of 20; the checkout: of 10)\n\n| mode | warm cache | cold (fresh profile) | target |\n|---|---|---|---|\n| inline | {} | {} | ≤ 50 ms: {} |\n| frames | {} | {} | ≤ 165 ms: {} |\n| frames, the page on another site than the secure origin (the frames in their own renderer process, as in production) | – | {} | – |\n| the floor under a frames mount: three frames of a static file from the secure origin, loaded | – | {} | – |\n| the same with the frame page: its bundle fetched, compiled and booted (before options and key) | – | {} | – |\n| checkout (bundle load + session + card frames, to an interactive pay button) | – | {} | ≤ 300 ms: {} |\n| a wallet button on the demo page (wallet probe, then the wallet bundle; Apple Pay's test fake), from navigation | – | {} | – |\n\n",
        ms(&mt["inline"]["warm_median"]), ms(&mt["inline"]["cold_median"]), pass(mt["inline"]["cold_median"].as_f64().unwrap_or(1e9) <= 50.0),
        ms(&mt["frames"]["warm_median"]), ms(&mt["frames"]["cold_median"]), pass(mt["frames"]["cold_median"].as_f64().unwrap_or(1e9) <= 165.0),
        ms(&mt["frames"]["cold_median_cross_site"]),
        ms(&mt["frames"]["cold_median_three_static_frames"]),
        ms(&mt["frames"]["cold_median_three_frames_booted"]),
        ms(&mt["checkout"]["cold_median"]), pass(mt["checkout"]["cold_median"].as_f64().unwrap_or(1e9) <= 300.0),
        ms(&mt["wallet_button"]["cold_median"]),
    );
    let b = &r["backend"];
    out += &format!(
        "## Backend throughput (shop → secure origin → sandbox, three programs on the same cores as the load generator)\n\nEach payment: the shop signs its forward; the secure origin verifies it, opens four JWE fields (four RSA-OAEP decryptions), signs the raw-card Initiate as the merchant; the sandbox verifies it, commits to SQLite, signs its answer and, later, its webhook; the shop verifies the answer. That is {} RSA-2048 private-key operations per payment on this machine's {} cores: the ceiling is the private-key operations per second divided by {}. (The secure origin's own share, on a machine of its own, is five: four decryptions and a signature.)\n\n| clients | payments | failures | payments/s | p50 | p99 | RSA-2048 private-key ops/s ({} threads) | ceiling (÷ {}) | share of ceiling (target ≥ 50%) | four decryptions only (÷ 4) |\n|---|---|---|---|---|---|---|---|---|---|\n| {} | {} | {} | {:.1} | {} | {} | {:.0} | {:.1}/s | {:.0}% {} | {:.1}/s, {:.0}% |\n",
        b["private_ops_per_payment"], b["rsa_threads"], b["private_ops_per_payment"],
        b["rsa_threads"], b["private_ops_per_payment"],
        b["clients"], b["payments"], b["failures"], b["payments_per_second"].as_f64().unwrap_or(0.0),
        ms(&b["p50_ms"]), ms(&b["p99_ms"]), b["rsa2048_private_ops_per_second"].as_f64().unwrap_or(0.0),
        b["ceiling_payments_per_second"].as_f64().unwrap_or(0.0), b["ratio_to_ceiling"].as_f64().unwrap_or(0.0) * 100.0,
        pass(b["ratio_to_ceiling"].as_f64().unwrap_or(0.0) >= 0.5),
        b["decryptions_only_payments_per_second"].as_f64().unwrap_or(0.0),
        b["ratio_to_decryptions_only"].as_f64().unwrap_or(0.0) * 100.0,
    );
    out += "\n## The secure origin on PostgreSQL: one instance, then two (same machine, one database)\n\nThe bench signs the shop's forwards straight to the service; PayKKa is the sandbox binary; no webhooks. Each payment: the bench's signature, four decryptions and the service's signature, the sandbox's signature: 7 private-key operations, all on the same cores as PostgreSQL and the load generator.\n\n| instances | clients | payments | failures | payments/s | p50 | p99 | ceiling (÷ 7) | share of ceiling |\n|---|---|---|---|---|---|---|---|---|\n";
    for row in r["instances"].as_array().into_iter().flatten() {
        out += &format!(
            "| {} | {} | {} | {} | {:.1} | {} | {} | {:.1}/s | {:.0}% |\n",
            row["instances"],
            row["clients"],
            row["payments"],
            row["failures"],
            row["payments_per_second"].as_f64().unwrap_or(0.0),
            ms(&row["p50_ms"]),
            ms(&row["p99_ms"]),
            row["ceiling_payments_per_second"].as_f64().unwrap_or(0.0),
            row["ratio_to_ceiling"].as_f64().unwrap_or(0.0) * 100.0,
        );
    }
    out
}
