//! Crisis resources: admins keep the list (API and CLI), everyone reads it, the
//! instance rules and extended description point to it, and the gentle notice
//! carries it (the rule itself is `kindred_core::crisis`).

use chrono::Utc;
use kindred_core::crisis;
use kindred_db::transaction::atomically;
use kindred_domain::crisis::{CrisisResource as Checked, CrisisResourceInput};
use kindred_domain::text::escape_html;
use serde_json::{json, Value};

use super::ServiceError;
use crate::entities::crisis::{CrisisNoticeEntity, CrisisResource};
use crate::entities::time::timestamp;
use crate::AppState;

pub use kindred_core::crisis::CrisisNotice;
pub use kindred_db::models::crisis_resources::CrisisResourceRow;

/// The message above the list in the gentle notice.
pub const NOTICE_MESSAGE: &str = "Something you wrote made us want to make sure you know \
     where to find support. Only you can see this message, and nobody has been told. If \
     you are going through a hard time, these people are there to listen:";

pub async fn list(state: &AppState) -> Result<Vec<CrisisResourceRow>, ServiceError> {
    Ok(state.db.run(crisis::list).await?)
}

pub async fn find(state: &AppState, id: i64) -> Result<CrisisResourceRow, ServiceError> {
    state
        .db
        .run(move |c| kindred_db::models::crisis_resources::find(c, id))
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn create(
    state: &AppState,
    input: CrisisResourceInput,
) -> Result<CrisisResourceRow, ServiceError> {
    let ids = state.ids.clone();
    let row = state
        .db
        .run(move |c| atomically(c, |c| crisis::add(c, &ids, input, Utc::now())))
        .await??;
    tracing::info!(crisis_resource_id = row.id, "crisis resource added");
    Ok(row)
}

pub async fn update(
    state: &AppState,
    id: i64,
    input: CrisisResourceInput,
) -> Result<CrisisResourceRow, ServiceError> {
    let row = state
        .db
        .run(move |c| atomically(c, |c| crisis::update(c, id, input, Utc::now())))
        .await
        .map_err(|e| match e {
            kindred_db::DbError::NotFound => ServiceError::NotFound,
            other => other.into(),
        })??;
    tracing::info!(crisis_resource_id = row.id, "crisis resource changed");
    Ok(row)
}

pub async fn delete(state: &AppState, id: i64) -> Result<(), ServiceError> {
    if !state.db.run(move |c| crisis::remove(c, id)).await? {
        return Err(ServiceError::NotFound);
    }
    tracing::info!(crisis_resource_id = id, "crisis resource removed");
    Ok(())
}

pub fn present(rows: &[CrisisResourceRow]) -> Vec<CrisisResource> {
    rows.iter().map(CrisisResource::from).collect()
}

/// What a `kindred.crisis_resources` notification carries.
pub fn notice(rows: &[CrisisResourceRow]) -> CrisisNoticeEntity {
    CrisisNoticeEntity {
        message: NOTICE_MESSAGE.to_owned(),
        resources: present(rows),
    }
}

fn checked(rows: &[CrisisResourceRow]) -> Vec<Checked> {
    // Every row was checked when written; one that no longer parses is left out
    // rather than shown half-valid.
    rows.iter().filter_map(|r| r.resource().ok()).collect()
}

/// The public list's address.
pub fn public_url(state: &AppState) -> String {
    state
        .urls
        .path("/api/v1/kindred/crisis_resources")
        .to_string()
}

/// The last instance rule, pointing to the resources (every Mastodon app shows the
/// rules on the server's About screen); none while the list is empty.
pub fn rule(state: &AppState, rows: &[CrisisResourceRow], id: usize) -> Option<Value> {
    let lines: Vec<String> = checked(rows).iter().map(Checked::line).collect();
    if lines.is_empty() {
        return None;
    }
    Some(json!({
        "id": id.to_string(),
        "text": format!("If you are in crisis, you are not alone. You can reach: {}", lines.join("; ")),
        "hint": format!("The instance keeps this list of help lines up to date; it is also at {}", public_url(state)),
    }))
}

/// `GET /api/v1/instance/extended_description`: the description, then the crisis
/// resources (HTML, everything escaped).
pub fn extended_description(state: &AppState, rows: &[CrisisResourceRow]) -> Value {
    let mut html = format!("<p>{}</p>", escape_html(&state.instance.description));
    let resources = checked(rows);
    if !resources.is_empty() {
        html.push_str("<h2>If you are in crisis</h2><p>You are not alone. You can reach:</p><ul>");
        for r in &resources {
            html.push_str("<li>");
            html.push_str(&escape_html(&r.line()));
            html.push_str("</li>");
        }
        html.push_str("</ul>");
    }
    let updated = rows
        .iter()
        .map(|r| r.updated_at)
        .max()
        .unwrap_or(chrono::DateTime::UNIX_EPOCH.naive_utc());
    json!({ "updated_at": timestamp(updated), "content": html })
}
