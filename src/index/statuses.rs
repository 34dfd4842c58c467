//! The entries of each computed status. A status follows from the clock, so the sets are
//! worked out for an instant and kept until the next instant at which any entry's
//! status changes (it opens, starts closing soon or closes), or the entries change.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use roaring::RoaringBitmap;

use crate::domain::status::{Schedule, Status, closing_soon_window};

use super::columns::{Entries, Micros, NONE};

/// The slots of each status, in the order of [`Status::ALL`].
pub struct StatusSets {
    pub by_status: Vec<RoaringBitmap>,
    /// The entries' version the sets were worked out for.
    version: u64,
    /// They hold from this instant until just before `until`.
    from: Micros,
    until: Micros,
}

impl StatusSets {
    pub fn of(&self, status: Status) -> &RoaringBitmap {
        let at = Status::ALL
            .iter()
            .position(|s| *s == status)
            .expect("every status is in Status::ALL");
        &self.by_status[at]
    }

    /// The entries having any of `statuses`.
    pub fn any(&self, statuses: &[Status]) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for status in statuses {
            out |= self.of(*status);
        }
        out
    }
}

#[derive(Default)]
pub struct Cache {
    kept: Mutex<Option<Arc<StatusSets>>>,
}

impl Cache {
    /// The sets at `now` for `entries`, worked out again only when they may differ.
    pub fn at(&self, entries: &Entries, now: DateTime<Utc>) -> Arc<StatusSets> {
        let at = now.timestamp_micros();
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sets) = kept.as_ref()
            && sets.version == entries.version
            && sets.from <= at
            && at < sets.until
        {
            return sets.clone();
        }
        let sets = Arc::new(work_out(entries, now));
        *kept = Some(sets.clone());
        sets
    }
}

fn work_out(entries: &Entries, now: DateTime<Utc>) -> StatusSets {
    let at = now.timestamp_micros();
    let window = closing_soon_window()
        .num_microseconds()
        .expect("seven days in microseconds");
    let time = |m: Micros| {
        (m != NONE)
            .then(|| DateTime::from_timestamp_micros(m))
            .flatten()
    };
    let mut by_status = vec![RoaringBitmap::new(); Status::ALL.len()];
    let mut until = i64::MAX;
    for slot in &entries.live {
        let i = slot as usize;
        let schedule = Schedule {
            opens_at: time(entries.opens_at[i]),
            deadline: time(entries.deadline[i]),
            rolling: entries.rolling.contains(slot),
        };
        let status = schedule.status_at(now);
        let position = Status::ALL
            .iter()
            .position(|s| *s == status)
            .expect("every status is in Status::ALL");
        by_status[position].insert(slot);
        let deadline = entries.deadline[i];
        let changes = [
            entries.opens_at[i],
            if deadline == NONE {
                NONE
            } else {
                deadline - window
            },
            deadline,
        ];
        for change in changes {
            if change != NONE && change > at {
                until = until.min(change);
            }
        }
    }
    StatusSets {
        by_status,
        version: entries.version,
        from: at,
        until,
    }
}
