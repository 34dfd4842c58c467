//! What staff see of an entry: the public view plus its workflow state, version,
//! provenance and possible duplicates.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::changes::Change;
use crate::domain::vocabulary::WorkflowState;
use crate::store::curation::{Provenance, Similar};
use crate::store::revisions::Revision;

use crate::api::public::views::OpportunityView;

/// Who proposed a public submission.
#[derive(Serialize, ToSchema)]
pub struct Submitter {
    /// The proposer's name.
    pub name: Option<String>,
    /// The proposer's e-mail address.
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Workflow {
    /// Where the entry is: draft, in review, published, rejected, archived or withdrawn.
    pub state: WorkflowState,
    /// The version the `ETag` carries; send it back in `If-Match`.
    pub version: i32,
    /// Why the entry was last sent back to draft.
    pub rejection_reason: Option<String>,
    /// The staff account that created the entry.
    pub created_by: Option<Uuid>,
    /// For public submissions: who submitted it.
    pub submitter: Option<Submitter>,
    /// For imported entries: the import source and the entry's id there.
    pub import_source: Option<String>,
    /// The entry's id at the source it was imported from.
    pub external_id: Option<String>,
}

/// An entry of the same organizer with a near-identical title.
#[derive(Serialize, ToSchema)]
pub struct PossibleDuplicate {
    /// The similar entry's id.
    pub id: String,
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Normalised Levenshtein similarity of the titles, 0 to 1.
    pub similarity: f64,
}

impl From<&Similar> for PossibleDuplicate {
    fn from(s: &Similar) -> Self {
        PossibleDuplicate {
            id: s.id.clone(),
            slug: s.slug.clone(),
            title: s.title.clone(),
            similarity: (s.similarity * 1000.0).round() / 1000.0,
        }
    }
}

/// An entry as staff see it, in any workflow state.
#[derive(Serialize, ToSchema)]
pub struct StaffOpportunity {
    /// The entry in its writable representation.
    pub entry: OpportunityView,
    /// Where the entry is in review, and who proposed it.
    pub workflow: Workflow,
    /// Entries that look like the same call.
    pub possible_duplicates: Vec<PossibleDuplicate>,
}

impl StaffOpportunity {
    pub fn new(
        entry: OpportunityView,
        state: WorkflowState,
        version: i32,
        p: &Provenance,
        similar: &[Similar],
    ) -> Self {
        StaffOpportunity {
            entry,
            workflow: Workflow {
                state,
                version,
                rejection_reason: p.rejection_reason.clone(),
                created_by: p.created_by,
                submitter: (p.submitter_email.is_some() || p.submitter_name.is_some()).then(|| {
                    Submitter {
                        name: p.submitter_name.clone(),
                        email: p.submitter_email.clone(),
                    }
                }),
                import_source: p.import_source.clone(),
                external_id: p.external_id.clone(),
            },
            possible_duplicates: similar.iter().map(PossibleDuplicate::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StaffOpportunityList {
    /// The entries of this page.
    pub items: Vec<StaffOpportunity>,
    /// How many entries match, on all pages.
    pub total: i64,
    /// The page size used.
    pub limit: i64,
    /// The cursor of the next page, or null on the last page. Pass it back as `cursor`
    /// with the same filters and `sort` (a cursor sent with another search is a 400).
    pub next: Option<String>,
    /// The next page's absolute URL (this request with `cursor` set), or null on the last
    /// page: follow it as it is.
    pub next_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RevisionView {
    /// The entry's version after this revision.
    pub version: i32,
    /// created, updated, submitted, published, rejected, archived, withdrawn, imported.
    pub action: String,
    /// The staff account that made the change; null for public submissions and the command line.
    pub actor_id: Option<String>,
    /// The members this revision changed.
    pub changes: Vec<Change>,
    /// The reason given, if any (a rejection's, for instance).
    pub note: Option<String>,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Revision> for RevisionView {
    fn from(r: &Revision) -> Self {
        RevisionView {
            version: r.version,
            action: r.action.clone(),
            actor_id: r.actor_id.clone(),
            changes: r.changes.clone(),
            note: r.note.clone(),
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RevisionList {
    /// Every revision, oldest first.
    pub items: Vec<RevisionView>,
}

#[derive(Serialize, ToSchema)]
pub struct DuplicatePair {
    /// One entry of the pair.
    pub first: PossibleDuplicate,
    /// The entry it resembles.
    pub second: PossibleDuplicate,
}

#[derive(Serialize, ToSchema)]
pub struct DuplicateList {
    /// Pairs of entries that look like the same call, most alike first.
    pub items: Vec<DuplicatePair>,
}
