//! Client compatibility: the real npm `megalodon` (behind several desktop apps)
//! recognises Kindred from NodeInfo, signs in with a token and posts. The node
//! side is tests/client/megalodon/; scripts/test.sh installs its packages.

use std::path::PathBuf;
use std::process::Command;

use crate::common::{both_backends, spawn_app, Backend};

both_backends!(megalodon_detects_signs_in_and_posts);

fn client_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/client/megalodon")
        .canonicalize()
        .unwrap()
}

/// Whether node and the installed megalodon package are there.
fn ready() -> bool {
    client_dir()
        .join("node_modules/megalodon/package.json")
        .exists()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
}

async fn megalodon_detects_signs_in_and_posts(backend: Backend) {
    if !ready() {
        if std::env::var("KINDRED_REQUIRE_CLIENT_TESTS").is_ok_and(|v| v == "1") {
            panic!("megalodon is required (KINDRED_REQUIRE_CLIENT_TESTS=1) but node or its packages are missing: run scripts/test.sh");
        }
        eprintln!("\n*** SKIPPED megalodon client test: node or tests/client/megalodon/node_modules is missing. Run scripts/test.sh, which installs it. ***\n");
        return;
    }
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (token, _) = app.member("meg").await;
    let dir = client_dir();
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(dir.join("test_megalodon.mjs"))
            .args([&base, &token])
            .current_dir(&dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "megalodon test failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
    );
    assert!(stdout.contains("megalodon client test passed"), "{stdout}");
}
