//! Looking up remote accounts and posts on request (`/api/v2/search?resolve=true`):
//! `user@domain` through WebFinger, a URL by a fetch signed by the instance actor.
//! What is found is stored through the same checks as the inbox (origin, sanitizing).

use activitypub_federation::config::FederationConfig;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use kindred_db::{AccountRow, StatusRow};
use url::Url;

use crate::inbox::note::RemoteNote;
use crate::inbox::{FedData, InboxError, RemoteActor};

pub enum Resolved {
    Account(AccountRow),
    Status(StatusRow),
}

/// `user@domain` (after a leading `@`, or Lemmy's `!` for a community) when it names
/// another server.
pub fn parse_handle(q: &str, ours: &str) -> Option<(String, String)> {
    let (user, domain) = kindred_domain::handle::split_address(q)?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let ok_user = !user.is_empty()
        && user.len() <= 64
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let ok_domain = !domain.is_empty()
        && domain.len() <= 253
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    (ok_user && ok_domain && domain != ours.to_ascii_lowercase()).then(|| (user.to_owned(), domain))
}

/// The remote account `user@domain`, fetched (or refreshed) from its server.
pub async fn account(
    config: &FederationConfig<FedData>,
    user: &str,
    domain: &str,
) -> Result<AccountRow, InboxError> {
    let data = config.to_request_data();
    let actor: RemoteActor = webfinger_resolve_actor(&format!("{user}@{domain}"), &data).await?;
    Ok(actor.account)
}

/// The post or account at a remote URL.
pub async fn url(config: &FederationConfig<FedData>, url: Url) -> Result<Resolved, InboxError> {
    let data = config.to_request_data();
    if data.urls.is_local(&url) {
        return Err(crate::inbox::Refusal::LocalObject.into());
    }
    match ObjectId::<RemoteNote>::from(url.clone())
        .dereference(&data)
        .await
    {
        Ok(note) => Ok(Resolved::Status(note.0)),
        Err(note_error) => match ObjectId::<RemoteActor>::from(url).dereference(&data).await {
            Ok(actor) => Ok(Resolved::Account(actor.account)),
            Err(_) => Err(note_error),
        },
    }
}
