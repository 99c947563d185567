use std::fmt;

use crate::DomainError;

/// What a local account may do on the instance.
///
/// A facilitator's powers are inside their groups; a moderator (the organization's
/// consultant) handles reports and acts on accounts and posts across the instance but
/// changes no settings or federation policy; an admin does everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Member,
    Facilitator,
    Moderator,
    Admin,
}

impl Role {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        match input {
            "member" => Ok(Self::Member),
            "facilitator" => Ok(Self::Facilitator),
            "moderator" => Ok(Self::Moderator),
            "admin" => Ok(Self::Admin),
            other => Err(DomainError::InvalidRole(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Facilitator => "facilitator",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    pub fn is_admin(self) -> bool {
        self == Self::Admin
    }

    /// Handles reports, acts on accounts and posts, reads the audit log.
    pub fn may_moderate(self) -> bool {
        matches!(self, Self::Moderator | Self::Admin)
    }
}

/// What `accounts.role` holds. Besides a person's instance [`Role`], a group is an
/// account too (its actor, which never logs in) and is marked there as `group`.
/// That word is a kind of account, not a role anyone can be given, so it is kept
/// out of [`Role`]: `Role::parse` (admin input, the CLI) keeps refusing it, and
/// only rows carry the `Group` marker. Rows read and write this type (the same
/// text as before, see `stored`); an unknown word is an error of the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountRole {
    /// A person's account with its instance role (local; remote ones are `member`).
    Person(Role),
    /// A group's actor account.
    Group,
}

impl AccountRole {
    /// The stored word of a group's actor account.
    pub const GROUP: &'static str = "group";

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        match input {
            Self::GROUP => Ok(Self::Group),
            other => Role::parse(other).map(Self::Person),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person(role) => role.as_str(),
            Self::Group => Self::GROUP,
        }
    }

    pub fn is_group(self) -> bool {
        self == Self::Group
    }

    /// The person's instance role; `None` for a group's account.
    pub fn person(self) -> Option<Role> {
        match self {
            Self::Person(role) => Some(role),
            Self::Group => None,
        }
    }

    pub fn is_admin(self) -> bool {
        self == Self::Person(Role::Admin)
    }

    /// A local person who may moderate (see [`Role::may_moderate`]).
    pub fn may_moderate(self) -> bool {
        self.person().is_some_and(Role::may_moderate)
    }
}

impl From<Role> for AccountRole {
    fn from(role: Role) -> Self {
        Self::Person(role)
    }
}

/// A password as typed at sign-up. Length is checked in characters, not bytes.
#[derive(Clone)]
pub struct Password(String);

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 128;

impl Password {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let n = input.chars().count();
        if (MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&n) {
            Ok(Self(input.to_owned()))
        } else {
            Err(DomainError::InvalidPassword {
                min: MIN_PASSWORD_LEN,
                max: MAX_PASSWORD_LEN,
            })
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Shown name; may be empty (apps then show the username).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

pub const MAX_DISPLAY_NAME_LEN: usize = 30;

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        if trimmed.chars().count() > MAX_DISPLAY_NAME_LEN {
            return Err(DomainError::DisplayNameTooLong {
                max: MAX_DISPLAY_NAME_LEN,
            });
        }
        // Control characters would let a name spoof layout in apps and logs.
        Ok(Self(trimmed.chars().filter(|c| !c.is_control()).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Profile bio as plain text; rendered to escaped HTML on output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

pub const MAX_NOTE_LEN: usize = 500;

impl Note {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        if trimmed.chars().count() > MAX_NOTE_LEN {
            return Err(DomainError::NoteTooLong { max: MAX_NOTE_LEN });
        }
        Ok(Self(
            trimmed
                .chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Default audience for a member's new posts (Mastodon's `source.privacy`). New
/// accounts default to `private`: in a support community sharing wider is a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingPrivacy {
    Public,
    Unlisted,
    Private,
}

impl PostingPrivacy {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        match input {
            "public" => Ok(Self::Public),
            "unlisted" => Ok(Self::Unlisted),
            "private" => Ok(Self::Private),
            other => Err(DomainError::InvalidPrivacy(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::Private => "private",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in [Role::Member, Role::Facilitator, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("owner").is_err());
    }

    #[test]
    fn password_length_in_chars() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("ääääääää").is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret123").unwrap()),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn profile_text_limits() {
        assert!(DisplayName::parse(&"x".repeat(31)).is_err());
        assert_eq!(
            DisplayName::parse(" River\u{7}  ").unwrap().as_str(),
            "River"
        );
        assert!(Note::parse(&"x".repeat(501)).is_err());
        assert_eq!(Note::parse("a\nb").unwrap().as_str(), "a\nb");
    }
}
