//! `isolation: "inline"`: each field in a closed shadow root of a child of its holder, in
//! this page, with the key imported into the page's WebCrypto. Only with the `inline`
//! feature (the inline and full bundles); the page bundle refuses the option.

use std::rc::Rc;

use wasm_bindgen::JsValue;
use web_sys::{ShadowRootInit, ShadowRootMode};

use super::host::Host;
use super::links::FieldLink;
use super::options::{CardOptions, KeySource};
use crate::form::field::FieldKind;
use crate::web::display::DisplayOptions;
use crate::web::dom::{document, element, FieldRoot};
use crate::web::error::SetupError;
use crate::web::field_view::FieldView;
use crate::web::keys::{frames_load, parse_key, KeyContext};
use crate::web::webcrypto::{subtle, WebCipher};

/// Mounts every field inline, once the key is ready.
pub async fn mount_inline_fields(
    host: &Rc<Host>,
    options: &CardOptions,
    order: &[FieldKind],
) -> Result<(), JsValue> {
    let key = match inline_key(options).await {
        Ok(key) => key,
        Err(e) => {
            host.dispatcher.emit_error(e.code, &e.message, None);
            return Err(e.into());
        }
    };
    for kind in order {
        mount_inline(host, &options.display, *kind, Some(Rc::clone(&key)))?;
    }
    Ok(())
}

/// Mounts a field inline: a child element of the holder with a closed shadow root.
fn mount_inline(
    host: &Rc<Host>,
    display: &DisplayOptions,
    kind: FieldKind,
    key: Option<Rc<KeyContext>>,
) -> Result<(), JsValue> {
    let holder = host.holder(kind)?;
    let doc = document()?;
    let child = element(&doc, "div", &[("class", "paykka-inline-field")])?;
    holder.append_child(&child)?;
    host.remember_node(child.clone());
    let init = ShadowRootInit::new(ShadowRootMode::Closed);
    let shadow = child.attach_shadow(&init)?;
    let weak = Rc::downgrade(host);
    let sink = Rc::new(move |message| {
        if let Some(host) = weak.upgrade() {
            host.on_message(kind, message);
        }
    });
    let view = FieldView::mount(&FieldRoot::Shadow(shadow), display.field_config(kind), sink)?;
    view.set_key(key);
    host.add_link(kind, FieldLink::Inline(view));
    Ok(())
}

async fn inline_key(options: &CardOptions) -> Result<Rc<KeyContext>, SetupError> {
    let session_id = options.display.session_id.clone();
    match &options.key {
        KeySource::PublicKey { key, key_id } => {
            let key = parse_key(key, key_id.as_deref()).map_err(|e| {
                let code = js_sys::Reflect::get(&e, &"code".into())
                    .ok()
                    .and_then(|c| c.as_string());
                let code = match code.as_deref() {
                    Some("KEY_TOO_SHORT") => "KEY_TOO_SHORT",
                    Some("KEY_TOO_LONG") => "KEY_TOO_LONG",
                    Some("KEY_UNSUPPORTED") => "KEY_UNSUPPORTED",
                    _ => "KEY_INVALID",
                };
                SetupError::new(
                    code,
                    "the public key is not a usable RSA 2048–4096 encryption key",
                )
            })?;
            Ok(Rc::new(KeyContext {
                cipher: WebCipher::import(key)?.await?,
                clock_offset_ms: 0.0,
                session_id,
            }))
        }
        KeySource::ClientKey { client_key, base } => {
            // Before any network: without WebCrypto nothing could be encrypted.
            subtle()?;
            let loaded = frames_load(base, client_key, None).await?;
            Ok(Rc::new(KeyContext {
                cipher: WebCipher::import(loaded.key)?.await?,
                clock_offset_ms: loaded.clock_offset_ms,
                session_id,
            }))
        }
    }
}
