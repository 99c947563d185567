//! `kindred admin ...`: account administration from the command line.

use std::io::BufRead;

use kindred_api::crypto::generate_password;
use kindred_api::services::accounts::{
    approve, create_invite, create_local_account, NewLocalAccount,
};
use kindred_api::services::ServiceError;
use kindred_api::AppState;

use crate::cli::AnnouncementCommand;
use kindred_domain::{EmailAddress, Password, Role, Username};

pub struct CreateUser {
    pub username: String,
    pub role: String,
    pub email: Option<String>,
    pub password_stdin: bool,
}

/// Returns the lines to print on success.
pub async fn create_user(
    state: &AppState,
    args: CreateUser,
    stdin: &mut dyn BufRead,
) -> Result<Vec<String>, String> {
    let username = Username::parse(&args.username).map_err(|e| e.to_string())?;
    let role = Role::parse(&args.role).map_err(|e| e.to_string())?;
    let email = args
        .email
        .as_deref()
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        stdin
            .read_line(&mut line)
            .map_err(|e| format!("cannot read password: {e}"))?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        (Password::parse(line).map_err(|e| e.to_string())?, false)
    } else {
        (
            Password::parse(&generate_password()).map_err(|e| e.to_string())?,
            true,
        )
    };
    let shown = generated.then(|| password.expose().to_owned());
    let account = create_local_account(
        state,
        NewLocalAccount {
            username,
            email,
            password,
            role,
            approved: true,
            reason: None,
            invite_id: None,
        },
    )
    .await
    .map_err(|e| match e {
        ServiceError::UsernameTaken => "username is already taken".to_owned(),
        other => other.to_string(),
    })?;
    let mut out = vec![format!(
        "created account {} (role: {}, id: {})",
        account.username,
        role.as_str(),
        account.id
    )];
    if let Some(p) = shown {
        out.push(format!("password: {p}"));
        out.push(
            "This password is shown only once; give it to the account's owner securely.".to_owned(),
        );
    }
    Ok(out)
}

pub async fn approve_user(state: &AppState, username: &str) -> Result<Vec<String>, String> {
    match approve(state, username).await {
        Ok(true) => Ok(vec![format!("approved {username}")]),
        Ok(false) => Err(format!("no local account named {username}")),
        Err(e) => Err(e.to_string()),
    }
}

pub async fn invite(
    state: &AppState,
    max_uses: i32,
    expires_in_days: i64,
) -> Result<Vec<String>, String> {
    if max_uses < 1 {
        return Err("--max-uses must be at least 1".to_owned());
    }
    if expires_in_days < 0 {
        return Err("--expires-in-days must not be negative".to_owned());
    }
    let expires = (expires_in_days > 0).then(|| chrono::Duration::days(expires_in_days));
    let code = create_invite(state, None, Some(max_uses), expires)
        .await
        .map_err(|e| e.to_string())?;
    Ok(vec![format!("invite code: {code}")])
}

fn describe(a: &kindred_db::models::announcements::AnnouncementRow) -> String {
    let when = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "-".to_owned())
    };
    format!(
        "{}\t{}\tstarts {}\tends {}\t{}",
        a.id,
        if a.published { "published" } else { "draft" },
        when(a.starts_at),
        when(a.ends_at),
        a.text.replace('\n', " ")
    )
}

pub async fn announcement(
    state: &AppState,
    cmd: AnnouncementCommand,
) -> Result<Vec<String>, String> {
    use kindred_api::services::announcements as service;
    let input = |published: Option<bool>| service::AnnouncementInput {
        published,
        ..Default::default()
    };
    let row = match cmd {
        AnnouncementCommand::Create {
            text,
            starts_at,
            ends_at,
            all_day,
            draft,
        } => {
            service::create(
                state,
                service::AnnouncementInput {
                    text: Some(text),
                    starts_at,
                    ends_at,
                    all_day: Some(all_day),
                    published: Some(!draft),
                },
            )
            .await
        }
        AnnouncementCommand::List => {
            let rows = service::all(state).await.map_err(|e| e.to_string())?;
            if rows.is_empty() {
                return Ok(vec!["no announcements".to_owned()]);
            }
            return Ok(rows.iter().map(describe).collect());
        }
        AnnouncementCommand::Publish { id } => service::update(state, id, input(Some(true))).await,
        AnnouncementCommand::Unpublish { id } => {
            service::update(state, id, input(Some(false))).await
        }
        AnnouncementCommand::Delete { id } => {
            return service::delete(state, id)
                .await
                .map(|_| vec![format!("deleted announcement {id}")])
                .map_err(|e| match e {
                    ServiceError::NotFound => format!("no announcement {id}"),
                    other => other.to_string(),
                });
        }
    };
    row.map(|a| vec![describe(&a)]).map_err(|e| match e {
        ServiceError::NotFound => "no such announcement".to_owned(),
        other => other.to_string(),
    })
}

/// `kindred admin accounts export NAME [--out FILE]`.
pub async fn export(
    state: &AppState,
    username: &str,
    out: Option<std::path::PathBuf>,
) -> Result<Vec<String>, String> {
    {
        {
            let account = kindred_api::services::accounts::find_local(state, username)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no local account named {username}"))?;
            let bytes = kindred_api::services::export::build_archive(state, &account)
                .await
                .map_err(|e| format!("export failed: {}", e.code()))?;
            let out = out.unwrap_or_else(|| format!("{}-export.zip", account.username).into());
            write_private(&out, &bytes)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            tracing::info!(account_id = account.id, "data export written by an admin");
            Ok(vec![format!(
                "wrote the data export of {} to {} ({} bytes, owner-only): hand it to the member and delete it",
                account.username,
                out.display(),
                bytes.len()
            )])
        }
    }
}

/// Creates `path` (never over an existing file) readable by its owner only.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// `kindred admin accounts reset-password NAME [--new-password]`.
pub async fn reset_password(
    state: &AppState,
    username: &str,
    new_password: bool,
) -> Result<Vec<String>, String> {
    use kindred_api::services::passwords::{admin_reset, AdminReset};
    {
        match admin_reset(state, username, new_password).await {
            Ok(AdminReset::Link(link)) => Ok(vec![
                format!("password reset link for {username} (works once, for an hour):"),
                link,
                "Give it to the account's owner securely; every session ends when it is used."
                    .to_owned(),
            ]),
            Ok(AdminReset::Password(p)) => Ok(vec![
                format!("new password for {username}: {p}"),
                "This password is shown only once; every session of the account has ended."
                    .to_owned(),
            ]),
            Err(ServiceError::NotFound) => Err(format!("no local account named {username}")),
            Err(e) => Err(e.to_string()),
        }
    }
}
