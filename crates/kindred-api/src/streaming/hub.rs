//! The in-process event hub: services publish small events (ids and routing facts,
//! never rendered content) after their work is committed; every open stream holds a
//! receiver and renders each event for its own viewer. The hub also counts open
//! streams, so a token or anonymous visitors cannot hold unbounded connections.
//! With several processes on one PostgreSQL database, what is published here also
//! goes to the other processes (`relay`), whose hubs publish it to their streams.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use kindred_db::models::notifications::NotificationRow;
use kindred_db::StatusRow;
use kindred_domain::Visibility;
use std::future::Future;

use tokio::sync::{broadcast, watch, Semaphore, SemaphorePermit};

/// Events a slow stream may fall behind before it skips ahead (it never blocks others).
const CHANNEL_CAPACITY: usize = 1024;

/// The one status-change type, shared with the inbox (`kindred_core::events`).
pub use kindred_core::events::StatusChange;

/// What routing needs to know about a status. The row itself is loaded by each
/// subscriber (it may be gone, or hidden from that viewer); for a deleted status these
/// facts are all that is left.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEvent {
    pub change: StatusChange,
    pub id: i64,
    pub author_id: i64,
    pub reblog_of_id: Option<i64>,
    pub visibility: Visibility,
    pub local: bool,
    pub local_only: bool,
    /// Lower-cased tag names.
    pub tags: Vec<String>,
}

impl StatusEvent {
    pub fn new(change: StatusChange, row: &StatusRow, tags: &[String]) -> Self {
        Self {
            change,
            id: row.id,
            author_id: row.account_id,
            reblog_of_id: row.reblog_of_id,
            visibility: row.visibility,
            local: row.local,
            local_only: row.local_only,
            tags: tags.iter().map(|t| t.to_lowercase()).collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    Status(Arc<StatusEvent>),
    Notification { id: i64, recipient: i64 },
}

/// How many streams may be open at once, and how many may render at once.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    pub per_token: usize,
    pub anonymous: usize,
    pub total: usize,
    /// Streams loading an event from storage at the same time. Rendering takes a pooled
    /// connection; bounding it keeps a burst of events to many open streams from
    /// starving ordinary requests of connections.
    pub concurrent_renders: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self {
            per_token: 8,
            anonymous: 256,
            total: 4096,
            concurrent_renders: 4,
        }
    }
}

#[derive(Default)]
struct Open {
    total: usize,
    anonymous: usize,
    per_token: HashMap<i64, usize>,
}

pub struct Hub {
    tx: broadcast::Sender<Event>,
    open: Arc<Mutex<Open>>,
    limits: StreamLimits,
    renders: Semaphore,
    stopping: watch::Sender<bool>,
    /// PostgreSQL: where published events leave for the other processes
    /// (`relay::start`); unset on SQLite.
    relay: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Event>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(StreamLimits::default())
    }
}

impl Hub {
    pub fn new(limits: StreamLimits) -> Self {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self {
            tx,
            open: Arc::default(),
            limits,
            renders: Semaphore::new(limits.concurrent_renders.max(1)),
            stopping: watch::Sender::new(false),
            relay: std::sync::OnceLock::new(),
        }
    }

    /// Ends every open stream: long-lived connections would otherwise hold a graceful
    /// shutdown until its timeout.
    pub fn shut_down(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once the hub is shutting down (at once if it already is).
    pub fn stopping(&self) -> impl Future<Output = ()> + 'static {
        let mut rx = self.stopping.subscribe();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }

    /// Waits for a turn to read storage for one event; `None` only if the hub is
    /// shutting down.
    pub async fn render_permit(&self) -> Option<SemaphorePermit<'_>> {
        self.renders.acquire().await.ok()
    }

    /// Never blocks; with no stream open here the event is simply dropped (after
    /// it left for the other processes, if any).
    pub fn publish(&self, event: Event) {
        if let Some(relay) = self.relay.get() {
            let _ = relay.send(event.clone());
        }
        self.publish_here(event);
    }

    /// To this process's streams only: an event another process published.
    pub(crate) fn publish_here(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    /// Sends every event published from now on to `relay` as well; the first
    /// call wins.
    pub(crate) fn relay_to(&self, relay: tokio::sync::mpsc::UnboundedSender<Event>) {
        let _ = self.relay.set(relay);
    }

    pub fn status(&self, change: StatusChange, row: &StatusRow, tags: &[String]) {
        self.publish(Event::Status(Arc::new(StatusEvent::new(change, row, tags))));
    }

    /// Announces what a core function committed (`kindred_core::events`), whichever
    /// entrance called it.
    pub fn announce(&self, events: impl IntoIterator<Item = kindred_core::Event>) {
        for e in events {
            match e {
                kindred_core::Event::Status { change, row, tags } => {
                    self.status(change, &row, &tags);
                }
                kindred_core::Event::Notifications(rows) => self.notifications(&rows),
            }
        }
    }

    /// Announces notifications that were stored (`notifications::insert` returns them).
    pub fn notifications(&self, stored: &[NotificationRow]) {
        for n in stored {
            self.publish(Event::Notification {
                id: n.id,
                recipient: n.account_id,
            });
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    /// A place for one more stream, held until the returned guard is dropped; `None`
    /// when the token (or anonymous visitors, or the server) has too many open.
    pub fn admit(&self, token_id: Option<i64>) -> Option<Admission> {
        let mut open = lock(&self.open);
        if open.total >= self.limits.total {
            return None;
        }
        match token_id {
            Some(id) => {
                let n = open.per_token.entry(id).or_insert(0);
                if *n >= self.limits.per_token {
                    return None;
                }
                *n += 1;
            }
            None => {
                if open.anonymous >= self.limits.anonymous {
                    return None;
                }
                open.anonymous += 1;
            }
        }
        open.total += 1;
        Some(Admission {
            open: self.open.clone(),
            token_id,
        })
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        lock(&self.open).total
    }
}

fn lock(m: &Mutex<Open>) -> MutexGuard<'_, Open> {
    // The counters stay meaningful even if a holder panicked.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One open stream's place in the counts.
pub struct Admission {
    open: Arc<Mutex<Open>>,
    token_id: Option<i64>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut open = lock(&self.open);
        open.total = open.total.saturating_sub(1);
        match self.token_id {
            Some(id) => {
                if let Some(n) = open.per_token.get_mut(&id) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        open.per_token.remove(&id);
                    }
                }
            }
            None => open.anonymous = open.anonymous.saturating_sub(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_is_bounded_per_token_and_released_on_drop() {
        let hub = Hub::new(StreamLimits {
            per_token: 2,
            anonymous: 1,
            total: 4,
            concurrent_renders: 1,
        });
        let a = hub.admit(Some(1));
        let b = hub.admit(Some(1));
        assert!(a.is_some() && b.is_some());
        assert!(hub.admit(Some(1)).is_none());
        let other = hub.admit(Some(2));
        assert!(other.is_some());
        let anon = hub.admit(None);
        assert!(anon.is_some());
        assert!(hub.admit(None).is_none());
        // total reached
        assert!(hub.admit(Some(3)).is_none());
        drop(a);
        assert_eq!(hub.open_streams(), 3);
        assert!(hub.admit(Some(1)).is_some());
        drop((b, other, anon));
        assert_eq!(hub.open_streams(), 0);
    }
}
