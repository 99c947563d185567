//! The apps a member has let in (`/api/v1/kindred/authorized_apps`): each app with
//! live tokens for them, and revoking all of an app's tokens at once.

use chrono::{NaiveDateTime, Utc};
use kindred_db::models::oauth;

use super::ServiceError;
use crate::AppState;

/// One app with access to the member's account.
pub struct AuthorizedApp {
    pub id: i64,
    pub name: String,
    pub website: Option<String>,
    /// Every scope any of its live tokens holds.
    pub scopes: Vec<String>,
    /// When the first of its live tokens was issued.
    pub authorized_at: NaiveDateTime,
    /// The day one of its tokens was last used.
    pub last_used_at: NaiveDateTime,
}

pub async fn list(state: &AppState, account_id: i64) -> Result<Vec<AuthorizedApp>, ServiceError> {
    let rows = state
        .db
        .run(move |c| oauth::account_tokens(c, account_id))
        .await?;
    let mut apps: Vec<AuthorizedApp> = Vec::new();
    for (token, app) in rows {
        let scopes = token.scopes.split_whitespace().map(str::to_owned);
        match apps.iter_mut().find(|a| a.id == app.id) {
            Some(a) => {
                a.scopes.extend(scopes);
                a.authorized_at = a.authorized_at.min(token.created_at);
                a.last_used_at = a.last_used_at.max(token.last_active());
            }
            None => apps.push(AuthorizedApp {
                id: app.id,
                name: app.name,
                website: app.website,
                scopes: scopes.collect(),
                authorized_at: token.created_at,
                last_used_at: token.last_active(),
            }),
        }
    }
    for a in &mut apps {
        a.scopes.sort();
        a.scopes.dedup();
    }
    Ok(apps)
}

/// Ends every token of the app for this member; `NotFound` when it holds none.
pub async fn revoke(state: &AppState, account_id: i64, app_id: i64) -> Result<(), ServiceError> {
    let now = Utc::now().naive_utc();
    let ended = state
        .db
        .run(move |c| oauth::revoke_app_tokens(c, account_id, app_id, now))
        .await?;
    if ended == 0 {
        return Err(ServiceError::NotFound);
    }
    tracing::info!(
        account_id,
        app_id,
        tokens_ended = ended,
        "app access revoked"
    );
    Ok(())
}
