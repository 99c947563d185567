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

diesel::joinable!(oauth_tokens -> oauth_applications (application_id));
diesel::joinable!(oauth_tokens -> accounts (account_id));
diesel::joinable!(users -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    users,
    invites,
    oauth_applications,
    oauth_tokens,
    oauth_authorization_codes,
    instance_actor,
);
