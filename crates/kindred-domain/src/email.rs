use std::fmt;

use crate::DomainError;

/// An email address. Optional for members, always stored encrypted, and never shown
/// in any output. Deliberately loose: we only need enough structure to send mail
/// and to look the account up at login.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let input = input.trim();
        let (local, domain) = input.rsplit_once('@').ok_or(DomainError::InvalidEmail)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && input.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !input.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@');
        if ok {
            Ok(Self(format!("{local}@{}", domain.to_lowercase())))
        } else {
            Err(DomainError::InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Form used to derive the login look-up key: case-insensitive as people type it.
    pub fn lookup_form(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Redacted, so an address can never reach a log line through `{:?}`.
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalizes() {
        let e = EmailAddress::parse(" Alice@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "Alice@example.org");
        assert_eq!(e.lookup_form(), "alice@example.org");
        assert_eq!(format!("{e:?}"), "EmailAddress(<redacted>)");
    }

    #[test]
    fn refuses_garbage() {
        for bad in [
            "",
            "alice",
            "@example.org",
            "a@b",
            "a b@example.org",
            "a@.org",
            "a@example.",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
