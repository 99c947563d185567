//! `kindred admin accounts ...` and `kindred admin audit`: the admin API's account
//! actions for small charities without a web admin yet. Each calls the same
//! service (and so the same `kindred_core::moderation` rule) as the API, acting
//! as the operator (`cli` in the audit log, with every power).

use chrono::DateTime;
use kindred_api::services::moderation::{
    self as service, AccountFilter, Acting, Actor, AdminView, AuditQuery,
};
use kindred_api::services::ServiceError;
use kindred_api::AppState;
use kindred_domain::moderation::{AccountAction, AccountUndo};
use kindred_domain::Role;

use crate::cli::AccountsCommand;

fn err(name: &str) -> impl Fn(ServiceError) -> String + '_ {
    move |e| match e {
        ServiceError::NotFound => format!("no account named {name}"),
        other => other.to_string(),
    }
}

fn acct(v: &AdminView) -> String {
    let a = &v.account;
    if a.is_local() {
        a.username.clone()
    } else {
        format!("{}@{}", a.username, a.domain)
    }
}

fn describe(v: &AdminView) -> String {
    let a = &v.account;
    let mut state = Vec::new();
    if !a.approved {
        state.push("pending");
    }
    if a.suspended {
        state.push("suspended");
    }
    if v.state.silenced {
        state.push("silenced");
    }
    if v.state.disabled {
        state.push("disabled");
    }
    if v.state.sensitized {
        state.push("sensitized");
    }
    if state.is_empty() {
        state.push("active");
    }
    format!(
        "{}\t{}\t{}\t{}",
        a.id,
        acct(v),
        a.role.as_str(),
        state.join(",")
    )
}

fn cli(report_id: Option<i64>, text: String) -> Acting {
    Acting {
        actor: Actor::Cli,
        role: None,
        report_id,
        text,
    }
}

pub async fn run(state: &AppState, cmd: AccountsCommand) -> Result<Vec<String>, String> {
    let act = |name: String, action: AccountAction, report: Option<i64>, reason: String| async move {
        let a = service::by_name(state, &name).await.map_err(err(&name))?;
        service::act(state, cli(report, reason), a.id, action)
            .await
            .map_err(err(&name))?;
        Ok::<_, String>(vec![format!("{} {name}", past(action.as_str()))])
    };
    let undo = |name: String, undo: AccountUndo| async move {
        let a = service::by_name(state, &name).await.map_err(err(&name))?;
        let after = service::undo(state, cli(None, String::new()), a.id, undo)
            .await
            .map_err(err(&name))?;
        let mut out = vec![format!("{} {name}", past(undo.as_str()))];
        if undo == AccountUndo::Unsuspend && after.suspended {
            out.push("still suspended: its server is suspended by a domain block".to_owned());
        }
        Ok::<_, String>(out)
    };
    match cmd {
        AccountsCommand::List {
            pending,
            suspended,
            silenced,
            remote,
            limit,
        } => {
            let filter = AccountFilter {
                local: Some(!remote),
                pending,
                suspended,
                silenced,
                limit: limit.clamp(1, 10_000),
                ..Default::default()
            };
            let views = service::list(state, filter)
                .await
                .map_err(|e| e.to_string())?;
            let mut out = vec!["id\taccount\trole\tstate".to_owned()];
            out.extend(views.iter().map(describe));
            Ok(out)
        }
        AccountsCommand::Show { name } => {
            let a = service::by_name(state, &name).await.map_err(err(&name))?;
            let v = service::view(state, a.id).await.map_err(err(&name))?;
            let mut out = vec![describe(&v)];
            out.push(format!(
                "created {}",
                v.account.created_at.date().format("%Y-%m-%d")
            ));
            if let Some(reason) = v.user.as_ref().and_then(|u| u.sign_up_reason.clone()) {
                out.push(format!("sign-up reason: {}", reason.replace('\n', " ")));
            }
            Ok(out)
        }
        AccountsCommand::Suspend {
            name,
            reason,
            report,
        } => act(name, AccountAction::Suspend, report, reason).await,
        AccountsCommand::Silence {
            name,
            reason,
            report,
        } => act(name, AccountAction::Silence, report, reason).await,
        AccountsCommand::Unsuspend { name } => undo(name, AccountUndo::Unsuspend).await,
        AccountsCommand::Unsilence { name } => undo(name, AccountUndo::Unsilence).await,
        AccountsCommand::ResetPassword {
            username,
            new_password,
        } => crate::admin::reset_password(state, &username, new_password).await,
        AccountsCommand::Export { username, out } => {
            crate::admin::export(state, &username, out).await
        }
        AccountsCommand::Role { name, role } => {
            let role = Role::parse(&role).map_err(|e| e.to_string())?;
            let a = service::by_name(state, &name).await.map_err(err(&name))?;
            service::set_role(state, Actor::Cli, a.id, role)
                .await
                .map_err(err(&name))?;
            Ok(vec![format!("{name} is now {}", role.as_str())])
        }
        AccountsCommand::Approve { name } => {
            let a = service::by_name(state, &name).await.map_err(err(&name))?;
            service::decide_sign_up(state, Actor::Cli, a.id, true)
                .await
                .map_err(err(&name))?;
            Ok(vec![format!("approved {name}")])
        }
        AccountsCommand::Reject { name } => {
            let a = service::by_name(state, &name).await.map_err(err(&name))?;
            service::decide_sign_up(state, Actor::Cli, a.id, false)
                .await
                .map_err(err(&name))?;
            Ok(vec![format!(
                "rejected {name} (the pending account is deleted)"
            )])
        }
    }
}

fn past(verb: &str) -> String {
    match verb {
        "none" => "warned".to_owned(),
        "disable" => "disabled".to_owned(),
        "enable" => "enabled".to_owned(),
        "sensitive" => "marked sensitive".to_owned(),
        "unsensitive" => "unmarked sensitive".to_owned(),
        v if v.ends_with('e') => format!("{v}d"),
        v => format!("{v}ed"),
    }
}

pub async fn audit(
    state: &AppState,
    since: Option<&str>,
    limit: i64,
) -> Result<Vec<String>, String> {
    let since = since
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.naive_utc())
                .map_err(|_| format!("--since: not an RFC 3339 time: {s}"))
        })
        .transpose()?;
    let rows = service::audit_log(
        state,
        AuditQuery {
            since,
            limit: limit.clamp(1, 100_000),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let mut out = vec!["id\ttime\tactor\tkind\ttarget\treport\tchange".to_owned()];
    for e in rows {
        let actor = match e.actor_id {
            Some(id) => format!("account:{id}"),
            None => e.actor.clone(),
        };
        let target = e
            .target_account_id
            .map(|t| format!("account:{t}"))
            .or(e.target.clone())
            .unwrap_or_else(|| "-".to_owned());
        let change = match (&e.old_value, &e.new_value) {
            (None, None) => "-".to_owned(),
            (o, n) => format!(
                "{} -> {}",
                o.as_deref().unwrap_or("-"),
                n.as_deref().unwrap_or("-")
            )
            .replace(['\n', '\t'], " "),
        };
        out.push(format!(
            "{}\t{}\t{actor}\t{}\t{target}\t{}\t{change}",
            e.id,
            e.created_at.and_utc().format("%Y-%m-%dT%H:%M:%SZ"),
            e.kind,
            e.report_id
                .map_or_else(|| "-".to_owned(), |r| r.to_string()),
        ));
    }
    Ok(out)
}
