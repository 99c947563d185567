//! The one federation-policy check (invariant 5), as every edge asks it: the inbox
//! (before a signature is verified), each delivery (just before it is sent), and
//! every outbound fetch (the HTTP client's guard, so WebFinger, actor and object
//! fetches, search's `resolve` and probes all pass through it).
//!
//! The policy lives in the database (`kindred_db::models::domain_policy`); a
//! [`PolicyHandle`] keeps it in memory and reloads it when the stored version
//! changes. It checks the version at most every [`RECHECK`], so a change made by
//! another process (the CLI) applies within that time; a change made through this
//! process applies at once ([`PolicyHandle::invalidate`]).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use kindred_db::models::domain_policy::{self, Snapshot};
use kindred_db::{Db, DbError};
use kindred_domain::federation_policy::{
    BlockRule, Decision, Mode, Policy, PolicyDomain, Severity, Traffic, TrafficScope,
};

/// Longest time a policy change made elsewhere takes to apply here.
pub const RECHECK: Duration = Duration::from_millis(500);

struct Cached {
    policy: Arc<Policy>,
    version: i64,
    checked: Option<Instant>,
}

pub struct PolicyHandle {
    db: Db,
    default_mode: Mode,
    cached: RwLock<Cached>,
}

impl std::fmt::Debug for PolicyHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyHandle")
            .field("default_mode", &self.default_mode)
            .finish_non_exhaustive()
    }
}

impl PolicyHandle {
    /// `default_mode` is `federation.mode` from the configuration: the mode until an
    /// admin sets one.
    pub fn new(db: Db, default_mode: Mode) -> Arc<Self> {
        Arc::new(Self {
            db,
            default_mode,
            cached: RwLock::new(Cached {
                policy: Arc::new(Policy::new(default_mode, [], [])),
                version: -1,
                checked: None,
            }),
        })
    }

    pub fn default_mode(&self) -> Mode {
        self.default_mode
    }

    /// The policy now in force.
    pub async fn current(&self) -> Result<Arc<Policy>, DbError> {
        let known = {
            let c = self.cached.read().unwrap_or_else(|e| e.into_inner());
            if c.checked.is_some_and(|t| t.elapsed() < RECHECK) {
                return Ok(c.policy.clone());
            }
            c.version
        };
        let version = self.db.run(domain_policy::version).await?;
        if version == known {
            let mut c = self.cached.write().unwrap_or_else(|e| e.into_inner());
            c.checked = Some(Instant::now());
            return Ok(c.policy.clone());
        }
        let snapshot = self.db.run(domain_policy::snapshot).await?;
        let policy = Arc::new(build(&snapshot, self.default_mode));
        let mut c = self.cached.write().unwrap_or_else(|e| e.into_inner());
        *c = Cached {
            policy: policy.clone(),
            version: snapshot.version,
            checked: Some(Instant::now()),
        };
        Ok(policy)
    }

    /// Forces a reload at the next check (after a change made in this process).
    pub fn invalidate(&self) {
        let mut c = self.cached.write().unwrap_or_else(|e| e.into_inner());
        c.checked = None;
        c.version = -1;
    }

    /// The decision for a domain or URL; refused when the policy cannot be read
    /// (failing closed).
    pub async fn decide(&self, domain_or_url: &str) -> Decision {
        match self.current().await {
            Ok(p) => p.decide_str(domain_or_url),
            Err(e) => {
                tracing::error!(error = e.code(), "federation policy unavailable; refusing");
                Decision::Refuse
            }
        }
    }
}

/// The policy a snapshot describes. Rows that no longer parse (written by an older
/// version, say) are skipped with a warning rather than stopping federation.
pub fn build(snapshot: &Snapshot, default_mode: Mode) -> Policy {
    let mode = snapshot
        .mode
        .as_deref()
        .and_then(|m| Mode::parse(m).ok())
        .unwrap_or(default_mode);
    let blocks = snapshot.blocks.iter().filter_map(|b| {
        let domain = PolicyDomain::parse(&b.domain).ok()?;
        let severity = Severity::parse(&b.severity).ok()?;
        Some((
            domain,
            BlockRule {
                severity,
                reject_media: b.reject_media,
                reject_reports: b.reject_reports,
            },
        ))
    });
    let allows = snapshot.allows.iter().filter_map(|a| {
        Some((
            PolicyDomain::parse(&a.domain).ok()?,
            TrafficScope::parse(&a.scopes).ok()?,
        ))
    });
    let blocks: Vec<_> = blocks.collect();
    let allows: Vec<_> = allows.collect();
    let skipped = snapshot.blocks.len() + snapshot.allows.len() - blocks.len() - allows.len();
    if skipped > 0 {
        tracing::warn!(
            skipped,
            "federation policy rows that do not parse were skipped"
        );
    }
    Policy::new(mode, blocks, allows)
}

/// Whether some partner may send anonymous RSVPs
/// ([`Policy::takes_anonymous_rsvps`]), read in the caller's transaction from the
/// partners and only the blocks that could cover them (a few rows, however long
/// the blocklist).
pub fn takes_anonymous_rsvps(conn: &mut kindred_db::AnyConnection) -> Result<bool, DbError> {
    let allows: Vec<_> = domain_policy::allows(conn)?
        .into_iter()
        .filter(|a| TrafficScope::parse(&a.scopes).is_ok_and(|s| s.contains(Traffic::Rsvps)))
        .collect();
    let mut blocks = Vec::new();
    for a in &allows {
        let Ok(d) = PolicyDomain::parse(&a.domain) else {
            continue;
        };
        for c in d.covering() {
            blocks.extend(domain_policy::block_by_domain(conn, &c.to_string())?);
        }
    }
    let snapshot = Snapshot {
        allows,
        blocks,
        ..Snapshot::default()
    };
    Ok(build(&snapshot, Mode::Open).takes_anonymous_rsvps())
}

fn is_public_or_followers(u: &serde_json::Value) -> bool {
    u.as_str()
        .is_some_and(|s| crate::inbox::addressing::is_public(s) || s.ends_with("/followers"))
}

fn addressed_publicly(v: &serde_json::Value) -> bool {
    ["to", "cc"].iter().any(|k| match &v[*k] {
        serde_json::Value::Array(items) => items.iter().any(is_public_or_followers),
        one => is_public_or_followers(one),
    })
}

fn id_of(v: &serde_json::Value) -> Option<&str> {
    v.as_str().or_else(|| v["id"].as_str())
}

/// Whether an activity is the meeting directory's follow traffic: a `Follow` (or
/// its `Accept`, `Reject`, `Undo`) from or of `instance_actor`, ours. Our instance
/// actor follows, and is followed, only for the directory.
fn is_directory_follow(activity: &serde_json::Value, instance_actor: &str) -> bool {
    if instance_actor.is_empty() {
        return false;
    }
    let follow = match activity["type"].as_str() {
        Some("Follow") => activity,
        Some("Accept" | "Reject" | "Undo") => &activity["object"],
        _ => return false,
    };
    if follow.is_string() {
        // An answer naming the Follow by id only: ours when we send it.
        return id_of(&activity["actor"]) == Some(instance_actor);
    }
    follow["type"].as_str() == Some("Follow")
        && [&follow["actor"], &follow["object"]]
            .iter()
            .any(|v| id_of(v) == Some(instance_actor))
}

/// As [`classify`], knowing our instance actor: the meeting directory's follows
/// (instance actor to instance actor) are meeting traffic, so a partner allowed
/// meetings only can still subscribe and be subscribed to.
pub fn classify_at(activity: &serde_json::Value, instance_actor: &str) -> Traffic {
    if is_directory_follow(activity, instance_actor) {
        Traffic::Meetings
    } else {
        classify(activity)
    }
}

/// Which kind of traffic an activity is, for partner scopes.
pub fn classify(activity: &serde_json::Value) -> Traffic {
    let kind = activity["type"].as_str().unwrap_or_default();
    let object = &activity["object"];
    let object_type = object["type"].as_str().unwrap_or_default();
    match kind {
        // A group's FEP-1b12 relay is the traffic it carries (an announcement, a
        // meeting listing...).
        "Announce" if object.get("object").is_some() && object.get("type").is_some() => {
            classify(object)
        }
        "Follow" | "Accept" | "Reject" => match object_type {
            "Join" => Traffic::Rsvps,
            _ => Traffic::Follows,
        },
        "Undo" => match object_type {
            "Follow" => Traffic::Follows,
            "Join" => Traffic::Rsvps,
            _ => Traffic::Announcements,
        },
        "Join" | "Leave" => Traffic::Rsvps,
        "Flag" => Traffic::Reports,
        _ if object_type == "Event" => Traffic::Meetings,
        // A removed listing (our `Delete`s name the former type).
        "Delete" if object["formerType"].as_str() == Some("Event") => Traffic::Meetings,
        "Create" | "Update" if object_type == "Note" && !addressed_publicly(object) => {
            Traffic::DirectMessages
        }
        _ => Traffic::Announcements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn directory_follows_are_meeting_traffic() {
        let ours = "https://a.example/actor";
        let theirs = "https://b.example/actor";
        let follow = json!({"type": "Follow", "actor": theirs, "object": ours});
        assert_eq!(classify_at(&follow, ours), Traffic::Meetings);
        assert_eq!(classify(&follow), Traffic::Follows);
        let accept = json!({"type": "Accept", "actor": theirs,
            "object": {"type": "Follow", "actor": ours, "object": theirs}});
        assert_eq!(classify_at(&accept, ours), Traffic::Meetings);
        let undo = json!({"type": "Undo", "actor": theirs,
            "object": {"type": "Follow", "actor": theirs, "object": ours}});
        assert_eq!(classify_at(&undo, ours), Traffic::Meetings);
        let by_id = json!({"type": "Accept", "actor": ours, "object": "https://b.example/f/1"});
        assert_eq!(classify_at(&by_id, ours), Traffic::Meetings);
        // A member's follow is not.
        let member = json!({"type": "Follow", "actor": "https://b.example/users/x",
            "object": "https://a.example/users/y"});
        assert_eq!(classify_at(&member, ours), Traffic::Follows);
        assert_eq!(classify_at(&follow, ""), Traffic::Follows);
        // Nor is an RSVP answer from the instance actor.
        let rsvp = json!({"type": "Accept", "actor": ours, "object": {"type": "Join"}});
        assert_eq!(classify_at(&rsvp, ours), Traffic::Rsvps);
    }

    #[test]
    fn activities_are_classified_for_scopes() {
        let note = |to: &str| json!({"type": "Create", "object": {"type": "Note", "to": [to]}});
        assert_eq!(
            classify(&note("https://www.w3.org/ns/activitystreams#Public")),
            Traffic::Announcements
        );
        assert_eq!(
            classify(&note("https://a.example/users/x/followers")),
            Traffic::Announcements
        );
        assert_eq!(
            classify(&note("https://b.example/users/y")),
            Traffic::DirectMessages
        );
        assert_eq!(
            classify(&json!({"type": "Follow", "object": "https://b.example/users/y"})),
            Traffic::Follows
        );
        assert_eq!(
            classify(&json!({"type": "Undo", "object": {"type": "Follow"}})),
            Traffic::Follows
        );
        assert_eq!(classify(&json!({"type": "Join"})), Traffic::Rsvps);
        // A group's relay is classified by what it carries.
        assert_eq!(
            classify(
                &json!({"type": "Announce", "object": {"type": "Create", "object": {"type": "Event"}}})
            ),
            Traffic::Meetings
        );
        assert_eq!(
            classify(&json!({"type": "Announce", "object": {"type": "Create",
                "object": {"type": "Note", "to": ["https://www.w3.org/ns/activitystreams#Public"]}}})),
            Traffic::Announcements
        );
        assert_eq!(
            classify(&json!({"type": "Announce", "object": "https://a.example/n/1"})),
            Traffic::Announcements
        );
        assert_eq!(classify(&json!({"type": "Flag"})), Traffic::Reports);
        assert_eq!(
            classify(
                &json!({"type": "Delete", "object": {"type": "Tombstone", "formerType": "Event"}})
            ),
            Traffic::Meetings
        );
        assert_eq!(
            classify(&json!({"type": "Create", "object": {"type": "Event"}})),
            Traffic::Meetings
        );
        assert_eq!(
            classify(&json!({"type": "Like", "object": "https://b.example/n/1"})),
            Traffic::Announcements
        );
    }
}

/// What the policy says about an incoming activity, before anything else is done
/// with it (its signature is not verified yet: a refused domain costs us nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbound {
    Accept,
    /// The sender's domain (or its signing key's) is refused.
    Blocked,
    /// A partner, but not for this kind of traffic.
    OutOfScope,
}

/// Checks the domains of the activity's `actor` and of the signature's `keyId`.
/// `instance_actor` is ours (see [`classify_at`]).
pub async fn check_inbound(
    rules: &PolicyHandle,
    activity: &serde_json::Value,
    key_id: Option<&str>,
    instance_actor: &str,
) -> Inbound {
    let actor = match &activity["actor"] {
        serde_json::Value::String(s) => Some(s.as_str()),
        other => other["id"].as_str(),
    };
    let Ok(policy) = rules.current().await else {
        tracing::error!("federation policy unavailable; refusing inbound activity");
        return Inbound::Blocked;
    };
    let mut decisions = actor
        .into_iter()
        .chain(key_id)
        .map(|u| policy.decide_str(u));
    let traffic = classify_at(activity, instance_actor);
    let mut verdict = Inbound::Accept;
    for d in decisions.by_ref() {
        if d.is_refused() {
            return Inbound::Blocked;
        }
        if !d.permits(traffic) {
            verdict = Inbound::OutOfScope;
        }
    }
    verdict
}
