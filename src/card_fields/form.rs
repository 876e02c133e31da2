//! A mounted card form as Rust drives it: mounts the fields into the merchant's holders (or
//! a prebuilt layout), in secure frames or inline, from options already read, and runs
//! `encrypt()`, `focus()`, `clear()`, `update()` and the teardown. `EncryptedCard` (the
//! page bundle's export) wraps one; the checkout drives one directly, so its bundle carries
//! no reader of the styles it never passes.

use std::rc::Rc;

use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlIFrameElement};

use crate::card::holder::HolderNamePolicy;
use crate::form::coordinator::Coordinator;
use crate::form::field::{form_fields, ExpiryLayout, FieldKind};
use crate::form::field_map::FieldMap;
use crate::form::gateway_url::origin_of;
use crate::web::display::DisplayOptions;
use crate::web::dom::{cast, document, element, random_hex};
use crate::web::error::{paykka_error, SetupError};
use crate::web::events::Dispatcher;
use crate::web::keys::frames_load_data;

use super::host::{Host, HostParts};
use super::links::FieldLink;
use super::options::{CardOptions, Isolation, KeySource};

/// The longest frame options (JSON) put in a frame's URL.
const MAX_OPTIONS_IN_URL: usize = 8 * 1024;

/// A mounted card form.
pub struct CardForm {
    host: Rc<Host>,
    frame_timeout_ms: u32,
    /// The last `update()`'s promise: the next one starts when it settles.
    #[cfg(feature = "card-fields")]
    last_update: std::cell::RefCell<Option<js_sys::Promise>>,
}

/// The merchant's holders, or a prebuilt layout created inside `target`.
fn find_holders(
    target: &Element,
    holder_name: HolderNamePolicy,
) -> Result<(FieldMap<Element>, Vec<Element>), SetupError> {
    let doc = document().map_err(|_| SetupError::new("HOLDER_MISSING", "no document"))?;
    let found = target
        .query_selector_all("[data-paykka-field]")
        .map_err(|_| SetupError::new("HOLDER_MISSING", "could not search the target"))?;
    let mut holders = FieldMap::new();
    for i in 0..found.length() {
        let Some(node) = found.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let name = node.get_attribute("data-paykka-field").unwrap_or_default();
        let kind = FieldKind::from_id(&name).ok_or_else(|| {
            SetupError::new(
                "INVALID_OPTION",
                format!("unknown data-paykka-field \"{name}\""),
            )
        })?;
        holders.insert(kind, node);
    }
    let wants_name = holder_name != HolderNamePolicy::Hidden;
    if holders.is_empty() {
        let layout = element(&doc, "div", &[("class", "paykka-card-form")])
            .map_err(|_| SetupError::new("HOLDER_MISSING", "could not build the form"))?;
        for kind in form_fields(ExpiryLayout::Combined, wants_name) {
            let holder = element(&doc, "div", &[("data-paykka-field", kind.id())])
                .map_err(|_| SetupError::new("HOLDER_MISSING", "could not build the form"))?;
            let _ = layout.append_child(&holder);
            holders.insert(kind, holder);
        }
        let _ = target.append_child(&layout);
        return Ok((holders, vec![layout]));
    }
    let has = |k: FieldKind| holders.contains(k);
    let expiry_ok =
        has(FieldKind::ExpiryDate) != (has(FieldKind::ExpiryMonth) && has(FieldKind::ExpiryYear));
    let missing = [
        (!has(FieldKind::CardNumber)).then_some("cardNumber"),
        (!expiry_ok).then_some("expiryDate (or expiryMonth and expiryYear)"),
        (!has(FieldKind::SecurityCode)).then_some("securityCode"),
        (wants_name && !has(FieldKind::HolderName)).then_some("holderName"),
    ];
    if let Some(name) = missing.into_iter().flatten().next() {
        return Err(SetupError::new(
            "HOLDER_MISSING",
            format!("no holder element with data-paykka-field=\"{name}\""),
        ));
    }
    if !wants_name {
        holders.remove(FieldKind::HolderName);
    }
    Ok((holders, Vec::new()))
}

fn expiry_layout(holders: &FieldMap<Element>) -> ExpiryLayout {
    if holders.contains(FieldKind::ExpiryDate) {
        ExpiryLayout::Combined
    } else {
        ExpiryLayout::Split
    }
}

/// Creates a field's secure frame on the secure origin, under its client key's path (the
/// secure origin lets only that key's registered pages frame it). The fragment names the
/// field, the channel secret and the frame's options (URI-encoded JSON, nothing secret in
/// them): where the browser names a frame's parent, it configures itself from them at once.
fn mount_frame(
    host: &Rc<Host>,
    display: &DisplayOptions,
    kind: FieldKind,
    frame_page: &str,
    frame_options: &str,
) -> Result<(), JsValue> {
    let holder = host.holder(kind)?;
    let doc = document()?;
    let channel = random_hex(16)?;
    let src = format!(
        "{frame_page}#field={}&channel={channel}&options={frame_options}",
        kind.id()
    );
    let iframe: HtmlIFrameElement = cast(element(
        &doc,
        "iframe",
        &[
            ("title", &display.texts.field(kind, "frameTitle")),
            ("class", "paykka-frame"),
            ("scrolling", "no"),
            ("allowtransparency", "true"),
            ("referrerpolicy", "no-referrer"),
        ],
    )?)?;
    let style = iframe.style();
    style.set_property("border", "0")?;
    style.set_property("width", "100%")?;
    style.set_property("height", "76px")?;
    style.set_property("display", "block")?;
    style.set_property("overflow", "hidden")?;
    iframe.set_src(&src);
    holder.append_child(&iframe)?;
    host.remember_node(iframe.clone().into());
    host.add_link(kind, FieldLink::Frame { iframe, channel });
    Ok(())
}

impl CardForm {
    /// Mounts the card fields into `root`. Resolves once every field is ready; rejects with
    /// a `PaykkaError` (`HOLDER_MISSING`, `INVALID_OPTION` for an unknown
    /// `data-paykka-field`, `KEY_INVALID`, `KEY_FETCH_FAILED`, `ORIGIN_NOT_ALLOWED`,
    /// `FRAME_TIMEOUT`…).
    pub async fn mount(root: Element, options: CardOptions) -> Result<CardForm, JsValue> {
        let dispatcher = Dispatcher::new(root.clone(), options.callbacks.clone());
        if let Some(tag) = &options.display.unknown_locale {
            web_sys::console::warn_1(
                &format!("paykka-web: unknown locale \"{tag}\", using en-US").into(),
            );
        }
        let (holders, mut added) = match find_holders(&root, options.display.holder_name) {
            Ok(found) => found,
            Err(e) => {
                dispatcher.emit_error(e.code, &e.message, None);
                return Err(e.into());
            }
        };
        let doc = document()?;
        let live = element(
            &doc,
            "div",
            &[
                ("aria-live", "polite"),
                ("role", "status"),
                ("class", "paykka-live"),
            ],
        )?;
        visually_hide(&live)?;
        root.append_child(&live)?;
        added.push(live.clone());

        let order = form_fields(
            expiry_layout(&holders),
            holders.contains(FieldKind::HolderName),
        );
        let holder_required = options.display.holder_name == HolderNamePolicy::Required;
        let coordinator = Coordinator::new(order.clone(), |k| {
            k != FieldKind::HolderName || holder_required
        });
        // Frames mode: the secure origin's base URL, the client key and the frames' options.
        let secure = match (&options.key, options.isolation) {
            (KeySource::ClientKey { base, client_key }, Isolation::Frames) => {
                Some((base.clone(), client_key.clone(), options.frame_options()))
            }
            _ => None,
        };
        let host = Host::new(HostParts {
            root: root.clone(),
            holders,
            added,
            coordinator,
            dispatcher,
            texts: options.display.texts.clone(),
            live,
            auto_focus: options.auto_focus,
            secure_origin: secure.as_ref().map(|(base, _, _)| origin_of(base)),
            frame_options: secure
                .as_ref()
                .map(|(_, _, frame_options)| frame_options.clone()),
            options: options.raw.clone(),
        });
        let form = CardForm {
            host: Rc::clone(&host),
            frame_timeout_ms: options.frame_timeout_ms,
            #[cfg(feature = "card-fields")]
            last_update: std::cell::RefCell::new(None),
        };
        let result = match &secure {
            None => super::inline::mount_inline_fields(&form.host, &options, &order).await,
            Some((base, client_key, frame_options)) => {
                form.mount_frames(&options, &order, base, client_key, frame_options)
                    .await
            }
        };
        match result {
            Ok(()) => {
                host.dispatcher
                    .emit("ready", &crate::web::events::payload(None));
                Ok(form)
            }
            Err(error) => {
                host.teardown();
                Err(error)
            }
        }
    }

    async fn mount_frames(
        &self,
        options: &CardOptions,
        order: &[FieldKind],
        base: &str,
        client_key: &str,
        frame_options: &Object,
    ) -> Result<(), JsValue> {
        // Options that do not serialise (a throwing `toJSON`) or would make a long address
        // (they are the frames' to check) stay out of the URL: the frames then ask for them
        // with hello.
        let frame_options = js_sys::JSON::stringify(frame_options)
            .map(String::from)
            .ok()
            .filter(|json| json.len() <= MAX_OPTIONS_IN_URL)
            .map(|json| String::from(js_sys::encode_uri_component(&json)))
            .unwrap_or_default();
        let frame_page = format!(
            "{base}/frames/{}/field.html",
            String::from(js_sys::encode_uri_component(client_key))
        );
        // Every field, the holder name too, is a frame: the page bundle then carries no
        // field view and no card rules.
        for kind in order {
            mount_frame(
                &self.host,
                &options.display,
                *kind,
                &frame_page,
                &frame_options,
            )?;
        }
        self.host.listen_to_frames()?;
        let ready = self.host.wait_for_frames(options.frame_timeout_ms);
        // Meanwhile ask the secure origin ourselves: a page origin that is not registered
        // then fails with ORIGIN_NOT_ALLOWED instead of frames that never load.
        let (client_key, base) = (client_key.to_owned(), base.to_owned());
        let host = Rc::downgrade(&self.host);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = frames_load_data(&base, &client_key, None).await {
                if let Some(host) = host.upgrade() {
                    host.fail_mount(e.code, &e.message, None);
                }
            }
        });
        JsFuture::from(ready).await.map(drop)
    }

    /// Validates every field (showing errors, focusing the first invalid one) and encrypts
    /// the card. Rejects with `VALIDATION` (and `fields`), or a setup code.
    pub fn encrypt(&self) -> js_sys::Promise {
        self.host.encrypt(self.frame_timeout_ms)
    }

    /// Moves focus to a field.
    pub fn focus(&self, field: &JsValue) -> Result<(), JsValue> {
        let kind = field
            .as_string()
            .and_then(|f| FieldKind::from_id(&f))
            .filter(|k| self.host.fields().contains(k))
            .ok_or_else(|| {
                paykka_error(
                    "INVALID_OPTION",
                    "focus() needs one of the form's fields",
                    None,
                )
            })?;
        self.host
            .send(kind, crate::web::protocol::FieldCommand::Focus);
        Ok(())
    }

    /// Empties every field.
    pub fn clear(&self) {
        for kind in self.host.fields() {
            self.host
                .send(kind, crate::web::protocol::FieldCommand::Clear);
        }
    }

    /// Changes options after mount: `disabled`, `locale`, `translations`, `brands`,
    /// `styles`, `fonts`, `autoFocus`, `maskSecurityCode`. The promise settles once every
    /// field has the new options; a bad option rejects it with `INVALID_OPTION` and changes
    /// nothing. What the shopper typed stays. Updates apply one after another, in the order
    /// asked; a locale that ships as a pack applies with its pack.
    #[cfg(feature = "card-fields")]
    pub fn update(&self, options: JsValue) -> js_sys::Promise {
        let host = Rc::clone(&self.host);
        let timeout_ms = self.frame_timeout_ms;
        let previous = self.last_update.borrow_mut().take();
        let update = wasm_bindgen_futures::future_to_promise(async move {
            if let Some(previous) = previous {
                let _ = JsFuture::from(previous).await;
            }
            let options = crate::web::locale_pack::with_pack(&options).await;
            JsFuture::from(host.update(&options, timeout_ms)).await
        });
        *self.last_update.borrow_mut() = Some(update.clone());
        update
    }

    /// Whether every field is valid (the holder name may be empty unless required).
    pub fn is_valid(&self) -> bool {
        self.host.is_valid()
    }

    /// The whole state, as in `change` events.
    pub fn state(&self) -> Object {
        self.host.state()
    }

    /// Messages from other origins, other windows or without the channel secret that were
    /// dropped unread.
    pub fn ignored_message_count(&self) -> u32 {
        self.host.ignored_messages()
    }

    /// Removes every node and listener the form added.
    pub fn unmount(&self) {
        self.host.teardown();
    }
}

/// Dropping the form cleans up exactly as `unmount()`: frames, nodes and listeners leave the
/// page, and a pending `encrypt()` rejects with `UNMOUNTED`.
impl Drop for CardForm {
    fn drop(&mut self) {
        self.host.teardown();
    }
}

/// Hides an element visually but not from assistive technology (CSSOM, CSP-safe).
fn visually_hide(el: &Element) -> Result<(), JsValue> {
    let style = cast::<web_sys::HtmlElement>(el.clone())?.style();
    for (property, value) in [
        ("position", "absolute"),
        ("width", "1px"),
        ("height", "1px"),
        ("overflow", "hidden"),
        ("clip", "rect(0 0 0 0)"),
        ("white-space", "nowrap"),
    ] {
        style.set_property(property, value)?;
    }
    Ok(())
}
