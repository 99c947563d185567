//! Polls, as Mastodon has them: what a new poll may hold, whether a vote counts, and
//! what a poll shows. Who voted for what is never part of any answer; these rules
//! only ever see counts and the voter's own choices.

use chrono::{DateTime, Duration, Utc};

/// The instance's limits, Mastodon's defaults (`configuration.polls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollLimits {
    pub max_options: usize,
    pub max_characters_per_option: usize,
    /// Seconds.
    pub min_expiration: i64,
    /// Seconds.
    pub max_expiration: i64,
}

impl Default for PollLimits {
    fn default() -> Self {
        Self {
            max_options: 4,
            max_characters_per_option: 50,
            min_expiration: 300,
            max_expiration: 2_629_746,
        }
    }
}

/// Why a poll or a vote was refused. Codes are part of the API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollRefusal {
    TooFewOptions,
    TooManyOptions,
    BlankOption,
    OptionTooLong,
    DuplicateOptions,
    ExpiryMissing,
    ExpiryTooShort,
    ExpiryTooLong,
    /// A poll belongs to a new post; an edit or a boost brings none.
    NoChoice,
    InvalidChoice,
    /// More than one choice in a single-choice poll.
    OneChoiceOnly,
    Expired,
    /// The author's own poll (Mastodon refuses it; the author sees it as voted).
    SelfVote,
    AlreadyVoted,
}

impl PollRefusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::TooFewOptions => "poll_too_few_options",
            Self::TooManyOptions => "poll_too_many_options",
            Self::BlankOption => "poll_blank_option",
            Self::OptionTooLong => "poll_option_too_long",
            Self::DuplicateOptions => "poll_duplicate_options",
            Self::ExpiryMissing => "poll_expiry_missing",
            Self::ExpiryTooShort => "poll_expiry_too_short",
            Self::ExpiryTooLong => "poll_expiry_too_long",
            Self::NoChoice => "poll_no_choice",
            Self::InvalidChoice => "poll_invalid_choice",
            Self::OneChoiceOnly => "poll_one_choice_only",
            Self::Expired => "poll_expired",
            Self::SelfVote => "poll_self_vote",
            Self::AlreadyVoted => "poll_already_voted",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::TooFewOptions => "a poll needs at least two options",
            Self::TooManyOptions => "this poll has too many options",
            Self::BlankOption => "a poll option can't be blank",
            Self::OptionTooLong => "a poll option is too long",
            Self::DuplicateOptions => "a poll can't hold the same option twice",
            Self::ExpiryMissing => "a poll needs expires_in",
            Self::ExpiryTooShort => "this poll ends too soon",
            Self::ExpiryTooLong => "this poll ends too late",
            Self::NoChoice => "choose at least one option",
            Self::InvalidChoice => "The chosen vote option does not exist",
            Self::OneChoiceOnly => "this poll takes one choice only",
            Self::Expired => "The poll has already ended",
            Self::SelfVote => "You cannot vote in your own polls",
            Self::AlreadyVoted => "You have already voted on this poll",
        }
    }
}

impl From<PollRefusal> for crate::DomainError {
    fn from(r: PollRefusal) -> Self {
        crate::DomainError::Poll(r)
    }
}

/// A new poll, checked against the limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPoll {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl NewPoll {
    /// Options are trimmed; 2 to `max_options` of them, none blank, none longer than
    /// the limit, no two the same; `expires_in` (seconds) within the limits.
    pub fn parse(
        options: Vec<String>,
        expires_in: Option<i64>,
        multiple: bool,
        hide_totals: bool,
        limits: &PollLimits,
    ) -> Result<Self, PollRefusal> {
        let options: Vec<String> = options.into_iter().map(|o| o.trim().to_owned()).collect();
        if options.len() < 2 {
            return Err(PollRefusal::TooFewOptions);
        }
        if options.len() > limits.max_options {
            return Err(PollRefusal::TooManyOptions);
        }
        if options.iter().any(String::is_empty) {
            return Err(PollRefusal::BlankOption);
        }
        if options
            .iter()
            .any(|o| o.chars().count() > limits.max_characters_per_option)
        {
            return Err(PollRefusal::OptionTooLong);
        }
        for (i, o) in options.iter().enumerate() {
            if options[..i].contains(o) {
                return Err(PollRefusal::DuplicateOptions);
            }
        }
        let expires_in = expires_in.ok_or(PollRefusal::ExpiryMissing)?;
        if expires_in < limits.min_expiration {
            return Err(PollRefusal::ExpiryTooShort);
        }
        if expires_in > limits.max_expiration {
            return Err(PollRefusal::ExpiryTooLong);
        }
        Ok(Self {
            options,
            expires_in,
            multiple,
            hide_totals,
        })
    }

    pub fn expires_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::seconds(self.expires_in)
    }
}

/// What a vote is checked against.
#[derive(Debug, Clone, Copy)]
pub struct PollState {
    pub options: usize,
    pub multiple: bool,
    pub expires_at: Option<DateTime<Utc>>,
}

impl PollState {
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// Who votes, as the rule needs to know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voter {
    Author,
    /// Someone else, and whether they voted in this poll already.
    Other {
        voted: bool,
    },
}

/// A vote: the poll still open, the voter not its author (as in Mastodon) and not yet
/// voted (once per account, also in a multiple-choice poll), every choice one of the
/// options, one choice unless the poll is multiple. Returns the choices sorted,
/// without repeats.
pub fn check_vote(
    poll: &PollState,
    choices: &[i64],
    voter: Voter,
    now: DateTime<Utc>,
) -> Result<Vec<u32>, PollRefusal> {
    if poll.expired(now) {
        return Err(PollRefusal::Expired);
    }
    match voter {
        Voter::Author => return Err(PollRefusal::SelfVote),
        Voter::Other { voted: true } => return Err(PollRefusal::AlreadyVoted),
        Voter::Other { voted: false } => {}
    }
    if choices.is_empty() {
        return Err(PollRefusal::NoChoice);
    }
    let mut out = Vec::with_capacity(choices.len());
    for &c in choices {
        let c = u32::try_from(c).map_err(|_| PollRefusal::InvalidChoice)?;
        if c as usize >= poll.options {
            return Err(PollRefusal::InvalidChoice);
        }
        out.push(c);
    }
    out.sort_unstable();
    out.dedup();
    if out.len() > 1 && !poll.multiple {
        return Err(PollRefusal::OneChoiceOnly);
    }
    Ok(out)
}

/// Whether per-option counts are shown: always, unless the author hid them, and then
/// once the poll has ended (Mastodon's `show_totals_now?`; no exception for the
/// author).
pub fn shows_totals(hide_totals: bool, expired: bool) -> bool {
    !hide_totals || expired
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn parse(list: &[&str], expires_in: Option<i64>) -> Result<NewPoll, PollRefusal> {
        NewPoll::parse(opts(list), expires_in, false, false, &PollLimits::default())
    }

    #[test]
    fn a_poll_needs_two_to_four_distinct_short_options() {
        assert!(parse(&["yes", "no"], Some(300)).is_ok());
        assert_eq!(parse(&["yes"], Some(300)), Err(PollRefusal::TooFewOptions));
        assert_eq!(
            parse(&["a", "b", "c", "d", "e"], Some(300)),
            Err(PollRefusal::TooManyOptions)
        );
        assert_eq!(
            parse(&["a", "  "], Some(300)),
            Err(PollRefusal::BlankOption)
        );
        assert_eq!(
            parse(&["a", " a "], Some(300)),
            Err(PollRefusal::DuplicateOptions)
        );
        let long = "x".repeat(51);
        assert_eq!(
            parse(&["a", &long], Some(300)),
            Err(PollRefusal::OptionTooLong)
        );
        let just = "é".repeat(50);
        assert!(parse(&["a", &just], Some(300)).is_ok());
    }

    #[test]
    fn expiry_is_bounded() {
        assert_eq!(parse(&["a", "b"], None), Err(PollRefusal::ExpiryMissing));
        assert_eq!(
            parse(&["a", "b"], Some(299)),
            Err(PollRefusal::ExpiryTooShort)
        );
        assert!(parse(&["a", "b"], Some(2_629_746)).is_ok());
        assert_eq!(
            parse(&["a", "b"], Some(2_629_747)),
            Err(PollRefusal::ExpiryTooLong)
        );
    }

    fn state(multiple: bool, expires_in: i64, now: DateTime<Utc>) -> PollState {
        PollState {
            options: 3,
            multiple,
            expires_at: Some(now + Duration::seconds(expires_in)),
        }
    }

    #[test]
    fn votes_are_checked() {
        let now = Utc::now();
        let open = state(false, 60, now);
        let fresh = Voter::Other { voted: false };
        assert_eq!(check_vote(&open, &[1], fresh, now), Ok(vec![1]));
        assert_eq!(check_vote(&open, &[1, 1], fresh, now), Ok(vec![1]));
        assert_eq!(
            check_vote(&open, &[0, 1], fresh, now),
            Err(PollRefusal::OneChoiceOnly)
        );
        assert_eq!(
            check_vote(&open, &[3], fresh, now),
            Err(PollRefusal::InvalidChoice)
        );
        assert_eq!(
            check_vote(&open, &[-1], fresh, now),
            Err(PollRefusal::InvalidChoice)
        );
        assert_eq!(
            check_vote(&open, &[], fresh, now),
            Err(PollRefusal::NoChoice)
        );
        assert_eq!(
            check_vote(&open, &[0], Voter::Other { voted: true }, now),
            Err(PollRefusal::AlreadyVoted)
        );
        assert_eq!(
            check_vote(&open, &[0], Voter::Author, now),
            Err(PollRefusal::SelfVote)
        );
        let multiple = state(true, 60, now);
        assert_eq!(check_vote(&multiple, &[2, 0], fresh, now), Ok(vec![0, 2]));
        let ended = state(true, 0, now);
        assert_eq!(
            check_vote(&ended, &[0], fresh, now),
            Err(PollRefusal::Expired)
        );
    }

    #[test]
    fn hidden_totals_show_once_ended() {
        assert!(shows_totals(false, false));
        assert!(!shows_totals(true, false));
        assert!(shows_totals(true, true));
    }
}
