//! The least a merchant page's bundle can be: `Floor.mount()` makes three iframes of the
//! secure origin, relays their messages (checked for origin and channel) into DOM events
//! and one callback, and answers `mount()` and `encrypt()` with Promises. No option checks,
//! typed errors, holders, live region, timeouts, `update()`, `focus()`, browser data or
//! payment object: everything the real page bundle does beyond this is what it costs.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CustomEvent, CustomEventInit, Element, HtmlIFrameElement, MessageEvent};

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

const FIELDS: [&str; 3] = ["cardNumber", "expiryDate", "securityCode"];

/// An `encrypt()` waiting for its frames: its resolver, the answers so far, how many are left.
struct Pending {
    resolve: Function,
    answers: Object,
    left: usize,
}

struct Form {
    root: Element,
    origin: String,
    channel: String,
    frames: Vec<HtmlIFrameElement>,
    ready: usize,
    on_ready: Option<Function>,
    on_event: Option<Function>,
    pending: Vec<Pending>,
    listener: Option<EventListener>,
}

fn member(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

impl Form {
    fn emit(&self, name: &str, detail: &JsValue) {
        let init = CustomEventInit::new();
        init.set_detail(detail);
        init.set_bubbles(true);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(&format!("paykka:{name}"), &init) {
            let _ = self.root.dispatch_event(&event);
        }
        if let Some(callback) = &self.on_event {
            let _ = callback.call2(&JsValue::NULL, &name.into(), detail);
        }
    }

    fn on_message(&mut self, data: &JsValue) {
        let kind = member(data, "kind").as_string().unwrap_or_default();
        match kind.as_str() {
            "ready" => {
                self.ready += 1;
                if self.ready == self.frames.len() {
                    if let Some(resolve) = self.on_ready.take() {
                        let _ = resolve.call0(&JsValue::NULL);
                    }
                    self.emit("ready", &JsValue::NULL);
                }
            }
            "encrypted" => {
                let (field, value) = (member(data, "field"), member(data, "value"));
                for pending in &mut self.pending {
                    let _ = Reflect::set(&pending.answers, &field, &value);
                    pending.left -= 1;
                }
                for done in self.pending.iter().filter(|p| p.left == 0) {
                    let _ = done.resolve.call1(&JsValue::NULL, &done.answers);
                }
                self.pending.retain(|p| p.left > 0);
            }
            _ => self.emit(&kind, &member(data, "state")),
        }
    }
}

/// The mounted floor form.
#[wasm_bindgen]
pub struct Floor(Rc<RefCell<Form>>);

#[wasm_bindgen]
impl Floor {
    /// Mounts three frames of `options.environment` into `target`; resolves once all are ready.
    pub fn mount(target: &str, options: JsValue) -> Result<Promise, JsValue> {
        let window = web_sys::window().ok_or("no window")?;
        let document = window.document().ok_or("no document")?;
        let root = document.query_selector(target)?.ok_or("no such target")?;
        let origin = member(&options, "environment")
            .as_string()
            .ok_or("environment")?;
        let mut bytes = [0u8; 16];
        window
            .crypto()?
            .get_random_values_with_u8_array(&mut bytes)?;
        let channel: String = bytes
            .iter()
            .flat_map(|b| [b >> 4, b & 15])
            .filter_map(|n| char::from_digit(u32::from(n), 16))
            .collect();
        let json = String::from(js_sys::JSON::stringify(&options)?);
        let encoded = String::from(js_sys::encode_uri_component(&json));
        let mut frames = Vec::new();
        for field in FIELDS {
            let frame: HtmlIFrameElement = document.create_element("iframe")?.unchecked_into();
            frame.set_src(&format!(
                "{origin}/frames/field.html#field={field}&channel={channel}&options={encoded}"
            ));
            root.append_child(&frame)?;
            frames.push(frame);
        }
        let form = Rc::new(RefCell::new(Form {
            root,
            origin,
            channel,
            frames,
            ready: 0,
            on_ready: None,
            on_event: member(&options, "onEvent").dyn_into().ok(),
            pending: Vec::new(),
            listener: None,
        }));
        let weak = Rc::downgrade(&form);
        let listener = EventListener::new(&window, "message", move |event| {
            let (Some(form), Some(event)) = (weak.upgrade(), event.dyn_ref::<MessageEvent>())
            else {
                return;
            };
            let data = event.data();
            let mut form = form.borrow_mut();
            let channel = member(&data, "channel").as_string();
            if event.origin() == form.origin && channel.as_deref() == Some(&form.channel) {
                form.on_message(&data);
            }
        });
        form.borrow_mut().listener = Some(listener);
        let mounted: JsValue = Floor(Rc::clone(&form)).into();
        Ok(Promise::new(&mut |resolve, _reject| {
            let mounted = mounted.clone();
            let once = Closure::once_into_js(move || {
                let _ = resolve.call1(&JsValue::NULL, &mounted);
            });
            form.borrow_mut().on_ready = once.dyn_into().ok();
        }))
    }

    /// Asks every frame for its ciphertext; resolves with all of them.
    pub fn encrypt(&self) -> Promise {
        let form = Rc::clone(&self.0);
        Promise::new(&mut |resolve, _reject| {
            let mut form = form.borrow_mut();
            let left = form.frames.len();
            form.pending.push(Pending {
                resolve,
                answers: Object::new(),
                left,
            });
            let message = Object::new();
            let _ = Reflect::set(&message, &"channel".into(), &form.channel.clone().into());
            let _ = Reflect::set(&message, &"kind".into(), &"encrypt".into());
            for frame in &form.frames {
                if let Some(frame) = frame.content_window() {
                    let _ = frame.post_message(&message, &form.origin);
                }
            }
        })
    }

    /// Removes the frames and stops listening.
    pub fn unmount(&self) {
        let mut form = self.0.borrow_mut();
        for frame in form.frames.drain(..) {
            frame.remove();
        }
        form.listener = None;
    }
}
