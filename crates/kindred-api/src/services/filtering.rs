//! Applies a member's keyword and status filters to what is about to be shown: a
//! `hide` filter removes the status, a `warn` filter marks it (`Status.filtered`) so the
//! app shows a click-through warning. One place, used by every timeline, thread,
//! profile and notification list.

use chrono::Utc;
use kindred_db::models::filters::{self as repo, FullFilter};
use kindred_domain::filters::{html_to_text, keyword_matches, FilterContext, FilterContexts};

use super::viewer::Viewer;
use super::ServiceError;
use crate::entities::filters::{Filter, FilterResult};
use crate::entities::{Notification, Status};
use crate::AppState;

/// The viewer's filters in force for one context.
pub struct ActiveFilters {
    viewer: Option<i64>,
    filters: Vec<FullFilter>,
}

impl ActiveFilters {
    pub fn none() -> Self {
        Self {
            viewer: None,
            filters: Vec::new(),
        }
    }

    pub async fn load(
        state: &AppState,
        viewer: &Viewer,
        context: FilterContext,
    ) -> Result<Self, ServiceError> {
        let Some(id) = viewer.id() else {
            return Ok(Self::none());
        };
        let now = Utc::now().naive_utc();
        let mut filters = state.db.run(move |c| repo::active(c, id, now)).await?;
        filters.retain(|f| FilterContexts::from_stored(&f.filter.contexts).contains(context));
        Ok(Self {
            viewer: Some(id),
            filters,
        })
    }

    /// What matched this status (its original, for a boost). Members' own statuses are
    /// never filtered, as in Mastodon.
    fn results(&self, s: &Status) -> Vec<(FilterResult, bool)> {
        let proper = s.reblog.as_deref().unwrap_or(s);
        if self.filters.is_empty()
            || Some(proper.account.id.as_str()) == self.viewer_str().as_deref()
        {
            return Vec::new();
        }
        let text = format!("{}\n{}", proper.spoiler_text, html_to_text(&proper.content));
        self.filters
            .iter()
            .filter_map(|f| {
                let keywords: Vec<String> = f
                    .keywords
                    .iter()
                    .filter(|k| keyword_matches(&text, &k.keyword, k.whole_word))
                    .map(|k| k.keyword.clone())
                    .collect();
                let statuses: Vec<String> = f
                    .statuses
                    .iter()
                    .filter(|fs| fs.status_id.to_string() == proper.id)
                    .map(|fs| fs.id.to_string())
                    .collect();
                if keywords.is_empty() && statuses.is_empty() {
                    return None;
                }
                Some((
                    FilterResult {
                        filter: Filter::from(f),
                        keyword_matches: (!keywords.is_empty()).then_some(keywords),
                        status_matches: (!statuses.is_empty()).then_some(statuses),
                    },
                    f.filter.filter_action == "hide",
                ))
            })
            .collect()
    }

    fn viewer_str(&self) -> Option<String> {
        self.viewer.map(|v| v.to_string())
    }

    /// Marks one status; `None` when a `hide` filter matched.
    pub fn apply_one(&self, mut s: Status) -> Option<Status> {
        let results = self.results(&s);
        if results.iter().any(|(_, hide)| *hide) {
            return None;
        }
        if !results.is_empty() {
            let values: Vec<serde_json::Value> = results
                .into_iter()
                .filter_map(|(r, _)| serde_json::to_value(r).ok())
                .collect();
            if let Some(inner) = s.reblog.as_deref_mut() {
                inner.filtered = Some(values.clone());
            }
            s.filtered = Some(values);
        }
        Some(s)
    }

    pub fn apply(&self, statuses: Vec<Status>) -> Vec<Status> {
        if self.filters.is_empty() {
            return statuses;
        }
        statuses
            .into_iter()
            .filter_map(|s| self.apply_one(s))
            .collect()
    }

    /// Notifications about a hidden status are left out; others carry the marks.
    pub fn apply_notifications(&self, list: Vec<Notification>) -> Vec<Notification> {
        if self.filters.is_empty() {
            return list;
        }
        list.into_iter()
            .filter_map(|mut n| {
                if let Some(s) = n.status.take() {
                    n.status = Some(self.apply_one(s)?);
                }
                Some(n)
            })
            .collect()
    }
}
