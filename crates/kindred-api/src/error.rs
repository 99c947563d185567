use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use kindred_db::DbError;
use kindred_domain::DomainError;
use serde_json::json;

use crate::services::ServiceError;

/// An error as the client sees it: a status, a stable snake_case code and a message
/// that is safe to show. Internal detail is logged (without personal data) and never
/// sent.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Record not found")
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is invalid",
        )
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many requests",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal server error",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status)
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "error": self.message, "error_code": self.code }))
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self::unprocessable(e.code(), format!("Validation failed: {e}"))
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => Self::not_found(),
            DbError::Conflict => {
                Self::unprocessable("conflict", "Validation failed: already exists")
            }
            DbError::Unavailable(_) => {
                tracing::error!(code = e.code(), "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "Service unavailable",
                )
            }
            other => {
                tracing::error!(code = other.code(), error = %other, "database error");
                Self::internal()
            }
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid(d) => d.into(),
            ServiceError::UsernameTaken => Self::unprocessable(
                "username_taken",
                "Validation failed: username is already taken",
            ),
            ServiceError::RegistrationClosed => Self::forbidden(
                "registrations_closed",
                "Registrations are not open on this server",
            ),
            ServiceError::InvalidInvite => Self::unprocessable(
                "invalid_invite",
                "Validation failed: invite code is invalid or expired",
            ),
            ServiceError::AgreementRequired => Self::unprocessable(
                "agreement_required",
                "Validation failed: agreement must be accepted",
            ),
            ServiceError::Throttled => Self::too_many_requests(),
            ServiceError::NotFound => Self::not_found(),
            // Mastodon answers 404 here too; saying "exists but hidden" would leak.
            ServiceError::ReplyTargetNotFound => Self::new(
                StatusCode::NOT_FOUND,
                "reply_target_not_found",
                "Record not found",
            ),
            ServiceError::Forbidden(m) => Self::forbidden("forbidden", m),
            ServiceError::Unprocessable(m) => Self::unprocessable("unprocessable", m),
            ServiceError::Refused(code, m) => Self::unprocessable(code, m),
            ServiceError::Db(d) => d.into(),
            ServiceError::Internal(code) => {
                tracing::error!(code, "internal service error");
                Self::internal()
            }
        }
    }
}
