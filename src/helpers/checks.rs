//! Pure card helpers for merchants, exported to JS: brand detection, validation and formatting.
//! Results are plain JS objects (see the TypeScript definitions below).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::card::brand::{DEFAULT_GAPS, MAX_NUMBER_LENGTH};
use crate::card::cvc::cvc_lengths;
use crate::card::expiry::edit_expiry;
use crate::card::format::group_digits;
use crate::card::{
    check_cvc, check_expiry, check_holder_name, check_number, format_number, Brand, Edit, Validity,
};
use crate::web::clock::current_month;
use crate::web::option_reader::{brand_list, invalid};

#[wasm_bindgen(typescript_custom_section)]
const HELPER_TYPES: &str = r#"
/** Brand detection: `brand` is set once only one brand remains. */
export interface BrandDetection {
  brand: BrandId | null;
  candidates: BrandId[];
  /** Digit positions after which a space is shown. */
  gaps: number[];
  lengths: number[];
  /** What the issuer calls the security code, e.g. "CVV", "CID". */
  codeName: string | null;
  codeLengths: number[];
}
/** Common shape of every validation result. */
export interface FieldCheck {
  state: FieldState;
  valid: boolean;
  /** The error right now (only for values that cannot become valid). */
  error: FieldErrorCode | null;
  /** The error to show on blur or submit (incomplete and required-but-empty count). */
  errorWhenDone: FieldErrorCode | null;
}
export interface NumberCheck extends FieldCheck {
  brand: BrandId | null;
  candidates: BrandId[];
  /** The number grouped by its brand's gaps ("" when it has invalid characters). */
  formatted: string;
}
export interface ExpiryCheck extends FieldCheck {
  /** "01"–"12" once valid. */
  month: string | null;
  /** Four digits once valid. */
  year: string | null;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "BrandDetection")]
    pub type BrandDetection;
    #[wasm_bindgen(typescript_type = "FieldCheck")]
    pub type FieldCheckJs;
    #[wasm_bindgen(typescript_type = "NumberCheck")]
    pub type NumberCheckJs;
    #[wasm_bindgen(typescript_type = "ExpiryCheck")]
    pub type ExpiryCheckJs;
    #[wasm_bindgen(typescript_type = "BrowserInfo")]
    pub type BrowserInfoJs;
    #[wasm_bindgen(typescript_type = "BrandId[] | undefined")]
    pub type BrandList;
}

/// Serialises a result into a plain JS object.
fn to_js<T: Serialize, J: JsCast>(value: &T) -> Result<J, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map(JsCast::unchecked_into)
        .map_err(JsValue::from)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Detection {
    brand: Option<&'static str>,
    candidates: Vec<&'static str>,
    gaps: &'static [usize],
    lengths: Vec<usize>,
    code_name: Option<&'static str>,
    code_lengths: &'static [usize],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Check {
    state: &'static str,
    valid: bool,
    error: Option<&'static str>,
    error_when_done: Option<&'static str>,
}

impl Check {
    fn new(validity: Validity, error_when_done: Option<crate::card::FieldError>) -> Self {
        Check {
            state: validity.state(),
            valid: validity.is_valid(),
            error: validity.error().map(|e| e.code()),
            error_when_done: error_when_done.map(|e| e.code()),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NumberResult {
    #[serde(flatten)]
    check: Check,
    brand: Option<&'static str>,
    candidates: Vec<&'static str>,
    formatted: String,
}

#[derive(Serialize)]
struct ExpiryResult {
    #[serde(flatten)]
    check: Check,
    month: Option<String>,
    year: Option<String>,
}

fn ids(brands: &[Brand]) -> Vec<&'static str> {
    brands.iter().map(|b| b.id()).collect()
}

/// Parses a merchant's list of accepted brand ids.
pub fn parse_brands(list: &JsValue) -> Result<Option<Vec<Brand>>, JsValue> {
    brand_list(list).map_err(JsValue::from)
}

/// Detects the brand of a (partial) card number; spaces and dashes are ignored.
#[wasm_bindgen(js_name = detectBrand)]
pub fn detect_brand(number: &str) -> Result<BrandDetection, JsValue> {
    let check = check_number(number, None);
    let brand = check.brand();
    let rules = brand.map(Brand::rules);
    to_js(&Detection {
        brand: brand.map(Brand::id),
        candidates: ids(&check.detection.candidates()),
        gaps: rules.map_or(DEFAULT_GAPS, |r| r.gaps),
        lengths: rules.map_or_else(
            || (12..=MAX_NUMBER_LENGTH).collect(),
            |r| r.lengths.to_vec(),
        ),
        code_name: rules.map(|r| r.code_name),
        code_lengths: cvc_lengths(brand),
    })
}

/// Validates a card number, optionally against the accepted brands.
#[wasm_bindgen(js_name = validateNumber)]
pub fn validate_number(number: &str, brands: BrandList) -> Result<NumberCheckJs, JsValue> {
    let accepted = parse_brands(&brands)?;
    let check = check_number(number, accepted.as_deref());
    let brand = check.brand();
    let gaps = brand.map_or(DEFAULT_GAPS, |b| b.rules().gaps);
    to_js(&NumberResult {
        check: Check::new(check.validity, check.error_when_done()),
        brand: brand.map(Brand::id),
        candidates: ids(&check.detection.candidates()),
        formatted: group_digits(&check.digits, gaps),
    })
}

/// Groups a card number by its brand's gaps (`"3782 822463 10005"`). Throws
/// `INVALID_CHARACTERS` for anything but digits, spaces and dashes.
#[wasm_bindgen(js_name = formatNumber)]
pub fn format_number_js(number: &str) -> Result<String, JsValue> {
    format_number(number).map_err(invalid_characters)
}

/// Validates an expiry date (`MM/YY`, `MM/YYYY`, `MMYY`…) against the current month.
#[wasm_bindgen(js_name = validateExpiry)]
pub fn validate_expiry(text: &str) -> Result<ExpiryCheckJs, JsValue> {
    let check = check_expiry(text, current_month());
    to_js(&ExpiryResult {
        check: Check::new(check.validity, check.validity.error_when_done(true)),
        month: check.month_text(),
        year: check.year_text(),
    })
}

/// Formats an expiry as `MM/YY` (or `MM/YYYY`): `"4"` → `"04/"`, `"0731"` → `"07/31"`.
#[wasm_bindgen(js_name = formatExpiry)]
pub fn format_expiry(text: &str) -> Result<String, JsValue> {
    edit_expiry("", 0, 0, Edit::Insert(text))
        .map(|f| f.text)
        .map_err(invalid_characters)
}

/// Validates a security code for a brand (3 or 4 digits while the brand is unknown).
#[wasm_bindgen(js_name = validateCvc)]
pub fn validate_cvc(cvc: &str, brand: Option<String>) -> Result<FieldCheckJs, JsValue> {
    let brand = match brand.as_deref() {
        None | Some("") => None,
        Some(id) => {
            Some(Brand::from_id(id).ok_or_else(|| JsValue::from(invalid("unknown brand id")))?)
        }
    };
    let validity = check_cvc(cvc, brand);
    to_js(&Check::new(validity, validity.error_when_done(true)))
}

/// Validates a holder name (letters, spaces, `.'-`, up to 64 characters).
#[wasm_bindgen(js_name = validateHolderName)]
pub fn validate_holder_name(name: &str, required: bool) -> Result<FieldCheckJs, JsValue> {
    let validity = check_holder_name(name);
    to_js(&Check::new(validity, validity.error_when_done(required)))
}

fn invalid_characters(error: crate::card::FieldError) -> JsValue {
    crate::web::error::paykka_error(
        error.code(),
        "the text contains characters other than digits",
        None,
    )
}

/// Browser data for 3-D Secure 2 and risk checks (what `encrypt()` gives as `browserInfo`).
#[wasm_bindgen(js_name = collectBrowserInfo)]
pub fn collect_browser_info() -> BrowserInfoJs {
    crate::web::browser_info::collect_browser_info().unchecked_into()
}
