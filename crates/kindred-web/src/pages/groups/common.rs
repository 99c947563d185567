//! What the group pages share: loading a group as the viewer may see it, and
//! answering a service's refusal as a page.

use kindred_api::entities::groups::Group;
use kindred_api::services::groups::{self as service, Loaded};
use kindred_api::services::ServiceError;
use kindred_db::models::groups::MembershipRow;
use kindred_domain::groups::PostRefusal;

use crate::context::{Ctx, WebError, WebErrorKind};

/// The group as the API's `GET /api/v1/groups/:id` shows it to this viewer (a
/// private group is "not found" to everyone outside it), with the viewer's
/// membership row.
pub async fn load(ctx: &Ctx, id: i64) -> Result<(Group, Loaded, Option<MembershipRow>), WebError> {
    let viewer = ctx.account().map(|a| a.id);
    let (loaded, own) = service::find_visible(&ctx.state, viewer, id)
        .await
        .map_err(|e| fail(ctx, e))?;
    let counts = ctx
        .state
        .db
        .run(move |c| kindred_db::models::groups::member_counts(c, &[id]))
        .await
        .map_err(|e| ctx.internal(e.code()))?;
    let n = counts.get(&id).copied().unwrap_or(0);
    let group = service::entity(&ctx.state, &loaded, n, own.as_ref());
    Ok((group, loaded, own))
}

/// A path id (`/groups/:id/...`): anything but a number is not found.
pub fn parse_id(ctx: &Ctx, raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ctx.error(WebErrorKind::NotFound))
}

/// A refusal the person can act on (422: the same page again, with words), or
/// `None` for failures that are an error page.
pub fn refusal(ctx: &Ctx, e: &ServiceError) -> Option<String> {
    let id = match e {
        ServiceError::Invalid(d) => match d.code() {
            "empty_status" => "groups-refused-empty",
            "status_too_long" => "groups-refused-too-long",
            "display_name_too_long" => "groups-refused-name-too-long",
            "note_too_long" => "groups-refused-note-too-long",
            _ => "groups-refused-invalid",
        },
        ServiceError::Unprocessable(m) => {
            let m = *m;
            if m == PostRefusal::Muted.message() {
                "groups-refused-muted"
            } else if m == PostRefusal::Banned.message() {
                "groups-refused-banned"
            } else if m == PostRefusal::NotAMember.message() {
                "groups-refused-not-member"
            } else if m == PostRefusal::MentionsOutsider.message() {
                "groups-refused-outsider"
            } else if m == PostRefusal::TwoGroups.message() {
                "groups-refused-two-groups"
            } else if m.starts_with("the owner cannot leave") {
                "groups-refused-owner-leave"
            } else if m.starts_with("facilitators cannot do this to themselves") {
                "groups-refused-self"
            } else {
                "groups-refused-standing"
            }
        }
        ServiceError::Refused(..) => "groups-refused-standing",
        _ => return None,
    };
    Some(ctx.t(id))
}

/// A failure that is not the person's to fix: 404 and 403 exactly as the API
/// answers them, anything else the generic error page (logged by code only).
pub fn fail(ctx: &Ctx, e: ServiceError) -> WebError {
    match e {
        ServiceError::NotFound => ctx.error(WebErrorKind::NotFound),
        ServiceError::Forbidden(_) => ctx.error(WebErrorKind::Forbidden),
        ServiceError::Throttled => ctx.error(WebErrorKind::TooMany),
        other => ctx.internal(other.code()),
    }
}

/// The name a group or person is shown by.
pub fn shown_name(display_name: &str, username: &str) -> String {
    if display_name.trim().is_empty() {
        username.to_owned()
    } else {
        display_name.to_owned()
    }
}
