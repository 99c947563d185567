//! Mastodon's id paging, once for every list: `max_id` and `since_id` are exclusive
//! bounds and the newest rows come first; with `min_id` the page is the oldest rows
//! after it, loaded oldest first and turned back by [`newest_first`].

/// Applies the window to a boxed query on its id column `$id`, with the order:
/// `page_by_id!(query, table::id, page)` for a [`crate::models::statuses::Page`],
/// or `page_by_id!(query, table::id, max_id, since_id, min_id)` for any three
/// `Option<i64>`. Load with the limit, then pass the rows to [`newest_first`].
macro_rules! page_by_id {
    ($query:expr, $id:expr, $max_id:expr, $since_id:expr, $min_id:expr) => {{
        let mut query = $query;
        if let Some(m) = $max_id {
            query = query.filter($id.lt(m));
        }
        if let Some(s) = $since_id {
            query = query.filter($id.gt(s));
        }
        match $min_id {
            Some(m) => query.filter($id.gt(m)).order($id.asc()),
            None => query.order($id.desc()),
        }
    }};
    ($query:expr, $id:expr, $page:expr) => {{
        let page = &$page;
        let mut query = $query;
        if let Some(m) = page.max_id {
            query = query.filter($id.lt(m));
        }
        if let Some(s) = page.since_id {
            query = query.filter($id.gt(s));
        }
        match page.min_id {
            Some(m) => query.filter($id.gt(m)).order($id.asc()),
            None => query.order($id.desc()),
        }
    }};
}
pub(crate) use page_by_id;

/// Rows of a [`page_by_id!`] query as the API answers them, newest first (with
/// `min_id` they were loaded oldest first).
pub(crate) fn newest_first<T>(mut rows: Vec<T>, min_id: Option<i64>) -> Vec<T> {
    if min_id.is_some() {
        rows.reverse();
    }
    rows
}
