//! The list as an Atom 1.0 feed (RFC 4287), written with `atom_syndication`.
//!
//! Entry ids are `urn:uuid:` and the entry's id, so they never change; `updated` is the
//! entry's last change and `published` its first publication, so a reader shows a
//! changed entry again. The feed links itself, the JSON list, and the next page.

use atom_syndication::{Category, Entry, Feed as AtomFeed, Link, Person, Text};

use super::Feed;
use crate::domain::opportunity::{Opportunity, Organization};
use crate::domain::text;
use crate::error::ApiError;

fn link(href: &str, rel: &str, media: Option<&str>) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: media.map(str::to_owned),
        ..Link::default()
    }
}

fn entry(feed: &Feed, o: &Opportunity, org: &Organization) -> Entry {
    let mut entry = Entry::default();
    entry.set_id(format!("urn:uuid:{}", o.id));
    entry.set_title(Text::plain(feed.text(&o.title)));
    entry.set_updated(o.updated_at.fixed_offset());
    entry.set_published(o.published_at.map(|t| t.fixed_offset()));
    entry.set_summary(Some(Text::plain(feed.text(&o.summary))));
    let mut links = vec![link(
        &feed.entry_url(o),
        "alternate",
        Some("application/json"),
    )];
    if let Some(apply) = &o.application_url {
        links.push(link(apply, "related", None));
    }
    entry.set_links(links);
    entry.set_authors(vec![Person {
        name: org.name.clone(),
        uri: org.website.clone(),
        ..Person::default()
    }]);
    let scheme = |vocabulary: &str| format!("{}/api/v1/taxonomies/{vocabulary}", feed.base);
    let mut categories = vec![Category {
        term: o.kind.slug().to_owned(),
        scheme: Some(scheme("types")),
        ..Category::default()
    }];
    categories.extend(o.disciplines.iter().map(|d| Category {
        term: d.slug().to_owned(),
        scheme: Some(scheme("disciplines")),
        ..Category::default()
    }));
    entry.set_categories(categories);
    entry
}

/// The feed of `entries`, in the order given.
pub fn render(feed: &Feed, entries: &[(Opportunity, Organization)]) -> Result<String, ApiError> {
    let mut atom = AtomFeed::default();
    atom.set_id(feed.self_url.clone());
    atom.set_title(Text::plain(feed.say(
        "International mobility: open calls, residencies and funding",
        "Mednarodna mobilnost: razpisi, rezidence in financiranje",
    )));
    atom.set_lang(feed.lang.map(|l| l.code().to_owned()));
    // The feed changed when its latest entry did, or when the directory last did.
    let updated = entries
        .iter()
        .map(|(o, _)| o.updated_at)
        .max()
        .unwrap_or(feed.modified);
    atom.set_updated(updated.fixed_offset());
    atom.set_authors(vec![Person {
        name: "mobility-directory".into(),
        uri: Some(feed.base.to_owned()),
        ..Person::default()
    }]);
    let mut links = vec![link(&feed.self_url, "self", Some("application/atom+xml"))];
    if let Some(next) = &feed.next_url {
        links.push(link(next, "next", Some("application/atom+xml")));
    }
    atom.set_links(links);
    atom.set_entries(
        entries
            .iter()
            .map(|(o, org)| entry(feed, o, org))
            .collect::<Vec<_>>(),
    );
    let bytes = atom
        .write_to(Vec::new())
        .map_err(|e| ApiError::Internal(format!("the Atom feed did not serialize: {e}")))?;
    let xml = String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    // XML cannot carry control characters, escaped or not; none appears in markup, so
    // dropping every one left in the text keeps the document XML whatever was stored.
    Ok(text::printable(&xml).into_owned())
}
