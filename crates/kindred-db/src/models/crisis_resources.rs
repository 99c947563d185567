//! Crisis resources: the help lines admins keep (migration `000050`), read by the
//! public list, the instance rules and the gentle notice, in their order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::crisis::{CrisisResource, CrisisResourceInput};

use crate::schema::crisis_resources;
use crate::{AnyConnection, DbError};

/// Most resources kept (a list people read in a crisis stays short).
pub const MAX_RESOURCES: i64 = 50;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crisis_resources)]
pub struct CrisisResourceRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub text_line: Option<String>,
    pub url: Option<String>,
    pub hours: Option<String>,
    pub region: Option<String>,
    pub language: Option<String>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CrisisResourceRow {
    /// A checked resource stored under `id`.
    pub fn new(id: i64, r: &CrisisResource, created_at: NaiveDateTime, now: NaiveDateTime) -> Self {
        Self {
            id,
            name: r.name.clone(),
            phone: r.reach.phone().map(str::to_owned),
            text_line: r.reach.text().map(str::to_owned),
            url: r.reach.url().map(str::to_owned),
            hours: r.hours.clone(),
            region: r.region.clone(),
            language: r.language.clone(),
            position: r.position,
            created_at,
            updated_at: now,
        }
    }

    /// The stored resource, checked again (every row was checked when written; a
    /// row that no longer passes is a read error, never shown half-valid).
    pub fn resource(&self) -> Result<CrisisResource, DbError> {
        CrisisResource::parse(
            CrisisResourceInput {
                name: Some(self.name.clone()),
                phone: self.phone.clone(),
                text: self.text_line.clone(),
                url: self.url.clone(),
                hours: self.hours.clone(),
                region: self.region.clone(),
                language: self.language.clone(),
                position: Some(self.position),
            },
            self.position,
        )
        .map_err(|e| DbError::Query(diesel::result::Error::DeserializationError(Box::new(e))))
    }
}

/// Every resource, in order (position, then age).
pub fn list(conn: &mut AnyConnection) -> Result<Vec<CrisisResourceRow>, DbError> {
    Ok(crisis_resources::table
        .order((crisis_resources::position.asc(), crisis_resources::id.asc()))
        .limit(MAX_RESOURCES)
        .select(CrisisResourceRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<CrisisResourceRow>, DbError> {
    Ok(crisis_resources::table
        .find(id)
        .select(CrisisResourceRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(crisis_resources::table.count().get_result(conn)?)
}

/// The position after the last one (where a resource without one goes).
pub fn next_position(conn: &mut AnyConnection) -> Result<i32, DbError> {
    let last: Option<i32> = crisis_resources::table
        .select(diesel::dsl::max(crisis_resources::position))
        .first(conn)?;
    Ok(last.map_or(0, |p| p.saturating_add(1)))
}

pub fn insert(conn: &mut AnyConnection, row: &CrisisResourceRow) -> Result<(), DbError> {
    diesel::insert_into(crisis_resources::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// Replaces the stored resource with `row` (same id); false when there is none.
pub fn update(conn: &mut AnyConnection, row: &CrisisResourceRow) -> Result<bool, DbError> {
    Ok(diesel::update(crisis_resources::table.find(row.id))
        .set((
            crisis_resources::name.eq(&row.name),
            crisis_resources::phone.eq(&row.phone),
            crisis_resources::text_line.eq(&row.text_line),
            crisis_resources::url.eq(&row.url),
            crisis_resources::hours.eq(&row.hours),
            crisis_resources::region.eq(&row.region),
            crisis_resources::language.eq(&row.language),
            crisis_resources::position.eq(row.position),
            crisis_resources::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?
        == 1)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(crisis_resources::table.find(id)).execute(conn)? == 1)
}
