//! The one interface to files the server keeps outside the database (data exports
//! now, media later). Only `kindred-server` touches the file system: it implements
//! [`FileStore`] over a directory of its own (`files.directory`), which backups and
//! restores carry along; every other crate takes the trait.

use std::fmt;

/// A file's name in the store: `area/name`, each part of lower-case ASCII letters,
/// digits, `-`, `_` and (in the name) `.`, never `..`. Parsed, so no key can leave
/// the store's directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileKey(String);

impl FileKey {
    pub fn parse(s: &str) -> Option<Self> {
        let (area, name) = s.split_once('/')?;
        let part = |p: &str, dots: bool| {
            !p.is_empty()
                && p.len() <= 100
                && !p.starts_with('.')
                && p.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'-'
                        || b == b'_'
                        || (dots && b == b'.')
                })
        };
        (part(area, false) && part(name, true) && !name.contains("..")).then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The area (first part), a directory of the store.
    pub fn area(&self) -> &str {
        self.0.split_once('/').map(|(a, _)| a).unwrap_or_default()
    }

    /// The file's name within its area.
    pub fn name(&self) -> &str {
        self.0.split_once('/').map(|(_, n)| n).unwrap_or_default()
    }
}

impl fmt::Display for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("file store: {0}")]
pub struct FileError(pub String);

/// Where files are kept. Blocking calls: run them off the async executor (the
/// callers use `spawn_blocking`). A written file is complete or absent, never
/// partial; deleting a missing file is not an error.
pub trait FileStore: Send + Sync + 'static {
    fn put(&self, key: &FileKey, bytes: &[u8]) -> Result<(), FileError>;
    fn get(&self, key: &FileKey) -> Result<Option<Vec<u8>>, FileError>;
    fn delete(&self, key: &FileKey) -> Result<(), FileError>;
}

/// A store in memory, for tests of the layers below the server.
#[derive(Default)]
pub struct MemoryStore(std::sync::Mutex<std::collections::HashMap<FileKey, Vec<u8>>>);

impl FileStore for MemoryStore {
    fn put(&self, key: &FileKey, bytes: &[u8]) -> Result<(), FileError> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.insert(key.clone(), bytes.to_vec());
        Ok(())
    }
    fn get(&self, key: &FileKey) -> Result<Option<Vec<u8>>, FileError> {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        Ok(m.get(key).cloned())
    }
    fn delete(&self, key: &FileKey) -> Result<(), FileError> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(FileKey::parse("exports/123-abc.zip").is_some());
        for bad in [
            "../etc/passwd",
            "exports/../x",
            "exports/..",
            "/exports/x",
            "exports/",
            "exports",
            "exports/a/b",
            "Exports/x",
            "exports/.hidden",
            "ex.ports/x",
        ] {
            assert!(FileKey::parse(bad).is_none(), "{bad}");
        }
        let k = FileKey::parse("exports/1.zip").unwrap();
        assert_eq!((k.area(), k.name()), ("exports", "1.zip"));
    }

    #[test]
    fn memory_store_round_trip() {
        let s = MemoryStore::default();
        let k = FileKey::parse("exports/1.zip").unwrap();
        assert!(s.get(&k).unwrap().is_none());
        s.put(&k, b"x").unwrap();
        assert_eq!(s.get(&k).unwrap().unwrap(), b"x");
        s.delete(&k).unwrap();
        s.delete(&k).unwrap();
        assert!(s.get(&k).unwrap().is_none());
    }
}
