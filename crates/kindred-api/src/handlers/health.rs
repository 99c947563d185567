use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::AppState;

/// 200 when the database answers, 503 otherwise. Says nothing else.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ok" })),
        Err(e) => {
            tracing::warn!(code = e.code(), "health check failed");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable" }))
        }
    }
}
