//! The indexed entries: one slot per entry, with its sort keys and dates in columns and
//! its filter values and words in posting lists. A removed entry's slot is reused.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use roaring::RoaringBitmap;

use crate::store::indexed::IndexedEntry;

use super::postings::Postings;
use super::text::{Field, TextIndex};

/// A moment as the index keeps it: microseconds since 1970, UTC.
pub type Micros = i64;
/// No such moment (no deadline, no opening date, no amount).
pub const NONE: i64 = i64::MIN;

pub fn micros(t: NaiveDateTime) -> Micros {
    t.and_utc().timestamp_micros()
}

#[derive(Default)]
pub struct Entries {
    /// The occupied slots.
    pub live: RoaringBitmap,
    /// Each slot's entry id as a number whose order is the id's text order.
    pub id: Vec<u128>,
    pub sort_deadline: Vec<Micros>,
    pub deadline: Vec<Micros>,
    pub opens_at: Vec<Micros>,
    /// Published at, else updated at: the key of the newest-first order.
    pub published: Vec<Micros>,
    pub updated: Vec<Micros>,
    pub funding_min: Vec<i64>,
    pub funding_max: Vec<i64>,
    pub rolling: RoaringBitmap,
    pub open_to_all: RoaringBitmap,
    pub free_to_apply: RoaringBitmap,
    pub kind: Postings,
    pub career_stage: Postings,
    pub discipline: Postings,
    pub covers: Postings,
    pub destination: Postings,
    pub nationality: Postings,
    pub residence: Postings,
    pub organization: Postings,
    pub text: TextIndex,
    /// Slot by entry id.
    slots: HashMap<u128, u32>,
    free: Vec<u32>,
    /// Raised by every change, so that what is derived from the entries (the statuses)
    /// knows when it is out of date.
    pub version: u64,
}

/// An entry id as a number; ids are UUIDs, whose text order is their numeric order.
pub fn id_number(id: &str) -> Option<u128> {
    uuid::Uuid::parse_str(id).ok().map(|u| u.as_u128())
}

pub fn id_text(n: u128) -> String {
    uuid::Uuid::from_u128(n).to_string()
}

impl Entries {
    pub fn add_all(&mut self, entries: Vec<IndexedEntry>) {
        for entry in entries {
            self.add(entry);
        }
        self.version += 1;
    }

    /// Removes the entries `ids` and adds `entries` (their current published versions).
    pub fn replace(&mut self, ids: &[String], entries: Vec<IndexedEntry>) {
        let mut gone = RoaringBitmap::new();
        for id in ids {
            if let Some(slot) = id_number(id).and_then(|n| self.slots.remove(&n)) {
                gone.insert(slot);
                self.free.push(slot);
            }
        }
        if !gone.is_empty() {
            self.live -= &gone;
            self.rolling -= &gone;
            self.open_to_all -= &gone;
            self.free_to_apply -= &gone;
            for postings in [
                &mut self.kind,
                &mut self.career_stage,
                &mut self.discipline,
                &mut self.covers,
                &mut self.destination,
                &mut self.nationality,
                &mut self.residence,
                &mut self.organization,
            ] {
                postings.remove(&gone);
            }
            self.text.remove(&gone);
        }
        self.add_all(entries);
    }

    /// Gives back memory the vectors reserved while growing.
    pub fn shrink(&mut self) {
        self.text.shrink();
    }

    /// The slot of the entry `id`, if it is indexed.
    pub fn slot_of(&self, id: &str) -> Option<u32> {
        id_number(id).and_then(|n| self.slots.get(&n).copied())
    }

    /// How many slots there are, occupied or not.
    pub fn slot_count(&self) -> usize {
        self.id.len()
    }

    fn add(&mut self, e: IndexedEntry) {
        let Some(id) = id_number(&e.id) else {
            tracing::error!(id = %e.id, "an entry id that is no UUID is left out of the index");
            return;
        };
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                let slot = self.id.len() as u32;
                self.id.push(0);
                for column in [
                    &mut self.sort_deadline,
                    &mut self.deadline,
                    &mut self.opens_at,
                    &mut self.published,
                    &mut self.updated,
                    &mut self.funding_min,
                    &mut self.funding_max,
                ] {
                    column.push(NONE);
                }
                slot
            }
        };
        let at = slot as usize;
        self.slots.insert(id, slot);
        self.live.insert(slot);
        self.id[at] = id;
        self.sort_deadline[at] = micros(e.sort_deadline);
        self.deadline[at] = e.deadline.map_or(NONE, micros);
        self.opens_at[at] = e.opens_at.map_or(NONE, micros);
        self.published[at] = micros(e.published_at.unwrap_or(e.updated_at));
        self.updated[at] = micros(e.updated_at);
        self.funding_min[at] = e.funding_min.unwrap_or(NONE);
        self.funding_max[at] = e.funding_max.unwrap_or(NONE);
        if e.rolling {
            self.rolling.insert(slot);
        }
        if e.open_to_all {
            self.open_to_all.insert(slot);
        }
        if e.application_fee == 0 {
            self.free_to_apply.insert(slot);
        }
        self.kind.add(&e.kind, slot);
        self.career_stage.add(&e.career_stage, slot);
        self.organization.add(&e.organization_id, slot);
        for value in &e.disciplines {
            self.discipline.add(value, slot);
        }
        for value in &e.covers {
            self.covers.add(value, slot);
        }
        for value in &e.destinations {
            self.destination.add(value, slot);
        }
        for value in &e.nationalities {
            self.nationality.add(value, slot);
        }
        for value in &e.residences {
            self.residence.add(value, slot);
        }
        const FIELDS: [Field; 3] = [Field::Title, Field::Summary, Field::Description];
        for (i, text) in e.texts.iter().enumerate() {
            if let Some(text) = text {
                self.text.add(slot, FIELDS[i % 3], text);
            }
        }
        self.text.add(slot, Field::Organizer, &e.organizer);
        for (field, tokens) in FIELDS.iter().zip(&e.lemmas) {
            if let Some(tokens) = tokens {
                self.text.add_lemmas(slot, *field, tokens);
            }
        }
    }
}
