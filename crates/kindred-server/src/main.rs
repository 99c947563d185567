use std::process::ExitCode;

use clap::Parser;
use kindred_server::cli::{AdminCommand, Cli, Command};
use kindred_server::startup::{prepare, Application};
use kindred_server::{admin, admin_federation, backup, config, telemetry};

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let settings = match config::load(cli.config.as_deref(), &env) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kindred: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_level, settings.log_json);

    let result = match cli.command {
        Command::Serve => serve(&settings).await,
        Command::Migrate => prepare(&settings)
            .await
            .map(|_| vec!["migrations are up to date".to_owned()])
            .map_err(|e| e.to_string()),
        // Whole-database commands open the database themselves: no migration, no
        // key file created, nothing written to the database they copy.
        Command::Admin(AdminCommand::Backup { dest }) => backup::backup(&settings, &dest),
        Command::Admin(AdminCommand::Restore { src, force }) => {
            backup::restore(&settings, &src, force)
        }
        Command::Admin(AdminCommand::CopyDatabase { to }) => backup::copy_database(&settings, &to),
        Command::Admin(cmd) => match prepare(&settings).await {
            Err(e) => Err(e.to_string()),
            Ok(state) => match cmd {
                AdminCommand::CreateUser {
                    username,
                    role,
                    email,
                    password_stdin,
                } => {
                    let mut stdin = std::io::stdin().lock();
                    admin::create_user(
                        &state,
                        admin::CreateUser {
                            username,
                            role,
                            email,
                            password_stdin,
                        },
                        &mut stdin,
                    )
                    .await
                }
                AdminCommand::ApproveUser { username } => {
                    admin::approve_user(&state, &username).await
                }
                AdminCommand::CreateInvite {
                    max_uses,
                    expires_in_days,
                } => admin::invite(&state, max_uses, expires_in_days).await,
                AdminCommand::Announcement(cmd) => admin::announcement(&state, cmd).await,
                AdminCommand::Federation(cmd) => admin_federation::run(&state, cmd).await,
                AdminCommand::Accounts(cmd) => admin::accounts(&state, cmd).await,
                AdminCommand::Backup { .. }
                | AdminCommand::Restore { .. }
                | AdminCommand::CopyDatabase { .. } => {
                    Err("handled before the database is prepared".to_owned())
                }
            },
        },
    };
    match result {
        Ok(lines) => {
            // Written, not printed: a closed pipe (`| head`) ends the output quietly
            // instead of panicking.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for line in lines {
                if writeln!(out, "{line}").is_err() {
                    break;
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kindred: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: &config::Settings) -> Result<Vec<String>, String> {
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until_stopped()
        .await
        .map_err(|e| format!("server error: {e}"))?;
    tracing::info!("kindred stopped");
    Ok(Vec::new())
}
