//! The file store on disk: `kindred_core::files::FileStore` over the directory
//! `files.directory` (by default `files/` beside the SQLite database). One
//! sub-directory per area (`exports/`, later media), owner-only modes; a file is
//! written beside its final name and renamed over it, so a reader never sees half a
//! file. Backups and restores carry the directory (`backup::stored_files`).

use std::io::Write;
use std::path::{Path, PathBuf};

use kindred_core::files::{FileError, FileKey, FileStore};

pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &FileKey) -> PathBuf {
        // A parsed key is `area/name` of safe characters: it stays below the root.
        self.root.join(key.area()).join(key.name())
    }
}

fn err(what: &str, e: std::io::Error) -> FileError {
    // The key names no person (ids and random tokens only); the path is the
    // operator's own.
    FileError(format!("{what}: {e}"))
}

#[cfg(unix)]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

impl FileStore for DirStore {
    fn put(&self, key: &FileKey, bytes: &[u8]) -> Result<(), FileError> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.root);
        private_dir(dir).map_err(|e| err("cannot create the store's directory", e))?;
        let partial = dir.join(format!(".{}.partial", key.name()));
        let mut f = private_file(&partial).map_err(|e| err("cannot write a file", e))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(|e| err("cannot write a file", e))?;
        std::fs::rename(&partial, &path).map_err(|e| err("cannot move a file into place", e))
    }

    fn get(&self, key: &FileKey) -> Result<Option<Vec<u8>>, FileError> {
        match std::fs::read(self.path(key)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(err("cannot read a file", e)),
        }
    }

    fn delete(&self, key: &FileKey) -> Result<(), FileError> {
        match std::fs::remove_file(self.path(key)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(err("cannot delete a file", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_written_whole_and_private() {
        let root = std::env::temp_dir().join(format!("kindred-files-{}", std::process::id()));
        let store = DirStore::new(root.clone());
        let key = FileKey::parse("exports/1-abc.zip").unwrap();
        assert!(store.get(&key).unwrap().is_none());
        store.put(&key, b"zip bytes").unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap(), b"zip bytes");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(root.join("exports/1-abc.zip"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(store.get(&key).unwrap().is_none());
        let _ = std::fs::remove_dir_all(root);
    }
}
