//! The gate cannot be bypassed by an operation that exits the process: until the gate has
//! concluded, an exit (`std::process::exit`, `libc::exit`, a `return` from `main` elsewhere) runs
//! this guard from the C library's `atexit` list, which names the operation being measured and
//! turns the exit status into 4, "the gate could not be evaluated".
//!
//! What it cannot catch: `abort()`, a stack overflow, a signal, `_exit` — the process dies
//! without running `atexit` handlers, and its status is the signal's (134 for SIGABRT, 139 for
//! SIGSEGV), which CI already reads as a failure; no report is written then.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the gate has its exit code: exits after that are the gate's own.
static CONCLUDED: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// The operation being measured, for the message.
static CURRENT: Mutex<Option<String>> = Mutex::new(None);

/// The exit status of an exit the gate did not make.
const EXIT_BEFORE_CONCLUSION: i32 = 4;

/// Arms the guard (once per process).
pub fn install() {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    #[cfg(unix)]
    // SAFETY: `atexit` registers a function that takes no arguments; `on_exit` is one, and it
    // only reads atomics, a mutex that is never held across an exit, and writes to stderr.
    unsafe {
        atexit(on_exit);
    }
}

/// The operation measured from now on (`None` between operations).
pub fn measuring(op: Option<&str>) {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = op.map(str::to_string);
}

/// The gate has its exit code: exits are no longer the operations'.
pub fn conclude() {
    CONCLUDED.store(true, Ordering::SeqCst);
}

#[cfg(unix)]
unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
    fn _exit(status: std::ffi::c_int) -> !;
}

#[cfg(unix)]
extern "C" fn on_exit() {
    if CONCLUDED.load(Ordering::SeqCst) {
        return;
    }
    let during = match CURRENT.try_lock().ok().and_then(|op| op.clone()) {
        Some(op) => format!("while operation `{op}` was being measured"),
        None => "outside the measurement of any operation".to_string(),
    };
    eprintln!(
        "\nperfgate: error: the process exited {during}, before the gate concluded: the gate \
         could not be evaluated (exit code {EXIT_BEFORE_CONCLUSION}). An operation must return, \
         not exit the process."
    );
    // SAFETY: `_exit` ends the process at once, without running the remaining exit handlers
    // (calling `exit` from an `atexit` handler is undefined).
    unsafe { _exit(EXIT_BEFORE_CONCLUSION) }
}
