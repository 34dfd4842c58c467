//! Organizations: lists sorted by name, lookups by id or slug, and inserts.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::limits;
use crate::db::schema::organizations;
use crate::domain::geography::Country;
use crate::domain::opportunity::Organization;
use crate::domain::vocabulary::OrganizationKind;

use super::rows::OrganizationRow;
use super::{Keyset, Page, StoreResult};

#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub countries: Vec<Country>,
    pub kinds: Vec<OrganizationKind>,
}

/// One page of organizations, alphabetically by name.
pub fn list(
    conn: &mut DbConn,
    filter: &OrganizationFilter,
    after: Option<&Keyset>,
    limit: i64,
) -> StoreResult<Page<Organization>> {
    use crate::db::schema::organizations::dsl::*;
    let filtered = || {
        let mut q = organizations.filter(withdrawn.eq(false)).into_boxed();
        if !filter.countries.is_empty() {
            q = q.filter(
                country.eq_any(
                    filter
                        .countries
                        .iter()
                        .map(|c| c.code())
                        .collect::<Vec<_>>(),
                ),
            );
        }
        if !filter.kinds.is_empty() {
            q = q.filter(kind.eq_any(filter.kinds.iter().map(|k| k.slug()).collect::<Vec<_>>()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let mut query = filtered()
        .select(OrganizationRow::as_select())
        .order((name.asc(), id.asc()));
    if let Some(position) = after {
        let [after_name] = position.keys::<1>()?;
        query = query.filter(
            name.gt(after_name.to_owned()).or(name
                .eq(after_name.to_owned())
                .and(id.gt(position.id.clone()))),
        );
    }
    let mut rows: Vec<OrganizationRow> = query.limit(limit + 1).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| Keyset {
            keys: vec![r.name.clone()],
            id: r.id.clone(),
        })
    } else {
        None
    };
    Ok(Page {
        items: rows
            .into_iter()
            .map(OrganizationRow::into_domain)
            .collect::<StoreResult<_>>()?,
        total,
        next,
    })
}

pub fn find(conn: &mut DbConn, id_or_slug: &str) -> StoreResult<Organization> {
    use crate::db::schema::organizations::dsl::*;
    organizations
        .filter(id.eq(id_or_slug).or(slug.eq(id_or_slug)))
        .select(OrganizationRow::as_select())
        .first(conn)?
        .into_domain()
}

/// Several organizations by id, for embedding in opportunity lists.
pub fn find_many(conn: &mut DbConn, ids: &[String]) -> StoreResult<Vec<Organization>> {
    use crate::db::schema::organizations::dsl::*;
    organizations
        .filter(id.eq_any(ids))
        .select(OrganizationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(OrganizationRow::into_domain)
        .collect()
}

pub fn insert(conn: &mut DbConn, o: &Organization) -> StoreResult<()> {
    limits::write_transaction(conn, |conn| {
        super::directory::touch(conn)?;
        diesel::insert_into(organizations::table)
            .values(&OrganizationRow::from_domain(o))
            .execute(conn)?;
        Ok(())
    })
}

/// Replaces a stored organization with `o` if it is still at `expected_version`.
pub fn update(conn: &mut DbConn, o: &Organization, expected_version: i32) -> StoreResult<()> {
    use crate::db::schema::organizations::dsl::*;
    limits::write_transaction(conn, |conn| {
        super::directory::touch(conn)?;
        let changed = diesel::update(
            organizations
                .filter(id.eq(o.id.to_string()))
                .filter(version.eq(expected_version)),
        )
        .set(&OrganizationRow::from_domain(o))
        .execute(conn)?;
        if changed == 0 {
            return Err(super::StoreError::Stale);
        }
        super::search::rename_organizer(conn, &o.id.to_string(), &o.name)?;
        super::changes::record_organizer_change(conn, &o.id.to_string())
    })
}

/// Stores a new organization and its `created` revision, in one transaction.
pub fn create_recorded(
    conn: &mut DbConn,
    o: &Organization,
    actor: Option<uuid::Uuid>,
    changes: Vec<crate::domain::changes::Change>,
) -> StoreResult<()> {
    limits::write_transaction(conn, |conn| {
        insert(conn, o)?;
        super::revisions::record(
            conn,
            super::revisions::Event {
                entity: "organization",
                entity_id: &o.id.to_string(),
                version: o.version,
                actor,
                action: "created",
                changes,
                note: None,
            },
        )
    })
}

/// Replaces an organization still at `expected_version` and records the revision.
pub fn update_recorded(
    conn: &mut DbConn,
    o: &Organization,
    expected_version: i32,
    actor: Option<uuid::Uuid>,
    action: &'static str,
    changes: Vec<crate::domain::changes::Change>,
) -> StoreResult<()> {
    limits::write_transaction(conn, |conn| {
        update(conn, o, expected_version)?;
        super::revisions::record(
            conn,
            super::revisions::Event {
                entity: "organization",
                entity_id: &o.id.to_string(),
                version: o.version,
                actor,
                action,
                changes,
                note: None,
            },
        )
    })
}
