//! Where a script's files (`csv("...")`) come from: the disk, relative to
//! the script's folder, or a table of names and contents that an embedder
//! hands over, such as the browser playground with the files dropped onto
//! its page. A table touches no file system, so the interpreter runs where
//! there is none (wasm32-unknown-unknown), and that is the default there.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::error::io_reason;

/// The files a script can read.
#[derive(Debug, Clone)]
pub enum Files {
    /// On disk; relative paths start from this folder (the script's).
    Disk(PathBuf),
    /// Only these, by name (`data/houses.csv`; a leading `./` is ignored).
    Memory(BTreeMap<String, Vec<u8>>),
}

impl Default for Files {
    /// The current folder, or on wasm (no file system) no files at all.
    fn default() -> Self {
        if cfg!(target_arch = "wasm32") {
            Files::Memory(BTreeMap::new())
        } else {
            Files::Disk(PathBuf::from("."))
        }
    }
}

/// Why a file could not be read, and where gradlang looked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    pub reason: String,
    pub help: String,
}

impl Files {
    /// Where a file the script names `path` is written (`save`); None when
    /// the run has no file system, only a table.
    pub fn writable_path(&self, path: &str) -> Option<PathBuf> {
        match self {
            Files::Disk(dir) => Some(dir.join(path)),
            Files::Memory(_) => None,
        }
    }

    /// The bytes of the file a script names `path`.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, Unreadable> {
        match self {
            Files::Disk(dir) => read_disk(dir, path),
            Files::Memory(table) => read_memory(table, path),
        }
    }
}

fn read_disk(dir: &std::path::Path, path: &str) -> Result<Vec<u8>, Unreadable> {
    let full = dir.join(path);
    let unreadable = |reason: String| Unreadable {
        reason,
        help: format!(
            "paths are relative to the script's folder; gradlang looked for `{}`",
            full.display()
        ),
    };
    // Directories, devices and pipes are not tables (and `/dev/zero` never ends).
    match std::fs::metadata(&full) {
        Ok(meta) if !meta.is_file() => return Err(unreadable("it is not a regular file".into())),
        Ok(_) => {}
        Err(e) => return Err(unreadable(io_reason(&e))),
    }
    std::fs::read(&full).map_err(|e| unreadable(io_reason(&e)))
}

fn read_memory(table: &BTreeMap<String, Vec<u8>>, path: &str) -> Result<Vec<u8>, Unreadable> {
    let mut name = path;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    if let Some(bytes) = table.get(name) {
        return Ok(bytes.clone());
    }
    let help = if table.is_empty() {
        "no files were given to this run: drop the file onto the page, then run again".to_string()
    } else {
        let names: Vec<String> = table.keys().map(|k| format!("`{k}`")).collect();
        format!(
            "the files given to this run are {}; drop another onto the page to add it",
            names.join(", ")
        )
    };
    Err(Unreadable {
        reason: "there is no such file".into(),
        help,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Files {
        Files::Memory(BTreeMap::from([(
            "data/a.csv".to_string(),
            b"1,2\n".to_vec(),
        )]))
    }

    #[test]
    fn memory_files_are_found_by_name_with_or_without_dot_slash() {
        assert_eq!(table().read("data/a.csv"), Ok(b"1,2\n".to_vec()));
        assert_eq!(table().read("./data/a.csv"), Ok(b"1,2\n".to_vec()));
    }

    #[test]
    fn a_missing_memory_file_names_the_files_there_are() {
        let e = table().read("b.csv").unwrap_err();
        assert_eq!(e.reason, "there is no such file");
        assert!(e.help.contains("`data/a.csv`"), "{}", e.help);
        let empty = Files::Memory(BTreeMap::new()).read("b.csv").unwrap_err();
        assert!(
            empty.help.contains("drop the file onto the page"),
            "{}",
            empty.help
        );
    }

    #[test]
    fn memory_never_reads_the_disk() {
        // Cargo.toml exists on disk, but not in the table.
        assert!(Files::Memory(BTreeMap::new()).read("Cargo.toml").is_err());
    }
}
