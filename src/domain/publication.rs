//! What an entry needs before the public sees it. Every way into the published state —
//! the publish operation, an edit of a published entry, an import with `publish=true` —
//! asks [`missing`], so that each refuses an incomplete entry for the same reasons.
//!
//! The minimum is what an artist needs to decide whether to apply: what the call is and
//! what it offers in both of the directory's languages, where it takes place, until when
//! to apply, and where.

use super::opportunity::Opportunity;

/// One member an entry lacks for publication, by JSON pointer into the writable
/// representation, and why it is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub pointer: &'static str,
    pub reason: &'static str,
}

const TITLE_EN: Missing = Missing {
    pointer: "/title/en",
    reason: "is required to publish: the directory is read in English and Slovenian",
};
const TITLE_SL: Missing = Missing {
    pointer: "/title/sl",
    reason: "is required to publish: the directory is read in English and Slovenian",
};
const SUMMARY_EN: Missing = Missing {
    pointer: "/summary/en",
    reason: "is required to publish: lists show the summary, in English and Slovenian",
};
const SUMMARY_SL: Missing = Missing {
    pointer: "/summary/sl",
    reason: "is required to publish: lists show the summary, in English and Slovenian",
};
const DESTINATION: Missing = Missing {
    pointer: "/destination/countries",
    reason: "is required to publish: name at least one country, or set destination/online to true",
};
const DEADLINE: Missing = Missing {
    pointer: "/deadline",
    reason: "is required to publish unless the call is rolling",
};
const WHERE_TO_APPLY: Missing = Missing {
    pointer: "/application_url",
    reason: "is required to publish (or a source_url): readers need to know where to apply",
};

/// Every requirement, in the order they are reported.
pub const REQUIREMENTS: &[Missing] = &[
    TITLE_EN,
    TITLE_SL,
    SUMMARY_EN,
    SUMMARY_SL,
    DESTINATION,
    DEADLINE,
    WHERE_TO_APPLY,
];

/// The requirements `o` does not meet; empty when it may be published.
pub fn missing(o: &Opportunity) -> Vec<Missing> {
    let checks = [
        (TITLE_EN, o.title.en.is_some()),
        (TITLE_SL, o.title.sl.is_some()),
        (SUMMARY_EN, o.summary.en.is_some()),
        (SUMMARY_SL, o.summary.sl.is_some()),
        (
            DESTINATION,
            !o.destination.countries.is_empty() || o.destination.online,
        ),
        (DEADLINE, o.rolling || o.deadline.is_some()),
        (
            WHERE_TO_APPLY,
            o.application_url.is_some() || o.source_url.is_some(),
        ),
    ];
    checks
        .into_iter()
        .filter(|(_, met)| !met)
        .map(|(requirement, _)| requirement)
        .collect()
}

/// The rule in one sentence, for the API's documentation.
pub const RULE: &str = "To be published, an entry needs a title and a summary in English and Slovenian (`/title/en`, `/title/sl`, `/summary/en`, `/summary/sl`), a destination (at least one country in `/destination/countries`, or `/destination/online` true), a `/deadline` unless it is rolling, and where to apply (`/application_url`, or else `/source_url`). An entry that lacks any of them is refused with 422, and `errors` names each missing member by JSON pointer.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_names_every_requirement() {
        for requirement in REQUIREMENTS {
            assert!(
                RULE.contains(&format!("`{}`", requirement.pointer)),
                "{}",
                requirement.pointer
            );
        }
    }
}
