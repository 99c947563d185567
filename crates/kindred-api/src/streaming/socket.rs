//! One WebSocket connection's life: events from the hub rendered for this viewer,
//! subscribe/unsubscribe messages from the client, and pings so that dead connections
//! close. A slow client only ever delays itself: it skips events it fell behind on,
//! and a send that cannot complete in time closes its connection.

use std::time::Duration;

use actix_web::web;
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, MessageStream, Session};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{interval_at, timeout, Instant};

use super::hub::{Admission, Event};
use super::render::Subscriber;
use crate::AppState;

/// How often the server pings (and re-checks the token when no event did).
pub const PING_EVERY: Duration = Duration::from_secs(30);
/// A connection silent for this long (no pong, no message) is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(75);
/// Longest wait for a client to take one message.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Client messages are small JSON commands.
const MAX_FRAME: usize = 4096;

enum Sent {
    Ok,
    Closed,
}

async fn send(session: &mut Session, text: String) -> Sent {
    match timeout(SEND_TIMEOUT, session.text(text)).await {
        Ok(Ok(())) => Sent::Ok,
        // Closed by the client, or too slow to read: either way, done.
        _ => Sent::Closed,
    }
}

pub async fn run(
    state: web::Data<AppState>,
    mut sub: Subscriber,
    mut session: Session,
    stream: MessageStream,
    mut events: broadcast::Receiver<Event>,
    admission: Admission,
) {
    let mut stream = stream
        .max_frame_size(MAX_FRAME)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME);
    let mut ping = interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    let mut last_heard = Instant::now();
    let mut close = None;
    let stopping = state.streaming.stopping();
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            _ = &mut stopping => {
                close = Some(CloseReason {
                    code: CloseCode::Away,
                    description: Some("The server is shutting down".into()),
                });
                break;
            }
            event = events.recv() => match event {
                Ok(event) => match sub.render(&state, &event).await {
                    Ok(messages) => {
                        for m in messages {
                            if let Sent::Closed = send(&mut session, m.to_ws_text()).await {
                                return;
                            }
                        }
                    }
                    Err(_) => {
                        close = Some(revoked());
                        break;
                    }
                },
                // Fell behind: skip what was missed, as Mastodon's clients expect.
                Err(RecvError::Lagged(n)) => tracing::debug!(skipped = n, "stream lagged"),
                Err(RecvError::Closed) => break,
            },
            msg = stream.recv() => match msg {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    last_heard = Instant::now();
                    if let Err(e) = sub.handle_message(&text) {
                        if let Sent::Closed = send(&mut session, e.to_json()).await {
                            return;
                        }
                    }
                }
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    last_heard = Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Pong(_))) => last_heard = Instant::now(),
                // Text frames only, as Mastodon.
                Some(Ok(AggregatedMessage::Binary(_))) => last_heard = Instant::now(),
                Some(Ok(AggregatedMessage::Close(_))) | None => break,
                Some(Err(_)) => {
                    close = Some(CloseReason::from(CloseCode::Protocol));
                    break;
                }
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE_TIMEOUT {
                    break;
                }
                if sub.periodic_check(&state).await.is_err() {
                    close = Some(revoked());
                    break;
                }
                if session.ping(b"").await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = timeout(SEND_TIMEOUT, session.close(close)).await;
    drop(admission);
}

fn revoked() -> CloseReason {
    CloseReason {
        code: CloseCode::Policy,
        description: Some("The access token is no longer valid".into()),
    }
}
