use chrono::Utc;
use kindred_db::models::notifications::{self, NotificationRow};
use kindred_db::models::{accounts, invites};
use kindred_db::{AccountRow, DbError, NewAccount, NewInvite, NewUser};
use kindred_domain::{AccountId, NotificationKind};
use kindred_domain::{EmailAddress, Password, RegistrationMode, Role, Username};

use super::ServiceError;
use crate::crypto::{hash_password, random_token, sha256_hex};
use crate::AppState;

/// A request to create a local account, already parsed.
pub struct NewLocalAccount {
    pub username: Username,
    pub email: Option<EmailAddress>,
    pub password: Password,
    pub role: Role,
    pub approved: bool,
    pub reason: Option<String>,
    pub invite_id: Option<i64>,
}

/// Creates a local account with its key pair. Email addresses are stored encrypted
/// with a keyed look-up hash; the same address may belong to several pseudonyms, and
/// nothing tells a sign-up form whether an address is already known here (that would
/// reveal that a person uses this service).
pub async fn create_local_account(
    state: &AppState,
    new: NewLocalAccount,
) -> Result<AccountRow, ServiceError> {
    let username_lower = new.username.canonical();
    let taken = {
        let u = username_lower.clone();
        state
            .db
            .run(move |c| accounts::find_local_by_username(c, &u))
            .await?
            .is_some()
    };
    if taken {
        return Err(ServiceError::UsernameTaken);
    }
    let password = new.password.clone();
    let _permit = state.limits.expensive_work().await;
    let (keys, password_hash) = tokio::task::spawn_blocking(move || {
        let keys = kindred_federation::keys::generate_keypair();
        let hash = hash_password(&password);
        (keys, hash)
    })
    .await
    .map_err(|_| ServiceError::Internal("key_generation_failed"))?;
    let keys = keys.map_err(|_| ServiceError::Internal("key_generation_failed"))?;
    let password_hash =
        password_hash.map_err(|_| ServiceError::Internal("password_hash_failed"))?;

    let now = Utc::now();
    let id = state.ids.next_at(now);
    let now = now.naive_utc();
    let account = NewAccount {
        id,
        username: new.username.as_str().to_owned(),
        username_lower,
        domain: String::new(),
        display_name: String::new(),
        note: String::new(),
        role: new.role.into(),
        public_key_pem: keys.public_key_pem,
        approved: new.approved,
        created_at: now,
        updated_at: now,
    };
    let user = NewUser {
        account_id: id,
        email_ciphertext: new.email.as_ref().map(|e| state.secrets.email.encrypt(e)),
        email_lookup: new.email.as_ref().map(|e| state.secrets.email.lookup(e)),
        password_hash: Some(password_hash),
        private_key_pem: keys.private_key_pem,
        sign_up_reason: new.reason,
        invite_id: new.invite_id,
        created_at: now,
    };
    let created = state
        .db
        .run(move |c| {
            accounts::insert_local(c, &account, &user)?;
            accounts::find(c, id)?.ok_or(DbError::NotFound)
        })
        .await;
    match created {
        Ok(row) => {
            tracing::info!(
                account_id = row.id,
                role = new.role.as_str(),
                approved = row.approved,
                "account created"
            );
            if let Some(address) = &new.email {
                super::email::send_confirmation(state, row.id, address).await?;
            }
            Ok(row)
        }
        Err(DbError::Conflict) => Err(ServiceError::UsernameTaken),
        Err(e) => Err(e.into()),
    }
}

/// Public sign-up through the API, following `registration.mode`.
pub struct SignUp {
    pub username: String,
    pub email: Option<String>,
    pub password: String,
    pub agreement: bool,
    pub reason: Option<String>,
    pub invite_code: Option<String>,
}

pub async fn sign_up(state: &AppState, input: SignUp) -> Result<AccountRow, ServiceError> {
    let mode = state.instance.registration;
    if !mode.accepts_sign_ups() {
        return Err(ServiceError::RegistrationClosed);
    }
    if !input.agreement {
        return Err(ServiceError::AgreementRequired);
    }
    let username = Username::parse(input.username.trim())?;
    if !state.limits.sign_up_allowed() {
        tracing::warn!("sign-ups throttled");
        return Err(ServiceError::Throttled);
    }
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(e) => Some(EmailAddress::parse(e)?),
        None => None,
    };
    let password = Password::parse(&input.password)?;
    let reason = input
        .reason
        .map(|r| r.trim().chars().take(1000).collect::<String>())
        .filter(|r| !r.is_empty());

    // The invite is checked before the name: without a valid code nobody learns
    // which names exist here (a private group, an account awaiting approval).
    let invite_id = if mode == RegistrationMode::Invite {
        let code = input.invite_code.unwrap_or_default();
        let hash = sha256_hex(code.trim());
        let now = Utc::now().naive_utc();
        let id = state
            .db
            .run(move |c| invites::redeem(c, &hash, now))
            .await?;
        Some(id.ok_or(ServiceError::InvalidInvite)?)
    } else {
        None
    };
    // A reserved name answers as a taken one: one answer, whatever holds the name.
    // The insert below still decides races.
    let lower = username.canonical();
    let taken = username.is_reserved()
        || state
            .db
            .run(move |c| accounts::find_local_by_username(c, &lower))
            .await?
            .is_some();
    if taken {
        // A taken name does not use up the invite.
        if let Some(id) = invite_id {
            state.db.run(move |c| invites::release(c, id)).await?;
        }
        return Err(ServiceError::UsernameTaken);
    }

    let created = create_local_account(
        state,
        NewLocalAccount {
            username,
            email,
            password,
            role: Role::Member,
            approved: mode.approved_on_sign_up(),
            reason,
            invite_id,
        },
    )
    .await;
    let account = match (created, invite_id) {
        (Ok(a), _) => a,
        (Err(e), Some(id)) => {
            state.db.run(move |c| invites::release(c, id)).await?;
            return Err(e);
        }
        (Err(e), None) => return Err(e),
    };
    // The acceptance is recorded with the rules as they stand now: a later change
    // of the rules has another version, so who agreed to which text stays known.
    let (id, version, at) = (
        account.id,
        rules_version(&state.instance.rules),
        Utc::now().naive_utc(),
    );
    state
        .db
        .run(move |c| accounts::record_rules_acceptance(c, id, &version, at))
        .await?;
    if !account.approved {
        tracing::info!(account_id = account.id, "sign-up awaiting approval");
    }
    notify_admins_of_sign_up(state, &account).await?;
    Ok(account)
}

/// The version of the instance rules: a short hash of their text, one rule a line.
pub fn rules_version(rules: &[String]) -> String {
    let mut v = sha256_hex(&rules.join("\n"));
    v.truncate(16);
    v
}

/// Tells every local moderator and admin about a new sign-up (`admin.sign_up`), as
/// Mastodon tells its staff; the notification carries the pseudonymous account only.
async fn notify_admins_of_sign_up(
    state: &AppState,
    account: &AccountRow,
) -> Result<(), ServiceError> {
    let (new_id, created_at) = (account.account_id(), account.created_at);
    let ids = state.ids.clone();
    state
        .db
        .run(move |c| {
            let rows: Vec<NotificationRow> = accounts::local_staff_ids(c)?
                .into_iter()
                .map(|admin| {
                    NotificationRow::new(
                        ids.next_at(Utc::now()),
                        AccountId::new(admin),
                        new_id,
                        NotificationKind::AdminSignUp,
                        None,
                        created_at,
                    )
                })
                .collect();
            notifications::insert(c, &rows)
        })
        .await?;
    Ok(())
}

/// Issues an invite code; returns the code, which is shown once and stored hashed.
pub async fn create_invite(
    state: &AppState,
    created_by: Option<i64>,
    max_uses: Option<i32>,
    expires_in: Option<chrono::Duration>,
) -> Result<String, ServiceError> {
    let code = random_token();
    let now = Utc::now();
    let new = NewInvite {
        id: state.ids.next_at(now),
        code_hash: sha256_hex(&code),
        created_by,
        max_uses,
        expires_at: expires_in.map(|d| (now + d).naive_utc()),
        created_at: now.naive_utc(),
    };
    state.db.run(move |c| invites::insert(c, &new)).await?;
    Ok(code)
}

/// The newest invites, for moderators (never their codes).
pub async fn invites(state: &AppState) -> Result<Vec<invites::InviteRow>, ServiceError> {
    Ok(state.db.run(|c| invites::list(c, 200)).await?)
}

/// Ends an invite at once: no sign-up can use it afterwards.
pub async fn revoke_invite(state: &AppState, id: i64) -> Result<(), ServiceError> {
    let now = Utc::now().naive_utc();
    if !state.db.run(move |c| invites::revoke(c, id, now)).await? {
        return Err(ServiceError::NotFound);
    }
    tracing::info!(invite_id = id, "invite revoked");
    Ok(())
}

/// Lets a pending account log in. Returns false if there is no such local account.
/// Approves a pending sign-up by username from the command line (`kindred admin
/// approve-user`), audited as every sign-up decision is. Returns false when there
/// is no local account of that name; approving an approved account changes
/// nothing and answers true, as before.
pub async fn approve(state: &AppState, username: &str) -> Result<bool, ServiceError> {
    let account = match super::moderation::local_by_username(state, username).await {
        Ok(a) => a,
        Err(ServiceError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    if account.approved {
        return Ok(true);
    }
    super::moderation::decide_sign_up(state, kindred_core::audit::Actor::Cli, account.id, true)
        .await?;
    Ok(true)
}

/// A remote account by `name@domain`, only if it is a `Group` (a community someone
/// may look for): whether a remote person is stored here would tell a stranger that
/// they dealt with this instance.
pub fn find_remote_group(
    conn: &mut kindred_db::AnyConnection,
    name: &str,
    domain: &str,
) -> Result<Option<AccountRow>, DbError> {
    let found = kindred_db::models::outbound::remote_by_handle(conn, name, domain)?.map(|(a, _)| a);
    let ids: Vec<i64> = found.iter().map(|a| a.id).collect();
    let groups = kindred_db::models::remote_accounts::groups_among(conn, &ids)?;
    Ok(found.filter(|a| groups.contains(&a.id)))
}

/// What a member may change of their profile and preferences.
pub use kindred_db::{PreferenceChanges, ProfileChanges, UserRow};

/// A local account's login and settings (`None` for a remote or unknown account).
pub async fn find_user(state: &AppState, id: i64) -> Result<Option<UserRow>, ServiceError> {
    Ok(state.db.run(move |c| accounts::find_user(c, id)).await?)
}

/// An account by id, whatever its state (the caller filters).
/// A local account by name (any state).
pub async fn find_local(
    state: &AppState,
    username: &str,
) -> Result<Option<AccountRow>, ServiceError> {
    let name = username.trim().to_owned();
    Ok(state
        .db
        .run(move |c| accounts::find_local_by_username(c, &name))
        .await?)
}

/// An account by id; an erased one is gone for everyone here at once, before its
/// rows are purged (a suspended one still answers, as Mastodon's do).
pub async fn find(state: &AppState, id: i64) -> Result<Option<AccountRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| {
            if kindred_db::models::erasure::is_erased(c, id)? {
                return Ok(None);
            }
            accounts::find(c, id)
        })
        .await?)
}

/// Changes a member's profile and preferences; remote followers, who keep a copy of
/// the profile, are sent the new one. The account and its settings as stored.
pub async fn update_profile(
    state: &AppState,
    id: i64,
    profile: ProfileChanges,
    prefs: PreferenceChanges,
) -> Result<(AccountRow, UserRow), ServiceError> {
    let outbox = kindred_federation::outbox::Outbox::new(&state.urls, &state.ids, Utc::now());
    let stored = state
        .db
        .run(move |c| {
            kindred_db::transaction::atomically(c, |c| {
                accounts::update_profile(c, id, &profile, &prefs)?;
                let a = accounts::find(c, id)?.ok_or(DbError::NotFound)?;
                let u = accounts::find_user(c, id)?.ok_or(DbError::NotFound)?;
                outbox.profile_updated(c, &a)?;
                Ok((a, u))
            })
        })
        .await?;
    state.delivery.wake();
    Ok(stored)
}

/// `lookup`'s account: a local one by username (`domain` `None`), or a remote group
/// already known here ([`find_remote_group`]).
pub async fn find_by_address(
    state: &AppState,
    name: String,
    domain: Option<String>,
) -> Result<Option<AccountRow>, ServiceError> {
    Ok(state
        .db
        .run(move |c| match domain {
            None => accounts::find_local_by_username(c, &name),
            Some(domain) => find_remote_group(c, &name, &domain),
        })
        .await?)
}

/// How many follow requests wait for the account's answer.
pub async fn follow_request_count(state: &AppState, id: i64) -> Result<i64, ServiceError> {
    Ok(state
        .db
        .run(move |c| kindred_db::models::social::follow_request_count(c, id))
        .await?)
}
