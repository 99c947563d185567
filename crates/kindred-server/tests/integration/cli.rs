//! The `kindred` binary as an operator uses it.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{free_port, Backend, TempDir, TEST_SECRET};

const BIN: &str = env!("CARGO_BIN_EXE_kindred");

/// Runs a command-line test once per backend.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(crate::common::Backend::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$name(crate::common::Backend::Postgres)
            }
        }
    )*};
}

on_both_backends!(
    migrate_then_create_users,
    announcements_from_the_command_line,
    federation_policy_from_the_command_line,
    blocklists_import_and_export,
);

/// The settings naming the test's database: none on SQLite (the default path,
/// `data/kindred.sqlite`), a fresh database's URL on PostgreSQL; None when
/// PostgreSQL is unavailable (said loudly by `database_url`).
pub(crate) fn database(backend: Backend, dir: &TempDir) -> Option<Vec<(&'static str, String)>> {
    match backend {
        Backend::Sqlite => Some(Vec::new()),
        Backend::Postgres => crate::common::database_url(backend, dir)
            .map(|url| vec![("KINDRED__DATABASE__URL", url)]),
    }
}

pub(crate) fn kindred(dir: &TempDir, env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(&dir.0);
    // Start from a clean slate: nothing from the developer's environment leaks in.
    for (k, _) in std::env::vars() {
        if k.starts_with("KINDRED") {
            c.env_remove(k);
        }
    }
    c.env("KINDRED__LOG__LEVEL", "warn");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// `kindred --version` is the release (Cargo's package version), and CHANGELOG.md
/// has a section for it: a version bump without upgrade notes fails here.
#[test]
fn version_is_the_release_and_has_changelog_notes() {
    let version = env!("CARGO_PKG_VERSION");
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("kindred {version}")
    );
    let changelog =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../CHANGELOG.md"))
            .unwrap();
    assert!(
        changelog
            .lines()
            .any(|l| l.starts_with(&format!("## {version} "))),
        "CHANGELOG.md has no `## {version} ...` section"
    );
}

#[test]
fn unknown_key_stops_start_up_naming_it() {
    let dir = TempDir::new("kindred-cli");
    std::fs::write(
        dir.0.join("bad.toml"),
        "[server]\nbindd = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let out = kindred(&dir, &[])
        .args(["--config", "bad.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bindd"), "{err}");

    let out = kindred(&dir, &[("KINDRED__REGISTRATION__MODE", "sometimes")])
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("registration.mode"));

    // KINDRED_CONFIG names the file too
    let out = kindred(&dir, &[("KINDRED_CONFIG", "bad.toml")])
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bindd"));

    let out = kindred(&dir, &[])
        .args(["--config", "missing.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

#[test]
fn unreachable_database_is_a_clear_error() {
    let dir = TempDir::new("kindred-cli");
    let port = free_port();
    let url = format!("postgres://nobody@127.0.0.1:{port}/nothing?connect_timeout=2");
    let out = kindred(
        &dir,
        &[
            ("KINDRED__DATABASE__URL", &url),
            ("KINDRED__SECURITY__SECRET_KEY", TEST_SECRET),
        ],
    )
    .arg("migrate")
    .output()
    .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("database unreachable"), "{err}");
}

/// On SQLite at the default path.
fn migrate_then_create_users(backend: Backend) {
    let dir = TempDir::new("kindred-cli");
    let Some(db) = database(backend, &dir) else {
        return;
    };
    let db: Vec<(&str, &str)> = db.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // defaults: sqlite://data/kindred.sqlite and data/secret.key relative to the cwd
    let out = kindred(&dir, &db).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        dir.0.join("data/kindred.sqlite").is_file(),
        backend == Backend::Sqlite
    );
    let key = dir.0.join("data/secret.key");
    assert!(key.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let out = kindred(&dir, &db)
        .args(["admin", "create-user", "first_admin", "--role", "admin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("password printed");
    assert!(password.len() >= 20 && password.chars().all(|c| c.is_ascii_alphanumeric()));

    let mut child = kindred(&dir, &db)
        .args([
            "admin",
            "create-user",
            "second",
            "--email",
            "second@example.org",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a chosen password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("password:"),
        "a chosen password is not echoed"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("second@example.org") && !stdout.contains("second@example.org"));

    // the same name again, in another case
    let out = kindred(&dir, &db)
        .args(["admin", "create-user", "FIRST_ADMIN"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken"));
    // a bad name
    let out = kindred(&dir, &db)
        .args(["admin", "create-user", "no spaces"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    // invites and approvals
    let out = kindred(&dir, &db)
        .args(["admin", "create-invite", "--max-uses", "3"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("invite code: "));
    let out = kindred(&dir, &db)
        .args(["admin", "approve-user", "nobody"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

fn announcements_from_the_command_line(backend: Backend) {
    let dir = TempDir::new("kindred-cli");
    let Some(db) = database(backend, &dir) else {
        return;
    };
    let db: Vec<(&str, &str)> = db.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = |args: &[&str]| {
        let out = kindred(&dir, &db).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let ends_at = (chrono::Utc::now() + chrono::Duration::days(365)).to_rfc3339();
    let (ok, out, err) = run(&[
        "admin",
        "announcement",
        "create",
        "Crisis line: 116 123, day and night",
        "--ends-at",
        &ends_at,
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("published") && out.contains("116 123"),
        "{out}"
    );
    let id = out.split('\t').next().unwrap().trim().to_owned();
    let (ok, out, _) = run(&["admin", "announcement", "unpublish", &id]);
    assert!(ok && out.contains("draft"), "{out}");
    let (ok, out, _) = run(&["admin", "announcement", "list"]);
    assert!(ok && out.starts_with(&id), "{out}");
    // Bad input is refused and changes nothing.
    let (ok, _, err) = run(&[
        "admin",
        "announcement",
        "create",
        "x",
        "--starts-at",
        "soon",
    ]);
    assert!(!ok && err.contains("RFC 3339"), "{err}");
    let (ok, _, err) = run(&["admin", "announcement", "create", "   "]);
    assert!(!ok && err.contains("blank"), "{err}");
    let (ok, _, _) = run(&["admin", "announcement", "publish", "12345"]);
    assert!(!ok);
    let (ok, out, _) = run(&["admin", "announcement", "list"]);
    assert!(ok && out.lines().count() == 1, "{out}");
    let (ok, _, _) = run(&["admin", "announcement", "delete", &id]);
    assert!(ok);
    let (ok, out, _) = run(&["admin", "announcement", "list"]);
    assert!(ok && out.contains("no announcements"), "{out}");
}

fn federation_policy_from_the_command_line(backend: Backend) {
    let dir = TempDir::new("kindred-cli");
    let Some(db) = database(backend, &dir) else {
        return;
    };
    let db: Vec<(&str, &str)> = db.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = |args: &[&str]| {
        let mut all = vec!["admin", "federation"];
        all.extend_from_slice(args);
        let out = kindred(&dir, &db).args(&all).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["mode"]);
    assert!(ok && out.contains("open"), "{out}{err}");
    let (ok, out, err) = run(&[
        "block",
        "Bad.EXAMPLE.",
        "--severity",
        "suspend",
        "--reject-media",
        "--public-comment",
        "spam",
    ]);
    assert!(
        ok && out.contains("blocked bad.example (suspend)"),
        "{out}{err}"
    );
    // The same domain spelled differently is the same rule, replaced as a whole.
    let (ok, _, err) = run(&["block", "https://bad.example/", "--severity", "silence"]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&[
        "allow",
        "partner.example",
        "--scope",
        "announcements,meetings",
    ]);
    assert!(ok && out.contains("announcements,meetings"), "{out}{err}");
    let (ok, out, err) = run(&["mode", "allowlist"]);
    assert!(ok && out.contains("allowlist"), "{out}{err}");
    let (ok, out, _) = run(&["list"]);
    assert!(ok, "{out}");
    assert!(out.contains("mode: allowlist"), "{out}");
    assert!(
        out.contains("blocked domains: 1") && out.contains("bad.example  silence\n"),
        "{out}"
    );
    assert!(
        out.contains("partner.example  scope: announcements,meetings"),
        "{out}"
    );
    // Bad input is refused and changes nothing.
    for bad in [
        vec!["block", "not a domain"],
        vec!["block", "x.example", "--severity", "ban"],
        vec!["allow", "x.example", "--scope", "everything"],
        vec!["mode", "closed"],
        vec!["unblock", "never-blocked.example"],
    ] {
        let (ok, _, err) = run(&bad);
        assert!(!ok, "{bad:?} was accepted");
        assert!(!err.is_empty(), "{bad:?} said nothing");
    }
    let (_, after, _) = run(&["list"]);
    assert_eq!(after, out, "a refused command changed the policy");
    // The partner meeting directory: empty; a domain the allowlist does not let
    // meetings through is refused before any look-up; nothing to unsubscribe.
    let (ok, out, err) = run(&["directory", "list"]);
    assert!(
        ok && out.contains("subscribed to: 0") && out.contains("subscribers: 0"),
        "{out}{err}"
    );
    let (ok, _, err) = run(&["directory", "subscribe", "stranger.example"]);
    assert!(!ok && err.contains("policy"), "{err}");
    let (ok, _, err) = run(&["directory", "unsubscribe", "partner.example"]);
    assert!(!ok && err.contains("no subscription"), "{err}");
    let (ok, _, err) = run(&["directory", "subscribe", "not a domain"]);
    assert!(!ok && !err.is_empty());
    let (ok, _, _) = run(&["unblock", "BAD.example"]);
    assert!(ok);
    let (ok, _, _) = run(&["disallow", "partner.example"]);
    assert!(ok);
    let (ok, out, _) = run(&["list"]);
    assert!(
        ok && out.contains("blocked domains: 0") && out.contains("allowed partners: 0"),
        "{out}"
    );
}

fn blocklists_import_and_export(backend: Backend) {
    let dir = TempDir::new("kindred-cli");
    let Some(db) = database(backend, &dir) else {
        return;
    };
    let db: Vec<(&str, &str)> = db.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = |args: &[&str]| {
        let mut all = vec!["admin", "federation"];
        all.extend_from_slice(args);
        let out = kindred(&dir, &db).args(&all).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let file = dir.0.join("blocklist.csv");
    // A malformed row is named by its line, and nothing is applied.
    std::fs::write(
        &file,
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         spam.example,suspend,false,false,spam,false\n\
         not a domain,suspend,false,false,,false\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (ok, _, err) = run(&["import", path]);
    assert!(!ok && err.contains("line 3"), "{err}");
    let (_, out, _) = run(&["list"]);
    assert!(out.contains("blocked domains: 0"), "{out}");
    // A good list: a dry run changes nothing, then the import applies it.
    std::fs::write(
        &file,
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         Spam.Example,suspend,false,false,\"spam, lots\",false\n\
         loud.example,silence,true,false,,true\n",
    )
    .unwrap();
    let (ok, out, err) = run(&["import", path, "--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("2 new") && out.contains("dry run"), "{out}");
    let (_, list, _) = run(&["list"]);
    assert!(list.contains("blocked domains: 0"), "{list}");
    let (ok, out, err) = run(&["import", path]);
    assert!(ok && out.contains("2 new"), "{out}{err}");
    let (ok, again, _) = run(&["import", path]);
    assert!(ok && again.contains("2 unchanged"), "{again}");
    let (ok, csv, _) = run(&["export"]);
    assert!(ok);
    assert_eq!(
        csv,
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         loud.example,silence,true,false,,true\n\
         spam.example,suspend,false,false,\"spam, lots\",false\n"
    );
    // The export imports back to the same policy.
    std::fs::write(&file, &csv).unwrap();
    let (ok, out, _) = run(&["import", path]);
    assert!(ok && out.contains("2 unchanged"), "{out}");
    // The plain form: one domain per line, suspended.
    std::fs::write(&file, "one.example\n\nTWO.example.\n").unwrap();
    let (ok, out, err) = run(&["import", path]);
    assert!(ok && out.contains("2 new"), "{out}{err}");
    let (ok, out, _) = run(&["instances"]);
    assert!(ok && out.contains("no known instances"), "{out}");
}

fn wait_healthy(port: u16, child: &mut std::process::Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            let _ = s.write_all(
                format!(
                    "GET /healthz HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
                )
                .as_bytes(),
            );
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.1 200") {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn serve_stops_gracefully_on_sigterm_and_refuses_a_busy_port() {
    let dir = TempDir::new("kindred-cli");
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let domain = format!("localhost:{port}");
    let env = [
        ("KINDRED__SERVER__BIND", bind.as_str()),
        ("KINDRED__INSTANCE__DOMAIN", domain.as_str()),
        ("KINDRED__LOG__LEVEL", "info"),
    ];
    let mut server = kindred(&dir, &env)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_healthy(port, &mut server), "server did not start");

    // a second server on the same port fails clearly
    let out = kindred(&dir, &env).arg("serve").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on"), "{err}");

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Some(code) = server.try_wait().unwrap() {
            break code;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(code.success(), "exit status {code:?}");
    let mut log = String::new();
    use std::io::Read;
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("kindred is listening"));
    assert!(
        !log.contains("127.0.0.1"),
        "no client or bind addresses in logs: {log}"
    );
}
