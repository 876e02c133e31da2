//! The sandbox's test cards (SPEC §5): what each number does.

/// What the sandbox does with a card (SPEC §5 test cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Authorised,
    Challenge,
    Declined(&'static str, &'static str),
    NotSupported,
}

pub fn outcome(number: &str) -> Outcome {
    match number {
        "4242424242424242" | "5555555555554444" | "378282246310005" | "3566002020360505" => {
            Outcome::Authorised
        }
        "4000000000003220" => Outcome::Challenge,
        "4000000000000002" => Outcome::Declined("3001", "Declined by the issuer"),
        "4000000000009995" => Outcome::Declined("3002", "Insufficient funds"),
        "4000000000000069" => Outcome::Declined("3003", "Expired card"),
        "4000000000000127" => Outcome::Declined("3004", "Incorrect security code"),
        _ => Outcome::NotSupported,
    }
}
