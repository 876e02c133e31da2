//! Inside a secure frame: `bootFrame()` reads its field, channel secret and options from the
//! URL fragment. Where the browser names the parent's origin (`location.ancestorOrigins`),
//! it pins that origin and configures itself from those options at once; elsewhere it says
//! hello to the parent and takes its options from the first message with the right channel
//! (pinning the parent's origin). Either way it checks the options, fetches the key from its
//! own origin for the pinned one, and then talks only to that origin.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

use crate::form::field::FieldKind;
use crate::web::error::{paykka_error, SetupError};

use crate::card::Brand;
use crate::web::display::DisplayOptions;
use crate::web::dom::{document, window, FieldRoot};
use crate::web::field_view::FieldView;
use crate::web::keys::{frames_load, KeyContext};
use crate::web::option_reader::member;
use crate::web::protocol::{
    configure_options, decode_command, encode_message, open_envelope, Failure, FieldMessage,
};
use crate::web::webcrypto::WebCipher;

/// The embedding page's origin as the browser gives it: Chromium and WebKit do; Firefox
/// says "null" under the frame's `no-referrer` policy, and then the frame says hello.
fn ancestor_origin() -> Option<String> {
    let location = window().ok()?.location();
    member(&member(&location, "ancestorOrigins")?, "0")?
        .as_string()
        .filter(|origin| origin != "null")
}

/// The frame's state after boot.
struct Guest {
    kind: FieldKind,
    channel: String,
    /// The parent's origin: the one the browser names, else the first configure message's.
    parent_origin: RefCell<Option<String>>,
    view: RefCell<Option<Rc<FieldView>>>,
    /// The brands the secure origin accepts (used when the options name none).
    loaded_brands: RefCell<Option<Vec<Brand>>>,
    last_height: RefCell<f64>,
    _listeners: RefCell<Vec<EventListener>>,
}

thread_local! {
    static GUEST: RefCell<Option<Rc<Guest>>> = const { RefCell::new(None) };
}

fn fragment_value(fragment: &str, name: &str) -> Option<String> {
    fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|pair| {
            pair.strip_prefix(name)?
                .strip_prefix('=')
                .map(str::to_owned)
        })
}

/// The options the page put in the fragment: a JSON object, URI-encoded.
fn fragment_options(fragment: &str) -> Option<JsValue> {
    let encoded = fragment_value(fragment, "options")?;
    let json = js_sys::decode_uri_component(&encoded).ok()?;
    js_sys::JSON::parse(&String::from(json))
        .ok()
        .filter(JsValue::is_object)
}

impl Guest {
    fn post(&self, message: &FieldMessage) {
        let Ok(window) = window() else { return };
        let Ok(Some(parent)) = window.parent() else {
            return;
        };
        let data = encode_message(&self.channel, self.kind, message);
        match (message, self.parent_origin.borrow().as_deref()) {
            (_, Some(origin)) => {
                let _ = parent.post_message(&data, origin);
            }
            // Before the parent is known only `hello` goes out; it carries nothing secret.
            (FieldMessage::Hello, None) => {
                let _ = parent.post_message(&data, "*");
            }
            _ => {}
        }
    }

    fn report_height(&self) {
        let Some(view) = self.view.borrow().clone() else {
            return;
        };
        let height = f64::from(view.container().scroll_height());
        if (height - *self.last_height.borrow()).abs() >= 1.0 {
            *self.last_height.borrow_mut() = height;
            self.post(&FieldMessage::Height(height));
        }
    }

    fn on_message(self: &Rc<Self>, event: &MessageEvent) {
        let data = event.data();
        let Some((field, kind)) = open_envelope(&data, &self.channel) else {
            return;
        };
        if field != self.kind {
            return;
        }
        // Only the embedding page, and after the first message only its origin.
        let from_parent = match (
            event.source(),
            window().ok().and_then(|w| w.parent().ok().flatten()),
        ) {
            (Some(source), Some(parent)) => JsValue::from(source) == JsValue::from(parent),
            _ => false,
        };
        if !from_parent {
            return;
        }
        let origin = event.origin();
        let pinned = self.parent_origin.borrow().clone();
        match pinned {
            Some(pinned) if pinned != origin => return,
            Some(_) => {}
            None if kind == "configure" => *self.parent_origin.borrow_mut() = Some(origin.clone()),
            None => return,
        }
        if kind == "configure" {
            let Some((options, update)) = configure_options(&data) else {
                return;
            };
            let view = self.view.borrow().clone();
            match view {
                // Options changed after setup (`update()`).
                Some(view) => self.reconfigure(&view, &options, update),
                None => {
                    let guest = Rc::clone(self);
                    wasm_bindgen_futures::spawn_local(async move {
                        guest.configure(options, origin, update).await
                    });
                }
            }
            return;
        }
        let Some(command) = decode_command(&data, &kind) else {
            return;
        };
        let view = self.view.borrow().clone();
        if let Some(view) = view {
            view.command(command);
        }
    }

    /// The options are checked here, not only on the page: a refusal names the option and
    /// changes nothing.
    fn reconfigure(&self, view: &FieldView, options: &JsValue, update: u32) {
        let mut display = match DisplayOptions::read(options) {
            Ok(display) => display,
            Err(e) => return self.refuse(update, e),
        };
        if display.brands.is_none() {
            display.brands = self.loaded_brands.borrow().clone();
        }
        let _ = view.reconfigure(display.field_config(self.kind));
        if let Some(html) = document().ok().and_then(|d| d.document_element()) {
            let _ = html.set_attribute("lang", &display.lang);
        }
        self.report_height();
        self.post(&FieldMessage::Configured { update });
    }

    fn refuse(&self, update: u32, error: SetupError) {
        self.post(&FieldMessage::Refused {
            update,
            reason: error.message,
        });
    }

    async fn configure(self: Rc<Self>, options: JsValue, parent_origin: String, update: u32) {
        let fail = |failure: Failure| {
            self.post(&FieldMessage::Failed {
                request: 0,
                failure,
            })
        };
        let display = match DisplayOptions::read(&options) {
            Ok(display) => display,
            Err(e) => return self.refuse(update, e),
        };
        let client_key = js_sys::Reflect::get(&options, &"clientKey".into())
            .ok()
            .and_then(|v| v.as_string());
        let Some(client_key) = client_key else {
            return fail(Failure::InvalidOption);
        };
        // The key comes from this frame's own origin, never from the host page.
        let own_origin = window()
            .and_then(|w| w.location().origin())
            .unwrap_or_default();
        let loaded = match frames_load(&own_origin, &client_key, Some(&parent_origin)).await {
            Ok(loaded) => loaded,
            Err(e) => return fail(Failure::from_code(e.code).unwrap_or(Failure::KeyFetchFailed)),
        };
        let mut display = display;
        *self.loaded_brands.borrow_mut() = loaded.brands.clone();
        if display.brands.is_none() {
            display.brands = loaded.brands;
        }
        // WebCrypto imports the key off the main thread while the view mounts.
        let key_invalid =
            |e: SetupError| fail(Failure::from_code(e.code).unwrap_or(Failure::KeyInvalid));
        let import = match WebCipher::import(loaded.key) {
            Ok(import) => import,
            Err(e) => return key_invalid(e),
        };
        let Some(view) = self.mount_view(&display) else {
            return fail(Failure::InvalidOption);
        };
        let cipher = match import.await {
            Ok(cipher) => cipher,
            Err(e) => return key_invalid(e),
        };
        view.set_key(Some(Rc::new(KeyContext {
            cipher,
            clock_offset_ms: loaded.clock_offset_ms,
            session_id: display.session_id.clone(),
        })));
        *self.view.borrow_mut() = Some(Rc::clone(&view));
        self.report_height();
        self.post(&FieldMessage::Ready);
    }

    /// The field's view in this document, reporting to the parent.
    fn mount_view(self: &Rc<Self>, display: &DisplayOptions) -> Option<Rc<FieldView>> {
        let doc = document().ok()?;
        let weak = Rc::downgrade(self);
        let sink = Rc::new(move |message: FieldMessage| {
            if let Some(guest) = weak.upgrade() {
                guest.post(&message);
                if matches!(message, FieldMessage::Report(_)) {
                    guest.report_height();
                }
            }
        });
        let view = FieldView::mount(
            &FieldRoot::Document(doc.clone()),
            display.field_config(self.kind),
            sink,
        )
        .ok()?;
        if let Some(html) = doc.document_element() {
            let _ = html.set_attribute("lang", &display.lang);
        }
        Some(view)
    }
}

/// Boots a secure field frame (called by the frame page's script).
#[wasm_bindgen(js_name = bootFrame)]
pub fn boot_frame() -> Result<(), JsValue> {
    let window = window()?;
    let fragment = window.location().hash()?;
    let bad = || {
        paykka_error(
            "INVALID_OPTION",
            "the frame URL lacks its field or channel",
            None,
        )
    };
    let kind = fragment_value(&fragment, "field")
        .and_then(|f| FieldKind::from_id(&f))
        .ok_or_else(bad)?;
    let channel = fragment_value(&fragment, "channel")
        .filter(|c| c.len() >= 32 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(bad)?;
    let guest = Rc::new(Guest {
        kind,
        channel,
        parent_origin: RefCell::new(None),
        view: RefCell::new(None),
        loaded_brands: RefCell::new(None),
        last_height: RefCell::new(0.0),
        _listeners: RefCell::new(Vec::new()),
    });
    let weak = Rc::downgrade(&guest);
    let messages = EventListener::new(&window, "message", move |event| {
        if let (Some(guest), Some(event)) = (weak.upgrade(), event.dyn_ref::<MessageEvent>()) {
            guest.on_message(event);
        }
    });
    // The page resizes the frame (a panel shown, a column narrowed): the label may wrap or
    // unwrap, so the height is measured again.
    let weak = Rc::downgrade(&guest);
    let resizes = EventListener::new(&window, "resize", move |_| {
        if let Some(guest) = weak.upgrade() {
            guest.report_height();
        }
    });
    *guest._listeners.borrow_mut() = vec![messages, resizes];
    // Where the browser names the parent, the options in the URL configure the frame at
    // once (they are checked as a configure message's are); elsewhere it says hello and
    // waits for them.
    match fragment_options(&fragment).zip(ancestor_origin()) {
        Some((options, origin)) => {
            *guest.parent_origin.borrow_mut() = Some(origin.clone());
            let configuring = Rc::clone(&guest);
            wasm_bindgen_futures::spawn_local(configuring.configure(options, origin, 0));
        }
        None => guest.post(&FieldMessage::Hello),
    }
    GUEST.with(|g| *g.borrow_mut() = Some(guest));
    Ok(())
}
