//! A group's settings for its facilitators (`/groups/:id/manage/settings`): name,
//! description, rules, join questions, content warning, visibility, review of first
//! posts and how long discussion posts are kept — through `services::groups::update`,
//! the API's own, so its checks (lengths, ranges, turning private) are the same.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use kindred_api::entities::groups::Group;
use kindred_api::services::groups::{self as service, GroupChanges};
use maud::html;

use super::common::{fail, parse_id, refusal, shown_name};
use crate::context::{Ctx, WebError};
use crate::form;
use crate::layout::{csrf_field, form_errors};

/// At most this many join questions (the rule's own limit).
const QUESTIONS: usize = 5;

/// The form's values, as stored or as typed.
#[derive(Default, Clone)]
struct Values {
    display_name: String,
    note: String,
    rules: String,
    questions: Vec<String>,
    content_warning: String,
    visibility: String,
    review_first_posts: String,
    retention_days: String,
}

fn values_of(group: &Group, note: &str, own_retention: Option<i64>) -> Values {
    Values {
        display_name: group.display_name.clone(),
        note: note.to_owned(),
        rules: group.rules.clone(),
        questions: group.questions.clone(),
        content_warning: group.content_warning.clone(),
        visibility: group.visibility.clone(),
        review_first_posts: group.review_first_posts.to_string(),
        retention_days: own_retention.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// `GET /groups/:id/manage/settings`.
pub async fn show(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    let id = parse_id(&ctx, &path)?;
    let me = ctx.member()?.clone();
    let (loaded, _) = service::as_moderator(&ctx.state, &me, id)
        .await
        .map_err(|e| fail(&ctx, e))?;
    let group = service::show(&ctx.state, me.id, id)
        .await
        .map_err(|e| fail(&ctx, e))?;
    let v = values_of(&group, &loaded.account.note, loaded.group.retention_days);
    Ok(page(&ctx, &group, &v, &[]))
}

fn page(ctx: &Ctx, group: &Group, v: &Values, errors: &[String]) -> HttpResponse {
    let name = shown_name(&group.display_name, &group.acct);
    let title = ctx.t_args("groups-settings-title", &[("name", name.into())]);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = html! {
        h1 { (title) }
        p { a href=(format!("/groups/{}/manage", group.id)) { (ctx.t("groups-manage-link")) } }
        (form_errors(ctx.lang, errors))
        form method="post" action=(format!("/groups/{}/manage/settings", group.id)) {
            (csrf_field(&ctx.csrf_token))
            label for="display_name" { (ctx.t("groups-settings-name")) }
            input type="text" id="display_name" name="display_name" value=(v.display_name) maxlength="100";
            label for="note" { (ctx.t("groups-settings-note")) }
            textarea id="note" name="note" rows="4" { (v.note) }
            label for="rules" { (ctx.t("groups-settings-rules")) }
            textarea id="rules" name="rules" rows="6" { (v.rules) }
            fieldset {
                legend { (ctx.t("groups-settings-questions")) }
                p class="hint" { (ctx.t("groups-settings-questions-hint")) }
                @for i in 0..QUESTIONS {
                    label for=(format!("question-{i}")) {
                        (ctx.t_args("groups-settings-question", &[("n", (i as i64 + 1).into())]))
                    }
                    input type="text" id=(format!("question-{i}")) name="questions"
                        value=(v.questions.get(i).map(String::as_str).unwrap_or(""));
                }
            }
            label for="content_warning" { (ctx.t("groups-settings-cw")) }
            input type="text" id="content_warning" name="content_warning" value=(v.content_warning)
                aria-describedby="cw-setting-hint";
            p class="hint" id="cw-setting-hint" { (ctx.t("groups-settings-cw-hint")) }
            fieldset {
                legend { (ctx.t("groups-settings-visibility")) }
                @for (value, label) in [("public", "groups-visibility-public"), ("closed", "groups-visibility-closed"), ("private", "groups-visibility-private")] {
                    div class="check" {
                        input type="radio" id=(format!("visibility-{value}")) name="visibility" value=(value)
                            checked[v.visibility == value];
                        label for=(format!("visibility-{value}")) { (ctx.t(label)) " — " (ctx.t(&format!("{label}-hint"))) }
                    }
                }
            }
            label for="review_first_posts" { (ctx.t("groups-settings-review")) }
            input type="number" id="review_first_posts" name="review_first_posts" min="0" max="100"
                value=(v.review_first_posts) aria-describedby="review-hint";
            p class="hint" id="review-hint" { (ctx.t("groups-settings-review-hint")) }
            label for="retention_days" { (ctx.t("groups-settings-retention")) }
            input type="number" id="retention_days" name="retention_days" min="1"
                value=(v.retention_days) aria-describedby="retention-hint";
            p class="hint" id="retention-hint" { (ctx.t("groups-settings-retention-hint")) }
            button type="submit" { (ctx.t("groups-settings-save")) }
        }
    };
    ctx.page_with_status(status, &title, body)
}

/// `POST /groups/:id/manage/settings`.
pub async fn save(
    ctx: Ctx,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let pairs = form::pairs(&body);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ctx.check_csrf(Some(get("csrf_token").as_str()))?;
    let id = parse_id(&ctx, &path)?;
    let me = ctx.member()?.clone();
    // Refused before anything is read for a non-facilitator, as the API.
    service::as_moderator(&ctx.state, &me, id)
        .await
        .map_err(|e| fail(&ctx, e))?;
    let v = Values {
        display_name: get("display_name"),
        note: get("note"),
        rules: get("rules"),
        questions: pairs
            .iter()
            .filter(|(k, _)| k == "questions" || k == "questions[]")
            .map(|(_, q)| q.trim().to_owned())
            .filter(|q| !q.is_empty())
            .collect(),
        content_warning: get("content_warning"),
        visibility: get("visibility"),
        review_first_posts: get("review_first_posts").trim().to_owned(),
        retention_days: get("retention_days").trim().to_owned(),
    };
    let mut errors = Vec::new();
    let review = if v.review_first_posts.is_empty() {
        Some(0)
    } else {
        v.review_first_posts.parse::<i64>().ok().or_else(|| {
            errors.push(ctx.t("groups-settings-review-number"));
            None
        })
    };
    let retention = if v.retention_days.is_empty() {
        Some(None)
    } else {
        match v.retention_days.parse::<i64>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                errors.push(ctx.t("groups-settings-retention-number"));
                None
            }
        }
    };
    let current = service::show(&ctx.state, me.id, id)
        .await
        .map_err(|e| fail(&ctx, e))?;
    if !errors.is_empty() {
        return Ok(page(&ctx, &current, &v, &errors));
    }
    let changes = GroupChanges {
        display_name: Some(v.display_name.clone()),
        note: Some(v.note.clone()),
        rules: Some(v.rules.clone()),
        questions: Some(v.questions.clone()),
        content_warning: Some(v.content_warning.clone()),
        visibility: Some(v.visibility.clone()),
        review_first_posts: review,
        show_participant_count: None,
        max_per_remote_domain: None,
        retention_days: retention,
    };
    match service::update(&ctx.state, &me, id, changes).await {
        Ok(_) => Ok(ctx.redirect(&format!("/groups/{id}/manage?done=settings"))),
        Err(e) => match refusal(&ctx, &e) {
            Some(msg) => Ok(page(&ctx, &current, &v, &[msg])),
            None => Err(fail(&ctx, e)),
        },
    }
}
