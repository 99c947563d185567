//! The meetings extension API (`/api/v1/pleroma/events...`, docs/api/meetings.md),
//! modelled on Pleroma/Rebased's events, and the iCalendar feeds
//! (`/api/v1/pleroma/calendars...`). Thin: the rules are in `services::meetings`.

use actix_web::{web, HttpRequest, HttpResponse};
use kindred_domain::meetings::{FacilitatorAction, ParticipationState, Rsvp};
use serde::Deserialize;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::entities::meetings::{FeedUrl, Participation};
use crate::entities::status::timestamp;
use crate::handlers::statuses::parse_id;
use crate::params::{lenient, Params};
use crate::services::meetings::{self as service, calendar, present, Fields, Listing, Target};
use crate::services::present as accounts;
use crate::{ApiError, AppState};

const READ: &[&str] = &["read", "read:statuses"];
const WRITE: &[&str] = &["write", "write:statuses"];

fn parse_limit(raw: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .map(|n| n.clamp(1, max))
            .map_err(|_| ApiError::bad_request("limit must be a number")),
    }
}

fn opt_id(raw: Option<&str>) -> Result<Option<i64>, ApiError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_id)
        .transpose()
}

/// A page of meetings with a `Link: <...after=LAST>; rel="next"` header when the page
/// is full (meetings page forward by start time, not by id).
fn page(
    state: &AppState,
    req: &HttpRequest,
    limit: i64,
    events: Vec<crate::entities::meetings::Event>,
) -> HttpResponse {
    let mut resp = HttpResponse::Ok();
    if let Some(last) = events.last().filter(|_| events.len() as i64 >= limit) {
        let mut url = state.urls.base().clone();
        url.set_path(req.path());
        {
            let mut q = url.query_pairs_mut();
            q.clear();
            for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
                if k != "after" {
                    q.append_pair(&k, &v);
                }
            }
            q.append_pair("after", &last.id);
        }
        resp.insert_header(("Link", format!("<{url}>; rel=\"next\"")));
    }
    resp.json(events)
}

#[derive(Deserialize, Default)]
pub struct EventParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    group_id: Option<String>,
    /// `name` is Pleroma's word for the title.
    #[serde(default, deserialize_with = "lenient::opt_string", alias = "name")]
    title: Option<String>,
    /// `content` is Pleroma's word for the description.
    #[serde(default, deserialize_with = "lenient::opt_string", alias = "content")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    end_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    time_zone: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    recurrence: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    join_mode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    audience: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    capacity: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    max_per_remote_domain: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    content_category: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    locality: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    region: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    country: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    venue_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    street_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    postal_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    access_notes: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_list")]
    accessibility: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    online_link: Option<String>,
}

impl EventParams {
    fn fields(self) -> Result<Fields, ApiError> {
        // An empty capacity (or "none") means no limit.
        let capacity = match self.capacity.as_deref().map(str::trim) {
            None => None,
            Some("" | "none" | "null") => Some(None),
            Some(s) => Some(Some(s.parse::<i64>().map_err(|_| {
                ApiError::unprocessable("invalid_meeting", "capacity must be a number")
            })?)),
        };
        // Empty (or "none"): the group's default.
        let max_per_remote_domain = match self.max_per_remote_domain.as_deref().map(str::trim) {
            None => None,
            Some("" | "none" | "null") => Some(None),
            Some(s) => Some(Some(s.parse::<i64>().map_err(|_| {
                ApiError::unprocessable("invalid_meeting", "max_per_remote_domain must be a number")
            })?)),
        };
        Ok(Fields {
            title: self.title,
            description: self.description,
            start_time: self.start_time,
            end_time: self.end_time,
            time_zone: self.time_zone,
            recurrence: self.recurrence,
            status: self.status,
            join_mode: self.join_mode,
            audience: self.audience,
            capacity,
            content_category: self.content_category,
            locality: self.locality,
            region: self.region,
            country: self.country,
            venue_name: self.venue_name,
            street_address: self.street_address,
            postal_code: self.postal_code,
            access_notes: self.access_notes,
            accessibility: self.accessibility,
            online_link: self.online_link,
            max_per_remote_domain,
        })
    }
}

/// `POST /api/v1/pleroma/events`
pub async fn create(
    state: web::Data<AppState>,
    auth: Authenticated,
    Params(p): Params<EventParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let me = auth.user()?.clone();
    let group_id = opt_id(p.group_id.as_deref())?;
    let loaded = service::create(&state, &me, group_id, p.fields()?).await?;
    Ok(HttpResponse::Ok().json(present::event(&state, loaded).await?))
}

/// `PUT /api/v1/pleroma/events/:id`: fields not sent keep their values.
pub async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<EventParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    let me = auth.user()?.clone();
    let loaded = service::update(&state, &me, id, p.fields()?).await?;
    Ok(HttpResponse::Ok().json(present::event(&state, loaded).await?))
}

#[derive(Deserialize, Default)]
pub struct CancelParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    occurrence: Option<String>,
}

/// `POST /api/v1/pleroma/events/:id/cancel`: the whole meeting, or one `occurrence`.
pub async fn cancel(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<CancelParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    let me = auth.user()?.clone();
    let loaded = service::cancel(&state, &me, id, p.occurrence.as_deref()).await?;
    Ok(HttpResponse::Ok().json(present::event(&state, loaded).await?))
}

/// `GET /api/v1/pleroma/events/:id`
pub async fn show(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.user("read")?.cloned();
    let id = parse_id(&path)?;
    let loaded = service::load(&state, me.as_ref(), id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(present::event(&state, loaded).await?))
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    group_id: Option<String>,
    /// `group` (with `group_id`), `instance`, or `public` (the directory, default).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    after: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/v1/pleroma/events`: upcoming meetings of a group, of the instance, or
/// the public directory.
pub async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: MaybeAuthenticated,
    Params(p): Params<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.user("read")?.cloned();
    let group_id = opt_id(p.group_id.as_deref())?;
    let listing = match (p.scope.as_deref().map(str::trim), group_id) {
        (None | Some("") | Some("group"), Some(g)) => Listing::Group(g),
        (Some("group"), None) => {
            return Err(ApiError::unprocessable(
                "invalid_parameters",
                "scope=group needs a group_id",
            ))
        }
        (Some("instance"), _) => Listing::Instance,
        // `directory`: the same listing, named for the partner meeting directory
        // whose listings it includes.
        (None | Some("") | Some("public") | Some("directory"), None) => Listing::Directory,
        _ => {
            return Err(ApiError::unprocessable(
                "invalid_parameters",
                "scope must be group, instance, public or directory",
            ))
        }
    };
    let after = opt_id(p.after.as_deref())?;
    let limit = parse_limit(p.limit.as_deref(), 20, 40)?;
    let list = service::upcoming(&state, me.as_ref(), listing, after, limit).await?;
    let events = present::events(&state, list).await?;
    Ok(page(&state, &req, limit, events))
}

#[derive(Deserialize, Default)]
pub struct JoinedParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    after: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/v1/pleroma/events/joined_events`: the caller's upcoming meetings.
pub async fn joined(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Authenticated,
    Params(p): Params<JoinedParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(READ)?;
    let me = auth.user()?.clone();
    let after = match opt_id(p.after.as_deref())? {
        Some(a) => Some(service::cursor_of(&state, a).await?),
        None => None,
    };
    let limit = parse_limit(p.limit.as_deref(), 20, 40)?;
    let list = service::joined(&state, &me, after, limit).await?;
    let events = present::events(&state, list).await?;
    Ok(page(&state, &req, limit, events))
}

#[derive(Deserialize, Default)]
pub struct JoinParams {
    /// going (default) | interested | not_going
    #[serde(default, deserialize_with = "lenient::opt_string")]
    rsvp: Option<String>,
    /// What people call the attendee in the room; facilitators only see it.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    name_for_meeting: Option<String>,
    /// For a meeting listed by another server: answer without telling it who.
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    anonymous: Option<bool>,
}

/// `POST /api/v1/pleroma/events/:id/join`
pub async fn join(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<JoinParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    let me = auth.user()?.clone();
    let rsvp = match p.rsvp.as_deref().map(str::trim) {
        None | Some("") => Rsvp::Going,
        Some(s) => Rsvp::parse(s)?,
    };
    let anonymous = p.anonymous.unwrap_or(false);
    let loaded = service::answer_as(&state, &me, id, rsvp, p.name_for_meeting, anonymous).await?;
    Ok(HttpResponse::Ok().json(present::event(&state, loaded).await?))
}

/// `POST /api/v1/pleroma/events/:id/leave`
pub async fn leave(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let id = parse_id(&path)?;
    let me = auth.user()?.clone();
    let loaded = service::answer(&state, &me, id, Rsvp::NotGoing, None).await?;
    Ok(HttpResponse::Ok().json(present::event(&state, loaded).await?))
}

/// `POST /api/v1/pleroma/events/:id/participation_requests/:account_id/{authorize,reject,invite}`
pub async fn decide(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let (id, who, action) = path.into_inner();
    let id = parse_id(&id)?;
    // An account id, or an anonymous attendee's `anonymous-ID` from the lists.
    let target = Target::parse(&who).ok_or_else(ApiError::not_found)?;
    let action = match action.as_str() {
        "authorize" | "approve" => FacilitatorAction::Approve,
        "reject" => FacilitatorAction::Reject,
        // Kindred's addition, for invitation-only meetings.
        "invite" => FacilitatorAction::Invite,
        _ => return Err(ApiError::not_found()),
    };
    let me = auth.user()?.clone();
    let loaded = service::facilitate(&state, &me, id, target, action).await?;
    Ok(HttpResponse::Ok().json(present::event(&state, loaded).await?))
}

#[derive(Deserialize, Default)]
pub struct ParticipationParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    state: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    since_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

async fn list_participations(
    state: &AppState,
    auth: &Authenticated,
    raw: &str,
    which: Option<ParticipationState>,
    p: &ParticipationParams,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(READ)?;
    let id = parse_id(raw)?;
    let me = auth.user()?.clone();
    let after = opt_id(p.since_id.as_deref())?;
    let limit = parse_limit(p.limit.as_deref(), 40, 80)?;
    let rows = service::participations(state, &me, id, which, after, limit).await?;
    let presented = accounts::accounts(
        state,
        Some(me.id),
        rows.iter().filter_map(|(_, a)| a.clone()).collect(),
    )
    .await?;
    let out: Vec<Participation> = rows
        .iter()
        .map(|(r, a)| Participation {
            id: r.id.to_string(),
            account: a
                .as_ref()
                .and_then(|a| presented.iter().find(|e| e.id == a.id.to_string()).cloned()),
            anonymous_id: r.account_id.is_none().then(|| Target::anonymous_id(r.id)),
            anonymous_domain: r.anonymous_domain.clone(),
            state: r.state.as_str().to_owned(),
            name_for_meeting: r.meeting_name.clone(),
            created_at: timestamp(r.created_at),
            updated_at: timestamp(r.updated_at),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-store"))
        .json(out))
}

/// `GET /api/v1/pleroma/events/:id/participations`: facilitators only; `state`
/// filters (default: accepted).
pub async fn participations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<ParticipationParams>,
) -> Result<HttpResponse, ApiError> {
    let which = match p.state.as_deref().map(str::trim) {
        None | Some("") => Some(ParticipationState::Accepted),
        Some("all") => None,
        Some(s) => Some(ParticipationState::parse(s)?),
    };
    list_participations(&state, &auth, &path, which, &p).await
}

/// `GET /api/v1/pleroma/events/:id/participation_requests`: facilitators only.
pub async fn participation_requests(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<String>,
    Params(p): Params<ParticipationParams>,
) -> Result<HttpResponse, ApiError> {
    let which = Some(ParticipationState::Requested);
    list_participations(&state, &auth, &path, which, &p).await
}

fn calendar_response(body: String, private: bool) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            "Cache-Control",
            if private {
                "private, no-store"
            } else {
                "public, max-age=300"
            },
        ))
        .body(body)
}

/// `GET /api/v1/pleroma/events/:id/ics`: one meeting, with the full place for its
/// facilitators and accepted attendees (with a token), public otherwise.
pub async fn ics(
    state: web::Data<AppState>,
    auth: MaybeAuthenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let me = auth.user("read")?.cloned();
    let id = parse_id(&path)?;
    let (body, private) = calendar::one(&state, me.as_ref(), id).await?;
    // A members-only meeting is not for shared caches either.
    Ok(calendar_response(body, private || me.is_some()))
}

/// `GET /api/v1/pleroma/calendars/instance`: every public listing of the instance.
pub async fn instance_feed(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(calendar_response(
        calendar::instance_feed(&state).await?,
        false,
    ))
}

/// `GET /api/v1/pleroma/calendars/groups/:id`: a group's public meetings.
pub async fn group_feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    Ok(calendar_response(
        calendar::group_feed(&state, id).await?,
        false,
    ))
}

/// `GET /api/v1/pleroma/calendars/personal/:token`: the secret personal feed.
pub async fn personal_feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(calendar_response(
        calendar::personal_feed(&state, &path).await?,
        true,
    ))
}

/// `POST /api/v1/pleroma/calendars/personal`: a new secret address (the old one stops
/// working).
pub async fn create_feed(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let me = auth.user()?.clone();
    let token = calendar::create_token(&state, &me).await?;
    let url = state
        .urls
        .path(&format!("/api/v1/pleroma/calendars/personal/{token}"))
        .to_string();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(FeedUrl { url }))
}

/// `DELETE /api/v1/pleroma/calendars/personal`: the secret address stops working.
pub async fn revoke_feed(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(WRITE)?;
    let me = auth.user()?.clone();
    calendar::revoke_token(&state, &me).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({})))
}
