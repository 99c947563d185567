//! How the domain's enums cross into storage: each is stored as its `as_str()` text
//! (the same words as before these were enums, so no migration) and read back
//! through its parser.
//!
//! Rust's orphan rule forbids kindred-db to implement diesel's `FromSql`/`ToSql`
//! for these types (both are foreign there), and a diesel dependency here would
//! break "only kindred-db speaks diesel". So the domain offers plain std
//! conversions, `TryFrom<String>` and `From<T> for String`, and the row structs
//! of kindred-db name them with `#[diesel(deserialize_as = String)]` and
//! `#[diesel(serialize_as = String)]`. An unknown stored word is then a
//! deserialisation error of the query (never a panic, never a silent default).

use crate::account::AccountRole;
use crate::groups::{GroupRole, GroupVisibility, MembershipState, PostKind};
use crate::meetings::ParticipationState;
use crate::notification::NotificationKind;
use crate::{DomainError, Visibility};

macro_rules! stored_as_text {
    ($($ty:ty => $parse:expr),* $(,)?) => {$(
        impl TryFrom<String> for $ty {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, DomainError> {
                ($parse)(&s)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.as_str().to_owned()
            }
        }
    )*};
}

stored_as_text! {
    Visibility => <Visibility as std::str::FromStr>::from_str,
    AccountRole => AccountRole::parse,
    GroupRole => GroupRole::parse,
    GroupVisibility => GroupVisibility::parse,
    PostKind => PostKind::parse,
    MembershipState => MembershipState::parse,
    ParticipationState => ParticipationState::parse,
    NotificationKind => NotificationKind::parse,
    crate::reports::Category => crate::reports::Category::parse,
    crate::reports::ActionKind => crate::reports::ActionKind::parse,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Role;

    fn round_trips<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + TryFrom<String> + Into<String>,
        <T as TryFrom<String>>::Error: std::fmt::Debug,
    {
        let mut seen = std::collections::HashSet::new();
        for v in all {
            let text: String = (*v).into();
            assert!(seen.insert(text.clone()), "{text} stored twice");
            assert_eq!(T::try_from(text).unwrap(), *v);
        }
    }

    fn refuses<T>(words: &[&str])
    where
        T: std::fmt::Debug + TryFrom<String, Error = DomainError>,
    {
        for w in words {
            assert!(T::try_from((*w).to_owned()).is_err(), "{w} accepted");
        }
    }

    // Every variant is listed by a match, so a new one fails to compile here until
    // it is added to the round trip.
    #[test]
    fn every_variant_round_trips() {
        use Visibility as V;
        let v = |x: V| match x {
            V::Public | V::Unlisted | V::Private | V::Direct | V::Group => x,
        };
        round_trips(&[V::Public, V::Unlisted, V::Private, V::Direct, V::Group].map(v));
        let r = |x: AccountRole| match x {
            AccountRole::Person(
                Role::Member | Role::Facilitator | Role::Moderator | Role::Admin,
            )
            | AccountRole::Group => x,
        };
        round_trips(
            &[
                AccountRole::Person(Role::Member),
                AccountRole::Person(Role::Facilitator),
                AccountRole::Person(Role::Moderator),
                AccountRole::Person(Role::Admin),
                AccountRole::Group,
            ]
            .map(r),
        );
        let g = |x: GroupRole| match x {
            GroupRole::Member | GroupRole::Facilitator | GroupRole::Owner => x,
        };
        round_trips(&[GroupRole::Member, GroupRole::Facilitator, GroupRole::Owner].map(g));
        let gv = |x: GroupVisibility| match x {
            GroupVisibility::Public | GroupVisibility::Closed | GroupVisibility::Private => x,
        };
        round_trips(
            &[
                GroupVisibility::Public,
                GroupVisibility::Closed,
                GroupVisibility::Private,
            ]
            .map(gv),
        );
        let k = |x: PostKind| match x {
            PostKind::Discussion | PostKind::Announcement => x,
        };
        round_trips(&[PostKind::Discussion, PostKind::Announcement].map(k));
        use MembershipState as M;
        let m = |x: M| match x {
            M::Requested | M::Member | M::Banned | M::Invited => x,
        };
        round_trips(&[M::Requested, M::Member, M::Banned, M::Invited].map(m));
        round_trips(ParticipationState::ALL);
        round_trips(NotificationKind::ALL);
        assert_eq!(ParticipationState::ALL.len(), 6);
        assert_eq!(NotificationKind::ALL.len(), 18);
    }

    #[test]
    fn stored_text_is_unchanged() {
        assert_eq!(String::from(Visibility::Direct), "direct");
        assert_eq!(String::from(AccountRole::Person(Role::Admin)), "admin");
        assert_eq!(String::from(AccountRole::Group), "group");
        assert_eq!(String::from(PostKind::Announcement), "announcement");
        assert_eq!(String::from(GroupRole::Owner), "owner");
        assert_eq!(String::from(MembershipState::Banned), "banned");
        assert_eq!(String::from(ParticipationState::Waitlisted), "waitlisted");
        assert_eq!(
            String::from(NotificationKind::FollowRequest),
            "follow_request"
        );
        assert_eq!(
            String::from(NotificationKind::ParticipationRequest),
            "pleroma:participation_request"
        );
    }

    // `group` marks a group's actor in rows only: no admin input can give it.
    #[test]
    fn the_group_marker_is_not_a_role() {
        assert!(Role::parse(AccountRole::GROUP).is_err());
        assert_eq!(
            AccountRole::try_from("group".to_owned()).unwrap(),
            AccountRole::Group
        );
        assert_eq!(AccountRole::Group.person(), None);
        assert!(!AccountRole::Group.is_admin());
        assert!(AccountRole::Person(Role::Admin).is_admin());
    }

    #[test]
    fn unknown_text_is_an_error() {
        // `local` is a client's word, never stored; case matters.
        refuses::<Visibility>(&["", "local", "Public", "friends"]);
        refuses::<AccountRole>(&["", "owner", "Admin", "Group", "user"]);
        refuses::<PostKind>(&["", "post", "Discussion"]);
        refuses::<GroupRole>(&["", "admin"]);
        refuses::<GroupVisibility>(&["", "hidden", "unlisted"]);
        refuses::<MembershipState>(&["", "left", "Member"]);
        refuses::<ParticipationState>(&["", "going", "Accepted"]);
        refuses::<NotificationKind>(&["", "like", "pleroma:emoji_reaction", "Mention"]);
    }
}
