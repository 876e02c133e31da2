//! `EncryptedCard`, the page bundle's export: reads the merchant's options and mounts a
//! `CardForm` with them; `encrypt()`, `focus()`, `clear()`, `update()` and `unmount()` are
//! the form's.

use wasm_bindgen::prelude::*;

use super::form::CardForm;
use super::options::CardOptions;
use crate::web::dom::resolve_target;
use crate::web::locale_pack::with_pack;
use crate::web::types::MountTarget;

#[wasm_bindgen(typescript_custom_section)]
const COMPONENT_TYPES: &str = r#"
export type CardField = "cardNumber" | "expiryDate" | "expiryMonth" | "expiryYear" | "securityCode" | "holderName";
export type StyleState = "base" | "focus" | "valid" | "invalid" | "placeholder" | "disabled" | "autofill";
export interface FieldStateInfo {
  state: FieldState; empty: boolean; focused: boolean; valid: boolean; potentiallyValid: boolean;
  error: FieldErrorCode | null;
}
export interface CardState { field: CardField | null; isValid: boolean; brand: BrandId | null; fields: Partial<Record<CardField, FieldStateInfo>>; }
export interface CardEventMap {
  ready: { field: null };
  change: CardState;
  focus: { field: CardField };
  blur: { field: CardField };
  brand: { field: "cardNumber"; brand: BrandId | null; codeName: string | null; codeLengths: number[] };
  binValue: { field: "cardNumber"; bin: string | null };
  fieldValid: { field: CardField; valid: boolean; last4: string | null };
  allValid: { field: null; valid: boolean };
  submit: { field: CardField };
  encrypted: { field: null; brand: BrandId | null; last4: string | null };
  error: { field: CardField | null; code: PaykkaErrorCode; message: string; fields?: CardField[]; errors?: FieldProblem[] };
}
export interface EncryptedCardOptions {
  /** The merchant's client key; the secure origin gives the key for registered page origins. */
  clientKey?: string;
  /** "sandbox", "production" or the gateway base URL (https, or http on loopback). */
  environment?: string;
  /** Instead of clientKey (inline only): a JWK, SPKI/PKCS#1 PEM or "<e hex>|<n hex>". */
  publicKey?: PublicKeyInput;
  keyId?: string;
  /** "frames" (default: each field in a frame on the secure origin) or "inline" (closed shadow roots; larger PCI scope). */
  isolation?: "frames" | "inline";
  /** "en-US" (default) or "zh-CN"; unknown locales fall back to en-US with a warning. */
  locale?: string;
  /** Overrides of any text: "cardNumber.label", "error.LUHN_FAILED", "cardNumber.error.INCOMPLETE"… */
  translations?: Record<string, string>;
  /** Accepted brands; others get UNSUPPORTED_BRAND. */
  brands?: BrandId[];
  holderName?: "optional" | "required" | "hidden";
  /** Style of the inputs per state, applied inside the frames. */
  styles?: Partial<Record<StyleState, Record<string, string>>>;
  fonts?: { family: string; src: string; weight?: string; style?: string }[];
  /** Move to the next field when one is complete (default true). */
  autoFocus?: boolean;
  maskSecurityCode?: boolean;
  showBrandIcon?: boolean;
  showLabels?: boolean;
  disabled?: boolean;
  /** A checkout session id, bound into each ciphertext. */
  sessionId?: string;
  /** How long the frames may take to load, ms (default 6000). */
  frameTimeout?: number;
  onReady?: (e: CardEventMap["ready"]) => void;
  onChange?: (e: CardEventMap["change"]) => void;
  onFocus?: (e: CardEventMap["focus"]) => void;
  onBlur?: (e: CardEventMap["blur"]) => void;
  onBrand?: (e: CardEventMap["brand"]) => void;
  onBinValue?: (e: CardEventMap["binValue"]) => void;
  onFieldValid?: (e: CardEventMap["fieldValid"]) => void;
  onAllValid?: (e: CardEventMap["allValid"]) => void;
  onSubmit?: (e: CardEventMap["submit"]) => void;
  onEncrypted?: (e: CardEventMap["encrypted"]) => void;
  onError?: (e: CardEventMap["error"]) => void;
}
export interface EncryptResult extends EncryptedCardValues {
  holderName: string | null;
  brand: BrandId | null;
  bin: string | null;
  last4: string | null;
  browserInfo: BrowserInfo;
  /** Ready for the API's `payment` object. */
  payment: { payment_method: "BANKCARD"; encrypted_card_no: string; encrypted_exp_month: string;
    encrypted_exp_year: string; encrypted_cvv: string; holder_name?: string };
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "EncryptedCardOptions")]
    pub type EncryptedCardOptions;
    #[wasm_bindgen(typescript_type = "Promise<EncryptResult>")]
    pub type EncryptPromise;
    #[wasm_bindgen(typescript_type = "Promise<void>")]
    pub type UpdatePromise;
    #[wasm_bindgen(typescript_type = "CardState")]
    pub type CardStateJs;
    #[wasm_bindgen(typescript_type = "CardField")]
    pub type CardFieldJs;
    #[wasm_bindgen(
        typescript_type = "Pick<EncryptedCardOptions, \"disabled\" | \"locale\" | \"translations\" | \"brands\" | \"styles\" | \"fonts\" | \"autoFocus\" | \"maskSecurityCode\">"
    )]
    pub type CardUpdate;
}

/// Secure card fields. Create with `await EncryptedCard.mount(target, options)`. `free()`
/// cleans up exactly as `unmount()`: frames, nodes and listeners leave the page, and a
/// pending `encrypt()` rejects with `UNMOUNTED` (the form it holds does so when dropped).
#[wasm_bindgen]
pub struct EncryptedCard {
    form: CardForm,
}

#[wasm_bindgen]
impl EncryptedCard {
    /// Mounts the card fields into `target` (a selector or element). Resolves once every
    /// field is ready; rejects with a `PaykkaError` (`INVALID_OPTION`, `HOLDER_MISSING`,
    /// `KEY_INVALID`, `KEY_FETCH_FAILED`, `ORIGIN_NOT_ALLOWED`, `FRAME_TIMEOUT`…).
    pub async fn mount(
        target: MountTarget,
        options: EncryptedCardOptions,
    ) -> Result<EncryptedCard, JsValue> {
        let options = with_pack(&options).await;
        let options = CardOptions::read(&options).map_err(JsValue::from)?;
        let root = resolve_target(&target).map_err(JsValue::from)?;
        let form = CardForm::mount(root, options).await?;
        Ok(EncryptedCard { form })
    }

    /// Validates every field (showing errors, focusing the first invalid one) and encrypts
    /// the card. Rejects with `VALIDATION` (and `fields`), or a setup code.
    pub fn encrypt(&self) -> EncryptPromise {
        self.form.encrypt().unchecked_into()
    }

    /// Moves focus to a field.
    pub fn focus(&self, field: CardFieldJs) -> Result<(), JsValue> {
        self.form.focus(&field.into())
    }

    /// Empties every field.
    pub fn clear(&self) {
        self.form.clear();
    }

    /// Changes options after mount: `disabled`, `locale`, `translations`, `brands`,
    /// `styles`, `fonts`, `autoFocus`, `maskSecurityCode`. Resolves once every field has
    /// them; a bad option rejects with `INVALID_OPTION` (in frames mode the frames check
    /// styles and fonts, and the message is theirs) and changes nothing. What the shopper
    /// typed stays. Updates apply in the order asked; a locale that ships as a pack applies
    /// with its pack.
    pub fn update(&self, options: CardUpdate) -> UpdatePromise {
        self.form.update(options.into()).unchecked_into()
    }

    /// Whether every field is valid (the holder name may be empty unless required).
    #[wasm_bindgen(getter, js_name = isValid)]
    pub fn is_valid(&self) -> bool {
        self.form.is_valid()
    }

    /// The whole state, as in `change` events.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> CardStateJs {
        JsValue::from(self.form.state()).unchecked_into()
    }

    /// Messages from other origins, other windows or without the channel secret that were
    /// dropped unread.
    #[wasm_bindgen(getter, js_name = ignoredMessageCount)]
    pub fn ignored_message_count(&self) -> u32 {
        self.form.ignored_message_count()
    }

    /// Removes every node and listener the component added.
    pub fn unmount(&self) {
        self.form.unmount();
    }
}
