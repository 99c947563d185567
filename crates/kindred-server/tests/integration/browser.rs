//! The web portal in a real browser: each journey file in tests/browser/ runs against
//! a real `kindred serve` with Debian's Chromium (through chromedriver and Selenium)
//! and axe-core. One server and one browser per file, shared by its checks.
//!
//! Skipped with a loud message when Chromium, chromedriver, Selenium or axe-core is
//! missing, unless `KINDRED_REQUIRE_BROWSER_TESTS=1` (CI sets it): then missing
//! parts fail the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{database_url, Backend, TempDir};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn python() -> Option<String> {
    let candidates = [
        std::env::var("KINDRED_TEST_PYTHON").ok(),
        Some(
            repo_root()
                .join(".venv/bin/python")
                .to_string_lossy()
                .into_owned(),
        ),
    ];
    candidates.into_iter().flatten().find(|p| {
        Command::new(p)
            .args(["-c", "import selenium, requests"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn axe_js() -> Option<PathBuf> {
    std::env::var("KINDRED_AXE_JS")
        .ok()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
}

/// What is missing for browser tests, if anything.
fn missing() -> Option<String> {
    let mut out = Vec::new();
    for bin in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        if !Path::new(bin).exists() {
            out.push(bin.to_owned());
        }
    }
    if python().is_none() {
        out.push("selenium (scripts/test.sh installs it)".to_owned());
    }
    if axe_js().is_none() {
        out.push("axe-core (KINDRED_AXE_JS; scripts/test.sh fetches it)".to_owned());
    }
    (!out.is_empty()).then(|| out.join(", "))
}

/// Runs tests/browser/<file> on `backend`.
pub fn run(file: &str, backend: Backend) {
    if let Some(what) = missing() {
        if std::env::var("KINDRED_REQUIRE_BROWSER_TESTS").is_ok_and(|v| v == "1") {
            panic!(
                "browser tests are required (KINDRED_REQUIRE_BROWSER_TESTS=1) but missing: {what}"
            );
        }
        eprintln!("\n*** SKIPPED browser test {file}: missing {what} ***\n");
        return;
    }
    let Some(python) = python() else { return };
    let dir = TempDir::new("kindred-browser");
    let Some(url) = database_url(backend, &dir) else {
        return;
    };
    let mut cmd = Command::new(&python);
    cmd.arg(repo_root().join("tests/browser").join(file))
        .args([
            "--kindred-bin",
            env!("CARGO_BIN_EXE_kindred"),
            "--database-url",
            &url,
            "--workdir",
        ])
        .arg(&dir.0);
    if let Some(axe) = axe_js() {
        cmd.env("KINDRED_AXE_JS", axe);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser test {file} failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
    );
    eprintln!("{stdout}");
}

#[test]
fn smoke_sqlite() {
    run("test_smoke.py", Backend::Sqlite);
}

#[test]
fn member_sqlite() {
    run("test_member.py", Backend::Sqlite);
}

#[test]
fn member_postgres() {
    run("test_member.py", Backend::Postgres);
}

#[test]
fn meetings_sqlite() {
    run("test_meetings.py", Backend::Sqlite);
}

#[test]
fn groups_sqlite() {
    run("test_groups.py", Backend::Sqlite);
}

#[test]
fn admin_sqlite() {
    run("test_admin.py", Backend::Sqlite);
}
