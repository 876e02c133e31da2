//! Without the `inline` feature (the page bundle): `isolation: "inline"` is refused with a
//! typed error that says where inline mode ships.

use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::host::Host;
use super::options::CardOptions;
use crate::form::field::FieldKind;
use crate::web::error::SetupError;

pub async fn mount_inline_fields(
    host: &Rc<Host>,
    _options: &CardOptions,
    _order: &[FieldKind],
) -> Result<(), JsValue> {
    let e = SetupError::new(
        "INVALID_OPTION",
        "isolation \"inline\" is in its own bundle: import from 'paykka-web/inline'",
    );
    host.dispatcher.emit_error(e.code, &e.message, None);
    Err(e.into())
}
