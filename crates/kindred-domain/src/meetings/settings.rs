//! A meeting's small settings: status, join mode, audience, capacity and content
//! category, each parsed from the word the API and storage use.

use crate::groups::GroupVisibility;
use crate::DomainError;

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident, $why:literal, { $($(#[$vm:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn parse(s: &str) -> Result<Self, DomainError> {
                match s.trim() {
                    $($word => Ok(Self::$variant),)+
                    _ => Err(DomainError::InvalidMeeting($why)),
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// Whether the meeting will happen (RFC 5545 STATUS of a VEVENT).
    MeetingStatus, "status must be tentative, confirmed or cancelled", {
        Tentative => "tentative",
        Confirmed => "confirmed",
        /// The whole meeting (every occurrence). Single occurrences are cancelled apart.
        Cancelled => "cancelled",
    }
);

word_enum!(
    /// How people get a place.
    JoinMode, "join_mode must be free, approval or invite", {
        /// Going means accepted while there is room.
        Free => "free",
        /// A facilitator accepts each request.
        Approval => "approval",
        /// Only people a facilitator invited may come.
        Invite => "invite",
    }
);

word_enum!(
    /// Who sees the listing (never the address: see `Place`).
    MeetingAudience, "audience must be public or members", {
        /// Listed for everyone, and federated.
        Public => "public",
        /// Seen by the group's members only; never leaves the instance.
        Members => "members",
    }
);

word_enum!(
    /// A content-warning category for what the meeting is about, so people can choose
    /// before they read the description.
    ContentCategory, "content_category must be one of suicide, self_harm, eating_disorders, substance_use, abuse, trauma, grief, psychosis, other", {
        Suicide => "suicide",
        SelfHarm => "self_harm",
        EatingDisorders => "eating_disorders",
        SubstanceUse => "substance_use",
        Abuse => "abuse",
        Trauma => "trauma",
        Grief => "grief",
        Psychosis => "psychosis",
        Other => "other",
    }
);

impl MeetingAudience {
    /// The audience a meeting really gets: a private group's meetings are for its
    /// members whatever was asked, as nothing about the group is known outside it.
    /// `None`: the instance's own meeting.
    pub fn within(self, group: Option<GroupVisibility>) -> Self {
        match group {
            Some(g) if !g.is_listed() => Self::Members,
            _ => self,
        }
    }
}

impl MeetingStatus {
    pub fn is_cancelled(self) -> bool {
        self == Self::Cancelled
    }
}

pub const MAX_CAPACITY: u32 = 10_000;

/// How many people may be accepted (going), at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Capacity(u32);

impl Capacity {
    pub fn new(n: i64) -> Result<Self, DomainError> {
        u32::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_CAPACITY).contains(n))
            .map(Self)
            .ok_or(DomainError::InvalidMeeting(
                "capacity must be between 1 and 10000",
            ))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// A new capacity for a meeting that has `accepted` people: never below them
    /// (nobody loses a place they were given).
    pub fn change(new: Option<Self>, accepted: u32) -> Result<Option<Self>, DomainError> {
        match new {
            Some(c) if c.0 < accepted => Err(DomainError::CapacityBelowAccepted { accepted }),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for s in MeetingStatus::ALL {
            assert_eq!(MeetingStatus::parse(s.as_str()), Ok(*s));
        }
        for s in ContentCategory::ALL {
            assert_eq!(ContentCategory::parse(s.as_str()), Ok(*s));
        }
        assert_eq!(JoinMode::parse("approval"), Ok(JoinMode::Approval));
        assert_eq!(
            MeetingAudience::parse("members"),
            Ok(MeetingAudience::Members)
        );
        assert_eq!(
            JoinMode::parse("open").map_err(|e| e.code()),
            Err("invalid_meeting")
        );
    }

    #[test]
    fn private_groups_meet_in_private() {
        let public = MeetingAudience::Public;
        assert_eq!(
            public.within(Some(GroupVisibility::Private)),
            MeetingAudience::Members
        );
        assert_eq!(public.within(Some(GroupVisibility::Closed)), public);
        assert_eq!(public.within(None), public);
    }

    #[test]
    fn capacity_bounds() {
        assert!(Capacity::new(0).is_err());
        assert!(Capacity::new(10_001).is_err());
        let c = Capacity::new(5).expect("ok");
        assert_eq!(Capacity::change(Some(c), 5), Ok(Some(c)));
        assert_eq!(
            Capacity::change(Some(c), 6).map_err(|e| e.code()),
            Err("capacity_below_accepted")
        );
        assert_eq!(Capacity::change(None, 600), Ok(None));
    }
}
