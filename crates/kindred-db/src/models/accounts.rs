use chrono::NaiveDateTime;
use diesel::prelude::*;
use kindred_domain::{AccountId, AccountRole, Role};

use crate::connection::native;
use crate::models::search_index;
use crate::schema::{accounts, users};
use crate::{AnyConnection, DbError};

/// An actor's public profile and state. Holds nothing secret.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub username_lower: String,
    pub domain: String,
    pub display_name: String,
    pub note: String,
    #[diesel(deserialize_as = String)]
    pub role: AccountRole,
    pub public_key_pem: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub hide_collections: bool,
    pub approved: bool,
    pub suspended: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AccountRow {
    /// The id, typed (`kindred_domain::ids`): what the rules of kindred-core take.
    pub fn account_id(&self) -> AccountId {
        AccountId::new(self.id)
    }

    pub fn is_local(&self) -> bool {
        self.domain.is_empty()
    }

    /// May log in and act: approved and not suspended.
    pub fn is_active(&self) -> bool {
        self.approved && !self.suspended
    }
}

/// A local account's login and private settings. No `Debug`: it holds a password hash,
/// a private key and the encrypted email, none of which may reach a log line.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub account_id: i64,
    pub email_ciphertext: Option<Vec<u8>>,
    pub email_lookup: Option<String>,
    pub password_hash: Option<String>,
    pub private_key_pem: String,
    pub sign_up_reason: Option<String>,
    pub invite_id: Option<i64>,
    pub default_privacy: String,
    pub default_sensitive: bool,
    pub default_language: Option<String>,
    pub created_at: NaiveDateTime,
    /// The rules' version accepted at sign-up, and when (`None` before the portal).
    pub rules_version: Option<String>,
    pub rules_accepted_at: Option<NaiveDateTime>,
    /// The portal's language chosen in settings.
    pub ui_language: Option<String>,
}

// Clone: a typed field (`serialize_as`) is inserted by value.
#[derive(Clone, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount {
    pub id: i64,
    pub username: String,
    pub username_lower: String,
    pub domain: String,
    pub display_name: String,
    pub note: String,
    #[diesel(serialize_as = String)]
    pub role: AccountRole,
    pub public_key_pem: String,
    pub approved: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub account_id: i64,
    pub email_ciphertext: Option<Vec<u8>>,
    pub email_lookup: Option<String>,
    pub password_hash: Option<String>,
    pub private_key_pem: String,
    pub sign_up_reason: Option<String>,
    pub invite_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A partial profile update; `None` leaves a column unchanged.
#[derive(AsChangeset, Default)]
#[diesel(table_name = accounts)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub hide_collections: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A partial update of posting defaults (Mastodon's `source`).
#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
pub struct PreferenceChanges {
    pub default_privacy: Option<String>,
    pub default_sensitive: Option<bool>,
    pub default_language: Option<Option<String>>,
    pub ui_language: Option<Option<String>>,
}

impl PreferenceChanges {
    fn is_empty(&self) -> bool {
        self.default_privacy.is_none()
            && self.default_sensitive.is_none()
            && self.default_language.is_none()
            && self.ui_language.is_none()
    }
}

/// Creates a local account and its login in one transaction.
pub fn insert_local(
    conn: &mut AnyConnection,
    account: &NewAccount,
    user: &NewUser,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        // An erased member's name is never given to someone else.
        if crate::models::erasure::name_reserved(conn, &account.username_lower)? {
            return Err(DbError::Conflict);
        }
        diesel::insert_into(accounts::table)
            .values(account.clone())
            .execute(conn)?;
        search_index::index_account(conn, account.id, &account.display_name)?;
        diesel::insert_into(users::table)
            .values(user)
            .execute(conn)?;
        Ok(())
    })
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<AccountRow>, DbError> {
    Ok(accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_user(conn: &mut AnyConnection, account_id: i64) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .find(account_id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Local account by username, case-insensitively.
pub fn find_local_by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<AccountRow>, DbError> {
    Ok(native!(conn, c => accounts::table
        .filter(accounts::username_lower.eq(username.to_ascii_lowercase()))
        .filter(accounts::domain.eq(""))
        .select(AccountRow::as_select())
        .first(c)
        .optional())?)
}

/// Local accounts by username, case-insensitively (the mentions in a post).
pub fn find_local_by_usernames(
    conn: &mut AnyConnection,
    usernames: &[String],
) -> Result<Vec<AccountRow>, DbError> {
    let mut lower: Vec<String> = usernames.iter().map(|u| u.to_ascii_lowercase()).collect();
    lower.sort();
    lower.dedup();
    match conn {
        // Diesel does not cache a statement whose `IN (?, ?, …)` varies in length,
        // so on SQLite a list would be parsed and planned on every call (for every
        // received note): one cached look-up per name is cheaper, and a post names
        // few.
        AnyConnection::Sqlite(_) => {
            let mut found = Vec::with_capacity(lower.len());
            for name in &lower {
                found.extend(find_local_by_username(conn, name)?);
            }
            Ok(found)
        }
        // PostgreSQL binds the list as one array (`= ANY($1)`), a cached statement.
        AnyConnection::Postgresql(c) if !lower.is_empty() => Ok(accounts::table
            .filter(accounts::username_lower.eq_any(lower))
            .filter(accounts::domain.eq(""))
            .select(AccountRow::as_select())
            .load(c)?),
        AnyConnection::Postgresql(_) => Ok(Vec::new()),
    }
}

/// Local accounts and logins by the keyed hash of an email address. One address may
/// belong to several pseudonyms; the password tells them apart at login.
pub fn find_local_by_email_lookup(
    conn: &mut AnyConnection,
    lookup: &str,
) -> Result<Vec<(AccountRow, UserRow)>, DbError> {
    Ok(accounts::table
        .inner_join(users::table)
        .filter(users::email_lookup.eq(lookup))
        .order(accounts::id)
        .limit(10)
        .select((AccountRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

pub fn update_profile(
    conn: &mut AnyConnection,
    id: i64,
    profile: &ProfileChanges,
    preferences: &PreferenceChanges,
) -> Result<(), DbError> {
    crate::transaction::atomically(conn, |conn| {
        let n = diesel::update(accounts::table.find(id))
            .set(profile)
            .execute(conn)?;
        if n == 0 {
            return Err(DbError::NotFound);
        }
        if let Some(name) = &profile.display_name {
            search_index::index_account(conn, id, name)?;
        }
        if !preferences.is_empty() {
            diesel::update(users::table.find(id))
                .set(preferences)
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Records that a member accepted the rules of `version` at `at` (sign-up).
pub fn record_rules_acceptance(
    conn: &mut AnyConnection,
    account_id: i64,
    version: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(users::table.find(account_id))
        .set((
            users::rules_version.eq(version),
            users::rules_accepted_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The portal language a member chose, if any.
pub fn ui_language(conn: &mut AnyConnection, account_id: i64) -> Result<Option<String>, DbError> {
    Ok(users::table
        .find(account_id)
        .select(users::ui_language)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Marks a pending local account approved. Returns false when there is no such account.
pub fn approve(
    conn: &mut AnyConnection,
    username: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        accounts::table
            .filter(accounts::username_lower.eq(username.to_ascii_lowercase()))
            .filter(accounts::domain.eq("")),
    )
    .set((accounts::approved.eq(true), accounts::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// Local accounts that can log in (the instance's user count).
pub fn count_active_local(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq(""))
        // Groups are accounts that never log in.
        .filter(accounts::role.ne(AccountRole::Group.as_str()))
        .filter(accounts::approved.eq(true))
        .filter(accounts::suspended.eq(false))
        .count()
        .get_result(conn)?)
}

/// Local moderators and admins in good standing: who is told about sign-ups
/// waiting for approval.
pub fn local_staff_ids(conn: &mut AnyConnection) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq(""))
        .filter(accounts::role.eq_any([
            AccountRole::Person(Role::Moderator).as_str(),
            AccountRole::Person(Role::Admin).as_str(),
        ]))
        .filter(accounts::suspended.eq(false))
        .select(accounts::id)
        .load(conn)?)
}

/// Sets a local person's instance role. Returns false when there is no such
/// account (groups are never given a role).
pub fn set_role(
    conn: &mut AnyConnection,
    account_id: i64,
    role: Role,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(
        accounts::table
            .find(account_id)
            .filter(accounts::domain.eq(""))
            .filter(accounts::role.ne(AccountRole::Group.as_str())),
    )
    .set((
        accounts::role.eq(AccountRole::Person(role).as_str()),
        accounts::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// Deletes a pending (never approved) local sign-up: its login and its account,
/// which holds nothing else yet. Returns false when it is not pending.
pub fn delete_pending(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    crate::transaction::atomically(conn, |conn| {
        let pending = accounts::table
            .find(account_id)
            .filter(accounts::domain.eq(""))
            .filter(accounts::approved.eq(false))
            .select(accounts::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        if !pending {
            return Ok(false);
        }
        diesel::delete(users::table.find(account_id)).execute(conn)?;
        diesel::delete(accounts::table.find(account_id)).execute(conn)?;
        Ok(true)
    })
}

/// Local admins in good standing: who is told about new sign-ups.
pub fn local_admin_ids(conn: &mut AnyConnection) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::domain.eq(""))
        .filter(accounts::role.eq(AccountRole::Person(Role::Admin).as_str()))
        .filter(accounts::suspended.eq(false))
        .select(accounts::id)
        .load(conn)?)
}

/// Sets a local account's password hash (a change or a reset; the caller ends the
/// tokens it should).
pub fn set_password_hash(
    conn: &mut AnyConnection,
    account_id: i64,
    hash: &str,
) -> Result<(), DbError> {
    let n = diesel::update(users::table.find(account_id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Sets a local account's address (encrypted, with its keyed look-up hash).
pub fn set_email(
    conn: &mut AnyConnection,
    account_id: i64,
    ciphertext: Vec<u8>,
    lookup: String,
) -> Result<(), DbError> {
    let n = diesel::update(users::table.find(account_id))
        .set((
            users::email_ciphertext.eq(Some(ciphertext)),
            users::email_lookup.eq(Some(lookup)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::ScratchDb;

    /// Every received note looks up the local names it mentions: on SQLite an
    /// `IN` list of varying length would be parsed and planned on every call.
    #[test]
    fn looking_up_mentioned_names_runs_only_cached_statements() {
        let (found, log) = ScratchDb::sqlite("mentioned-names").run_logged(|c| {
            let mut found = find_local_by_usernames(c, &["Ann".into(), "bo".into()])?;
            found.extend(find_local_by_usernames(c, &["cy".into()])?);
            found.extend(find_local_by_usernames(c, &[])?);
            Ok(found)
        });
        assert!(found.is_empty());
        log.assert_all_cached("SELECT");
    }
}
