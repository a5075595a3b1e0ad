//! Under GitHub Actions every line printed to stdout is scanned for workflow commands
//! (`::error ...`). Operation names, reasons and panic messages are user text: printed at the
//! start of a line they could issue commands. So while the gate runs, command processing is
//! switched off with `::stop-commands::TOKEN` (GitHub's documented way to print untrusted text),
//! and switched back on (`::TOKEN::`) only to print perfgate's own annotations.

use std::io::Write;

/// Workflow commands switched off until [`resume`].
pub struct Stopped {
    token: String,
}

/// Switches workflow commands off when running under GitHub Actions.
pub fn stop(github_actions: bool) -> Option<Stopped> {
    if !github_actions {
        return None;
    }
    let token = token();
    println!("::stop-commands::{token}");
    let _ = std::io::stdout().flush();
    Some(Stopped { token })
}

impl Stopped {
    /// Switches workflow commands back on.
    pub fn resume(self) {
        println!("::{}::", self.token);
        let _ = std::io::stdout().flush();
    }
}

/// A token no operation can guess before the run: the time and the process id, hashed.
fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in nanos
        .to_le_bytes()
        .into_iter()
        .chain(std::process::id().to_le_bytes())
    {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("perfgate-{hash:016x}")
}
