use kindred_db::ApplicationRow;
use serde::Serialize;

use crate::services::oauth::{app_redirect_uris, app_scopes};

#[derive(Debug, Serialize)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    /// Deprecated single-string form, still read by older apps.
    pub redirect_uri: String,
    pub redirect_uris: Vec<String>,
    pub vapid_key: String,
    pub client_id: String,
}

/// Returned once, at registration: the only time the client secret is shown.
/// Not `Debug`, so the secret cannot end up in a log line.
#[derive(Serialize)]
pub struct CredentialApplication {
    #[serde(flatten)]
    pub application: Application,
    pub client_secret: String,
    pub client_secret_expires_at: i64,
}

impl Application {
    pub fn from_row(row: &ApplicationRow) -> Self {
        let uris = app_redirect_uris(row);
        Self {
            id: row.id.to_string(),
            name: row.name.clone(),
            website: row.website.clone(),
            scopes: app_scopes(row).to_vec(),
            redirect_uri: uris.join("\n"),
            redirect_uris: uris,
            vapid_key: String::new(),
            client_id: row.client_id.clone(),
        }
    }
}
