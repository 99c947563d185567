//! The federation engine's configuration for this server, built on first use (it
//! needs the instance actor's key and a running executor), and the sink that hands
//! what the inbox committed (`kindred_core::Event`) to the streaming hub.

use std::sync::Arc;

use actix_web::web;
use kindred_db::models::instance_actor;
use kindred_federation::http::HttpPolicy;
use kindred_federation::inbox::{self, EventSink, FedData, FetchSigner};
use kindred_federation::FederationConfig;
use tokio::sync::OnceCell;

use crate::{ApiError, AppState};

#[derive(Default)]
pub struct Federation {
    config: OnceCell<FederationConfig<FedData>>,
}

impl Federation {
    pub async fn config(
        &self,
        state: &web::Data<AppState>,
    ) -> Result<&FederationConfig<FedData>, ApiError> {
        self.config.get_or_try_init(|| build(state)).await
    }
}

async fn build(state: &web::Data<AppState>) -> Result<FederationConfig<FedData>, ApiError> {
    // Weak: the configuration lives inside the state it reports to.
    let weak = Arc::downgrade(&state.clone().into_inner());
    let sink: EventSink = Arc::new(move |event| {
        if let Some(state) = weak.upgrade() {
            state.streaming.announce([event]);
        }
    });
    let policy = HttpPolicy {
        allow_private_networks: state.instance.allow_private_networks,
        allow_http: state.instance.allow_http,
    };
    let data = FedData::new(
        state.db.clone(),
        state.urls.clone(),
        state.ids.clone(),
        sink,
        policy,
        state.instance.max_per_remote_domain,
    );
    let key = match state.db.run(instance_actor::get).await? {
        Some(row) => row.private_key_pem,
        None => {
            crate::services::instance::ensure_instance_actor(state)
                .await?
                .private_key_pem
        }
    };
    // The library panics on an unreadable key; refuse it here instead.
    kindred_federation::http_signatures::sign::Signer::new(
        &key,
        state.urls.instance_actor_key_id(),
    )
    .map_err(|_| ApiError::internal())?;
    let user_agent = format!(
        "Kindred/{} (+{})",
        crate::KINDRED_VERSION,
        state.urls.base()
    );
    inbox::federation_config(
        data,
        &user_agent,
        FetchSigner {
            actor_id: state.urls.instance_actor(),
            private_key_pem: key,
        },
        Some(state.policy.clone()),
    )
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "federation configuration failed");
        ApiError::internal()
    })
}
