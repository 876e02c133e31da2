//! The merchant's holder elements: the state classes they get (`paykka-field--focus`,
//! `--valid`, `--invalid`, `--empty`, `--disabled`, `data-brand`), and the nodes this
//! component added to the page, all removed again on unmount.

use std::cell::RefCell;

use web_sys::Element;

use crate::card::Brand;
use crate::form::field::FieldKind;
use crate::form::field_map::FieldMap;
use crate::form::model::FieldReport;

const STATE_CLASSES: [&str; 5] = [
    "paykka-field--focus",
    "paykka-field--valid",
    "paykka-field--invalid",
    "paykka-field--empty",
    "paykka-field--disabled",
];

pub struct Holders {
    holders: FieldMap<Element>,
    /// Nodes this component added (removed on unmount).
    added: RefCell<Vec<Element>>,
}

impl Holders {
    pub fn new(holders: FieldMap<Element>, added: Vec<Element>) -> Holders {
        for holder in holders.values() {
            let _ = holder
                .class_list()
                .add_2("paykka-field", "paykka-field--empty");
        }
        Holders {
            holders,
            added: RefCell::new(added),
        }
    }

    pub fn get(&self, kind: FieldKind) -> Option<&Element> {
        self.holders.get(kind)
    }

    pub fn remember(&self, node: Element) {
        self.added.borrow_mut().push(node);
    }

    /// Makes a holder's classes follow its field's report.
    pub fn show(&self, kind: FieldKind, report: &FieldReport) {
        let Some(holder) = self.holders.get(kind) else {
            return;
        };
        let classes = holder.class_list();
        let states = [
            report.focused,
            report.validity.is_valid(),
            report.shown_error.is_some(),
            report.empty,
            false,
        ];
        for (class, on) in STATE_CLASSES.iter().zip(states) {
            let _ = classes.toggle_with_force(class, on);
        }
        if kind == FieldKind::CardNumber {
            let _ = holder.set_attribute("data-brand", report.brand.map_or("unknown", Brand::id));
        }
    }

    pub fn set_disabled(&self, disabled: bool) {
        for holder in self.holders.values() {
            let _ = holder
                .class_list()
                .toggle_with_force("paykka-field--disabled", disabled);
        }
    }

    /// Removes the added nodes and every class and attribute this component set.
    pub fn clear(&self) {
        for node in self.added.borrow_mut().drain(..) {
            node.remove();
        }
        for holder in self.holders.values() {
            let classes = holder.class_list();
            let _ = classes.remove_1("paykka-field");
            for class in STATE_CLASSES {
                let _ = classes.remove_1(class);
            }
            let _ = holder.remove_attribute("data-brand");
        }
    }
}
