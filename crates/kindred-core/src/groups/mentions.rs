//! Which of the accounts a post names are recorded (and told) as mentioned.

use kindred_db::AccountRow;
use kindred_domain::AccountId;

/// The mentions a post carries, local or remote, from the accounts its text or
/// addressing names (active ones, already resolved by the entrance):
/// - never its author;
/// - never a local group: a group is addressed, not mentioned (it has no inbox of
///   its own here, and recording it would show a private group to whoever sees
///   the post); mentioning it places the post (`placement::place`) or nothing;
/// - nobody while the post waits (`held`) for a facilitator's review: no one is told of a
///   post no one else can see yet.
pub fn carried(author_id: AccountId, named: &[AccountRow], held: bool) -> Vec<AccountRow> {
    if held {
        return Vec::new();
    }
    let mut out: Vec<AccountRow> = Vec::new();
    for a in named {
        let group = a.role.is_group() && a.is_local();
        if a.account_id() != author_id && !group && !out.iter().any(|o| o.id == a.id) {
            out.push(a.clone());
        }
    }
    out
}
