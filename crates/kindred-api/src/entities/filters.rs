//! Mastodon's Filter, FilterKeyword, FilterStatus and FilterResult entities (v2), and
//! the v1 filter shape older apps still read.

use kindred_db::models::filters::{FilterStatusRow, FullFilter, KeywordRow};
use kindred_domain::filters::FilterContexts;
use serde::Serialize;

use super::status::timestamp;

#[derive(Debug, Serialize, Clone)]
pub struct FilterKeyword {
    pub id: String,
    pub keyword: String,
    pub whole_word: bool,
}

impl From<&KeywordRow> for FilterKeyword {
    fn from(k: &KeywordRow) -> Self {
        Self {
            id: k.id.to_string(),
            keyword: k.keyword.clone(),
            whole_word: k.whole_word,
        }
    }
}

#[derive(Debug, Serialize, Clone)]
pub struct FilterStatus {
    pub id: String,
    pub status_id: String,
}

impl From<&FilterStatusRow> for FilterStatus {
    fn from(s: &FilterStatusRow) -> Self {
        Self {
            id: s.id.to_string(),
            status_id: s.status_id.to_string(),
        }
    }
}

#[derive(Debug, Serialize, Clone)]
pub struct Filter {
    pub id: String,
    pub title: String,
    pub context: Vec<&'static str>,
    pub expires_at: Option<String>,
    pub filter_action: String,
    pub keywords: Vec<FilterKeyword>,
    pub statuses: Vec<FilterStatus>,
}

impl From<&FullFilter> for Filter {
    fn from(f: &FullFilter) -> Self {
        Self {
            id: f.filter.id.to_string(),
            title: f.filter.title.clone(),
            context: FilterContexts::from_stored(&f.filter.contexts).names(),
            expires_at: f.filter.expires_at.map(timestamp),
            filter_action: f.filter.filter_action.clone(),
            keywords: f.keywords.iter().map(FilterKeyword::from).collect(),
            statuses: f.statuses.iter().map(FilterStatus::from).collect(),
        }
    }
}

/// Why a status in a response was filtered (`Status.filtered`).
#[derive(Debug, Serialize, Clone)]
pub struct FilterResult {
    pub filter: Filter,
    pub keyword_matches: Option<Vec<String>>,
    pub status_matches: Option<Vec<String>>,
}

/// v1 `Filter`: one keyword of a v2 filter, as Mastodon presents v2 filters to v1 apps.
#[derive(Debug, Serialize)]
pub struct FilterV1 {
    pub id: String,
    pub phrase: String,
    pub context: Vec<&'static str>,
    pub whole_word: bool,
    pub expires_at: Option<String>,
    pub irreversible: bool,
}

impl FilterV1 {
    pub fn all(f: &FullFilter) -> Vec<Self> {
        f.keywords
            .iter()
            .map(|k| Self {
                id: k.id.to_string(),
                phrase: k.keyword.clone(),
                context: FilterContexts::from_stored(&f.filter.contexts).names(),
                whole_word: k.whole_word,
                expires_at: f.filter.expires_at.map(timestamp),
                irreversible: f.filter.filter_action == "hide",
            })
            .collect()
    }
}
