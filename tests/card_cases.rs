//! The shared card-rule table (`fixtures/card_cases.json`), checked natively. The browser
//! tests check the exported JS helpers against the same table.

use paykka_web::card::brand::DEFAULT_GAPS;
use paykka_web::card::format::group_digits;
use paykka_web::card::{
    check_cvc, check_expiry, check_holder_name, check_number, Brand, YearMonth,
};
use serde_json::Value;

fn cases(group: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(include_str!("fixtures/card_cases.json")).unwrap();
    all[group].as_array().unwrap().clone()
}

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

#[test]
fn numbers() {
    for case in cases("number") {
        let input = case["input"].as_str().unwrap();
        let check = check_number(input, None);
        let brand = check.brand();
        assert_eq!(check.validity.state(), case["state"], "{input}");
        assert_eq!(brand.map(Brand::id), text(&case["brand"]), "{input}");
        assert_eq!(
            check.validity.error().map(|e| e.code()),
            text(&case["error"]),
            "{input}"
        );
        assert_eq!(
            check.error_when_done().map(|e| e.code()),
            text(&case["errorWhenDone"]),
            "{input}"
        );
        let gaps = brand.map_or(DEFAULT_GAPS, |b| b.rules().gaps);
        assert_eq!(
            group_digits(&check.digits, gaps),
            case["formatted"],
            "{input}"
        );
    }
}

#[test]
fn cvcs() {
    for case in cases("cvc") {
        let input = case["input"].as_str().unwrap();
        let brand = text(&case["brand"]).and_then(Brand::from_id);
        assert_eq!(check_cvc(input, brand).state(), case["state"], "{input}");
    }
}

#[test]
fn expiries() {
    let today = YearMonth {
        year: 2026,
        month: 11,
    };
    for case in cases("expiry") {
        let input = case["input"].as_str().unwrap();
        let validity = check_expiry(input, today).validity;
        assert_eq!(validity.state(), case["state"], "{input}");
        assert_eq!(
            validity.error().map(|e| e.code()),
            text(&case["error"]),
            "{input}"
        );
    }
}

#[test]
fn holder_names() {
    for case in cases("holderName") {
        let input = case["input"].as_str().unwrap();
        assert_eq!(check_holder_name(input).state(), case["state"], "{input}");
    }
}
