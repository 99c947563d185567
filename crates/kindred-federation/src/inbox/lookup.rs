//! Finding what an activity points at: local accounts and statuses by our URLs,
//! remote statuses by their ids.

use kindred_db::models::groups::{self, GroupRow};
use kindred_db::models::{accounts, federated, statuses};
use kindred_db::{AccountRow, AnyConnection, DbError, StatusRow};
use url::Url;

use super::context::FedData;
use crate::urls::LocalObject;
use crate::LocalUrls;

/// An active local account named by one of our actor or profile URLs.
pub async fn local_account(data: &FedData, url: &Url) -> Result<Option<AccountRow>, DbError> {
    let Some(LocalObject::Account(name)) = data.urls.parse_local(url.as_str()) else {
        return Ok(None);
    };
    Ok(data
        .db
        .run(move |c| accounts::find_local_by_username(c, &name))
        .await?
        .filter(AccountRow::is_active)
        // A group is reached only through `local_actor` (follows of it).
        .filter(|a| !a.role.is_group()))
}

/// A local actor others may follow, named by one of our actor or profile URLs: an
/// active person, or a group that is not private (with its group row). A private
/// group is as absent as an unknown name.
pub async fn local_actor(
    data: &FedData,
    url: &Url,
) -> Result<Option<(AccountRow, Option<GroupRow>)>, DbError> {
    let Some(LocalObject::Account(name)) = data.urls.parse_local(url.as_str()) else {
        return Ok(None);
    };
    data.db
        .run(move |c| groups::federated_actor(c, &name))
        .await
}

/// At most this many local names are looked up for one activity's addressing.
const MAX_ADDRESSEES: usize = 20;

/// The local actor an addressing URL names: `/users/NAME` or `/@NAME`, or its
/// followers collection. Only a name: whether it exists is [`names_local_actor`]'s.
fn addressed_name(urls: &LocalUrls, url: &str) -> Option<String> {
    let url = url.trim();
    let actor = url.strip_suffix("/followers").unwrap_or(url);
    match urls.parse_local(actor)? {
        LocalObject::Account(name) => Some(name.to_ascii_lowercase()),
        LocalObject::Status(..) => None,
    }
}

/// Whether any of `addressed` (to, cc, mention hrefs) names an actor that exists
/// here and may be addressed from outside — an active person, or a group that is
/// not private — or its followers collection. A URL at our host naming no one (a
/// made-up `/users/anything`, a private group) names nobody: content addressed only
/// so is not ours to store.
pub fn names_local_actor<'a>(
    c: &mut AnyConnection,
    urls: &LocalUrls,
    addressed: impl IntoIterator<Item = &'a str>,
) -> Result<bool, DbError> {
    let mut names: Vec<String> = addressed
        .into_iter()
        .filter_map(|u| addressed_name(urls, u))
        .collect();
    names.sort();
    names.dedup();
    names.truncate(MAX_ADDRESSEES);
    for name in names {
        if groups::federated_actor(c, &name)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A status by its ActivityPub id: ours by our URL layout, others' by `uri`.
pub async fn status(data: &FedData, url: &Url) -> Result<Option<StatusRow>, DbError> {
    let (urls, url) = (data.urls.clone(), url.clone());
    data.db.run(move |c| status_in(c, &urls, &url)).await
}

/// [`status`] inside a blocking call that does more.
pub fn status_in(
    c: &mut AnyConnection,
    urls: &LocalUrls,
    url: &Url,
) -> Result<Option<StatusRow>, DbError> {
    if urls.is_local(url) {
        let Some(LocalObject::Status(name, id)) = urls.parse_local(url.as_str()) else {
            return Ok(None);
        };
        let Some(s) = statuses::find(c, id)? else {
            return Ok(None);
        };
        let author = accounts::find(c, s.account_id)?;
        return Ok(author
            .filter(|a| a.is_local() && a.username.eq_ignore_ascii_case(&name))
            .map(|_| s));
    }
    federated::status_by_uri(c, url.as_str())
}
