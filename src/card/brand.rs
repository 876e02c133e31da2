//! Card brands: the IIN table of `credit-card-type` 10.3 and brand detection by longest match.

/// A card brand the component knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Brand {
    Visa,
    Mastercard,
    Amex,
    Diners,
    Discover,
    Jcb,
    UnionPay,
    Maestro,
    Elo,
    Mir,
    Hiper,
    Hipercard,
}

/// One IIN pattern: a literal prefix or an inclusive numeric range of equal-length prefixes.
#[derive(Clone, Copy, Debug)]
enum Pattern {
    Prefix(&'static str),
    Range(&'static str, &'static str),
}

use Pattern::{Prefix as P, Range as R};

/// What the component needs to know about one brand once it is known (its IIN patterns,
/// for detecting it, are in `PATTERNS`).
#[derive(Debug)]
pub struct BrandRules {
    pub brand: Brand,
    /// Accepted card number lengths, ascending.
    pub lengths: &'static [usize],
    /// Positions (in digits) after which a space is shown.
    pub gaps: &'static [usize],
    /// What the issuer calls the security code (CVV, CVC, CID…).
    pub code_name: &'static str,
    pub code_size: usize,
    /// Whether the Luhn checksum is required (UnionPay: not).
    pub luhn: bool,
}

const GAPS_4_8_12: &[usize] = &[4, 8, 12];

/// The brand table, in the order brands are tried.
pub static BRANDS: [BrandRules; 12] = [
    BrandRules {
        brand: Brand::Visa,
        lengths: &[16, 18, 19],
        gaps: GAPS_4_8_12,
        code_name: "CVV",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Mastercard,
        lengths: &[16],
        gaps: GAPS_4_8_12,
        code_name: "CVC",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Amex,
        lengths: &[15],
        gaps: &[4, 10],
        code_name: "CID",
        code_size: 4,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Diners,
        lengths: &[14, 16, 19],
        gaps: &[4, 10, 14],
        code_name: "CVV",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Discover,
        lengths: &[16, 19],
        gaps: GAPS_4_8_12,
        code_name: "CID",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Jcb,
        lengths: &[16, 17, 18, 19],
        gaps: GAPS_4_8_12,
        code_name: "CVV",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::UnionPay,
        lengths: &[14, 15, 16, 17, 18, 19],
        gaps: GAPS_4_8_12,
        code_name: "CVN",
        code_size: 3,
        luhn: false,
    },
    BrandRules {
        brand: Brand::Maestro,
        lengths: &[12, 13, 14, 15, 16, 17, 18, 19],
        gaps: GAPS_4_8_12,
        code_name: "CVC",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Elo,
        lengths: &[16],
        gaps: GAPS_4_8_12,
        code_name: "CVE",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Mir,
        lengths: &[16, 17, 18, 19],
        gaps: GAPS_4_8_12,
        code_name: "CVP2",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Hiper,
        lengths: &[16],
        gaps: GAPS_4_8_12,
        code_name: "CVC",
        code_size: 3,
        luhn: true,
    },
    BrandRules {
        brand: Brand::Hipercard,
        lengths: &[16],
        gaps: GAPS_4_8_12,
        code_name: "CVC",
        code_size: 3,
        luhn: true,
    },
];

/// Each brand's IIN patterns, in `BRANDS` order. Only `detect` reads them, so a bundle that
/// never detects a brand (the page's) carries none of them.
static PATTERNS: [&[Pattern]; 12] = [
    // Visa
    &[P("4")],
    // Mastercard
    &[
        R("51", "55"),
        R("2221", "2229"),
        R("223", "229"),
        R("23", "26"),
        R("270", "271"),
        P("2720"),
    ],
    // Amex
    &[P("34"), P("37")],
    // Diners
    &[R("300", "305"), P("36"), P("38"), P("39")],
    // Discover
    &[P("6011"), R("644", "649"), P("65")],
    // Jcb
    &[P("2131"), P("1800"), R("3528", "3589")],
    // UnionPay
    &[
        P("620"),
        R("62100", "62182"),
        R("62184", "62187"),
        R("62185", "62197"),
        R("62200", "62205"),
        R("622010", "622999"),
        P("622018"),
        R("62207", "62209"),
        R("623", "626"),
        P("6270"),
        P("6272"),
        P("6276"),
        R("627700", "627779"),
        R("627781", "627799"),
        R("6282", "6289"),
        P("6291"),
        P("6292"),
        P("810"),
        R("8110", "8131"),
        R("8132", "8151"),
        R("8152", "8163"),
        R("8164", "8171"),
    ],
    // Maestro
    &[
        P("493698"),
        R("500000", "504174"),
        R("504176", "506698"),
        R("506779", "508999"),
        R("56", "59"),
        P("63"),
        P("67"),
        P("6"),
    ],
    // Elo
    &[
        P("401178"),
        P("401179"),
        P("438935"),
        P("457631"),
        P("457632"),
        P("431274"),
        P("451416"),
        P("457393"),
        P("504175"),
        R("506699", "506778"),
        R("509000", "509999"),
        P("627780"),
        P("636297"),
        P("636368"),
        R("650031", "650033"),
        R("650035", "650051"),
        R("650405", "650439"),
        R("650485", "650538"),
        R("650541", "650598"),
        R("650700", "650718"),
        R("650720", "650727"),
        R("650901", "650978"),
        R("651652", "651679"),
        R("655000", "655019"),
        R("655021", "655058"),
    ],
    // Mir
    &[R("2200", "2204")],
    // Hiper
    &[
        P("637095"),
        P("63737423"),
        P("63743358"),
        P("637568"),
        P("637599"),
        P("637609"),
        P("637612"),
    ],
    // Hipercard
    &[P("606282")],
];

/// Gaps used while the brand is still unknown.
pub const DEFAULT_GAPS: &[usize] = GAPS_4_8_12;
/// The longest card number any brand accepts.
pub const MAX_NUMBER_LENGTH: usize = 19;

impl Brand {
    /// Every brand, in detection order.
    pub const ALL: [Brand; 12] = [
        Brand::Visa,
        Brand::Mastercard,
        Brand::Amex,
        Brand::Diners,
        Brand::Discover,
        Brand::Jcb,
        Brand::UnionPay,
        Brand::Maestro,
        Brand::Elo,
        Brand::Mir,
        Brand::Hiper,
        Brand::Hipercard,
    ];

    /// The stable identifier used in options, events and results.
    pub fn id(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Amex => "amex",
            Brand::Diners => "diners",
            Brand::Discover => "discover",
            Brand::Jcb => "jcb",
            Brand::UnionPay => "unionpay",
            Brand::Maestro => "maestro",
            Brand::Elo => "elo",
            Brand::Mir => "mir",
            Brand::Hiper => "hiper",
            Brand::Hipercard => "hipercard",
        }
    }

    /// Parses an identifier; the `credit-card-type` names (`american-express`,
    /// `diners-club`, `master-card`, `union-pay`) are accepted as aliases.
    pub fn from_id(id: &str) -> Option<Brand> {
        let id = id.trim().to_ascii_lowercase();
        let canonical = match id.as_str() {
            "american-express" | "americanexpress" => "amex",
            "diners-club" | "dinersclub" => "diners",
            "master-card" => "mastercard",
            "union-pay" => "unionpay",
            other => other,
        };
        Brand::ALL.into_iter().find(|b| b.id() == canonical)
    }

    /// This brand's row of the table.
    pub fn rules(self) -> &'static BrandRules {
        // The table is in `ALL` order, so the discriminant indexes it.
        &BRANDS[self as usize]
    }

    /// The largest accepted number length.
    pub fn max_length(self) -> usize {
        self.rules()
            .lengths
            .last()
            .copied()
            .unwrap_or(MAX_NUMBER_LENGTH)
    }
}

/// The outcome of brand detection for a (possibly partial) card number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detection {
    /// No brand can start with these digits.
    None,
    /// Exactly one brand (the strongest match).
    Brand(Brand),
    /// Several brands remain possible; more digits are needed.
    Ambiguous(Vec<Brand>),
}

impl Detection {
    /// The brand when it is known for sure.
    pub fn brand(&self) -> Option<Brand> {
        match self {
            Detection::Brand(b) => Some(*b),
            _ => None,
        }
    }

    /// Every brand still possible.
    pub fn candidates(&self) -> Vec<Brand> {
        match self {
            Detection::None => Vec::new(),
            Detection::Brand(b) => vec![*b],
            Detection::Ambiguous(list) => list.clone(),
        }
    }
}

/// Detects the brand of `digits` (ASCII digits only; normalise first).
///
/// Follows `credit-card-type`: each brand's first matching pattern counts; a match whose
/// pattern is no longer than the input has strength = pattern length; if every candidate
/// has a strength the strongest wins (first on ties), otherwise all candidates stand.
pub fn detect(digits: &str) -> Detection {
    if digits.is_empty() {
        return Detection::Ambiguous(Brand::ALL.to_vec());
    }
    let mut candidates: Vec<(Brand, Option<usize>)> = Vec::new();
    for (brand, patterns) in Brand::ALL.into_iter().zip(&PATTERNS) {
        if let Some(pattern) = patterns.iter().find(|p| p.matches(digits)) {
            let len = pattern.len();
            let strength = (digits.len() >= len).then_some(len);
            candidates.push((brand, strength));
        }
    }
    match candidates.as_slice() {
        [] => Detection::None,
        [(only, _)] => Detection::Brand(*only),
        _ if candidates.iter().all(|(_, s)| s.is_some()) => {
            let mut best = candidates[0];
            for candidate in &candidates[1..] {
                if candidate.1 > best.1 {
                    best = *candidate;
                }
            }
            Detection::Brand(best.0)
        }
        _ => Detection::Ambiguous(candidates.into_iter().map(|(b, _)| b).collect()),
    }
}

impl Pattern {
    fn len(self) -> usize {
        match self {
            Pattern::Prefix(p) => p.len(),
            Pattern::Range(min, _) => min.len(),
        }
    }

    fn matches(self, digits: &str) -> bool {
        match self {
            Pattern::Prefix(p) => {
                let n = p.len().min(digits.len());
                p.as_bytes()[..n] == digits.as_bytes()[..n]
            }
            Pattern::Range(min, max) => {
                let n = min.len().min(digits.len());
                // Equal-length ASCII digit strings compare like the numbers they spell.
                let head = &digits.as_bytes()[..n];
                head >= &min.as_bytes()[..n] && head <= &max.as_bytes()[..n]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand_of(digits: &str) -> Option<Brand> {
        detect(digits).brand()
    }

    #[test]
    fn table_is_in_detection_order() {
        for (i, brand) in Brand::ALL.iter().enumerate() {
            assert_eq!(BRANDS[i].brand, *brand);
            assert_eq!(brand.rules().brand, *brand);
        }
    }

    #[test]
    fn public_test_cards_of_each_brand() {
        let cases = [
            ("4111111111111111", Brand::Visa),
            ("4242424242424242", Brand::Visa),
            ("5555555555554444", Brand::Mastercard),
            ("2223003122003222", Brand::Mastercard),
            ("378282246310005", Brand::Amex),
            ("371449635398431", Brand::Amex),
            ("30569309025904", Brand::Diners),
            ("36227206271667", Brand::Diners),
            ("6011111111111117", Brand::Discover),
            ("6445644564456445", Brand::Discover),
            ("3566002020360505", Brand::Jcb),
            ("6200000000000005", Brand::UnionPay),
            ("6221261111111111", Brand::UnionPay),
            ("6759649826438453", Brand::Maestro),
            ("5066991111111118", Brand::Elo),
            ("6362970000457013", Brand::Elo),
            ("2200000000000004", Brand::Mir),
            ("6370950000000005", Brand::Hiper),
            ("6062826786276634", Brand::Hipercard),
        ];
        for (number, brand) in cases {
            assert_eq!(brand_of(number), Some(brand), "{number}");
        }
    }

    #[test]
    fn tricky_prefixes() {
        assert_eq!(brand_of("6011"), Some(Brand::Discover));
        assert_eq!(brand_of("650031"), Some(Brand::Elo));
        // "65" may still become Elo (650031…): ambiguous until the Elo ranges are ruled out.
        assert_eq!(
            detect("65").candidates(),
            vec![Brand::Discover, Brand::Maestro, Brand::Elo]
        );
        assert_eq!(brand_of("6599"), Some(Brand::Discover));
        assert_eq!(brand_of("2221"), Some(Brand::Mastercard));
        assert_eq!(brand_of("2720"), Some(Brand::Mastercard));
        assert_eq!(brand_of("2721"), None);
        assert_eq!(detect("2721"), Detection::None);
        assert_eq!(brand_of("2200"), Some(Brand::Mir));
        assert_eq!(brand_of("622126"), Some(Brand::UnionPay));
        assert_eq!(brand_of("34"), Some(Brand::Amex));
        assert_eq!(brand_of("1800"), Some(Brand::Jcb));
        assert_eq!(brand_of("637095"), Some(Brand::Hiper));
        assert_eq!(brand_of("606282"), Some(Brand::Hipercard));
        assert_eq!(brand_of("67"), Some(Brand::Maestro));
        assert_eq!(detect("9"), Detection::None);
    }

    #[test]
    fn six_alone_stays_ambiguous() {
        let Detection::Ambiguous(list) = detect("6") else {
            panic!("6 must be ambiguous");
        };
        for brand in [
            Brand::Discover,
            Brand::UnionPay,
            Brand::Maestro,
            Brand::Elo,
            Brand::Hiper,
            Brand::Hipercard,
        ] {
            assert!(list.contains(&brand), "{brand:?} missing from {list:?}");
        }
        assert!(!list.contains(&Brand::Visa));
    }

    #[test]
    fn short_prefixes_stay_ambiguous_while_typing() {
        // "2" could still be Mastercard, JCB (2131) or Mir (2200).
        let c = detect("2").candidates();
        assert_eq!(c, vec![Brand::Mastercard, Brand::Jcb, Brand::Mir]);
        // "22" is Mastercard (2221…) or Mir: neither pattern is complete yet.
        assert_eq!(
            detect("22").candidates(),
            vec![Brand::Mastercard, Brand::Mir]
        );
        assert_eq!(detect("").candidates().len(), 12);
    }

    #[test]
    fn ids_round_trip_and_aliases_parse() {
        for brand in Brand::ALL {
            assert_eq!(Brand::from_id(brand.id()), Some(brand));
        }
        assert_eq!(Brand::from_id("american-express"), Some(Brand::Amex));
        assert_eq!(Brand::from_id("Diners-Club"), Some(Brand::Diners));
        assert_eq!(Brand::from_id("paypal"), None);
    }
}
