//! A filter as sets of slots: one set per condition, so that a list's matches are their
//! intersection and each facet is counted over the intersection of all but its own.

use roaring::RoaringBitmap;

use crate::db::DbConn;
use crate::domain::geography::Area;
use crate::domain::search::{Term, TextQuery, Word, fold};
use crate::domain::status::{DEFAULT_LISTED, Status};
use crate::domain::vocabulary::CareerStage;
use crate::store::facets::{Counts, Facet};
use crate::store::opportunities::OpportunityFilter;
use crate::store::{self, StoreResult};

use super::columns::{Entries, Micros, NONE};
use super::statuses::StatusSets;
use super::text::{Field, InFields, anywhere};

/// The conditions of one filter, each as the set of entries meeting it; `None` where
/// the filter sets no condition.
pub struct Parts<'a> {
    live: &'a RoaringBitmap,
    text: Option<RoaringBitmap>,
    /// The entries having each wanted term of the text, per field, for ranking.
    terms: Vec<InFields>,
    kinds: Option<RoaringBitmap>,
    disciplines: Option<RoaringBitmap>,
    covers: Option<RoaringBitmap>,
    destinations: Option<RoaringBitmap>,
    career_stages: Option<RoaringBitmap>,
    statuses: Option<RoaringBitmap>,
    /// Eligibility, dates, fee, amount, organization and updates: no facet counts
    /// without them.
    rest: Option<RoaringBitmap>,
}

/// A relevance score per slot, in millionths, for the slots that match.
pub struct Ranking {
    pub score: Vec<i64>,
}

impl<'a> Parts<'a> {
    pub fn of(
        conn: &mut DbConn,
        entries: &'a Entries,
        filter: &OpportunityFilter,
        statuses: &StatusSets,
    ) -> StoreResult<Parts<'a>> {
        let (text, terms) = match &filter.text {
            Some(query) => {
                let (matches, terms) = text(conn, entries, query)?;
                (Some(matches), terms)
            }
            None => (None, Vec::new()),
        };
        let any = |postings: &super::postings::Postings, values: Vec<&str>| {
            (!values.is_empty()).then(|| postings.any(values))
        };
        let kinds = any(
            &entries.kind,
            filter.kinds.iter().map(|k| k.slug()).collect(),
        );
        let disciplines = any(
            &entries.discipline,
            filter.disciplines.iter().map(|d| d.slug()).collect(),
        );
        let covers = (!filter.covers.is_empty()).then(|| {
            let mut all = entries.live.clone();
            for cost in &filter.covers {
                match entries.covers.get(cost.slug()) {
                    Some(slots) => all &= slots,
                    None => all.clear(),
                }
            }
            all
        });
        let destinations = any(
            &entries.destination,
            filter
                .destinations
                .iter()
                .flat_map(|a| a.countries())
                .map(|c| c.code())
                .collect(),
        );
        let career_stages = (!filter.career_stages.is_empty()).then(|| {
            let mut stages: Vec<&str> = filter.career_stages.iter().map(|s| s.slug()).collect();
            stages.push(CareerStage::Any.slug());
            entries.career_stage.any(stages)
        });
        let wanted = if filter.statuses.is_empty() {
            DEFAULT_LISTED
        } else {
            &filter.statuses
        };
        let statuses =
            (!Status::ALL.iter().all(|s| wanted.contains(s))).then(|| statuses.any(wanted));
        let rest = rest(conn, entries, filter)?;
        Ok(Parts {
            live: &entries.live,
            text,
            terms,
            kinds,
            disciplines,
            covers,
            destinations,
            career_stages,
            statuses,
            rest,
        })
    }

    /// The entries meeting every condition.
    pub fn all(&self) -> RoaringBitmap {
        self.all_but(None)
    }

    /// The entries meeting every condition but the one on `facet`.
    fn all_but(&self, facet: Option<Facet>) -> RoaringBitmap {
        let mut sets: Vec<&RoaringBitmap> = [
            (None, &self.text),
            (Some(Facet::Type), &self.kinds),
            (Some(Facet::Discipline), &self.disciplines),
            (Some(Facet::Covers), &self.covers),
            (Some(Facet::DestinationCountry), &self.destinations),
            (Some(Facet::CareerStage), &self.career_stages),
            (Some(Facet::Status), &self.statuses),
            (None, &self.rest),
        ]
        .into_iter()
        .filter(|(own, _)| own.is_none() || *own != facet)
        .filter_map(|(_, set)| set.as_ref())
        .collect();
        sets.sort_by_key(|s| s.len());
        let Some((smallest, others)) = sets.split_first() else {
            return self.live.clone();
        };
        let mut out = (*smallest).clone();
        for set in others {
            out &= *set;
        }
        out
    }

    /// How many entries meeting every other condition have each value of `facet`, most
    /// first; values no entry has are left out.
    pub fn count(&self, entries: &Entries, facet: Facet, statuses: &StatusSets) -> Counts {
        let base = self.all_but(Some(facet));
        let mut counts: Counts = match facet {
            Facet::Type => tally(&base, entries.kind.iter()),
            Facet::Discipline => tally(&base, entries.discipline.iter()),
            Facet::DestinationCountry => tally(&base, entries.destination.iter()),
            Facet::Covers => tally(&base, entries.covers.iter()),
            Facet::CareerStage => tally(&base, entries.career_stage.iter()),
            Facet::Status => tally(
                &base,
                Status::ALL.iter().map(|s| (s.slug(), statuses.of(*s))),
            ),
        };
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts
    }

    /// The relevance of each of `matches` to `query`: for each wanted term an entry has,
    /// the term's rarity (BM25's idf) times the weight of each field it is in.
    pub fn rank(&self, entries: &Entries, matches: &RoaringBitmap) -> Ranking {
        let total = entries.live.len() as f64;
        let mut score = vec![0.0f64; entries.slot_count()];
        for term in &self.terms {
            let having = anywhere(term).len() as f64;
            let rarity = (1.0 + (total - having + 0.5) / (having + 0.5)).ln();
            for (field, slots) in term.iter().enumerate() {
                let weight = Field::WEIGHTS[field] * rarity;
                for slot in slots & matches {
                    score[slot as usize] += weight;
                }
            }
        }
        Ranking {
            score: score
                .into_iter()
                .map(|s| (s * 1e6).round() as i64)
                .collect(),
        }
    }
}

fn tally<'a>(
    base: &RoaringBitmap,
    values: impl Iterator<Item = (&'a str, &'a RoaringBitmap)>,
) -> Counts {
    values
        .map(|(value, slots)| (value.to_owned(), base.intersection_len(slots) as i64))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The entries matching the text query, and the entries having each wanted term.
fn text(
    conn: &mut DbConn,
    entries: &Entries,
    query: &TextQuery,
) -> StoreResult<(RoaringBitmap, Vec<InFields>)> {
    let mut terms = Vec::new();
    let mut matches: Option<RoaringBitmap> = None;
    for group in &query.groups {
        let mut any = RoaringBitmap::new();
        for term in group {
            let fields = term_fields(conn, entries, term)?;
            any |= anywhere(&fields);
            terms.push(fields);
        }
        match &mut matches {
            Some(m) => *m &= any,
            None => matches = Some(any),
        }
    }
    let mut matches = matches.unwrap_or_else(|| entries.live.clone());
    for term in &query.excluded {
        matches -= anywhere(&term_fields(conn, entries, term)?);
    }
    Ok((matches, terms))
}

/// The entries having `term`, per field. A phrase's words must follow each other, which
/// the index does not record: the entries having all its words in a field are narrowed
/// to those the database's full-text index finds the phrase in.
fn term_fields(conn: &mut DbConn, entries: &Entries, term: &Term) -> StoreResult<InFields> {
    let folded = |w: &Word| Word {
        text: fold(&w.text),
        prefix: w.prefix,
        lemmas: Vec::new(),
    };
    match term {
        // The word itself in any field, or one of its lemmas in the same field's lemmas.
        Term::Word(w) => {
            let mut fields = entries.text.find(&folded(w));
            for lemma in &w.lemmas {
                for (have, more) in fields.iter_mut().zip(entries.text.find_lemma(lemma)) {
                    *have |= more;
                }
            }
            Ok(fields)
        }
        Term::Phrase(words) => {
            let mut fields: Option<InFields> = None;
            for w in words {
                let found = entries.text.find(&folded(w));
                match &mut fields {
                    Some(fields) => {
                        for (have, more) in fields.iter_mut().zip(found) {
                            *have &= more;
                        }
                    }
                    None => fields = Some(found),
                }
            }
            let mut fields = fields.unwrap_or_default();
            if fields.iter().any(|f| !f.is_empty()) {
                let phrase = TextQuery {
                    groups: vec![vec![term.clone()]],
                    excluded: Vec::new(),
                };
                let found: RoaringBitmap = store::search::ids_matching(conn, &phrase)?
                    .iter()
                    .filter_map(|id| entries.slot_of(id))
                    .collect();
                for slots in fields.iter_mut() {
                    *slots &= &found;
                }
            }
            Ok(fields)
        }
    }
}

/// Eligibility, dates, fee, amount, organization and updates, as one set.
fn rest(
    conn: &mut DbConn,
    entries: &Entries,
    filter: &OpportunityFilter,
) -> StoreResult<Option<RoaringBitmap>> {
    let mut sets: Vec<RoaringBitmap> = Vec::new();
    if !filter.eligible.is_empty()
        || !filter.nationalities.is_empty()
        || !filter.residences.is_empty()
    {
        let nationalities = [filter.eligible.as_slice(), &filter.nationalities].concat();
        let residences = [filter.eligible.as_slice(), &filter.residences].concat();
        let mut open = entries.open_to_all.clone();
        if !nationalities.is_empty() {
            open |= entries.nationality.any(codes_matching(&nationalities));
        }
        if !residences.is_empty() {
            open |= entries.residence.any(codes_matching(&residences));
        }
        sets.push(open);
    }
    match filter.free_to_apply {
        Some(true) => sets.push(entries.free_to_apply.clone()),
        Some(false) => sets.push(&entries.live - &entries.free_to_apply),
        None => {}
    }
    if let Some(org) = &filter.organization {
        let id = store::indexed::organization_id(conn, org)?;
        sets.push(
            id.and_then(|id| entries.organization.get(&id).cloned())
                .unwrap_or_default(),
        );
    }
    let after = filter.deadline_after.map(|t| t.timestamp_micros());
    let before = filter.deadline_before.map(|t| t.timestamp_micros());
    let since = filter.updated_since.map(|t| t.timestamp_micros());
    let amount = filter.min_amount;
    if after.is_some() || before.is_some() || since.is_some() || amount.is_some() {
        let keep = |slot: &u32| {
            let i = *slot as usize;
            let deadline: Micros = entries.deadline[i];
            let dated = |bound: Option<Micros>, ok: fn(Micros, Micros) -> bool| {
                bound.is_none_or(|b| deadline != NONE && ok(deadline, b))
            };
            dated(after, |d, b| d >= b)
                && dated(before, |d, b| d < b)
                && since.is_none_or(|s| entries.updated[i] >= s)
                && amount.is_none_or(|a| {
                    let (min, max) = (entries.funding_min[i], entries.funding_max[i]);
                    if max != NONE {
                        max >= a
                    } else {
                        min != NONE && min >= a
                    }
                })
        };
        sets.push(
            RoaringBitmap::from_sorted_iter(entries.live.iter().filter(keep))
                .expect("slots come in order"),
        );
    }
    Ok(sets.into_iter().reduce(|a, b| a & b))
}

fn codes_matching(areas: &[Area]) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = areas.iter().flat_map(|a| a.matching_codes()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
