//! The history file: append under an exclusive lock, load under a shared one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::record::Record;

/// Name of the history file inside a [`HistoryStore`]'s directory.
pub const HISTORY_FILE_NAME: &str = "history.jsonl";

/// An append-only JSON Lines history of measurements, kept in one directory.
///
/// Crash and concurrency safety come from three rules:
/// - each record is written with a single `write_all` of one complete line, to a file opened in
///   append mode, while holding an exclusive [`File::lock`], so concurrent shards never interleave;
/// - a line that does not parse (a crash tore the last line, or someone edited the file) is skipped
///   with a warning when loading and never deleted or rewritten;
/// - before appending to a file whose last line is torn, a `'\n'` is written first, so the torn line
///   stays a line of its own and the new records start clean.
#[derive(Debug, Clone)]
pub struct HistoryStore {
    dir: PathBuf,
}

/// What [`HistoryStore::load`] read: the records that parsed and a warning for each line that did not.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Records in file order (the order they were appended).
    pub records: Vec<Record>,
    /// One message per skipped line, naming the file and the 1-based line number.
    pub warnings: Vec<String>,
}

/// A history operation that failed, naming the file involved.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The history directory could not be created.
    #[error("cannot create history directory {}: {source}", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The history file could not be opened.
    #[error("cannot open history file {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The history file could not be locked.
    #[error("cannot lock history file {}: {source}", path.display())]
    Lock {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The history file could not be read.
    #[error("cannot read history file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A record could not be written; records before it in the same call were written.
    #[error("cannot append record of operation `{op}` to history file {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The operation whose record failed.
        op: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The appended records could not be synced to disk (they may or may not be there).
    #[error("cannot sync history file {} to disk: {source}", path.display())]
    Sync {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A record could not be encoded as JSON; nothing of this call was written.
    #[error("cannot encode history record of operation `{op}` for {}: {source}", path.display())]
    Encode {
        /// The file.
        path: PathBuf,
        /// The operation whose record failed.
        op: String,
        /// The underlying error.
        source: serde_json::Error,
    },
}

impl HistoryStore {
    /// Opens the history kept in `dir`, creating the directory if needed.
    ///
    /// The history file itself is created by the first [`append`](Self::append).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, HistoryError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| HistoryError::CreateDir {
            dir: dir.clone(),
            source,
        })?;
        Ok(Self { dir })
    }

    /// The directory holding the history.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The history file, `history.jsonl` in [`dir`](Self::dir).
    pub fn path(&self) -> PathBuf {
        self.dir.join(HISTORY_FILE_NAME)
    }

    /// Appends `records`, one line each, under an exclusive lock, then syncs the file to disk.
    ///
    /// All records are encoded before anything is written, so an encoding error writes nothing.
    /// An I/O error part way leaves the records before it complete on disk.
    pub fn append(&self, records: &[Record]) -> Result<(), HistoryError> {
        if records.is_empty() {
            return Ok(());
        }
        let path = self.path();
        let lines = records
            .iter()
            .map(|record| {
                let mut line =
                    serde_json::to_vec(record).map_err(|source| HistoryError::Encode {
                        path: path.clone(),
                        op: record.op.clone(),
                        source,
                    })?;
                line.push(b'\n');
                Ok((record.op.as_str(), line))
            })
            .collect::<Result<Vec<_>, HistoryError>>()?;

        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|source| HistoryError::Open {
                path: path.clone(),
                source,
            })?;
        file.lock().map_err(|source| HistoryError::Lock {
            path: path.clone(),
            source,
        })?;
        // The lock is released when `file` is dropped, on every path out of here.
        let write_error = |op: &str, source| HistoryError::Write {
            path: path.clone(),
            op: op.to_owned(),
            source,
        };
        let first_op = lines.first().map_or("", |(op, _)| op);
        if !ends_with_newline(&mut file).map_err(|source| write_error(first_op, source))? {
            // A torn last line: end it, so the next record starts on a line of its own.
            file.write_all(b"\n")
                .map_err(|source| write_error(first_op, source))?;
        }
        for (op, line) in &lines {
            file.write_all(line)
                .map_err(|source| write_error(op, source))?;
        }
        file.sync_data().map_err(|source| HistoryError::Sync {
            path: path.clone(),
            source,
        })?;
        file.unlock().map_err(|source| HistoryError::Lock {
            path: path.clone(),
            source,
        })
    }

    /// Reads every record under a shared lock.
    ///
    /// A missing file is an empty history. A line that does not parse is skipped with a warning
    /// naming the file and line; it is never an error and stays in the file.
    pub fn load(&self) -> Result<Loaded, HistoryError> {
        let path = self.path();
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Loaded::default()),
            Err(source) => return Err(HistoryError::Open { path, source }),
        };
        file.lock_shared().map_err(|source| HistoryError::Lock {
            path: path.clone(),
            source,
        })?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|source| HistoryError::Read {
                path: path.clone(),
                source,
            })?;
        file.unlock().map_err(|source| HistoryError::Lock {
            path: path.clone(),
            source,
        })?;
        drop(file);
        Ok(parse_lines(&path, &bytes))
    }
}

/// Whether `file` is empty or its last byte is `'\n'`.
fn ends_with_newline(file: &mut File) -> io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    // Appends always go to the end whatever the position, so seeking here is harmless.
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0_u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Parses JSON Lines, skipping blank lines silently and bad ones with a warning.
fn parse_lines(path: &Path, bytes: &[u8]) -> Loaded {
    let mut loaded = Loaded::default();
    let ends_clean = bytes.last().is_none_or(|&b| b == b'\n');
    let mut lines = bytes.split(|&b| b == b'\n').peekable();
    let mut number = 0_usize;
    while let Some(line) = lines.next() {
        number += 1;
        let is_last = lines.peek().is_none();
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Record>(line) {
            Ok(record) => loaded.records.push(record),
            Err(error) => {
                let what = if is_last && !ends_clean {
                    "torn last line (an interrupted write?)"
                } else {
                    "unreadable line"
                };
                loaded.warnings.push(format!(
                    "{}:{number}: skipped {what} of the performance history: {error}",
                    path.display()
                ));
            }
        }
    }
    loaded
}
