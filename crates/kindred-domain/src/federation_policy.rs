//! With whom the instance federates (invariant 5): the instance mode, domain blocks
//! with Mastodon's semantics, and allowed partners with the kinds of traffic each may
//! exchange. Pure rules; storage and the checks at each edge live elsewhere and all
//! ask [`Policy::decide`].
//!
//! A partner is a domain the admin named (`domain_allows`), in either mode. In
//! allowlist mode only partners are talked to; in open mode an unnamed domain keeps
//! every kind of traffic, but only a partner whose scope holds [`Traffic::Rsvps`] is
//! trusted with what RSVPs give automatically (an address on a free meeting, a place
//! held by an anonymous token): see [`Decision::trusts_rsvps`]. A named partner gets
//! exactly its scopes in both modes, which may be fewer than an unnamed domain's.
//!
//! Domains are compared only after [`PolicyDomain::parse`]: lower case, no trailing
//! dot, internationalized names as punycode, default ports dropped, `user@domain`,
//! `@user@domain` and URLs reduced to their host — so a block cannot be slipped by
//! spelling. A rule covers its subdomains. A rule written with an explicit port
//! (`localhost:3000`, for test setups) covers only that port; without one it covers
//! every port.

use std::collections::HashMap;
use std::fmt;

use url::{Host, Url};

use crate::DomainError;

/// A normalized domain, as rules store it and as checks look it up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyDomain {
    host: String,
    port: Option<u16>,
}

impl PolicyDomain {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let err = || DomainError::InvalidDomain(truncate(input));
        let raw = input.trim();
        if raw.is_empty() || raw.len() > 300 {
            return Err(err());
        }
        // A URL: its host and port.
        if raw.contains("://") {
            let url = Url::parse(raw).map_err(|_| err())?;
            let host = url.host_str().ok_or_else(err)?;
            // `port()` is None when it is the scheme's default.
            return Self::from_parts(host, url.port().filter(|p| *p != 80 && *p != 443))
                .map_err(|_| err());
        }
        // `user@domain`, `@user@domain`, `acct:user@domain`: the part after the last `@`.
        let raw = raw.rsplit('@').next().unwrap_or(raw);
        let raw = raw.split(['/', '?', '#']).next().unwrap_or(raw);
        let (host, port) = match raw.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || raw.starts_with('[') => {
                (h, Some(p.parse::<u16>().map_err(|_| err())?))
            }
            _ => (raw, None),
        };
        Self::from_parts(host, port.filter(|p| *p != 80 && *p != 443)).map_err(|_| err())
    }

    fn from_parts(host: &str, port: Option<u16>) -> Result<Self, ()> {
        let host = host.trim_end_matches('.');
        if host.is_empty() || host.starts_with('.') || host.contains("..") {
            return Err(());
        }
        let host = match Host::parse(host).map_err(|_| ())? {
            Host::Domain(d) => d,
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => format!("[{ip}]"),
        };
        if host.is_empty() || host.len() > 253 {
            return Err(());
        }
        Ok(Self { host, port })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Every rule domain that could cover this one, most specific first (the exact
    /// `host:port`, then the host and each parent without a port): what to look up
    /// in stored rules to decide about this domain without loading them all.
    pub fn covering(&self) -> Vec<PolicyDomain> {
        let exact = self.port.map(|_| self.clone());
        exact
            .into_iter()
            .chain(self.suffixes().map(|s| PolicyDomain {
                host: s.to_owned(),
                port: None,
            }))
            .collect()
    }

    /// This domain, then each parent domain (`a.b.example` → `b.example` → `example`).
    fn suffixes(&self) -> impl Iterator<Item = &str> {
        let host = self.host.as_str();
        std::iter::once(host).chain(
            host.char_indices()
                .filter(|(_, c)| *c == '.')
                .map(move |(i, _)| &host[i + 1..]),
        )
    }
}

impl fmt::Display for PolicyDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}:{p}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

/// Whether the instance talks to everyone not blocked, or only to allowed partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Open,
    Allowlist,
}

impl Mode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(Self::Open),
            "allowlist" => Ok(Self::Allowlist),
            other => Err(DomainError::InvalidPolicy(format!(
                "mode must be open or allowlist, not {}",
                truncate(other)
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Allowlist => "allowlist",
        }
    }
}

/// Mastodon's block severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Nothing is recorded but the comment (and `reject_media`/`reject_reports`).
    Noop,
    /// "Limit": their content reaches only those who follow it.
    Silence,
    /// No traffic either way.
    Suspend,
}

impl Severity {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "suspend" => Ok(Self::Suspend),
            // Mastodon's web UI calls it "limit".
            "silence" | "limit" => Ok(Self::Silence),
            "noop" | "none" => Ok(Self::Noop),
            other => Err(DomainError::InvalidPolicy(format!(
                "severity must be suspend, silence or noop, not {}",
                truncate(other)
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Silence => "silence",
            Self::Noop => "noop",
        }
    }
}

/// Kinds of traffic a partner may exchange with us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Traffic {
    /// Follows of accounts and groups (and their answers).
    Follows,
    /// Posts and group announcements.
    Announcements,
    /// Meeting listings.
    Meetings,
    /// RSVPs to meetings.
    Rsvps,
    /// Reports (`Flag`).
    Reports,
    /// Direct messages.
    DirectMessages,
}

impl Traffic {
    pub const ALL: [Traffic; 6] = [
        Self::Follows,
        Self::Announcements,
        Self::Meetings,
        Self::Rsvps,
        Self::Reports,
        Self::DirectMessages,
    ];

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "follows" => Ok(Self::Follows),
            "announcements" => Ok(Self::Announcements),
            "meetings" => Ok(Self::Meetings),
            "rsvps" => Ok(Self::Rsvps),
            "reports" => Ok(Self::Reports),
            "direct" | "direct_messages" => Ok(Self::DirectMessages),
            other => Err(DomainError::InvalidPolicy(format!(
                "scope must be one of follows, announcements, meetings, rsvps, reports, direct — not {}",
                truncate(other)
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Follows => "follows",
            Self::Announcements => "announcements",
            Self::Meetings => "meetings",
            Self::Rsvps => "rsvps",
            Self::Reports => "reports",
            Self::DirectMessages => "direct",
        }
    }
}

/// A set of [`Traffic`] kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrafficScope(u8);

impl TrafficScope {
    pub fn all() -> Self {
        Self(0b11_1111)
    }

    pub fn none() -> Self {
        Self(0)
    }

    fn bit(t: Traffic) -> u8 {
        1 << (t as u8)
    }

    pub fn with(self, t: Traffic) -> Self {
        Self(self.0 | Self::bit(t))
    }

    pub fn contains(self, t: Traffic) -> bool {
        self.0 & Self::bit(t) != 0
    }

    /// Comma- or space-separated kinds; empty or `all` means every kind.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("all") {
            return Ok(Self::all());
        }
        s.split([',', ' '])
            .filter(|p| !p.is_empty())
            .try_fold(Self::none(), |acc, p| Ok(acc.with(Traffic::parse(p)?)))
    }

    pub fn kinds(self) -> Vec<Traffic> {
        Traffic::ALL
            .into_iter()
            .filter(|t| self.contains(*t))
            .collect()
    }
}

impl fmt::Display for TrafficScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.kinds().into_iter().map(Traffic::as_str).collect();
        f.write_str(&names.join(","))
    }
}

/// A domain block as the policy needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRule {
    pub severity: Severity,
    pub reject_media: bool,
    pub reject_reports: bool,
}

/// What the policy says about a remote domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// No traffic either way (suspended, or not allowed in allowlist mode).
    Refuse,
    /// Traffic flows, limited: silenced content reaches only its followers, and
    /// only the listed kinds of traffic flow (a partner's scope; every kind for an
    /// unnamed domain in open mode).
    Allow {
        silenced: bool,
        reject_reports: bool,
        scope: TrafficScope,
        /// The admin named this domain a partner (`domain_allows`).
        partner: bool,
    },
}

impl Decision {
    pub fn is_refused(self) -> bool {
        matches!(self, Self::Refuse)
    }

    /// Whether this kind of traffic may flow.
    pub fn permits(self, t: Traffic) -> bool {
        match self {
            Self::Refuse => false,
            Self::Allow {
                scope,
                reject_reports,
                ..
            } => scope.contains(t) && !(t == Traffic::Reports && reject_reports),
        }
    }

    /// Whether RSVPs from this domain are trusted as a member's are: accepted
    /// without a facilitator on a free meeting, and taken anonymously (by token from
    /// its instance actor). Only a partner whose scope holds `rsvps`; anyone else's
    /// going is a request a facilitator approves.
    pub fn trusts_rsvps(self) -> bool {
        matches!(self, Self::Allow { partner: true, .. }) && self.permits(Traffic::Rsvps)
    }
}

/// The whole policy, indexed for look-ups that cost the same however many rules
/// there are (one hash probe per label of the domain).
#[derive(Debug, Clone, Default)]
pub struct Policy {
    mode: Mode,
    blocks: HashMap<PolicyDomain, BlockRule>,
    allows: HashMap<PolicyDomain, TrafficScope>,
}

impl Policy {
    pub fn new(
        mode: Mode,
        blocks: impl IntoIterator<Item = (PolicyDomain, BlockRule)>,
        allows: impl IntoIterator<Item = (PolicyDomain, TrafficScope)>,
    ) -> Self {
        Self {
            mode,
            blocks: blocks.into_iter().collect(),
            allows: allows.into_iter().collect(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The most specific rule covering `d`: an exact `host:port` rule first, then
    /// the host and each parent domain without a port.
    fn find<'a, T>(map: &'a HashMap<PolicyDomain, T>, d: &PolicyDomain) -> Option<&'a T> {
        if map.is_empty() {
            return None;
        }
        if d.port.is_some() {
            if let Some(rule) = map.get(d) {
                return Some(rule);
            }
        }
        d.suffixes().find_map(|s| {
            map.get(&PolicyDomain {
                host: s.to_owned(),
                port: None,
            })
        })
    }

    pub fn block_for(&self, d: &PolicyDomain) -> Option<&BlockRule> {
        Self::find(&self.blocks, d)
    }

    pub fn decide(&self, d: &PolicyDomain) -> Decision {
        let block = self.block_for(d);
        if block.is_some_and(|b| b.severity == Severity::Suspend) {
            return Decision::Refuse;
        }
        // A named partner gets exactly its scopes, in either mode.
        let (scope, partner) = match (Self::find(&self.allows, d), self.mode) {
            (Some(scope), _) => (*scope, true),
            (None, Mode::Open) => (TrafficScope::all(), false),
            (None, Mode::Allowlist) => return Decision::Refuse,
        };
        Decision::Allow {
            silenced: block.is_some_and(|b| b.severity == Severity::Silence),
            reject_reports: block.is_some_and(|b| b.reject_reports),
            scope,
            partner,
        }
    }

    /// Whether some partner may send anonymous RSVPs (what a published `Event`'s
    /// `anonymousParticipationEnabled` says): a named partner, not suspended, whose
    /// scope holds `rsvps`.
    pub fn takes_anonymous_rsvps(&self) -> bool {
        self.allows.keys().any(|d| self.decide(d).trusts_rsvps())
    }

    /// Whether pictures from this domain (or URL) may be fetched: its traffic is not
    /// refused and no domain block says `reject_media`.
    pub fn fetches_media(&self, domain_or_url: &str) -> bool {
        let Ok(d) = PolicyDomain::parse(domain_or_url) else {
            return false;
        };
        !self.decide(&d).is_refused() && !self.block_for(&d).is_some_and(|b| b.reject_media)
    }

    /// As [`decide`](Self::decide) for a domain as written anywhere (an actor URL,
    /// `host:port`); what cannot be read as a domain is refused.
    pub fn decide_str(&self, domain_or_url: &str) -> Decision {
        match PolicyDomain::parse(domain_or_url) {
            Ok(d) => self.decide(&d),
            Err(_) => Decision::Refuse,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PolicyDomain {
        PolicyDomain::parse(s).unwrap()
    }

    fn block(sev: Severity) -> BlockRule {
        BlockRule {
            severity: sev,
            reject_media: false,
            reject_reports: false,
        }
    }

    #[test]
    fn spelling_does_not_slip_a_block() {
        let p = Policy::new(
            Mode::Open,
            [(d("bad.example"), block(Severity::Suspend))],
            [],
        );
        for spelled in [
            "bad.example",
            "BAD.Example",
            "bad.example.",
            "bad.example:443",
            "https://bad.example/users/x",
            "https://BAD.example.:443/inbox",
            "user@bad.example",
            "@user@Bad.Example",
            "acct:user@bad.example",
            "sub.bad.example",
            "deep.sub.bad.example",
            "bad.example:8443",
        ] {
            assert!(p.decide_str(spelled).is_refused(), "{spelled}");
        }
        for fine in [
            "good.example",
            "notbad.example",
            "bad.example.org",
            "example",
        ] {
            assert!(!p.decide_str(fine).is_refused(), "{fine}");
        }
    }

    #[test]
    fn internationalized_names_match_their_punycode() {
        let p = Policy::new(
            Mode::Open,
            [(d("bücher.example"), block(Severity::Suspend))],
            [],
        );
        assert_eq!(d("bücher.example").host(), "xn--bcher-kva.example");
        assert!(p.decide_str("xn--bcher-kva.example").is_refused());
        assert!(p.decide_str("BÜCHER.example").is_refused());
        assert!(p.decide_str("https://shop.bücher.example/x").is_refused());
        let q = Policy::new(
            Mode::Open,
            [(d("xn--bcher-kva.example"), block(Severity::Suspend))],
            [],
        );
        assert!(q.decide_str("bücher.example").is_refused());
    }

    #[test]
    fn a_port_in_a_rule_narrows_it() {
        let p = Policy::new(
            Mode::Open,
            [(d("localhost:3000"), block(Severity::Suspend))],
            [],
        );
        assert!(p.decide_str("localhost:3000").is_refused());
        assert!(p.decide_str("http://localhost:3000/inbox").is_refused());
        assert!(!p.decide_str("localhost:4000").is_refused());
        let q = Policy::new(Mode::Open, [(d("localhost"), block(Severity::Suspend))], []);
        assert!(q.decide_str("localhost:4000").is_refused());
    }

    #[test]
    fn covering_lists_rule_domains_most_specific_first() {
        let names =
            |s: &str| -> Vec<String> { d(s).covering().iter().map(|c| c.to_string()).collect() };
        assert_eq!(
            names("A.b.Example:3000"),
            ["a.b.example:3000", "a.b.example", "b.example", "example"]
        );
        assert_eq!(names("b.example"), ["b.example", "example"]);
    }

    #[test]
    fn silence_and_noop_let_traffic_through() {
        let p = Policy::new(
            Mode::Open,
            [
                (d("loud.example"), block(Severity::Silence)),
                (d("meh.example"), block(Severity::Noop)),
            ],
            [],
        );
        assert!(matches!(
            p.decide_str("a.loud.example"),
            Decision::Allow { silenced: true, .. }
        ));
        assert!(matches!(
            p.decide_str("meh.example"),
            Decision::Allow {
                silenced: false,
                ..
            }
        ));
    }

    #[test]
    fn allowlist_mode_refuses_everyone_else_and_scopes_partners() {
        let scope = TrafficScope::parse("announcements,meetings").unwrap();
        let p = Policy::new(
            Mode::Allowlist,
            [(d("partner.example"), block(Severity::Suspend))]
                .into_iter()
                .take(0),
            [
                (d("partner.example"), scope),
                (d("friend.example"), TrafficScope::all()),
            ],
        );
        assert!(p.decide_str("stranger.example").is_refused());
        let partner = p.decide_str("social.partner.example");
        assert!(partner.permits(Traffic::Announcements));
        assert!(partner.permits(Traffic::Meetings));
        assert!(!partner.permits(Traffic::Rsvps));
        assert!(!partner.permits(Traffic::DirectMessages));
        assert!(p.decide_str("friend.example").permits(Traffic::Rsvps));
        // A suspension wins over an allow.
        let q = Policy::new(
            Mode::Allowlist,
            [(d("friend.example"), block(Severity::Suspend))],
            [(d("friend.example"), TrafficScope::all())],
        );
        assert!(q.decide_str("friend.example").is_refused());
    }

    #[test]
    fn only_partners_with_the_rsvps_scope_are_trusted_with_rsvps() {
        let rsvps = TrafficScope::parse("meetings,rsvps").unwrap();
        let meetings = TrafficScope::parse("meetings").unwrap();
        for mode in [Mode::Open, Mode::Allowlist] {
            let p = Policy::new(
                mode,
                [(d("gone.example"), block(Severity::Suspend))],
                [
                    (d("trusted.example"), rsvps),
                    (d("listings.example"), meetings),
                    (d("gone.example"), rsvps),
                ],
            );
            let trusted = p.decide_str("social.trusted.example");
            assert!(trusted.trusts_rsvps(), "{mode:?}");
            assert!(matches!(trusted, Decision::Allow { partner: true, .. }));
            // A partner gets exactly its scopes, in open mode too.
            assert!(!trusted.permits(Traffic::DirectMessages), "{mode:?}");
            let listings = p.decide_str("listings.example");
            assert!(!listings.trusts_rsvps() && !listings.permits(Traffic::Rsvps));
            assert!(!p.decide_str("gone.example").trusts_rsvps());
            assert!(p.takes_anonymous_rsvps(), "{mode:?}");
        }
        // In open mode an unnamed domain keeps every kind of traffic but is not
        // trusted with RSVPs.
        let p = Policy::new(Mode::Open, [], [(d("listings.example"), meetings)]);
        let stranger = p.decide_str("stranger.example");
        assert!(Traffic::ALL.iter().all(|t| stranger.permits(*t)));
        assert!(matches!(stranger, Decision::Allow { partner: false, .. }));
        assert!(!stranger.trusts_rsvps());
        assert!(!p.takes_anonymous_rsvps());
        assert!(!Policy::default().takes_anonymous_rsvps());
        // A suspended partner takes no anonymous RSVPs.
        let q = Policy::new(
            Mode::Open,
            [(d("gone.example"), block(Severity::Suspend))],
            [(d("gone.example"), rsvps)],
        );
        assert!(!q.takes_anonymous_rsvps());
    }

    #[test]
    fn reject_reports_refuses_only_reports() {
        let p = Policy::new(
            Mode::Open,
            [(
                d("noisy.example"),
                BlockRule {
                    severity: Severity::Noop,
                    reject_media: false,
                    reject_reports: true,
                },
            )],
            [],
        );
        let dec = p.decide_str("noisy.example");
        assert!(!dec.permits(Traffic::Reports));
        assert!(dec.permits(Traffic::Follows));
    }

    #[test]
    fn nonsense_is_not_a_domain() {
        for bad in [
            "",
            " ",
            "..",
            ".example",
            "a..b",
            "exa mple.org",
            "x:notaport",
            "http://",
        ] {
            assert!(PolicyDomain::parse(bad).is_err(), "{bad:?}");
        }
        let p = Policy::default();
        assert!(p.decide_str("not a domain").is_refused());
    }

    #[test]
    fn scopes_round_trip() {
        let s = TrafficScope::parse("follows, direct").unwrap();
        assert_eq!(s.to_string(), "follows,direct");
        assert_eq!(TrafficScope::parse(&s.to_string()).unwrap(), s);
        assert_eq!(TrafficScope::parse("all").unwrap(), TrafficScope::all());
        assert!(TrafficScope::parse("everything").is_err());
    }
}
