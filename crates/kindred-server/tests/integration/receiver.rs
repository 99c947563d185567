//! A recording remote inbox on a loopback port: records every request and answers as
//! told — accept, a status code, 429 with Retry-After, hang, or go down altogether.
//! It can also serve fixed documents to GETs (an actor, so it can follow someone).

use std::collections::{BTreeMap, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// How the receiver answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Status(u16),
    /// 429 with this Retry-After value.
    TooMany(String),
    /// Never answers.
    Hang,
    /// Answers 503 to this percentage of requests at random, else accepts.
    Flaky(u8),
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub at: Instant,
    /// What it was answered (None: hung).
    pub answered: Option<u16>,
}

impl Request {
    pub fn activity_id(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Shared {
    answer: Mutex<Option<Answer>>,
    /// Answers for the next requests, before `answer`.
    script: Mutex<VecDeque<Answer>>,
    /// Fixed answers for particular activity ids.
    by_activity: Mutex<BTreeMap<String, u16>>,
    log: Mutex<Vec<Request>>,
    /// Documents served to GETs, by path.
    docs: Mutex<BTreeMap<String, String>>,
    /// Redirects (302) answered to GETs, by path: the `Location`.
    redirects: Mutex<BTreeMap<String, String>>,
}

pub struct Receiver {
    pub port: u16,
    /// `127.0.0.1:PORT`: the instance domain of this receiver.
    pub domain: String,
    shared: Arc<Shared>,
    handle: Mutex<Option<ServerHandle>>,
}

async fn handle(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let headers: BTreeMap<String, String> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let mut record = Request {
        method: req.method().to_string(),
        path: req.path().to_owned(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
        answered: None,
    };
    let doc = (record.method == "GET")
        .then(|| shared.docs.lock().unwrap().get(&record.path).cloned())
        .flatten();
    let redirect = (record.method == "GET")
        .then(|| shared.redirects.lock().unwrap().get(&record.path).cloned())
        .flatten();
    if let Some(location) = redirect {
        record.answered = Some(302);
        shared.log.lock().unwrap().push(record);
        return HttpResponse::Found()
            .insert_header(("Location", location))
            .finish();
    }
    if let Some(doc) = doc {
        record.answered = Some(200);
        shared.log.lock().unwrap().push(record);
        return HttpResponse::Ok()
            .content_type("application/activity+json")
            .body(doc);
    }
    let fixed = shared
        .by_activity
        .lock()
        .unwrap()
        .get(&record.activity_id())
        .copied();
    let answer = match fixed {
        Some(code) => Answer::Status(code),
        None => {
            let scripted = shared.script.lock().unwrap().pop_front();
            scripted.unwrap_or_else(|| {
                shared
                    .answer
                    .lock()
                    .unwrap()
                    .clone()
                    .unwrap_or(Answer::Accept)
            })
        }
    };
    let (status, retry_after) = match answer {
        Answer::Accept => (202, None),
        Answer::Status(s) => (s, None),
        Answer::TooMany(v) => (429, Some(v)),
        Answer::Flaky(p) => {
            if rand::random::<u8>() % 100 < p {
                (503, None)
            } else {
                (202, None)
            }
        }
        Answer::Hang => {
            shared.log.lock().unwrap().push(record);
            return std::future::pending::<HttpResponse>().await;
        }
    };
    record.answered = Some(status);
    shared.log.lock().unwrap().push(record);
    let mut resp = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if let Some(v) = retry_after {
        resp.insert_header(("Retry-After", v));
    }
    if status >= 400 {
        // A body the queue must never store or log.
        resp.body("secret response body: do not keep me")
    } else {
        resp.content_type("application/json").body("{}")
    }
}

impl Receiver {
    /// Starts on a free port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let r = Self {
            port,
            domain: format!("127.0.0.1:{port}"),
            shared: Arc::new(Shared::default()),
            handle: Mutex::new(None),
        };
        r.serve(listener);
        r
    }

    /// A receiver whose port is reserved but which does not listen yet (down).
    pub fn down() -> Self {
        let r = Self::start();
        r.stop_now();
        r
    }

    fn serve(&self, listener: TcpListener) {
        let data = web::Data::from(self.shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
                .default_service(web::to(handle))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .unwrap()
        .run();
        *self.handle.lock().unwrap() = Some(server.handle());
        tokio::spawn(server);
    }

    fn stop_now(&self) {
        if let Some(h) = self.handle.lock().unwrap().take() {
            // The stop command is sent at once; the future only waits for it.
            drop(h.stop(false));
        }
    }

    /// Stops listening: connections are refused.
    pub async fn go_down(&self) {
        let h = self.handle.lock().unwrap().take();
        if let Some(h) = h {
            h.stop(false).await;
        }
    }

    /// Listens again on the same port.
    pub async fn come_back(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => return self.serve(l),
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot listen on {} again: {e}", self.port),
            }
        }
    }

    pub fn set(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap() = Some(answer);
    }

    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.shared.script.lock().unwrap().extend(answers);
    }

    pub fn answer_for(&self, activity_id: &str, status: u16) {
        self.shared
            .by_activity
            .lock()
            .unwrap()
            .insert(activity_id.to_owned(), status);
    }

    /// Serves `doc` to GETs of `path` from now on.
    #[allow(dead_code)] // federation-tests/
    pub fn serve_doc(&self, path: &str, doc: &serde_json::Value) {
        self.shared
            .docs
            .lock()
            .unwrap()
            .insert(path.to_owned(), doc.to_string());
    }

    /// Answers GETs of `path` with a redirect to `location` from now on.
    #[allow(dead_code)] // federation-tests/
    pub fn serve_redirect(&self, path: &str, location: &str) {
        self.shared
            .redirects
            .lock()
            .unwrap()
            .insert(path.to_owned(), location.to_owned());
    }

    pub fn inbox(&self) -> String {
        format!("http://{}/inbox", self.domain)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Activity ids of the POSTs it accepted, in arrival order.
    pub fn accepted(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.answered.is_some_and(|s| s < 300))
            .map(Request::activity_id)
            .collect()
    }

    /// POSTs received, whatever the answer.
    pub fn posts(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    }

    pub fn probes(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/.well-known/nodeinfo")
            .count()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop_now();
    }
}
