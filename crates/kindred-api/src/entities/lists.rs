//! Mastodon's List entity.

use kindred_db::models::lists::ListRow;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct List {
    pub id: String,
    pub title: String,
    pub replies_policy: String,
    pub exclusive: bool,
}

impl From<&ListRow> for List {
    fn from(r: &ListRow) -> Self {
        Self {
            id: r.id.to_string(),
            title: r.title.clone(),
            replies_policy: r.replies_policy.clone(),
            exclusive: r.exclusive,
        }
    }
}
