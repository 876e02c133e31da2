//! How the host reaches each field: its secure frame (commands and options posted to the
//! secure origin only; messages accepted only from that origin, from the field's own frame,
//! with the per-mount channel secret) or, with the `inline` feature, its view in this page.

use std::cell::{Cell, RefCell};
#[cfg(feature = "inline")]
use std::rc::Rc;

use js_sys::Object;
use wasm_bindgen::JsValue;
use web_sys::{HtmlIFrameElement, MessageEvent};

use super::options::frame_keys;
use crate::form::field::FieldKind;
use crate::form::field_map::FieldMap;
#[cfg(feature = "inline")]
use crate::web::field_view::FieldView;
use crate::web::protocol::{
    decode_message, encode_command, encode_configure, open_envelope, FieldCommand, FieldMessage,
};

/// How the host reaches one field.
pub enum FieldLink {
    /// In this page, in a closed shadow root.
    #[cfg(feature = "inline")]
    Inline(Rc<FieldView>),
    /// In a secure frame on another origin.
    Frame {
        iframe: HtmlIFrameElement,
        channel: String,
    },
}

/// Every field's link, and the secure origin's side of the conversation.
pub struct FieldLinks {
    links: RefCell<FieldMap<FieldLink>>,
    /// The secure origin (frames mode).
    secure_origin: Option<String>,
    /// The options the frames get (frames mode).
    frame_options: Option<Object>,
    /// Messages dropped unread: wrong origin, window or channel, or malformed.
    ignored: Cell<u32>,
    /// `load` events per frame: a second one means the frame navigated.
    loads: RefCell<FieldMap<u32>>,
}

impl FieldLinks {
    pub fn new(secure_origin: Option<String>, frame_options: Option<Object>) -> FieldLinks {
        FieldLinks {
            links: RefCell::new(FieldMap::new()),
            secure_origin,
            frame_options,
            ignored: Cell::new(0),
            loads: RefCell::new(FieldMap::new()),
        }
    }

    pub fn add(&self, kind: FieldKind, link: FieldLink) {
        self.links.borrow_mut().insert(kind, link);
    }

    pub fn ignored(&self) -> u32 {
        self.ignored.get()
    }

    /// The field's view when it lives in this page.
    #[cfg(feature = "inline")]
    pub fn inline_view(&self, kind: FieldKind) -> Option<Rc<FieldView>> {
        match self.links.borrow().get(kind) {
            Some(FieldLink::Inline(view)) => Some(Rc::clone(view)),
            _ => None,
        }
    }

    fn frame(&self, kind: FieldKind) -> Option<(HtmlIFrameElement, String)> {
        match self.links.borrow().get(kind) {
            Some(FieldLink::Frame { iframe, channel }) => Some((iframe.clone(), channel.clone())),
            _ => None,
        }
    }

    /// The frames, for watching their `load` events.
    // Without inline mode every link is a frame, and the filter keeps them all.
    #[cfg_attr(not(feature = "inline"), allow(clippy::unnecessary_filter_map))]
    pub fn frames(&self) -> Vec<(FieldKind, HtmlIFrameElement)> {
        self.links
            .borrow()
            .iter()
            .filter_map(|(k, l)| match l {
                FieldLink::Frame { iframe, .. } => Some((k, iframe.clone())),
                #[cfg(feature = "inline")]
                FieldLink::Inline(_) => None,
            })
            .collect()
    }

    /// Whether every frame is in `ready`.
    pub fn frames_ready(&self, ready: &FieldMap<()>) -> bool {
        self.frames().iter().all(|(k, _)| ready.contains(*k))
    }

    /// Counts a frame's `load`; returns how many it has had.
    pub fn count_load(&self, kind: FieldKind) -> u32 {
        let mut loads = self.loads.borrow_mut();
        let n = loads.get(kind).copied().unwrap_or(0) + 1;
        loads.insert(kind, n);
        n
    }

    /// Sends a command to a field, wherever it lives.
    pub fn send(&self, kind: FieldKind, command: FieldCommand) {
        #[cfg(feature = "inline")]
        if let Some(view) = self.inline_view(kind) {
            return view.command(command);
        }
        let Some((iframe, channel)) = self.frame(kind) else {
            return;
        };
        if matches!(command, FieldCommand::Focus) {
            // WebKit lets a frame focus its input only once the page has focused the frame.
            let _ = iframe.focus();
        }
        if let (Some(window), Some(origin)) = (iframe.content_window(), &self.secure_origin) {
            let _ = window.post_message(&encode_command(&channel, kind, &command), origin);
        }
    }

    /// Sends a frame its options as they stand, as configure number `update` (0: the
    /// answer to its `hello`; an undone `update()`'s gets a number of its own).
    pub fn configure(&self, kind: FieldKind, update: u32) {
        if let Some(options) = &self.frame_options {
            self.configure_with(kind, options, update);
        }
    }

    /// Sends a frame `options` as configure number `update` (an `update()`'s, from 1).
    pub fn configure_with(&self, kind: FieldKind, options: &Object, update: u32) {
        let Some(origin) = &self.secure_origin else {
            return;
        };
        let Some((iframe, channel)) = self.frame(kind) else {
            return;
        };
        if let Some(window) = iframe.content_window() {
            let message = encode_configure(&channel, kind, options, update);
            let _ = window.post_message(&message, origin);
        }
    }

    /// The frame options with what `changes` (an `update()`'s) makes of them, kept apart
    /// until the frames take them; `None` without frames.
    pub fn frame_options_with(&self, changes: &Object) -> Option<Object> {
        let candidate = Object::assign(&Object::new(), self.frame_options.as_ref()?);
        for key in Object::keys(changes).iter() {
            if let Some(key) = key
                .as_string()
                .filter(|k| frame_keys().any(|f| f == k.as_str()))
            {
                let value = js_sys::Reflect::get(changes, &key.as_str().into())
                    .unwrap_or(JsValue::UNDEFINED);
                let _ = js_sys::Reflect::set(&candidate, &key.as_str().into(), &value);
            }
        }
        Some(candidate)
    }

    /// The frames took `candidate` (from `frame_options_with`): it is what a frame that says
    /// hello again gets.
    pub fn keep_frame_options(&self, candidate: &Object) {
        if let Some(frame_options) = &self.frame_options {
            Object::assign(frame_options, candidate);
        }
    }

    /// Sizes a field's frame to its content.
    pub fn set_height(&self, kind: FieldKind, height: f64) {
        if let Some((iframe, _)) = self.frame(kind) {
            let h = height.clamp(20.0, 400.0).ceil() as u32;
            let _ = iframe.style().set_property("height", &format!("{h}px"));
        }
    }

    /// A `message` event opened: only from the secure origin, from the field's own frame,
    /// with the channel secret, and well formed. Anything else is counted and dropped, its
    /// content unread.
    pub fn open(&self, event: &MessageEvent) -> Option<(FieldKind, FieldMessage)> {
        let from_secure_origin = self.secure_origin.as_deref() == Some(event.origin().as_str());
        let data = event.data();
        let opened = self
            .links
            .borrow()
            .iter()
            .find_map(|(kind, link)| match link {
                FieldLink::Frame { iframe, channel } => {
                    let source_matches = match (event.source(), iframe.content_window()) {
                        (Some(source), Some(window)) => {
                            JsValue::from(source) == JsValue::from(window)
                        }
                        _ => false,
                    };
                    let (field, kind_name) = open_envelope(&data, channel)?;
                    (source_matches && field == kind).then_some((field, kind_name))
                }
                #[cfg(feature = "inline")]
                FieldLink::Inline(_) => None,
            });
        let message = opened
            .filter(|_| from_secure_origin)
            .and_then(|(field, kind_name)| {
                Some((field, decode_message(&data, field, &kind_name)?))
            });
        if message.is_none() {
            self.ignored.set(self.ignored.get() + 1);
        }
        message
    }

    /// Forgets every link; fields in this page unmount.
    pub fn clear(&self) {
        let links = std::mem::take(&mut *self.links.borrow_mut());
        #[cfg(not(feature = "inline"))]
        drop(links);
        #[cfg(feature = "inline")]
        for link in links.values() {
            if let FieldLink::Inline(view) = link {
                view.unmount();
            }
        }
    }
}
