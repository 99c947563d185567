//! The streaming API's HTTP side: the WebSocket upgrade, the server-sent-event paths
//! and the health check. Everything about who may connect is settled before the
//! upgrade: a bad token is a 401, never an open socket.

use actix_web::http::header::{SEC_WEBSOCKET_PROTOCOL, UPGRADE};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::authenticate;
use crate::bearer::bearer_token;
use crate::streaming::render::{Subscriber, INSUFFICIENT_SCOPE};
use crate::streaming::streams::{StreamError, StreamKey};
use crate::streaming::{socket, sse};
use crate::{ApiError, AppState};

/// `GET /api/v1/streaming/health`.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("OK")
}

/// The query parameters Mastodon's streaming API takes.
struct StreamQuery {
    stream: Option<String>,
    tag: Option<String>,
    list: Option<String>,
    access_token: Option<String>,
    /// `public?only_media=true` is `public:media` in server-sent-event form.
    only_media: bool,
}

fn stream_query(req: &HttpRequest) -> Result<StreamQuery, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::bad_request("Malformed query string"))?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    Ok(StreamQuery {
        stream: get("stream"),
        tag: get("tag"),
        list: get("list"),
        access_token: get("access_token"),
        only_media: get("only_media").is_some_and(|v| matches!(v.as_str(), "true" | "1" | "on")),
    })
}

fn refusal(e: StreamError) -> ApiError {
    if e == INSUFFICIENT_SCOPE {
        return ApiError::forbidden("insufficient_scope", e.message);
    }
    match e.status {
        401 => ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", e.message),
        _ => ApiError::bad_request(e.message),
    }
}

/// The token from the `Authorization` header, else the `Sec-WebSocket-Protocol`
/// header (browsers cannot set headers on a WebSocket), else `access_token`. The
/// second value says whether it came as the sub-protocol, which the handshake must
/// then echo back.
fn presented_token(req: &HttpRequest, q: &StreamQuery) -> (Option<String>, bool) {
    if let Some(t) = bearer_token(req) {
        return (Some(t), false);
    }
    let protocol = req
        .headers()
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').map(str::trim).find(|p| !p.is_empty()))
        .map(str::to_owned);
    if protocol.is_some() {
        return (protocol, true);
    }
    (q.access_token.clone(), false)
}

/// Authenticates the connection (a presented token must be valid, and its account
/// active) and opens the initial subscription, if any.
async fn open(
    req: &HttpRequest,
    state: &AppState,
    token: Option<String>,
    initial: Option<StreamKey>,
) -> Result<Subscriber, ApiError> {
    let mut sub = match token {
        Some(token) => {
            let auth = authenticate(state, &token).await?;
            if auth.account.is_some() {
                auth.user()?;
            }
            crate::ratelimit::mark_token_verified(req);
            Subscriber::new(state, Some((auth, token)))
        }
        None => Subscriber::new(state, None),
    };
    match initial {
        Some(key) => sub.subscribe(key).map_err(refusal)?,
        None => sub.may_connect().map_err(refusal)?,
    }
    Ok(sub)
}

fn too_many() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_streams",
        "Too many open streaming connections",
    )
}

fn is_websocket_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// `GET /api/v1/streaming`: the multiplexed WebSocket. A plain GET answers 404, which
/// Mastodon clients read as "stream from this same host".
pub async fn websocket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !is_websocket_upgrade(&req) {
        return Err(ApiError::not_found());
    }
    let q = stream_query(&req)?;
    let initial = match &q.stream {
        Some(s) => Some(StreamKey::parse(s, q.tag.as_deref(), q.list.as_deref()).map_err(refusal)?),
        None => None,
    };
    let (token, as_protocol) = presented_token(&req, &q);
    let echo = if as_protocol { token.clone() } else { None };
    let sub = open(&req, &state, token, initial).await?;
    let admission = state.streaming.admit(sub.token_id()).ok_or_else(too_many)?;
    // Subscribed before answering, so nothing published after the 101 is missed.
    let events = state.streaming.subscribe();
    let protocols: Vec<&str> = echo.as_deref().into_iter().collect();
    let (response, session, stream) = actix_ws::handle_with_protocols(&req, body, &protocols)
        .map_err(|_| ApiError::bad_request("Invalid WebSocket handshake"))?;
    actix_web::rt::spawn(socket::run(
        state.clone(),
        sub,
        session,
        stream,
        events,
        admission,
    ));
    Ok(response)
}

/// `GET /api/v1/streaming/{user,user/notification,public,public/local,...}`: one
/// stream as server-sent events.
pub async fn server_sent_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let q = stream_query(&req)?;
    let name = path.into_inner().trim_matches('/').replace('/', ":");
    let key = match StreamKey::parse(&name, q.tag.as_deref(), q.list.as_deref()).map_err(refusal)? {
        StreamKey::Public(origin) if q.only_media => StreamKey::PublicMedia(origin),
        key => key,
    };
    let (token, _) = presented_token(&req, &q);
    let sub = open(&req, &state, token, Some(key)).await?;
    let admission = state.streaming.admit(sub.token_id()).ok_or_else(too_many)?;
    let events = state.streaming.subscribe();
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-store"))
        // Reverse proxies must pass events on at once.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(sse::start(state.clone(), sub, events, admission)))
}
