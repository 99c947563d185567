use serde_json::{json, Value};

use crate::services::crisis::CrisisResourceRow;
use crate::services::instance::InstanceStats;
use crate::{instance_version, AppState};

/// The configured rules, then one pointing to the crisis resources (while there
/// are any).
fn rules(state: &AppState, crisis: &[CrisisResourceRow]) -> Vec<Value> {
    let mut rules: Vec<Value> = state
        .instance
        .rules
        .iter()
        .enumerate()
        .map(|(i, text)| json!({ "id": (i + 1).to_string(), "text": text, "hint": "" }))
        .collect();
    rules.extend(crate::services::crisis::rule(
        state,
        crisis,
        rules.len() + 1,
    ));
    rules
}

fn configuration_statuses(state: &AppState) -> Value {
    json!({
        "max_characters": state.instance.max_status_chars,
        "max_media_attachments": kindred_domain::media::MAX_ATTACHMENTS,
        "characters_reserved_per_url": 23
    })
}

fn configuration_media(state: &AppState) -> Value {
    json!({
        "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
        "image_size_limit": state.media.limits.max_bytes,
        "image_matrix_limit": state.media.limits.max_pixels,
        "video_size_limit": 0,
        "video_frame_rate_limit": 0,
        "video_matrix_limit": 0,
        "description_limit": 1500
    })
}

/// The limits `kindred_domain::polls::PollLimits` enforces on create.
fn configuration_polls() -> Value {
    let l = kindred_domain::polls::PollLimits::default();
    json!({
        "max_options": l.max_options,
        "max_characters_per_option": l.max_characters_per_option,
        "min_expiration": l.min_expiration,
        "max_expiration": l.max_expiration
    })
}

pub fn rules_entity(state: &AppState, crisis: &[CrisisResourceRow]) -> Value {
    Value::Array(rules(state, crisis))
}

/// `GET /api/v1/instance` (Mastodon's v1 shape).
pub fn v1(state: &AppState, stats: &InstanceStats, crisis: &[CrisisResourceRow]) -> Value {
    let mode = state.instance.registration;
    let thumbnail = state.urls.path("/avatars/original/missing.png").to_string();
    json!({
        "uri": state.urls.domain().to_string(),
        "title": state.instance.name,
        "short_description": state.instance.description,
        "description": state.instance.description,
        "email": state.instance.contact_email.clone().unwrap_or_default(),
        "version": instance_version(),
        "urls": { "streaming_api": state.urls.streaming() },
        "stats": {
            "user_count": stats.user_count,
            "status_count": stats.status_count,
            "domain_count": stats.domain_count
        },
        "thumbnail": thumbnail,
        "languages": state.instance.languages,
        "registrations": mode.open_to_public(),
        "approval_required": !mode.approved_on_sign_up(),
        "invites_enabled": mode == kindred_domain::RegistrationMode::Invite,
        "configuration": {
            "accounts": { "max_featured_tags": 0 },
            "statuses": configuration_statuses(state),
            "media_attachments": configuration_media(state),
            "polls": configuration_polls()
        },
        "contact_account": null,
        "rules": rules(state, crisis)
    })
}

/// `GET /api/v2/instance` (Mastodon 4.x shape).
pub fn v2(state: &AppState, stats: &InstanceStats, crisis: &[CrisisResourceRow]) -> Value {
    let mode = state.instance.registration;
    let thumbnail = state.urls.path("/avatars/original/missing.png").to_string();
    json!({
        "domain": state.urls.domain().to_string(),
        "title": state.instance.name,
        "version": instance_version(),
        "source_url": "https://www.gnu.org/licenses/agpl-3.0.html",
        "description": state.instance.description,
        "usage": { "users": { "active_month": stats.user_count } },
        "thumbnail": { "url": thumbnail },
        "icon": [],
        "languages": state.instance.languages,
        "configuration": {
            "urls": { "streaming": state.urls.streaming(), "status": null, "about": state.urls.path("/about").to_string() },
            "vapid": { "public_key": "" },
            "accounts": { "max_featured_tags": 0, "max_pinned_statuses": 5 },
            "statuses": configuration_statuses(state),
            "media_attachments": configuration_media(state),
            "polls": configuration_polls(),
            "translation": { "enabled": false }
        },
        "registrations": {
            "enabled": mode.open_to_public(),
            "approval_required": !mode.approved_on_sign_up(),
            "reason_required": false,
            "message": null,
            "url": null
        },
        "api_versions": { "mastodon": 2 },
        "contact": {
            "email": state.instance.contact_email.clone().unwrap_or_default(),
            "account": null
        },
        "rules": rules(state, crisis)
    })
}
