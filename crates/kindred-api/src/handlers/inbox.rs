//! The inboxes (`/inbox`, `/users/{name}/inbox`, `/actor/inbox`). Cheap checks
//! first — body size (413), JSON depth, which headers the signature covers, the
//! Date window — then `kindred_federation::inbox::receive` verifies the digest and
//! signature and processes. Refusals are `{"error": ...}` with 400/401/403, and
//! change nothing.

use std::time::SystemTime;

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;
use kindred_federation::http_signatures::precheck::{
    self as precheck, InboundRefusal, MAX_JSON_DEPTH,
};
use kindred_federation::inbox::{self, ErrorClass, InboxError};
use serde_json::json;

use crate::{ApiError, AppState};

/// Largest activity accepted.
pub const MAX_ACTIVITY_BYTES: usize = 1024 * 1024;

pub async fn shared(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    receive(req, payload, state).await
}

pub async fn personal(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    // A private group has no inbox: it does not exist outside the instance.
    let exists = crate::services::actors::federated(&state, name)
        .await?
        .is_some();
    if !exists {
        return Err(ApiError::not_found());
    }
    receive(req, payload, state).await
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "The activity is larger than 1 MiB",
    )
}

async fn read_body(req: &HttpRequest, mut payload: web::Payload) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_ACTIVITY_BYTES) {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::bad_request("The request body could not be read"))?;
        if body.len() + chunk.len() > MAX_ACTIVITY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

fn refusal(r: InboundRefusal) -> ApiError {
    match r {
        InboundRefusal::TooDeep => ApiError::new(StatusCode::BAD_REQUEST, r.code(), r.to_string()),
        _ => unauthorized(r.code(), &r.to_string()),
    }
}

/// (After the JSON depth check and the policy.) Signature header present and covering `(request-target) host date digest`,
/// `Host` naming this instance, Date within an hour back and five minutes ahead.
fn pre_checks(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let signature = req
        .headers()
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(InboundRefusal::NoSignature)
        .map_err(refusal)?;
    let params = precheck::parse_signature(signature).map_err(refusal)?;
    precheck::require_covered(&params, true).map_err(refusal)?;
    let host = req.headers().get("host").and_then(|v| v.to_str().ok());
    precheck::check_host(host, state.urls.domain()).map_err(refusal)?;
    let date = req.headers().get("date").and_then(|v| v.to_str().ok());
    precheck::check_date(date, SystemTime::now()).map_err(refusal)?;
    Ok(())
}

/// The federation policy, before the signature is verified: a refused domain costs
/// nothing more than reading its body.
async fn policy_check(
    req: &HttpRequest,
    state: &AppState,
    activity: &serde_json::Value,
) -> Result<(), ApiError> {
    use kindred_federation::policy::{check_inbound, Inbound};
    let key_id = req
        .headers()
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| precheck::parse_signature(s).ok())
        .map(|p| p.key_id);
    let ours = state.urls.instance_actor().to_string();
    match check_inbound(&state.policy, activity, key_id.as_deref(), &ours).await {
        Inbound::Accept => Ok(()),
        Inbound::Blocked => {
            tracing::info!(refusal = "domain_blocked", "inbox refused");
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "domain_blocked",
                "This server does not federate with your domain",
            ))
        }
        Inbound::OutOfScope => {
            tracing::info!(refusal = "traffic_not_allowed", "inbox refused");
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "traffic_not_allowed",
                "This server does not accept this kind of activity from your domain",
            ))
        }
    }
}

/// A message for each refusal that says what failed and nothing else (library
/// errors can quote fetched documents; those never reach a client or a log).
fn error_message(e: &InboxError) -> &'static str {
    match e.code() {
        "digest_mismatch" => "The Digest header does not match the body",
        "signature_invalid" => "The request signature could not be verified",
        "replayed_request" => "This request was already received",
        "actor_unverifiable" => "The actor could not be verified",
        "origin_mismatch" => "The activity and its actor are not from the same origin",
        "not_owner" => "The actor does not own the object",
        "local_object" => "A remote activity cannot change a local object",
        "not_local_target" => "The activity is not addressed to an account here",
        "object_unavailable" => "The object could not be fetched from its origin",
        "not_boostable" => "The object cannot be boosted",
        "invalid_url" => "The activity names an unusable URL",
        "actor_conflict" => "The actor conflicts with another account",
        _ => "The activity is not valid",
    }
}

fn to_api_error(e: InboxError) -> ApiError {
    let status = match e.class() {
        ErrorClass::Unauthenticated | ErrorClass::Replay => StatusCode::UNAUTHORIZED,
        ErrorClass::Forbidden => StatusCode::FORBIDDEN,
        ErrorClass::BadRequest => StatusCode::BAD_REQUEST,
        ErrorClass::Internal => {
            return match e {
                InboxError::Db(d) => d.into(),
                _ => ApiError::internal(),
            }
        }
    };
    ApiError::new(status, e.code(), error_message(&e))
}

async fn receive(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let answer = receive_counted(req, payload, state).await;
    crate::metrics::inbox_answered(match &answer {
        Ok(outcome) => Ok(outcome.code()),
        Err(e) => Err(e.code),
    });
    answer.map(|outcome| HttpResponse::Accepted().json(json!({ "status": outcome.code() })))
}

async fn receive_counted(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<inbox::Outcome, ApiError> {
    let body = read_body(&req, payload).await?;
    precheck::check_json_depth(&body, MAX_JSON_DEPTH).map_err(refusal)?;
    // Parsed once, here: the policy reads it, and so does `receive`.
    let activity: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    policy_check(
        &req,
        &state,
        activity.as_ref().unwrap_or(&serde_json::Value::Null),
    )
    .await?;
    pre_checks(&req, &state)?;
    let config = state.federation.config(&state).await?;
    let outcome = inbox::receive(config, &req, body, activity)
        .await
        .map_err(to_api_error)?;
    // The activity may have queued an answer (an `Accept`, say).
    state.delivery.wake();
    Ok(outcome)
}
