//! Configuration: `config/default.toml` (compiled in) < `--config FILE` < environment
//! (`KINDRED__SECTION__KEY`). Read here and only here; the rest of the program gets
//! values.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Value};
use figment::Figment;
use kindred_domain::{InstanceDomain, RegistrationMode};
use serde::Deserialize;

pub const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub server: ServerSection,
    pub instance: InstanceSection,
    pub database: DatabaseSection,
    pub registration: RegistrationSection,
    pub security: SecuritySection,
    pub federation: FederationSection,
    pub meetings: MeetingsSection,
    pub crisis: CrisisSection,
    pub moderation: ModerationSection,
    pub retention: RetentionSection,
    pub files: FilesSection,
    pub media: MediaSection,
    pub exports: ExportsSection,
    pub limits: LimitsSection,
    pub metrics: MetricsSection,
    pub email: EmailSection,
    pub web: WebSection,
    pub log: LogSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    pub bind: String,
    pub workers: usize,
    pub shutdown_timeout: u64,
    pub rate_limits: bool,
    pub trust_proxy_headers: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSection {
    pub domain: String,
    pub scheme: String,
    pub name: String,
    pub description: String,
    pub contact_email: String,
    pub rules: Vec<String>,
    pub languages: Vec<String>,
    pub max_status_chars: usize,
    pub public_timeline_preview: bool,
    pub show_domain_blocks: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSection {
    pub url: String,
    pub max_connections: u32,
}

/// A PostgreSQL URL can hold a password: debug output shows the backend only.
impl std::fmt::Debug for DatabaseSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSection")
            .field("url", &kindred_db::redacted_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSection {
    pub mode: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySection {
    pub secret_key: String,
    pub key_file: PathBuf,
    pub token_expiry_days: u32,
}

impl std::fmt::Debug for SecuritySection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecuritySection")
            .field("secret_key", &"<redacted>")
            .field("key_file", &self.key_file)
            .field("token_expiry_days", &self.token_expiry_days)
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationSection {
    pub allow_http: bool,
    pub allow_private_networks: bool,
    pub delivery_concurrency: usize,
    pub delivery_lease_seconds: u64,
    pub mode: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingsSection {
    pub max_per_remote_domain: i64,
}

/// Every throttle's size, as `COUNT/PERIOD` (`kindred_api::rate::Rate`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    pub api_authenticated: String,
    pub api_unauthenticated: String,
    pub api_statuses: String,
    pub api_media: String,
    pub api_sign_ups: String,
    pub sign_ups: String,
    pub login_failures_per_name: String,
    pub login_failures_per_client: String,
    pub login_tracked_keys: usize,
    pub password_resets_per_address: String,
    pub password_resets_per_client: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    pub enabled: bool,
    pub bind: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisSection {
    pub notice_enabled: bool,
    pub phrases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesSection {
    pub directory: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaSection {
    pub path: String,
    pub max_upload_bytes: u64,
    pub max_pixels: u64,
    pub max_gif_frames: u32,
    pub remote_cache_mb: u64,
    pub remote_cache_days: u32,
    pub avatars: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationSection {
    pub audit_retention_days: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSection {
    pub quick_exit_url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportsSection {
    pub keep_hours: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSection {
    pub default_days: i64,
    pub max_days: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSection {
    pub smtp_url: String,
    pub smtp_password: String,
    pub from: String,
    pub retry_seconds: u64,
}

/// The SMTP URL and password are secrets: debug output says whether they are set.
impl std::fmt::Debug for EmailSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSection")
            .field("smtp_url", &(!self.smtp_url.is_empty()))
            .field("smtp_password", &(!self.smtp_password.is_empty()))
            .field("retry_seconds", &self.retry_seconds)
            .finish_non_exhaustive()
    }
}

/// `[email]` checked: where and how to send, or nothing at all.
#[derive(Clone)]
pub struct EmailSettings {
    /// The SMTP URL as given (it may hold credentials: never logged).
    pub smtp_url: String,
    /// `email.smtp_password`, which wins over a password in the URL.
    pub smtp_password: Option<String>,
    pub from: String,
    pub retry: std::time::Duration,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    pub level: String,
    pub format: String,
}

/// Where the master secret comes from.
#[derive(Clone)]
pub enum SecretSource {
    Inline([u8; 32]),
    File(PathBuf),
}

impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Inline(_) => f.write_str("Inline(<redacted>)"),
            Self::File(p) => f.debug_tuple("File").field(p).finish(),
        }
    }
}

/// Configuration after every value has been parsed and checked. Its `Debug` leaves out
/// the database URL (which may carry a password) and the secret.
#[derive(Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub workers: usize,
    pub shutdown_timeout: u64,
    pub rate_limits: bool,
    pub trust_proxy_headers: bool,
    pub domain: InstanceDomain,
    pub https: bool,
    pub name: String,
    pub description: String,
    pub contact_email: Option<String>,
    pub rules: Vec<String>,
    pub languages: Vec<String>,
    pub max_status_chars: usize,
    pub public_timeline_preview: bool,
    pub show_domain_blocks: String,
    pub database_url: String,
    /// `files.directory`, resolved: where the file store keeps its files.
    pub files_dir: std::path::PathBuf,
    /// `exports.keep_hours`: how long a data export stays downloadable.
    pub export_keep_hours: u32,
    /// `web.quick_exit_url`: where the portal's quick-exit control leads.
    pub quick_exit_url: String,
    /// `media.path`, resolved: where pictures are kept.
    pub media_dir: std::path::PathBuf,
    /// `media.*` limits.
    pub media_limits: kindred_domain::media::MediaLimits,
    pub media_cache_bytes: u64,
    pub media_cache_days: u32,
    pub media_avatars: bool,
    pub max_connections: u32,
    pub registration: RegistrationMode,
    pub secret: SecretSource,
    pub allow_http: bool,
    pub allow_private_networks: bool,
    /// Delivery requests in flight per process; 0: this process does not deliver.
    pub delivery_concurrency: usize,
    pub delivery_lease: std::time::Duration,
    /// `federation.mode`: the mode until an admin sets one.
    pub federation_mode: kindred_domain::federation_policy::Mode,
    /// `meetings.max_per_remote_domain`: places one remote server may hold on a
    /// meeting whose group and itself set no cap.
    pub max_per_remote_domain: u32,
    /// `crisis.phrases` when `crisis.notice_enabled` is on: the gentle notice's
    /// phrases (docs/moderation.md); `None`: the notice is off.
    pub crisis_phrases: Option<kindred_domain::crisis::CrisisPhrases>,
    /// `moderation.audit_retention_days`: audit entries older than this are
    /// deleted; 0 keeps them for ever.
    pub audit_retention_days: u32,
    /// `retention.*`: how long group discussion posts are kept.
    pub retention: kindred_domain::retention::RetentionLimits,
    /// Every throttle (`limits.*`, `server.rate_limits`, `server.trust_proxy_headers`).
    pub limits: kindred_api::limits::LimitSettings,
    /// `metrics.bind` when `metrics.enabled`: where `/metrics` is served, apart from
    /// the public listener.
    pub metrics_bind: Option<SocketAddr>,
    /// `[email]`; `None` without `email.smtp_url`: nothing is sent.
    pub email: Option<EmailSettings>,
    /// `security.token_expiry_days` (0: tokens never expire unused).
    pub token_expiry_days: u32,
    pub log_level: String,
    pub log_json: bool,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("domain", &self.domain)
            .field(
                "database_url",
                &kindred_db::redacted_url(&self.database_url),
            )
            .field("registration", &self.registration)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Load(String),
    #[error("configuration error: `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
}

fn invalid(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.into(),
    }
}

/// Loads configuration from the defaults, an optional file and the environment.
pub fn load(file: Option<&Path>, env: &[(String, String)]) -> Result<Settings, ConfigError> {
    let mut figment = Figment::from(Toml::string(DEFAULTS));
    if let Some(path) = file {
        if !path.is_file() {
            return Err(ConfigError::Load(format!(
                "config file {} does not exist",
                path.display()
            )));
        }
        figment = figment.merge(Toml::file(path));
    }
    // Env is read from the given list (not the process) so tests can run in parallel.
    figment = figment.merge(Serialized::defaults(env_overlay(env)?));
    let raw: RawConfig = figment
        .extract()
        .map_err(|e| ConfigError::Load(describe(e)))?;
    validate(raw)
}

/// `KINDRED__DATABASE__URL=x` → `{database: {url: "x"}}`. Values are read the way
/// figment reads environment variables: `true`, numbers and `[a, b]` keep their type,
/// anything else is a string.
fn env_overlay(env: &[(String, String)]) -> Result<Dict, ConfigError> {
    let mut root = Dict::new();
    for (k, v) in env {
        let Some(rest) = k.strip_prefix("KINDRED__") else {
            continue;
        };
        let parts: Vec<String> = rest.split("__").map(|p| p.to_ascii_lowercase()).collect();
        let [section, key] = parts.as_slice() else {
            return Err(ConfigError::Load(format!(
                "environment variable {k}: expected KINDRED__SECTION__KEY"
            )));
        };
        if section.is_empty() || key.is_empty() {
            return Err(ConfigError::Load(format!(
                "environment variable {k}: expected KINDRED__SECTION__KEY"
            )));
        }
        let value: Value = v.parse().unwrap_or_else(|_| Value::from(v.clone()));
        let entry = root
            .entry(section.clone())
            .or_insert_with(|| Value::from(Dict::new()));
        if let Value::Dict(_, dict) = entry {
            dict.insert(key.clone(), value);
        }
    }
    Ok(root)
}

/// figment's messages name the key path; keep them, drop its "for key default." noise.
fn describe(e: figment::Error) -> String {
    e.into_iter()
        .map(|err| {
            let path = err.path.join(".");
            let kind = err.kind.to_string();
            if path.is_empty() {
                kind
            } else {
                format!("`{path}`: {kind}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn validate(raw: RawConfig) -> Result<Settings, ConfigError> {
    let bind: SocketAddr = raw.server.bind.parse().map_err(|_| {
        invalid(
            "server.bind",
            format!("`{}` is not an address:port", raw.server.bind),
        )
    })?;
    let domain = InstanceDomain::parse(&raw.instance.domain)
        .map_err(|e| invalid("instance.domain", e.to_string()))?;
    let https = match raw.instance.scheme.as_str() {
        "https" => true,
        "http" => false,
        "auto" => !(raw.federation.allow_http && domain.is_local_development()),
        other => {
            return Err(invalid(
                "instance.scheme",
                format!("`{other}`: expected https, http or auto"),
            ))
        }
    };
    if raw.instance.name.trim().is_empty() {
        return Err(invalid("instance.name", "must not be empty"));
    }
    let contact_email = match raw.instance.contact_email.trim() {
        "" => None,
        e => Some(
            kindred_domain::EmailAddress::parse(e)
                .map_err(|err| invalid("instance.contact_email", err.to_string()))?
                .as_str()
                .to_owned(),
        ),
    };
    let registration = RegistrationMode::parse(&raw.registration.mode)
        .map_err(|e| invalid("registration.mode", e.to_string()))?;
    let database_url = raw.database.url.trim().to_owned();
    let (backend, target) = kindred_db::connection::classify_url(&database_url)
        .map_err(|e| invalid("database.url", e.to_string()))?;
    // Beside the SQLite database unless set; for PostgreSQL, `files` in the
    // working directory unless set.
    let files_dir = match raw.files.directory.trim() {
        "" if backend == kindred_db::Backend::Sqlite => Path::new(&target)
            .parent()
            .unwrap_or(Path::new(""))
            .join("files"),
        "" => std::path::PathBuf::from("files"),
        dir => std::path::PathBuf::from(dir),
    };
    let media_dir = match raw.media.path.trim() {
        "" => files_dir.join("media"),
        dir => std::path::PathBuf::from(dir),
    };
    if raw.media.max_upload_bytes == 0 || raw.media.max_upload_bytes > 1024 * 1024 * 1024 {
        return Err(invalid(
            "media.max_upload_bytes",
            "expected 1 byte to 1 GiB",
        ));
    }
    if raw.media.max_pixels < 64 * 64 || raw.media.max_pixels > 1 << 30 {
        return Err(invalid("media.max_pixels", "expected 4096 to 1073741824"));
    }
    if raw.media.max_gif_frames == 0 || raw.media.max_gif_frames > 10_000 {
        return Err(invalid("media.max_gif_frames", "expected 1 to 10000"));
    }
    if raw.media.remote_cache_days == 0 {
        return Err(invalid("media.remote_cache_days", "expected at least 1"));
    }
    let media_limits = kindred_domain::media::MediaLimits {
        max_bytes: raw.media.max_upload_bytes,
        max_pixels: raw.media.max_pixels,
        max_gif_frames: raw.media.max_gif_frames,
    };
    let export_keep_hours = u32::try_from(raw.exports.keep_hours)
        .ok()
        .filter(|h| (1..=24 * 90).contains(h))
        .ok_or_else(|| {
            invalid(
                "exports.keep_hours",
                format!("`{}`: expected 1 to 2160 hours", raw.exports.keep_hours),
            )
        })?;
    let quick_exit_url = match url::Url::parse(raw.web.quick_exit_url.trim()) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => u.to_string(),
        _ => {
            return Err(invalid(
                "web.quick_exit_url",
                "expected an absolute http(s) URL of a neutral page",
            ))
        }
    };
    if raw.database.max_connections == 0 {
        return Err(invalid("database.max_connections", "must be at least 1"));
    }
    let secret =
        match raw.security.secret_key.trim() {
            "" => SecretSource::File(raw.security.key_file.clone()),
            hex => SecretSource::Inline(parse_hex_key(hex).ok_or_else(|| {
                invalid("security.secret_key", "expected 64 hexadecimal characters")
            })?),
        };
    let log_json = match raw.log.format.as_str() {
        "text" => false,
        "json" => true,
        other => {
            return Err(invalid(
                "log.format",
                format!("`{other}`: expected text or json"),
            ))
        }
    };
    if !(1..=100_000).contains(&raw.instance.max_status_chars) {
        return Err(invalid(
            "instance.max_status_chars",
            format!("`{}`: expected 1 to 100000", raw.instance.max_status_chars),
        ));
    }
    if raw.federation.delivery_concurrency > 4096 {
        return Err(invalid(
            "federation.delivery_concurrency",
            format!(
                "`{}`: expected 0 to 4096",
                raw.federation.delivery_concurrency
            ),
        ));
    }
    if !(20..=3600).contains(&raw.federation.delivery_lease_seconds) {
        return Err(invalid(
            "federation.delivery_lease_seconds",
            format!(
                "`{}`: expected 20 to 3600",
                raw.federation.delivery_lease_seconds
            ),
        ));
    }
    let show_domain_blocks = raw.instance.show_domain_blocks.trim().to_ascii_lowercase();
    if !matches!(show_domain_blocks.as_str(), "disabled" | "users" | "all") {
        return Err(invalid(
            "instance.show_domain_blocks",
            format!(
                "`{}`: expected disabled, users or all",
                raw.instance.show_domain_blocks
            ),
        ));
    }
    let federation_mode = kindred_domain::federation_policy::Mode::parse(&raw.federation.mode)
        .map_err(|_| {
            invalid(
                "federation.mode",
                format!("`{}`: expected open or allowlist", raw.federation.mode),
            )
        })?;
    let max_per_remote_domain = kindred_domain::meetings::RemoteCap::parse(
        raw.meetings.max_per_remote_domain,
    )
    .map_err(|_| {
        invalid(
            "meetings.max_per_remote_domain",
            format!(
                "`{}`: expected 0 to 10000",
                raw.meetings.max_per_remote_domain
            ),
        )
    })?;
    let crisis_phrases = if raw.crisis.notice_enabled {
        Some(
            kindred_domain::crisis::CrisisPhrases::parse(&raw.crisis.phrases)
                .map_err(|e| invalid("crisis.phrases", e.to_string()))?,
        )
    } else {
        None
    };
    let audit_retention_days = u32::try_from(raw.moderation.audit_retention_days)
        .ok()
        .filter(|d| *d <= 36_500)
        .ok_or_else(|| {
            invalid(
                "moderation.audit_retention_days",
                format!(
                    "`{}`: expected 0 (keep for ever) to 36500",
                    raw.moderation.audit_retention_days
                ),
            )
        })?;
    let days = |key: &'static str, v: i64| -> Result<Option<u32>, ConfigError> {
        match u32::try_from(v) {
            Ok(0) => Ok(None),
            Ok(d) if d <= 36_500 => Ok(Some(d)),
            _ => Err(invalid(
                key,
                format!("`{v}`: expected 0 (none) to 36500 days"),
            )),
        }
    };
    let retention = kindred_domain::retention::RetentionLimits {
        default_days: days("retention.default_days", raw.retention.default_days)?,
        max_days: days("retention.max_days", raw.retention.max_days)?,
    };
    let limits = limit_settings(&raw.server, &raw.limits)?;
    let metrics_bind = if raw.metrics.enabled {
        let addr: SocketAddr = raw.metrics.bind.parse().map_err(|_| {
            invalid(
                "metrics.bind",
                format!("`{}` is not an address:port", raw.metrics.bind),
            )
        })?;
        if addr == bind || (addr.port() == bind.port() && addr.port() != 0) {
            return Err(invalid(
                "metrics.bind",
                format!("`{addr}`: must not be the public listener (server.bind)"),
            ));
        }
        Some(addr)
    } else {
        None
    };
    let email = email_settings(&raw.email)?;
    if raw.security.token_expiry_days > 36_500 {
        return Err(invalid(
            "security.token_expiry_days",
            format!("`{}`: expected 0 to 36500", raw.security.token_expiry_days),
        ));
    }
    if tracing_subscriber::EnvFilter::try_new(&raw.log.level).is_err() {
        return Err(invalid(
            "log.level",
            format!("`{}` is not a valid filter", raw.log.level),
        ));
    }
    Ok(Settings {
        bind,
        workers: raw.server.workers,
        shutdown_timeout: raw.server.shutdown_timeout,
        rate_limits: raw.server.rate_limits,
        trust_proxy_headers: raw.server.trust_proxy_headers,
        domain,
        https,
        name: raw.instance.name,
        description: raw.instance.description,
        contact_email,
        rules: raw.instance.rules,
        languages: raw.instance.languages,
        max_status_chars: raw.instance.max_status_chars,
        public_timeline_preview: raw.instance.public_timeline_preview,
        show_domain_blocks,
        database_url,
        files_dir,
        export_keep_hours,
        quick_exit_url,
        media_dir,
        media_limits,
        media_cache_bytes: raw.media.remote_cache_mb.saturating_mul(1024 * 1024),
        media_cache_days: raw.media.remote_cache_days,
        media_avatars: raw.media.avatars,
        max_connections: raw.database.max_connections,
        registration,
        secret,
        allow_http: raw.federation.allow_http,
        allow_private_networks: raw.federation.allow_private_networks,
        delivery_concurrency: raw.federation.delivery_concurrency,
        delivery_lease: std::time::Duration::from_secs(raw.federation.delivery_lease_seconds),
        federation_mode,
        max_per_remote_domain,
        crisis_phrases,
        audit_retention_days,
        retention,
        limits,
        metrics_bind,
        email,
        token_expiry_days: raw.security.token_expiry_days,
        log_level: raw.log.level,
        log_json,
    })
}

fn limit_settings(
    server: &ServerSection,
    raw: &LimitsSection,
) -> Result<kindred_api::limits::LimitSettings, ConfigError> {
    use kindred_api::rate::Rate;
    let rate = |key: &'static str, value: &str| {
        Rate::parse(value).map_err(|message| invalid(key, message))
    };
    if !(1..=10_000_000).contains(&raw.login_tracked_keys) {
        return Err(invalid(
            "limits.login_tracked_keys",
            format!("`{}`: expected 1 to 10000000", raw.login_tracked_keys),
        ));
    }
    Ok(kindred_api::limits::LimitSettings {
        enabled: server.rate_limits,
        trust_proxy_headers: server.trust_proxy_headers,
        api: kindred_api::ratelimit::ApiRates {
            authenticated: rate("limits.api_authenticated", &raw.api_authenticated)?,
            unauthenticated: rate("limits.api_unauthenticated", &raw.api_unauthenticated)?,
            statuses: rate("limits.api_statuses", &raw.api_statuses)?,
            media: rate("limits.api_media", &raw.api_media)?,
            sign_up: rate("limits.api_sign_ups", &raw.api_sign_ups)?,
        },
        login_failures_per_name: rate(
            "limits.login_failures_per_name",
            &raw.login_failures_per_name,
        )?,
        login_failures_per_client: rate(
            "limits.login_failures_per_client",
            &raw.login_failures_per_client,
        )?,
        login_tracked_keys: raw.login_tracked_keys,
        sign_ups: rate("limits.sign_ups", &raw.sign_ups)?,
        password_resets_per_address: rate(
            "limits.password_resets_per_address",
            &raw.password_resets_per_address,
        )?,
        password_resets_per_client: rate(
            "limits.password_resets_per_client",
            &raw.password_resets_per_client,
        )?,
    })
}

/// `[email]`: an `smtp`/`smtps` URL with a host, and a sender address (`from`,
/// plain or `Name <addr>`), or nothing when `smtp_url` is empty.
fn email_settings(raw: &EmailSection) -> Result<Option<EmailSettings>, ConfigError> {
    let url_text = raw.smtp_url.trim();
    if url_text.is_empty() {
        return Ok(None);
    }
    // The URL may carry a password: messages never repeat it.
    let url = url::Url::parse(url_text).map_err(|_| {
        invalid(
            "email.smtp_url",
            "not a URL (smtp://host:port or smtps://host:port)",
        )
    })?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(invalid(
            "email.smtp_url",
            "expected an smtp:// or smtps:// URL",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("email.smtp_url", "the URL names no host"));
    }
    if raw.from.trim().parse::<lettre::message::Mailbox>().is_err() {
        return Err(invalid(
            "email.from",
            "expected the sender's address (\"Name <addr@host>\" or \"addr@host\") with email.smtp_url",
        ));
    }
    if !(1..=3600).contains(&raw.retry_seconds) {
        return Err(invalid(
            "email.retry_seconds",
            format!("`{}`: expected 1 to 3600", raw.retry_seconds),
        ));
    }
    Ok(Some(EmailSettings {
        smtp_url: url_text.to_owned(),
        smtp_password: Some(raw.smtp_password.clone()).filter(|p| !p.is_empty()),
        from: raw.from.trim().to_owned(),
        retry: std::time::Duration::from_secs(raw.retry_seconds),
    }))
}

pub fn parse_hex_key(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_valid() {
        let s = load(None, &[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.domain.to_string(), "localhost:8080");
        assert_eq!(s.database_url, "sqlite://data/kindred.sqlite");
        assert_eq!(s.registration, RegistrationMode::Approval);
        assert!(!s.allow_http && !s.allow_private_networks);
        assert!(s.https);
        assert_eq!(s.delivery_concurrency, 128);
        assert_eq!(s.delivery_lease.as_secs(), 60);
    }

    #[test]
    fn env_overrides_file() {
        let dir = std::env::temp_dir().join(format!("kindred-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "[registration]\nmode = \"open\"\n[instance]\nname = \"File\"\n",
        )
        .unwrap();
        let s = load(
            Some(&file),
            &env(&[
                ("KINDRED__INSTANCE__NAME", "Env"),
                ("KINDRED__FEDERATION__ALLOW_HTTP", "true"),
            ]),
        )
        .unwrap();
        assert_eq!(s.name, "Env");
        assert_eq!(s.registration, RegistrationMode::Open);
        assert!(s.allow_http);
        assert!(!s.https, "localhost with allow_http uses http ids");
    }

    #[test]
    fn unknown_and_invalid_keys_are_named() {
        let e = load(None, &env(&[("KINDRED__SERVER__BINDD", "x")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("bindd"), "{e}");
        let e = load(None, &env(&[("KINDRED__REGISTRATION__MODE", "everyone")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("registration.mode"), "{e}");
        let e = load(None, &env(&[("KINDRED__INSTANCE__DOMAIN", "127.0.0.1:80")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("instance.domain"), "{e}");
        let e = load(None, &env(&[("KINDRED__FEDERATION__ALLOW_HTTP", "maybe")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("allow_http"), "{e}");
        let e = load(
            None,
            &env(&[("KINDRED__FEDERATION__DELIVERY_LEASE_SECONDS", "5")]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("federation.delivery_lease_seconds"), "{e}");
        let e = load(None, &env(&[("KINDRED__NOPE__X", "1")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope"), "{e}");
    }

    #[test]
    fn the_crisis_notice_is_off_by_default_and_needs_phrases_when_on() {
        assert!(load(None, &[]).unwrap().crisis_phrases.is_none());
        let e = load(None, &env(&[("KINDRED__CRISIS__NOTICE_ENABLED", "true")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("crisis.phrases"), "{e}");
        let s = load(
            None,
            &env(&[
                ("KINDRED__CRISIS__NOTICE_ENABLED", "true"),
                ("KINDRED__CRISIS__PHRASES", "[want to die, no way out]"),
            ]),
        )
        .unwrap();
        let phrases = s.crisis_phrases.unwrap();
        assert!(phrases.matches("there is NO way out", ""));
        assert!(phrases.matches("I want to die.", ""));
        // Phrases alone do nothing while the notice is off.
        let s = load(None, &env(&[("KINDRED__CRISIS__PHRASES", "[want to die]")])).unwrap();
        assert!(s.crisis_phrases.is_none());
    }

    #[test]
    fn the_limit_defaults_are_the_documented_ones() {
        let s = load(None, &[]).unwrap();
        assert_eq!(s.limits, kindred_api::limits::LimitSettings::default());
        assert!(s.limits.enabled);
        assert_eq!(s.limits.sign_ups.to_string(), "100/1h");
        assert_eq!(s.limits.api.sign_up.to_string(), "5/30m");
        assert_eq!(s.metrics_bind, None, "metrics are off by default");
    }

    #[test]
    fn limits_are_settings() {
        let s = load(
            None,
            &env(&[
                ("KINDRED__LIMITS__SIGN_UPS", "40/10m"),
                ("KINDRED__LIMITS__API_AUTHENTICATED", "1000/1m"),
                ("KINDRED__LIMITS__LOGIN_FAILURES_PER_NAME", "3/1h"),
                ("KINDRED__LIMITS__LOGIN_TRACKED_KEYS", "500"),
                ("KINDRED__SERVER__RATE_LIMITS", "false"),
            ]),
        )
        .unwrap();
        assert_eq!(s.limits.sign_ups.count, 40);
        assert_eq!(s.limits.sign_ups.period.as_secs(), 600);
        assert_eq!(s.limits.api.authenticated.count, 1000);
        assert_eq!(s.limits.login_failures_per_name.period.as_secs(), 3600);
        assert_eq!(s.limits.login_tracked_keys, 500);
        assert!(!s.limits.enabled);
    }

    #[test]
    fn bad_limits_are_exact_errors() {
        for (var, key) in [
            ("KINDRED__LIMITS__SIGN_UPS", "limits.sign_ups"),
            (
                "KINDRED__LIMITS__API_AUTHENTICATED",
                "limits.api_authenticated",
            ),
            (
                "KINDRED__LIMITS__API_UNAUTHENTICATED",
                "limits.api_unauthenticated",
            ),
            ("KINDRED__LIMITS__API_STATUSES", "limits.api_statuses"),
            ("KINDRED__LIMITS__API_MEDIA", "limits.api_media"),
            ("KINDRED__LIMITS__API_SIGN_UPS", "limits.api_sign_ups"),
            (
                "KINDRED__LIMITS__LOGIN_FAILURES_PER_NAME",
                "limits.login_failures_per_name",
            ),
            (
                "KINDRED__LIMITS__LOGIN_FAILURES_PER_CLIENT",
                "limits.login_failures_per_client",
            ),
            (
                "KINDRED__LIMITS__PASSWORD_RESETS_PER_ADDRESS",
                "limits.password_resets_per_address",
            ),
            (
                "KINDRED__LIMITS__PASSWORD_RESETS_PER_CLIENT",
                "limits.password_resets_per_client",
            ),
        ] {
            for bad in ["many", "0/5m", "20/5w", "20/8d"] {
                let e = load(None, &env(&[(var, bad)])).unwrap_err().to_string();
                assert!(
                    e.starts_with(&format!("configuration error: `{key}`: `{bad}`")),
                    "{var}={bad}: {e}"
                );
            }
        }
        let e = load(None, &env(&[("KINDRED__LIMITS__LOGIN_TRACKED_KEYS", "0")]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "configuration error: `limits.login_tracked_keys`: `0`: expected 1 to 10000000"
        );
        let e = load(None, &env(&[("KINDRED__LIMITS__SIGN_UP", "40/1h")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("sign_up"), "unknown key named: {e}");
    }

    #[test]
    fn metrics_settings() {
        let s = load(
            None,
            &env(&[
                ("KINDRED__METRICS__ENABLED", "true"),
                ("KINDRED__METRICS__BIND", "127.0.0.1:9464"),
            ]),
        )
        .unwrap();
        assert_eq!(s.metrics_bind.unwrap().to_string(), "127.0.0.1:9464");
        let e = load(
            None,
            &env(&[
                ("KINDRED__METRICS__ENABLED", "true"),
                ("KINDRED__METRICS__BIND", "somewhere"),
            ]),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "configuration error: `metrics.bind`: `somewhere` is not an address:port"
        );
        let e = load(
            None,
            &env(&[
                ("KINDRED__METRICS__ENABLED", "true"),
                ("KINDRED__METRICS__BIND", "0.0.0.0:8080"),
            ]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`metrics.bind`") && e.contains("public"), "{e}");
        // Off, the address is not even read.
        let s = load(None, &env(&[("KINDRED__METRICS__BIND", "somewhere")])).unwrap();
        assert_eq!(s.metrics_bind, None);
    }

    #[test]
    fn email_settings_are_checked_without_repeating_secrets() {
        assert!(load(None, &[]).unwrap().email.is_none());
        let ok = load(
            None,
            &env(&[
                (
                    "KINDRED__EMAIL__SMTP_URL",
                    "smtps://u:hunter2@mail.example:465",
                ),
                ("KINDRED__EMAIL__FROM", "Harbour <no-reply@harbour.example>"),
            ]),
        )
        .unwrap();
        assert!(ok.email.is_some());
        let e = load(
            None,
            &env(&[
                ("KINDRED__EMAIL__SMTP_URL", "http://u:hunter2@mail.example"),
                ("KINDRED__EMAIL__FROM", "a@b.example"),
            ]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("email.smtp_url") && !e.contains("hunter2"),
            "{e}"
        );
        let e = load(
            None,
            &env(&[("KINDRED__EMAIL__SMTP_URL", "smtp://mail.example:25")]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("email.from"), "{e}");
        let debug = format!("{ok:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn hex_keys() {
        assert!(parse_hex_key(&"ab".repeat(32)).is_some());
        assert!(parse_hex_key("abc").is_none());
        assert!(parse_hex_key(&"zz".repeat(32)).is_none());
    }
}
