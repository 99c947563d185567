//! Account moderation for the admin API and the command line (issue 24): each
//! action is `kindred_core::moderation`'s, run in one transaction with what
//! federation needs (a local account's suspension told to other servers), then
//! the member's warning streamed. The audit log is read here too.

use chrono::{DateTime, Utc};
use kindred_core::audit::{self, Entry};
use kindred_core::moderation::{self as core, Federate, Outcome};
use kindred_core::{CoreError, Event};
use kindred_db::models::accounts;
use kindred_db::models::moderation as repo;
pub use kindred_db::models::moderation::AccountFilter;
use kindred_db::{AccountRow, AnyConnection, DbError, UserRow};
use kindred_domain::moderation::{AccountAction, AccountUndo};
use kindred_domain::Role;

use super::ServiceError;
use crate::AppState;

pub use kindred_core::audit::{Actor, AuditQuery};
pub use kindred_core::moderation::{Acting, State as ModerationState};
pub use kindred_db::models::moderation::WarningRow;

/// A core call inside a transaction: a storage error rolls it back; a refusal
/// (always decided before anything is written) is handed out as it is.
fn split<T>(r: Result<T, CoreError>) -> Result<Result<T, CoreError>, DbError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(CoreError::Db(e)) => Err(e),
        Err(refused) => Ok(Err(refused)),
    }
}

async fn run_action(
    state: &AppState,
    f: impl FnOnce(&mut AnyConnection, DateTime<Utc>) -> Result<Outcome, CoreError> + Send + 'static,
) -> Result<AccountRow, ServiceError> {
    let now = Utc::now();
    let outbox = kindred_federation::outbox::Outbox::new(&state.urls, &state.ids, now);
    let outcome = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                let r = split(f(c, now))?;
                if let Ok(o) = &r {
                    match o.federate {
                        Some(Federate::Suspended) => {
                            outbox.account_suspension(c, &o.account, true)?
                        }
                        Some(Federate::Unsuspended) => {
                            outbox.account_suspension(c, &o.account, false)?
                        }
                        None => 0,
                    };
                }
                Ok(r)
            })
        })
        .await??;
    if outcome.federate.is_some() {
        state.delivery.wake();
    }
    if !outcome.notifications.is_empty() {
        state
            .streaming
            .announce([Event::Notifications(outcome.notifications)]);
    }
    Ok(outcome.account)
}

/// `POST /api/v1/admin/accounts/:id/action`, `kindred admin accounts suspend|silence`.
pub async fn act(
    state: &AppState,
    acting: Acting,
    target_id: i64,
    action: AccountAction,
) -> Result<AccountRow, ServiceError> {
    let ids = state.ids.clone();
    run_action(state, move |c, now| {
        core::act(c, &ids, now, target_id, action, &acting)
    })
    .await
}

/// `POST /api/v1/admin/accounts/:id/enable|unsilence|unsuspend|unsensitive`.
pub async fn undo(
    state: &AppState,
    acting: Acting,
    target_id: i64,
    undo: AccountUndo,
) -> Result<AccountRow, ServiceError> {
    let ids = state.ids.clone();
    run_action(state, move |c, now| {
        core::undo(c, &ids, now, target_id, undo, &acting)
    })
    .await
}

/// `PUT /api/v1/admin/kindred/accounts/:id/role`, `kindred admin accounts role`.
pub async fn set_role(
    state: &AppState,
    actor: Actor,
    target_id: i64,
    role: Role,
) -> Result<AccountRow, ServiceError> {
    let ids = state.ids.clone();
    let now = Utc::now();
    Ok(state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                split(core::set_role(c, &ids, now, target_id, role, actor))
            })
        })
        .await??)
}

/// Approves (`true`) or rejects a sign-up waiting for approval.
pub async fn decide_sign_up(
    state: &AppState,
    actor: Actor,
    target_id: i64,
    approve: bool,
) -> Result<AccountRow, ServiceError> {
    let ids = state.ids.clone();
    let now = Utc::now();
    Ok(state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                split(if approve {
                    core::approve(c, &ids, now, target_id, actor)
                } else {
                    core::reject(c, &ids, now, target_id, actor)
                })
            })
        })
        .await??)
}

/// A local account by username, for the command line.
pub async fn local_by_username(state: &AppState, name: &str) -> Result<AccountRow, ServiceError> {
    let name = name.trim_start_matches('@').to_owned();
    state
        .db
        .run(move |c| accounts::find_local_by_username(c, &name))
        .await?
        .filter(|a| !a.role.is_group())
        .ok_or(ServiceError::NotFound)
}

/// An account by the command line's NAME: a local username, or `user@domain` for a
/// remote account known here.
pub async fn by_name(state: &AppState, name: &str) -> Result<AccountRow, ServiceError> {
    let name = name.trim().trim_start_matches('@').to_owned();
    match name.split_once('@') {
        None => local_by_username(state, &name).await,
        Some((user, domain)) => {
            let (user, domain) = (user.to_owned(), domain.to_ascii_lowercase());
            state
                .db
                .run(move |c| kindred_db::models::outbound::remote_by_handle(c, &user, &domain))
                .await?
                .map(|(a, _)| a)
                .filter(|a| !a.role.is_group())
                .ok_or(ServiceError::NotFound)
        }
    }
}

/// What the admin API shows of one account.
pub struct AdminView {
    pub account: AccountRow,
    pub user: Option<UserRow>,
    pub state: ModerationState,
}

/// One account for the admin API (any state; not a group's actor).
pub async fn view(state: &AppState, id: i64) -> Result<AdminView, ServiceError> {
    state
        .db
        .run(move |c| {
            let Some(account) = accounts::find(c, id)?.filter(|a| !a.role.is_group()) else {
                return Ok(None);
            };
            let user = accounts::find_user(c, id)?;
            let st = core::state(c, id)?;
            Ok(Some(AdminView {
                account,
                user,
                state: st,
            }))
        })
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Accounts for the admin API, newest first.
pub async fn list(state: &AppState, filter: AccountFilter) -> Result<Vec<AdminView>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            let rows = repo::list_accounts(c, &filter)?;
            let mut out = Vec::with_capacity(rows.len());
            for account in rows {
                let user = accounts::find_user(c, account.id)?;
                let st = core::state(c, account.id)?;
                out.push(AdminView {
                    account,
                    user,
                    state: st,
                });
            }
            Ok(out)
        })
        .await?)
}

/// The audit log, filtered and paged, newest first.
pub async fn audit_log(state: &AppState, query: AuditQuery) -> Result<Vec<Entry>, ServiceError> {
    Ok(state.db.run(move |c| audit::list(c, &query)).await?)
}

/// Warnings by id (the notifications of kind `moderation_warning` share them).
pub async fn warnings(state: &AppState, ids: Vec<i64>) -> Result<Vec<WarningRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| repo::warnings_by_ids(c, &ids))
        .await?)
}

/// One warning, for its target only (Mastodon's `GET /api/v1/appeals` is not
/// offered; the warning shows in the notification).
pub async fn warning_for(
    state: &AppState,
    id: i64,
    viewer: i64,
) -> Result<WarningRow, ServiceError> {
    state
        .db
        .run(move |c| repo::warning(c, id))
        .await?
        .filter(|w| w.target_account_id == viewer)
        .ok_or(ServiceError::NotFound)
}

/// Whether accounts are silenced (the account entity's `limited`).
pub async fn silenced_among(
    state: &AppState,
    ids: Vec<i64>,
) -> Result<std::collections::HashSet<i64>, ServiceError> {
    Ok(state
        .db
        .run(move |c| kindred_db::models::silenced::among(c, &ids))
        .await?)
}

/// Deletes audit entries older than the retention (`moderation.audit_retention_days`).
pub async fn prune_audit_log(state: &AppState, retention_days: u32) -> Result<usize, ServiceError> {
    Ok(state
        .db
        .run(move |c| audit::prune(c, Utc::now(), retention_days))
        .await?)
}
