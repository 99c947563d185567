//! Table definitions shared by both backends. Every type here exists on SQLite and
//! PostgreSQL alike; migrations in `migrations/{sqlite,postgres}` must match.

diesel::table! {
    accounts (id) {
        id -> BigInt,
        username -> Text,
        username_lower -> Text,
        domain -> Text,
        display_name -> Text,
        note -> Text,
        role -> Text,
        public_key_pem -> Text,
        locked -> Bool,
        bot -> Bool,
        discoverable -> Bool,
        hide_collections -> Bool,
        approved -> Bool,
        suspended -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (account_id) {
        account_id -> BigInt,
        email_ciphertext -> Nullable<Binary>,
        email_lookup -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        private_key_pem -> Text,
        sign_up_reason -> Nullable<Text>,
        invite_id -> Nullable<BigInt>,
        default_privacy -> Text,
        default_sensitive -> Bool,
        default_language -> Nullable<Text>,
        created_at -> Timestamp,
        rules_version -> Nullable<Text>,
        rules_accepted_at -> Nullable<Timestamp>,
        ui_language -> Nullable<Text>,
    }
}

diesel::table! {
    invites (id) {
        id -> BigInt,
        code_hash -> Text,
        created_by -> Nullable<BigInt>,
        max_uses -> Nullable<Integer>,
        uses -> Integer,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    oauth_applications (id) {
        id -> BigInt,
        name -> Text,
        website -> Nullable<Text>,
        redirect_uris -> Text,
        scopes -> Text,
        client_id -> Text,
        client_secret_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    oauth_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        application_id -> BigInt,
        account_id -> Nullable<BigInt>,
        scopes -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oauth_authorization_codes (id) {
        id -> BigInt,
        code_hash -> Text,
        application_id -> BigInt,
        account_id -> BigInt,
        redirect_uri -> Text,
        scopes -> Text,
        code_challenge -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_actor (id) {
        id -> BigInt,
        private_key_pem -> Text,
        public_key_pem -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    statuses (id) {
        id -> BigInt,
        uri -> Text,
        account_id -> BigInt,
        local -> Bool,
        in_reply_to_id -> Nullable<BigInt>,
        in_reply_to_account_id -> Nullable<BigInt>,
        reblog_of_id -> Nullable<BigInt>,
        text -> Text,
        content -> Text,
        spoiler_text -> Text,
        sensitive -> Bool,
        visibility -> Text,
        local_only -> Bool,
        language -> Nullable<Text>,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    status_edits (id) {
        id -> BigInt,
        status_id -> BigInt,
        text -> Text,
        content -> Text,
        spoiler_text -> Text,
        sensitive -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mentions (status_id, account_id) {
        status_id -> BigInt,
        account_id -> BigInt,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    status_tags (status_id, tag_id) {
        status_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    favourites (id) {
        id -> BigInt,
        account_id -> BigInt,
        status_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bookmarks (id) {
        id -> BigInt,
        account_id -> BigInt,
        status_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    status_pins (id) {
        id -> BigInt,
        account_id -> BigInt,
        status_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    follows (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        show_reblogs -> Bool,
        notify -> Bool,
        created_at -> Timestamp,
        uri -> Nullable<Text>,
    }
}

diesel::table! {
    follow_requests (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        show_reblogs -> Bool,
        notify -> Bool,
        created_at -> Timestamp,
        uri -> Nullable<Text>,
        resend_at -> Nullable<Timestamp>,
        resends -> Integer,
    }
}

diesel::table! {
    blocks (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mutes (id) {
        id -> BigInt,
        account_id -> BigInt,
        target_account_id -> BigInt,
        hide_notifications -> Bool,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        account_id -> BigInt,
        from_account_id -> BigInt,
        kind -> Text,
        status_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        meeting_id -> Nullable<BigInt>,
        report_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    markers (account_id, timeline) {
        account_id -> BigInt,
        timeline -> Text,
        last_read_id -> Text,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (account_id, key_hash) {
        account_id -> BigInt,
        key_hash -> Text,
        status_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    lists (id) {
        id -> BigInt,
        account_id -> BigInt,
        title -> Text,
        replies_policy -> Text,
        exclusive -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    list_accounts (list_id, account_id) {
        list_id -> BigInt,
        account_id -> BigInt,
    }
}

diesel::table! {
    filters (id) {
        id -> BigInt,
        account_id -> BigInt,
        title -> Text,
        contexts -> Text,
        filter_action -> Text,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    filter_keywords (id) {
        id -> BigInt,
        filter_id -> BigInt,
        keyword -> Text,
        whole_word -> Bool,
    }
}

diesel::table! {
    filter_statuses (id) {
        id -> BigInt,
        filter_id -> BigInt,
        status_id -> BigInt,
    }
}

diesel::table! {
    announcements (id) {
        id -> BigInt,
        text -> Text,
        content -> Text,
        published -> Bool,
        all_day -> Bool,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    announcement_dismissals (announcement_id, account_id) {
        announcement_id -> BigInt,
        account_id -> BigInt,
    }
}

diesel::table! {
    announcement_reactions (announcement_id, account_id, name) {
        announcement_id -> BigInt,
        account_id -> BigInt,
        name -> Text,
    }
}

diesel::table! {
    followed_tags (id) {
        id -> BigInt,
        account_id -> BigInt,
        tag_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    status_conversations (status_id) {
        status_id -> BigInt,
        conversation_id -> BigInt,
    }
}

diesel::table! {
    conversation_marks (account_id, conversation_id) {
        account_id -> BigInt,
        conversation_id -> BigInt,
        read_up_to -> BigInt,
        hidden_up_to -> BigInt,
    }
}

diesel::table! {
    instances (domain) {
        domain -> Text,
        software -> Nullable<Text>,
        last_success_at -> Nullable<Timestamp>,
        last_failure_at -> Nullable<Timestamp>,
        failures -> Integer,
        dead_since -> Nullable<Timestamp>,
        leased_by -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        failing_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        domain -> Text,
        inbox_url -> Text,
        signer_account_id -> Nullable<BigInt>,
        activity_id -> Text,
        body -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        traffic -> Nullable<Text>,
    }
}

diesel::joinable!(oauth_tokens -> oauth_applications (application_id));
diesel::joinable!(oauth_tokens -> accounts (account_id));
diesel::joinable!(users -> accounts (account_id));
diesel::joinable!(statuses -> accounts (account_id));
diesel::joinable!(mentions -> statuses (status_id));
diesel::joinable!(status_tags -> statuses (status_id));
diesel::joinable!(status_tags -> tags (tag_id));
diesel::joinable!(favourites -> statuses (status_id));
diesel::joinable!(favourites -> accounts (account_id));
diesel::joinable!(idempotency_keys -> statuses (status_id));
diesel::joinable!(bookmarks -> statuses (status_id));
diesel::joinable!(status_pins -> statuses (status_id));
diesel::joinable!(notifications -> statuses (status_id));
diesel::joinable!(list_accounts -> lists (list_id));
diesel::joinable!(filter_keywords -> filters (filter_id));
diesel::joinable!(filter_statuses -> filters (filter_id));
diesel::joinable!(followed_tags -> tags (tag_id));
diesel::joinable!(status_conversations -> statuses (status_id));
diesel::joinable!(deliveries -> instances (domain));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    users,
    invites,
    oauth_applications,
    oauth_tokens,
    oauth_authorization_codes,
    instance_actor,
    statuses,
    status_edits,
    mentions,
    tags,
    status_tags,
    favourites,
    bookmarks,
    status_pins,
    follows,
    follow_requests,
    blocks,
    mutes,
    notifications,
    markers,
    idempotency_keys,
    lists,
    list_accounts,
    filters,
    filter_keywords,
    filter_statuses,
    announcements,
    announcement_dismissals,
    announcement_reactions,
    followed_tags,
    status_conversations,
    conversation_marks,
    instances,
    deliveries,
);

// A new status as it is first written: every column set at creation plus its search
// words, so the row (and SQLite's FTS5 index, by its insert trigger) is complete in one
// statement rather than an insert and an update.
diesel::table! {
    #[sql_name = "statuses"]
    status_inserts (id) {
        id -> BigInt,
        uri -> Text,
        account_id -> BigInt,
        local -> Bool,
        in_reply_to_id -> Nullable<BigInt>,
        in_reply_to_account_id -> Nullable<BigInt>,
        reblog_of_id -> Nullable<BigInt>,
        text -> Text,
        content -> Text,
        spoiler_text -> Text,
        sensitive -> Bool,
        visibility -> Text,
        local_only -> Bool,
        language -> Nullable<Text>,
        created_at -> Timestamp,
        search_text -> Nullable<Text>,
    }
}

// The search columns of `statuses` and `accounts` (migration 2026-11-26-000001_search),
// declared as tables of their own: both tables are at diesel's 16-column limit, and
// only `models::search` and the two writes that keep the columns current use them.
diesel::table! {
    #[sql_name = "statuses"]
    status_search (id) {
        id -> BigInt,
        text -> Text,
        spoiler_text -> Text,
        search_text -> Nullable<Text>,
    }
}

// SQLite's FTS5 index of statuses' search words (migration 2026-11-26-000001_search;
// a virtual table, so not in the migrations' schema comparison). Written only by
// `statuses::insert_row` on SQLite (why there: migration 2026-11-26-000022); searched
// through SQL text in `models::search`.
diesel::table! {
    statuses_search (rowid) {
        rowid -> BigInt,
        search_text -> Text,
    }
}

diesel::table! {
    #[sql_name = "accounts"]
    account_search (id) {
        id -> BigInt,
        display_name -> Text,
        search_name -> Nullable<Text>,
    }
}

// Federation, inbound (migration 2026-11-26-000006_inbound).
diesel::table! {
    remote_accounts (account_id) {
        account_id -> BigInt,
        uri -> Text,
        inbox_url -> Text,
        shared_inbox_url -> Nullable<Text>,
        followers_url -> Nullable<Text>,
        url -> Nullable<Text>,
        actor_type -> Text,
        fetched_at -> Timestamp,
        key_refetched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    received_activities (id_hash) {
        id_hash -> Text,
        signature_hash -> Text,
        received_at -> Timestamp,
    }
}

diesel::joinable!(remote_accounts -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(remote_accounts, accounts);
diesel::allow_tables_to_appear_in_same_query!(remote_accounts, follows);

// Federation policy (migration 2026-11-26-000009_federation_policy).
diesel::table! {
    domain_blocks (id) {
        id -> BigInt,
        domain -> Text,
        severity -> Text,
        reject_media -> Bool,
        reject_reports -> Bool,
        private_comment -> Nullable<Text>,
        public_comment -> Nullable<Text>,
        obfuscate -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    domain_allows (id) {
        id -> BigInt,
        domain -> Text,
        scopes -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    federation_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

// Per-account totals kept by triggers (migration 2026-11-26-000010_account_stats).
diesel::table! {
    account_stats (account_id) {
        account_id -> BigInt,
        statuses_count -> BigInt,
        followers_count -> BigInt,
        following_count -> BigInt,
        last_status_at -> Nullable<Timestamp>,
    }
}

// Silenced accounts (migration 2026-11-26-000011_silenced_accounts).
diesel::table! {
    silenced_accounts (account_id) {
        account_id -> BigInt,
        origin -> Text,
        silenced_at -> Timestamp,
    }
}

diesel::joinable!(silenced_accounts -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, accounts);
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, follows);
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, status_conversations);
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, statuses);
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, notifications);
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, status_tags);
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, mentions);
diesel::allow_tables_to_appear_in_same_query!(silenced_accounts, tags);

// Peer-support groups (migration 2026-11-26-000012_groups).
diesel::table! {
    groups (account_id) {
        account_id -> BigInt,
        visibility -> Text,
        rules -> Text,
        questions -> Text,
        content_warning -> Text,
        review_first_posts -> BigInt,
        private_key_pem -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        show_participant_count -> Bool,
        max_per_remote_domain -> Nullable<BigInt>,
        retention_days -> Nullable<BigInt>,
    }
}

diesel::table! {
    group_memberships (id) {
        id -> BigInt,
        group_id -> BigInt,
        account_id -> BigInt,
        role -> Text,
        state -> Text,
        answers -> Text,
        approved_posts -> BigInt,
        muted_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_posts (status_id) {
        status_id -> BigInt,
        group_id -> BigInt,
        account_id -> BigInt,
        kind -> Text,
        held -> Bool,
        pinned_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(groups, accounts);
diesel::allow_tables_to_appear_in_same_query!(groups, group_memberships);
diesel::allow_tables_to_appear_in_same_query!(groups, group_posts);
diesel::allow_tables_to_appear_in_same_query!(groups, statuses);
diesel::allow_tables_to_appear_in_same_query!(group_memberships, accounts);
diesel::allow_tables_to_appear_in_same_query!(group_memberships, group_posts);
diesel::allow_tables_to_appear_in_same_query!(group_memberships, statuses);
diesel::allow_tables_to_appear_in_same_query!(group_posts, accounts);
diesel::allow_tables_to_appear_in_same_query!(group_posts, statuses);
diesel::allow_tables_to_appear_in_same_query!(group_posts, notifications);

// Offline meetings (migration 2026-11-26-000014_meetings).
diesel::table! {
    meetings (id) {
        id -> BigInt,
        group_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        title -> Text,
        description -> Text,
        status -> Text,
        join_mode -> Text,
        audience -> Text,
        capacity -> Nullable<BigInt>,
        content_category -> Nullable<Text>,
        locality -> Text,
        region -> Text,
        country -> Text,
        online -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meeting_times (meeting_id) {
        meeting_id -> BigInt,
        time_zone -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        recurrence -> Nullable<Text>,
        series_ends_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    meeting_places (meeting_id) {
        meeting_id -> BigInt,
        venue_name -> Text,
        street_address -> Text,
        postal_code -> Text,
        access_notes -> Text,
        accessibility -> Text,
        online_link -> Nullable<Text>,
    }
}

// A meeting's own cap on places per remote server (migration
// 2026-12-07-000024_remote_rsvp_caps).
diesel::table! {
    meeting_remote_caps (meeting_id) {
        meeting_id -> BigInt,
        max_per_remote_domain -> BigInt,
    }
}

diesel::table! {
    meeting_cancellations (meeting_id, occurrence_local) {
        meeting_id -> BigInt,
        occurrence_local -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    meeting_participations (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        account_id -> Nullable<BigInt>,
        anonymous_token -> Nullable<Text>,
        anonymous_domain -> Nullable<Text>,
        state -> Text,
        meeting_name -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        anonymous_actor_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    ics_feed_tokens (account_id) {
        account_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(meetings, meeting_times);
diesel::allow_tables_to_appear_in_same_query!(meetings, meeting_places);
diesel::allow_tables_to_appear_in_same_query!(meetings, meeting_participations);
diesel::allow_tables_to_appear_in_same_query!(meetings, groups);
diesel::allow_tables_to_appear_in_same_query!(meeting_times, meeting_participations);
diesel::allow_tables_to_appear_in_same_query!(meeting_times, groups);
diesel::allow_tables_to_appear_in_same_query!(meeting_participations, accounts);

// Meetings listed by other servers (migration 2026-11-26-000015_remote_meetings).
diesel::table! {
    remote_meetings (meeting_id) {
        meeting_id -> BigInt,
        uri -> Text,
        account_id -> BigInt,
        url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(remote_meetings, meetings);
diesel::allow_tables_to_appear_in_same_query!(remote_meetings, meeting_times);

// Meetings' statuses (migration 2026-11-26-000016_meeting_posts).
diesel::table! {
    meeting_posts (meeting_id) {
        meeting_id -> BigInt,
        status_id -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(meeting_posts, meetings);
diesel::allow_tables_to_appear_in_same_query!(meeting_posts, meeting_times);
diesel::allow_tables_to_appear_in_same_query!(meeting_posts, statuses);

// Meeting reminders sent (migration 2026-11-26-000018_meeting_reminders).
diesel::table! {
    meeting_reminders (participation_id, occurrence_start) {
        participation_id -> BigInt,
        occurrence_start -> Timestamp,
        sent_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(meetings, accounts);
diesel::allow_tables_to_appear_in_same_query!(meeting_times, accounts);

// Anonymous RSVPs our members sent elsewhere (migration 2026-11-26-000017_remote_rsvp_tokens).
diesel::table! {
    remote_rsvp_tokens (meeting_id, account_id) {
        meeting_id -> BigInt,
        account_id -> BigInt,
        token -> Text,
    }
}

// The partner meeting directory (migration 2026-11-26-000019_meeting_directory).
diesel::table! {
    directory_subscriptions (id) {
        id -> BigInt,
        domain -> Text,
        actor_id -> BigInt,
        follow_uri -> Text,
        state -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    directory_subscribers (account_id) {
        account_id -> BigInt,
        follow_uri -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(directory_subscriptions -> accounts (actor_id));
diesel::joinable!(directory_subscribers -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(directory_subscriptions, accounts);
diesel::allow_tables_to_appear_in_same_query!(directory_subscribers, accounts);
diesel::allow_tables_to_appear_in_same_query!(directory_subscribers, remote_accounts);

diesel::table! {
    crisis_resources (id) {
        id -> BigInt,
        name -> Text,
        phone -> Nullable<Text>,
        text_line -> Nullable<Text>,
        url -> Nullable<Text>,
        hours -> Nullable<Text>,
        region -> Nullable<Text>,
        language -> Nullable<Text>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

// Reports (migration 2026-12-07-000030_reports).
diesel::table! {
    reports (id) {
        id -> BigInt,
        reporter_account_id -> Nullable<BigInt>,
        reporter_domain -> Nullable<Text>,
        // Nullable since 2026-12-07-000130_reports_outlive_target: NULL once the
        // reported account was erased and purged (the report and its decision stay).
        target_account_id -> Nullable<BigInt>,
        comment -> Text,
        category -> Text,
        rule_ids -> Text,
        forwarded -> Bool,
        assigned_account_id -> Nullable<BigInt>,
        action_taken_by_account_id -> Nullable<BigInt>,
        action_taken_at -> Nullable<Timestamp>,
        uri -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_statuses (report_id, status_id) {
        report_id -> BigInt,
        status_id -> BigInt,
    }
}

diesel::table! {
    report_groups (report_id, group_id) {
        report_id -> BigInt,
        group_id -> BigInt,
        done_at -> Nullable<Timestamp>,
        done_by_account_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    report_actions (id) {
        id -> BigInt,
        report_id -> BigInt,
        account_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
        kind -> Text,
        status_id -> Nullable<BigInt>,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        account_id -> Nullable<BigInt>,
        kind -> Text,
        sealed -> Nullable<Binary>,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        created_at -> Timestamp,
    }
}

// Account moderation (migration 2026-12-07-000040_moderation_accounts): the one
// audit log (the federation-policy audit folded in), account warnings, and the
// restrictions put on one account.
diesel::table! {
    audit_log (id) {
        id -> BigInt,
        created_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor -> Text,
        kind -> Text,
        target_account_id -> Nullable<BigInt>,
        target -> Nullable<Text>,
        report_id -> Nullable<BigInt>,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
    }
}

diesel::table! {
    account_warnings (id) {
        id -> BigInt,
        target_account_id -> BigInt,
        action -> Text,
        text -> Text,
        report_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(report_statuses -> reports (report_id));
diesel::joinable!(report_groups -> reports (report_id));
diesel::joinable!(report_actions -> reports (report_id));
diesel::allow_tables_to_appear_in_same_query!(reports, report_statuses);
diesel::allow_tables_to_appear_in_same_query!(reports, report_groups);
diesel::allow_tables_to_appear_in_same_query!(reports, report_actions);
diesel::allow_tables_to_appear_in_same_query!(report_groups, group_memberships);

diesel::table! {
    account_restrictions (account_id, kind) {
        account_id -> BigInt,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(account_warnings -> accounts (target_account_id));
diesel::joinable!(account_restrictions -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(account_warnings, accounts);
diesel::allow_tables_to_appear_in_same_query!(account_restrictions, accounts);
diesel::allow_tables_to_appear_in_same_query!(account_restrictions, silenced_accounts);
// A member's erasure and export (migration 2026-12-07-000070_erasure).
diesel::table! {
    erased_accounts (account_id) {
        account_id -> BigInt,
        username_lower -> Text,
        erased_at -> Timestamp,
        purged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    account_exports (id) {
        id -> BigInt,
        account_id -> BigInt,
        state -> Text,
        token_hash -> Text,
        file_key -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
    }
}
diesel::allow_tables_to_appear_in_same_query!(erased_accounts, deliveries);

diesel::table! {
    email_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        email_lookup -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_settings (account_id) {
        account_id -> BigInt,
        confirmed_lookup -> Nullable<Text>,
        meeting_reminders -> Bool,
        place_confirmed -> Bool,
    }
}

diesel::table! {
    polls (status_id) {
        status_id -> BigInt,
        expires_at -> Nullable<Timestamp>,
        multiple -> Bool,
        hide_totals -> Bool,
        remote_voters_count -> Nullable<BigInt>,
        ended_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    poll_options (status_id, position) {
        status_id -> BigInt,
        position -> BigInt,
        title -> Text,
        remote_votes_count -> Nullable<BigInt>,
    }
}

diesel::table! {
    poll_voters (status_id, account_id) {
        status_id -> BigInt,
        account_id -> BigInt,
        activity_uri -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    poll_votes (status_id, account_id, choice) {
        status_id -> BigInt,
        account_id -> BigInt,
        choice -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(polls, statuses);
diesel::allow_tables_to_appear_in_same_query!(polls, poll_voters);

diesel::table! {
    scheduled_statuses (id) {
        id -> BigInt,
        account_id -> BigInt,
        scheduled_at -> Timestamp,
        params -> Text,
        state -> Text,
        claimed_at -> Nullable<Timestamp>,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    featured_tags (id) {
        id -> BigInt,
        account_id -> BigInt,
        tag_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(featured_tags -> tags (tag_id));
diesel::allow_tables_to_appear_in_same_query!(featured_tags, tags);
diesel::allow_tables_to_appear_in_same_query!(featured_tags, status_tags);
diesel::allow_tables_to_appear_in_same_query!(featured_tags, statuses);
// Pictures (migration 2026-12-07-000100_media).
diesel::table! {
    media_attachments (id) {
        id -> BigInt,
        token -> Text,
        account_id -> BigInt,
        status_id -> Nullable<BigInt>,
        position -> Integer,
        content_type -> Text,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        blurhash -> Nullable<Text>,
        description -> Nullable<Text>,
        focus -> Nullable<Text>,
        stored_bytes -> BigInt,
        remote_url -> Nullable<Text>,
        fetched_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}
diesel::allow_tables_to_appear_in_same_query!(media_attachments, statuses);
diesel::allow_tables_to_appear_in_same_query!(media_attachments, accounts);
