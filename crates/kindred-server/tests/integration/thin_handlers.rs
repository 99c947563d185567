//! Handlers parse, authorize and call a service: none of them reaches storage
//! itself. A handler that imports the storage crate, or runs work on the database
//! pool, fails this test; move that work into `src/services/`.

use std::fs;
use std::path::Path;

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("handlers directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).expect("handler source");
            out.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn handlers_never_reach_storage() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kindred-api/src/handlers");
    let mut files = Vec::new();
    sources(&dir, &mut files);
    // Positive control: the walk found the handlers, and the patterns match where
    // storage is used (the services).
    assert!(files.len() > 20, "found only {} handler files", files.len());
    let services = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../kindred-api/src/services/relations.rs"),
    )
    .expect("services/relations.rs");
    assert!(services.contains("kindred_db") && services.contains(".run(move"));

    let mut offenders = Vec::new();
    for (path, text) in &files {
        for (n, line) in text.lines().enumerate() {
            // The storage crate by name, or work run on the pool (`.run(`); the
            // health check's `db.ping()` is the one use of the pool allowed here.
            if line.contains("kindred_db") || line.contains(".run(") {
                offenders.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "handlers must call a service, not storage:\n{}",
        offenders.join("\n")
    );
}
