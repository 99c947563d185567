//! Look-ups the inbox needs that the client API does not: statuses by their
//! ActivityPub id, pending outbound follow requests.

use diesel::prelude::*;

use crate::connection::native;
use crate::models::statuses::StatusRow;
use crate::schema::{follow_requests, follows, statuses};
use crate::{AnyConnection, DbError};

pub fn status_by_uri(conn: &mut AnyConnection, uri: &str) -> Result<Option<StatusRow>, DbError> {
    Ok(native!(conn, c => statuses::table
        .filter(statuses::uri.eq(uri))
        .select(StatusRow::as_select())
        .first(c)
        .optional())?)
}

/// Whether `a` asked to follow `b` and is waiting.
pub fn follow_requested(conn: &mut AnyConnection, a: i64, b: i64) -> Result<bool, DbError> {
    let n: i64 = follow_requests::table
        .filter(follow_requests::account_id.eq(a))
        .filter(follow_requests::target_account_id.eq(b))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The follow row id from `a` to `b`, if `a` follows `b`.
pub fn follow_id(conn: &mut AnyConnection, a: i64, b: i64) -> Result<Option<i64>, DbError> {
    Ok(follows::table
        .filter(follows::account_id.eq(a))
        .filter(follows::target_account_id.eq(b))
        .select(follows::id)
        .first(conn)
        .optional()?)
}

/// Whether any local account follows `account_id` (or asked to).
pub fn followed_locally(conn: &mut AnyConnection, account_id: i64) -> Result<bool, DbError> {
    use crate::schema::accounts;
    // Run for nearly every pushed note (most arrive because someone here follows
    // the author): on the backend's own connection.
    let n: i64 = native!(conn, c => follows::table
        .filter(follows::target_account_id.eq(account_id))
        .filter(
            follows::account_id.eq_any(
                accounts::table
                    .filter(accounts::domain.eq(""))
                    .select(accounts::id),
            ),
        )
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::models::notifications::{self, NotificationRow};
    use crate::models::{received, remote_accounts, social};
    use crate::scratch::ScratchDb;

    /// The look-ups and writes every received note runs besides the status insert
    /// (`inbox/receive.rs`, `inbox/note.rs`): each must be a statement diesel
    /// caches, or SQLite parses and plans it again on every call.
    #[test]
    fn the_inbox_per_note_queries_run_only_cached_statements() {
        let ((), log) = ScratchDb::sqlite("inbox-queries").run_logged(|c| {
            let now = Utc::now().naive_utc();
            for n in 1..=2 {
                received::check(c, "id-hash", "signature-hash")?;
                received::record(c, &format!("id-hash-{n}"), "signature-hash", now)?;
                remote_accounts::find_by_uri(c, "https://remote.example/users/ann")?;
                status_by_uri(c, "https://remote.example/notes/1")?;
                followed_locally(c, 5)?;
                social::notifying_followers(c, 5)?;
                // Checks blocks both ways, then inserts.
                let note = NotificationRow::new(
                    n,
                    kindred_domain::AccountId::new(7),
                    kindred_domain::AccountId::new(5),
                    kindred_domain::NotificationKind::Mention,
                    Some(kindred_domain::StatusId::new(1)),
                    now,
                );
                notifications::insert(c, &[note])?;
            }
            Ok(())
        });
        log.assert_all_cached("INSERT INTO `notifications`");
    }
}
