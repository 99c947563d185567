//! Search: what a query means (Mastodon's rules for which kinds a query searches),
//! and the look-ups. Storage does the matching (`kindred_db::models::search`); every
//! status found is still presented through `present`, which drops what the viewer may
//! not see.

use actix_web::web::Data;
use kindred_db::models::accounts as accounts_repo;
use kindred_db::models::search::{self as repo, AccountQuery, SearchViewer, StatusFilters};
use kindred_db::{AccountRow, StatusRow};
use kindred_domain::search::{name_document, TextQuery};
use kindred_domain::{InstanceDomain, Username};
use kindred_federation::urls::LocalObject;

use super::statuses::visible;
use super::viewer::Viewer;
use super::ServiceError;
use crate::AppState;

/// Longest query accepted; longer ones are refused rather than cut.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Anonymous searches shorter than this find only exact usernames (Mastodon's rule,
/// which keeps the member list from being read out two letters at a time).
const MIN_ANONYMOUS_CHARS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Accounts,
    Hashtags,
    Statuses,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "accounts" => Some(Self::Accounts),
            "hashtags" => Some(Self::Hashtags),
            "statuses" => Some(Self::Statuses),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub q: String,
    /// None searches every kind.
    pub kind: Option<Kind>,
    pub resolve: bool,
    pub following: bool,
    pub account_id: Option<i64>,
    pub max_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Default)]
pub struct Found {
    pub accounts: Vec<AccountRow>,
    pub statuses: Vec<StatusRow>,
    pub hashtags: Vec<String>,
}

fn wants(kind: Option<Kind>, k: Kind) -> bool {
    kind.is_none_or(|want| want == k)
}

fn search_viewer(viewer: &Viewer) -> SearchViewer {
    SearchViewer {
        id: viewer.id(),
        local_member: viewer.is_local_member(),
        hidden: viewer.hidden.clone(),
    }
}

/// `GET /api/v2/search`. Which kinds a query searches follows Mastodon: `#tag` is not
/// a person, `name@domain` is not a hashtag, and a lone `@name` or `#tag` is not
/// full-text searched. Anonymous callers get no statuses, as in Mastodon.
pub async fn search(
    state: &Data<AppState>,
    viewer: &Viewer,
    r: Request,
) -> Result<Found, ServiceError> {
    let q = r.q.trim().to_owned();
    let mut found = Found::default();
    if q.is_empty() {
        return Ok(found);
    }
    // Mastodon pages each kind only when one kind is asked for.
    let offset = if r.kind.is_some() { r.offset } else { 0 };
    let is_url = q.starts_with("https://") || q.starts_with("http://");
    if r.resolve && is_url {
        if offset == 0 {
            resolve_url(state, viewer, &q, r.kind, &mut found).await?;
        }
        return Ok(found);
    }
    let spaced = q.contains(char::is_whitespace);
    let hash = q.starts_with('#');
    let at = q.contains('@');
    if wants(r.kind, Kind::Accounts) && !(hash || (at && spaced)) {
        found.accounts = accounts(state, viewer, &q, r.following, r.limit, offset).await?;
        if r.resolve && offset == 0 && found.accounts.is_empty() {
            if let Some(a) = resolve_handle(state, viewer, &q).await? {
                found.accounts.push(a);
            }
        }
    }
    if wants(r.kind, Kind::Statuses) && viewer.id().is_some() && !((hash || at) && !spaced) {
        if let Some(query) = TextQuery::parse(&q) {
            let sv = search_viewer(viewer);
            let f = StatusFilters {
                account_id: r.account_id,
                max_id: r.max_id,
                min_id: r.min_id,
                limit: r.limit,
                offset,
            };
            found.statuses = state
                .db
                .run(move |c| repo::statuses(c, &sv, &query, f))
                .await?;
        }
    }
    if wants(r.kind, Kind::Hashtags) && !at {
        let prefix = q.trim_start_matches('#').trim().to_lowercase();
        if !prefix.is_empty() && !prefix.contains(char::is_whitespace) {
            let sv = search_viewer(viewer);
            let limit = r.limit;
            found.hashtags = state
                .db
                .run(move |c| repo::tags(c, &sv, &prefix, limit, offset))
                .await?;
        }
    }
    Ok(found)
}

/// A profile or status URL of this instance, as the object it names (if the viewer
/// may see it). Other servers' URLs find nothing until federation can fetch them.
async fn resolve_url(
    state: &Data<AppState>,
    viewer: &Viewer,
    q: &str,
    kind: Option<Kind>,
    found: &mut Found,
) -> Result<(), ServiceError> {
    match state.urls.parse_local(q) {
        Some(LocalObject::Account(name)) if wants(kind, Kind::Accounts) => {
            if let Some(a) = local_account(state, viewer, name).await? {
                found.accounts.push(a);
            }
        }
        Some(LocalObject::Status(name, id)) if wants(kind, Kind::Statuses) => {
            match visible(state, viewer, id).await {
                Ok((s, author))
                    if author.username.eq_ignore_ascii_case(&name) && s.reblog_of_id.is_none() =>
                {
                    found.statuses.push(s);
                }
                Ok(_) | Err(ServiceError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        None => {
            if let Ok(url) = url::Url::parse(q) {
                resolve_remote_url(state, viewer, url, kind, found).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The federation engine, or `None` when it cannot start (logged there); search
/// then simply finds nothing remote.
async fn federation(
    state: &Data<AppState>,
) -> Option<&kindred_federation::FederationConfig<kindred_federation::inbox::FedData>> {
    state.federation.config(state).await.ok()
}

/// `user@other.server`: looked up by WebFinger and fetched, unless blocked by the
/// viewer. A failure finds nothing (logged by code only; the query is not logged).
async fn resolve_handle(
    state: &Data<AppState>,
    viewer: &Viewer,
    q: &str,
) -> Result<Option<AccountRow>, ServiceError> {
    let ours = state.urls.domain().to_string();
    let Some((user, domain)) = kindred_federation::resolve::parse_handle(q, &ours) else {
        return Ok(None);
    };
    let Some(config) = federation(state).await else {
        return Ok(None);
    };
    match kindred_federation::resolve::account(config, &user, &domain).await {
        Ok(a) if a.is_active() && !viewer.blocked.contains(&a.id) => Ok(Some(a)),
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::info!(refusal = e.code(), "account look-up found nothing");
            Ok(None)
        }
    }
}

async fn resolve_remote_url(
    state: &Data<AppState>,
    viewer: &Viewer,
    url: url::Url,
    kind: Option<Kind>,
    found: &mut Found,
) -> Result<(), ServiceError> {
    use kindred_federation::resolve::{self, Resolved};
    let Some(config) = federation(state).await else {
        return Ok(());
    };
    match resolve::url(config, url).await {
        Ok(Resolved::Account(a)) if wants(kind, Kind::Accounts) => {
            if a.is_active() && !viewer.blocked.contains(&a.id) {
                found.accounts.push(a);
            }
        }
        Ok(Resolved::Status(s)) if wants(kind, Kind::Statuses) => {
            // Stored now; shown only if this viewer may see it.
            match visible(state, viewer, s.id).await {
                Ok((s, _)) if s.reblog_of_id.is_none() => found.statuses.push(s),
                Ok(_) | Err(ServiceError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(_) => {}
        Err(e) => tracing::info!(refusal = e.code(), "object look-up found nothing"),
    }
    Ok(())
}

async fn local_account(
    state: &AppState,
    viewer: &Viewer,
    name: String,
) -> Result<Option<AccountRow>, ServiceError> {
    let found = state
        .db
        .run(move |c| accounts_repo::find_local_by_username(c, &name))
        .await?;
    Ok(found.filter(|a| a.is_active() && !viewer.blocked.contains(&a.id)))
}

/// How an account query is read: `name`, `@name`, `name@our.domain` (an address
/// names one account: exact match only; `!name@our.domain`, Lemmy's form for a
/// community, too) or words of a display name. A query naming
/// another server finds nothing yet; an email address is such a query, so accounts
/// are never found by email.
pub fn account_query(
    q: &str,
    ours: &InstanceDomain,
    anonymous: bool,
    following_only: bool,
    limit: i64,
    offset: i64,
) -> Option<AccountQuery> {
    let q = kindred_domain::handle::lookup_address(q);
    let (name, address) = match q.split_once('@') {
        Some((name, domain)) => {
            let domain = domain.trim();
            if !domain.is_empty() && InstanceDomain::parse(domain).ok().as_ref() != Some(ours) {
                return None;
            }
            (name, !domain.is_empty())
        }
        None => (q, false),
    };
    let username = Username::parse(name).ok().map(|u| u.canonical());
    let too_short = anonymous && name.chars().count() < MIN_ANONYMOUS_CHARS;
    let partial = !(address || too_short);
    let words = name_document(name);
    let query = AccountQuery {
        exact_username: username.clone(),
        username_prefix: username.filter(|_| partial),
        name_words: (partial && !words.is_empty()).then_some(words),
        following_only,
        limit,
        offset,
    };
    (query.exact_username.is_some() || query.name_words.is_some()).then_some(query)
}

/// Accounts for a query (also `GET /api/v1/accounts/search`), never blocked ones
/// either way.
pub async fn accounts(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
    following_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<AccountRow>, ServiceError> {
    let Some(query) = account_query(
        q,
        state.urls.domain(),
        viewer.id().is_none(),
        following_only,
        limit,
        offset,
    ) else {
        return Ok(Vec::new());
    };
    let me = viewer.id();
    let exclude: Vec<i64> = viewer.blocked.iter().copied().collect();
    Ok(state
        .db
        .run(move |c| repo::accounts(c, me, &exclude, &query))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours() -> InstanceDomain {
        InstanceDomain::parse("peer.example").unwrap()
    }

    #[test]
    fn account_queries() {
        let q = account_query("@River_1", &ours(), false, false, 5, 0).unwrap();
        assert_eq!(q.exact_username.as_deref(), Some("river_1"));
        assert_eq!(q.username_prefix.as_deref(), Some("river_1"));
        assert_eq!(q.name_words.as_deref(), Some("river 1"));
        // An address of ours: that one account only.
        let q = account_query("river@peer.example", &ours(), false, false, 5, 0).unwrap();
        assert_eq!(q.exact_username.as_deref(), Some("river"));
        assert!(q.username_prefix.is_none() && q.name_words.is_none());
        // Another server, or an email address: nothing.
        assert!(account_query("river@other.example", &ours(), false, false, 5, 0).is_none());
        assert!(account_query("someone@example.org", &ours(), false, false, 5, 0).is_none());
        // Display names by words; not a username.
        let q = account_query("José María", &ours(), false, false, 5, 0).unwrap();
        assert!(q.exact_username.is_none());
        assert_eq!(q.name_words.as_deref(), Some("jose maria"));
        // Anonymous and short: exact only.
        let q = account_query("ab", &ours(), true, false, 5, 0).unwrap();
        assert!(q.username_prefix.is_none() && q.name_words.is_none());
        assert!(account_query("!!", &ours(), false, false, 5, 0).is_none());
    }
}
