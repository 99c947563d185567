//! Typed ids of the main entities, so that passing a status id where an account id
//! belongs no longer compiles (every id is an `i64` in storage, and functions such as
//! `fn x(conn, account_id: i64, status_id: i64)` took them in any order).
//!
//! Each is a transparent `i64`: free to copy, stored as the same `BigInt` (no
//! migration), and ordered as the ids are (they sort by creation time, see
//! [`crate::IdGenerator`]). A bare number becomes an id only where it is named:
//! `AccountId::new(n)` or `n.into()` at the edge (a parsed path, a stored row), and
//! `.get()` turns it back where storage or the API wants the number. Row structs in
//! kindred-db read and write them through `From<i64>`/`From<Id> for i64`
//! (`#[diesel(deserialize_as = i64, serialize_as = i64)]`, as with
//! [`crate::stored`]'s enums), since only kindred-db speaks diesel.
//!
//! A group is an account (the actor that members address), so a [`GroupId`] is its
//! account's id; the conversions say which one is meant.
//!
//! A mix-up is a type error:
//!
//! ```compile_fail
//! use kindred_domain::ids::{AccountId, StatusId};
//! fn favourite(account: AccountId, status: StatusId) {}
//! let (account, status) = (AccountId::new(1), StatusId::new(2));
//! favourite(status, account); // expected `AccountId`, found `StatusId`
//! ```
//!
//! ```
//! use kindred_domain::ids::{AccountId, StatusId};
//! fn favourite(account: AccountId, status: StatusId) {}
//! let (account, status) = (AccountId::new(1), StatusId::new(2));
//! favourite(account, status);
//! ```

use std::fmt;

macro_rules! entity_ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The stored number.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        /// The decimal number, as Mastodon's string ids show it.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

entity_ids! {
    /// An account: a person, a remote actor, or a group's actor.
    AccountId;
    /// A status (post), including a boost.
    StatusId;
    /// A group: the id of the group's account.
    GroupId;
    /// An offline meeting.
    MeetingId;
}

impl GroupId {
    /// The group whose account this is (the caller knows it is a group's).
    pub const fn of_account(account: AccountId) -> Self {
        Self(account.0)
    }

    /// The group's own account (its actor).
    pub const fn account(self) -> AccountId {
        AccountId(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_and_order_as_their_numbers() {
        assert_eq!(AccountId::new(42).to_string(), "42");
        assert!(StatusId::new(1) < StatusId::new(2));
        assert_eq!(i64::from(MeetingId::from(7)), 7);
        let group = GroupId::of_account(AccountId::new(9));
        assert_eq!(group.account(), AccountId::new(9));
        assert_eq!(group.get(), 9);
    }
}
