use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{oauth_applications, oauth_authorization_codes, oauth_tokens};
use crate::{AnyConnection, DbError};

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_applications)]
pub struct ApplicationRow {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: String,
    pub scopes: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = oauth_applications)]
pub struct NewApplication {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: String,
    pub scopes: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub token_hash: String,
    pub application_id: i64,
    pub account_id: Option<i64>,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// The day it was last used (written at most once a day).
    pub last_used_at: Option<NaiveDateTime>,
}

impl TokenRow {
    /// The day it was last used, or made.
    pub fn last_active(&self) -> NaiveDateTime {
        self.last_used_at.unwrap_or(self.created_at)
    }
}

#[derive(Insertable)]
#[diesel(table_name = oauth_tokens)]
pub struct NewToken {
    pub id: i64,
    pub token_hash: String,
    pub application_id: i64,
    pub account_id: Option<i64>,
    pub scopes: String,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = oauth_authorization_codes)]
pub struct AuthorizationCodeRow {
    pub id: i64,
    pub code_hash: String,
    pub application_id: i64,
    pub account_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = oauth_authorization_codes)]
pub struct NewAuthorizationCode {
    pub id: i64,
    pub code_hash: String,
    pub application_id: i64,
    pub account_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_application(conn: &mut AnyConnection, new: &NewApplication) -> Result<(), DbError> {
    diesel::insert_into(oauth_applications::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

pub fn find_application(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<ApplicationRow>, DbError> {
    Ok(oauth_applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_application_by_client_id(
    conn: &mut AnyConnection,
    client_id: &str,
) -> Result<Option<ApplicationRow>, DbError> {
    Ok(oauth_applications::table
        .filter(oauth_applications::client_id.eq(client_id))
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_token(conn: &mut AnyConnection, new: &NewToken) -> Result<(), DbError> {
    diesel::insert_into(oauth_tokens::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// A token that has not been revoked.
pub fn find_live_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<TokenRow>, DbError> {
    Ok(oauth_tokens::table
        .filter(oauth_tokens::token_hash.eq(token_hash))
        .filter(oauth_tokens::revoked_at.is_null())
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Revokes a token issued to this application. Unknown tokens are not an error
/// (RFC 7009: revocation answers the same either way).
pub fn revoke_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    application_id: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        oauth_tokens::table
            .filter(oauth_tokens::token_hash.eq(token_hash))
            .filter(oauth_tokens::application_id.eq(application_id))
            .filter(oauth_tokens::revoked_at.is_null()),
    )
    .set(oauth_tokens::revoked_at.eq(now))
    .execute(conn)?;
    Ok(n > 0)
}

pub fn insert_code(conn: &mut AnyConnection, new: &NewAuthorizationCode) -> Result<(), DbError> {
    diesel::insert_into(oauth_authorization_codes::table)
        .values(new)
        .execute(conn)?;
    Ok(())
}

/// Takes an authorization code for use. A code works once: the conditional update
/// means two concurrent exchanges cannot both succeed.
pub fn consume_code(
    conn: &mut AnyConnection,
    code_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<AuthorizationCodeRow>, DbError> {
    let row: Option<AuthorizationCodeRow> = oauth_authorization_codes::table
        .filter(oauth_authorization_codes::code_hash.eq(code_hash))
        .select(AuthorizationCodeRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    if row.used_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    let n = diesel::update(
        oauth_authorization_codes::table
            .find(row.id)
            .filter(oauth_authorization_codes::used_at.is_null()),
    )
    .set(oauth_authorization_codes::used_at.eq(now))
    .execute(conn)?;
    Ok((n == 1).then_some(row))
}

/// Records that a token was used on `day` (a day's start), if it was not already:
/// at most one write per token and day, not one per request.
pub fn touch_token(conn: &mut AnyConnection, id: i64, day: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(
        oauth_tokens::table.find(id).filter(
            oauth_tokens::last_used_at
                .is_null()
                .or(oauth_tokens::last_used_at.lt(day)),
        ),
    )
    .set(oauth_tokens::last_used_at.eq(day))
    .execute(conn)?;
    Ok(())
}

/// Revokes every live token of the account but `keep` (a password change keeps the
/// token that made it; a reset keeps none). Returns how many ended.
pub fn revoke_account_tokens(
    conn: &mut AnyConnection,
    account_id: i64,
    keep: Option<i64>,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let live = oauth_tokens::table
        .filter(oauth_tokens::account_id.eq(account_id))
        .filter(oauth_tokens::revoked_at.is_null());
    let n = match keep {
        Some(id) => diesel::update(live.filter(oauth_tokens::id.ne(id)))
            .set(oauth_tokens::revoked_at.eq(now))
            .execute(conn)?,
        None => diesel::update(live)
            .set(oauth_tokens::revoked_at.eq(now))
            .execute(conn)?,
    };
    Ok(n)
}

/// The account's live tokens, with their apps, newest first.
pub fn account_tokens(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<Vec<(TokenRow, ApplicationRow)>, DbError> {
    Ok(oauth_tokens::table
        .inner_join(oauth_applications::table)
        .filter(oauth_tokens::account_id.eq(account_id))
        .filter(oauth_tokens::revoked_at.is_null())
        .order(oauth_tokens::id.desc())
        .limit(1000)
        .select((TokenRow::as_select(), ApplicationRow::as_select()))
        .load(conn)?)
}

/// Revokes every live token of the account issued to the app. Returns how many.
pub fn revoke_app_tokens(
    conn: &mut AnyConnection,
    account_id: i64,
    application_id: i64,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        oauth_tokens::table
            .filter(oauth_tokens::account_id.eq(account_id))
            .filter(oauth_tokens::application_id.eq(application_id))
            .filter(oauth_tokens::revoked_at.is_null()),
    )
    .set(oauth_tokens::revoked_at.eq(now))
    .execute(conn)?)
}
