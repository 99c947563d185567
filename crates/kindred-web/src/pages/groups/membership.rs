//! Joining and leaving (`POST /groups/:id/join`, `POST /groups/:id/leave`): the same
//! service as the API's join and leave, answers to the group's questions included.

use actix_web::{web, HttpResponse};
use kindred_api::services::groups as service;
use kindred_domain::groups::MembershipState;

use super::common::{fail, parse_id, refusal};
use super::page::{self, Drafts};
use crate::context::{Ctx, WebError};
use crate::form;

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `POST /groups/:id/join` (fields `answers`, one per question, in order).
pub async fn join(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let pairs = form::pairs(&body);
    ctx.check_csrf(field(&pairs, "csrf_token"))?;
    let id = parse_id(&ctx, &path)?;
    let me = ctx.member()?.clone();
    let answers: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "answers" || k == "answers[]")
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    match service::join(&ctx.state, &me, id, answers.clone()).await {
        Ok(group) => {
            let done = match group.membership.as_ref().map(|m| m.state.as_str()) {
                Some(s) if s == MembershipState::Requested.as_str() => "requested",
                _ => "joined",
            };
            Ok(ctx.redirect(&format!("/@{}?done={done}", group.acct)))
        }
        Err(e) => match refusal(&ctx, &e) {
            Some(msg) => {
                let drafts = Drafts {
                    answers,
                    join_errors: vec![msg],
                    ..Drafts::default()
                };
                page::render(&ctx, id, drafts).await
            }
            None => Err(fail(&ctx, e)),
        },
    }
}

/// `POST /groups/:id/leave`: leave, withdraw a request or decline an invitation.
pub async fn leave(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let pairs = form::pairs(&body);
    ctx.check_csrf(field(&pairs, "csrf_token"))?;
    let id = parse_id(&ctx, &path)?;
    let me = ctx.member()?.clone();
    // The group's name for the way back, while the leaver may still see it.
    let (group, _, _) = super::common::load(&ctx, id).await?;
    match service::leave(&ctx.state, &me, id).await {
        Ok(()) => {
            if group.visibility == "private" {
                // A private group no longer exists for someone who left it.
                Ok(ctx.redirect("/groups?done=left"))
            } else {
                Ok(ctx.redirect(&format!("/@{}?done=left", group.acct)))
            }
        }
        Err(e) => match refusal(&ctx, &e) {
            Some(msg) => {
                let drafts = Drafts {
                    join_errors: vec![msg],
                    ..Drafts::default()
                };
                page::render(&ctx, id, drafts).await
            }
            None => Err(fail(&ctx, e)),
        },
    }
}
