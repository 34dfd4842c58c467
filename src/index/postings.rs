//! Posting lists: for each value of a property, the slots of the entries that have it.

use std::collections::HashMap;

use roaring::RoaringBitmap;

#[derive(Default)]
pub struct Postings {
    by_value: HashMap<Box<str>, RoaringBitmap>,
}

impl Postings {
    pub fn add(&mut self, value: &str, slot: u32) {
        match self.by_value.get_mut(value) {
            Some(slots) => {
                slots.insert(slot);
            }
            None => {
                self.by_value
                    .insert(value.into(), RoaringBitmap::from_iter([slot]));
            }
        }
    }

    /// Takes the slots `gone` out of every list, and drops lists left empty.
    pub fn remove(&mut self, gone: &RoaringBitmap) {
        self.by_value.retain(|_, slots| {
            *slots -= gone;
            !slots.is_empty()
        });
    }

    /// The entries that have `value`.
    pub fn get(&self, value: &str) -> Option<&RoaringBitmap> {
        self.by_value.get(value)
    }

    /// The entries that have any of `values`.
    pub fn any<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for value in values {
            if let Some(slots) = self.by_value.get(value) {
                out |= slots;
            }
        }
        out
    }

    /// Every value with its entries.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RoaringBitmap)> {
        self.by_value.iter().map(|(k, v)| (&**k, v))
    }
}
