//! Client compatibility: the real `mastodon-py` library against a real `kindred serve`
//! process, on both backends. The Python side lives in tests/client/.

use std::path::PathBuf;
use std::process::Command;

use crate::common::{database_url, Backend, TempDir};

fn python() -> Option<String> {
    let candidates = [
        std::env::var("KINDRED_TEST_PYTHON").ok(),
        Some(
            repo_root()
                .join(".venv/bin/python")
                .to_string_lossy()
                .into_owned(),
        ),
        Some("python3".to_owned()),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["-c", "import mastodon, requests"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn run(backend: Backend) {
    let Some(python) = python() else {
        if std::env::var("KINDRED_REQUIRE_CLIENT_TESTS").is_ok_and(|v| v == "1") {
            panic!("mastodon-py is required (KINDRED_REQUIRE_CLIENT_TESTS=1) but not installed");
        }
        eprintln!("\n*** SKIPPED mastodon-py client test: Mastodon.py is not installed. Run scripts/test.sh, which installs it. ***\n");
        return;
    };
    let dir = TempDir::new("kindred-mastodon-py");
    let Some(url) = database_url(backend, &dir) else {
        return;
    };
    let out = Command::new(&python)
        .arg(repo_root().join("tests/client/test_mastodon_py.py"))
        .args([
            "--kindred-bin",
            env!("CARGO_BIN_EXE_kindred"),
            "--database-url",
            &url,
            "--workdir",
        ])
        .arg(&dir.0)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "mastodon-py test failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
    );
    // The server's own log, after a session of logins by username and email, holds no
    // email address, token or client address.
    let log = std::fs::read_to_string(dir.0.join("server.log")).unwrap_or_default();
    assert!(!log.is_empty(), "server log missing");
    for secret in [
        "@example.org",
        "access_token",
        "Bearer ",
        "127.0.0.1",
        "correct horse",
        "another long password",
    ] {
        assert!(
            !log.contains(secret),
            "server log contains {secret:?}:\n{log}"
        );
    }
}

#[test]
fn mastodon_py_on_sqlite() {
    run(Backend::Sqlite);
}

#[test]
fn mastodon_py_on_postgres() {
    run(Backend::Postgres);
}
