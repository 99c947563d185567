//! Who comes: answers (going / interested / not going), the participation state they
//! lead to, approval, and the wait list. Pure functions: given the meeting's counts
//! and an action, what the participant's state becomes and how many people at the
//! head of the wait list get a place. Storage applies the outcome in one transaction.

use std::fmt;

use super::settings::{Capacity, JoinMode, MeetingStatus};
use crate::DomainError;

/// What a person answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rsvp {
    Going,
    /// Wants to hear about it; takes no place and learns no address.
    Interested,
    /// Leaves (or declines an invitation); frees a place.
    NotGoing,
}

impl Rsvp {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "going" => Ok(Self::Going),
            "interested" => Ok(Self::Interested),
            "not_going" => Ok(Self::NotGoing),
            _ => Err(DomainError::InvalidMeeting(
                "rsvp must be going, interested or not_going",
            )),
        }
    }
}

/// Where a participant stands. Only `Accepted` holds a place and learns the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParticipationState {
    /// A facilitator invited them; going accepts (no approval needed).
    Invited,
    Interested,
    /// Waiting for a facilitator's approval.
    Requested,
    /// Approved (or free to join) but the meeting is full: gets a place, in order,
    /// when one frees.
    Waitlisted,
    Accepted,
    /// Turned down by a facilitator; stays so until a facilitator invites them.
    Rejected,
}

impl ParticipationState {
    pub const ALL: &'static [ParticipationState] = &[
        Self::Invited,
        Self::Interested,
        Self::Requested,
        Self::Waitlisted,
        Self::Accepted,
        Self::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Interested => "interested",
            Self::Requested => "requested",
            Self::Waitlisted => "waitlisted",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or(DomainError::InvalidMeeting(
                "state must be invited, interested, requested, waitlisted, accepted or rejected",
            ))
    }
}

impl fmt::Display for ParticipationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is looking at a meeting, as far as disclosure needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// A facilitator of the meeting's group (or an instance facilitator for the
    /// instance's own meetings).
    pub facilitator: bool,
    pub participation: Option<ParticipationState>,
}

/// Places taken and people waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub accepted: u32,
    pub waitlisted: u32,
}

impl Counts {
    fn without(mut self, s: Option<ParticipationState>) -> Self {
        match s {
            Some(ParticipationState::Accepted) => self.accepted = self.accepted.saturating_sub(1),
            Some(ParticipationState::Waitlisted) => {
                self.waitlisted = self.waitlisted.saturating_sub(1)
            }
            _ => {}
        }
        self
    }

    fn with(mut self, s: Option<ParticipationState>) -> Self {
        match s {
            Some(ParticipationState::Accepted) => self.accepted += 1,
            Some(ParticipationState::Waitlisted) => self.waitlisted += 1,
            _ => {}
        }
        self
    }

    fn has_room(self, capacity: Option<Capacity>) -> bool {
        capacity.is_none_or(|c| self.accepted < c.get())
    }

    /// How many at the head of the wait list get a place now.
    pub fn promotions(self, capacity: Option<Capacity>) -> u32 {
        match capacity {
            None => self.waitlisted,
            Some(c) => c.get().saturating_sub(self.accepted).min(self.waitlisted),
        }
    }
}

/// The meeting as the rule needs it, at the moment of the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingState {
    pub status: MeetingStatus,
    pub join_mode: JoinMode,
    pub capacity: Option<Capacity>,
    /// No occurrence is still to end (the caller decides with the clock).
    pub over: bool,
    pub counts: Counts,
}

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsvpOutcome {
    /// The participant's state afterwards; `None`: no participation is kept.
    pub state: Option<ParticipationState>,
    /// How many at the head of the wait list move to accepted, in wait-list order.
    pub promote: u32,
}

/// Where a "going" comes from, as far as the rules need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A local member: the join mode applies.
    Local,
    /// Someone answering from another server.
    Remote(RemoteOrigin),
}

/// A remote answer's standing: whether their server is trusted with RSVPs, and the
/// places already held through it on this meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteOrigin {
    /// The admin made their server a partner with the `rsvps` scope
    /// (`federation_policy::Decision::trusts_rsvps`): the join mode applies as for a
    /// member. Anyone else's going is a request a facilitator approves, whatever the
    /// join mode, so no stranger learns the address without a person deciding.
    pub trusted: bool,
    /// Participations (requested, wait-listed or accepted) held through their server.
    pub held: u32,
    /// The most one remote server may hold ([`RemoteCap::resolve`]).
    pub cap: u32,
}

/// The cap on places held through any one remote server: the meeting's own, else
/// its group's default, else the instance's setting (`meetings.max_per_remote_domain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteCap;

impl RemoteCap {
    /// Most a meeting or group may set.
    pub const MAX: i64 = 10_000;

    /// A cap as a facilitator writes it: 0 (no one from another server) to [`MAX`](Self::MAX).
    pub fn parse(n: i64) -> Result<u32, DomainError> {
        if (0..=Self::MAX).contains(&n) {
            Ok(u32::try_from(n).unwrap_or(0))
        } else {
            Err(DomainError::InvalidMeeting(
                "max_per_remote_domain must be 0 to 10000",
            ))
        }
    }

    /// The cap in force: the meeting's, else the group's, else the instance's.
    pub fn resolve(meeting: Option<i64>, group: Option<i64>, instance: u32) -> u32 {
        meeting
            .or(group)
            .and_then(|n| Self::parse(n).ok())
            .unwrap_or(instance)
    }
}

/// Why an answer or a facilitator's action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsvpRefusal {
    Cancelled,
    Over,
    InvitationRequired,
    Rejected,
    NothingToApprove,
    /// Their server already holds as many places as one remote server may.
    RemoteDomainFull,
    /// The group banned them, or a block stands between them and the group (decided
    /// with storage, in `kindred_core::meetings::may_come`).
    Banned,
}

impl RsvpRefusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::Cancelled => "meeting_cancelled",
            Self::Over => "meeting_over",
            Self::InvitationRequired => "invitation_required",
            Self::Rejected => "participation_rejected",
            Self::NothingToApprove => "nothing_to_approve",
            Self::RemoteDomainFull => "remote_domain_full",
            Self::Banned => "banned_from_group",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Cancelled => "this meeting is cancelled",
            Self::Over => "this meeting is over",
            Self::InvitationRequired => "this meeting is by invitation only",
            Self::Rejected => "a facilitator has declined your request for this meeting",
            Self::NothingToApprove => "there is no request to approve",
            Self::RemoteDomainFull => "this meeting has no more places for people from that server",
            Self::Banned => "you can no longer come to this group's meetings",
        }
    }
}

impl From<RsvpRefusal> for DomainError {
    fn from(r: RsvpRefusal) -> Self {
        DomainError::Rsvp(r)
    }
}

fn outcome(
    m: &MeetingState,
    before: Option<ParticipationState>,
    after: Option<ParticipationState>,
) -> RsvpOutcome {
    let counts = m.counts.without(before).with(after);
    RsvpOutcome {
        state: after,
        promote: counts.promotions(m.capacity),
    }
}

fn open(m: &MeetingState) -> Result<(), RsvpRefusal> {
    if m.status.is_cancelled() {
        return Err(RsvpRefusal::Cancelled);
    }
    if m.over {
        return Err(RsvpRefusal::Over);
    }
    Ok(())
}

/// A local member's answer, given their current state.
pub fn answer(
    m: &MeetingState,
    current: Option<ParticipationState>,
    rsvp: Rsvp,
) -> Result<RsvpOutcome, RsvpRefusal> {
    answer_from(m, current, rsvp, Origin::Local)
}

/// Anyone's answer, given their current state and where it comes from.
pub fn answer_from(
    m: &MeetingState,
    current: Option<ParticipationState>,
    rsvp: Rsvp,
    origin: Origin,
) -> Result<RsvpOutcome, RsvpRefusal> {
    use ParticipationState as P;
    let after = match rsvp {
        // Leaving is always possible; a rejection stays on record.
        Rsvp::NotGoing => match current {
            Some(P::Rejected) => Some(P::Rejected),
            _ => None,
        },
        Rsvp::Interested => {
            open(m)?;
            match current {
                Some(P::Rejected) => return Err(RsvpRefusal::Rejected),
                // Keeps the invitation, to answer going later.
                Some(P::Invited) => Some(P::Invited),
                _ => Some(P::Interested),
            }
        }
        Rsvp::Going => {
            open(m)?;
            match current {
                Some(P::Rejected) => return Err(RsvpRefusal::Rejected),
                Some(s @ (P::Accepted | P::Waitlisted | P::Requested)) => Some(s),
                // A facilitator's invitation is their decision: no approval, no cap.
                Some(P::Invited) => Some(seat(m, current)),
                None | Some(P::Interested) => {
                    let trusted = match origin {
                        Origin::Local => true,
                        Origin::Remote(r) if r.held >= r.cap => {
                            return Err(RsvpRefusal::RemoteDomainFull)
                        }
                        Origin::Remote(r) => r.trusted,
                    };
                    match m.join_mode {
                        JoinMode::Invite => return Err(RsvpRefusal::InvitationRequired),
                        JoinMode::Approval => Some(P::Requested),
                        JoinMode::Free if !trusted => Some(P::Requested),
                        JoinMode::Free => Some(seat(m, current)),
                    }
                }
            }
        }
    };
    Ok(outcome(m, current, after))
}

/// Accepted if there is room once `current` is set aside, else the wait list.
fn seat(m: &MeetingState, current: Option<ParticipationState>) -> ParticipationState {
    // Nobody overtakes the wait list.
    let counts = m.counts.without(current);
    if counts.waitlisted == 0 && counts.has_room(m.capacity) {
        ParticipationState::Accepted
    } else {
        ParticipationState::Waitlisted
    }
}

/// What a facilitator does to one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacilitatorAction {
    Approve,
    Reject,
    Invite,
}

pub fn facilitate(
    m: &MeetingState,
    current: Option<ParticipationState>,
    action: FacilitatorAction,
) -> Result<RsvpOutcome, RsvpRefusal> {
    use ParticipationState as P;
    let after = match action {
        FacilitatorAction::Approve => {
            open(m)?;
            match current {
                Some(P::Requested) => Some(seat(m, current)),
                _ => return Err(RsvpRefusal::NothingToApprove),
            }
        }
        FacilitatorAction::Reject => Some(P::Rejected),
        FacilitatorAction::Invite => {
            open(m)?;
            match current {
                None | Some(P::Interested | P::Rejected) => Some(P::Invited),
                // Already asking or coming: an invitation changes nothing.
                other => other,
            }
        }
    };
    Ok(outcome(m, current, after))
}

/// A capacity change: refused below the accepted count; a larger one lets the wait
/// list in (the number returned).
pub fn change_capacity(new: Option<Capacity>, counts: Counts) -> Result<u32, DomainError> {
    let new = Capacity::change(new, counts.accepted)?;
    Ok(counts.promotions(new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParticipationState as P;

    fn meeting(
        join_mode: JoinMode,
        capacity: Option<u32>,
        accepted: u32,
        waitlisted: u32,
    ) -> MeetingState {
        MeetingState {
            status: MeetingStatus::Confirmed,
            join_mode,
            capacity: capacity.map(|c| Capacity::new(i64::from(c)).expect("capacity")),
            over: false,
            counts: Counts {
                accepted,
                waitlisted,
            },
        }
    }

    fn ok(state: Option<P>, promote: u32) -> Result<RsvpOutcome, RsvpRefusal> {
        Ok(RsvpOutcome { state, promote })
    }

    #[test]
    fn free_meetings_fill_then_wait_list() {
        let m = meeting(JoinMode::Free, Some(2), 1, 0);
        assert_eq!(answer(&m, None, Rsvp::Going), ok(Some(P::Accepted), 0));
        let full = meeting(JoinMode::Free, Some(2), 2, 0);
        assert_eq!(answer(&full, None, Rsvp::Going), ok(Some(P::Waitlisted), 0));
        assert_eq!(
            answer(&full, Some(P::Interested), Rsvp::Going),
            ok(Some(P::Waitlisted), 0)
        );
        // Going again changes nothing.
        assert_eq!(
            answer(&full, Some(P::Accepted), Rsvp::Going),
            ok(Some(P::Accepted), 0)
        );
        // No capacity: everyone is accepted.
        let open = meeting(JoinMode::Free, None, 500, 0);
        assert_eq!(answer(&open, None, Rsvp::Going), ok(Some(P::Accepted), 0));
    }

    #[test]
    fn leaving_advances_the_wait_list() {
        let full = meeting(JoinMode::Free, Some(2), 2, 3);
        assert_eq!(
            answer(&full, Some(P::Accepted), Rsvp::NotGoing),
            ok(None, 1)
        );
        assert_eq!(
            answer(&full, Some(P::Accepted), Rsvp::Interested),
            ok(Some(P::Interested), 1)
        );
        // Someone waiting who leaves frees nothing.
        assert_eq!(
            answer(&full, Some(P::Waitlisted), Rsvp::NotGoing),
            ok(None, 0)
        );
        // A rejection is kept when the person "leaves".
        assert_eq!(
            answer(&full, Some(P::Rejected), Rsvp::NotGoing),
            ok(Some(P::Rejected), 0)
        );
        // Leaving is possible even once cancelled.
        let mut cancelled = full;
        cancelled.status = MeetingStatus::Cancelled;
        assert_eq!(
            answer(&cancelled, Some(P::Accepted), Rsvp::NotGoing),
            ok(None, 1)
        );
    }

    #[test]
    fn approval_and_invitations() {
        let m = meeting(JoinMode::Approval, Some(1), 0, 0);
        assert_eq!(answer(&m, None, Rsvp::Going), ok(Some(P::Requested), 0));
        assert_eq!(
            facilitate(&m, Some(P::Requested), FacilitatorAction::Approve),
            ok(Some(P::Accepted), 0)
        );
        let full = meeting(JoinMode::Approval, Some(1), 1, 0);
        assert_eq!(
            facilitate(&full, Some(P::Requested), FacilitatorAction::Approve),
            ok(Some(P::Waitlisted), 0)
        );
        assert_eq!(
            facilitate(&full, None, FacilitatorAction::Approve),
            Err(RsvpRefusal::NothingToApprove)
        );
        assert_eq!(
            facilitate(&full, Some(P::Accepted), FacilitatorAction::Reject),
            ok(Some(P::Rejected), 0)
        );
        assert_eq!(
            answer(&full, Some(P::Rejected), Rsvp::Going),
            Err(RsvpRefusal::Rejected)
        );
        // An invitation skips approval.
        assert_eq!(
            answer(&m, Some(P::Invited), Rsvp::Going),
            ok(Some(P::Accepted), 0)
        );

        let invite = meeting(JoinMode::Invite, None, 0, 0);
        assert_eq!(
            answer(&invite, None, Rsvp::Going),
            Err(RsvpRefusal::InvitationRequired)
        );
        assert_eq!(
            answer(&invite, Some(P::Interested), Rsvp::Going),
            Err(RsvpRefusal::InvitationRequired)
        );
        assert_eq!(
            facilitate(&invite, None, FacilitatorAction::Invite),
            ok(Some(P::Invited), 0)
        );
        assert_eq!(
            answer(&invite, Some(P::Invited), Rsvp::Going),
            ok(Some(P::Accepted), 0)
        );
        assert_eq!(
            answer(&invite, Some(P::Invited), Rsvp::Interested),
            ok(Some(P::Invited), 0)
        );
    }

    fn remote(trusted: bool, held: u32, cap: u32) -> Origin {
        Origin::Remote(RemoteOrigin { trusted, held, cap })
    }

    #[test]
    fn a_stranger_from_another_server_always_asks() {
        let free = meeting(JoinMode::Free, None, 0, 0);
        // Not a partner trusted with RSVPs: a request, whatever the join mode.
        assert_eq!(
            answer_from(&free, None, Rsvp::Going, remote(false, 0, 5)),
            ok(Some(P::Requested), 0)
        );
        assert_eq!(
            answer_from(&free, Some(P::Interested), Rsvp::Going, remote(false, 0, 5)),
            ok(Some(P::Requested), 0)
        );
        let approval = meeting(JoinMode::Approval, None, 0, 0);
        assert_eq!(
            answer_from(&approval, None, Rsvp::Going, remote(false, 0, 5)),
            ok(Some(P::Requested), 0)
        );
        let invite = meeting(JoinMode::Invite, None, 0, 0);
        assert_eq!(
            answer_from(&invite, None, Rsvp::Going, remote(false, 0, 5)),
            Err(RsvpRefusal::InvitationRequired)
        );
        // A trusted partner's people are seated as members are.
        assert_eq!(
            answer_from(&free, None, Rsvp::Going, remote(true, 0, 5)),
            ok(Some(P::Accepted), 0)
        );
        assert_eq!(
            answer_from(&free, None, Rsvp::Going, Origin::Local),
            answer(&free, None, Rsvp::Going)
        );
        // An invitation is a facilitator's decision.
        assert_eq!(
            answer_from(&free, Some(P::Invited), Rsvp::Going, remote(false, 9, 0)),
            ok(Some(P::Accepted), 0)
        );
    }

    #[test]
    fn one_server_holds_at_most_its_cap() {
        let free = meeting(JoinMode::Free, None, 4, 0);
        assert_eq!(
            answer_from(&free, None, Rsvp::Going, remote(true, 4, 5)),
            ok(Some(P::Accepted), 0)
        );
        for trusted in [true, false] {
            assert_eq!(
                answer_from(&free, None, Rsvp::Going, remote(trusted, 5, 5)),
                Err(RsvpRefusal::RemoteDomainFull)
            );
        }
        assert_eq!(
            answer_from(&free, None, Rsvp::Going, remote(true, 0, 0)),
            Err(RsvpRefusal::RemoteDomainFull)
        );
        // Those already coming stay; leaving and interest are never capped.
        assert_eq!(
            answer_from(&free, Some(P::Accepted), Rsvp::Going, remote(true, 5, 5)),
            ok(Some(P::Accepted), 0)
        );
        assert_eq!(
            answer_from(&free, Some(P::Accepted), Rsvp::NotGoing, remote(true, 5, 5)),
            ok(None, 0)
        );
        assert_eq!(
            answer_from(&free, None, Rsvp::Interested, remote(true, 5, 5)),
            ok(Some(P::Interested), 0)
        );
        assert_eq!(
            DomainError::from(RsvpRefusal::RemoteDomainFull).code(),
            "remote_domain_full"
        );
    }

    #[test]
    fn the_cap_is_the_meetings_else_the_groups_else_the_instances() {
        assert_eq!(RemoteCap::resolve(Some(2), Some(7), 5), 2);
        assert_eq!(RemoteCap::resolve(None, Some(7), 5), 7);
        assert_eq!(RemoteCap::resolve(None, None, 5), 5);
        assert_eq!(RemoteCap::resolve(Some(0), None, 5), 0);
        assert_eq!(
            RemoteCap::parse(-1).map_err(|e| e.code()),
            Err("invalid_meeting")
        );
        assert!(RemoteCap::parse(10_001).is_err());
    }

    #[test]
    fn cancelled_and_past_meetings_refuse_answers() {
        let mut m = meeting(JoinMode::Free, None, 0, 0);
        m.status = MeetingStatus::Cancelled;
        assert_eq!(answer(&m, None, Rsvp::Going), Err(RsvpRefusal::Cancelled));
        assert_eq!(
            answer(&m, None, Rsvp::Interested),
            Err(RsvpRefusal::Cancelled)
        );
        let mut m = meeting(JoinMode::Free, None, 0, 0);
        m.over = true;
        assert_eq!(answer(&m, None, Rsvp::Going), Err(RsvpRefusal::Over));
        assert_eq!(DomainError::from(RsvpRefusal::Over).code(), "meeting_over");
    }

    #[test]
    fn capacity_changes() {
        let c = |n| Some(Capacity::new(n).expect("capacity"));
        let counts = Counts {
            accepted: 3,
            waitlisted: 4,
        };
        assert_eq!(
            change_capacity(c(2), counts).map_err(|e| e.code()),
            Err("capacity_below_accepted")
        );
        assert_eq!(change_capacity(c(3), counts), Ok(0));
        assert_eq!(change_capacity(c(5), counts), Ok(2));
        assert_eq!(change_capacity(None, counts), Ok(4));
    }
}
