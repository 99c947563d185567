use std::fmt;

use url::Host;

use crate::DomainError;

/// The `host[:port]` that appears in every actor id. Normalized (lower case, IDN as
/// punycode, no trailing dot, no default port) so that two spellings of one instance
/// compare equal. IP literals are refused: ActivityPub peers key trust on names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceDomain {
    host: String,
    port: Option<u16>,
}

impl InstanceDomain {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let err = || DomainError::InvalidDomain(input.to_owned());
        let raw = input.trim();
        if raw.is_empty() || raw.contains(['/', '@', '?', '#', ' ']) || raw.starts_with('[') {
            return Err(err());
        }
        let (host_part, port) = match raw.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| err())?)),
            None => (raw, None),
        };
        let host_part = host_part.strip_suffix('.').unwrap_or(host_part);
        match Host::parse(host_part).map_err(|_| err())? {
            Host::Domain(d) if !d.is_empty() && !d.starts_with('.') => Ok(Self {
                host: d,
                port: port.filter(|p| *p != 443 && *p != 80),
            }),
            _ => Err(err()),
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// True for names that only ever mean "this machine" (test and development setups).
    pub fn is_local_development(&self) -> bool {
        self.host == "localhost" || self.host.ends_with(".localhost")
    }
}

impl fmt::Display for InstanceDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}:{p}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

/// How new people get an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    /// Only admins create accounts (CLI).
    Closed,
    /// Anyone may apply; an admin approves before the account can log in.
    Approval,
    /// Sign-up needs an invite code issued by an admin.
    Invite,
    /// Anyone may sign up.
    Open,
}

impl RegistrationMode {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        match input {
            "closed" => Ok(Self::Closed),
            "approval" => Ok(Self::Approval),
            "invite" => Ok(Self::Invite),
            "open" => Ok(Self::Open),
            other => Err(DomainError::InvalidRegistrationMode(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Approval => "approval",
            Self::Invite => "invite",
            Self::Open => "open",
        }
    }

    /// Whether the public sign-up endpoint accepts applications at all.
    pub fn accepts_sign_ups(self) -> bool {
        !matches!(self, Self::Closed)
    }

    /// Whether anyone may apply without an invite (what `registrations` and NodeInfo's
    /// `openRegistrations` advertise).
    pub fn open_to_public(self) -> bool {
        matches!(self, Self::Open | Self::Approval)
    }

    /// Whether a new account may log in before an admin looks at it.
    pub fn approved_on_sign_up(self) -> bool {
        matches!(self, Self::Open | Self::Invite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_spellings() {
        let a = InstanceDomain::parse("Peer.Example.ORG.").unwrap();
        assert_eq!(a.to_string(), "peer.example.org");
        assert_eq!(InstanceDomain::parse("peer.example.org:443").unwrap(), a);
        assert_eq!(
            InstanceDomain::parse("localhost:8080").unwrap().to_string(),
            "localhost:8080"
        );
        assert_eq!(
            InstanceDomain::parse("bücher.example").unwrap().host(),
            "xn--bcher-kva.example"
        );
        assert!(InstanceDomain::parse("localhost:8080")
            .unwrap()
            .is_local_development());
    }

    #[test]
    fn refuses_ip_literals_and_junk() {
        for bad in [
            "",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]:80",
            "a/b",
            "user@host",
            "host:99999",
            "host:x",
        ] {
            assert!(InstanceDomain::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registration_modes() {
        assert!(!RegistrationMode::parse("closed")
            .unwrap()
            .accepts_sign_ups());
        assert!(!RegistrationMode::Approval.approved_on_sign_up());
        assert!(RegistrationMode::Open.approved_on_sign_up());
        assert!(RegistrationMode::parse("anyone").is_err());
    }
}
