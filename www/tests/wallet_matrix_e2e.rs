//! End to end: the wallet matrix. Each wallet (Apple Pay, Google Pay) on each surface (the
//! standalone button on the demo page, the drop-in, the custom element, the PayKKa-compat
//! component) through each outcome (authorise; cancel; decline then retry; merchant
//! validation failing; no answer in time), in a real browser against the real binary and the
//! wallet fakes. Every cell ends as a shopper expects and then pays exactly once: the sheet is
//! closed (or shows why), the surface stays usable, the gateway holds one paid payment more.

mod support;

use std::time::Duration;

use fantoccini::Client;
use serde_json::Value;
use support::{browser, click, eval, pay_in_fake_sheet, wait_for, Server};

/// Installed in each page once its wallet button shows: records the `paykka:*` events every
/// surface dispatches (bubbling, composed) as `name:code`, and lets a cell change the network
/// and the clock as a slow or failing backend would —
/// - `matrix.fail`: requests whose URL matches fail as a lost connection does;
/// - `matrix.hold`: requests whose URL matches are never answered (nor sent) until their
///   caller aborts them;
/// - `matrix.fast`: timers of 10 s or more run ten times faster (Apple's 30 s step timeout
///   and the components' 25 s answer deadline alike, so their order is kept), as a test clock
///   fast-forwards.
const PAGE_HOOKS: &str = r#"
  if (window.matrix) return 0;
  const matrix = { events: [], fail: null, hold: null, fast: false };
  window.matrix = matrix;
  for (const name of ['authorized', 'success', 'failed', 'cancel', 'error']) {
    window.addEventListener(`paykka:${name}`, (event) => {
      matrix.events.push(`${name}:${event.detail?.code ?? ''}`);
    }, true);
  }
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    if (matrix.fail && new RegExp(matrix.fail).test(url)) return Promise.reject(new TypeError('Failed to fetch'));
    if (matrix.hold && new RegExp(matrix.hold).test(url)) {
      // Unanswered, as a stalled connection: only the caller's abort ends it.
      const signal = init?.signal ?? input?.signal;
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    return fetch.call(window, input, init);
  };
  const setTimeout = window.setTimeout;
  window.setTimeout = function (handler, delay, ...rest) {
    const scaled = matrix.fast && delay >= 10000 ? delay / 10 : delay;
    return setTimeout.call(window, handler, scaled, ...rest);
  };
  return 0;
"#;

/// The merchant-session calls (the shop's backend, the drop-in's session API).
const VALIDATION_CALLS: &str = "apple-pay/session$";
/// The pay calls (the shop's backend, the drop-in's session API).
const PAY_CALLS: &str = "(/api/payments|/v3/checkout/pay)$";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Wallet {
    Apple,
    Google,
}

impl Wallet {
    /// The fake sheet's id part, as `pay_in_fake_sheet` takes it.
    fn sheet(self) -> &'static str {
        match self {
            Wallet::Apple => "apple-pay",
            Wallet::Google => "google-pay",
        }
    }

    fn method(self) -> &'static str {
        match self {
            Wallet::Apple => "APPLE_PAY",
            Wallet::Google => "GOOGLE_PAY",
        }
    }

    fn fakes(self) -> &'static str {
        match self {
            Wallet::Apple => "apple",
            Wallet::Google => "google",
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Surface {
    /// `ApplePayButton` / `GooglePayButton` on the demo page, paying through the shop.
    Button,
    /// The drop-in at `/checkout`, paying the session.
    DropIn,
    /// `<paykka-apple-pay>` / `<paykka-google-pay>` on the elements page.
    Element,
    /// The Checkout UI SDK's `ApplePay` / `GooglePay` components through paykka-compat.js.
    Compat,
}

impl Surface {
    fn url(self, merchant: &str, wallet: Wallet) -> String {
        let fakes = wallet.fakes();
        match self {
            Surface::Button => format!("{merchant}/?fakes={fakes}"),
            Surface::DropIn => format!("{merchant}/checkout?fakes={fakes}"),
            Surface::Element => format!("{merchant}/elements.html?fakes={fakes}"),
            Surface::Compat => format!(
                "{merchant}/paykka/checkout.html?component={}&fakes={fakes}",
                wallet.method().replace('_', "").to_lowercase()
            ),
        }
    }

    fn button(self, wallet: Wallet) -> String {
        match self {
            Surface::Button => format!("#{} button", wallet.sheet()),
            Surface::DropIn | Surface::Compat => {
                format!("[data-method='{}'] button", wallet.method())
            }
            Surface::Element => format!("paykka-{} button", wallet.sheet()),
        }
    }

    /// A script that is true once the page shows the payment as paid to the shopper.
    fn shows_paid(self) -> &'static str {
        match self {
            Surface::Button => {
                "return document.getElementById('result').dataset.state === 'success'"
            }
            Surface::DropIn | Surface::Compat => {
                "return document.querySelector('.paykka-checkout')?.dataset.state === 'paid'"
            }
            Surface::Element => {
                "return document.getElementById('wallet-events').textContent.includes('success')"
            }
        }
    }

    /// Opens the surface until its wallet button shows, with the page hooks installed.
    async fn open(self, c: &Client, merchant: &str, wallet: Wallet) {
        c.goto(&self.url(merchant, wallet)).await.unwrap();
        if let Surface::DropIn = self {
            wait_for(c, ".paykka-checkout[data-state='ready']").await;
            click(c, &format!("input[value='{}']", wallet.method())).await;
        }
        support::wait_until_still(c, &self.button(wallet)).await;
        eval(c, PAGE_HOOKS).await;
    }
}

#[derive(Clone, Copy, Debug)]
enum Outcome {
    Authorise,
    Cancel,
    DeclineThenRetry,
    ValidationFails,
    Timeout,
}

/// Google Pay has no merchant validation: its cells are the other four.
fn outcomes(wallet: Wallet) -> Vec<Outcome> {
    let mut all = vec![
        Outcome::Authorise,
        Outcome::Cancel,
        Outcome::DeclineThenRetry,
        Outcome::Timeout,
    ];
    if wallet == Wallet::Apple {
        all.push(Outcome::ValidationFails);
    }
    all
}

/// Test cards in the fake sheets: approved, declined (3001).
const APPROVED: usize = 0;
const DECLINED: usize = 1;

/// Paid wallet payments in the gateway's database.
fn paid(data: &std::path::Path) -> i64 {
    let db = rusqlite::Connection::open(data.join("gateway.sqlite")).unwrap();
    db.query_row(
        "SELECT count(*) FROM payments WHERE status = 'SUCCESS' AND payment_method IN ('APPLE_PAY', 'GOOGLE_PAY')",
        [],
        |row| row.get(0),
    )
    .unwrap()
}

async fn events(c: &Client) -> String {
    let value = eval(c, "return window.matrix.events.join(' ')").await;
    value.as_str().unwrap_or_default().to_owned()
}

/// Waits (up to 15 s) until the page has recorded `event` (`name:code` or a prefix of it).
async fn heard(c: &Client, event: &str, cell: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let log = events(c).await;
        if log.split(' ').any(|e| e.starts_with(event)) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{cell}: no {event} in [{log}]"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sheet_open(c: &Client, wallet: Wallet) -> bool {
    let script = format!(
        "return document.getElementById('fake-{}-sheet') !== null",
        wallet.sheet()
    );
    eval(c, &script).await == true
}

/// Waits until the fake sheet is gone (Apple closes it on completion, abort and cancel).
async fn sheet_closes(c: &Client, wallet: Wallet, cell: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while sheet_open(c, wallet).await {
        assert!(
            std::time::Instant::now() < deadline,
            "{cell}: the sheet stays open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// After a failure Google's sheet shows the reason and stays until the shopper closes it;
/// Apple's closes itself.
async fn shopper_closes_the_sheet(c: &Client, wallet: Wallet, cell: &str) {
    if wallet == Wallet::Google {
        wait_for(c, "#fake-google-pay-cancel").await;
        click(c, "#fake-google-pay-cancel").await;
    }
    sheet_closes(c, wallet, cell).await;
}

fn fake_log(wallet: Wallet) -> String {
    let name = match wallet {
        Wallet::Apple => "applePayFake",
        Wallet::Google => "googlePayFake",
    };
    format!("return window.{name}.log.join(' ')")
}

/// Runs one cell: its outcome, then an approved payment on the same page.
async fn cell(
    c: &Client,
    server: &Server,
    data: &std::path::Path,
    surface: Surface,
    wallet: Wallet,
    outcome: Outcome,
) {
    let cell = format!("{wallet:?} × {surface:?} × {outcome:?}");
    eprintln!("cell: {cell}");
    let before = paid(data);
    surface.open(c, &server.merchant, wallet).await;
    let button = surface.button(wallet);
    match outcome {
        Outcome::Authorise => {}
        Outcome::Cancel => {
            click(c, &button).await;
            wait_for(c, &format!("#fake-{}-cancel", wallet.sheet())).await;
            click(c, &format!("#fake-{}-cancel", wallet.sheet())).await;
            heard(c, "cancel:", &cell).await;
            sheet_closes(c, wallet, &cell).await;
        }
        Outcome::DeclineThenRetry => {
            pay_in_fake_sheet(c, &button, wallet.sheet(), DECLINED).await;
            heard(c, "failed:3001", &cell).await;
            shopper_closes_the_sheet(c, wallet, &cell).await;
        }
        Outcome::ValidationFails => {
            eval(
                c,
                &format!("window.matrix.fail = '{VALIDATION_CALLS}'; return 0"),
            )
            .await;
            click(c, &button).await;
            heard(c, "error:MERCHANT_VALIDATION_FAILED", &cell).await;
            sheet_closes(c, wallet, &cell).await;
            let log = eval(c, &fake_log(wallet)).await;
            assert!(
                log.as_str().unwrap().contains("abort")
                    && !log.as_str().unwrap().contains("authorize"),
                "{cell}: {log}"
            );
            eval(c, "window.matrix.fail = null; return 0").await;
        }
        Outcome::Timeout => {
            let hold =
                format!("window.matrix.hold = '{PAY_CALLS}'; window.matrix.fast = true; return 0");
            eval(c, &hold).await;
            pay_in_fake_sheet(c, &button, wallet.sheet(), APPROVED).await;
            heard(c, "error:TIMEOUT", &cell).await;
            shopper_closes_the_sheet(c, wallet, &cell).await;
            if wallet == Wallet::Apple {
                // Completed (as failed) before Apple's own step timeout would cancel it.
                let log = eval(c, &fake_log(wallet)).await;
                let log = log.as_str().unwrap();
                assert!(
                    log.contains("completePayment:1") && !log.contains("cancel:timeout"),
                    "{cell}: {log}"
                );
            }
            eval(
                c,
                "window.matrix.hold = null; window.matrix.fast = false; return 0",
            )
            .await;
        }
    }
    assert_eq!(
        paid(data),
        before,
        "{cell}: nothing paid before the approved card"
    );
    // The surface is still usable: the approved card pays, once.
    wait_for(c, &button).await;
    pay_in_fake_sheet(c, &button, wallet.sheet(), APPROVED).await;
    heard(c, "success:", &cell).await;
    sheet_closes(c, wallet, &cell).await;
    let shown = support::eventually(c, surface.shows_paid(), Value::Bool(true)).await;
    assert_eq!(shown, true, "{cell}: the page shows it paid");
    if wallet == Wallet::Apple {
        let log = eval(c, &fake_log(wallet)).await;
        let log = log.as_str().unwrap();
        let validated = log.rfind("completeMerchantValidation").expect(log);
        assert!(
            validated < log.rfind("authorize").expect(log),
            "{cell}: {log}"
        );
    }
    let log = events(c).await;
    assert_eq!(paid(data), before + 1, "{cell}: paid once [{log}]");
    for pan in ["4242424242424242", "4000000000000002"] {
        assert!(
            !log.contains(pan) && !server.log().contains(pan),
            "{cell}: {pan}"
        );
    }
}

async fn every_wallet_and_outcome_on(surface: Surface) {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    for wallet in [Wallet::Apple, Wallet::Google] {
        for outcome in outcomes(wallet) {
            cell(
                &browser.client,
                &server,
                data.path(),
                surface,
                wallet,
                outcome,
            )
            .await;
        }
    }
    browser.close().await;
}

#[tokio::test]
async fn the_standalone_buttons_end_every_outcome_as_a_shopper_expects() {
    every_wallet_and_outcome_on(Surface::Button).await;
}

#[tokio::test]
async fn the_drop_in_ends_every_wallet_outcome_as_a_shopper_expects() {
    every_wallet_and_outcome_on(Surface::DropIn).await;
}

#[tokio::test]
async fn the_custom_elements_end_every_outcome_as_a_shopper_expects() {
    every_wallet_and_outcome_on(Surface::Element).await;
}

#[tokio::test]
async fn the_compat_components_end_every_outcome_as_a_shopper_expects() {
    every_wallet_and_outcome_on(Surface::Compat).await;
}
