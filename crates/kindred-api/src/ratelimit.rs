//! Mastodon-style rate limits for the client API (`/api/*`), as actix middleware.
//!
//! Every response under `/api` carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
//! `X-RateLimit-Reset` (an ISO 8601 UTC time with milliseconds) for the bucket the
//! request is closest to exhausting; over a limit the answer is 429 with
//! `{"error":"Too many requests","error_code":"too_many_requests"}`, the same headers
//! and `Retry-After` in seconds.
//!
//! Buckets are kept in memory only, keyed by a keyed hash (HMAC-SHA256, truncated to 16
//! bytes) under a random key made when the process starts and never written anywhere.
//! Neither the bearer token nor the client address is stored: the address is read,
//! hashed and dropped within the request, and once the process ends nobody can link a
//! bucket to an address, not even with the database and the instance secret.
//!
//! The limiter never touches the database. A token counts as authenticated, and gets its
//! own bucket, only after the authentication extractor has accepted it once
//! ([`mark_token_verified`]); until then its requests count against the address, as
//! anonymous ones do. Without that, a client could send a new made-up token with every
//! request and never be limited on the endpoints that do not look at the token.
//!
//! Governor's GCRA replaces Mastodon's fixed windows: capacity comes back one request
//! at a time (one per second for 300 per 5 minutes) instead of all at once at the end of
//! a window. `Remaining` is what may be spent right now and `Reset` is when the bucket
//! will be full again if no more requests are made.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::{StateInformationMiddleware, StateSnapshot};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroize;

use crate::rate::Rate;
use crate::{ApiError, AppState};

/// The sizes of the API buckets: `limits.api_*` in the configuration. The defaults are
/// Mastodon's published ones (docs.joinmastodon.org/api/rate-limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRates {
    /// Any `/api` request with a token the server has accepted, per token. Mastodon
    /// counts per account; Kindred cannot tell the account without the database.
    pub authenticated: Rate,
    /// Any `/api` request without an accepted token, per client address (IPv6 per /64).
    pub unauthenticated: Rate,
    /// Posting: `POST /api/v1/statuses` and `POST /api/v1/statuses/:id/reblog`, per
    /// token, on top of the general bucket (Mastodon's `statuses` limit).
    pub statuses: Rate,
    /// Media uploads: `POST /api/v1/media` and `POST /api/v2/media`, per token.
    pub media: Rate,
    /// Sign-up through the API: `POST /api/v1/accounts`, per client address, whether
    /// the attempt succeeds or not (a failed attempt also says whether a name is taken).
    pub sign_up: Rate,
}

impl Default for ApiRates {
    fn default() -> Self {
        const MIN: u64 = 60;
        Self {
            authenticated: Rate::new(300, Duration::from_secs(5 * MIN)),
            unauthenticated: Rate::new(300, Duration::from_secs(5 * MIN)),
            statuses: Rate::new(300, Duration::from_secs(3 * 60 * MIN)),
            media: Rate::new(30, Duration::from_secs(30 * MIN)),
            sign_up: Rate::new(5, Duration::from_secs(30 * MIN)),
        }
    }
}

/// Housekeeping (forgetting full buckets, shrinking maps) every this many requests.
const MAINTAIN_EVERY: u64 = 4096;
/// How long an accepted token stays known without being accepted again.
const VERIFIED_TTL: Duration = Duration::from_secs(60 * 60);
/// At most this many accepted tokens are remembered; past it, new ones are counted per
/// address until old ones expire.
const MAX_VERIFIED: usize = 100_000;

const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// What the buckets are keyed by: 16 bytes of a keyed hash, never a token or an address.
pub(crate) type Key = [u8; 16];

/// A client (its address, as [`RateLimits::client_key`] hashed it) for in-memory
/// counters outside this module, such as the login throttle. Shows nothing of itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(pub(crate) Key);

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey(..)")
    }
}

type Limiter =
    RateLimiter<Key, DefaultKeyedStateStore<Key>, DefaultClock, StateInformationMiddleware>;

struct Bucket {
    name: &'static str,
    limit: u32,
    /// Time for one request's worth of capacity to come back.
    interval: Duration,
    limiter: Limiter,
}

impl Bucket {
    fn new(name: &'static str, rate: Rate, factor: u32) -> Self {
        let limit = rate.count.saturating_mul(factor).max(1);
        let interval = (rate.period / limit).max(Duration::from_nanos(1));
        let burst = NonZeroU32::new(limit).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self {
            name,
            limit,
            interval,
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
        }
    }

    fn check(&self, key: &Key) -> Result<Standing, Refusal> {
        match self.limiter.check_key(key) {
            Ok(snapshot) => Ok(self.standing(&snapshot)),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                Err(Refusal {
                    bucket: self.name,
                    standing: Standing {
                        limit: self.limit,
                        remaining: 0,
                        // The first request comes back after `wait`, the rest one by one.
                        reset_in: wait + self.interval * self.limit.saturating_sub(1),
                    },
                    retry_after: wait,
                })
            }
        }
    }

    fn standing(&self, snapshot: &StateSnapshot) -> Standing {
        let remaining = snapshot.remaining_burst_capacity().min(self.limit);
        Standing {
            limit: self.limit,
            remaining,
            reset_in: self.interval * (self.limit - remaining),
        }
    }

    fn maintain(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Where a bucket stands after a request was let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Standing {
    limit: u32,
    remaining: u32,
    /// Until the bucket is full again.
    reset_in: Duration,
}

#[derive(Debug)]
struct Refusal {
    bucket: &'static str,
    standing: Standing,
    retry_after: Duration,
}

/// The API rate limits of one server: the buckets, the per-process hashing key and the
/// set of recently accepted tokens (as keys). Lives in [`crate::limits::Limits`].
pub struct RateLimits {
    enabled: bool,
    trust_proxy_headers: bool,
    /// HMAC-SHA256 under a random key made at start-up; cloned for each hash.
    mac: Hmac<Sha256>,
    authenticated: Bucket,
    unauthenticated: Bucket,
    statuses: Bucket,
    media: Bucket,
    sign_up: Bucket,
    /// Keys of tokens the authentication extractor accepted, and when.
    verified: RwLock<HashMap<Key, Instant>>,
    requests: AtomicU64,
}

impl RateLimits {
    /// Mastodon's default limits. Client addresses are taken from `X-Forwarded-For` only
    /// when the connection comes from a loopback or private address (a local proxy).
    pub fn new() -> Self {
        Self::with_rates(ApiRates::default())
    }

    /// The limits an operator set (`limits.api_*`).
    pub fn with_rates(rates: ApiRates) -> Self {
        Self::build(rates, 1, true)
    }

    /// Every limit multiplied by `factor` (same periods), for benchmarks and tests that
    /// want the headers and the cost of the checks without running into the limits.
    pub fn scaled(factor: u32) -> Self {
        Self::build(ApiRates::default(), factor.max(1), true)
    }

    /// No limits: the middleware lets everything through and adds no headers.
    pub fn unlimited() -> Self {
        let mut limits = Self::build(ApiRates::default(), 1, true);
        limits.enabled = false;
        limits
    }

    /// Whether to believe `X-Forwarded-For` from loopback and private-network peers (on
    /// by default). Turn it off when clients can reach the server directly from such a
    /// network, or they could choose their own address for the limiter.
    pub fn trust_proxy_headers(mut self, trust: bool) -> Self {
        self.trust_proxy_headers = trust;
        self
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn build(rates: ApiRates, factor: u32, trust_proxy_headers: bool) -> Self {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        secret.zeroize();
        Self {
            enabled: true,
            trust_proxy_headers,
            mac,
            authenticated: Bucket::new("authenticated", rates.authenticated, factor),
            unauthenticated: Bucket::new("unauthenticated", rates.unauthenticated, factor),
            statuses: Bucket::new("statuses", rates.statuses, factor),
            media: Bucket::new("media", rates.media, factor),
            sign_up: Bucket::new("sign_up", rates.sign_up, factor),
            verified: RwLock::new(HashMap::new()),
            requests: AtomicU64::new(0),
        }
    }

    /// A keyed hash under this process's random key (the form every in-memory counter
    /// of a client is keyed by).
    pub(crate) fn keyed_hash(&self, label: &[u8], data: &[u8]) -> Key {
        let mut mac = self.mac.clone();
        mac.update(label);
        mac.update(data);
        let digest = mac.finalize().into_bytes();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        key
    }

    /// The bucket key for a client address. IPv4-mapped addresses count as IPv4, and an
    /// IPv6 address counts by its /64, which one subscriber usually holds whole.
    fn ip_key(&self, ip: IpAddr) -> Key {
        match canonical_ip(ip) {
            IpAddr::V4(v4) => self.keyed_hash(b"kindred ratelimit ipv4\0", &v4.octets()),
            IpAddr::V6(v6) => self.keyed_hash(b"kindred ratelimit ipv6/64\0", &v6.octets()[..8]),
        }
    }

    fn token_key(&self, token: &str) -> Key {
        self.keyed_hash(b"kindred ratelimit token\0", token.as_bytes())
    }

    fn is_verified(&self, key: &Key) -> bool {
        let verified = self.verified.read().unwrap_or_else(|e| e.into_inner());
        verified
            .get(key)
            .is_some_and(|at| at.elapsed() < VERIFIED_TTL)
    }

    fn remember_verified(&self, key: Key) {
        let mut verified = self.verified.write().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= MAX_VERIFIED && !verified.contains_key(&key) {
            verified.retain(|_, at| at.elapsed() < VERIFIED_TTL);
            if verified.len() >= MAX_VERIFIED {
                return;
            }
        }
        verified.insert(key, Instant::now());
    }

    /// Forgets buckets that are full again and expired tokens, and gives memory back,
    /// so many distinct clients cannot grow the maps without bound.
    fn maintain(&self) {
        for bucket in self.buckets() {
            bucket.maintain();
        }
        let mut verified = self.verified.write().unwrap_or_else(|e| e.into_inner());
        verified.retain(|_, at| at.elapsed() < VERIFIED_TTL);
        verified.shrink_to_fit();
    }

    fn buckets(&self) -> [&Bucket; 5] {
        [
            &self.authenticated,
            &self.unauthenticated,
            &self.statuses,
            &self.media,
            &self.sign_up,
        ]
    }

    /// The client of a request as in-memory counters know it: the keyed hash of its
    /// address (the peer, or the client a trusted local proxy names), whether or not the API
    /// limits are enabled. The address itself is dropped here.
    pub fn client_key(&self, req: &HttpRequest) -> ClientKey {
        ClientKey(match self.client_ip(req) {
            Some(ip) => self.ip_key(ip),
            None => self.keyed_hash(b"kindred ratelimit no address\0", &[]),
        })
    }

    /// The address the limiter counts for this request: the peer, or with a trusted
    /// local proxy the nearest address in `X-Forwarded-For` that is not itself local.
    fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = canonical_ip(req.peer_addr()?.ip());
        if self.trust_proxy_headers && is_local(peer) {
            Some(forwarded_client(req.headers()).unwrap_or(peer))
        } else {
            Some(peer)
        }
    }

    /// Charges every bucket the request falls in, the general one first. Returns where
    /// the closest-to-empty bucket stands, or the first bucket that is empty.
    fn check(&self, req: &ServiceRequest) -> Checked {
        // No peer address (never over TCP): one shared bucket.
        let ip_key = || self.client_key(req.request()).0;
        let token_key = crate::bearer::bearer_token(req.request()).map(|t| self.token_key(&t));
        let verified = token_key.is_some_and(|k| self.is_verified(&k));

        let mut charges: Vec<(&Bucket, Key)> = Vec::with_capacity(2);
        match token_key {
            Some(k) if verified => charges.push((&self.authenticated, k)),
            _ => charges.push((&self.unauthenticated, ip_key())),
        }
        match (special_bucket(req.method(), req.path()), token_key) {
            (Some(Special::Statuses), Some(k)) => charges.push((&self.statuses, k)),
            (Some(Special::Media), Some(k)) => charges.push((&self.media, k)),
            (Some(Special::SignUp), _) => charges.push((&self.sign_up, ip_key())),
            // Posting without a token is refused anyway, and counted per address.
            _ => {}
        }

        let mut closest: Option<Standing> = None;
        for (bucket, key) in charges {
            match bucket.check(&key) {
                Ok(s) => {
                    if closest.is_none_or(|c| s.remaining <= c.remaining) {
                        closest = Some(s);
                    }
                }
                Err(refusal) => return Checked::Refused(refusal),
            }
        }
        let standing = closest.unwrap_or(Standing {
            limit: 0,
            remaining: 0,
            reset_in: Duration::ZERO,
        });
        Checked::Allowed {
            standing,
            unverified_token: token_key.filter(|_| !verified),
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new()
    }
}

/// Never shows the hashing key or any bucket key.
impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("enabled", &self.enabled)
            .field("trust_proxy_headers", &self.trust_proxy_headers)
            .field("limit", &self.authenticated.limit)
            .finish_non_exhaustive()
    }
}

enum Checked {
    Allowed {
        standing: Standing,
        /// A token not yet known to be valid: remembered if the handler accepts it.
        unverified_token: Option<Key>,
    },
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    Statuses,
    Media,
    SignUp,
}

/// The endpoints with a bucket of their own besides the general one.
fn special_bucket(method: &Method, path: &str) -> Option<Special> {
    if method != Method::POST {
        return None;
    }
    let path = path.trim_end_matches('/');
    match path {
        "/api/v1/statuses" => Some(Special::Statuses),
        "/api/v1/media" | "/api/v2/media" => Some(Special::Media),
        "/api/v1/accounts" => Some(Special::SignUp),
        _ => {
            let id = path
                .strip_prefix("/api/v1/statuses/")?
                .strip_suffix("/reblog")?;
            (!id.is_empty() && !id.contains('/')).then_some(Special::Statuses)
        }
    }
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`, from dual-stack sockets) as the IPv4 it is.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Loopback, private, link-local and unique-local addresses: where a reverse proxy in
/// front of Kindred connects from.
fn is_local(ip: IpAddr) -> bool {
    match canonical_ip(ip) {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
    }
}

/// The client as the proxies saw it: reading `X-Forwarded-For` from the right (each
/// proxy appends the address it was connected from), the first address that is not
/// local. Entries further left were written by the client and are not believed.
fn forwarded_client(headers: &HeaderMap) -> Option<IpAddr> {
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        let Ok(value) = value.to_str() else { continue };
        hops.extend(value.split(',').filter_map(parse_hop).map(canonical_ip));
    }
    hops.iter()
        .rev()
        .find(|ip| !is_local(**ip))
        .or_else(|| hops.first())
        .copied()
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// Marks the request's bearer token as accepted. Called by the authentication extractor;
/// the limiter then counts that token on its own instead of by address.
pub fn mark_token_verified(req: &HttpRequest) {
    req.extensions_mut().insert(TokenVerified);
}

#[derive(Debug, Clone, Copy)]
struct TokenVerified;

/// The limits in force: the server's, or (in tests of this module) standalone ones.
enum Source {
    State(web::Data<AppState>),
    Standalone(web::Data<RateLimits>),
}

impl Source {
    fn of(req: &ServiceRequest) -> Option<Self> {
        if let Some(state) = req.app_data::<web::Data<AppState>>() {
            return Some(Self::State(state.clone()));
        }
        req.app_data::<web::Data<RateLimits>>()
            .map(|l| Self::Standalone(l.clone()))
    }

    fn limits(&self) -> &RateLimits {
        match self {
            Self::State(state) => state.limits.rate_limits(),
            Self::Standalone(limits) => limits,
        }
    }
}

/// The middleware: `web::scope("/api").wrap(from_fn(rate_limit))`.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(source) = Source::of(&req) else {
        return next.call(req).await.map(|r| r.map_into_left_body());
    };
    let limits = source.limits();
    if !limits.enabled {
        return next.call(req).await.map(|r| r.map_into_left_body());
    }
    if limits.requests.fetch_add(1, Ordering::Relaxed) % MAINTAIN_EVERY == MAINTAIN_EVERY - 1 {
        limits.maintain();
    }

    match limits.check(&req) {
        Checked::Refused(refusal) => {
            let route = req
                .match_pattern()
                .unwrap_or_else(|| "<unmatched>".to_owned());
            tracing::warn!(route = %route, bucket = refusal.bucket, "rate limit exceeded");
            let mut res = ApiError::too_many_requests().error_response();
            let headers = res.headers_mut();
            set_headers(headers, refusal.standing);
            let secs =
                refusal.retry_after.as_secs() + u64::from(refusal.retry_after.subsec_nanos() > 0);
            headers.insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
            Ok(req.into_response(res).map_into_right_body())
        }
        Checked::Allowed {
            standing,
            unverified_token,
        } => {
            let mut res = next.call(req).await?;
            if let Some(key) = unverified_token {
                if res.request().extensions().contains::<TokenVerified>() {
                    limits.remember_verified(key);
                }
            }
            set_headers(res.headers_mut(), standing);
            Ok(res.map_into_left_body())
        }
    }
}

fn set_headers(headers: &mut HeaderMap, standing: Standing) {
    headers.insert(X_RATELIMIT_LIMIT, HeaderValue::from(standing.limit));
    headers.insert(X_RATELIMIT_REMAINING, HeaderValue::from(standing.remaining));
    if let Ok(reset) = HeaderValue::from_str(&reset_timestamp(standing.reset_in)) {
        headers.insert(X_RATELIMIT_RESET, reset);
    }
}

/// Now plus `after`, as Mastodon writes it: `2026-11-25T23:00:00.000Z`.
fn reset_timestamp(after: Duration) -> String {
    let after = chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX);
    let at = chrono::Utc::now()
        .checked_add_signed(after)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use actix_web::middleware::from_fn;
    use actix_web::test as atest;
    use actix_web::{App, HttpResponse};

    use super::*;

    fn spec(limit: u32) -> Rate {
        Rate::new(limit, Duration::from_secs(60))
    }

    /// Small buckets, each of a different size so a test can tell which one answered.
    fn small() -> RateLimits {
        RateLimits::build(
            ApiRates {
                authenticated: spec(5),
                unauthenticated: spec(4),
                statuses: spec(2),
                media: spec(3),
                sign_up: spec(2),
            },
            1,
            true,
        )
    }

    /// Accepts any token, as the real extractor does for a valid one.
    async fn accepting(req: HttpRequest) -> HttpResponse {
        if crate::bearer::bearer_token(&req).is_some() {
            mark_token_verified(&req);
        }
        HttpResponse::Ok().body("ok")
    }

    /// Looks at no token at all, like public look-ups.
    async fn ignoring() -> HttpResponse {
        HttpResponse::Ok().body("ok")
    }

    macro_rules! app {
        ($limits:expr) => {
            atest::init_service(
                App::new().app_data(web::Data::new($limits)).service(
                    web::scope("/api")
                        .wrap(from_fn(rate_limit))
                        .route("/v1/accepting", web::get().to(accepting))
                        .route("/v1/ignoring", web::get().to(ignoring))
                        .route("/v1/statuses", web::post().to(accepting))
                        .route("/v1/accounts", web::post().to(accepting)),
                ),
            )
            .await
        };
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40000)
    }

    fn get(path: &str, ip: &str, token: Option<&str>) -> atest::TestRequest {
        let mut r = atest::TestRequest::get().uri(path).peer_addr(peer(ip));
        if let Some(t) = token {
            r = r.insert_header(("Authorization", format!("Bearer {t}")));
        }
        r
    }

    fn header<B>(res: &ServiceResponse<B>, name: &str) -> String {
        res.headers()
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .to_str()
            .unwrap()
            .to_owned()
    }

    fn remaining<B>(res: &ServiceResponse<B>) -> u32 {
        header(res, "x-ratelimit-remaining").parse().unwrap()
    }

    #[actix_web::test]
    async fn headers_are_present_and_remaining_decreases() {
        let app = app!(RateLimits::new());
        let mut last = u32::MAX;
        for _ in 0..3 {
            let res = atest::call_service(
                &app,
                get("/api/v1/ignoring", "203.0.113.7", None).to_request(),
            )
            .await;
            assert_eq!(res.status(), 200);
            assert_eq!(header(&res, "x-ratelimit-limit"), "300");
            let now = remaining(&res);
            assert!(now < last, "{now} after {last}");
            last = now;
            let reset = header(&res, "x-ratelimit-reset");
            // 2026-11-25T23:00:00.000Z
            assert_eq!(reset.len(), 24, "{reset}");
            assert!(
                reset.ends_with('Z') && reset.as_bytes()[19] == b'.',
                "{reset}"
            );
            let at = chrono::DateTime::parse_from_rfc3339(&reset).unwrap();
            assert!(at > chrono::Utc::now() - chrono::Duration::seconds(1));
        }
        assert_eq!(last, 297);
    }

    #[actix_web::test]
    async fn over_the_limit_is_429_with_json_and_retry_after() {
        let app = app!(small());
        for expected in (0..4).rev() {
            let res = atest::call_service(
                &app,
                get("/api/v1/ignoring", "203.0.113.7", None).to_request(),
            )
            .await;
            assert_eq!(res.status(), 200);
            assert_eq!(remaining(&res), expected);
        }
        let res = atest::call_service(
            &app,
            get("/api/v1/ignoring", "203.0.113.7", None).to_request(),
        )
        .await;
        assert_eq!(res.status(), 429);
        assert_eq!(header(&res, "x-ratelimit-limit"), "4");
        assert_eq!(remaining(&res), 0);
        let retry: u64 = header(&res, "retry-after").parse().unwrap();
        assert!((1..=15).contains(&retry), "{retry}");
        let reset =
            chrono::DateTime::parse_from_rfc3339(&header(&res, "x-ratelimit-reset")).unwrap();
        assert!(reset > chrono::Utc::now() + chrono::Duration::seconds(30));
        let body: serde_json::Value = atest::read_body_json(res).await;
        assert_eq!(
            body,
            serde_json::json!({"error": "Too many requests", "error_code": "too_many_requests"})
        );
    }

    #[actix_web::test]
    async fn each_accepted_token_has_its_own_bucket() {
        let app = app!(small());
        // The first request with a new token counts per address; once accepted, the
        // token has its own 5.
        let res = atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("alpha")).to_request(),
        )
        .await;
        assert_eq!(header(&res, "x-ratelimit-limit"), "4");
        for expected in (0..5).rev() {
            let res = atest::call_service(
                &app,
                get("/api/v1/accepting", "203.0.113.7", Some("alpha")).to_request(),
            )
            .await;
            assert_eq!(res.status(), 200);
            assert_eq!(header(&res, "x-ratelimit-limit"), "5");
            assert_eq!(remaining(&res), expected);
        }
        let res = atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("alpha")).to_request(),
        )
        .await;
        assert_eq!(res.status(), 429);
        // Another token from the same address is unaffected.
        atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("beta")).to_request(),
        )
        .await;
        let res = atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("beta")).to_request(),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(remaining(&res), 4);
    }

    #[actix_web::test]
    async fn anonymous_requests_count_per_address_apart_from_tokens() {
        let app = app!(small());
        let res = atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("alpha")).to_request(),
        )
        .await;
        assert_eq!(res.status(), 200);
        for _ in 0..3 {
            let res = atest::call_service(
                &app,
                get("/api/v1/ignoring", "203.0.113.7", None).to_request(),
            )
            .await;
            assert_eq!(res.status(), 200);
        }
        let res = atest::call_service(
            &app,
            get("/api/v1/ignoring", "203.0.113.7", None).to_request(),
        )
        .await;
        assert_eq!(res.status(), 429);
        // Other addresses have their own bucket ...
        let res = atest::call_service(
            &app,
            get("/api/v1/ignoring", "198.51.100.20", None).to_request(),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(remaining(&res), 3);
        // ... and the accepted token from the exhausted address still works.
        let res = atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("alpha")).to_request(),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "x-ratelimit-limit"), "5");
    }

    #[actix_web::test]
    async fn made_up_tokens_count_against_the_address() {
        let app = app!(small());
        for i in 0..4 {
            let res = atest::call_service(
                &app,
                get(
                    "/api/v1/ignoring",
                    "203.0.113.7",
                    Some(&format!("made-up-{i}")),
                )
                .to_request(),
            )
            .await;
            assert_eq!(res.status(), 200);
        }
        let res = atest::call_service(
            &app,
            get("/api/v1/ignoring", "203.0.113.7", Some("made-up-new")).to_request(),
        )
        .await;
        assert_eq!(res.status(), 429);
    }

    #[actix_web::test]
    async fn posting_has_its_own_bucket_and_headers_show_the_closest() {
        let app = app!(small());
        atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("alpha")).to_request(),
        )
        .await;
        let post = || {
            atest::TestRequest::post()
                .uri("/api/v1/statuses")
                .peer_addr(peer("203.0.113.7"))
                .insert_header(("Authorization", "Bearer alpha"))
                .to_request()
        };
        let res = atest::call_service(&app, post()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "x-ratelimit-limit"), "2");
        assert_eq!(remaining(&res), 1);
        atest::call_service(&app, post()).await;
        let res = atest::call_service(&app, post()).await;
        assert_eq!(res.status(), 429);
        assert_eq!(header(&res, "x-ratelimit-limit"), "2");
        // Reading still works: only the posting bucket is empty.
        let res = atest::call_service(
            &app,
            get("/api/v1/accepting", "203.0.113.7", Some("alpha")).to_request(),
        )
        .await;
        assert_eq!(res.status(), 200);
    }

    #[actix_web::test]
    async fn sign_up_is_limited_per_address_even_with_a_token() {
        let app = app!(small());
        let sign_up = |ip: &str, token: &str| {
            atest::TestRequest::post()
                .uri("/api/v1/accounts")
                .peer_addr(peer(ip))
                .insert_header(("Authorization", format!("Bearer {token}")))
                .to_request()
        };
        assert_eq!(
            atest::call_service(&app, sign_up("203.0.113.7", "a"))
                .await
                .status(),
            200
        );
        assert_eq!(
            atest::call_service(&app, sign_up("203.0.113.7", "b"))
                .await
                .status(),
            200
        );
        assert_eq!(
            atest::call_service(&app, sign_up("203.0.113.7", "c"))
                .await
                .status(),
            429
        );
        assert_eq!(
            atest::call_service(&app, sign_up("198.51.100.20", "c"))
                .await
                .status(),
            200
        );
    }

    #[actix_web::test]
    async fn forwarded_for_is_believed_only_from_a_local_proxy() {
        let app = app!(small());
        let via = |peer_ip: &str, xff: &str| {
            atest::TestRequest::get()
                .uri("/api/v1/ignoring")
                .peer_addr(peer(peer_ip))
                .insert_header(("X-Forwarded-For", xff.to_owned()))
                .to_request()
        };
        // Behind a local proxy: the client the proxy saw, not what the client claims.
        for _ in 0..4 {
            let res = atest::call_service(
                &app,
                via(
                    "127.0.0.1",
                    &format!("10.9.9.{}, 203.0.113.7", rand::random::<u8>()),
                ),
            )
            .await;
            assert_eq!(res.status(), 200);
        }
        assert_eq!(
            atest::call_service(&app, via("127.0.0.1", "203.0.113.7"))
                .await
                .status(),
            429
        );
        assert_eq!(
            atest::call_service(&app, via("::1", "198.51.100.20"))
                .await
                .status(),
            200
        );
        // From a public peer the header is ignored.
        let res = atest::call_service(&app, via("192.0.2.1", "203.0.113.99")).await;
        assert_eq!(remaining(&res), 3);
        let res = atest::call_service(&app, via("192.0.2.1", "203.0.113.100")).await;
        assert_eq!(remaining(&res), 2);
    }

    #[actix_web::test]
    async fn unlimited_adds_nothing_and_refuses_nothing() {
        let app = app!(RateLimits::unlimited());
        for _ in 0..400 {
            let res = atest::call_service(
                &app,
                get("/api/v1/ignoring", "203.0.113.7", None).to_request(),
            )
            .await;
            assert_eq!(res.status(), 200);
            assert!(res.headers().get("x-ratelimit-limit").is_none());
        }
        let app = app!(RateLimits::scaled(10));
        let res = atest::call_service(
            &app,
            get("/api/v1/ignoring", "203.0.113.7", None).to_request(),
        )
        .await;
        assert_eq!(header(&res, "x-ratelimit-limit"), "3000");
    }

    #[test]
    fn address_keys_are_keyed_hashes_not_addresses() {
        let limits = RateLimits::new();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let key = limits.ip_key(ip);
        assert!(!key.windows(4).any(|w| w == [203, 0, 113, 7]));
        assert!(!String::from_utf8_lossy(&key).contains("203.0.113.7"));
        assert_eq!(key, limits.ip_key(ip), "stable within the process");
        assert_ne!(key, RateLimits::new().ip_key(ip), "random key per process");
        assert_ne!(key, limits.ip_key("203.0.113.8".parse().unwrap()));
        assert_eq!(key, limits.ip_key("::ffff:203.0.113.7".parse().unwrap()));
        // One IPv6 /64 is one client.
        let a = limits.ip_key("2001:db8:1:2::1".parse().unwrap());
        assert_eq!(a, limits.ip_key("2001:db8:1:2:ffff::9".parse().unwrap()));
        assert_ne!(a, limits.ip_key("2001:db8:1:3::1".parse().unwrap()));
        // Tokens are hashed apart from addresses.
        assert!(!limits.token_key("203.0.113.7").eq(&key));
        let debug = format!("{limits:?}");
        assert!(!debug.contains("mac") && !debug.contains("key"), "{debug}");
    }

    #[test]
    fn client_address_keys_are_dropped_when_full_again() {
        let limits = RateLimits::build(
            ApiRates {
                unauthenticated: Rate::new(2, Duration::from_millis(20)),
                ..ApiRates::default()
            },
            1,
            true,
        );
        for i in 0..200u8 {
            let key = limits.ip_key(IpAddr::from([198, 51, 100, i]));
            assert!(limits.unauthenticated.check(&key).is_ok());
        }
        assert_eq!(limits.unauthenticated.limiter.len(), 200);
        std::thread::sleep(Duration::from_millis(50));
        limits.maintain();
        assert_eq!(limits.unauthenticated.limiter.len(), 0);
    }

    #[test]
    fn special_endpoints() {
        let post = Method::POST;
        assert_eq!(
            special_bucket(&post, "/api/v1/statuses"),
            Some(Special::Statuses)
        );
        assert_eq!(
            special_bucket(&post, "/api/v1/statuses/"),
            Some(Special::Statuses)
        );
        assert_eq!(
            special_bucket(&post, "/api/v1/statuses/123/reblog"),
            Some(Special::Statuses)
        );
        assert_eq!(
            special_bucket(&post, "/api/v1/statuses/123/favourite"),
            None
        );
        assert_eq!(special_bucket(&post, "/api/v1/statuses//reblog"), None);
        assert_eq!(special_bucket(&post, "/api/v2/media"), Some(Special::Media));
        assert_eq!(
            special_bucket(&post, "/api/v1/accounts"),
            Some(Special::SignUp)
        );
        assert_eq!(special_bucket(&post, "/api/v1/accounts/1/follow"), None);
        assert_eq!(special_bucket(&Method::GET, "/api/v1/statuses"), None);
    }

    #[test]
    fn forwarded_chains() {
        let headers = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(X_FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
            h
        };
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(forwarded_client(&headers("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(
            forwarded_client(&headers("1.1.1.1, 203.0.113.7, 10.0.0.2")),
            ip("203.0.113.7")
        );
        assert_eq!(
            forwarded_client(&headers("[2001:db8::1]:443, garbage")),
            ip("2001:db8::1")
        );
        assert_eq!(
            forwarded_client(&headers("192.168.1.5, 10.0.0.2")),
            ip("192.168.1.5")
        );
        assert_eq!(forwarded_client(&headers("unknown")), None);
        assert_eq!(forwarded_client(&HeaderMap::new()), None);
    }
}
