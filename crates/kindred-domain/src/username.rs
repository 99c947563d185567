use std::fmt;

use crate::DomainError;

/// A pseudonym: the local part of `@name@domain`. Letters, digits and underscores,
/// 1 to 30 characters (Mastodon's rule, so remote servers accept it). Comparison is
/// case-insensitive through [`Username::canonical`]; the spelling the member chose is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

pub const MAX_USERNAME_LEN: usize = 30;

/// Names a stranger could use to pose as the organization or its staff. Admins may still
/// create them from the command line; public sign-up refuses them.
const RESERVED: &[&str] = &[
    "abuse",
    "admin",
    "administrator",
    "crisis",
    "facilitator",
    "help",
    "helpline",
    "hostmaster",
    "info",
    "instance",
    "kindred",
    "moderator",
    "mod",
    "noreply",
    "postmaster",
    "root",
    "security",
    "staff",
    "support",
    "system",
    "webmaster",
];

impl Username {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let valid = !input.is_empty()
            && input.len() <= MAX_USERNAME_LEN
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(Self(input.to_owned()))
        } else {
            Err(DomainError::InvalidUsername)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness and look-ups.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    pub fn is_reserved(&self) -> bool {
        RESERVED.contains(&self.canonical().as_str())
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_pseudonyms() {
        for ok in ["a", "Quiet_River", "x2", &"a".repeat(30)] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_bad_names() {
        for bad in [
            "",
            "with space",
            "dot.ted",
            "é",
            "a@b",
            &"a".repeat(31),
            "semi;colon",
        ] {
            assert_eq!(
                Username::parse(bad),
                Err(DomainError::InvalidUsername),
                "{bad}"
            );
        }
    }

    #[test]
    fn canonical_is_case_insensitive() {
        let a = Username::parse("Quiet_River").unwrap();
        assert_eq!(a.canonical(), "quiet_river");
        assert_eq!(a.as_str(), "Quiet_River");
        assert!(Username::parse("ADMIN").unwrap().is_reserved());
        assert!(!a.is_reserved());
    }
}
