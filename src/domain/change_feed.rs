//! What the change feed says happened to the public list.

use crate::domain::vocabulary::WorkflowState;

/// One kind of change to the public list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// The entry entered the list.
    Published,
    /// A listed entry changed (its organizer's rename included).
    Updated,
    /// The entry left the list for good: staff withdrew or archived it.
    Withdrawn,
    /// The entry left the list for more work: back to draft, review or rejected.
    Unpublished,
}

impl ChangeKind {
    pub fn slug(self) -> &'static str {
        match self {
            ChangeKind::Published => "published",
            ChangeKind::Updated => "updated",
            ChangeKind::Withdrawn => "withdrawn",
            ChangeKind::Unpublished => "unpublished",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Published,
            ChangeKind::Updated,
            ChangeKind::Withdrawn,
            ChangeKind::Unpublished,
        ]
        .into_iter()
        .find(|k| k.slug() == slug)
    }

    /// Whether the entry is gone from the list after it: a mirror deletes its copy.
    pub fn is_tombstone(self) -> bool {
        matches!(self, ChangeKind::Withdrawn | ChangeKind::Unpublished)
    }

    /// What a move from one workflow state to another does to the list, if anything.
    pub fn of_transition(from: WorkflowState, to: WorkflowState) -> Option<ChangeKind> {
        use WorkflowState::{Archived, Published, Withdrawn};
        match (from == Published, to) {
            (false, Published) => Some(ChangeKind::Published),
            (true, Published) => Some(ChangeKind::Updated),
            (true, Withdrawn | Archived) => Some(ChangeKind::Withdrawn),
            (true, _) => Some(ChangeKind::Unpublished),
            (false, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WorkflowState::*;

    #[test]
    fn only_moves_into_or_out_of_the_list_or_within_it_are_changes() {
        assert_eq!(
            ChangeKind::of_transition(InReview, Published),
            Some(ChangeKind::Published)
        );
        assert_eq!(
            ChangeKind::of_transition(Published, Published),
            Some(ChangeKind::Updated)
        );
        assert_eq!(
            ChangeKind::of_transition(Published, Withdrawn),
            Some(ChangeKind::Withdrawn)
        );
        assert_eq!(
            ChangeKind::of_transition(Published, Archived),
            Some(ChangeKind::Withdrawn)
        );
        assert_eq!(
            ChangeKind::of_transition(Published, Draft),
            Some(ChangeKind::Unpublished)
        );
        assert_eq!(ChangeKind::of_transition(Draft, InReview), None);
        assert!(ChangeKind::Unpublished.is_tombstone() && !ChangeKind::Updated.is_tombstone());
        assert_eq!(
            ChangeKind::from_slug("withdrawn"),
            Some(ChangeKind::Withdrawn)
        );
    }
}
