//! The HTTP (server-sent events) form of a stream, used by clients such as
//! Mastodon.py: the same rendering as the WebSocket, written as `event:`/`data:`
//! lines, with a comment line as heartbeat.

use std::convert::Infallible;
use std::time::Duration;

use actix_web::web::{self, Bytes};
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::mpsc;
use tokio::time::{interval_at, timeout, Instant};

use super::hub::{Admission, Event};
use super::render::Subscriber;
use super::socket::SEND_TIMEOUT;
use crate::AppState;

/// Heartbeat comment interval; the token is re-checked at the same pace.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Starts the stream's task and returns the response body it feeds. The task ends
/// when the client goes away (the body is dropped) or the token is no longer valid.
pub fn start(
    state: web::Data<AppState>,
    sub: Subscriber,
    events: broadcast::Receiver<Event>,
    admission: Admission,
) -> impl Stream<Item = Result<Bytes, Infallible>> + 'static {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    actix_web::rt::spawn(run(state, sub, events, admission, tx));
    futures_util::stream::unfold(
        rx,
        |mut rx| async move { rx.recv().await.map(|b| (Ok(b), rx)) },
    )
}

async fn send(tx: &mpsc::Sender<Bytes>, text: String) -> bool {
    matches!(
        timeout(SEND_TIMEOUT, tx.send(Bytes::from(text))).await,
        Ok(Ok(()))
    )
}

async fn run(
    state: web::Data<AppState>,
    mut sub: Subscriber,
    mut events: broadcast::Receiver<Event>,
    _admission: Admission,
    tx: mpsc::Sender<Bytes>,
) {
    // An opening comment, so the client sees the stream is up.
    if !send(&tx, ":)\n".into()).await {
        return;
    }
    let mut beat = interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    let stopping = state.streaming.stopping();
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            _ = &mut stopping => return,
            event = events.recv() => match event {
                Ok(event) => match sub.render(&state, &event).await {
                    Ok(messages) => {
                        for m in messages {
                            if !send(&tx, m.to_sse()).await {
                                return;
                            }
                        }
                    }
                    Err(_) => return,
                },
                Err(RecvError::Lagged(n)) => tracing::debug!(skipped = n, "stream lagged"),
                Err(RecvError::Closed) => return,
            },
            _ = beat.tick() => {
                if sub.periodic_check(&state).await.is_err() || !send(&tx, ":thump\n".into()).await {
                    return;
                }
            }
            _ = tx.closed() => return,
        }
    }
}
