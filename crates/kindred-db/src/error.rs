/// Storage failures. `Conflict` and `NotFound` are meaningful to callers; everything
/// else is internal and is never shown to a client in detail.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database query failed: {0}")]
    Query(diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("invalid database url: {0}")]
    InvalidUrl(String),
    #[error("background task failed")]
    Task,
}

impl DbError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::Unavailable(_) => "database_unavailable",
            Self::Query(_) => "database_error",
            Self::Migration(_) => "migration_failed",
            Self::InvalidUrl(_) => "invalid_database_url",
            Self::Task => "task_failed",
        }
    }
}

impl DbError {
    /// PostgreSQL ended the statement to break a deadlock (SQLSTATE 40P01, which
    /// diesel does not name: told by its message, which the server always sends
    /// in English unless `lc_messages` says otherwise).
    pub fn is_deadlock(&self) -> bool {
        match self {
            Self::Query(diesel::result::Error::DatabaseError(_, info)) => {
                info.message().contains("deadlock detected")
            }
            _ => false,
        }
    }
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::Conflict,
            other => Self::Query(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for DbError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}
