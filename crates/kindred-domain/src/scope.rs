use std::collections::BTreeSet;
use std::fmt;

use crate::DomainError;

/// One OAuth scope as Mastodon defines them: a top-level scope (`read`, `write`,
/// `follow`, `push`, `admin:read`, `admin:write`) or a granular one (`read:accounts`,
/// `admin:write:domain_blocks`, ...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(String);

const TOP: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:write",
];
const READ: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
];
const WRITE: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
];
const ADMIN: &[&str] = &[
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
];

impl Scope {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let known = TOP.contains(&input)
            || input
                .strip_prefix("read:")
                .is_some_and(|s| READ.contains(&s))
            || input
                .strip_prefix("write:")
                .is_some_and(|s| WRITE.contains(&s))
            || input
                .strip_prefix("admin:read:")
                .is_some_and(|s| ADMIN.contains(&s))
            || input
                .strip_prefix("admin:write:")
                .is_some_and(|s| ADMIN.contains(&s));
        if known {
            Ok(Self(input.to_owned()))
        } else {
            Err(DomainError::InvalidScope(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether holding `self` grants `wanted`.
    pub fn covers(&self, wanted: &Scope) -> bool {
        let (have, want) = (self.as_str(), wanted.as_str());
        if have == want {
            return true;
        }
        // `read` covers `read:x`, `admin:read` covers `admin:read:x`.
        if let Some(rest) = want.strip_prefix(have) {
            if rest.starts_with(':') {
                return true;
            }
        }
        // Mastodon's legacy `follow` scope stands for these granular ones.
        have == "follow"
            && matches!(
                want,
                "read:blocks"
                    | "write:blocks"
                    | "read:follows"
                    | "write:follows"
                    | "read:mutes"
                    | "write:mutes"
            )
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A set of scopes, written space-separated on the wire (`"read write follow"`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    /// Parses a space- or plus-separated list. An empty list is empty (callers decide
    /// the default).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        input
            .split([' ', '+', ','])
            .filter(|s| !s.is_empty())
            .map(Scope::parse)
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    pub fn read() -> Self {
        Self(BTreeSet::from([Scope("read".to_owned())]))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }

    pub fn allows(&self, wanted: &Scope) -> bool {
        self.0.iter().any(|s| s.covers(wanted))
    }

    /// Whether every scope in `other` is granted by `self` (an app may only ask for
    /// what it registered).
    pub fn contains_all(&self, other: &Scopes) -> bool {
        other.0.iter().all(|s| self.allows(s))
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.0.iter().map(|s| s.0.clone()).collect()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.to_vec();
        f.write_str(&v.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Scope {
        Scope::parse(x).unwrap()
    }

    #[test]
    fn hierarchy() {
        assert!(s("read").covers(&s("read:accounts")));
        assert!(!s("read").covers(&s("write:accounts")));
        assert!(!s("read").covers(&s("admin:read")));
        assert!(!s("read").covers(&s("admin:read:accounts")));
        assert!(s("admin:read").covers(&s("admin:read:domain_blocks")));
        assert!(!s("admin:read").covers(&s("admin:write:domain_blocks")));
        assert!(s("follow").covers(&s("write:follows")));
        assert!(!s("write:statuses").covers(&s("write")));
    }

    #[test]
    fn parse_lists() {
        let set = Scopes::parse("read write+follow").unwrap();
        assert_eq!(set.to_string(), "follow read write");
        assert!(Scopes::parse("read nonsense").is_err());
        assert!(Scopes::parse("").unwrap().is_empty());
        assert!(set.contains_all(&Scopes::parse("read:accounts write:statuses").unwrap()));
        assert!(!set.contains_all(&Scopes::parse("admin:read").unwrap()));
    }
}
