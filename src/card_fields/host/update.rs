//! `EncryptedCard.update()`: the page checks what it can, the frames check the new options
//! themselves (so the page bundle carries no style grammar), and the page takes an update
//! once every frame has said `configured`. One `refused`, or a frame that stays silent,
//! rejects it and every frame gets the options as they stand again.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::Object;
use wasm_bindgen::JsValue;

use super::{next_number, unmounted, Host, Settle};
use crate::card_fields::options::{page_display_options, updatable_keys};
use crate::form::field::FieldKind;
use crate::form::field_map::FieldMap;
use crate::web::display::DisplayOptions;
use crate::web::error::{paykka_error, SetupError};

/// What an `update()` changes on the page once it is taken.
pub struct Change {
    /// The merchant's options with the update's changes.
    pub merged: Object,
    pub display: DisplayOptions,
    pub auto_focus: Option<bool>,
    /// The frames' options with the changes (`None` without frames).
    pub frame_options: Option<Object>,
}

/// An update the frames are checking.
struct Waiting {
    update: u32,
    fields: FieldMap<()>,
    change: Change,
    settle: Settle,
    _timeout: Timeout,
}

/// The update the frames are checking, if any, and the numbers configures are sent under.
#[derive(Default)]
pub struct Updates {
    last: Cell<u32>,
    waiting: RefCell<Option<Waiting>>,
}

impl Updates {
    /// A new configure number (from 1; the first configure is 0).
    pub fn number(&self) -> u32 {
        next_number(&self.last)
    }

    /// Waits for `fields` to take update `update` (the form runs one update at a time).
    pub fn wait(
        &self,
        update: u32,
        fields: &[FieldKind],
        change: Change,
        settle: Settle,
        timeout: Timeout,
    ) {
        *self.waiting.borrow_mut() = Some(Waiting {
            update,
            fields: fields.iter().map(|k| (*k, ())).collect(),
            change,
            settle,
            _timeout: timeout,
        });
    }

    /// `kind` took update `update`: the change and its promise once every field has.
    pub fn configured(&self, kind: FieldKind, update: u32) -> Option<(Change, Settle)> {
        let mut waiting = self.waiting.borrow_mut();
        let w = waiting.as_mut().filter(|w| w.update == update)?;
        w.fields.remove(kind);
        if !w.fields.is_empty() {
            return None;
        }
        let w = waiting.take()?;
        Some((w.change, w.settle))
    }

    /// Update `update` is over without being taken (refused, or a frame stayed silent):
    /// its promise, to reject.
    pub fn abandon(&self, update: u32) -> Option<Settle> {
        let mut waiting = self.waiting.borrow_mut();
        waiting.as_ref().filter(|w| w.update == update)?;
        waiting.take().map(|w| w.settle)
    }

    /// Whatever update is waiting (the form is being removed).
    pub fn abandon_any(&self) -> Option<Settle> {
        self.waiting.borrow_mut().take().map(|w| w.settle)
    }
}

impl Host {
    /// Applies `update()` changes: checked first (nothing changes on a bad option), then
    /// every field is reconfigured in place, inline or in its frame; input stays. Frames
    /// check the options themselves, and the page takes them once every frame has.
    pub fn update(self: &Rc<Self>, changes: &JsValue, timeout_ms: u32) -> js_sys::Promise {
        if self.torn_down.get() {
            return js_sys::Promise::reject(&unmounted());
        }
        let change = match self.check_update(changes) {
            Ok(change) => change,
            Err(e) => return js_sys::Promise::reject(&e.into()),
        };
        let frames: Vec<FieldKind> = self.links.frames().into_iter().map(|(k, _)| k).collect();
        let Some(candidate) = change.frame_options.clone().filter(|_| !frames.is_empty()) else {
            return match self.take_change(change) {
                Ok(()) => js_sys::Promise::resolve(&JsValue::UNDEFINED),
                Err(e) => js_sys::Promise::reject(&e.into()),
            };
        };
        let update = self.updates.number();
        let mut change = Some(change);
        let weak = Rc::downgrade(self);
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            let weak = weak.clone();
            let timeout = Timeout::new(timeout_ms, move || {
                if let Some(host) = weak.upgrade() {
                    let (code, message) = super::NO_ANSWER;
                    host.update_failed(update, code, message);
                }
            });
            if let Some(change) = change.take() {
                let settle = Settle { resolve, reject };
                self.updates.wait(update, &frames, change, settle, timeout);
            }
        });
        for kind in frames {
            self.links.configure_with(kind, &candidate, update);
        }
        promise
    }

    /// The page's checks of `update()`'s changes. In frames mode the page reads no styles
    /// or fonts: the frames do.
    fn check_update(&self, changes: &JsValue) -> Result<Change, SetupError> {
        let invalid = |m: &str| SetupError::new("INVALID_OPTION", m);
        let object = crate::web::option_reader::plain_object(changes, "update()'s options")
            .map_err(|_| invalid("update() needs an options object"))?;
        for key in Object::keys(&object).iter() {
            if !updatable_keys().any(|k| key.as_string().as_deref() == Some(k)) {
                let supported: Vec<&str> = updatable_keys().collect();
                let message = format!("update() supports: {}", supported.join(", "));
                return Err(invalid(&message));
            }
        }
        let merged = Object::assign(&Object::new(), &Object::from(self.options.borrow().clone()));
        let merged = Object::assign(&merged, &object);
        let display = page_display_options(&merged)?;
        let auto_focus = match js_sys::Reflect::get(&object, &"autoFocus".into()) {
            Ok(v) if v.is_undefined() => None,
            Ok(v) => Some(
                v.as_bool()
                    .ok_or_else(|| invalid("autoFocus must be true or false"))?,
            ),
            Err(_) => None,
        };
        Ok(Change {
            frame_options: self.links.frame_options_with(&object),
            merged,
            display,
            auto_focus,
        })
    }

    /// The page takes a checked (and, in frames mode, taken) update.
    fn take_change(&self, change: Change) -> Result<(), SetupError> {
        if let Some(auto_focus) = change.auto_focus {
            self.auto_focus.set(auto_focus);
        }
        *self.options.borrow_mut() = change.merged.into();
        self.live.set_texts(change.display.texts.clone());
        if let Some(frame_options) = &change.frame_options {
            self.links.keep_frame_options(frame_options);
        }
        #[cfg(feature = "inline")]
        for kind in self.fields() {
            if let Some(view) = self.links.inline_view(kind) {
                view.reconfigure(change.display.field_config(kind))
                    .map_err(|_| {
                        SetupError::new("INVALID_OPTION", "the new options could not be applied")
                    })?;
            }
        }
        self.set_disabled(change.display.disabled);
        Ok(())
    }

    /// Update `update` was refused by a frame or not answered: it is rejected, and every
    /// frame gets the options as they stand again (one may have taken the update).
    pub(super) fn update_failed(&self, update: u32, code: &str, message: &str) {
        let Some(settle) = self.updates.abandon(update) else {
            return;
        };
        settle.reject(&paykka_error(code, message, None));
        let undo = self.updates.number();
        for (kind, _) in self.links.frames() {
            self.links.configure(kind, undo);
        }
    }

    /// `kind` took update `update`: once every frame has, the page takes it too.
    pub(super) fn update_taken(&self, kind: FieldKind, update: u32) {
        if let Some((change, settle)) = self.updates.configured(kind, update) {
            match self.take_change(change) {
                Ok(()) => settle.resolve(&JsValue::UNDEFINED),
                Err(e) => settle.reject(&e.into()),
            }
        }
    }
}
