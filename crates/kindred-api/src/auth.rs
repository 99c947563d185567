//! Bearer-token authentication for the client API.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::Utc;
use kindred_db::models::{accounts, oauth};
use kindred_db::{AccountRow, TokenRow};
use kindred_domain::{Scope, Scopes};

use crate::bearer::bearer_token;
use crate::crypto::sha256_hex;
use crate::{ApiError, AppState};

/// A valid token, for an app alone (client_credentials) or for a user.
pub struct Authenticated {
    pub token: TokenRow,
    pub scopes: Scopes,
    pub account: Option<AccountRow>,
}

impl Authenticated {
    /// Refuses with Mastodon's 403 when the token lacks the scope.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        let wanted = Scope::parse(scope).map_err(|_| ApiError::internal())?;
        if self.scopes.allows(&wanted) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "insufficient_scope",
                "This action is outside the authorized scopes",
            ))
        }
    }

    /// Passes when the token holds any one of the scopes.
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), ApiError> {
        if scopes.iter().any(|s| self.require(s).is_ok()) {
            Ok(())
        } else {
            self.require(scopes.first().copied().unwrap_or("read"))
        }
    }

    /// The acting user if an admin holding `scope` (admin API endpoints): 403 for
    /// anyone else, whatever the token says.
    pub fn admin(&self, scope: &str) -> Result<&AccountRow, ApiError> {
        self.require(scope)?;
        let me = self.user()?;
        if !me.role.is_admin() {
            return Err(ApiError::forbidden(
                "forbidden",
                "This action is not allowed",
            ));
        }
        Ok(me)
    }

    /// The acting user if a moderator or an admin holding `scope` (reports, account
    /// actions, the audit log): 403 for anyone else, whatever the token says.
    pub fn moderator(&self, scope: &str) -> Result<&AccountRow, ApiError> {
        self.require(scope)?;
        let me = self.user()?;
        if !me.role.may_moderate() {
            return Err(ApiError::forbidden(
                "forbidden",
                "This action is not allowed",
            ));
        }
        Ok(me)
    }

    /// The acting user; refuses app-only tokens and accounts that may not act.
    pub fn user(&self) -> Result<&AccountRow, ApiError> {
        let account = self.account.as_ref().ok_or_else(|| {
            ApiError::new(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "user_required",
                "This method requires an authenticated user",
            )
        })?;
        if account.suspended {
            return Err(ApiError::forbidden(
                "account_suspended",
                "Your login is currently disabled",
            ));
        }
        if !account.approved {
            return Err(ApiError::forbidden(
                "pending_approval",
                "Your login is currently pending approval",
            ));
        }
        Ok(account)
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(ApiError::internal)?;
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let auth = authenticate(&state, &token).await?;
            // The rate limiter may now count this token on its own.
            crate::ratelimit::mark_token_verified(&req);
            Ok(auth)
        })
    }
}

/// Looks a presented token up: live, and its user row still there. The extractor and
/// the streaming API (which also takes tokens from a query or sub-protocol) share it.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Authenticated, ApiError> {
    let hash = sha256_hex(token);
    let found = state
        .db
        .run(move |conn| {
            let Some(token) = oauth::find_live_token(conn, &hash)? else {
                return Ok(None);
            };
            let account = match token.account_id {
                Some(id) => Some(accounts::find(conn, id)?),
                None => None,
            };
            Ok(Some((token, account)))
        })
        .await?;
    let (token, account) = found.ok_or_else(ApiError::unauthorized)?;
    let today = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    // Unused for too long: as good as revoked (`security.token_expiry_days`).
    let days = state.instance.token_expiry_days;
    if days > 0 && token.last_active() < today - chrono::Duration::days(i64::from(days)) {
        return Err(ApiError::unauthorized());
    }
    // The day of last use, written at most once a day per token (not a write per
    // request).
    if token.last_used_at.is_none_or(|d| d < today) {
        let id = token.id;
        state
            .db
            .run(move |c| oauth::touch_token(c, id, today))
            .await?;
    }
    // A token whose user row vanished is as good as revoked.
    let account = match account {
        Some(None) => return Err(ApiError::unauthorized()),
        Some(Some(a)) => Some(a),
        None => None,
    };
    let scopes = Scopes::parse(&token.scopes).unwrap_or_default();
    Ok(Authenticated {
        token,
        scopes,
        account,
    })
}

/// Authentication where it is optional: no `Authorization` header means anonymous,
/// but a header with a bad token is still refused (as Mastodon does).
pub struct MaybeAuthenticated(pub Option<Authenticated>);

impl FromRequest for MaybeAuthenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().get(AUTHORIZATION).is_none() {
            return Box::pin(async { Ok(MaybeAuthenticated(None)) });
        }
        let fut = Authenticated::from_request(req, payload);
        Box::pin(async move { Ok(MaybeAuthenticated(Some(fut.await?))) })
    }
}

impl MaybeAuthenticated {
    /// The acting user if any, after the same checks as [`Authenticated::user`], and
    /// the scope check when a token is present.
    pub fn user(&self, scope: &str) -> Result<Option<&AccountRow>, ApiError> {
        match &self.0 {
            None => Ok(None),
            Some(a) => {
                a.require(scope)?;
                match &a.account {
                    None => Ok(None),
                    Some(_) => a.user().map(Some),
                }
            }
        }
    }
}
