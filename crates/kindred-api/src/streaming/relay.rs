//! Streaming across processes: several `kindred serve` processes on one PostgreSQL
//! database each hold their own streams, and a member's post may go through any of
//! them. Every event a hub publishes is also sent with `NOTIFY` (batched, after the
//! commit that caused it, as all publishing is); each process listens on a
//! connection of its own and publishes what the others sent to its own streams.
//!
//! The payload is a kind and ids, nothing else: no text, no tag, no name. The
//! receiving process loads the status itself, and each stream renders it through
//! the same visibility rules as an event of its own (`render`). A deleted status
//! cannot be loaded, so its payload carries the routing facts its streams need
//! (author id, visibility and origin flags) but not its tags: hashtag streams of the
//! other processes do not hear of a deletion (the client finds the status gone when
//! it next loads it). Own events come back on the channel too; they are skipped by
//! the process's random origin number.
//!
//! Best effort, as streaming always is: an event published while a listener is
//! reconnecting is not seen by that process's streams (a client refreshes its
//! timeline on reconnecting anyway). SQLite has one process and no relay.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use kindred_db::Db;
use kindred_domain::Visibility;
use tokio::sync::mpsc;

use super::hub::{Event, StatusChange, StatusEvent};
use crate::AppState;

/// The `LISTEN` channel (an identifier of ours, never an outside value).
const CHANNEL: &str = "kindred_streaming";
/// Most events sent in one statement.
const MAX_BATCH: usize = 256;
/// How often the listener looks for notifications (reading them never blocks).
const POLL: Duration = Duration::from_millis(20);
/// How often the listener's connection is checked with a round trip.
const PING: Duration = Duration::from_secs(15);
/// Longest wait between attempts to connect the listener again.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Starts the relay for `state` on PostgreSQL (false on SQLite: nothing to do);
/// returns once the listener's first attempt to connect ended, so that a process
/// that says it is listening hears what the others publish from then on. It stops
/// when the server shuts down or its state is dropped.
pub async fn start(state: &Arc<AppState>) -> bool {
    if state.db.backend() != kindred_db::Backend::Postgres {
        return false;
    }
    let origin: u64 = rand::random();
    let (out_tx, out_rx) = mpsc::unbounded_channel();
    state.streaming.relay_to(out_tx);
    tokio::spawn(send(state.db.clone(), origin, out_rx));
    let (in_tx, in_rx) = mpsc::unbounded_channel();
    let db = state.db.clone();
    let (ready, first_attempt) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("streaming-listen".into())
        .spawn(move || listen(db, in_tx, ready));
    if let Err(e) = spawned {
        tracing::error!(error = %e, "streaming relay: the listener did not start");
        return false;
    }
    let stopping = state.streaming.stopping();
    tokio::spawn(receive(Arc::downgrade(state), origin, in_rx, stopping));
    let _ = first_attempt.await;
    true
}

/// Sends what this process publishes, in batches, until the hub is gone.
async fn send(db: Db, origin: u64, mut events: mpsc::UnboundedReceiver<Event>) {
    while let Some(first) = events.recv().await {
        let mut payloads = vec![encode(origin, &first)];
        while payloads.len() < MAX_BATCH {
            match events.try_recv() {
                Ok(e) => payloads.push(encode(origin, &e)),
                Err(_) => break,
            }
        }
        let n = payloads.len();
        if let Err(e) = db
            .run(move |c| kindred_db::notify::notify(c, CHANNEL, &payloads))
            .await
        {
            tracing::warn!(
                error = e.code(),
                events = n,
                "streaming relay: events not sent to the other processes"
            );
        }
    }
}

/// The listener's thread: hands every payload to `receive`; connects again, with
/// a growing pause, whenever the connection is lost. Ends once `receive` has.
/// `ready` is told when the first attempt to connect has ended.
fn listen(
    db: Db,
    payloads: mpsc::UnboundedSender<String>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut backoff = Duration::from_millis(250);
    while !payloads.is_closed() {
        let Some(connected) = db.listen(CHANNEL) else {
            return;
        };
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        let mut listener = match connected {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(
                    error = e.code(),
                    "streaming relay: cannot listen; trying again"
                );
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = Duration::from_millis(250);
        tracing::debug!("streaming relay: listening");
        let mut pinged = Instant::now();
        let lost = loop {
            if payloads.is_closed() {
                return;
            }
            match listener.received() {
                Ok(received) => {
                    for p in received {
                        if payloads.send(p).is_err() {
                            return;
                        }
                    }
                }
                Err(e) => break e,
            }
            if pinged.elapsed() >= PING {
                if let Err(e) = listener.ping() {
                    break e;
                }
                pinged = Instant::now();
            }
            std::thread::sleep(POLL);
        };
        tracing::warn!(
            error = lost.code(),
            "streaming relay: the listening connection was lost; connecting again"
        );
    }
}

/// Publishes to this process's streams what the others sent.
async fn receive(
    state: Weak<AppState>,
    origin: u64,
    mut payloads: mpsc::UnboundedReceiver<String>,
    stopping: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stopping);
    let mut check = tokio::time::interval(Duration::from_secs(10));
    loop {
        let payload = tokio::select! {
            p = payloads.recv() => match p {
                Some(p) => p,
                None => return,
            },
            _ = &mut stopping => return,
            _ = check.tick() => {
                if state.strong_count() == 0 {
                    return;
                }
                continue;
            }
        };
        let Some(state) = state.upgrade() else { return };
        let Some((from, wire)) = decode(&payload) else {
            tracing::warn!("streaming relay: a payload that does not parse, skipped");
            continue;
        };
        // Its own (sent to every listener), or no stream here to hear it: nothing
        // to load.
        if from == origin || state.streaming.open_streams() == 0 {
            continue;
        }
        match load(&state, wire).await {
            Ok(Some(event)) => state.streaming.publish_here(event),
            Ok(None) => {}
            Err(e) => tracing::warn!(
                error = e.code(),
                "streaming relay: an event from another process could not be loaded"
            ),
        }
    }
}

/// What a payload names.
#[derive(Debug, Clone, PartialEq)]
enum Wire {
    /// A status created or edited: loaded by id.
    Status {
        change: StatusChange,
        id: i64,
    },
    /// A deleted status's routing facts (no tags).
    Deleted(StatusEvent),
    Notification {
        id: i64,
        recipient: i64,
    },
}

/// The event as this process publishes it; `None` when the status is gone.
async fn load(state: &AppState, wire: Wire) -> Result<Option<Event>, kindred_db::DbError> {
    Ok(match wire {
        Wire::Notification { id, recipient } => Some(Event::Notification { id, recipient }),
        Wire::Deleted(facts) => Some(Event::Status(Arc::new(facts))),
        Wire::Status { change, id } => {
            state
                .db
                .run(move |c| {
                    let Some(row) = kindred_db::models::statuses::find(c, id)? else {
                        return Ok(None);
                    };
                    let tags = kindred_db::models::statuses::tag_names(c, id)?;
                    Ok(Some(Event::Status(Arc::new(StatusEvent::new(
                        change, &row, &tags,
                    )))))
                })
                .await?
        }
    })
}

fn flag(b: bool) -> char {
    if b {
        '1'
    } else {
        '0'
    }
}

/// `ORIGIN KIND …`, space-separated: kinds `c`/`e` (a status created or edited)
/// with its id; `d` (deleted) with id, author, boosted id or `-`, visibility,
/// local and local-only flags; `n` (a notification) with its id and recipient.
fn encode(origin: u64, e: &Event) -> String {
    match e {
        Event::Notification { id, recipient } => format!("{origin:x} n {id} {recipient}"),
        Event::Status(s) => match s.change {
            StatusChange::Created => format!("{origin:x} c {}", s.id),
            StatusChange::Edited => format!("{origin:x} e {}", s.id),
            StatusChange::Deleted => format!(
                "{origin:x} d {} {} {} {} {} {}",
                s.id,
                s.author_id,
                s.reblog_of_id
                    .map_or_else(|| "-".to_owned(), |r| r.to_string()),
                s.visibility.as_str(),
                flag(s.local),
                flag(s.local_only),
            ),
        },
    }
}

fn decode(payload: &str) -> Option<(u64, Wire)> {
    let mut parts = payload.split(' ');
    let origin = u64::from_str_radix(parts.next()?, 16).ok()?;
    let kind = parts.next()?;
    let mut number = || parts.next()?.parse::<i64>().ok();
    let wire = match kind {
        "c" => Wire::Status {
            change: StatusChange::Created,
            id: number()?,
        },
        "e" => Wire::Status {
            change: StatusChange::Edited,
            id: number()?,
        },
        "n" => Wire::Notification {
            id: number()?,
            recipient: number()?,
        },
        "d" => {
            let id = number()?;
            let author_id = number()?;
            let reblog_of_id = match parts.next()? {
                "-" => None,
                r => Some(r.parse().ok()?),
            };
            let visibility: Visibility = parts.next()?.parse().ok()?;
            let flag = |p: Option<&str>| match p? {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            };
            let local = flag(parts.next())?;
            let local_only = flag(parts.next())?;
            Wire::Deleted(StatusEvent {
                change: StatusChange::Deleted,
                id,
                author_id,
                reblog_of_id,
                visibility,
                local,
                local_only,
                tags: Vec::new(),
            })
        }
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((origin, wire))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deleted(reblog_of_id: Option<i64>, local_only: bool) -> StatusEvent {
        StatusEvent {
            change: StatusChange::Deleted,
            id: 41,
            author_id: 7,
            reblog_of_id,
            visibility: Visibility::Unlisted,
            local: true,
            local_only,
            tags: vec!["calm".into()],
        }
    }

    /// Each kind goes and comes back; a deletion's tags stay behind (they are
    /// content), and nothing but kinds, ids and flags is in a payload.
    #[test]
    fn payloads_round_trip_with_ids_and_flags_only() {
        let origin = 0xabcdef;
        let cases = [
            (
                Event::Notification {
                    id: 5,
                    recipient: 9,
                },
                "abcdef n 5 9",
            ),
            (
                Event::Status(Arc::new(StatusEvent {
                    change: StatusChange::Created,
                    ..deleted(None, false)
                })),
                "abcdef c 41",
            ),
            (
                Event::Status(Arc::new(StatusEvent {
                    change: StatusChange::Edited,
                    ..deleted(None, false)
                })),
                "abcdef e 41",
            ),
            (
                Event::Status(Arc::new(deleted(Some(3), true))),
                "abcdef d 41 7 3 unlisted 1 1",
            ),
            (
                Event::Status(Arc::new(deleted(None, false))),
                "abcdef d 41 7 - unlisted 1 0",
            ),
        ];
        for (event, text) in cases {
            let payload = encode(origin, &event);
            assert_eq!(payload, text);
            assert!(!payload.contains("calm"), "no tag leaves: {payload}");
            let (from, wire) = decode(&payload).unwrap();
            assert_eq!(from, origin);
            match (wire, &event) {
                (Wire::Notification { id, recipient }, Event::Notification { .. }) => {
                    assert_eq!((id, recipient), (5, 9))
                }
                (Wire::Status { change, id }, Event::Status(s)) => {
                    assert_eq!((change, id), (s.change, s.id))
                }
                (Wire::Deleted(d), Event::Status(s)) => {
                    assert_eq!(d.tags, Vec::<String>::new());
                    assert_eq!(
                        d,
                        StatusEvent {
                            tags: Vec::new(),
                            ..(**s).clone()
                        }
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn malformed_payloads_are_refused() {
        for bad in [
            "",
            "zz c 1",
            "ab x 1",
            "ab c",
            "ab c one",
            "ab c 1 2",
            "ab n 1",
            "ab d 1 2 - public 1",
            "ab d 1 2 - loud 1 0",
            "ab d 1 2 - public 2 0",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        assert!(decode("ab c 1").is_some(), "the positive control");
    }
}
