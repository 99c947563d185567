//! The instance master secret: inline in the configuration or in a key file created
//! on first start (mode 0600). Never in the database, so a database dump alone does
//! not reveal members' email addresses.

use std::io::Write;
use std::path::Path;

use rand::RngCore;

use crate::config::{parse_hex_key, SecretSource};

pub fn load_or_create(source: &SecretSource) -> Result<[u8; 32], String> {
    match source {
        SecretSource::Inline(key) => Ok(*key),
        SecretSource::File(path) => {
            if path.exists() {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read key file {}: {e}", path.display()))?;
                parse_hex_key(&text).ok_or_else(|| {
                    format!(
                        "key file {} does not hold 64 hexadecimal characters",
                        path.display()
                    )
                })
            } else {
                create(path)
            }
        }
    }
}

fn create(path: &Path) -> Result<[u8; 32], String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create key file {}: {e}", path.display()))?;
    file.write_all(format!("{hex}\n").as_bytes())
        .map_err(|e| format!("cannot write key file {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "created a new instance key file; back it up separately from the database");
    Ok(key)
}
