//! Direct-message conversations: direct statuses grouped by thread, per participant,
//! with how far each participant has read and what they removed from their list.

use std::collections::HashMap;

use diesel::dsl::max;
use diesel::prelude::*;

use crate::schema::{conversation_marks, mentions, status_conversations, statuses};
use crate::{AnyConnection, DbError};

/// Records which conversation a new direct status belongs to.
pub fn attach(
    conn: &mut AnyConnection,
    status_id: i64,
    conversation_id: i64,
) -> Result<(), DbError> {
    diesel::insert_into(status_conversations::table)
        .values((
            status_conversations::status_id.eq(status_id),
            status_conversations::conversation_id.eq(conversation_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The conversation a status belongs to, if it is a direct status.
pub fn of_status(conn: &mut AnyConnection, status_id: i64) -> Result<Option<i64>, DbError> {
    Ok(status_conversations::table
        .find(status_id)
        .select(status_conversations::conversation_id)
        .first(conn)
        .optional()?)
}

/// One conversation as a participant sees it.
#[derive(Debug, Clone)]
pub struct ConversationSummary {
    pub conversation_id: i64,
    pub last_status_id: i64,
    pub unread: bool,
    /// Everyone in it besides the viewer: authors and mentioned accounts.
    pub participant_ids: Vec<i64>,
}

/// Statuses the member takes part in: as author, or mentioned.
type Participating = diesel::dsl::Or<
    diesel::dsl::Eq<statuses::account_id, i64>,
    diesel::dsl::EqAny<
        statuses::id,
        diesel::dsl::Select<
            diesel::dsl::Filter<mentions::table, diesel::dsl::Eq<mentions::account_id, i64>>,
            mentions::status_id,
        >,
    >,
>;

fn participating(member: i64) -> Participating {
    statuses::account_id.eq(member).or(statuses::id.eq_any(
        mentions::table
            .filter(mentions::account_id.eq(member))
            .select(mentions::status_id),
    ))
}

/// A page of the member's conversations, newest activity first. Pages go by the last
/// status id, as the Link header of Mastodon's conversations does.
pub fn page(
    conn: &mut AnyConnection,
    member: i64,
    hidden_accounts: &[i64],
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ConversationSummary>, DbError> {
    // Latest visible status per conversation. Community scale: a member's direct
    // messages are few enough to group in one pass.
    let latest: Vec<(i64, Option<i64>)> = status_conversations::table
        .inner_join(statuses::table)
        .filter(participating(member))
        .filter(diesel::dsl::not(
            statuses::account_id.eq_any(hidden_accounts.to_vec()),
        ))
        // A silenced account's messages reach only those who follow it (Mastodon's
        // "limit"): a member it writes to unasked sees no conversation from it.
        .filter(diesel::dsl::not(
            statuses::account_id.eq_any(crate::models::silenced::limited_for(Some(member))),
        ))
        .group_by(status_conversations::conversation_id)
        .select((status_conversations::conversation_id, max(statuses::id)))
        .load(conn)?;
    let marks: HashMap<i64, (i64, i64)> = conversation_marks::table
        .filter(conversation_marks::account_id.eq(member))
        .select((
            conversation_marks::conversation_id,
            (
                conversation_marks::read_up_to,
                conversation_marks::hidden_up_to,
            ),
        ))
        .load::<(i64, (i64, i64))>(conn)?
        .into_iter()
        .collect();
    let mut rows: Vec<(i64, i64)> = latest
        .into_iter()
        .filter_map(|(c, last)| last.map(|l| (c, l)))
        .filter(|(c, last)| marks.get(c).is_none_or(|(_, hidden)| last > hidden))
        .filter(|(_, last)| max_id.is_none_or(|m| *last < m))
        .filter(|(_, last)| since_id.is_none_or(|s| *last > s))
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    rows.truncate(limit.max(0) as usize);
    let last_ids: Vec<i64> = rows.iter().map(|(_, l)| *l).collect();
    let authors: HashMap<i64, i64> = statuses::table
        .filter(statuses::id.eq_any(&last_ids))
        .select((statuses::id, statuses::account_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let conv_ids: Vec<i64> = rows.iter().map(|(c, _)| *c).collect();
    let mut people: HashMap<i64, Vec<i64>> = HashMap::new();
    let in_convs: Vec<(i64, i64, i64)> = status_conversations::table
        .inner_join(statuses::table)
        .filter(status_conversations::conversation_id.eq_any(&conv_ids))
        .filter(participating(member))
        .select((
            status_conversations::conversation_id,
            statuses::id,
            statuses::account_id,
        ))
        .load(conn)?;
    let status_ids: Vec<i64> = in_convs.iter().map(|(_, s, _)| *s).collect();
    let mentioned: Vec<(i64, i64)> = mentions::table
        .filter(mentions::status_id.eq_any(&status_ids))
        .select((mentions::status_id, mentions::account_id))
        .load(conn)?;
    for (c, status, author) in in_convs {
        let list = people.entry(c).or_default();
        let others = mentioned
            .iter()
            .filter(|(s, _)| *s == status)
            .map(|(_, a)| *a);
        for id in std::iter::once(author).chain(others) {
            if id != member && !list.contains(&id) {
                list.push(id);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|(c, last)| ConversationSummary {
            conversation_id: c,
            last_status_id: last,
            unread: authors.get(&last).is_some_and(|a| *a != member)
                && marks.get(&c).is_none_or(|(read, _)| last > *read),
            participant_ids: {
                let mut p = people.remove(&c).unwrap_or_default();
                p.sort_unstable();
                p
            },
        })
        .collect())
}

/// The member's conversation with this id, if they take part in it.
pub fn find(
    conn: &mut AnyConnection,
    member: i64,
    conversation_id: i64,
) -> Result<Option<ConversationSummary>, DbError> {
    let last: Option<i64> = status_conversations::table
        .inner_join(statuses::table)
        .filter(status_conversations::conversation_id.eq(conversation_id))
        .filter(participating(member))
        .select(max(statuses::id))
        .first(conn)?;
    let Some(last) = last else {
        return Ok(None);
    };
    Ok(page(conn, member, &[], Some(last + 1), Some(last - 1), 1)?
        .into_iter()
        .find(|c| c.conversation_id == conversation_id))
}

fn set_mark(
    conn: &mut AnyConnection,
    member: i64,
    conversation_id: i64,
    read: Option<i64>,
    hidden: Option<i64>,
) -> Result<(), DbError> {
    let key = conversation_marks::table
        .filter(conversation_marks::account_id.eq(member))
        .filter(conversation_marks::conversation_id.eq(conversation_id));
    let exists: i64 = key.count().get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(conversation_marks::table)
            .values((
                conversation_marks::account_id.eq(member),
                conversation_marks::conversation_id.eq(conversation_id),
                conversation_marks::read_up_to.eq(read.unwrap_or(0)),
                conversation_marks::hidden_up_to.eq(hidden.unwrap_or(0)),
            ))
            .execute(conn)?;
        return Ok(());
    }
    if let Some(r) = read {
        diesel::update(key)
            .set(conversation_marks::read_up_to.eq(r))
            .execute(conn)?;
    }
    if let Some(h) = hidden {
        diesel::update(key)
            .set(conversation_marks::hidden_up_to.eq(h))
            .execute(conn)?;
    }
    Ok(())
}

pub fn mark_read(
    conn: &mut AnyConnection,
    member: i64,
    conversation_id: i64,
    up_to: i64,
) -> Result<(), DbError> {
    set_mark(conn, member, conversation_id, Some(up_to), None)
}

/// Removes the conversation from the member's list until a newer message arrives.
pub fn hide(
    conn: &mut AnyConnection,
    member: i64,
    conversation_id: i64,
    up_to: i64,
) -> Result<(), DbError> {
    set_mark(conn, member, conversation_id, Some(up_to), Some(up_to))
}
