//! A throwaway PostgreSQL cluster for the test process: initdb + postgres from the
//! machine's server binaries, on a free port, in a temp dir, stopped and removed when
//! the test process exits. Or an existing server at KINDRED_TEST_POSTGRES_URL.
//! Each test gets its own database.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

struct Cluster {
    /// URL of a database we can run CREATE DATABASE in.
    admin_url: String,
    psql: PathBuf,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

/// URL of a fresh, empty database, or why PostgreSQL is unavailable.
pub fn new_database() -> Result<String, String> {
    let cluster = CLUSTER.get_or_init(start).as_ref().map_err(Clone::clone)?;
    let name = format!("kindred_test_{:016x}", rand::random::<u64>());
    let out = Command::new(&cluster.psql)
        .arg(&cluster.admin_url)
        .args([
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "CREATE DATABASE failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let base = cluster
        .admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&cluster.admin_url);
    Ok(format!("{base}/{name}"))
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").is_file())
        .collect();
    candidates.sort();
    if let Some(best) = candidates.pop() {
        return Some(best);
    }
    let out = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    path.canonicalize().ok()?.parent().map(Path::to_path_buf)
}

fn find_psql(bin: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = bin.map(|b| b.join("psql")).filter(|p| p.is_file()) {
        return Some(p);
    }
    let out = Command::new("sh")
        .args(["-c", "command -v psql"])
        .output()
        .ok()?;
    let s = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (!s.is_empty()).then(|| PathBuf::from(s))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a shell command, as the `postgres` account when we are root (initdb refuses root).
fn as_pg_user(script: &str, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", script]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }
}

fn start() -> Result<Cluster, String> {
    if let Ok(url) = std::env::var("KINDRED_TEST_POSTGRES_URL") {
        let psql = find_psql(None).ok_or("psql not found (needed to create test databases)")?;
        return Ok(Cluster {
            admin_url: url,
            psql,
        });
    }
    let bin = find_bin_dir().ok_or("no PostgreSQL server binaries (initdb) found")?;
    let psql = find_psql(Some(&bin)).ok_or("psql not found")?;
    let root = is_root();
    let dir = std::env::temp_dir().join(format!(
        "kindred-pg-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if root {
        let ok = Command::new("chown")
            .args(["-R", "postgres:", &dir.to_string_lossy()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            return Err(
                "running as root and cannot hand the cluster directory to the `postgres` account"
                    .into(),
            );
        }
    }
    let data = dir.join("data");
    let init = format!(
        "'{}' -D '{}' -U postgres -A trust -E UTF8 --no-sync > '{}/initdb.log' 2>&1",
        bin.join("initdb").display(),
        data.display(),
        dir.display()
    );
    let status = as_pg_user(&init, root)
        .status()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !status.success() {
        let log = std::fs::read_to_string(dir.join("initdb.log")).unwrap_or_default();
        return Err(format!("initdb failed: {log}"));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    // A watchdog shell keeps the server only as long as this test process lives.
    let serve = format!(
        "'{postgres}' -D '{data}' -p {port} -k '{dir}' -c listen_addresses=127.0.0.1 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 > '{dir}/server.log' 2>&1 & \
         pg=$!; while [ -d /proc/{parent} ] && kill -0 $pg 2>/dev/null; do sleep 1; done; \
         kill -INT $pg 2>/dev/null; wait $pg; rm -rf '{dir}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
        parent = std::process::id(),
    );
    as_pg_user(&serve, root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new(&psql)
            .arg(&admin_url)
            .args(["-q", "-c", "SELECT 1"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if ready {
            return Ok(Cluster { admin_url, psql });
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!("postgres did not become ready: {log}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
