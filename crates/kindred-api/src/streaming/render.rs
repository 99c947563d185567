//! One open stream's viewer: who it is, what it subscribed to, and how an event becomes
//! messages for it. Every status passes the same rules as the REST timelines (the
//! timeline queries narrowed to the one status) and is presented through
//! `services::present`, with the viewer's follows, blocks and mutes loaded fresh for
//! each event, so nothing reaches a stream that its viewer could not page to.

use kindred_db::models::home_feed;
use kindred_db::models::lists::{self, RepliesPolicy};
use kindred_db::models::statuses::{self as repo, Page, PublicScope};
use kindred_db::models::{accounts, notifications, oauth};
use kindred_db::{AccountRow, StatusRow};
use kindred_domain::{Scope, Scopes};
use serde::Deserialize;

use super::hub::{Event, StatusChange, StatusEvent};
use super::streams::{status_event_name, Origin, StreamError, StreamKey};
use crate::auth::Authenticated;
use crate::crypto::sha256_hex;
use crate::services::filtering::ActiveFilters;
use crate::services::viewer::Viewer;
use crate::services::{present, ServiceError};
use crate::AppState;
use kindred_domain::filters::FilterContext;

/// Most subscriptions one connection may hold.
const MAX_SUBSCRIPTIONS: usize = 32;

pub const MISSING_TOKEN: StreamError = StreamError::new(401, "Missing access token");
pub const USER_REQUIRED: StreamError =
    StreamError::new(401, "This stream requires a user access token");
pub const INSUFFICIENT_SCOPE: StreamError =
    StreamError::new(401, "Access token does not cover the required scopes");
pub const TOO_MANY_SUBSCRIPTIONS: StreamError =
    StreamError::new(400, "Too many subscriptions on this connection");
pub const BAD_MESSAGE: StreamError = StreamError::new(400, "Could not parse the message");
pub const UNKNOWN_TYPE: StreamError =
    StreamError::new(400, "Unknown message type: use subscribe or unsubscribe");

/// One message for the client, whatever the transport.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub stream: Vec<String>,
    pub event: &'static str,
    /// JSON text of an entity, or a bare id for `delete`.
    pub payload: String,
}

impl Outgoing {
    /// Mastodon's WebSocket envelope: the payload travels as a string.
    pub fn to_ws_text(&self) -> String {
        serde_json::json!({
            "stream": self.stream,
            "event": self.event,
            "payload": self.payload,
        })
        .to_string()
    }

    /// A server-sent event. Payloads are single-line JSON or ids, so one `data:` line.
    pub fn to_sse(&self) -> String {
        format!("event: {}\ndata: {}\n\n", self.event, self.payload)
    }
}

/// The token is gone (revoked, or its account suspended or removed): close the stream.
#[derive(Debug)]
pub struct Gone;

pub struct Subscriber {
    /// Hash of the presented token, looked up again before each delivery.
    token_hash: Option<String>,
    token_id: Option<i64>,
    scopes: Scopes,
    account: Option<AccountRow>,
    keys: Vec<StreamKey>,
    /// Whether anonymous viewers may read public streams (`public_timeline_preview`).
    preview: bool,
}

/// A client's `{"type": "subscribe", "stream": ..., "tag": ...}` message.
#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    stream: Option<String>,
    tag: Option<String>,
    #[serde(default, deserialize_with = "crate::params::lenient::opt_string")]
    list: Option<String>,
}

impl Subscriber {
    /// `auth` with the token it came from; `None` for an anonymous connection. The
    /// caller has already refused suspended and pending accounts.
    pub fn new(state: &AppState, auth: Option<(Authenticated, String)>) -> Self {
        let preview = state.instance.public_timeline_preview;
        match auth {
            None => Self {
                token_hash: None,
                token_id: None,
                scopes: Scopes::default(),
                account: None,
                keys: Vec::new(),
                preview,
            },
            Some((auth, token)) => Self {
                token_hash: Some(sha256_hex(&token)),
                token_id: Some(auth.token.id),
                scopes: auth.scopes,
                account: auth.account,
                keys: Vec::new(),
                preview,
            },
        }
    }

    pub fn token_id(&self) -> Option<i64> {
        self.token_id
    }

    fn allows(&self, scope: &str) -> bool {
        Scope::parse(scope).is_ok_and(|s| self.scopes.allows(&s))
    }

    /// Mirrors the REST timelines: user streams need a user token; public streams need
    /// one too unless the instance lets anonymous visitors preview its timelines; a
    /// token always needs the stream's read scope.
    pub fn subscribe(&mut self, key: StreamKey) -> Result<(), StreamError> {
        if key.needs_user() {
            self.user_required()?;
        }
        if self.token_hash.is_some() && !self.allows(key.scope()) {
            return Err(INSUFFICIENT_SCOPE);
        }
        self.may_connect()?;
        if self.keys.contains(&key) {
            return Ok(());
        }
        if self.keys.len() >= MAX_SUBSCRIPTIONS {
            return Err(TOO_MANY_SUBSCRIPTIONS);
        }
        self.keys.push(key);
        Ok(())
    }

    /// Whether this connection could subscribe to anything at all.
    pub fn may_connect(&self) -> Result<(), StreamError> {
        if self.preview {
            Ok(())
        } else {
            self.user_required()
        }
    }

    fn user_required(&self) -> Result<(), StreamError> {
        match (&self.account, &self.token_hash) {
            (Some(_), _) => Ok(()),
            (None, Some(_)) => Err(USER_REQUIRED),
            (None, None) => Err(MISSING_TOKEN),
        }
    }

    /// Handles a text message from a WebSocket client; an error is sent back and the
    /// connection stays open.
    pub fn handle_message(&mut self, text: &str) -> Result<(), StreamError> {
        let msg: ClientMessage = serde_json::from_str(text).map_err(|_| BAD_MESSAGE)?;
        let stream = msg.stream.as_deref().unwrap_or("");
        match msg.kind.as_str() {
            "subscribe" => self.subscribe(StreamKey::parse(
                stream,
                msg.tag.as_deref(),
                msg.list.as_deref(),
            )?),
            "unsubscribe" => {
                let key = StreamKey::parse(stream, msg.tag.as_deref(), msg.list.as_deref())?;
                self.keys.retain(|k| *k != key);
                Ok(())
            }
            _ => Err(UNKNOWN_TYPE),
        }
    }

    /// Reads the token and its account again: a revoked token, or an account since
    /// suspended or not approved, ends the stream.
    async fn recheck(&mut self, state: &AppState) -> Result<(), Gone> {
        let Some(hash) = self.token_hash.clone() else {
            return Ok(());
        };
        let expected = self.account.as_ref().map(|a| a.id);
        let found = state
            .db
            .run(move |c| {
                let Some(token) = oauth::find_live_token(c, &hash)? else {
                    return Ok(None);
                };
                let account = match token.account_id {
                    Some(id) => accounts::find(c, id)?,
                    None => None,
                };
                Ok(Some((token.account_id, account)))
            })
            .await;
        match found {
            Ok(Some((id, account))) if id == expected => {
                if let Some(a) = account {
                    if !a.is_active() {
                        return Err(Gone);
                    }
                    self.account = Some(a);
                } else if expected.is_some() {
                    return Err(Gone);
                }
                Ok(())
            }
            Ok(_) => Err(Gone),
            // A passing storage error does not end the stream; the next check decides.
            Err(e) => {
                tracing::warn!(error = e.code(), "streaming token check failed");
                Ok(())
            }
        }
    }

    /// The periodic check of an idle stream, taking its turn with the renders.
    pub async fn periodic_check(&mut self, state: &AppState) -> Result<(), Gone> {
        let Some(_turn) = state.streaming.render_permit().await else {
            return Ok(());
        };
        self.recheck(state).await
    }

    /// The messages this event makes for this stream's viewer, if any.
    pub async fn render(&mut self, state: &AppState, event: &Event) -> Result<Vec<Outgoing>, Gone> {
        let me = self.account.as_ref().map(|a| a.id);
        let keys: Vec<StreamKey> = self
            .keys
            .iter()
            .filter(|k| k.may_carry(event, me))
            .cloned()
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let Some(_turn) = state.streaming.render_permit().await else {
            return Ok(Vec::new());
        };
        self.recheck(state).await?;
        let result = match event {
            Event::Notification { id, .. } => self.notification(state, keys, *id).await,
            Event::Status(s) => self.status(state, keys, s).await,
        };
        Ok(result.unwrap_or_else(|e| {
            tracing::warn!(error = e.code(), "streaming event skipped");
            Vec::new()
        }))
    }

    async fn notification(
        &self,
        state: &AppState,
        mut keys: Vec<StreamKey>,
        id: i64,
    ) -> Result<Vec<Outgoing>, ServiceError> {
        // Notifications on `user` need the notifications scope as well.
        if !self.allows("read:notifications") {
            keys.retain(|k| *k != StreamKey::User);
        }
        let Some(account) = self.account.clone() else {
            return Ok(Vec::new());
        };
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let viewer = Viewer::load(state, Some(&account)).await?;
        let me = account.id;
        let hidden = viewer.hidden.clone();
        let row = state
            .db
            .run(move |c| {
                let Some(n) = notifications::find(c, me, id)? else {
                    return Ok(None);
                };
                // As the REST list: nothing about a post in a group the viewer muted
                // or blocked.
                let in_hidden_group = match n.status_id {
                    Some(s) => !kindred_db::models::groups::placed_in(c, &[s], &hidden)?.is_empty(),
                    None => false,
                };
                Ok((!in_hidden_group).then_some(n))
            })
            .await?
            // As the REST list: nothing from accounts the viewer muted or blocked.
            .filter(|n| !viewer.hidden.contains(&n.from_account_id));
        let Some(row) = row else {
            return Ok(Vec::new());
        };
        let filters = ActiveFilters::load(state, &viewer, FilterContext::Notifications).await?;
        let Some(entity) = filters
            .apply_notifications(present::notifications(state, &viewer, vec![row]).await?)
            .pop()
        else {
            return Ok(Vec::new());
        };
        let payload = serde_json::to_string(&entity).map_err(|_| ServiceError::Internal("json"))?;
        Ok(keys
            .iter()
            .map(|k| Outgoing {
                stream: k.names(),
                event: "notification",
                payload: payload.clone(),
            })
            .collect())
    }

    async fn status(
        &self,
        state: &AppState,
        keys: Vec<StreamKey>,
        event: &StatusEvent,
    ) -> Result<Vec<Outgoing>, ServiceError> {
        let viewer = Viewer::load(state, self.account.as_ref()).await?;
        let name = status_event_name(event.change);
        if event.change == StatusChange::Deleted {
            let id = event.id.to_string();
            return Ok(keys
                .iter()
                .filter(|k| deleted_was_visible(k, &viewer, event))
                .map(|k| Outgoing {
                    stream: k.names(),
                    event: name,
                    payload: id.clone(),
                })
                .collect());
        }
        let (admitted, row) = admitted(state, &viewer, keys, event.id).await?;
        let Some(row) = row else {
            return Ok(Vec::new());
        };
        let mut shown = present::statuses(state, &viewer, vec![row]).await?;
        present::drop_hidden_boosts(&viewer, &mut shown);
        let Some(entity) = shown.pop() else {
            return Ok(Vec::new());
        };
        // The viewer's filters, per stream as the REST timeline it mirrors: a `hide`
        // match is not sent at all, a `warn` match carries `filtered`.
        let mut out = Vec::new();
        for key in admitted {
            let Some(context) = key.filter_context() else {
                continue;
            };
            let filters = ActiveFilters::load(state, &viewer, context).await?;
            let Some(filtered) = filters.apply_one(entity.clone()) else {
                continue;
            };
            let payload =
                serde_json::to_string(&filtered).map_err(|_| ServiceError::Internal("json"))?;
            out.push(Outgoing {
                stream: key.names(),
                event: name,
                payload,
            });
        }
        Ok(out)
    }
}

/// The streams whose REST timeline would show this status to this viewer now: each
/// timeline query, narrowed to the one id. Returns them with the row.
async fn admitted(
    state: &AppState,
    viewer: &Viewer,
    keys: Vec<StreamKey>,
    id: i64,
) -> Result<(Vec<StreamKey>, Option<StatusRow>), ServiceError> {
    let me = viewer.id();
    let hidden = viewer.hidden.clone();
    let include_local_only = viewer.is_local_member();
    let page = Page {
        max_id: Some(id.saturating_add(1)),
        since_id: Some(id.saturating_sub(1)),
        min_id: None,
        limit: 1,
    };
    Ok(state
        .db
        .run(move |c| {
            let mut admitted = Vec::new();
            let mut found: Option<StatusRow> = None;
            for key in keys {
                let public = |origin: Origin, tag_id: Option<i64>| PublicScope {
                    local: origin == Origin::Local,
                    remote: origin == Origin::Remote,
                    include_local_only,
                    tag_id,
                    viewer: me,
                };
                let rows = match &key {
                    StreamKey::User => match me {
                        Some(me) => home_feed::home_feed(c, me, &hidden, page)?,
                        None => Vec::new(),
                    },
                    StreamKey::Public(origin) => {
                        repo::public(c, public(*origin, None), &hidden, page)?
                    }
                    StreamKey::Hashtag(t) | StreamKey::HashtagLocal(t) => {
                        let origin = if matches!(key, StreamKey::HashtagLocal(_)) {
                            Origin::Local
                        } else {
                            Origin::All
                        };
                        match repo::find_tag(c, t)? {
                            Some(tag) => repo::public(c, public(origin, Some(tag)), &hidden, page)?,
                            None => Vec::new(),
                        }
                    }
                    // Only the viewer's own list; anyone else's admits nothing.
                    StreamKey::List(list_id) => match me {
                        Some(me) => match lists::find_owned(c, me, *list_id)? {
                            Some(list) => {
                                let policy = match list.replies_policy.as_str() {
                                    "followed" => RepliesPolicy::Followed,
                                    "none" => RepliesPolicy::None,
                                    _ => RepliesPolicy::List,
                                };
                                lists::timeline(c, me, list.id, policy, &hidden, page)?
                            }
                            None => Vec::new(),
                        },
                        None => Vec::new(),
                    },
                    StreamKey::UserNotification | StreamKey::PublicMedia(_) => Vec::new(),
                };
                if let Some(row) = rows.into_iter().find(|r| r.id == id) {
                    found = Some(row);
                    admitted.push(key);
                }
            }
            Ok((admitted, found))
        })
        .await?)
}

/// A deleted status's row is gone, so the event's facts decide: a stream hears of the
/// deletion only if its timeline could have shown the status.
fn deleted_was_visible(key: &StreamKey, viewer: &Viewer, s: &StatusEvent) -> bool {
    if viewer.hidden.contains(&s.author_id) {
        return false;
    }
    match key {
        StreamKey::User => {
            viewer.id() == Some(s.author_id) || viewer.following.contains(&s.author_id)
        }
        // List members are followed accounts.
        StreamKey::List(_) => viewer.following.contains(&s.author_id),
        StreamKey::Public(_) | StreamKey::Hashtag(_) | StreamKey::HashtagLocal(_) => {
            !s.local_only || viewer.is_local_member()
        }
        StreamKey::UserNotification | StreamKey::PublicMedia(_) => false,
    }
}
