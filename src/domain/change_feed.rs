//! What the change feed says happened to the public list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::domain::vocabulary::WorkflowState;

/// A place in the feed: the directory generation of the transaction that wrote an event,
/// and the event's ordinal in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub generation: i64,
    pub ordinal: i32,
}

impl Position {
    /// Before every event.
    pub const START: Position = Position {
        generation: 0,
        ordinal: 0,
    };

    /// The opaque cursor of this position, as the feed and webhooks carry it.
    pub fn cursor(self) -> String {
        let raw = serde_json::json!([
            "changes",
            [self.generation.to_string()],
            self.ordinal.to_string()
        ]);
        URL_SAFE_NO_PAD.encode(raw.to_string())
    }

    /// The position a cursor names, if the feed issued it.
    pub fn from_cursor(cursor: &str) -> Option<Position> {
        if cursor.len() > 1000 {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let (scope, keys, ordinal): (String, Vec<String>, String) =
            serde_json::from_slice(&raw).ok()?;
        (scope == "changes").then_some(())?;
        Some(Position {
            generation: keys.first()?.parse().ok()?,
            ordinal: ordinal.parse().ok()?,
        })
    }
}

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
    fn a_cursor_names_its_position_and_nothing_else() {
        let p = Position {
            generation: 42,
            ordinal: 3,
        };
        assert_eq!(Position::from_cursor(&p.cursor()), Some(p));
        assert_eq!(Position::START.cursor(), "WyJjaGFuZ2VzIixbIjAiXSwiMCJd");
        assert_eq!(Position::from_cursor("not-a-cursor"), None);
    }

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
