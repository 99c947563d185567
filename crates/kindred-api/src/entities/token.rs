use serde::Serialize;

use crate::services::oauth::IssuedToken;

/// Not `Debug`: it carries the bearer token.
#[derive(Serialize)]
pub struct Token {
    pub access_token: String,
    pub token_type: &'static str,
    pub scope: String,
    pub created_at: i64,
}

impl From<IssuedToken> for Token {
    fn from(t: IssuedToken) -> Self {
        Self {
            access_token: t.access_token,
            token_type: "Bearer",
            scope: t.scopes.to_string(),
            created_at: t.created_at,
        }
    }
}
