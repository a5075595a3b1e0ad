//! One measurement at a time per output directory. Two perf gates measuring at once on the same
//! cores disturb each other's timings, and their reports would overwrite each other; under
//! `cargo nextest run` without perfgate's test group (`.config/nextest.toml`), every operation
//! is a process of its own and they would all measure at once. Each gate therefore holds an
//! exclusive lock on `<output dir>/.perfgate.lock` from before it measures until its reports are
//! written; a second gate waits, and says so.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::Instant;

/// The lock's file name inside the output directory.
pub const LOCK_FILE_NAME: &str = ".perfgate.lock";

/// Held while this process measures and writes its reports; released when dropped (or when the
/// process ends, however it ends).
pub struct MeasuringLock {
    _file: File,
}

impl MeasuringLock {
    /// Takes the lock of `output_dir`, waiting for the gate that holds it.
    pub fn acquire(output_dir: &Path) -> Result<MeasuringLock, String> {
        let path = output_dir.join(LOCK_FILE_NAME);
        let failed = |error: std::io::Error| format!("cannot lock {}: {error}", path.display());
        std::fs::create_dir_all(output_dir).map_err(failed)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                eprintln!(
                    "perfgate: another perf gate is measuring into {}; waiting for it (two \
                     measurements at once would disturb each other)",
                    output_dir.display()
                );
                let waiting = Instant::now();
                file.lock().map_err(failed)?;
                eprintln!(
                    "perfgate: waited {:.1} s for the other perf gate",
                    waiting.elapsed().as_secs_f64()
                );
            }
            Err(TryLockError::Error(error)) => return Err(failed(error)),
        }
        Ok(MeasuringLock { _file: file })
    }
}
