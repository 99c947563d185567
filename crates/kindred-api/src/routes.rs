//! The route table: every path Kindred answers, in one place.

use std::time::Instant;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::web;

use crate::handlers::{
    accounts, activitypub, admin_accounts, announcements, apps, auth_pages, conversations, crisis,
    domain_policy, erasure, export, featured_tags, filters, groups, health, inbox, instance,
    kindred_account, lists, media, meeting_directory, meeting_objects, meetings, notifications,
    oauth, pages, polls, relations, reports, scheduled_statuses, search, statuses, streaming, tags,
    timelines, well_known,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(activitypub::root))
        .route("/healthz", web::get().to(health::healthz))
        // well-known and discovery: readable from browser apps
        .service(
            web::scope("/.well-known")
                .wrap(cors())
                .route("/webfinger", web::get().to(well_known::webfinger))
                .route("/host-meta", web::get().to(well_known::host_meta))
                .route("/nodeinfo", web::get().to(well_known::nodeinfo_discovery))
                .route(
                    "/oauth-authorization-server",
                    web::get().to(well_known::oauth_authorization_server),
                ),
        )
        .service(
            web::resource("/nodeinfo/2.1")
                .wrap(cors())
                .route(web::get().to(well_known::nodeinfo_21)),
        )
        // ActivityPub actors
        .route("/actor", web::get().to(activitypub::instance_actor))
        .route("/actor/outbox", web::get().to(activitypub::instance_outbox))
        .route("/actor/inbox", web::post().to(inbox::shared))
        .route("/inbox", web::post().to(inbox::shared))
        .route("/users/{name}", web::get().to(activitypub::actor))
        .route("/users/{name}/inbox", web::post().to(inbox::personal))
        .route(
            "/users/{name}/{collection}",
            web::get().to(activitypub::collection),
        )
        .route(
            "/users/{name}/statuses/{id}",
            web::get().to(activitypub::status),
        )
        .route(
            "/users/{name}/statuses/{id}/activity",
            web::get().to(activitypub::status_activity),
        )
        .route("/meetings/{id}", web::get().to(meeting_objects::show))
        // Pictures, from our own origin (local uploads and cached remote ones).
        .route("/media/{token}/{file}", web::get().to(media::file))
        .route("/@{name}", web::get().to(activitypub::profile))
        .route(
            "/avatars/original/missing.png",
            web::get().to(pages::missing_png),
        )
        .route(
            "/headers/original/missing.png",
            web::get().to(pages::missing_png),
        )
        // OAuth. The HTML authorize page gets no CORS: it is for top-level navigation.
        // Counted by the API rate limits per client, with their headers (inside CORS,
        // as for `/api`); failed logins also have their own throttle (`limits.rs`).
        .service(
            web::resource("/oauth/authorize")
                .wrap(from_fn(crate::ratelimit::rate_limit))
                .route(web::get().to(oauth::authorize_form))
                .route(web::post().to(oauth::authorize_submit)),
        )
        .service(
            web::resource("/oauth/token")
                .wrap(from_fn(crate::ratelimit::rate_limit))
                .wrap(cors())
                .route(web::post().to(oauth::token)),
        )
        .service(
            web::resource("/oauth/revoke")
                .wrap(from_fn(crate::ratelimit::rate_limit))
                .wrap(cors())
                .route(web::post().to(oauth::revoke)),
        )
        // The pages behind emailed links (password reset, address confirmation):
        // top-level navigation, no CORS; counted by the rate limits per client.
        .service(
            web::resource("/auth/password/reset")
                .wrap(from_fn(crate::ratelimit::rate_limit))
                .route(web::get().to(auth_pages::reset_request_form))
                .route(web::post().to(auth_pages::reset_request_submit)),
        )
        .service(
            web::resource("/auth/password/reset/{token}")
                .wrap(from_fn(crate::ratelimit::rate_limit))
                .route(web::get().to(auth_pages::reset_form))
                .route(web::post().to(auth_pages::reset_submit)),
        )
        .service(
            web::resource("/auth/email/confirm/{token}")
                .wrap(from_fn(crate::ratelimit::rate_limit))
                .route(web::get().to(auth_pages::confirm_form))
                .route(web::post().to(auth_pages::confirm_submit)),
        )
        // Mastodon client API
        // Rate limits inside CORS, so browser apps can read a 429 and its headers.
        .service(
            web::scope("/api")
                .wrap(from_fn(crate::ratelimit::rate_limit))
                .wrap(cors())
                .configure(api),
        )
        .default_service(web::to(pages::not_found));
}

fn api(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/apps", web::post().to(apps::create))
        .route(
            "/v1/kindred/account/password",
            web::post().to(kindred_account::change_password),
        )
        .route(
            "/v1/kindred/account/email",
            web::get().to(kindred_account::email_settings),
        )
        .route(
            "/v1/kindred/account/email",
            web::patch().to(kindred_account::choose_email),
        )
        .route(
            "/v1/kindred/account/email",
            web::post().to(kindred_account::set_address),
        )
        .route(
            "/v1/kindred/authorized_apps",
            web::get().to(kindred_account::authorized_apps),
        )
        .route(
            "/v1/kindred/authorized_apps/{id}",
            web::delete().to(kindred_account::revoke_app),
        )
        .route(
            "/v1/apps/verify_credentials",
            web::get().to(apps::verify_credentials),
        )
        .route("/v1/accounts", web::post().to(accounts::register))
        .route(
            "/v1/accounts/verify_credentials",
            web::get().to(accounts::verify_credentials),
        )
        .route(
            "/v1/accounts/update_credentials",
            web::patch().to(accounts::update_credentials),
        )
        .route("/v1/accounts/lookup", web::get().to(accounts::lookup))
        .route("/v1/accounts/search", web::get().to(search::accounts))
        .route(
            "/v1/accounts/relationships",
            web::get().to(relations::relationships),
        )
        .route("/v1/accounts/{id}", web::get().to(accounts::show))
        .route("/v1/accounts/{id}/lists", web::get().to(lists::containing))
        .route(
            "/v1/accounts/{id}/statuses",
            web::get().to(timelines::account_statuses),
        )
        .route(
            "/v1/accounts/{id}/followers",
            web::get().to(relations::followers),
        )
        .route(
            "/v1/accounts/{id}/following",
            web::get().to(relations::following),
        )
        .route(
            "/v1/accounts/{id}/follow",
            web::post().to(relations::follow),
        )
        .route(
            "/v1/accounts/{id}/unfollow",
            web::post().to(relations::unfollow),
        )
        .route("/v1/accounts/{id}/block", web::post().to(relations::block))
        .route(
            "/v1/accounts/{id}/unblock",
            web::post().to(relations::unblock),
        )
        .route("/v1/accounts/{id}/mute", web::post().to(relations::mute))
        .route(
            "/v1/accounts/{id}/unmute",
            web::post().to(relations::unmute),
        )
        .route("/v1/blocks", web::get().to(relations::blocks))
        .route("/v1/mutes", web::get().to(relations::mutes))
        .route(
            "/v1/follow_requests",
            web::get().to(relations::follow_requests),
        )
        .route(
            "/v1/follow_requests/{id}/authorize",
            web::post().to(relations::authorize_request),
        )
        .route(
            "/v1/follow_requests/{id}/reject",
            web::post().to(relations::reject_request),
        )
        // pictures
        .route("/v1/media", web::post().to(media::upload))
        .route("/v2/media", web::post().to(media::upload))
        .route("/v1/media/{id}", web::get().to(media::show))
        .route("/v1/media/{id}", web::put().to(media::update))
        // statuses
        .route("/v1/statuses", web::post().to(statuses::create))
        .route("/v1/polls/{id}", web::get().to(polls::show))
        .route("/v1/polls/{id}/votes", web::post().to(polls::vote))
        .route(
            "/v1/scheduled_statuses",
            web::get().to(scheduled_statuses::list),
        )
        .route(
            "/v1/scheduled_statuses/{id}",
            web::get().to(scheduled_statuses::show),
        )
        .route(
            "/v1/scheduled_statuses/{id}",
            web::put().to(scheduled_statuses::update),
        )
        .route(
            "/v1/scheduled_statuses/{id}",
            web::delete().to(scheduled_statuses::delete),
        )
        .route("/v1/featured_tags", web::get().to(featured_tags::list))
        .route("/v1/featured_tags", web::post().to(featured_tags::add))
        .route(
            "/v1/featured_tags/suggestions",
            web::get().to(featured_tags::suggestions),
        )
        .route(
            "/v1/featured_tags/{id}",
            web::delete().to(featured_tags::remove),
        )
        .route(
            "/v1/accounts/{id}/featured_tags",
            web::get().to(featured_tags::of_account),
        )
        .route("/v1/statuses/{id}", web::get().to(statuses::show))
        .route("/v1/statuses/{id}", web::delete().to(statuses::delete))
        .route("/v1/statuses/{id}", web::put().to(statuses::edit))
        .route("/v1/statuses/{id}/source", web::get().to(statuses::source))
        .route(
            "/v1/statuses/{id}/history",
            web::get().to(statuses::history),
        )
        .route(
            "/v1/statuses/{id}/context",
            web::get().to(statuses::context),
        )
        .route(
            "/v1/statuses/{id}/favourite",
            web::post().to(statuses::favourite),
        )
        .route(
            "/v1/statuses/{id}/unfavourite",
            web::post().to(statuses::unfavourite),
        )
        .route("/v1/statuses/{id}/reblog", web::post().to(statuses::reblog))
        .route(
            "/v1/statuses/{id}/unreblog",
            web::post().to(statuses::unreblog),
        )
        .route(
            "/v1/statuses/{id}/bookmark",
            web::post().to(statuses::bookmark),
        )
        .route(
            "/v1/statuses/{id}/unbookmark",
            web::post().to(statuses::unbookmark),
        )
        .route("/v1/statuses/{id}/pin", web::post().to(statuses::pin))
        .route("/v1/statuses/{id}/unpin", web::post().to(statuses::unpin))
        .route(
            "/v1/statuses/{id}/favourited_by",
            web::get().to(statuses::favourited_by),
        )
        .route(
            "/v1/statuses/{id}/reblogged_by",
            web::get().to(statuses::reblogged_by),
        )
        // timelines
        .route("/v1/timelines/home", web::get().to(timelines::home))
        .route("/v1/timelines/public", web::get().to(timelines::public))
        .route("/v1/timelines/tag/{tag}", web::get().to(timelines::tag))
        .route("/v1/favourites", web::get().to(timelines::favourites))
        .route("/v1/bookmarks", web::get().to(timelines::bookmarks))
        // notifications and markers
        .route("/v1/notifications", web::get().to(notifications::list))
        .route(
            "/v1/notifications/unread_count",
            web::get().to(notifications::unread_count),
        )
        .route(
            "/v1/notifications/clear",
            web::post().to(notifications::clear),
        )
        .route("/v1/notifications/{id}", web::get().to(notifications::show))
        .route(
            "/v1/notifications/{id}/dismiss",
            web::post().to(notifications::dismiss),
        )
        .route("/v1/markers", web::get().to(notifications::markers))
        .route("/v1/markers", web::post().to(notifications::set_markers))
        .route("/v1/preferences", web::get().to(notifications::preferences))
        // Trends are empty by design: no virality features in a support community.
        .route("/v1/trends", web::get().to(notifications::empty_list))
        .route("/v1/trends/tags", web::get().to(notifications::empty_list))
        .route(
            "/v1/trends/statuses",
            web::get().to(notifications::empty_list),
        )
        .route("/v1/trends/links", web::get().to(notifications::empty_list))
        .configure(client_extras)
        .configure(crisis_api)
        // search (v1 /api/v1/search was removed by Mastodon 3.0 and is not offered)
        .route("/v2/search", web::get().to(search::v2))
        // streaming: the WebSocket, its health check, and server-sent events
        .route("/v1/streaming", web::get().to(streaming::websocket))
        .route("/v1/streaming/health", web::get().to(streaming::health))
        .route(
            "/v1/streaming/{stream:.+}",
            web::get().to(streaming::server_sent_events),
        )
        .route("/v1/instance", web::get().to(instance::v1))
        .route("/v2/instance", web::get().to(instance::v2))
        .route("/v1/instance/rules", web::get().to(instance::rules))
        .route(
            "/v1/instance/extended_description",
            web::get().to(instance::extended_description),
        )
        .route("/v1/custom_emojis", web::get().to(instance::custom_emojis))
        .default_service(web::to(pages::not_found));
}

/// Lists, filters, announcements, conversations and hashtags.
fn client_extras(cfg: &mut web::ServiceConfig) {
    groups_api(cfg);
    meetings_api(cfg);
    reports_api(cfg);
    cfg.route("/v1/lists", web::get().to(lists::index))
        .route("/v1/lists", web::post().to(lists::create))
        .route("/v1/lists/{id}", web::get().to(lists::show))
        .route("/v1/lists/{id}", web::put().to(lists::update))
        .route("/v1/lists/{id}", web::delete().to(lists::delete))
        .route("/v1/lists/{id}/accounts", web::get().to(lists::accounts))
        .route(
            "/v1/lists/{id}/accounts",
            web::post().to(lists::add_accounts),
        )
        .route(
            "/v1/lists/{id}/accounts",
            web::delete().to(lists::remove_accounts),
        )
        .route("/v1/timelines/list/{id}", web::get().to(lists::timeline))
        .route("/v1/filters", web::get().to(filters::index_v1))
        .route("/v2/filters", web::get().to(filters::index))
        .route("/v2/filters", web::post().to(filters::create))
        .route(
            "/v2/filters/keywords/{id}",
            web::get().to(filters::show_keyword),
        )
        .route(
            "/v2/filters/keywords/{id}",
            web::put().to(filters::update_keyword),
        )
        .route(
            "/v2/filters/keywords/{id}",
            web::delete().to(filters::delete_keyword),
        )
        .route(
            "/v2/filters/statuses/{id}",
            web::get().to(filters::show_status),
        )
        .route(
            "/v2/filters/statuses/{id}",
            web::delete().to(filters::delete_status),
        )
        .route("/v2/filters/{id}", web::get().to(filters::show))
        .route("/v2/filters/{id}", web::put().to(filters::update))
        .route("/v2/filters/{id}", web::delete().to(filters::delete))
        .route(
            "/v2/filters/{id}/keywords",
            web::get().to(filters::keywords),
        )
        .route(
            "/v2/filters/{id}/keywords",
            web::post().to(filters::add_keyword),
        )
        .route(
            "/v2/filters/{id}/statuses",
            web::get().to(filters::statuses),
        )
        .route(
            "/v2/filters/{id}/statuses",
            web::post().to(filters::add_status),
        )
        .route("/v1/announcements", web::get().to(announcements::index))
        .route(
            "/v1/announcements/{id}/dismiss",
            web::post().to(announcements::dismiss),
        )
        .route(
            "/v1/announcements/{id}/reactions/{name}",
            web::put().to(announcements::react),
        )
        .route(
            "/v1/announcements/{id}/reactions/{name}",
            web::delete().to(announcements::unreact),
        )
        .route("/v1/admin/accounts", web::get().to(admin_accounts::index))
        .route("/v2/admin/accounts", web::get().to(admin_accounts::index))
        .route(
            "/v1/admin/accounts/{id}",
            web::get().to(admin_accounts::show),
        )
        .route(
            "/v1/admin/accounts/{id}/action",
            web::post().to(admin_accounts::action),
        )
        .route(
            "/v1/admin/accounts/{id}/approve",
            web::post().to(admin_accounts::approve),
        )
        .route(
            "/v1/admin/accounts/{id}/reject",
            web::post().to(admin_accounts::reject),
        )
        .route(
            "/v1/admin/accounts/{id}/enable",
            web::post().to(admin_accounts::enable),
        )
        .route(
            "/v1/admin/accounts/{id}/unsilence",
            web::post().to(admin_accounts::unsilence),
        )
        .route(
            "/v1/admin/accounts/{id}/unsuspend",
            web::post().to(admin_accounts::unsuspend),
        )
        .route(
            "/v1/admin/accounts/{id}/unsensitive",
            web::post().to(admin_accounts::unsensitive),
        )
        .route(
            "/v1/admin/kindred/accounts/{id}/role",
            web::put().to(admin_accounts::set_role),
        )
        .route(
            "/v1/admin/kindred/audit_log",
            web::get().to(admin_accounts::audit_log),
        )
        .route(
            "/v1/kindred/account/delete",
            web::post().to(erasure::delete_own),
        )
        .route(
            "/v1/kindred/account/export",
            web::post().to(export::request),
        )
        .route("/v1/kindred/account/export", web::get().to(export::status))
        // The names issue 26 gives; the `account/` ones sit beside delete.
        .route("/v1/kindred/export", web::post().to(export::request))
        .route("/v1/kindred/export", web::get().to(export::status))
        .route(
            "/v1/kindred/account/export/{token}",
            web::get().to(export::download),
        )
        .route(
            "/v1/admin/accounts/{id}",
            web::delete().to(erasure::admin_purge),
        )
        .route(
            "/v1/admin/domain_blocks",
            web::get().to(domain_policy::blocks),
        )
        .route(
            "/v1/admin/domain_blocks",
            web::post().to(domain_policy::create_block),
        )
        .route(
            "/v1/admin/domain_blocks/{id}",
            web::get().to(domain_policy::block),
        )
        .route(
            "/v1/admin/domain_blocks/{id}",
            web::put().to(domain_policy::update_block),
        )
        .route(
            "/v1/admin/domain_blocks/{id}",
            web::delete().to(domain_policy::delete_block),
        )
        .route(
            "/v1/admin/domain_allows",
            web::get().to(domain_policy::allows),
        )
        .route(
            "/v1/admin/domain_allows",
            web::post().to(domain_policy::create_allow),
        )
        .route(
            "/v1/admin/domain_allows/{id}",
            web::get().to(domain_policy::allow),
        )
        .route(
            "/v1/admin/domain_allows/{id}",
            web::delete().to(domain_policy::delete_allow),
        )
        .route(
            "/v1/admin/kindred/federation",
            web::get().to(domain_policy::kindred_federation),
        )
        .route(
            "/v1/admin/kindred/federation",
            web::put().to(domain_policy::update_kindred_federation),
        )
        .route(
            "/v1/admin/kindred/federation/directory",
            web::get().to(meeting_directory::index),
        )
        .route(
            "/v1/admin/kindred/federation/directory",
            web::post().to(meeting_directory::subscribe),
        )
        .route(
            "/v1/admin/kindred/federation/directory/{domain}",
            web::delete().to(meeting_directory::unsubscribe),
        )
        .route(
            "/v1/instance/domain_blocks",
            web::get().to(domain_policy::public_blocks),
        )
        .route(
            "/v1/admin/announcements",
            web::get().to(announcements::admin_index),
        )
        .route(
            "/v1/admin/announcements",
            web::post().to(announcements::admin_create),
        )
        .route(
            "/v1/admin/announcements/{id}",
            web::put().to(announcements::admin_update),
        )
        .route(
            "/v1/admin/announcements/{id}",
            web::delete().to(announcements::admin_delete),
        )
        .route("/v1/conversations", web::get().to(conversations::index))
        .route(
            "/v1/conversations/{id}",
            web::delete().to(conversations::remove),
        )
        .route(
            "/v1/conversations/{id}/read",
            web::post().to(conversations::read),
        )
        .route("/v1/followed_tags", web::get().to(tags::followed))
        .route("/v1/tags/{name}", web::get().to(tags::show))
        .route("/v1/tags/{name}/follow", web::post().to(tags::follow))
        .route("/v1/tags/{name}/unfollow", web::post().to(tags::unfollow));
}

/// Browser apps (Elk, Phanpy) call the API from their own origin. Like Mastodon we
/// allow any origin without credentials: authorization is a bearer token, never a
/// cookie, so a foreign page gains nothing it could not do with the token itself.
fn cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allow_any_method()
        .allow_any_header()
        .expose_headers([
            "Link",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Idempotency-Key",
        ])
        .max_age(3600)
}

/// One line per request: method, route pattern (not the raw path, which can carry
/// look-up names) and status. Never the query string (tokens, emails) and never the
/// client address.
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let elapsed = started.elapsed();
    tracing::info!(
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        elapsed_ms = elapsed.as_millis() as u64,
        "request"
    );
    crate::metrics::request_served(&method, route, res.status(), elapsed);
    Ok(res)
}

/// Reports (docs/moderation.md): Mastodon's report and admin reports API, the
/// moderators' removal of a post, the facilitators' part in the groups extension.
fn reports_api(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/reports", web::post().to(reports::create))
        .route("/v1/admin/reports", web::get().to(reports::admin_index))
        .route("/v1/admin/reports/{id}", web::get().to(reports::admin_show))
        .route(
            "/v1/admin/reports/{id}",
            web::put().to(reports::admin_update),
        )
        .route(
            "/v1/admin/reports/{id}/{action}",
            web::post().to(reports::admin_act),
        )
        .route(
            "/v1/admin/kindred/statuses/{id}",
            web::delete().to(reports::remove_status),
        )
        .route(
            "/v1/groups/{id}/reports",
            web::get().to(reports::group_index),
        )
        .route(
            "/v1/groups/{id}/reports/{report_id}/done",
            web::post().to(reports::group_done),
        );
}

/// The groups extension (docs/api/groups.md).
fn groups_api(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/groups", web::get().to(groups::index))
        .route("/v1/groups", web::post().to(groups::create))
        .route("/v1/groups/{id}", web::get().to(groups::show))
        .route("/v1/groups/{id}", web::put().to(groups::update))
        .route("/v1/groups/{id}", web::patch().to(groups::update))
        .route("/v1/groups/{id}", web::delete().to(groups::delete))
        .route("/v1/groups/{id}/join", web::post().to(groups::join))
        .route("/v1/groups/{id}/leave", web::post().to(groups::leave))
        .route("/v1/groups/{id}/members", web::get().to(groups::members))
        .route("/v1/groups/{id}/requests", web::get().to(groups::requests))
        .route("/v1/groups/{id}/bans", web::get().to(groups::bans))
        .route(
            "/v1/groups/{id}/followers",
            web::get().to(groups::followers),
        )
        .route(
            "/v1/groups/{id}/follow_requests",
            web::get().to(groups::follow_requests),
        )
        .route(
            "/v1/groups/{id}/accounts/{account_id}/{action}",
            web::post().to(groups::act),
        )
        .route("/v1/groups/{id}/timeline", web::get().to(groups::timeline))
        .route(
            "/v1/groups/{id}/review",
            web::get().to(groups::review_queue),
        )
        .route(
            "/v1/groups/{id}/statuses/{status_id}/{action}",
            web::post().to(groups::act_on_post),
        );
}

/// Crisis resources (docs/moderation.md): public list, admin list.
fn crisis_api(cfg: &mut web::ServiceConfig) {
    const A: &str = "/v1/admin/kindred/crisis_resources";
    const ONE: &str = "/v1/admin/kindred/crisis_resources/{id}";
    cfg.route(
        "/v1/kindred/crisis_resources",
        web::get().to(crisis::public_index),
    )
    .route(A, web::get().to(crisis::admin_index))
    .route(A, web::post().to(crisis::admin_create))
    .route(ONE, web::get().to(crisis::admin_show))
    .route(ONE, web::put().to(crisis::admin_update))
    .route(ONE, web::delete().to(crisis::admin_delete));
}

/// The meetings extension and its calendars (docs/api/meetings.md). Literal paths come
/// before `{id}` ones.
fn meetings_api(cfg: &mut web::ServiceConfig) {
    const E: &str = "/v1/pleroma/events";
    const C: &str = "/v1/pleroma/calendars";
    cfg.route(E, web::get().to(meetings::index))
        .route(E, web::post().to(meetings::create))
        .route(
            &format!("{E}/joined_events"),
            web::get().to(meetings::joined),
        )
        .route(&format!("{E}/{{id}}"), web::get().to(meetings::show))
        .route(&format!("{E}/{{id}}"), web::put().to(meetings::update))
        .route(&format!("{E}/{{id}}"), web::patch().to(meetings::update))
        .route(&format!("{E}/{{id}}/ics"), web::get().to(meetings::ics))
        .route(
            &format!("{E}/{{id}}/cancel"),
            web::post().to(meetings::cancel),
        )
        .route(&format!("{E}/{{id}}/join"), web::post().to(meetings::join))
        .route(
            &format!("{E}/{{id}}/leave"),
            web::post().to(meetings::leave),
        )
        .route(
            &format!("{E}/{{id}}/participations"),
            web::get().to(meetings::participations),
        )
        .route(
            &format!("{E}/{{id}}/participation_requests"),
            web::get().to(meetings::participation_requests),
        )
        .route(
            &format!("{E}/{{id}}/participation_requests/{{account_id}}/{{action}}"),
            web::post().to(meetings::decide),
        )
        .route(
            &format!("{C}/instance"),
            web::get().to(meetings::instance_feed),
        )
        .route(
            &format!("{C}/groups/{{id}}"),
            web::get().to(meetings::group_feed),
        )
        .route(
            &format!("{C}/personal"),
            web::post().to(meetings::create_feed),
        )
        .route(
            &format!("{C}/personal"),
            web::delete().to(meetings::revoke_feed),
        )
        .route(
            &format!("{C}/personal/{{token}}"),
            web::get().to(meetings::personal_feed),
        );
}
