use kindred_db::Db;
use kindred_domain::{IdGenerator, RegistrationMode};
use kindred_federation::LocalUrls;

use crate::crypto::{CsrfSigner, DownloadKey, EmailCipher, MediaUrlKey};

/// Everything a request handler may use. Built once per server by `kindred-server`
/// from its configuration and passed in; there is no global state, so several
/// instances can run in one process (the federation tests do).
pub struct AppState {
    pub db: Db,
    pub urls: LocalUrls,
    pub instance: InstanceSettings,
    pub secrets: Secrets,
    /// Shared so storage closures can take ids inside a transaction.
    pub ids: std::sync::Arc<IdGenerator>,
    pub limits: crate::limits::Limits,
    /// Events for the streaming API, published once the work is committed.
    pub streaming: crate::streaming::Hub,
    /// Wakes the delivery worker; call `wake()` after committing deliveries.
    pub delivery: kindred_federation::delivery::Wakeup,
    /// The federation engine's configuration, built on first use.
    pub federation: crate::federation::Federation,
    /// The federation policy in force (invariant 5), shared with the delivery worker.
    pub policy: std::sync::Arc<kindred_federation::policy::PolicyHandle>,
    /// Files kept outside the database (data exports), provided by the server.
    pub files: std::sync::Arc<dyn kindred_core::files::FileStore>,
    /// Pictures: their store (`media.path`) and limits.
    pub media: MediaSettings,
}

/// `media.*` (docs/configuration.md), with the store the server provides.
#[derive(Clone)]
pub struct MediaSettings {
    /// The media store: `original/` and `small/` files named by random tokens.
    pub store: std::sync::Arc<dyn kindred_core::files::FileStore>,
    pub limits: kindred_domain::media::MediaLimits,
    /// Remote pictures kept in the cache at most, in bytes.
    pub cache_max_bytes: u64,
    /// Days a remote picture stays in the cache after it was fetched.
    pub cache_days: u32,
    /// Whether profile pictures and headers may be uploaded (off by default).
    pub avatars: bool,
}

/// The public face of the instance.
#[derive(Debug, Clone)]
pub struct InstanceSettings {
    pub name: String,
    pub description: String,
    /// Organization contact address, shown publicly (optional).
    pub contact_email: Option<String>,
    pub rules: Vec<String>,
    pub registration: RegistrationMode,
    pub languages: Vec<String>,
    pub max_status_chars: usize,
    /// Whether anonymous visitors may read public and hashtag timelines.
    pub public_timeline_preview: bool,
    /// Who may read `/api/v1/instance/domain_blocks`: `disabled`, `users` or `all`.
    pub show_domain_blocks: String,
    /// Whether federation to plain-HTTP and private-network peers is allowed (tests).
    pub allow_http: bool,
    pub allow_private_networks: bool,
    /// `meetings.max_per_remote_domain` (docs/configuration.md).
    pub max_per_remote_domain: u32,
    /// The gentle crisis notice, when `crisis.notice_enabled` is on (its phrases).
    pub crisis_notice: Option<std::sync::Arc<kindred_core::crisis::CrisisNotice>>,
    /// `retention.*`: how long group discussion posts are kept (docs/privacy.md).
    pub retention: kindred_domain::retention::RetentionLimits,
    /// `exports.keep_hours`: how long a data export stays downloadable.
    pub export_keep_hours: u32,
    /// Whether `email.smtp_url` is set: without it nothing is sent, and the reset
    /// page says to ask an admin.
    pub email_enabled: bool,
    /// `security.token_expiry_days`: a token unused this many days stops working
    /// (0: never).
    pub token_expiry_days: u32,
    /// `web.quick_exit_url`: where the portal's quick-exit control leads.
    pub quick_exit_url: String,
}

/// Keys derived from the instance secret. Never stored in the database.
pub struct Secrets {
    pub email: EmailCipher,
    pub csrf: CsrfSigner,
    pub downloads: DownloadKey,
    pub media_urls: MediaUrlKey,
}

impl Secrets {
    pub fn from_master_key(master: &[u8; 32]) -> Self {
        Self {
            email: EmailCipher::new(
                crate::crypto::derive_key(master, b"kindred email encryption v1"),
                crate::crypto::derive_key(master, b"kindred email lookup v1"),
            ),
            csrf: CsrfSigner::new(crate::crypto::derive_key(master, b"kindred csrf v1")),
            downloads: DownloadKey::new(crate::crypto::derive_key(master, b"kindred downloads v1")),
            media_urls: MediaUrlKey::new(crate::crypto::derive_key(
                master,
                b"kindred media urls v1",
            )),
        }
    }
}
