//! The coordinator: collects the fields' reports and decides the events the host page
//! gets. It sees reports only (validity, brand, BIN, last 4), never card values.

use crate::card::brand::Brand;
use crate::card::Validity;

use super::field::FieldKind;
use super::field_map::FieldMap;
use super::messages::FieldCommand;
use super::model::FieldReport;

/// An event for the host page, decided from a field report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Focus(FieldKind),
    Blur(FieldKind),
    /// Something changed; the payload is the whole state.
    Change(FieldKind),
    Brand(Option<Brand>),
    BinValue(Option<String>),
    FieldValid {
        field: FieldKind,
        valid: bool,
        last4: Option<String>,
    },
    AllValid(bool),
}

/// Decides events from field reports; knows the focus order.
#[derive(Clone, Debug)]
pub struct Coordinator {
    order: Vec<FieldKind>,
    reports: FieldMap<FieldReport>,
    brand: Option<Brand>,
    bin: Option<String>,
    all_valid: bool,
}

fn empty_report(kind: FieldKind, required: bool) -> FieldReport {
    FieldReport {
        kind,
        validity: Validity::Empty,
        empty: true,
        focused: false,
        shown_error: None,
        acceptable: !required,
        brand: None,
        bin: None,
        last4: None,
        revision: 0,
    }
}

impl Coordinator {
    /// `order` is the focus order; `required(kind)` says which may not stay empty.
    pub fn new(order: Vec<FieldKind>, required: impl Fn(FieldKind) -> bool) -> Self {
        let reports = order
            .iter()
            .map(|k| (*k, empty_report(*k, required(*k))))
            .collect();
        Coordinator {
            order,
            reports,
            brand: None,
            bin: None,
            all_valid: false,
        }
    }

    pub fn fields(&self) -> &[FieldKind] {
        &self.order
    }

    pub fn report(&self, kind: FieldKind) -> Option<&FieldReport> {
        self.reports.get(kind)
    }

    pub fn brand(&self) -> Option<Brand> {
        self.brand
    }

    pub fn all_valid(&self) -> bool {
        self.all_valid
    }

    /// Takes a field's latest report and returns the events it causes, in order.
    /// `change` comes every time, so a second card of the same brand is never silent.
    pub fn on_report(&mut self, report: FieldReport) -> Vec<Event> {
        let kind = report.kind;
        let Some(previous) = self.reports.get(kind).cloned() else {
            return Vec::new();
        };
        let mut events = Vec::new();
        if report.focused && !previous.focused {
            events.push(Event::Focus(kind));
        }
        if !report.focused && previous.focused {
            events.push(Event::Blur(kind));
        }
        if kind == FieldKind::CardNumber {
            if report.brand != self.brand {
                self.brand = report.brand;
                events.push(Event::Brand(report.brand));
            }
            if report.bin != self.bin {
                self.bin = report.bin.clone();
                events.push(Event::BinValue(report.bin.clone()));
            }
        }
        let valid = report.validity.is_valid();
        if (valid, &report.last4) != (previous.validity.is_valid(), &previous.last4) {
            events.push(Event::FieldValid {
                field: kind,
                valid,
                last4: report.last4.clone(),
            });
        }
        let changed = report != previous;
        self.reports.insert(kind, report);
        let all_valid = self.reports.values().all(|r| r.acceptable);
        if changed {
            events.push(Event::Change(kind));
        }
        if all_valid != self.all_valid {
            self.all_valid = all_valid;
            events.push(Event::AllValid(all_valid));
        }
        events
    }

    /// What the fields must be told after `events`: a new brand goes to the security-code
    /// field (its length and placeholder follow the brand).
    pub fn commands_for(&self, events: &[Event]) -> Vec<(FieldKind, FieldCommand)> {
        let has_code = self.order.contains(&FieldKind::SecurityCode);
        events
            .iter()
            .filter_map(|event| match event {
                Event::Brand(brand) if has_code => {
                    Some((FieldKind::SecurityCode, FieldCommand::Brand(*brand)))
                }
                _ => None,
            })
            .collect()
    }

    /// The field after `kind` in focus order.
    pub fn next_field(&self, kind: FieldKind) -> Option<FieldKind> {
        let index = self.order.iter().position(|k| *k == kind)?;
        self.order.get(index + 1).copied()
    }

    /// The first field that is not acceptable, for focus after a failed submit.
    pub fn first_invalid(&self) -> Option<FieldKind> {
        self.order
            .iter()
            .copied()
            .find(|k| self.reports.get(*k).is_some_and(|r| !r.acceptable))
    }
}

#[cfg(test)]
mod tests {
    use super::super::messages::FieldCommand;

    #[test]
    fn a_new_brand_is_told_to_the_security_code_field_only() {
        let mut c = Coordinator::new(
            vec![
                FieldKind::CardNumber,
                FieldKind::ExpiryDate,
                FieldKind::SecurityCode,
            ],
            |_| true,
        );
        let mut report = empty_report(FieldKind::CardNumber, true);
        report.brand = Some(Brand::Amex);
        report.empty = false;
        let events = c.on_report(report.clone());
        assert_eq!(
            c.commands_for(&events),
            [(
                FieldKind::SecurityCode,
                FieldCommand::Brand(Some(Brand::Amex))
            )]
        );
        report.revision += 1;
        let same_brand = c.on_report(report);
        assert!(
            c.commands_for(&same_brand).is_empty(),
            "only when it changes"
        );
        let without_code = Coordinator::new(vec![FieldKind::CardNumber], |_| true);
        assert!(without_code
            .commands_for(&[Event::Brand(Some(Brand::Visa))])
            .is_empty());
    }

    use super::*;
    use crate::card::format::Edit;
    use crate::card::YearMonth;
    use crate::form::field::{form_fields, ExpiryLayout};
    use crate::form::model::FieldModel;
    use std::collections::BTreeMap;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    struct Form {
        coordinator: Coordinator,
        models: BTreeMap<FieldKind, FieldModel>,
        events: Vec<Event>,
    }

    impl Form {
        fn new() -> Form {
            let order = form_fields(ExpiryLayout::Combined, true);
            let models = order
                .iter()
                .map(|k| (*k, FieldModel::new(*k, *k != FieldKind::HolderName, TODAY)))
                .collect();
            Form {
                coordinator: Coordinator::new(order, |k| k != FieldKind::HolderName),
                models,
                events: Vec::new(),
            }
        }

        fn with(&mut self, kind: FieldKind, f: impl FnOnce(&mut FieldModel)) {
            let model = self.models.get_mut(&kind).unwrap();
            f(model);
            let report = model.report();
            let events = self.coordinator.on_report(report);
            if let Some(brand) = events.iter().find_map(|e| match e {
                Event::Brand(b) => Some(*b),
                _ => None,
            }) {
                self.models
                    .get_mut(&FieldKind::SecurityCode)
                    .unwrap()
                    .set_brand_hint(brand);
            }
            self.events.extend(events);
        }

        fn type_text(&mut self, kind: FieldKind, text: &str) {
            for c in text.chars() {
                self.with(kind, |m| {
                    let caret = crate::card::char_count(m.text());
                    m.edit(caret, caret, Edit::Insert(&c.to_string()));
                });
            }
        }

        fn take(&mut self) -> Vec<Event> {
            std::mem::take(&mut self.events)
        }
    }

    #[test]
    fn a_whole_card_produces_the_expected_events() {
        let mut form = Form::new();
        form.with(FieldKind::CardNumber, FieldModel::focus);
        assert_eq!(
            form.take(),
            vec![
                Event::Focus(FieldKind::CardNumber),
                Event::Change(FieldKind::CardNumber)
            ]
        );
        form.type_text(FieldKind::CardNumber, "4242424242424242");
        let events = form.take();
        assert!(events.contains(&Event::Brand(Some(Brand::Visa))));
        assert!(events.contains(&Event::BinValue(Some("424242".into()))));
        assert!(events.contains(&Event::BinValue(Some("42424242".into()))));
        assert!(events.contains(&Event::FieldValid {
            field: FieldKind::CardNumber,
            valid: true,
            last4: Some("4242".into())
        }));
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, Event::Change(_)))
                .count(),
            16
        );
        form.type_text(FieldKind::ExpiryDate, "1231");
        form.type_text(FieldKind::SecurityCode, "123");
        assert!(form.take().contains(&Event::AllValid(true)));
        assert!(form.coordinator.all_valid());
        assert_eq!(form.coordinator.first_invalid(), None);
    }

    #[test]
    fn a_second_card_of_the_same_brand_still_produces_events() {
        let mut form = Form::new();
        form.type_text(FieldKind::CardNumber, "4242424242424242");
        form.take();
        // Select all and paste another Visa: valid → valid, same brand.
        form.with(FieldKind::CardNumber, |m| {
            m.edit(0, 19, Edit::Insert("4000000000000002"));
        });
        let events = form.take();
        assert!(events.contains(&Event::FieldValid {
            field: FieldKind::CardNumber,
            valid: true,
            last4: Some("0002".into())
        }));
        assert!(events.contains(&Event::BinValue(Some("40000000".into()))));
        assert!(events.contains(&Event::Change(FieldKind::CardNumber)));
        assert!(
            !events.iter().any(|e| matches!(e, Event::Brand(_))),
            "brand unchanged"
        );
    }

    #[test]
    fn brand_reaches_the_security_code_and_clearing_resets() {
        let mut form = Form::new();
        form.type_text(FieldKind::CardNumber, "378282246310005");
        form.type_text(FieldKind::SecurityCode, "1234");
        assert_eq!(form.models[&FieldKind::SecurityCode].text(), "1234");
        form.with(FieldKind::CardNumber, FieldModel::clear);
        let events = form.take();
        assert!(events.contains(&Event::Brand(None)));
        assert!(events.contains(&Event::BinValue(None)));
        assert!(events.contains(&Event::FieldValid {
            field: FieldKind::CardNumber,
            valid: false,
            last4: None
        }));
    }

    #[test]
    fn focus_order_and_first_invalid() {
        let form = Form::new();
        let c = &form.coordinator;
        assert_eq!(
            c.next_field(FieldKind::CardNumber),
            Some(FieldKind::ExpiryDate)
        );
        assert_eq!(
            c.next_field(FieldKind::SecurityCode),
            Some(FieldKind::HolderName)
        );
        assert_eq!(c.next_field(FieldKind::HolderName), None);
        assert_eq!(c.first_invalid(), Some(FieldKind::CardNumber));
    }

    #[test]
    fn reports_never_carry_card_values() {
        let mut form = Form::new();
        form.type_text(FieldKind::CardNumber, "5555555555554444");
        form.type_text(FieldKind::ExpiryDate, "1231");
        form.type_text(FieldKind::SecurityCode, "737");
        let events = form.take();
        let dump = format!("{:?} {events:?}", form.coordinator);
        assert!(!dump.contains("5555555555554444"));
        assert!(!dump.contains("737"));
        assert!(!dump.contains("12/31") && !dump.contains("2031"));
    }
}
