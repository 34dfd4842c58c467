//! Checking and writing the rows of an import, a batch at a time. Each row names the
//! entry it is: `id` (with the `version` it was exported at) updates that entry of this
//! directory; `external_id` creates, or updates, the entry the import's source calls so.
//! Every row is checked even after a failure, against the stored entries and the rows
//! before it, so that a dry run finds everything a real run would refuse; rows are
//! written only while none has failed.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ImportOptions;
use super::rows::{Place, Row};
use crate::api::columns;
use crate::api::http::query::MAX_REPORTED;
use crate::api::staff::opportunity_input;
use crate::db::DbConn;
use crate::domain::duplicates::{TitleNeighbours, normalize_url};
use crate::domain::opportunity::Opportunity;
use crate::domain::publication;
use crate::domain::vocabulary::WorkflowState;
use crate::error::{ApiError, FieldIssue};
use crate::store::importing::{self, ImportAction, ImportItem, ImportRun};
use crate::store::{self, StoreError, curation, organizations};

#[derive(Serialize, ToSchema)]
pub struct ImportedRow {
    /// Where the row is: for JSON its index, from 0; for CSV its spreadsheet row, the
    /// header being row 1.
    pub row: u64,
    /// The entry's id at the import's source, when the row gave one.
    pub external_id: Option<String>,
    /// `created`, `updated` (its content or, with `publish=true`, its state changed) or
    /// `unchanged` (the row says what the entry already is; nothing was written).
    #[schema(example = "updated")]
    pub action: String,
    /// The entry's id in this directory.
    pub id: Uuid,
    /// The entry's slug in this directory.
    pub slug: String,
    /// The entry's workflow state after the import.
    pub state: WorkflowState,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// How many entries the import created (or, in a dry run, would create).
    pub created: usize,
    /// How many existing entries it changed (or would change).
    pub updated: usize,
    /// How many rows matched their entry exactly and were left alone.
    pub unchanged: usize,
    /// One line per entry of the body, in order.
    pub rows: Vec<ImportedRow>,
    /// What was accepted but deserves a look, named like errors: a title near-identical
    /// to another of the same organizer, stored or in an earlier row (a possible
    /// duplicate). The first 50, and a count of the rest.
    pub warnings: Vec<FieldIssue>,
}

/// How many checked rows are written together.
const ROWS_PER_BATCH: usize = 500;

/// The entry a row names.
enum Identity {
    /// An entry of this directory, by id, with the version the row is based on.
    Entry { id: Uuid, version: Option<i32> },
    /// The entry the import's source calls so.
    External(String, Option<i32>),
}

impl Identity {
    fn version(&self) -> Option<i32> {
        match self {
            Identity::Entry { version, .. } | Identity::External(_, version) => *version,
        }
    }
}

/// A row waiting for its batch.
struct Pending {
    row: Row,
    identity: Identity,
}

/// What a title index entry stands for: a stored entry, or an earlier row.
struct TitleOwner {
    id: Option<Uuid>,
    title: String,
    who: String,
}

/// A row checked and ready to write.
struct Checked {
    place: Place,
    external_id: Option<String>,
    current: Option<Opportunity>,
    opportunity: Opportunity,
}

/// Issues, the first [`MAX_REPORTED`] kept (with the place of their row) and the rest
/// counted.
#[derive(Default)]
struct Issues {
    kept: Vec<(u64, FieldIssue)>,
    more: usize,
}

impl Issues {
    fn push(&mut self, place: Place, issue: FieldIssue) {
        if self.kept.len() < MAX_REPORTED {
            self.kept.push((place.number(), issue));
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The issues in the order of their rows, and a count of those not kept.
    fn into_list(mut self, what: &str) -> Vec<FieldIssue> {
        // Stable: a row's issues stay in the order they were found.
        self.kept.sort_by_key(|(place, _)| *place);
        let mut list: Vec<FieldIssue> = self.kept.into_iter().map(|(_, issue)| issue).collect();
        if self.more > 0 {
            list.push(FieldIssue::new(
                "…",
                format!("and {} more {what}, not listed", self.more),
            ));
        }
        list
    }
}

pub struct Importer<'a> {
    options: &'a ImportOptions,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
    errors: Issues,
    warnings: Issues,
    /// The external ids of the rows so far, and where each was.
    external_ids: HashMap<String, Place>,
    /// The entries rows so far update, and which row.
    targets: HashMap<Uuid, Place>,
    /// The normalised source URLs of the rows so far, and which row had each (described).
    source_keys: HashMap<String, String>,
    /// Titles per organizer: its stored entries' and the rows' so far.
    titles: HashMap<Uuid, TitleNeighbours<TitleOwner>>,
    /// Organizations by the id or slug rows name them with; `None` when none matches.
    organizations: HashMap<String, Option<Uuid>>,
    /// Organization slugs by id, for the representation of stored entries.
    organization_slugs: HashMap<Uuid, String>,
    pending: Vec<Pending>,
    report: ImportReport,
}

impl<'a> Importer<'a> {
    pub fn new(options: &'a ImportOptions, actor: Option<Uuid>) -> Importer<'a> {
        Importer {
            options,
            actor,
            now: Utc::now(),
            errors: Issues::default(),
            warnings: Issues::default(),
            external_ids: HashMap::new(),
            targets: HashMap::new(),
            source_keys: HashMap::new(),
            titles: HashMap::new(),
            organizations: HashMap::new(),
            organization_slugs: HashMap::new(),
            pending: Vec::new(),
            report: ImportReport {
                dry_run: options.dry_run,
                created: 0,
                updated: 0,
                unchanged: 0,
                rows: Vec::new(),
                warnings: Vec::new(),
            },
        }
    }

    /// The report, or every problem found (the first 50, and a count of the rest).
    pub fn finish(mut self, conn: &mut DbConn) -> Result<ImportReport, ApiError> {
        self.flush(conn)?;
        if !self.errors.is_empty() {
            return Err(ApiError::Unprocessable(self.errors.into_list("problems")));
        }
        self.report.warnings = self.warnings.into_list("warnings");
        Ok(self.report)
    }

    /// An issue with the member at `pointer` of the row at `place`: by JSON pointer for
    /// JSON, by spreadsheet row, column and cell for CSV.
    fn issue(row: &Row, pointer: &str, reason: impl Into<String>) -> FieldIssue {
        match row.place {
            Place::Index(index) => FieldIssue::new(format!("/{index}{pointer}"), reason),
            Place::Line(line) => match columns::holding(pointer) {
                Some(column) => FieldIssue::cell(line, column.name, row.cell(column.name), reason),
                None => FieldIssue {
                    name: format!("row {line}"),
                    reason: reason.into(),
                    row: Some(line),
                    column: None,
                    value: None,
                },
            },
        }
    }

    fn fail(&mut self, row: &Row, pointer: &str, reason: impl Into<String>) {
        self.errors
            .push(row.place, Self::issue(row, pointer, reason));
    }

    fn warn(&mut self, row: &Row, pointer: &str, reason: impl Into<String>) {
        self.warnings
            .push(row.place, Self::issue(row, pointer, reason));
    }

    /// Reads which entry a row names; checks the rest with its batch.
    pub fn row(&mut self, conn: &mut DbConn, mut row: Row) -> Result<(), ApiError> {
        for issue in std::mem::take(&mut row.issues) {
            self.errors.push(row.place, issue);
        }
        let present = |value: Option<Value>| value.filter(|v| !v.is_null());
        let id = present(row.object.remove("id"));
        let version = present(row.object.remove("version"));
        let external_id = present(row.object.remove(columns::EXTERNAL_ID.name));
        let version = match version {
            None => None,
            Some(value) => match value_integer(&value).and_then(|v| i32::try_from(v).ok()) {
                Some(v) if v >= 1 => Some(v),
                _ => {
                    self.fail(
                        &row,
                        "/version",
                        "must be the entry's version, a whole number from 1",
                    );
                    return Ok(());
                }
            },
        };
        let identity = match (id, external_id) {
            (Some(_), Some(_)) => {
                self.fail(
                    &row,
                    "/external_id",
                    "must be empty when the row has an id: the id names the entry",
                );
                return Ok(());
            }
            (Some(id), None) => {
                let Some(id) = id.as_str().and_then(|s| Uuid::parse_str(s.trim()).ok()) else {
                    self.fail(
                        &row,
                        "/id",
                        "must be the id of an entry of this directory (a UUID)",
                    );
                    return Ok(());
                };
                if version.is_none() {
                    self.fail(
                        &row,
                        "/version",
                        "is required with id: the version the row was exported at, so that an edit made since is not overwritten",
                    );
                    return Ok(());
                }
                Identity::Entry { id, version }
            }
            (None, external) => match external {
                Some(Value::String(s))
                    if !s.trim().is_empty()
                        && s.trim().chars().count() <= 200
                        && !s.contains('\0') =>
                {
                    Identity::External(s.trim().to_owned(), version)
                }
                Some(Value::Number(n)) => Identity::External(n.to_string(), version),
                _ => {
                    self.fail(
                        &row,
                        "/external_id",
                        "is required (or id, to update an entry of this directory): the entry's id at the source, at most 200 characters",
                    );
                    return Ok(());
                }
            },
        };
        if let Identity::External(external, _) = &identity {
            if let Some(first) = self.external_ids.get(external) {
                let reason = format!("appears twice in this import (also {})", first.describe());
                self.fail(&row, "/external_id", reason);
                return Ok(());
            }
            self.external_ids.insert(external.clone(), row.place);
        }
        self.pending.push(Pending { row, identity });
        if self.pending.len() >= ROWS_PER_BATCH {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Checks the pending rows against the store and the rows before them, and writes
    /// them unless a row has failed. Only a failure of the database itself ends the
    /// import early.
    fn flush(&mut self, conn: &mut DbConn) -> Result<(), ApiError> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return Ok(());
        }
        let external_ids: Vec<String> = pending
            .iter()
            .filter_map(|p| match &p.identity {
                Identity::External(e, _) => Some(e.clone()),
                Identity::Entry { .. } => None,
            })
            .collect();
        let known = curation::find_by_external_ids(conn, &self.options.source, &external_ids)?;
        let mut checked: Vec<Checked> = Vec::new();
        for Pending { row, identity } in pending {
            if let Some(c) = self.check(conn, row, identity, &known)? {
                checked.push(c);
            }
        }
        self.check_stored_sources(conn, &checked)?;
        if !self.errors.is_empty() {
            return Ok(());
        }
        self.write(conn, checked)
    }

    /// The stored entry a row updates, if any; `Err(())` when the row was refused.
    fn target(
        &mut self,
        conn: &mut DbConn,
        row: &Row,
        identity: &Identity,
        known: &HashMap<String, String>,
    ) -> Result<Result<Option<Opportunity>, ()>, ApiError> {
        let (key, pointer) = match identity {
            Identity::Entry { id, .. } => (id.to_string(), "/id"),
            Identity::External(external, _) => match known.get(external) {
                Some(id) => (id.clone(), "/external_id"),
                None => {
                    if identity.version().is_some() {
                        self.fail(row, "/version", "is only for a row that updates an entry");
                        return Ok(Err(()));
                    }
                    return Ok(Ok(None));
                }
            },
        };
        let current = match store::opportunities::find_any(conn, &key) {
            Ok(o) => o,
            Err(StoreError::NotFound) => {
                self.fail(row, pointer, "names no entry of this directory");
                return Ok(Err(()));
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(first) = self.targets.get(&current.id) {
            let reason = format!("names the same entry as {}", first.describe());
            self.fail(row, pointer, reason);
            return Ok(Err(()));
        }
        self.targets.insert(current.id, row.place);
        if current.state == WorkflowState::Withdrawn {
            self.fail(
                row,
                pointer,
                "names a withdrawn entry, which cannot be changed",
            );
            return Ok(Err(()));
        }
        if let Some(version) = identity.version()
            && version != current.version
        {
            let reason = format!(
                "is {version}, but the entry is at version {} since it changed at {}: export it again and make the change there, so that the newer edit is not overwritten",
                current.version,
                current
                    .updated_at
                    .to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            self.fail(row, "/version", reason);
            return Ok(Err(()));
        }
        Ok(Ok(Some(current)))
    }

    /// Checks one row; returns it ready to write, or `None` when it was refused.
    fn check(
        &mut self,
        conn: &mut DbConn,
        row: Row,
        identity: Identity,
        known: &HashMap<String, String>,
    ) -> Result<Option<Checked>, ApiError> {
        let Ok(current) = self.target(conn, &row, &identity, known)? else {
            return Ok(None);
        };
        // A CSV row changes the columns its table has; an entry left out of a table keeps
        // the rest. A JSON row is the whole entry.
        let object = match (&current, &row.cells) {
            (Some(current), Some(_)) => {
                let slug = self.organization_slug(conn, current.organization_id)?;
                let mut merged = opportunity_input::write(current, &slug);
                opportunity_input::merge_patch(&mut merged, &Value::Object(row.object.clone()));
                match merged {
                    Value::Object(object) => object,
                    _ => Map::new(),
                }
            }
            _ => row.object.clone(),
        };
        let input = match opportunity_input::read(&without_empty_groups(object)) {
            Ok(input) => input,
            Err(ApiError::Unprocessable(issues)) => {
                for issue in issues {
                    self.fail(&row, &issue.name, issue.reason);
                }
                return Ok(None);
            }
            Err(other) => return Err(other),
        };
        let Some(organization_id) = self.organization(conn, &input.organization)? else {
            self.fail(
                &row,
                "/organization",
                "names no organization (give its id or slug)",
            );
            return Ok(None);
        };
        let opportunity = Opportunity {
            organization_id,
            ..input.opportunity
        };
        let state = match (&current, self.options.publish) {
            (_, true) => WorkflowState::Published,
            (Some(current), false) => current.state,
            (None, false) => WorkflowState::InReview,
        };
        let mut refused = false;
        if state == WorkflowState::Published {
            for missing in publication::missing(&opportunity) {
                self.fail(&row, missing.pointer, missing.reason);
                refused = true;
            }
        }
        if current.is_none()
            && !opportunity.rolling
            && !self.options.accept_closed
            && let Some(deadline) = opportunity.deadline
            && deadline.at <= self.now
        {
            let reason = format!(
                "has passed ({}): a new call must still be open (import with accept_closed=true to load closed calls, such as an archive)",
                deadline.local().to_rfc3339_opts(SecondsFormat::Secs, true)
            );
            self.fail(&row, "/deadline", reason);
            refused = true;
        }
        let target = current.as_ref().map(|c| c.id);
        if let Some(key) = opportunity.source_url.as_deref().and_then(normalize_url) {
            // Each entry has one row at most, so an earlier row with the page is another.
            match self.source_keys.get(&key) {
                Some(first) => {
                    let reason = format!("is the same page as the source of {first}");
                    self.fail(&row, "/source_url", reason);
                    refused = true;
                }
                None => {
                    let who = match &identity {
                        Identity::External(external, _) => {
                            format!("{} (external_id {external})", row.place.describe())
                        }
                        Identity::Entry { .. } => row.place.describe(),
                    };
                    self.source_keys.insert(key, who);
                }
            }
        }
        self.compare_titles(conn, &row, &opportunity, target)?;
        if refused {
            return Ok(None);
        }
        let external_id = match identity {
            Identity::External(external, _) => Some(external),
            Identity::Entry { .. } => None,
        };
        Ok(Some(Checked {
            place: row.place,
            external_id,
            current,
            opportunity,
        }))
    }

    /// Warns of titles near-identical to another of the same organizer: of a stored entry
    /// (among its latest) or of an earlier row. Then adds the row's own.
    fn compare_titles(
        &mut self,
        conn: &mut DbConn,
        row: &Row,
        o: &Opportunity,
        target: Option<Uuid>,
    ) -> Result<(), ApiError> {
        let index = match self.titles.entry(o.organization_id) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(vacant) => {
                let mut index = TitleNeighbours::default();
                for (id, slug, title) in curation::latest_titles(conn, o.organization_id, None)? {
                    index.insert(
                        &title,
                        TitleOwner {
                            id: Uuid::parse_str(&id).ok(),
                            title: title.clone(),
                            who: format!("the entry `{slug}`"),
                        },
                    );
                }
                vacant.insert(index)
            }
        };
        let titles = [("/title/en", &o.title.en), ("/title/sl", &o.title.sl)];
        let mut warnings = Vec::new();
        for (pointer, title) in titles {
            let Some(title) = title else { continue };
            let similar = index
                .similar(title)
                .into_iter()
                .find(|(owner, _)| owner.id.is_none() || owner.id != target);
            if let Some((owner, score)) = similar {
                warnings.push((
                    pointer,
                    format!(
                        "is near-identical ({score:.2}) to \"{}\", the title of {} of the same organizer: a possible duplicate",
                        owner.title, owner.who
                    ),
                ));
            }
        }
        for (_, title) in titles {
            if let Some(title) = title {
                index.insert(
                    title,
                    TitleOwner {
                        id: target,
                        title: title.clone(),
                        who: row.place.describe(),
                    },
                );
            }
        }
        for (pointer, reason) in warnings {
            self.warn(row, pointer, reason);
        }
        Ok(())
    }

    /// Refuses rows whose source URL is already another stored entry's.
    fn check_stored_sources(
        &mut self,
        conn: &mut DbConn,
        checked: &[Checked],
    ) -> Result<(), ApiError> {
        let keys: Vec<Option<String>> = checked
            .iter()
            .map(|c| c.opportunity.source_url.as_deref().and_then(normalize_url))
            .collect();
        let wanted: Vec<String> = keys.iter().flatten().cloned().collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let stored = curation::find_by_source_keys(conn, &wanted)?;
        for (c, key) in checked.iter().zip(keys) {
            let Some((id, slug)) = key.and_then(|k| stored.get(&k)) else {
                continue;
            };
            if c.current.as_ref().map(|o| o.id.to_string()).as_ref() != Some(id) {
                let issue = match c.place {
                    Place::Index(index) => FieldIssue::new(
                        format!("/{index}/source_url"),
                        format!("is already the source of `{slug}`"),
                    ),
                    Place::Line(line) => FieldIssue::cell(
                        line,
                        "source_url",
                        c.opportunity.source_url.as_deref(),
                        format!("is already the source of `{slug}`"),
                    ),
                };
                self.errors.push(c.place, issue);
            }
        }
        Ok(())
    }

    /// Writes checked rows and reports what became of each.
    fn write(&mut self, conn: &mut DbConn, checked: Vec<Checked>) -> Result<(), ApiError> {
        let run = ImportRun {
            source: &self.options.source,
            actor: self.actor,
            publish: self.options.publish,
        };
        let mut places = Vec::new();
        let items: Vec<ImportItem> = checked
            .into_iter()
            .map(|c| {
                places.push((c.place, c.external_id.clone()));
                ImportItem {
                    external_id: c.external_id,
                    current: c.current,
                    opportunity: c.opportunity,
                }
            })
            .collect();
        let outcomes = importing::import_batch(conn, &run, items)?;
        for ((place, external_id), outcome) in places.into_iter().zip(outcomes) {
            match outcome {
                Ok(outcome) => {
                    let action = match outcome.action {
                        ImportAction::Created => {
                            self.report.created += 1;
                            "created"
                        }
                        ImportAction::Updated => {
                            self.report.updated += 1;
                            "updated"
                        }
                        ImportAction::Unchanged => {
                            self.report.unchanged += 1;
                            "unchanged"
                        }
                    };
                    self.report.rows.push(ImportedRow {
                        row: place.number(),
                        external_id,
                        action: action.into(),
                        id: outcome.id,
                        slug: outcome.slug,
                        state: outcome.state,
                    });
                }
                Err(e) => self.errors.push(place, written_issue(place, e)?),
            }
        }
        Ok(())
    }

    fn organization(&mut self, conn: &mut DbConn, key: &str) -> Result<Option<Uuid>, ApiError> {
        if let Some(found) = self.organizations.get(key) {
            return Ok(*found);
        }
        let found = match organizations::find(conn, key) {
            Ok(org) if !org.withdrawn => {
                self.organization_slugs.insert(org.id, org.slug.clone());
                Some(org.id)
            }
            Ok(_) | Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        self.organizations.insert(key.to_owned(), found);
        Ok(found)
    }

    fn organization_slug(&mut self, conn: &mut DbConn, id: Uuid) -> Result<String, ApiError> {
        if let Some(slug) = self.organization_slugs.get(&id) {
            return Ok(slug.clone());
        }
        let org = organizations::find(conn, &id.to_string())?;
        self.organization_slugs.insert(id, org.slug.clone());
        Ok(org.slug)
    }
}

/// A row the store refused while writing (a backstop: the checks come first).
fn written_issue(place: Place, e: StoreError) -> Result<FieldIssue, ApiError> {
    let (pointer, reason) = match e {
        StoreError::DuplicateSource { slug, .. } => (
            "source_url".to_owned(),
            format!("is already the source of `{slug}`"),
        ),
        StoreError::Invalid { field, message } => (field.to_owned(), message),
        StoreError::Unpublishable(missing) => {
            let first = missing.first().map_or("", |m| m.pointer);
            (
                first.trim_start_matches('/').to_owned(),
                format!(
                    "the entry cannot be published without {}",
                    missing
                        .iter()
                        .map(|m| m.pointer)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        }
        other => return Err(other.into()),
    };
    Ok(match place {
        Place::Index(index) => FieldIssue::new(format!("/{index}/{pointer}"), reason),
        Place::Line(line) => match columns::holding(&format!("/{pointer}")) {
            Some(column) => FieldIssue::cell(line, column.name, None, reason),
            None => FieldIssue::cell(line, &pointer, None, reason),
        },
    })
}

/// An integer given as a JSON number or as digits.
fn value_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The object with each nested object whose members are all empty (null) made null, so
/// that the empty cells of a group (`funding_min`, `funding_max`, `funding_currency`)
/// mean no funding rather than a funding without a currency.
fn without_empty_groups(mut object: Map<String, Value>) -> Map<String, Value> {
    for value in object.values_mut() {
        if let Value::Object(members) = value
            && members.values().all(Value::is_null)
        {
            *value = Value::Null;
        }
    }
    object
}
