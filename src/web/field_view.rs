//! One card field in the DOM: label, input, brand icon, error text. It owns the field's
//! model, turns input events into caret-aware edits, keeps ARIA state true, and talks to
//! the host only through `FieldMessage`s (never the value, except encrypted).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement, InputEvent, KeyboardEvent};
use zeroize::Zeroizing;

use crate::card::format::Edit;
use crate::card::holder::normalize_holder_name;
use crate::card::{Brand, FieldError};
use crate::crypto::FieldName;
use crate::form::field::FieldKind;
use crate::form::model::{EditOutcome, FieldModel};
use crate::web::clock::current_month;

use super::display::FieldConfig;
use super::dom::{element, random_hex, stylesheet, FieldRoot};
use super::icons::{brand_icon, served_brand_icon};
use super::keys::KeyContext;
use super::protocol::{Failure, FieldCommand, FieldMessage, Slot};
use super::styling::{merchant_sheet, LoadedFonts};

/// Built-in look of a field; merchants restyle it with the style object and, inline, with
/// `--paykka-*` custom properties. Under 260 px wide (a 320 px phone's card column) the
/// padding and the brand mark shrink, and under 224 px (the same beside a classic
/// scrollbar) the text too, so a whole card number stays in view.
const BASE_CSS: &str = "\
:host{display:block}\
.paykka-field{font-family:var(--paykka-font,system-ui,sans-serif);font-size:14px;color:var(--paykka-text,#1d2433);container-type:inline-size}\
label{display:block;font-weight:600;margin:0 0 4px}\
.paykka-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
.paykka-row{position:relative;display:flex;align-items:center}\
input{box-sizing:border-box;width:100%;font:inherit;font-size:16px;padding:10px 12px;\
border:1px solid var(--paykka-border,#c6ccd8);border-radius:var(--paykka-radius,8px);\
background:var(--paykka-background,#fff);color:inherit;outline:none}\
.paykka-has-icon input{padding-right:56px}\
input:focus{border-color:var(--paykka-focus,#1f5eff);box-shadow:0 0 0 3px rgba(31,94,255,.2)}\
input[aria-invalid=\"true\"]{border-color:var(--paykka-error,#c62828)}\
input:disabled{background:#f1f3f7;color:#8a93a6}\
.paykka-icon-slot{position:absolute;right:10px;top:50%;transform:translateY(-50%);display:flex;pointer-events:none}\
.paykka-brand-icon{display:block;width:40px;height:26px}\
.paykka-error{color:var(--paykka-error,#c62828);font-size:12px;min-height:16px;margin:4px 0 0}\
html,body{margin:0;padding:0;background:transparent}\
@container (max-width:260px){input{padding-left:10px}.paykka-has-icon input{padding-right:40px}\
.paykka-icon-slot{right:6px}.paykka-brand-icon{width:30px;height:20px}}\
@container (max-width:224px){input{font-size:15px;padding-left:8px}.paykka-has-icon input{padding-right:32px}\
.paykka-icon-slot{right:5px}.paykka-brand-icon{width:24px;height:16px}}";

/// A mounted field.
pub struct FieldView {
    kind: FieldKind,
    config: RefCell<FieldConfig>,
    model: RefCell<FieldModel>,
    root: FieldRoot,
    container: Element,
    label: Element,
    input: HtmlInputElement,
    error: Element,
    icon_slot: Option<Element>,
    key: RefCell<Option<Rc<KeyContext>>>,
    sink: Rc<dyn Fn(FieldMessage)>,
    listeners: RefCell<Vec<EventListener>>,
    shown_brand: Cell<Option<Option<Brand>>>,
    fonts: RefCell<Option<LoadedFonts>>,
}

impl FieldView {
    /// Builds the field into `root` and starts listening. `sink` receives its messages.
    pub fn mount(
        root: &FieldRoot,
        config: FieldConfig,
        sink: Rc<dyn Fn(FieldMessage)>,
    ) -> Result<Rc<FieldView>, JsValue> {
        let doc = root.document()?;
        let kind = config.kind;
        let uid = random_hex(4)?;
        let input_id = format!("paykka-{}-{uid}", kind.id());
        let error_id = format!("{input_id}-error");

        let container = element(
            &doc,
            "div",
            &[("class", "paykka-field"), ("data-field", kind.id())],
        )?;
        let label_class = if config.show_label {
            ""
        } else {
            "paykka-visually-hidden"
        };
        let label = element(&doc, "label", &[("for", &input_id), ("class", label_class)])?;
        label.set_text_content(Some(&config.texts.field(kind, "label")));
        let row = element(&doc, "div", &[("class", "paykka-row")])?;
        let input: HtmlInputElement = element(
            &doc,
            "input",
            &[
                ("id", &input_id),
                (
                    "type",
                    if kind == FieldKind::SecurityCode && config.mask_security_code {
                        "password"
                    } else {
                        "text"
                    },
                ),
                ("autocomplete", kind.autocomplete()),
                ("aria-describedby", &error_id),
                ("aria-invalid", "false"),
                ("spellcheck", "false"),
                ("autocorrect", "off"),
                (
                    "autocapitalize",
                    if kind == FieldKind::HolderName {
                        "words"
                    } else {
                        "off"
                    },
                ),
            ],
        )?
        .unchecked_into();
        if kind.is_numeric() {
            input.set_attribute("inputmode", "numeric")?;
        }
        if config.required {
            input.set_attribute("aria-required", "true")?;
        }
        input.set_placeholder(&config.texts.field(kind, "placeholder"));
        input.set_disabled(config.disabled);
        let error = element(&doc, "p", &[("id", &error_id), ("class", "paykka-error")])?;
        row.append_child(&input)?;
        let icon_slot = if kind == FieldKind::CardNumber && config.show_brand_icon {
            container.class_list().add_1("paykka-has-icon")?;
            let slot = element(
                &doc,
                "span",
                &[("aria-hidden", "true"), ("class", "paykka-icon-slot")],
            )?;
            row.append_child(&slot)?;
            Some(slot)
        } else {
            None
        };
        container.append_child(&label)?;
        container.append_child(&row)?;
        container.append_child(&error)?;
        root.append(&container)?;

        root.adopt(&[&stylesheet(BASE_CSS)?, &merchant_sheet(&config.styles)?])?;
        let fonts = LoadedFonts::load(&doc, config.styles.fonts())?;

        let model = FieldModel::new(kind, config.required, current_month());
        let view = Rc::new(FieldView {
            kind,
            model: RefCell::new(model),
            config: RefCell::new(config),
            root: root.clone(),
            container,
            label,
            input,
            error,
            icon_slot,
            key: RefCell::new(None),
            sink,
            listeners: RefCell::new(Vec::new()),
            shown_brand: Cell::new(None),
            fonts: RefCell::new(Some(fonts)),
        });
        let accepted = view.config.borrow().accepted.clone();
        view.model.borrow_mut().set_accepted_brands(accepted);
        view.listen();
        view.render();
        Ok(view)
    }

    pub fn kind(&self) -> FieldKind {
        self.kind
    }

    pub fn set_key(&self, key: Option<Rc<KeyContext>>) {
        *self.key.borrow_mut() = key;
    }

    /// The container element (its height sizes the frame).
    pub fn container(&self) -> &Element {
        &self.container
    }

    fn listen(self: &Rc<Self>) {
        let target = self.input.clone();
        let mut listeners = Vec::new();
        let weak = Rc::downgrade(self);
        let options = EventListenerOptions::enable_prevent_default();
        listeners.push(EventListener::new_with_options(
            &target,
            "beforeinput",
            options,
            {
                let weak = weak.clone();
                move |event| {
                    if let (Some(view), Some(event)) =
                        (weak.upgrade(), event.dyn_ref::<InputEvent>())
                    {
                        view.on_before_input(event);
                    }
                }
            },
        ));
        // `change` too: some autofill tools and WebDriver's clear set the value without
        // an `input` event.
        for name in ["input", "change"] {
            listeners.push(EventListener::new(&target, name, {
                let weak = weak.clone();
                move |_| {
                    if let Some(view) = weak.upgrade() {
                        view.on_input();
                    }
                }
            }));
        }
        listeners.push(EventListener::new(&target, "focus", {
            let weak = weak.clone();
            move |_| {
                if let Some(view) = weak.upgrade() {
                    view.model.borrow_mut().focus();
                    view.render();
                }
            }
        }));
        listeners.push(EventListener::new(&target, "blur", {
            let weak = weak.clone();
            move |_| {
                if let Some(view) = weak.upgrade() {
                    view.model.borrow_mut().blur();
                    view.render();
                }
            }
        }));
        listeners.push(EventListener::new(&target, "keydown", move |event| {
            let (Some(view), Some(event)) = (weak.upgrade(), event.dyn_ref::<KeyboardEvent>())
            else {
                return;
            };
            if event.key() == "Enter" && !event.is_composing() {
                event.prevent_default();
                (view.sink)(FieldMessage::Enter);
            }
        }));
        *self.listeners.borrow_mut() = listeners;
    }

    fn selection(&self) -> (usize, usize) {
        let len = crate::card::char_count(&self.input.value()) as u32;
        let start = self.input.selection_start().ok().flatten().unwrap_or(len);
        let end = self.input.selection_end().ok().flatten().unwrap_or(start);
        (start as usize, end as usize)
    }

    fn on_before_input(&self, event: &InputEvent) {
        let input_type = event.input_type();
        let pasted = event
            .data_transfer()
            .and_then(|t| t.get_data("text/plain").ok());
        let data = event.data().or(pasted);
        let edit = match input_type.as_str() {
            "insertText"
            | "insertFromPaste"
            | "insertFromDrop"
            | "insertReplacementText"
            | "insertFromYank" => match &data {
                Some(text) => Edit::Insert(text),
                None => return,
            },
            t if t.starts_with("delete") && t.ends_with("Forward") => Edit::DeleteForward,
            t if t.starts_with("delete") => Edit::DeleteBackward,
            // Composition, undo and the rest take their course; `input` re-checks the text.
            _ => return,
        };
        event.prevent_default();
        let (start, end) = self.selection();
        let outcome = self.model.borrow_mut().edit(start, end, edit);
        self.apply(outcome);
    }

    /// Changes the browser made itself (autofill, undo, IME): re-read and re-format.
    fn on_input(&self) {
        let value = self.input.value();
        if value == self.model.borrow().text() {
            return;
        }
        let outcome = self.model.borrow_mut().set_text(&value);
        self.apply(outcome);
    }

    fn apply(&self, outcome: EditOutcome) {
        if self.input.value() != outcome.text {
            self.input.set_value(&outcome.text);
        }
        let caret = outcome.caret as u32;
        let _ = self.input.set_selection_range(caret, caret);
        if let Some(error) = outcome.rejected {
            (self.sink)(FieldMessage::Rejected(error));
        }
        self.render();
        if outcome.completed {
            (self.sink)(FieldMessage::Complete);
        }
    }

    /// Makes the DOM match the model, then reports.
    fn render(&self) {
        let report = self.model.borrow().report();
        let shown = report.shown_error;
        let _ = self.input.set_attribute(
            "aria-invalid",
            if shown.is_some() { "true" } else { "false" },
        );
        let message = shown.map(|e| self.config.borrow().texts.error(self.kind, e));
        self.error.set_text_content(message.as_deref());
        let classes = self.container.class_list();
        let _ = classes.toggle_with_force("paykka-valid", report.validity.is_valid());
        let _ = self
            .input
            .class_list()
            .toggle_with_force("paykka-valid", report.validity.is_valid());
        if let Some(slot) = &self.icon_slot {
            if self.shown_brand.get() != Some(report.brand) {
                self.shown_brand.set(Some(report.brand));
                slot.set_text_content(None);
                // In a frame the secure origin serves the brand marks; inline, they are drawn.
                let icon = self.input.owner_document().ok_or(()).and_then(|d| {
                    match &self.root {
                        FieldRoot::Document(_) => served_brand_icon(&d, report.brand),
                        FieldRoot::Shadow(_) => brand_icon(&d, report.brand),
                    }
                    .map_err(drop)
                });
                if let Ok(icon) = icon {
                    let _ = slot.append_child(&icon);
                }
            }
        }
        (self.sink)(FieldMessage::Report(report));
    }

    /// Carries out a command from the host.
    pub fn command(self: &Rc<Self>, command: FieldCommand) {
        match command {
            FieldCommand::Focus => {
                let _ = self.input.focus();
            }
            FieldCommand::Validate => {
                self.model.borrow_mut().validate();
                self.render();
            }
            FieldCommand::Brand(brand) => {
                self.model.borrow_mut().set_brand_hint(brand);
                self.show_placeholder();
                self.render();
            }
            FieldCommand::Clear => {
                self.model.borrow_mut().clear();
                self.input.set_value("");
                self.render();
            }
            FieldCommand::Disable(disabled) => self.input.set_disabled(disabled),
            FieldCommand::Encrypt(request) => {
                let view = Rc::clone(self);
                wasm_bindgen_futures::spawn_local(async move {
                    let message = view.encrypt(request).await;
                    (view.sink)(message);
                });
            }
        }
    }

    /// The placeholder, which for the security code follows the brand (3 or 4 digits).
    fn show_placeholder(&self) {
        let config = self.config.borrow();
        let four = self
            .model
            .borrow()
            .brand_hint()
            .map(|b| b.rules().code_size)
            == Some(4);
        let text = match self.kind {
            FieldKind::SecurityCode if four => {
                config.texts.get("securityCode.placeholder4").to_owned()
            }
            kind => config.texts.field(kind, "placeholder"),
        };
        self.input.set_placeholder(&text);
    }

    /// Applies new options (texts, styles, accepted brands, masking, disabled) in place;
    /// what the shopper typed stays.
    pub fn reconfigure(&self, config: FieldConfig) -> Result<(), JsValue> {
        self.root
            .adopt(&[&stylesheet(BASE_CSS)?, &merchant_sheet(&config.styles)?])?;
        let unchanged = self
            .fonts
            .borrow()
            .as_ref()
            .is_some_and(|f| f.same_as(config.styles.fonts()));
        if !unchanged {
            // The old faces leave the document as they are replaced.
            let fonts = LoadedFonts::load(&self.root.document()?, config.styles.fonts())?;
            *self.fonts.borrow_mut() = Some(fonts);
        }
        self.label
            .set_text_content(Some(&config.texts.field(self.kind, "label")));
        if self.kind == FieldKind::SecurityCode {
            self.input.set_type(if config.mask_security_code {
                "password"
            } else {
                "text"
            });
        }
        self.input.set_disabled(config.disabled);
        if config.required {
            self.input.set_attribute("aria-required", "true")?;
        } else {
            self.input.remove_attribute("aria-required")?;
        }
        {
            let mut model = self.model.borrow_mut();
            model.set_required(config.required);
            model.set_accepted_brands(config.accepted.clone());
        }
        *self.config.borrow_mut() = config;
        self.show_placeholder();
        self.render();
        Ok(())
    }

    /// Validates (showing the error) and encrypts this field's value(s).
    async fn encrypt(&self, request: u32) -> FieldMessage {
        let invalid = self.model.borrow_mut().validate();
        if let Some(error) = invalid {
            self.render();
            return FieldMessage::Invalid { request, error };
        }
        self.render();
        let plain: Vec<(Slot, FieldName, Zeroizing<String>)> = {
            let model = self.model.borrow();
            let text = || Zeroizing::new(model.text().to_owned());
            match self.kind {
                FieldKind::HolderName => {
                    let name = normalize_holder_name(model.text());
                    return FieldMessage::Encrypted {
                        request,
                        values: vec![(Slot::HolderName, name)],
                    };
                }
                FieldKind::CardNumber => vec![(Slot::CardNumber, FieldName::Number, text())],
                FieldKind::ExpiryDate => match model.expiry_values() {
                    Some((month, year)) => vec![
                        (
                            Slot::ExpireMonth,
                            FieldName::ExpiryMonth,
                            Zeroizing::new(month),
                        ),
                        (
                            Slot::ExpireYear,
                            FieldName::ExpiryYear,
                            Zeroizing::new(year),
                        ),
                    ],
                    None => {
                        return FieldMessage::Invalid {
                            request,
                            error: FieldError::Incomplete,
                        }
                    }
                },
                FieldKind::ExpiryMonth => vec![(Slot::ExpireMonth, FieldName::ExpiryMonth, text())],
                FieldKind::ExpiryYear => vec![(Slot::ExpireYear, FieldName::ExpiryYear, text())],
                FieldKind::SecurityCode => vec![(Slot::Cvv, FieldName::Cvc, text())],
            }
        };
        let Some(key) = self.key.borrow().clone() else {
            return FieldMessage::Failed {
                request,
                failure: Failure::KeyInvalid,
            };
        };
        let context = crate::crypto::EncryptionContext {
            now_ms: key.now_ms(),
            session_id: key.session_id.clone(),
        };
        let fields: Vec<(FieldName, &str)> = plain
            .iter()
            .map(|(_, name, value)| (*name, value.as_str()))
            .collect();
        match key.cipher.encrypt(&fields, &context).await {
            Ok(jwes) => FieldMessage::Encrypted {
                request,
                values: plain.iter().map(|(slot, _, _)| *slot).zip(jwes).collect(),
            },
            Err(e) => FieldMessage::Failed {
                request,
                failure: Failure::from_code(e.code()).unwrap_or(Failure::EncryptionFailed),
            },
        }
    }

    /// Removes the field's nodes and listeners.
    pub fn unmount(&self) {
        self.listeners.borrow_mut().clear();
        self.fonts.borrow_mut().take();
        self.container.remove();
    }
}
