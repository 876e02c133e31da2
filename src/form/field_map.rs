//! A map keyed by field: a fixed array of six slots. Much smaller in wasm than a
//! `BTreeMap` monomorphised for every value type.

use super::field::FieldKind;

/// One optional value per field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap<T>([Option<T>; 6]);

impl<T> Default for FieldMap<T> {
    fn default() -> Self {
        FieldMap([None, None, None, None, None, None])
    }
}

impl<T> FieldMap<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, kind: FieldKind) -> Option<&T> {
        self.0[kind as usize].as_ref()
    }

    pub fn get_mut(&mut self, kind: FieldKind) -> Option<&mut T> {
        self.0[kind as usize].as_mut()
    }

    pub fn insert(&mut self, kind: FieldKind, value: T) -> Option<T> {
        self.0[kind as usize].replace(value)
    }

    pub fn remove(&mut self, kind: FieldKind) -> Option<T> {
        self.0[kind as usize].take()
    }

    pub fn contains(&self, kind: FieldKind) -> bool {
        self.0[kind as usize].is_some()
    }

    /// Present entries in field order.
    pub fn iter(&self) -> impl Iterator<Item = (FieldKind, &T)> {
        FieldKind::ALL
            .into_iter()
            .zip(self.0.iter())
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.0.iter().flatten()
    }

    pub fn keys(&self) -> impl Iterator<Item = FieldKind> + '_ {
        self.iter().map(|(k, _)| k)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

impl<T> FromIterator<(FieldKind, T)> for FieldMap<T> {
    fn from_iter<I: IntoIterator<Item = (FieldKind, T)>>(iter: I) -> Self {
        let mut map = FieldMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map_in_field_order() {
        let mut map: FieldMap<u32> = [(FieldKind::SecurityCode, 3), (FieldKind::CardNumber, 1)]
            .into_iter()
            .collect();
        assert_eq!(map.get(FieldKind::CardNumber), Some(&1));
        assert!(!map.contains(FieldKind::ExpiryDate));
        assert_eq!(map.insert(FieldKind::CardNumber, 7), Some(1));
        *map.get_mut(FieldKind::SecurityCode).unwrap() += 1;
        assert_eq!(
            map.iter().collect::<Vec<_>>(),
            vec![(FieldKind::CardNumber, &7), (FieldKind::SecurityCode, &4)]
        );
        assert_eq!(map.remove(FieldKind::CardNumber), Some(7));
        assert_eq!(
            map.keys().collect::<Vec<_>>(),
            vec![FieldKind::SecurityCode]
        );
        assert!(!map.is_empty());
    }
}
