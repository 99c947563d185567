//! Offline and hybrid meetings (docs/meetings.md): who may see a meeting, who runs
//! it, and the operations of the events API. The rules are
//! `kindred_domain::meetings`, storage `kindred_db::models::meetings`; this module
//! decides access and applies them. A meeting exists for a viewer only as far as its
//! group does (a private group's meetings are members-only, and a members-only
//! meeting is "not found" for everyone else). The full place is read only after the
//! domain's `Disclosure` was decided, and never logged.

//!
//! Operations live in modules by what they do: `manage` (create, update, cancel),
//! `listing` (load, upcoming, joined), `answer` (a local member's RSVP), `remote`
//! (answers to meetings listed by other servers), `facilitate` (approve, reject,
//! invite; participation lists). Their public functions are re-exported here.

mod answer;
pub mod calendar;
mod facilitate;
mod listing;
mod manage;
pub mod notify;
pub mod posts;
pub mod present;
mod remote;

pub use answer::{answer, answer_as};
pub use facilitate::{facilitate, participations, Target};
pub use listing::{cursor_of, joined, load, load_many, upcoming, Listing};
pub use manage::{cancel, create, update, Fields};

use kindred_db::models::groups::MembershipRow;
use kindred_db::models::meetings::{self as store, Meeting, MeetingStoreError, ParticipationRow};
use kindred_db::{AccountRow, DbError};
use kindred_domain::groups::GroupVisibility;
use kindred_domain::groups::MembershipState;
use kindred_domain::{AccountRole, DomainError, Role};
use kindred_federation::outbox::Outbox;

use super::groups::find_visible;
use super::ServiceError;
use crate::AppState;

/// What the viewer may do with one meeting.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Runs the meeting: a facilitator of its group, or an instance facilitator or
    /// admin for the instance's own meetings.
    pub facilitator: bool,
    /// A member of the group (or a user of the instance, for its own meetings).
    pub member: bool,
    /// Banned from the group: may still read its public listings (as anyone may),
    /// but not come to its meetings.
    pub banned: bool,
    pub participation: Option<ParticipationRow>,
    /// Listed by another server (`remote_meetings`): shown, never run here (our
    /// members answer it by RSVP across instances).
    pub remote: bool,
    /// The group lets everyone who sees its meetings see attendee counts
    /// (`show_participant_count`); never for the instance's own or remote listings.
    pub counts_public: bool,
}

impl Access {
    /// Whether the viewer sees attendee counts: facilitators always, others when
    /// the group allows it (invariant 3: outsiders see counts at most).
    pub fn sees_counts(&self) -> bool {
        self.facilitator || self.counts_public
    }

    pub fn domain_viewer(&self) -> kindred_domain::meetings::Viewer {
        kindred_domain::meetings::Viewer {
            facilitator: self.facilitator,
            participation: self.participation.as_ref().map(|p| p.state),
        }
    }
}

pub struct Loaded {
    pub meeting: Meeting,
    pub access: Access,
}

fn is_instance_facilitator(me: &AccountRow) -> bool {
    me.is_local()
        && matches!(
            me.role,
            AccountRole::Person(Role::Facilitator | Role::Admin)
        )
}

fn is_local_user(me: &AccountRow) -> bool {
    me.is_local() && !me.role.is_group()
}

/// Access to the meetings of one group (or of the instance, `None`), before the
/// audience is looked at. `Err(NotFound)`: the group does not exist for the viewer.
async fn access_to_holder(
    state: &AppState,
    viewer: Option<&AccountRow>,
    group_id: Option<i64>,
) -> Result<(Access, Option<GroupVisibility>), ServiceError> {
    match group_id {
        None => Ok((
            Access {
                facilitator: viewer.is_some_and(is_instance_facilitator),
                member: viewer.is_some_and(is_local_user),
                banned: false,
                participation: None,
                remote: false,
                counts_public: false,
            },
            None,
        )),
        Some(g) => {
            let (loaded, membership) = find_visible(state, viewer.map(|v| v.id), g).await?;
            let member = membership.as_ref().is_some_and(MembershipRow::is_member);
            let facilitator = member && membership.as_ref().is_some_and(|m| m.role.moderates());
            let visibility = Some(loaded.group.visibility);
            Ok((
                Access {
                    facilitator,
                    member,
                    banned: membership
                        .as_ref()
                        .is_some_and(|m| m.state == MembershipState::Banned),
                    participation: None,
                    remote: false,
                    counts_public: loaded.group.show_participant_count,
                },
                visibility,
            ))
        }
    }
}

/// Whether a meeting with this access is seen at all: members-only meetings only by
/// members (and facilitators).
fn sees(meeting: &Meeting, access: &Access) -> bool {
    meeting.meeting.audience == "public" || access.member || access.facilitator
}

/// A meeting the caller runs; 403 for someone who only sees it, 404 for the rest.
async fn as_facilitator(
    state: &AppState,
    me: &AccountRow,
    id: i64,
) -> Result<Loaded, ServiceError> {
    let loaded = load(state, Some(me), id).await?;
    if !loaded.access.facilitator {
        return Err(ServiceError::Forbidden(
            "only the meeting's facilitators can do this",
        ));
    }
    Ok(loaded)
}

/// Splits a store result into a rule's refusal (nothing written) and a storage failure.
fn refused<T>(r: Result<T, MeetingStoreError>) -> Result<Result<T, DomainError>, DbError> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(MeetingStoreError::Refused(d)) => Ok(Err(d)),
        Err(MeetingStoreError::Db(e)) => Err(e),
    }
}

/// Queues the Accept or Reject of each remote attendee whose participation a
/// change decided (`Outbox::rsvp_decided` sends nothing for local people).
pub(crate) fn tell_remote_attendees(
    c: &mut kindred_db::AnyConnection,
    outbox: &Outbox,
    applied: &store::Applied,
) -> Result<(), DbError> {
    for p in applied.participation.iter().chain(&applied.promoted) {
        outbox.rsvp_decided(c, p)?;
    }
    Ok(())
}
