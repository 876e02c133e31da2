//! 3-D Secure in a modal: a native `<dialog>` opened with `showModal()` (the page behind
//! is inert, focus stays inside), named by its heading, with a labelled close button and
//! the bank's page in a titled frame. Escape or the close button cancel; focus returns to
//! where it was.

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlDialogElement, HtmlElement};

use crate::checkout_flow::texts::CheckoutTexts;
use crate::web::dom::{cast, document, element};

/// An open authentication dialog.
pub struct Modal {
    dialog: HtmlDialogElement,
    opener: Option<HtmlElement>,
    _listeners: Vec<EventListener>,
}

impl Modal {
    /// Opens `url` in the dialog; `on_cancel` runs when the shopper closes it.
    pub fn open(
        texts: &CheckoutTexts,
        url: &str,
        on_cancel: impl Fn() + Clone + 'static,
    ) -> Result<Modal, JsValue> {
        let doc = document()?;
        let opener = doc
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        let dialog: HtmlDialogElement = cast(element(
            &doc,
            "dialog",
            &[("class", "pc-dialog"), ("aria-labelledby", "pc-auth-title")],
        )?)?;
        let bar = element(&doc, "div", &[("class", "pc-dialog-bar")])?;
        let title = element(&doc, "h2", &[("id", "pc-auth-title")])?;
        title.set_text_content(Some(texts.get("authTitle")));
        let close = element(
            &doc,
            "button",
            &[
                ("type", "button"),
                ("class", "pc-close"),
                ("aria-label", texts.get("authClose")),
            ],
        )?;
        close.set_text_content(Some("✕"));
        bar.append_child(&title)?;
        bar.append_child(&close)?;
        let frame = element(
            &doc,
            "iframe",
            &[("title", texts.get("authFrameTitle")), ("src", url)],
        )?;
        dialog.append_child(&bar)?;
        dialog.append_child(&frame)?;
        doc.body().ok_or("no body")?.append_child(&dialog)?;
        dialog.show_modal()?;
        let cancel = on_cancel.clone();
        let listeners = vec![
            // Escape: the dialog's `cancel` event.
            EventListener::new(&dialog, "cancel", move |event| {
                event.prevent_default();
                cancel();
            }),
            EventListener::new(&close, "click", move |_| on_cancel()),
        ];
        Ok(Modal {
            dialog,
            opener,
            _listeners: listeners,
        })
    }

    /// Closes and removes the dialog; focus goes back where it was.
    pub fn close(self) {
        self.dialog.close();
        self.dialog.remove();
        if let Some(opener) = &self.opener {
            let _ = opener.focus();
        }
    }
}
