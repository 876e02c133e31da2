//! The checkout's DOM: header (merchant, amount), goods, the method choice (a radio group
//! with one panel per method), the pay button, a polite status line, an alert line and the
//! result. Text goes in as text, never as markup.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlButtonElement, HtmlElement, HtmlInputElement};

use crate::checkout_flow::methods::Method;
use crate::checkout_flow::texts::CheckoutTexts;
use crate::web::dom::{cast, document, element, stylesheet};

use super::style::CSS;

/// `<tag attrs…>text</tag>` appended to `parent`.
fn child(
    doc: &Document,
    parent: &Element,
    tag: &str,
    attrs: &[(&str, &str)],
    text: &str,
) -> Result<Element, JsValue> {
    let el = element(doc, tag, attrs)?;
    if !text.is_empty() {
        el.set_text_content(Some(text));
    }
    parent.append_child(&el)?;
    Ok(el)
}

/// The checkout's elements.
pub struct View {
    pub texts: CheckoutTexts,
    pub root: Element,
    doc: Document,
    merchant: Element,
    amount: Element,
    goods: Element,
    methods: Element,
    pub card_panel: Element,
    pub apple_panel: Element,
    pub google_panel: Element,
    redirect_panel: Element,
    redirect_notice: Element,
    pub redirect_button: HtmlButtonElement,
    pub pay: HtmlButtonElement,
    status: Element,
    error: Element,
    result: Element,
    result_text: Element,
    pub result_button: HtmlButtonElement,
    form_parts: Vec<Element>,
}

/// Adds the checkout's stylesheet to the document once.
fn adopt_style(doc: &Document) -> Result<(), JsValue> {
    if doc
        .document_element()
        .is_some_and(|e| e.has_attribute("data-paykka-checkout-style"))
    {
        return Ok(());
    }
    let sheet = stylesheet(CSS)?;
    let current = js_sys::Reflect::get(doc, &"adoptedStyleSheets".into())?;
    let list = js_sys::Array::from(&current);
    list.push(&sheet);
    js_sys::Reflect::set(doc, &"adoptedStyleSheets".into(), &list)?;
    if let Some(html) = doc.document_element() {
        html.set_attribute("data-paykka-checkout-style", "")?;
    }
    Ok(())
}

impl View {
    /// Builds the checkout inside `target`, showing that it loads.
    pub fn build(
        target: &Element,
        texts: CheckoutTexts,
        lang: &str,
        session_id: &str,
    ) -> Result<View, JsValue> {
        let doc = document()?;
        adopt_style(&doc)?;
        let t = |key| texts.get(key).to_owned();
        let root = element(
            &doc,
            "section",
            &[
                ("class", "paykka-checkout"),
                ("lang", lang),
                ("aria-labelledby", "pc-amount"),
            ],
        )?;
        target.append_child(&root)?;
        let merchant = child(&doc, &root, "p", &[("class", "pc-merchant")], "")?;
        let amount = child(
            &doc,
            &root,
            "p",
            &[("class", "pc-amount"), ("id", "pc-amount")],
            "",
        )?;
        let goods = child(&doc, &root, "ul", &[("class", "pc-goods")], "")?;
        let methods = child(&doc, &root, "fieldset", &[("class", "pc-methods")], "")?;
        child(&doc, &methods, "legend", &[], &t("methods"))?;
        let panel = |name: &str| {
            child(
                &doc,
                &root,
                "div",
                &[("class", "pc-panel"), ("data-method", name), ("hidden", "")],
                "",
            )
        };
        let card_panel = panel("BANKCARD")?;
        let apple_panel = panel("APPLE_PAY")?;
        let google_panel = panel("GOOGLE_PAY")?;
        let redirect_panel = panel("REDIRECT")?;
        let redirect_notice = child(&doc, &redirect_panel, "p", &[("class", "pc-status")], "")?;
        let redirect_button: HtmlButtonElement = cast(child(
            &doc,
            &redirect_panel,
            "button",
            &[("type", "button"), ("class", "pc-pay pc-redirect")],
            "",
        )?)?;
        let pay: HtmlButtonElement = cast(child(
            &doc,
            &root,
            "button",
            &[
                ("type", "button"),
                ("class", "pc-pay pc-submit"),
                ("hidden", ""),
            ],
            "",
        )?)?;
        let status = child(
            &doc,
            &root,
            "p",
            &[
                ("class", "pc-status"),
                ("role", "status"),
                ("aria-live", "polite"),
            ],
            &t("loading"),
        )?;
        let error = child(
            &doc,
            &root,
            "p",
            &[("class", "pc-error"), ("role", "alert")],
            "",
        )?;
        let result = child(
            &doc,
            &root,
            "div",
            &[("class", "pc-result-box"), ("hidden", "")],
            "",
        )?;
        let result_text = child(
            &doc,
            &result,
            "p",
            &[("class", "pc-result"), ("tabindex", "-1")],
            "",
        )?;
        let result_button: HtmlButtonElement = cast(child(
            &doc,
            &result,
            "button",
            &[
                ("type", "button"),
                ("class", "pc-secondary"),
                ("hidden", ""),
            ],
            "",
        )?)?;
        root.set_attribute("data-session", session_id)?;
        Ok(View {
            texts,
            form_parts: vec![
                goods.clone(),
                methods.clone(),
                card_panel.clone(),
                apple_panel.clone(),
                google_panel.clone(),
                redirect_panel.clone(),
                pay.clone().into(),
            ],
            root,
            doc,
            merchant,
            amount,
            goods,
            methods,
            card_panel,
            apple_panel,
            google_panel,
            redirect_panel,
            redirect_notice,
            redirect_button,
            pay,
            status,
            error,
            result,
            result_text,
            result_button,
        })
    }

    /// The session's merchant, amount and goods (`(name, price text)`).
    pub fn show_session(
        &self,
        merchant: &str,
        amount: &str,
        goods: &[(String, String)],
    ) -> Result<(), JsValue> {
        self.merchant.set_text_content(Some(merchant));
        self.amount.set_text_content(Some(amount));
        for (name, price) in goods {
            let item = child(&self.doc, &self.goods, "li", &[], "")?;
            child(&self.doc, &item, "span", &[], name)?;
            child(&self.doc, &item, "span", &[], price)?;
        }
        self.pay
            .set_text_content(Some(&self.texts.fill("pay", "amount", amount)));
        self.say("");
        Ok(())
    }

    /// Adds `method` to the choice; returns its radio button.
    pub fn add_method(&self, method: Method) -> Result<HtmlInputElement, JsValue> {
        let label = child(
            &self.doc,
            &self.methods,
            "label",
            &[("class", "pc-method")],
            "",
        )?;
        let radio: HtmlInputElement = cast(child(
            &self.doc,
            &label,
            "input",
            &[
                ("type", "radio"),
                ("name", "pc-method"),
                ("value", method.code()),
            ],
            "",
        )?)?;
        child(
            &self.doc,
            &label,
            "span",
            &[],
            self.texts.get(method.text_key()),
        )?;
        Ok(radio)
    }

    /// Shows `method`'s panel and the pay button it needs.
    pub fn select(&self, method: Method) -> Result<(), JsValue> {
        for (panel, shown) in [
            (&self.card_panel, method == Method::Card),
            (&self.apple_panel, method == Method::ApplePay),
            (&self.google_panel, method == Method::GooglePay),
            (&self.redirect_panel, method.is_redirect()),
        ] {
            panel.toggle_attribute_with_force("hidden", !shown)?;
        }
        if method.is_redirect() {
            let name = self.texts.get(method.text_key());
            self.redirect_notice.set_text_content(Some(&self.texts.fill(
                "redirectNotice",
                "method",
                name,
            )));
            self.redirect_button.set_text_content(Some(&self.texts.fill(
                "continueTo",
                "method",
                name,
            )));
        }
        let radios = self.methods.query_selector_all("input")?;
        for i in 0..radios.length() {
            if let Some(radio) = radios
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
            {
                radio.set_checked(radio.value() == method.code());
            }
        }
        Ok(())
    }

    /// Shows or hides the built-in pay button.
    pub fn show_pay(&self, shown: bool) {
        self.pay.set_hidden(!shown);
    }

    /// The pay button while paying: busy, not pressable, saying so.
    pub fn set_busy(&self, busy: bool) -> Result<(), JsValue> {
        for button in [&self.pay, &self.redirect_button] {
            button.set_disabled(busy);
            button.toggle_attribute_with_force("aria-busy", busy)?;
        }
        if busy {
            self.alert("");
            self.say(self.texts.get("paying"));
        } else {
            self.say("");
        }
        Ok(())
    }

    /// A polite status line.
    pub fn say(&self, message: &str) {
        self.status.set_text_content(Some(message));
    }

    /// An alert line (announced at once).
    pub fn alert(&self, message: &str) {
        self.error.set_text_content(Some(message));
    }

    /// Replaces the form with a result (`state`: `paid`, `expired`, `locked`, `notFound`), with an
    /// optional button; focus moves to the result.
    pub fn show_result(
        &self,
        state: &str,
        message: &str,
        button: Option<&str>,
    ) -> Result<(), JsValue> {
        for part in &self.form_parts {
            part.toggle_attribute_with_force("hidden", true)?;
        }
        self.say("");
        self.alert("");
        self.result.toggle_attribute_with_force("hidden", false)?;
        self.result_text.set_attribute("data-state", state)?;
        self.result_text.set_text_content(Some(message));
        self.result_button.set_hidden(button.is_none());
        self.result_button.set_text_content(button);
        self.root.set_attribute("data-state", state)?;
        let _ = cast::<HtmlElement>(self.result_text.clone()).map(|e| e.focus());
        Ok(())
    }

    /// Back to the form after a result that offered a retry (the panels stay as chosen).
    pub fn restore_form(&self) -> Result<(), JsValue> {
        self.result.toggle_attribute_with_force("hidden", true)?;
        self.goods.toggle_attribute_with_force("hidden", false)?;
        self.methods.toggle_attribute_with_force("hidden", false)?;
        Ok(())
    }

    /// Sets the checkout's state for styles and tests (`loading`, `ready`, `paying`…).
    pub fn set_state(&self, state: &str) {
        let _ = self.root.set_attribute("data-state", state);
    }
}
