//! The streams a client may subscribe to, and which of them an event may go to
//! judging by the event alone. Whether it does go is then decided per viewer, with
//! fresh facts from storage (`render`).

use kindred_domain::Visibility;

use super::hub::{Event, StatusChange};

/// Where statuses come from, for the public streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    All,
    Local,
    Remote,
}

impl Origin {
    fn admits(self, local: bool) -> bool {
        match self {
            Self::All => true,
            Self::Local => local,
            Self::Remote => !local,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Local => ":local",
            Self::Remote => ":remote",
        }
    }
}

/// One subscription. `List(id)` carries what the list timeline shows; whether the
/// list is the viewer's own is checked in `render`, against storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamKey {
    /// Home timeline and notifications.
    User,
    UserNotification,
    Public(Origin),
    /// Media-only public streams: accepted, but this server has no media yet.
    PublicMedia(Origin),
    /// Lower-cased tag name.
    Hashtag(String),
    HashtagLocal(String),
    List(i64),
}

/// A refused subscription: a Mastodon-style message and the HTTP-like status that goes
/// with it (400 bad request, 401 no or insufficient authorization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    pub status: u16,
    pub message: &'static str,
}

impl StreamError {
    pub const fn new(status: u16, message: &'static str) -> Self {
        Self { status, message }
    }

    /// The error message a WebSocket client receives.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "error": self.message, "status": self.status }).to_string()
    }
}

pub const UNKNOWN_STREAM: StreamError = StreamError::new(400, "Unknown stream type");
pub const MISSING_TAG: StreamError = StreamError::new(400, "Missing tag name parameter");
pub const MISSING_LIST: StreamError = StreamError::new(400, "Missing list parameter");
pub const UNSUPPORTED_DIRECT: StreamError = StreamError::new(
    400,
    "Unknown stream type: direct streams are not supported yet",
);

/// Longest hashtag accepted, as the REST tag timeline.
const MAX_TAG_LEN: usize = 100;

impl StreamKey {
    /// Parses Mastodon's stream name with its `tag` or `list` parameter.
    pub fn parse(stream: &str, tag: Option<&str>, list: Option<&str>) -> Result<Self, StreamError> {
        let tag = || -> Result<String, StreamError> {
            let t = tag
                .unwrap_or("")
                .trim()
                .trim_start_matches('#')
                .to_lowercase();
            if t.is_empty() || t.chars().count() > MAX_TAG_LEN {
                Err(MISSING_TAG)
            } else {
                Ok(t)
            }
        };
        Ok(match stream {
            "user" => Self::User,
            "user:notification" => Self::UserNotification,
            "public" => Self::Public(Origin::All),
            "public:local" => Self::Public(Origin::Local),
            "public:remote" => Self::Public(Origin::Remote),
            "public:media" => Self::PublicMedia(Origin::All),
            "public:local:media" => Self::PublicMedia(Origin::Local),
            "public:remote:media" => Self::PublicMedia(Origin::Remote),
            "hashtag" => Self::Hashtag(tag()?),
            "hashtag:local" => Self::HashtagLocal(tag()?),
            "list" => Self::List(
                list.and_then(|l| l.trim().parse().ok())
                    .ok_or(MISSING_LIST)?,
            ),
            "direct" => return Err(UNSUPPORTED_DIRECT),
            _ => return Err(UNKNOWN_STREAM),
        })
    }

    /// The `stream` array of an event: the name, then the tag (or list id).
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::User => vec!["user".into()],
            Self::UserNotification => vec!["user:notification".into()],
            Self::Public(o) => vec![format!("public{}", o.suffix())],
            Self::PublicMedia(o) => vec![format!("public{}:media", o.suffix())],
            Self::Hashtag(t) => vec!["hashtag".into(), t.clone()],
            Self::HashtagLocal(t) => vec!["hashtag:local".into(), t.clone()],
            Self::List(id) => vec!["list".into(), id.to_string()],
        }
    }

    /// The filter context of the REST timeline this stream mirrors.
    pub fn filter_context(&self) -> Option<kindred_domain::filters::FilterContext> {
        use kindred_domain::filters::FilterContext;
        match self {
            Self::User | Self::List(_) => Some(FilterContext::Home),
            Self::UserNotification => Some(FilterContext::Notifications),
            Self::Public(_) | Self::PublicMedia(_) | Self::Hashtag(_) | Self::HashtagLocal(_) => {
                Some(FilterContext::Public)
            }
        }
    }

    /// Streams about the viewer's own circle need a user token.
    pub fn needs_user(&self) -> bool {
        matches!(self, Self::User | Self::UserNotification | Self::List(_))
    }

    /// The scope a token must hold (Mastodon: `read` or this narrower one).
    pub fn scope(&self) -> &'static str {
        match self {
            Self::UserNotification => "read:notifications",
            _ => "read:statuses",
        }
    }

    /// Whether the event may go to this stream, judging by the event alone (`me` is the
    /// viewer's account). Only a first sieve: `render` then applies the viewer's own
    /// visibility, follows, blocks and mutes.
    pub fn may_carry(&self, event: &Event, me: Option<i64>) -> bool {
        match event {
            Event::Notification { recipient, .. } => {
                matches!(self, Self::User | Self::UserNotification) && me == Some(*recipient)
            }
            Event::Status(s) => {
                // Public streams carry original public statuses, never boosts (as the
                // public timelines); edits and deletes follow the same routes.
                let public = s.visibility == Visibility::Public && s.reblog_of_id.is_none();
                match self {
                    // The home timeline never holds direct statuses; their recipients
                    // hear of them as mention notifications.
                    Self::User | Self::List(_) => {
                        me.is_some() && s.visibility != Visibility::Direct
                    }
                    Self::UserNotification | Self::PublicMedia(_) => false,
                    Self::Public(origin) => public && origin.admits(s.local),
                    Self::Hashtag(t) => public && s.tags.contains(t),
                    Self::HashtagLocal(t) => public && s.local && s.tags.contains(t),
                }
            }
        }
    }
}

/// The event name Mastodon uses for a status change.
pub fn status_event_name(change: StatusChange) -> &'static str {
    match change {
        StatusChange::Created => "update",
        StatusChange::Edited => "status.update",
        StatusChange::Deleted => "delete",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::streaming::hub::StatusEvent;

    fn status(visibility: Visibility, local: bool, tags: &[&str]) -> Event {
        Event::Status(Arc::new(StatusEvent {
            change: StatusChange::Created,
            id: 10,
            author_id: 1,
            reblog_of_id: None,
            visibility,
            local,
            local_only: false,
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }))
    }

    #[test]
    fn parses_stream_names_and_tags() {
        assert_eq!(StreamKey::parse("user", None, None), Ok(StreamKey::User));
        assert_eq!(
            StreamKey::parse("hashtag:local", Some("#Calm"), None),
            Ok(StreamKey::HashtagLocal("calm".into()))
        );
        assert_eq!(StreamKey::parse("hashtag", None, None), Err(MISSING_TAG));
        assert_eq!(
            StreamKey::parse("hashtag", Some("  "), None),
            Err(MISSING_TAG)
        );
        assert_eq!(StreamKey::parse("list", None, None), Err(MISSING_LIST));
        assert_eq!(StreamKey::parse("list", None, Some("x")), Err(MISSING_LIST));
        assert_eq!(
            StreamKey::parse("list", None, Some("12")).unwrap().names(),
            vec!["list".to_string(), "12".to_string()]
        );
        assert_eq!(StreamKey::parse("nope", None, None), Err(UNKNOWN_STREAM));
        assert_eq!(
            StreamKey::parse("public:remote:media", None, None)
                .unwrap()
                .names(),
            vec!["public:remote:media".to_string()]
        );
        assert_eq!(
            StreamKey::Hashtag("x".into()).names(),
            vec!["hashtag".to_string(), "x".to_string()]
        );
    }

    #[test]
    fn only_public_originals_reach_public_streams() {
        let private = status(Visibility::Private, true, &["x"]);
        let unlisted = status(Visibility::Unlisted, true, &["x"]);
        let public = status(Visibility::Public, true, &["x"]);
        for key in [
            StreamKey::Public(Origin::All),
            StreamKey::Public(Origin::Local),
            StreamKey::Hashtag("x".into()),
            StreamKey::HashtagLocal("x".into()),
        ] {
            assert!(!key.may_carry(&private, Some(2)), "{key:?}");
            assert!(!key.may_carry(&unlisted, Some(2)), "{key:?}");
            assert!(key.may_carry(&public, None), "{key:?}");
        }
        assert!(!StreamKey::Public(Origin::Remote).may_carry(&public, None));
        assert!(!StreamKey::Hashtag("y".into()).may_carry(&public, None));
        assert!(!StreamKey::PublicMedia(Origin::All).may_carry(&public, None));
    }

    #[test]
    fn direct_statuses_and_others_notifications_stay_off_the_user_stream() {
        let direct = status(Visibility::Direct, true, &[]);
        assert!(!StreamKey::User.may_carry(&direct, Some(2)));
        let private = status(Visibility::Private, true, &[]);
        assert!(StreamKey::User.may_carry(&private, Some(2)));
        assert!(!StreamKey::User.may_carry(&private, None));
        let note = Event::Notification {
            id: 5,
            recipient: 7,
        };
        assert!(StreamKey::UserNotification.may_carry(&note, Some(7)));
        assert!(!StreamKey::UserNotification.may_carry(&note, Some(8)));
        assert!(!StreamKey::Public(Origin::All).may_carry(&note, Some(7)));
    }
}
