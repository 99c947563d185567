//! Crisis resources as the API shows them (a Kindred extension, docs/api/crisis.md).

use serde::Serialize;

use super::time::timestamp;
use kindred_db::models::crisis_resources::CrisisResourceRow;

#[derive(Debug, Clone, Serialize)]
pub struct CrisisResource {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    /// A text (SMS) line: a number or a short instruction.
    pub text: Option<String>,
    pub url: Option<String>,
    pub hours: Option<String>,
    pub region: Option<String>,
    pub language: Option<String>,
    pub position: i32,
    pub updated_at: String,
}

impl From<&CrisisResourceRow> for CrisisResource {
    fn from(r: &CrisisResourceRow) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.clone(),
            phone: r.phone.clone(),
            text: r.text_line.clone(),
            url: r.url.clone(),
            hours: r.hours.clone(),
            region: r.region.clone(),
            language: r.language.clone(),
            position: r.position,
            updated_at: timestamp(r.updated_at),
        }
    }
}

/// What the gentle notice carries in a notification's `kindred` field.
#[derive(Debug, Clone, Serialize)]
pub struct CrisisNoticeEntity {
    /// A short, gentle message for apps to show above the list.
    pub message: String,
    pub resources: Vec<CrisisResource>,
}
