//! The in-memory search index: every published entry's filter values, sort keys and
//! search words as compressed bitmaps (posting lists), so that a list's matches, its
//! exact total, its facet counts and its order are computed without asking the database
//! to look at every match. The database stays the only source of truth: the index is
//! built from it at start and, before every answer, brought up to the directory's
//! generation from the change log (which names every entry whose public representation
//! changed), so an answer never shows a state older than the last acknowledged write,
//! whichever instance made it.
//!
//! `MOBILITY_SEARCH_INDEX=off` answers lists from the database alone ([`Lists::Database`]),
//! as a fallback and as the reference the index is tested against.

mod columns;
mod evaluate;
mod order;
mod postings;
mod statuses;
mod text;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, RwLock, RwLockReadGuard};

use chrono::{DateTime, Utc};

use crate::db::{DbConn, Pool};
use crate::domain::opportunity::Opportunity;
use crate::store::facets::{Counts, Facet};
use crate::store::opportunities::{Depth, OpportunityFilter, Sort};
use crate::store::{self, Keyset, Page, StoreResult};

use columns::Entries;

/// How lists, searches and facet counts are answered.
pub enum Lists {
    /// From the in-memory index; the database loads only the page's entries.
    Index(Box<SearchIndex>),
    /// From the database alone.
    Database,
}

impl Lists {
    /// One page of the published entries `filter` matches, in `sort` order, and how many
    /// of the matches have each value of each facet in `wanted` (each facet counted
    /// without the filter's own condition on it), from one evaluation of the filter.
    #[allow(clippy::too_many_arguments)]
    pub fn page(
        &self,
        conn: &mut DbConn,
        filter: &OpportunityFilter,
        sort: Sort,
        after: Option<&Keyset>,
        limit: i64,
        now: DateTime<Utc>,
        depth: Depth,
        wanted: &[Facet],
    ) -> StoreResult<Listed> {
        let found = match self {
            Lists::Database => None,
            Lists::Index(index) => index.page(conn, filter, sort, after, limit, now, wanted)?,
        };
        let Some(found) = found else {
            return Ok(Listed {
                page: store::opportunities::list_to_depth(
                    conn, filter, sort, after, limit, now, depth,
                )?,
                facets: if wanted.is_empty() {
                    Vec::new()
                } else {
                    store::facets::count(conn, filter, wanted, now)?
                },
            });
        };
        Ok(Listed {
            page: Page {
                items: store::opportunities::published_in_order(conn, &found.ids, depth)?,
                total: found.total,
                next: found.next,
            },
            facets: found.facets,
        })
    }
}

/// A page of a list and the facet counts asked for with it.
pub struct Listed {
    pub page: Page<Opportunity>,
    pub facets: Vec<(Facet, Counts)>,
}

/// One page as the index finds it: the entries' ids in order, the total and the next
/// position.
pub struct Found {
    pub ids: Vec<String>,
    pub total: i64,
    pub next: Option<Keyset>,
    pub facets: Vec<(Facet, Counts)>,
}

/// The index of the published entries, as of `generation` (none before it is built).
struct State {
    generation: Option<i64>,
    entries: Entries,
}

/// The index, shared by every worker of this process.
pub struct SearchIndex {
    state: RwLock<State>,
    /// Held while the index is built or brought up to date, so that one request does it
    /// and the others wait for it instead of all reading the same changes.
    catching_up: Mutex<()>,
    statuses: statuses::Cache,
    /// Whether a keeper thread rebuilds it in the background ([`SearchIndex::keep`]),
    /// whether a rebuild is under way, and the keeper's wake-up call.
    kept: AtomicBool,
    rebuilding: AtomicBool,
    wanted: Mutex<bool>,
    wake: Condvar,
}

/// How many changed entries a request applies itself; further behind (after a large
/// import, say), the index is rebuilt in the background and the database answers
/// meanwhile, rather than one request spending seconds on it.
const MOST_CHANGES_INLINE: usize = 5_000;

/// How many entries are read per query while the index is built.
const BUILD_PAGE: i64 = 2_000;

impl Default for SearchIndex {
    fn default() -> Self {
        SearchIndex::new()
    }
}

impl SearchIndex {
    /// An index to be built from the database when it is first asked (or warmed).
    pub fn new() -> SearchIndex {
        SearchIndex {
            state: RwLock::new(State {
                generation: None,
                entries: Entries::default(),
            }),
            catching_up: Mutex::new(()),
            statuses: statuses::Cache::default(),
            kept: AtomicBool::new(false),
            rebuilding: AtomicBool::new(false),
            wanted: Mutex::new(false),
            wake: Condvar::new(),
        }
    }

    /// Builds the index now rather than on the first request that needs it; from now on
    /// the caller [keeps](SearchIndex::keep) it.
    pub fn warm(&self, pool: &Pool) -> StoreResult<()> {
        self.kept.store(true, Ordering::Release);
        // Requests meanwhile are answered by the database instead of asking the keeper
        // for a second build of their own.
        self.rebuilding.store(true, Ordering::Release);
        let built = self.rebuild(&mut idle_connection(pool));
        self.rebuilding.store(false, Ordering::Release);
        built
    }

    /// Builds the index afresh from the database.
    fn rebuild(&self, conn: &mut DbConn) -> StoreResult<()> {
        let generation = store::directory::generation(conn)?;
        let entries = build(conn)?;
        let _one_at_a_time = self.catching_up.lock().unwrap_or_else(|p| p.into_inner());
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        if state.generation.is_none_or(|g| g < generation) {
            *state = State {
                generation: Some(generation),
                entries,
            };
        }
        Ok(())
    }

    /// Asks the keeper thread for a rebuild (one is under way from now on).
    fn rebuild_in_background(&self) {
        self.rebuilding.store(true, Ordering::Release);
        *self.wanted.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_one();
    }

    /// Rebuilds the index whenever a request finds it too far behind; runs for the life
    /// of the process, on a thread of its own.
    pub fn keep(&self, pool: &Pool) {
        loop {
            {
                let mut wanted = self.wanted.lock().unwrap_or_else(|p| p.into_inner());
                while !*wanted {
                    wanted = self.wake.wait(wanted).unwrap_or_else(|p| p.into_inner());
                }
                *wanted = false;
            }
            let mut conn = idle_connection(pool);
            let done = match self.behind(&mut conn) {
                Ok(true) => self.rebuild(&mut conn),
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            };
            if let Err(error) = done {
                tracing::warn!(
                    ?error,
                    "search index not rebuilt; lists answer from the database"
                );
            }
            self.rebuilding.store(false, Ordering::Release);
        }
    }

    /// Whether the index is older than the database (or not built): a request that asked
    /// for a rebuild may have been answered by one already under way.
    fn behind(&self, conn: &mut DbConn) -> StoreResult<bool> {
        let generation = store::directory::generation(conn)?;
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        Ok(state.generation.is_none_or(|g| g < generation))
    }

    /// The index, brought up to at least the generation the database has now; none while
    /// it is not built or too far behind (the database answers then).
    fn current(&self, conn: &mut DbConn) -> StoreResult<Option<RwLockReadGuard<'_, State>>> {
        let generation = store::directory::generation(conn)?;
        let read = || self.state.read().unwrap_or_else(|p| p.into_inner());
        let up_to_date = |state: &State| state.generation.is_some_and(|g| g >= generation);
        {
            let state = read();
            if up_to_date(&state) {
                return Ok(Some(state));
            }
        }
        if self.rebuilding.load(Ordering::Acquire) {
            return Ok(None);
        }
        let _one_at_a_time = self.catching_up.lock().unwrap_or_else(|p| p.into_inner());
        let applied = read().generation;
        match applied {
            Some(applied) if applied >= generation => {}
            Some(applied) => {
                // Every change of a generation up to `generation` is visible now: writers
                // commit generations in the order they take them.
                // They are read and applied a page at a time, so that an import of a
                // hundred thousand entries is never all in memory at once.
                let changed = store::indexed::changed_after(conn, applied)?;
                if changed.len() > MOST_CHANGES_INLINE && self.kept.load(Ordering::Acquire) {
                    self.rebuild_in_background();
                    return Ok(None);
                }
                for ids in changed.chunks(BUILD_PAGE as usize) {
                    let entries = store::indexed::published_among(conn, ids)?;
                    let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
                    state.entries.replace(ids, entries);
                }
                let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
                state.generation = Some(generation);
            }
            None if self.kept.load(Ordering::Acquire) => {
                self.rebuild_in_background();
                return Ok(None);
            }
            None => {
                let entries = build(conn)?;
                let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
                *state = State {
                    generation: Some(generation),
                    entries,
                };
            }
        }
        Ok(Some(read()))
    }

    /// The page of `filter`'s matches after `after`, in `sort` order, and the counts of
    /// the facets `wanted`.
    #[allow(clippy::too_many_arguments)]
    pub fn page(
        &self,
        conn: &mut DbConn,
        filter: &OpportunityFilter,
        sort: Sort,
        after: Option<&Keyset>,
        limit: i64,
        now: DateTime<Utc>,
        wanted: &[Facet],
    ) -> StoreResult<Option<Found>> {
        let Some(state) = self.current(conn)? else {
            return Ok(None);
        };
        let statuses = self.statuses.at(&state.entries, now);
        let parts = evaluate::Parts::of(conn, &state.entries, filter, &statuses)?;
        let matches = parts.all();
        let ranking = match (&filter.text, sort) {
            (Some(text), Sort::Relevance) if !text.only_excludes() => {
                Some(parts.rank(&state.entries, &matches))
            }
            _ => None,
        };
        let mut found = order::page(
            &state.entries,
            &matches,
            sort,
            ranking.as_ref(),
            after,
            limit,
        )?;
        found.facets = wanted
            .iter()
            .map(|&facet| (facet, parts.count(&state.entries, facet, &statuses)))
            .collect();
        Ok(Some(found))
    }
}

/// A connection of the pool as soon as one is idle. Never waits in the pool's queue:
/// there it would compete with the requests (`/readyz` among them) for the reason the
/// database refuses connections, which the pool hands to one waiter only.
fn idle_connection(pool: &Pool) -> crate::db::PooledConn {
    loop {
        if let Some(conn) = pool.try_get() {
            return conn;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Every published entry, read a page at a time.
fn build(conn: &mut DbConn) -> StoreResult<Entries> {
    let mut entries = Entries::default();
    let mut after: Option<String> = None;
    loop {
        let page = store::indexed::published_page(conn, after.as_deref(), BUILD_PAGE)?;
        let Some(last) = page.last() else { break };
        after = Some(last.id.clone());
        entries.add_all(page);
    }
    entries.shrink();
    Ok(entries)
}
