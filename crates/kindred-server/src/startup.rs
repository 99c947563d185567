use std::net::TcpListener;
use std::path::Path;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, NormalizePath};
use actix_web::{web, App, HttpServer};
use kindred_api::{AppState, InstanceSettings, Secrets};
use kindred_db::{Backend, Db, DbSettings};
use kindred_domain::IdGenerator;
use kindred_federation::delivery::{DeliveryConfig, DeliveryWorker, Wakeup};
use kindred_federation::http::HttpPolicy;
use kindred_federation::LocalUrls;

use crate::config::Settings;

pub use crate::error::StartupError;

/// Connects, migrates, and builds the shared state (used by `serve` and the admin
/// commands alike).
pub async fn prepare(settings: &Settings) -> Result<web::Data<AppState>, StartupError> {
    kindred_federation::http::use_aws_lc_rs();
    let master = crate::secrets::load_or_create(&settings.secret).map_err(StartupError::Secret)?;
    let (backend, target) = kindred_db::connection::classify_url(&settings.database_url)
        .map_err(|e| StartupError::Database(e.to_string()))?;
    if backend == Backend::Sqlite {
        if let Some(dir) = Path::new(&target)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StartupError::DataDir(format!("{}: {e}", dir.display())))?;
        }
    }
    let db_settings = DbSettings {
        url: settings.database_url.clone(),
        max_connections: settings.max_connections,
    };
    let db = tokio::task::spawn_blocking(move || {
        let db = Db::connect(&db_settings).map_err(|e| StartupError::Database(e.to_string()))?;
        let applied = kindred_db::migrate::run_pending(&db)
            .map_err(|e| StartupError::Migration(e.to_string()))?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        Ok::<_, StartupError>(db)
    })
    .await
    .map_err(|e| StartupError::Other(e.to_string()))??;

    if settings.allow_http {
        tracing::warn!("federation.allow_http is on: plain-HTTP peers are accepted; use only for tests and development");
    }
    if settings.allow_private_networks {
        tracing::warn!("federation.allow_private_networks is on: loopback and private-network peers are accepted; use only for tests and development");
    }

    let policy =
        kindred_federation::policy::PolicyHandle::new(db.clone(), settings.federation_mode);
    let state = web::Data::new(AppState {
        db,
        urls: LocalUrls::new(settings.domain.clone(), settings.https),
        instance: InstanceSettings {
            name: settings.name.clone(),
            description: settings.description.clone(),
            contact_email: settings.contact_email.clone(),
            rules: settings.rules.clone(),
            registration: settings.registration,
            languages: settings.languages.clone(),
            max_status_chars: settings.max_status_chars,
            public_timeline_preview: settings.public_timeline_preview,
            show_domain_blocks: settings.show_domain_blocks.clone(),
            allow_http: settings.allow_http,
            allow_private_networks: settings.allow_private_networks,
            max_per_remote_domain: settings.max_per_remote_domain,
            crisis_notice: settings
                .crisis_phrases
                .clone()
                .map(|p| std::sync::Arc::new(kindred_api::services::crisis::CrisisNotice::new(p))),
            retention: settings.retention,
            export_keep_hours: settings.export_keep_hours,
            email_enabled: settings.email.is_some(),
            token_expiry_days: settings.token_expiry_days,
            quick_exit_url: settings.quick_exit_url.clone(),
        },
        secrets: Secrets::from_master_key(&master),
        ids: std::sync::Arc::new(IdGenerator::new()),
        limits: kindred_api::limits::Limits::from_settings(&settings.limits),
        streaming: kindred_api::streaming::Hub::default(),
        delivery: Wakeup::new(),
        federation: Default::default(),
        policy,
        files: std::sync::Arc::new(crate::files::DirStore::new(settings.files_dir.clone())),
        media: kindred_api::state::MediaSettings {
            store: std::sync::Arc::new(crate::files::DirStore::new(settings.media_dir.clone())),
            limits: settings.media_limits,
            cache_max_bytes: settings.media_cache_bytes,
            cache_days: settings.media_cache_days,
            avatars: settings.media_avatars,
        },
    });
    kindred_api::services::instance::ensure_instance_actor(&state)
        .await
        .map_err(|e| StartupError::Other(format!("instance actor: {}", e.code())))?;
    Ok(state)
}

/// A bound, not yet awaited HTTP server.
pub struct Application {
    pub port: u16,
    pub server: Server,
    pub state: web::Data<AppState>,
    /// The delivery worker (none with `federation.delivery_concurrency = 0`). Left
    /// running if dropped: it stops once the state's `Wakeup` is gone.
    pub delivery: Option<DeliveryWorker>,
    /// The `/metrics` listener (with `metrics.enabled`), already running.
    pub metrics: Option<MetricsListener>,
}

/// The `/metrics` listener: its address, and the handle that stops it.
pub struct MetricsListener {
    pub addr: std::net::SocketAddr,
    pub handle: actix_web::dev::ServerHandle,
}

/// The delivery worker's settings for this server.
pub fn delivery_config(settings: &Settings, urls: &LocalUrls) -> DeliveryConfig {
    let mut config = DeliveryConfig::new(
        HttpPolicy {
            allow_private_networks: settings.allow_private_networks,
            allow_http: settings.allow_http,
        },
        format!("Kindred/{} (+{})", env!("CARGO_PKG_VERSION"), urls.base()),
    );
    config.concurrency = settings.delivery_concurrency;
    config.lease = settings.delivery_lease;
    config
}

impl Application {
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let state = prepare(settings).await?;
        let listener = TcpListener::bind(settings.bind).map_err(|e| StartupError::Bind {
            addr: settings.bind.to_string(),
            reason: e.to_string(),
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Other(e.to_string()))?
            .port();
        let server = run(listener, state.clone(), settings)?;
        let metrics = match settings.metrics_bind {
            Some(bind) => {
                let (server, addr) =
                    crate::metrics::serve(bind, state.clone(), settings.shutdown_timeout)?;
                let handle = server.handle();
                tokio::spawn(server);
                Some(MetricsListener { addr, handle })
            }
            None => None,
        };
        let delivery = if settings.delivery_concurrency > 0 {
            Some(
                DeliveryWorker::start(
                    state.db.clone(),
                    state.urls.clone(),
                    &state.delivery,
                    DeliveryConfig {
                        policy: Some(state.policy.clone()),
                        ..delivery_config(settings, &state.urls)
                    },
                )
                .map_err(|e| StartupError::Other(e.to_string()))?,
            )
        } else {
            None
        };
        // Several processes on one PostgreSQL database: streaming reaches members
        // whatever process a post went through (docs/operations.md, "Scaling out").
        kindred_api::streaming::relay::start(&state.clone().into_inner()).await;
        crate::reminders::start(&state);
        crate::follow_resends::start(&state);
        crate::polls::start(&state);
        crate::scheduled::start(&state);
        crate::audit_retention::start(&state, settings.audit_retention_days);
        crate::erasure::start(&state);
        crate::mail::start(&state, settings.email.clone())
            .map_err(|e| StartupError::Other(format!("email: {e}")))?;
        tracing::info!(
            port,
            domain = %settings.domain,
            backend = state.db.backend().as_str(),
            registration = settings.registration.as_str(),
            "kindred is listening"
        );
        Ok(Self {
            port,
            server,
            state,
            delivery,
            metrics,
        })
    }

    /// Runs until SIGINT/SIGTERM; in-flight requests get `server.shutdown_timeout`.
    /// Open streaming connections are ended at the signal, as they never finish alone;
    /// then the delivery worker finishes its requests in flight and gives its
    /// instances back.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        actix_web::rt::spawn(async move {
            stop_signal().await;
            state.streaming.shut_down();
        });
        let result = self.server.await;
        if let Some(metrics) = self.metrics {
            metrics.handle.stop(true).await;
        }
        if let Some(worker) = self.delivery {
            worker.shutdown().await;
        }
        result
    }
}

fn run(
    listener: TcpListener,
    state: web::Data<AppState>,
    settings: &Settings,
) -> Result<Server, StartupError> {
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(kindred_api::params::MAX_BODY))
            .wrap(from_fn(kindred_api::routes::log_requests))
            .wrap(NormalizePath::trim())
            .wrap(from_fn(kindred_web::security_headers))
            .configure(kindred_web::configure)
            .configure(kindred_api::configure)
    })
    .shutdown_timeout(settings.shutdown_timeout);
    if settings.workers > 0 {
        server = server.workers(settings.workers);
    }
    let server = server
        .listen(listener)
        .map_err(|e| StartupError::Bind {
            addr: settings.bind.to_string(),
            reason: e.to_string(),
        })?
        .run();
    Ok(server)
}

/// SIGINT or SIGTERM (the signals actix itself stops on).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
