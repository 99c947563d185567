//! Issue 27, "Grow past one process": one instance served by two `kindred serve`
//! processes on one PostgreSQL database, behind a proxy that spreads connections
//! over both (a TCP round robin here; nginx or Caddy in production). Streaming
//! reaches a member on process B whatever process A stored (and nothing she may
//! not see); federation with another instance works through both; and a load of
//! signed activities sent to both at once is answered without a 5xx, and every
//! one is stored.
//!
//! PostgreSQL only: SQLite is one process by design. The load's size is
//! `KINDRED_TWO_PROCESS_ACTIVITIES` (default 2,000); `KINDRED_TWO_PROCESS_TARGETS=1`
//! sends all of it to process A, for the one-process figure beside the two.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

use crate::common::{free_port, Backend, TestApp};
use crate::support::{
    count_from, eventually, eventually_within, follow, instance, member_signer, sign_post, Serve,
    PUBLIC,
};

const WORKER_ON: (&str, &str) = ("KINDRED__FEDERATION__DELIVERY_CONCURRENCY", "16");

/// A TCP proxy on the instance's own port: each connection goes to the next
/// process in turn, bytes untouched (so `Host` and signatures are kept).
struct Proxy(tokio::task::JoinHandle<()>);

impl Proxy {
    async fn start(port: u16, backends: Vec<u16>) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let next = Arc::new(AtomicUsize::new(0));
        Self(tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let backend = backends[next.fetch_add(1, Ordering::Relaxed) % backends.len()];
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", backend)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// `token`'s stream `stream` on the process listening on `port`.
async fn stream_on(port: u16, stream: &str, token: &str) -> Ws {
    let mut req = format!("ws://127.0.0.1:{port}/api/v1/streaming?stream={stream}")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let (ws, resp) = connect_async(req).await.expect("websocket connects");
    assert_eq!(resp.status(), 101);
    ws
}

/// The next event as JSON (pings skipped).
async fn next_event(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("an event within 20 s")
            .expect("the socket is open")
            .expect("a valid frame");
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(p) => ws.send(Message::Pong(p)).await.unwrap(),
            Message::Pong(_) => {}
            other => panic!("unexpected message {other:?}"),
        }
    }
}

fn payload(event: &Value) -> Value {
    serde_json::from_str(event["payload"].as_str().unwrap()).unwrap()
}

/// Posts a status as `token` to the process on `port` directly.
async fn post_on(app: &TestApp, port: u16, token: &str, body: Value) -> String {
    let resp = app
        .client
        .post(format!("http://127.0.0.1:{port}/api/v1/statuses"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["id"].as_str().unwrap().to_owned()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database() {
    let Some(mut t) = instance(Backend::Postgres).await else {
        return;
    };
    let Some(r) = instance(Backend::Postgres).await else {
        return;
    };
    let (ann, ann_id) = t.member("ann").await;
    let (bea, _) = t.member("bea").await;
    let (_cat, _) = t.member("cat").await;
    let (bea_follows, _) = t
        .post_json(
            &format!("/api/v1/accounts/{ann_id}/follow"),
            &bea,
            json!({}),
        )
        .await;
    assert_eq!(bea_follows, 200);
    let (rob, _) = r.member("rob").await;

    // The instance as two processes behind the proxy, on its port and database.
    t.stop_server().await;
    let (a_port, b_port) = (free_port(), free_port());
    let port: u16 = t.domain.rsplit(':').next().unwrap().parse().unwrap();
    let a = Serve::start_on(&t, a_port, &[WORKER_ON]).await;
    let b = Serve::start_on(&t, b_port, &[WORKER_ON]).await;
    let _proxy = Proxy::start(port, vec![a_port, b_port]).await;

    // Streaming: bea listens on B; ann writes on A. A direct post to cat first
    // (bea must not hear of it), then a public one mentioning bea: the very next
    // events are that post (bea follows ann) and her mention notification.
    let mut ws = stream_on(b_port, "user", &bea).await;
    let secret = post_on(
        &t,
        a_port,
        &ann,
        json!({"status": "@cat only for you", "visibility": "direct"}),
    )
    .await;
    let public = post_on(
        &t,
        a_port,
        &ann,
        json!({"status": "hello @bea from process A", "visibility": "public"}),
    )
    .await;
    let (mut update, mut mention) = (false, false);
    while !(update && mention) {
        let ev = next_event(&mut ws).await;
        let p = payload(&ev);
        assert!(
            !ev["payload"].as_str().unwrap().contains(&secret),
            "a direct post to cat reached bea: {ev}"
        );
        match ev["event"].as_str() {
            Some("update") => {
                assert_eq!(p["id"], public.as_str(), "{ev}");
                update = true;
            }
            Some("notification") => {
                assert_eq!(p["type"], "mention", "{ev}");
                assert_eq!(p["status"]["id"], public.as_str(), "{ev}");
                mention = true;
            }
            _ => panic!("unexpected event {ev}"),
        }
    }

    // The listening connections are cut (a PostgreSQL restart, a network path
    // lost): each process connects again, and A's posts reach B's streams again.
    // One listening connection per process (the in-process server's has gone).
    let listeners = |terminate: bool| {
        let action = if terminate {
            "pg_terminate_backend(pid)"
        } else {
            "pid"
        };
        let sql = format!(
            "SELECT COUNT({action}) AS n FROM pg_stat_activity \
             WHERE application_name = '{}' AND datname = current_database()",
            kindred_db::notify::LISTENER_NAME
        );
        t.state
            .db
            .run_blocking(move |c| {
                #[derive(diesel::QueryableByName)]
                struct N {
                    #[diesel(sql_type = diesel::sql_types::BigInt)]
                    n: i64,
                }
                use diesel::RunQueryDsl;
                Ok(diesel::sql_query(sql).get_result::<N>(c)?.n)
            })
            .unwrap()
    };
    eventually("one listening connection per process", || async {
        (listeners(false) == 2).then_some(())
    })
    .await;
    assert_eq!(listeners(true), 2);
    // Posts until one's update arrives (earlier posts' may come first, or never:
    // published while B was reconnecting).
    let deadline = Instant::now() + Duration::from_secs(60);
    'reconnected: for n in 0.. {
        assert!(
            Instant::now() < deadline,
            "B's streams never heard from A again"
        );
        let id = post_on(
            &t,
            a_port,
            &ann,
            json!({"status": format!("after the cut {n}"), "visibility": "public"}),
        )
        .await;
        while let Ok(ev) = tokio::time::timeout(Duration::from_secs(2), next_event(&mut ws)).await {
            if ev["event"] == "update" && payload(&ev)["id"] == id.as_str() {
                break 'reconnected;
            }
        }
    }

    // Federation through both: rob (on R) follows ann, ann follows rob (the Follows
    // and Accepts go out from either process's worker and come in through the
    // proxy to either), and a post of ann's reaches R.
    follow(&r, &rob, &t, "ann").await;
    let rob_at_t = follow(&t, &ann, &r, "rob").await;
    t.post_status(
        &ann,
        json!({"status": "to my followers elsewhere", "visibility": "public"}),
    )
    .await;
    eventually("ann's post at R", || async {
        (count_from(&r, &t).await >= 1).then_some(())
    })
    .await;

    // The inbox load: rob's public notes (ann follows him, so they concern the
    // instance), signed with his key, sent to both processes at once.
    let total = env_number("KINDRED_TWO_PROCESS_ACTIVITIES", 2000);
    let targets: Vec<u16> = match env_number("KINDRED_TWO_PROCESS_TARGETS", 2) {
        1 => vec![a_port],
        _ => vec![a_port, b_port],
    };
    let signer = member_signer(&r, "rob");
    let actor = r.url("/users/rob");
    let signed: Vec<_> = (0..total)
        .map(|i| {
            let note = format!("{}/load/{i}", r.base);
            let activity = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{note}/activity"),
                "type": "Create",
                "actor": actor,
                "to": [PUBLIC],
                "cc": [format!("{actor}/followers")],
                "object": {
                    "id": note,
                    "type": "Note",
                    "attributedTo": actor,
                    "content": format!("<p>load {i}</p>"),
                    "published": chrono::Utc::now().to_rfc3339(),
                    "to": [PUBLIC],
                    "cc": [format!("{actor}/followers")],
                },
            });
            let body = serde_json::to_vec(&activity).unwrap();
            // Signed for the instance's name; sent to a process's own port.
            sign_post(&t, "/inbox", &signer, body, SystemTime::now())
        })
        .collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let started = Instant::now();
    let answers: Vec<u16> = futures_util::stream::iter(signed.into_iter().enumerate())
        .map(|(i, s)| {
            let (client, host, port) = (&client, t.domain.clone(), targets[i % targets.len()]);
            async move {
                let mut req = client
                    .post(format!("http://127.0.0.1:{port}/inbox"))
                    .header("host", host)
                    .header("content-type", "application/activity+json")
                    .body(s.body);
                for (k, v) in &s.headers {
                    req = req.header(k, v);
                }
                req.send().await.map_or(0, |r| r.status().as_u16())
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let took = started.elapsed();
    let failed: Vec<_> = answers
        .iter()
        .filter(|s| !(200..300).contains(*s))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {total} not accepted: {:?}",
        failed.len(),
        &failed[..failed.len().min(20)]
    );
    // Each was answered after its commit: all stored now, once each.
    let prefix = format!("{}/load/%", r.base);
    let stored: i64 = t
        .state
        .db
        .run_blocking(move |c| {
            use diesel::prelude::*;
            use kindred_db::schema::statuses;
            Ok(statuses::table
                .filter(statuses::uri.like(prefix))
                .count()
                .get_result(c)?)
        })
        .unwrap();
    assert_eq!(stored, total as i64, "every accepted activity stored");
    eprintln!(
        "two processes: {total} signed activities to {} process(es) in {took:?} ({:.0}/s)",
        targets.len(),
        total as f64 / took.as_secs_f64()
    );

    // The author's totals kept count through both processes' batches.
    let lookup = format!("/api/v1/accounts/{rob_at_t}");
    eventually_within(
        "rob's count at the instance",
        Duration::from_secs(10),
        || async {
            let (_, v) = t.get_json(&lookup, Some(&ann)).await;
            (v["statuses_count"].as_i64() >= Some(total as i64)).then_some(())
        },
    )
    .await;
    drop((a, b));
}
