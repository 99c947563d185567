//! `kindred admin backup`, `restore` and `copy-database`: the database (and, once
//! the server keeps any, its other files) copied safely. The SQL is kindred-db's;
//! directories, file names, `pg_dump` and what the operator is told are here.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kindred_db::Backend;

use crate::config::{SecretSource, Settings};

/// The database inside a backup directory, per backend.
pub const SQLITE_FILE: &str = "database.sqlite";
pub const POSTGRES_FILE: &str = "database.pgdump";
/// What the backup is, for the person who finds it later.
pub const ABOUT_FILE: &str = "backup.txt";

/// Files the server keeps outside the database: the file store's areas
/// (`files.directory`, see `files.rs`), each as (name inside a backup's `files/`,
/// directory on this machine). All but `exports`: a data export is a short-lived
/// copy of what the database holds, deleted with its member; in a backup it would
/// outlive the member's erasure. Backup and restore carry the rest along
/// (`copy_tree`); copy-database leaves files where they are and says so.
pub fn stored_files(settings: &Settings) -> Vec<(String, PathBuf)> {
    let entries = std::fs::read_dir(&settings.files_dir).into_iter().flatten();
    let mut areas: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .filter(|(name, _)| name != EXPORTS_AREA && name != MEDIA_AREA && !name.starts_with('.'))
        .collect();
    // Pictures, wherever `media.path` puts them (by default `media` in the store).
    if settings.media_dir.is_dir() {
        areas.push((MEDIA_AREA.to_owned(), settings.media_dir.clone()));
    }
    areas.sort();
    areas
}

/// The pictures' directory inside a backup's `files/` (`media.path` on restore).
pub const MEDIA_AREA: &str = "media";

/// The file store's area of data exports (never backed up).
pub const EXPORTS_AREA: &str = "exports";

/// `kindred admin backup DEST`: a new directory DEST (never an existing one) with
/// a consistent snapshot of the database, taken while the server runs.
pub fn backup(settings: &Settings, dest: &Path) -> Result<Vec<String>, String> {
    let (backend, target) =
        kindred_db::connection::classify_url(&settings.database_url).map_err(|e| e.to_string())?;
    create_private_dir(dest)?;
    let written = write_backup(settings, backend, &target, dest);
    match written {
        Ok(mut lines) => {
            lines.extend(reminder(settings));
            Ok(lines)
        }
        Err(e) => {
            // Only what this command created goes: DEST did not exist before.
            let _ = std::fs::remove_dir_all(dest);
            Err(e)
        }
    }
}

fn write_backup(
    settings: &Settings,
    backend: Backend,
    target: &str,
    dest: &Path,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let file = match backend {
        Backend::Sqlite => {
            let file = dest.join(SQLITE_FILE);
            kindred_db::snapshot::copy_sqlite(Path::new(target), &file, false)
                .map_err(|e| format!("backup failed: {e}"))?;
            // Read back: a backup nobody can open is no backup.
            let held = kindred_db::snapshot::inspect_sqlite(&file)
                .map_err(|e| format!("the backup does not read back: {e}"))?;
            let rows: i64 = held.rows.iter().map(|(_, n)| n).sum();
            lines.push(format!(
                "backed up the SQLite database: {rows} rows in {} tables",
                held.rows.len()
            ));
            file
        }
        Backend::Postgres => {
            let file = dest.join(POSTGRES_FILE);
            pg_dump(target, &file)?;
            lines.push("backed up the PostgreSQL database with pg_dump (custom format)".into());
            file
        }
    };
    restrict(&file)?;
    for (name, dir) in stored_files(settings) {
        copy_tree(&dir, &dest.join("files").join(name))?;
    }
    let about = format!(
        "Kindred {version} backup, {when} UTC\n\
         database: {name} ({backend})\n\
         Restore: SQLite `kindred admin restore DIR`; PostgreSQL `pg_restore` (docs/operations.md).\n\
         Not in here: the instance secret (security.secret_key or its key file) and the\n\
         configuration file. In here: every actor's private signing key. Keep it private.\n",
        version = env!("CARGO_PKG_VERSION"),
        when = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S"),
        name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default(),
        backend = backend.as_str(),
    );
    let about_path = dest.join(ABOUT_FILE);
    std::fs::write(&about_path, about)
        .map_err(|e| format!("cannot write {}: {e}", about_path.display()))?;
    lines.insert(0, format!("backup written to {}", dest.display()));
    Ok(lines)
}

/// What the backup does not hold, and what it holds that is secret: the truth
/// about where the server keeps its keys.
fn reminder(settings: &Settings) -> Vec<String> {
    let secret = match &settings.secret {
        SecretSource::File(path) => format!("the key file {}", path.display()),
        SecretSource::Inline(_) => "security.secret_key in the configuration".to_owned(),
    };
    vec![
        format!(
            "NOT in this backup: the instance secret ({secret}) and the configuration \
             file. Back them up separately, once: without the secret, stored email \
             addresses cannot be read or used to log in."
        ),
        "IN this backup: the private signing keys of the instance actor, every member \
         and every group (they live in the database). Keep the backup as private as the \
         server itself (it is readable by its owner only)."
            .to_owned(),
    ]
}

/// `kindred admin restore SRC [--force]`, SQLite only: a backup directory (or a
/// database file) into the configured database path, with the server stopped.
pub fn restore(settings: &Settings, src: &Path, force: bool) -> Result<Vec<String>, String> {
    let (backend, target) =
        kindred_db::connection::classify_url(&settings.database_url).map_err(|e| e.to_string())?;
    if backend == Backend::Postgres {
        return Err(
            "restore is for SQLite; restore a PostgreSQL backup with pg_restore \
                    (see docs/operations.md, \"Backups and restore\")"
                .into(),
        );
    }
    let file = if src.is_dir() {
        let file = src.join(SQLITE_FILE);
        if !file.exists() && src.join(POSTGRES_FILE).exists() {
            return Err(format!(
                "{} is a PostgreSQL backup: restore it with pg_restore (see docs/operations.md)",
                src.display()
            ));
        }
        file
    } else {
        src.to_owned()
    };
    let held =
        kindred_db::snapshot::inspect_sqlite(&file).map_err(|e| format!("cannot restore: {e}"))?;
    if !held.unknown_versions.is_empty() {
        return Err(format!(
            "cannot restore: the backup is from a newer Kindred (migrations {} are unknown \
             to this binary, version {}); restore it with that version or a later one",
            held.unknown_versions.join(", "),
            env!("CARGO_PKG_VERSION")
        ));
    }
    let target = PathBuf::from(target);
    if target.exists() {
        let holds = std::fs::metadata(&target)
            .map(|m| m.len() > 0)
            .unwrap_or(true)
            && kindred_db::snapshot::sqlite_holds_rows(&target)
                .map_err(|e| format!("cannot read the current database: {e}"))?;
        if holds && !force {
            return Err(format!(
                "{} already holds data: restore replaces it only with --force \
                 (back it up first); nothing was changed",
                target.display()
            ));
        }
        kindred_db::snapshot::take_sqlite_offline(&target)
            .map_err(|e| format!("cannot restore: {e}"))?;
    } else if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }

    // Written beside the target, then renamed over it: a crash leaves either the
    // old database or the new one, never half of one.
    let partial = with_suffix(&target, ".restoring");
    remove_if_present(&partial)?;
    kindred_db::snapshot::copy_sqlite(&file, &partial, true).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        format!("cannot restore: {e}")
    })?;
    restrict(&partial)?;
    // The old database's write-ahead log must not be replayed onto the new file.
    for suffix in ["-wal", "-shm"] {
        remove_if_present(&with_suffix(&target, suffix))?;
    }
    std::fs::rename(&partial, &target)
        .map_err(|e| format!("cannot move the restored database into place: {e}"))?;
    sync_dir(&target);
    // Every area the backup holds goes back into the file store.
    if let Ok(entries) = std::fs::read_dir(src.join("files")) {
        for entry in entries.filter_map(Result::ok) {
            if !entry.path().is_dir() {
                continue;
            }
            let to = if entry.file_name() == MEDIA_AREA {
                settings.media_dir.clone()
            } else {
                settings.files_dir.join(entry.file_name())
            };
            copy_tree(&entry.path(), &to)?;
        }
    }
    let rows: i64 = held.rows.iter().map(|(_, n)| n).sum();
    Ok(vec![
        format!(
            "restored {} into {}: {rows} rows in {} tables",
            file.display(),
            target.display(),
            held.rows.len()
        ),
        "start the server: it applies any migration newer than the backup".to_owned(),
    ])
}

/// `kindred admin copy-database --to postgres://...`: the configured SQLite
/// database into an empty PostgreSQL database, with the server stopped.
pub fn copy_database(settings: &Settings, to: &str) -> Result<Vec<String>, String> {
    let (backend, source) =
        kindred_db::connection::classify_url(&settings.database_url).map_err(|e| e.to_string())?;
    if backend != Backend::Sqlite {
        return Err("copy-database copies a SQLite instance: database.url is not sqlite://".into());
    }
    match kindred_db::connection::classify_url(to) {
        Ok((Backend::Postgres, _)) => {}
        _ => return Err("--to must be a postgres:// URL".into()),
    }
    let source = PathBuf::from(source);
    // Writes after the snapshot would be lost when the server moves over: the
    // server must be stopped (and this fails at once if it is not).
    kindred_db::snapshot::take_sqlite_offline(&source).map_err(|e| format!("cannot copy: {e}"))?;
    let report = kindred_db::copy::sqlite_to_postgres(&source, to)
        .map_err(|e| format!("cannot copy: {e}"))?;
    let mut lines = vec![format!(
        "{:<32} {:>10} {:>10}",
        "table", "sqlite", "postgresql"
    )];
    for t in &report.tables {
        lines.push(format!(
            "{:<32} {:>10} {:>10}",
            t.table, t.sqlite, t.postgres
        ));
    }
    let rows: i64 = report.tables.iter().map(|t| t.postgres).sum();
    lines.push(format!(
        "copied {} tables, {rows} rows; counts verified table by table; {} sequences set",
        report.tables.len(),
        report.sequences
    ));
    if !stored_files(settings).is_empty() {
        lines.push("files outside the database stay where they are".to_owned());
    }
    lines.push(
        "next: set database.url to the PostgreSQL URL, keep the same instance secret, \
         and start the server"
            .to_owned(),
    );
    Ok(lines)
}

/// Runs `pg_dump` in its custom format into `out`. The password goes through the
/// environment, not the command line (which other users may read).
fn pg_dump(url: &str, out: &Path) -> Result<(), String> {
    let mut parsed = url::Url::parse(url).map_err(|_| "database.url is not a valid URL")?;
    let password = parsed.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    let _ = parsed.set_password(None);
    let mut command = Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--file")
        .arg(out)
        .arg("--dbname")
        .arg(parsed.as_str())
        .stdin(Stdio::null());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "pg_dump not found: install PostgreSQL's client tools (on Debian: \
             postgresql-client, the server's major version or newer) or put pg_dump on PATH"
                .to_owned()
        } else {
            format!("cannot run pg_dump: {e}")
        }
    })?;
    if !output.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(())
}

/// A new directory, readable by its owner only; an existing path is refused.
fn create_private_dir(dest: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dest).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists: a backup never overwrites; name a new directory",
                dest.display()
            )
        } else {
            format!("cannot create {}: {e}", dest.display())
        }
    })
}

/// Owner-only permissions: the file holds private keys.
fn restrict(file: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot restrict {}: {e}", file.display()))?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let fail = |p: &Path, e: std::io::Error| format!("cannot copy {}: {e}", p.display());
    std::fs::create_dir_all(to).map_err(|e| fail(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| fail(from, e))? {
        let entry = entry.map_err(|e| fail(from, e))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &dest)?;
        } else {
            std::fs::copy(&path, &dest).map_err(|e| fail(&path, e))?;
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

/// Makes the rename durable (best effort: not every platform can open a directory).
fn sync_dir(file: &Path) {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
