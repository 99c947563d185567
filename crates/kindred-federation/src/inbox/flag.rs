//! An inbound `Flag` (Mastodon's forwarded report): a report from that server
//! about one of our accounts, through `kindred_core::reports` as any report.
//! The federation policy has already decided at the edge (`policy::check_inbound`
//! classifies a `Flag` as `Traffic::Reports`: refused outside a partner's scope or
//! under a block's `reject_reports`). The reported member is never told who
//! reported; moderators see the reporting server (and its sending actor).

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::FlagType;
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::traits::ActivityHandler;
use chrono::Utc;
use kindred_core::reports::{self as core, NewReport, Reporter};
use kindred_core::{CoreError, Event};
use kindred_db::transaction::atomically;
use kindred_domain::reports::{remote_comment, Category, RuleIds, MAX_STATUSES};
use serde::Deserialize;
use url::Url;

use super::context::FedData;
use super::error::InboxError;
use super::lookup;
use super::remote_actor::RemoteActor;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    #[serde(rename = "type")]
    pub kind: FlagType,
    pub id: Url,
    pub actor: ObjectId<RemoteActor>,
    /// The reported account and statuses, by id (Mastodon sends bare ids).
    #[serde(deserialize_with = "deserialize_one_or_many")]
    pub object: Vec<Url>,
    #[serde(default)]
    pub content: Option<String>,
}

#[async_trait::async_trait]
impl ActivityHandler for Flag {
    type DataType = FedData;
    type Error = InboxError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<FedData>) -> Result<(), InboxError> {
        Ok(())
    }

    /// Files the report when it names one of our accounts; statuses that are not
    /// that account's are left out, anything else is acknowledged and ignored.
    async fn receive(self, data: &Data<FedData>) -> Result<(), InboxError> {
        let mut target = None;
        let mut status_ids = Vec::new();
        for url in self.object.iter().take(MAX_STATUSES + 1) {
            if target.is_none() {
                if let Some(a) = lookup::local_account(data, url).await? {
                    target = Some(a);
                    continue;
                }
            }
            if let Some(s) = lookup::status(data, url).await? {
                status_ids.push((s.id, s.account_id));
            }
        }
        let Some(target) = target else {
            tracing::info!("flag ignored: names no account here");
            return Ok(());
        };
        let actor = self.actor.dereference(data).await?;
        let report = NewReport {
            reporter: Reporter::Remote {
                actor_id: actor.account.id,
                domain: actor.account.domain.clone(),
                uri: self.id.to_string(),
            },
            target_account_id: target.id,
            status_ids: status_ids
                .into_iter()
                .filter(|(_, author)| *author == target.id)
                .map(|(id, _)| id)
                .collect(),
            comment: remote_comment(self.content.as_deref().unwrap_or_default()),
            category: Category::Other,
            rule_ids: RuleIds::default(),
            forward: false,
        };
        let ids = data.ids.clone();
        let now = Utc::now().naive_utc();
        let filed = data
            .db
            .run(move |c| {
                atomically(c, |c| match core::file(c, &ids, &report, now) {
                    Ok(f) => Ok(Ok(f)),
                    Err(CoreError::Db(e)) => Err(e),
                    // Refusals come before anything is written.
                    Err(refused) => Ok(Err(refused)),
                })
            })
            .await?;
        match filed {
            Ok(f) => data.publish(Event::Notifications(f.notices)),
            Err(e) => tracing::info!(code = e.code(), "flag refused"),
        }
        Ok(())
    }
}
