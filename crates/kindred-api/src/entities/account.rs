use kindred_db::{AccountRow, UserRow};
use kindred_domain::text::plain_text_to_html;
use kindred_federation::LocalUrls;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    /// Mastodon's mark of an account limited by moderation (silenced one by one or
    /// with its server), so apps show it behind a warning; sent only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub limited: bool,
    /// Mastodon's mark of a suspended account, shown without its profile or
    /// totals; sent only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suspended: bool,
    pub hide_collections: bool,
    /// Midnight of the sign-up day, as Mastodon does: no finer timing of who joined when.
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: u64,
    pub following_count: u64,
    pub statuses_count: u64,
    pub last_status_at: Option<String>,
    pub noindex: bool,
    pub emojis: Vec<serde_json::Value>,
    pub roles: Vec<serde_json::Value>,
    pub fields: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct Source {
    pub privacy: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub note: String,
    pub fields: Vec<serde_json::Value>,
    pub follow_requests_count: u64,
    pub hide_collections: bool,
    pub discoverable: bool,
    pub indexable: bool,
}

#[derive(Debug, Serialize)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub color: String,
    pub permissions: String,
    pub highlighted: bool,
}

impl Role {
    /// Mastodon's Role entity for an account's instance role.
    pub fn of(row: &AccountRow) -> Self {
        match row.role.person() {
            Some(kindred_domain::Role::Admin) => Role {
                id: "3".into(),
                name: "Admin".into(),
                color: String::new(),
                permissions: "1".into(),
                highlighted: true,
            },
            // Mastodon's permission bits: view audit log (4), dashboard (8), manage
            // reports (16), manage users (1024).
            Some(kindred_domain::Role::Moderator) => Role {
                id: "4".into(),
                name: "Moderator".into(),
                color: String::new(),
                permissions: "1052".into(),
                highlighted: true,
            },
            Some(kindred_domain::Role::Facilitator) => Role {
                id: "2".into(),
                name: "Facilitator".into(),
                color: String::new(),
                permissions: "1024".into(),
                highlighted: true,
            },
            _ => Role {
                id: "-99".into(),
                name: String::new(),
                color: String::new(),
                permissions: "65536".into(),
                highlighted: false,
            },
        }
    }
}

/// The account as its owner sees it: adds `source` and `role`. Never the email.
#[derive(Debug, Serialize)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
    pub role: Role,
}

impl Account {
    pub fn from_row(row: &AccountRow, urls: &LocalUrls) -> Self {
        let acct = if row.is_local() {
            row.username.clone()
        } else {
            format!("{}@{}", row.username, row.domain)
        };
        let avatar = urls.path("/avatars/original/missing.png").to_string();
        let header = urls.path("/headers/original/missing.png").to_string();
        Self {
            id: row.id.to_string(),
            username: row.username.clone(),
            acct,
            display_name: row.display_name.clone(),
            locked: row.locked,
            bot: row.bot,
            discoverable: row.discoverable,
            indexable: false,
            group: false,
            limited: false,
            suspended: false,
            hide_collections: row.hide_collections,
            created_at: format!("{}T00:00:00.000Z", row.created_at.date().format("%Y-%m-%d")),
            note: plain_text_to_html(&row.note),
            url: urls.profile_page(&row.username).to_string(),
            uri: urls.actor(&row.username).to_string(),
            avatar_static: avatar.clone(),
            avatar,
            header_static: header.clone(),
            header,
            followers_count: 0,
            following_count: 0,
            statuses_count: 0,
            last_status_at: None,
            noindex: true,
            emojis: Vec::new(),
            roles: Vec::new(),
            fields: Vec::new(),
        }
    }
}

impl CredentialAccount {
    pub fn from_rows(row: &AccountRow, user: &UserRow, urls: &LocalUrls) -> Self {
        let role = Role::of(row);
        Self {
            account: Account::from_row(row, urls),
            source: Source {
                privacy: user.default_privacy.clone(),
                sensitive: user.default_sensitive,
                language: user.default_language.clone(),
                note: row.note.clone(),
                fields: Vec::new(),
                follow_requests_count: 0,
                hide_collections: row.hide_collections,
                discoverable: row.discoverable,
                indexable: false,
            },
            role,
        }
    }
}
