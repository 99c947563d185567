use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::instance_actor;
use crate::{AnyConnection, DbError};

const ROW_ID: i64 = 1;

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = instance_actor)]
pub struct InstanceActorRow {
    pub id: i64,
    pub private_key_pem: String,
    pub public_key_pem: String,
    pub created_at: NaiveDateTime,
}

pub fn get(conn: &mut AnyConnection) -> Result<Option<InstanceActorRow>, DbError> {
    Ok(instance_actor::table
        .find(ROW_ID)
        .select(InstanceActorRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores the key pair unless another process got there first; returns the stored row.
pub fn get_or_insert(
    conn: &mut AnyConnection,
    private_key_pem: String,
    public_key_pem: String,
    now: NaiveDateTime,
) -> Result<InstanceActorRow, DbError> {
    if let Some(row) = get(conn)? {
        return Ok(row);
    }
    let row = InstanceActorRow {
        id: ROW_ID,
        private_key_pem,
        public_key_pem,
        created_at: now,
    };
    match diesel::insert_into(instance_actor::table)
        .values(&row)
        .execute(conn)
    {
        Ok(_) => Ok(row),
        Err(e) => match DbError::from(e) {
            DbError::Conflict => get(conn)?.ok_or(DbError::NotFound),
            other => Err(other),
        },
    }
}
