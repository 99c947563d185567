//! `kindred admin crisis list|add|remove`: the crisis resources from the command
//! line, through the same service as the admin API.

use kindred_api::services::crisis::{self as service, CrisisResourceRow};
use kindred_api::services::ServiceError;
use kindred_api::AppState;
use kindred_domain::crisis::CrisisResourceInput;

use crate::cli::CrisisCommand;

fn describe(r: &CrisisResourceRow) -> String {
    let field = |label: &str, v: &Option<String>| v.as_ref().map(|v| format!("\t{label} {v}"));
    let mut line = format!("{}\t#{}\t{}", r.id, r.position, r.name);
    for (label, v) in [
        ("phone", &r.phone),
        ("text", &r.text_line),
        ("url", &r.url),
        ("hours", &r.hours),
        ("region", &r.region),
        ("language", &r.language),
    ] {
        line.extend(field(label, v));
    }
    line
}

/// Returns the lines to print on success.
pub async fn run(state: &AppState, cmd: CrisisCommand) -> Result<Vec<String>, String> {
    match cmd {
        CrisisCommand::List => {
            let rows = service::list(state).await.map_err(|e| e.to_string())?;
            if rows.is_empty() {
                return Ok(vec!["no crisis resources".to_owned()]);
            }
            Ok(rows.iter().map(describe).collect())
        }
        CrisisCommand::Add {
            name,
            phone,
            text,
            url,
            hours,
            region,
            language,
            position,
        } => {
            let row = service::create(
                state,
                CrisisResourceInput {
                    name: Some(name),
                    phone,
                    text,
                    url,
                    hours,
                    region,
                    language,
                    position,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            Ok(vec![
                format!("added crisis resource {}", row.id),
                describe(&row),
            ])
        }
        CrisisCommand::Remove { id } => match service::delete(state, id).await {
            Ok(()) => Ok(vec![format!("removed crisis resource {id}")]),
            Err(ServiceError::NotFound) => Err(format!("no crisis resource {id}")),
            Err(e) => Err(e.to_string()),
        },
    }
}
