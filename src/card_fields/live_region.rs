//! The form's one polite live region: what a screen reader hears (a newly shown error, a
//! refused paste, a failed submit), in the form's current texts.

use std::cell::RefCell;

use web_sys::Element;

use crate::card::FieldError;
use crate::form::field::FieldKind;
use crate::form::field_map::FieldMap;
use crate::form::i18n::Texts;

pub struct LiveRegion {
    element: Element,
    texts: RefCell<Texts>,
    /// The error last announced per field, so each is said once.
    announced: RefCell<FieldMap<Option<FieldError>>>,
}

impl LiveRegion {
    pub fn new(element: Element, texts: Texts) -> LiveRegion {
        LiveRegion {
            element,
            texts: RefCell::new(texts),
            announced: RefCell::new(FieldMap::new()),
        }
    }

    /// Announces a newly shown error once.
    pub fn announce(&self, kind: FieldKind, error: Option<FieldError>) {
        let previous = self.announced.borrow_mut().insert(kind, error);
        if let Some(error) = error {
            if previous != Some(Some(error)) {
                let text = self.texts.borrow().error(kind, error);
                self.say(&text);
            }
        }
    }

    /// Says the form text `key` (`form.invalid`, `form.pasteRejected`…); returns it.
    pub fn say_text(&self, key: &str) -> String {
        let text = self.texts.borrow().get(key).to_owned();
        self.say(&text);
        text
    }

    /// The text a field's error is shown with, in the form's current texts.
    pub fn error_text(&self, kind: FieldKind, error: FieldError) -> String {
        self.texts.borrow().error(kind, error)
    }

    fn say(&self, text: &str) {
        self.element.set_text_content(Some(text));
    }

    /// Takes the texts of a new locale or new translations.
    pub fn set_texts(&self, texts: Texts) {
        *self.texts.borrow_mut() = texts;
    }
}
