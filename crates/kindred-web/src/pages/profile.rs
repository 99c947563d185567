//! A person's profile page (`/@name`): who they are, their posts as the viewer may
//! see them (the same scope as `GET /api/v1/accounts/:id/statuses`), and follow /
//! unfollow (`services::relations`, as the API's follow and unfollow).

use actix_web::{web, HttpResponse};
use kindred_api::services::{accounts, present, relations, timelines, viewer::Viewer};
use kindred_db::AccountRow;
use kindred_domain::filters::FilterContext;
use maud::{html, PreEscaped};
use serde::Deserialize;

use super::home::{self, PageQuery};
use crate::context::{Ctx, WebError, WebErrorKind};
use crate::form;
use crate::layout::csrf_field;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/@{name}/follow", web::post().to(follow))
        .route("/@{name}/unfollow", web::post().to(unfollow));
}

pub async fn page(ctx: Ctx, account: AccountRow) -> Result<HttpResponse, WebError> {
    let q = web::Query::<PageQuery>::from_query(ctx.req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let shown = if account.display_name.is_empty() {
        account.username.clone()
    } else {
        account.display_name.clone()
    };
    let handle = format!("@{}@{}", account.username, ctx.state.urls.domain());
    // plain_text_to_html escapes everything it is given.
    let note = kindred_domain::text::plain_text_to_html(&account.note);
    let me = ctx.account().cloned();
    let viewer = Viewer::load(&ctx.state, me.as_ref())
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let (statuses, full, oldest) = if viewer.blocked.contains(&account.id) {
        (Vec::new(), false, None)
    } else {
        let scope = timelines::account_scope(&viewer, account.id);
        let rows = timelines::account(&ctx.state, account.id, scope, None, q.page())
            .await
            .map_err(|e| ctx.internal(e.code()))?;
        let full = rows.len() as i64 >= home::PAGE_SIZE;
        let oldest = rows.last().map(|r| r.id);
        let statuses = home::presented(&ctx, &viewer, rows, FilterContext::Account).await?;
        (statuses, full, oldest)
    };
    let relation = match &me {
        Some(me) if me.id != account.id => {
            present::relationships(&ctx.state, me.id, vec![account.id])
                .await
                .map_err(|e| ctx.internal(e.code()))?
                .into_iter()
                .next()
        }
        _ => None,
    };
    let base = format!("/@{}", account.username);
    Ok(ctx.page(
        &shown,
        html! {
            h1 { (shown) }
            p class="muted" { (handle) }
            div class="bio" { (PreEscaped(note)) }
            @if let Some(rel) = &relation {
                @if rel.following || rel.requested {
                    form method="post" action={ (base) "/unfollow" } class="inline" {
                        (csrf_field(&ctx.csrf_token))
                        @if rel.requested { p class="muted" { (ctx.t("member-profile-requested")) } }
                        button type="submit" class="secondary" {
                            (ctx.t_args("member-profile-unfollow", &[("name", shown.clone().into())]))
                        }
                    }
                } @else if !rel.blocking && !rel.blocked_by {
                    form method="post" action={ (base) "/follow" } class="inline" {
                        (csrf_field(&ctx.csrf_token))
                        button type="submit" {
                            (ctx.t_args("member-profile-follow", &[("name", shown.clone().into())]))
                        }
                    }
                }
            }
            section aria-labelledby="posts" {
                h2 id="posts" { (ctx.t("member-profile-posts")) }
                (home::list(&ctx, &statuses, "member-profile-no-posts"))
                (home::older_link(&ctx, &base, full, oldest))
            }
        },
    ))
}

#[derive(Deserialize, Default)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: Option<String>,
}

async fn person(ctx: &Ctx, name: &str) -> Result<AccountRow, WebError> {
    accounts::find_local(&ctx.state, name)
        .await
        .map_err(|e| ctx.internal(e.code()))?
        .filter(|a| a.is_active() && !relations::is_group(a))
        .ok_or_else(|| ctx.error(WebErrorKind::NotFound))
}

/// `POST /@name/follow`.
pub async fn follow(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let f: CsrfOnly = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let other = person(&ctx, &path).await?;
    if other.id != me.id {
        relations::follow(&ctx.state, &me, &other, true, false)
            .await
            .map_err(|e| match e {
                kindred_api::services::ServiceError::NotFound
                | kindred_api::services::ServiceError::Forbidden(_) => {
                    ctx.error(WebErrorKind::Forbidden)
                }
                other => ctx.internal(other.code()),
            })?;
    }
    Ok(ctx.redirect(&format!("/@{}", other.username)))
}

/// `POST /@name/unfollow`.
pub async fn unfollow(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let me = ctx.member()?.clone();
    let f: CsrfOnly = form::parse(&body);
    ctx.check_csrf(f.csrf_token.as_deref())?;
    let other = person(&ctx, &path).await?;
    relations::unfollow(&ctx.state, &me, &other)
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    Ok(ctx.redirect(&format!("/@{}", other.username)))
}
