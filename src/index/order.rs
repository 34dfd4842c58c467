//! One page of matches in a list's order, after a cursor: the `limit` smallest sort keys
//! past the cursor's, kept in a bounded heap while the matches are read once.

use std::collections::BinaryHeap;

use chrono::DateTime;
use roaring::RoaringBitmap;

use crate::store::opportunities::Sort;
use crate::store::{Keyset, StoreResult, invalid_cursor, parse_time_key, time_key};

use super::Found;
use super::columns::{Entries, Micros, id_number, id_text, micros};
use super::evaluate::Ranking;

/// A position in a list's order: entries sort by it ascending. Descending orders negate
/// their keys.
type Key = (i64, u128);

pub fn page(
    entries: &Entries,
    matches: &RoaringBitmap,
    sort: Sort,
    ranking: Option<&Ranking>,
    after: Option<&Keyset>,
    limit: i64,
) -> StoreResult<Found> {
    let order = Order::of(sort, ranking);
    let after = after.map(|k| order.cursor_key(k)).transpose()?;
    let wanted = limit.max(0) as usize + 1;
    let mut heap: BinaryHeap<(Key, u32)> = BinaryHeap::with_capacity(wanted + 1);
    for slot in matches {
        let key = order.key(entries, slot);
        if after.is_some_and(|a| key <= a) {
            continue;
        }
        if heap.len() < wanted {
            heap.push((key, slot));
        } else if heap.peek().is_some_and(|(top, _)| key < *top) {
            heap.pop();
            heap.push((key, slot));
        }
    }
    let mut page = heap.into_sorted_vec();
    let more = page.len() == wanted;
    page.truncate(wanted - 1);
    let next = if more {
        page.last().map(|&(_, slot)| keyset(entries, ranking, slot))
    } else {
        None
    };
    Ok(Found {
        ids: page
            .iter()
            .map(|&(_, slot)| id_text(entries.id[slot as usize]))
            .collect(),
        total: matches.len() as i64,
        next,
        facets: Vec::new(),
    })
}

enum Order<'a> {
    Deadline,
    DeadlineDesc,
    Newest,
    Updated,
    Relevance(&'a Ranking),
}

impl<'a> Order<'a> {
    fn of(sort: Sort, ranking: Option<&'a Ranking>) -> Order<'a> {
        match (sort, ranking) {
            (Sort::Relevance, Some(ranking)) => Order::Relevance(ranking),
            (Sort::Deadline | Sort::Relevance, _) => Order::Deadline,
            (Sort::DeadlineDesc, _) => Order::DeadlineDesc,
            (Sort::Newest, _) => Order::Newest,
            (Sort::Updated, _) => Order::Updated,
        }
    }

    fn key(&self, entries: &Entries, slot: u32) -> Key {
        let i = slot as usize;
        let id = entries.id[i];
        self.key_of(
            match self {
                Order::Deadline | Order::DeadlineDesc => entries.sort_deadline[i],
                Order::Newest => entries.published[i],
                Order::Updated => entries.updated[i],
                Order::Relevance(ranking) => ranking.score[i],
            },
            id,
        )
    }

    fn key_of(&self, value: i64, id: u128) -> Key {
        match self {
            Order::Deadline => (value, id),
            Order::Relevance(_) => (-value, id),
            Order::DeadlineDesc | Order::Newest | Order::Updated => (-value, u128::MAX - id),
        }
    }

    /// The position a cursor names, in this order.
    fn cursor_key(&self, keyset: &Keyset) -> StoreResult<Key> {
        let [deadline, published, updated, relevance] = keyset.keys.as_slice() else {
            return Err(invalid_cursor());
        };
        let id = id_number(&keyset.id).ok_or_else(invalid_cursor)?;
        let time = |key: &str| -> StoreResult<Micros> { Ok(micros(parse_time_key(key)?)) };
        let value = match self {
            Order::Deadline | Order::DeadlineDesc => time(deadline)?,
            Order::Newest => time(published)?,
            Order::Updated => time(updated)?,
            Order::Relevance(_) => {
                let score: f64 = relevance.parse().map_err(|_| invalid_cursor())?;
                if !score.is_finite() {
                    return Err(invalid_cursor());
                }
                (score * 1e6).round() as i64
            }
        };
        Ok(self.key_of(value, id))
    }
}

/// The cursor of the page that ends with `slot`: every order's key, as the database's
/// lists write them, so that either answers the other's cursors.
fn keyset(entries: &Entries, ranking: Option<&Ranking>, slot: u32) -> Keyset {
    let i = slot as usize;
    let time = |m: Micros| {
        time_key(
            DateTime::from_timestamp_micros(m)
                .expect("a stored instant")
                .naive_utc(),
        )
    };
    let relevance = ranking.map_or(0.0, |r| r.score[i] as f64 / 1e6);
    Keyset {
        keys: vec![
            time(entries.sort_deadline[i]),
            time(entries.published[i]),
            time(entries.updated[i]),
            relevance.to_string(),
        ],
        id: id_text(entries.id[i]),
    }
}
