//! The history file: append under an exclusive lock, load under a shared one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::record::Record;
use crate::config::describe_file_type;

/// Name of the history file inside a [`HistoryStore`]'s directory.
pub const HISTORY_FILE_NAME: &str = "history.jsonl";

/// Name of the side file, next to the history file, that [`HistoryStore::repair`] moves the lines
/// it cannot use to (appending, so nothing moved there is ever lost).
pub const QUARANTINE_FILE_NAME: &str = "history.quarantine.jsonl";

/// Name of the copy of the repaired history that [`HistoryStore::repair`] keeps while it rewrites
/// the history file; it only outlives a repair that was interrupted.
pub const REPAIRING_FILE_NAME: &str = "history.jsonl.repairing";

/// The largest history file read: generous (a record is a few KiB, so millions of runs), and it
/// keeps a history file that is a link to `/dev/zero`, or grew without bound, from exhausting
/// memory.
pub const MAX_HISTORY_BYTES: u64 = 1024 * 1024 * 1024;

/// The longest line taken for a record (a record with its histogram is a few KiB); a longer one
/// is skipped without being parsed.
pub const MAX_RECORD_LINE_BYTES: usize = 16 * 1024 * 1024;

/// An append-only JSON Lines history of measurements, kept in one directory.
///
/// Crash and concurrency safety come from three rules:
/// - each record is written with a single `write_all` of one complete line, to a file opened in
///   append mode, while holding an exclusive [`File::lock`], so concurrent shards never interleave;
/// - a line that does not parse (a crash tore the last line, or someone edited the file), or holds a
///   record this version cannot use, is skipped with a warning when loading; only
///   [`repair`](HistoryStore::repair), asked for explicitly, moves it to a side file;
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
    /// The history file is not a regular file (a pipe would block, a device never ends).
    #[error("cannot use history file {}: it is {kind}, not a regular file", path.display())]
    NotAFile {
        /// The file.
        path: PathBuf,
        /// What it is instead: "a named pipe (FIFO)", "a character device", ...
        kind: &'static str,
    },
    /// The history file is larger than [`MAX_HISTORY_BYTES`].
    #[error(
        "cannot read history file {}: it is larger than {} MiB; move older runs out of it",
        path.display(),
        MAX_HISTORY_BYTES / (1024 * 1024)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// A repair could not write the lines it moves out to the quarantine file; the history file
    /// is unchanged.
    #[error("cannot write quarantine file {}: {source}", path.display())]
    Quarantine {
        /// The quarantine file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A repair could not rewrite the history file; the repaired history is in `copy`.
    #[error(
        "cannot rewrite history file {} ({source}); the repaired history is in {}",
        path.display(),
        copy.display()
    )]
    Rewrite {
        /// The history file.
        path: PathBuf,
        /// The complete repaired history.
        copy: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An earlier repair was interrupted; it left the repaired history in `copy`.
    #[error(
        "an earlier repair of {} was interrupted: {} holds the history it repaired; compare the \
         two, keep the right one as {HISTORY_FILE_NAME} and delete the other, then repair again",
        path.display(),
        copy.display()
    )]
    InterruptedRepair {
        /// The history file.
        path: PathBuf,
        /// The repaired history the interrupted repair wrote.
        copy: PathBuf,
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

        // Appending to a device would lose the records without a word (or fill `/dev/full`).
        check_regular_file(&path)?;
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
    /// A missing file is an empty history. A line that does not parse, or holds a record this
    /// version cannot use (see [`Record::unusable`]), is skipped with a warning naming the file
    /// and line; it is never an error and stays in the file until [`repair`](Self::repair)
    /// moves it out. Only a regular file of at most [`MAX_HISTORY_BYTES`] is read.
    pub fn load(&self) -> Result<Loaded, HistoryError> {
        let path = self.path();
        if !check_regular_file(&path)? {
            return Ok(Loaded::default());
        }
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Loaded::default()),
            Err(source) => return Err(HistoryError::Open { path, source }),
        };
        file.lock_shared().map_err(|source| HistoryError::Lock {
            path: path.clone(),
            source,
        })?;
        let bytes = read_capped(&mut file, &path)?;
        file.unlock().map_err(|source| HistoryError::Lock {
            path: path.clone(),
            source,
        })?;
        drop(file);
        let mut loaded = Loaded::default();
        for line in lines(&bytes) {
            match line.verdict {
                LineVerdict::Blank => {}
                LineVerdict::Record(record) => loaded.records.push(*record),
                LineVerdict::Skipped(reason) => loaded.warnings.push(format!(
                    "{}:{}: skipped {reason}; `perfgate history --repair` moves such lines to \
                     {QUARANTINE_FILE_NAME}",
                    path.display(),
                    line.number
                )),
            }
        }
        Ok(loaded)
    }

    /// Moves every line [`load`](Self::load) would skip (torn, unreadable, of an unknown schema
    /// version, with impossible figures) out of the history file, appending it unchanged to
    /// [`QUARANTINE_FILE_NAME`] next to it, so that later runs stop warning about it. Blank lines
    /// are dropped; every other line stays, byte for byte, in its order.
    ///
    /// Holds the history's exclusive lock throughout, so concurrent runs wait rather than
    /// interleave. Nothing is lost on a crash: the moved lines are synced to the quarantine file
    /// before the history file is touched, and the repaired history is synced to
    /// [`REPAIRING_FILE_NAME`] before the history file is rewritten in place (a repair that finds
    /// that copy refuses to run: [`HistoryError::InterruptedRepair`]).
    ///
    /// ```no_run
    /// # use perfgate_runtime::history::HistoryStore;
    /// let store = HistoryStore::open("target/perfgate/history")?;
    /// let repaired = store.repair()?;
    /// for moved in &repaired.moved {
    ///     println!("moved {moved}");
    /// }
    /// println!("{} records kept", repaired.kept);
    /// # Ok::<(), perfgate_runtime::history::HistoryError>(())
    /// ```
    pub fn repair(&self) -> Result<Repaired, HistoryError> {
        let path = self.path();
        let copy = self.dir.join(REPAIRING_FILE_NAME);
        if copy.exists() {
            return Err(HistoryError::InterruptedRepair { path, copy });
        }
        if !check_regular_file(&path)? {
            return Ok(Repaired::default());
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
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
        let bytes = read_capped(&mut file, &path)?;
        let mut kept = Vec::with_capacity(bytes.len());
        let mut quarantined = Vec::new();
        let mut repaired = Repaired::default();
        for line in lines(&bytes) {
            match line.verdict {
                LineVerdict::Blank => {}
                LineVerdict::Record(_) => {
                    kept.extend_from_slice(line.bytes);
                    kept.push(b'\n');
                    repaired.kept += 1;
                }
                LineVerdict::Skipped(reason) => {
                    quarantined.extend_from_slice(line.bytes);
                    quarantined.push(b'\n');
                    repaired
                        .moved
                        .push(format!("{}:{}: {reason}", path.display(), line.number));
                }
            }
        }
        if repaired.moved.is_empty() {
            // Nothing to move: the file is left as it is (blank lines and all).
            return Ok(repaired);
        }
        let quarantine = self.dir.join(QUARANTINE_FILE_NAME);
        write_synced(&quarantine, &quarantined, true).map_err(|source| {
            HistoryError::Quarantine {
                path: quarantine.clone(),
                source,
            }
        })?;
        let rewrite_error = |source| HistoryError::Rewrite {
            path: path.clone(),
            copy: copy.clone(),
            source,
        };
        write_synced(&copy, &kept, false).map_err(rewrite_error)?;
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)).map(drop))
            .and_then(|()| file.write_all(&kept))
            .and_then(|()| file.sync_data())
            .map_err(rewrite_error)?;
        fs::remove_file(&copy).map_err(rewrite_error)?;
        file.unlock().map_err(|source| HistoryError::Lock {
            path: path.clone(),
            source,
        })?;
        repaired.quarantine = Some(quarantine);
        Ok(repaired)
    }
}

/// What [`HistoryStore::repair`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Repaired {
    /// Records left in the history file.
    pub kept: usize,
    /// One message per line moved out: the history file, the line's number before the repair,
    /// and why it was moved.
    pub moved: Vec<String>,
    /// The quarantine file the lines were appended to; `None` when nothing was moved.
    pub quarantine: Option<PathBuf>,
}

/// Whether a regular file is at `path` (following links): `false` when nothing is there, an error
/// when something else is.
fn check_regular_file(path: &Path) -> Result<bool, HistoryError> {
    match fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Ok(true),
        Ok(metadata) => Err(HistoryError::NotAFile {
            path: path.to_path_buf(),
            kind: describe_file_type(metadata.file_type()),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(HistoryError::Open {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The whole of `file`, if at most [`MAX_HISTORY_BYTES`] (read one byte past that at most).
fn read_capped(file: &mut File, path: &Path) -> Result<Vec<u8>, HistoryError> {
    let read_error = |source| HistoryError::Read {
        path: path.to_path_buf(),
        source,
    };
    let length = file.metadata().map_err(read_error)?.len();
    if length > MAX_HISTORY_BYTES {
        return Err(HistoryError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let mut bytes = Vec::with_capacity(length as usize);
    file.take(MAX_HISTORY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_HISTORY_BYTES {
        return Err(HistoryError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` (appending or replacing) and syncs it to disk.
fn write_synced(path: &Path, bytes: &[u8], append: bool) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_data()
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

/// One line of the history file, and what to make of it.
struct Line<'a> {
    /// 1-based.
    number: usize,
    /// Without its `'\n'`.
    bytes: &'a [u8],
    verdict: LineVerdict,
}

enum LineVerdict {
    /// Empty or only whitespace: ignored silently.
    Blank,
    /// A record to use.
    Record(Box<Record>),
    /// Not to be used, and why ("torn last line (an interrupted write?) of the performance
    /// history: EOF while parsing ...").
    Skipped(String),
}

/// The lines of a history file's contents, each judged.
fn lines(bytes: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let ends_clean = bytes.last().is_none_or(|&b| b == b'\n');
    let count = bytes.split(|&b| b == b'\n').count();
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(move |(index, line)| {
            let torn = index + 1 == count && !ends_clean;
            Line {
                number: index + 1,
                bytes: line,
                verdict: judge(line, torn),
            }
        })
}

fn judge(line: &[u8], torn: bool) -> LineVerdict {
    if line.iter().all(u8::is_ascii_whitespace) {
        return LineVerdict::Blank;
    }
    let what = if torn {
        "torn last line (an interrupted write?)"
    } else {
        "unreadable line"
    };
    if line.len() > MAX_RECORD_LINE_BYTES {
        return LineVerdict::Skipped(format!(
            "{what} of the performance history: {} bytes, longer than any record",
            line.len()
        ));
    }
    match serde_json::from_slice::<Record>(line) {
        Ok(record) => match record.unusable() {
            None => LineVerdict::Record(Box::new(record)),
            Some(problem) => LineVerdict::Skipped(format!(
                "unusable line of the performance history: {problem}"
            )),
        },
        Err(error) => LineVerdict::Skipped(format!("{what} of the performance history: {error}")),
    }
}
