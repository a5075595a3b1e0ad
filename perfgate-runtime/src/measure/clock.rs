//! What happened to the measuring thread while a batch was timed: the context switches of the
//! thread (`getrusage(RUSAGE_THREAD)`, Linux). A thread that runs its operation without blocking
//! is never switched out of its own accord; when it was, the batch's wall time includes time
//! the operation did not spend — a preemption by a busy neighbour, the process being stopped —
//! and the batch is re-timed rather than guessed at.
//!
//! Measured on a 2-core VM: one `getrusage` costs about 350 ns (`clock_gettime` of the thread's
//! CPU clock about 600 ns), read before and after each batch, outside the timed interval.

/// The thread's context switches so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Switches {
    /// The thread gave up the CPU: it blocked, slept, or was stopped.
    pub voluntary: u64,
    /// The scheduler took the CPU away: a preemption.
    pub involuntary: u64,
}

impl Switches {
    /// The current thread's switches, where the platform tells (Linux).
    pub fn now() -> Option<Switches> {
        #[cfg(target_os = "linux")]
        {
            let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
            // SAFETY: `usage` is a valid, writable `rusage`; RUSAGE_THREAD asks for the calling
            // thread only.
            let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()) } == 0;
            if !ok {
                return None;
            }
            // SAFETY: getrusage returned 0, so it filled `usage`.
            let usage = unsafe { usage.assume_init() };
            Some(Switches {
                voluntary: usage.ru_nvcsw as u64,
                involuntary: usage.ru_nivcsw as u64,
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            None
        }
    }

    /// The switches between `earlier` and `self`.
    pub fn since(self, earlier: Switches) -> Switches {
        Switches {
            voluntary: self.voluntary.saturating_sub(earlier.voluntary),
            involuntary: self.involuntary.saturating_sub(earlier.involuntary),
        }
    }
}

/// The machine's busy CPU time and this process's, at one moment: two of them tell how many
/// cores the rest of the machine kept busy in between ([`Load::others_cores_since`]).
///
/// An operation that waits on another party (a server on the same machine) pays wake-ups on
/// every call, and their cost is the machine's state, not the code's: on the 2-core VM this was
/// written on, an unchanged Redis lookup over loopback took 72–82 µs with the other core idle (a
/// cross-CPU wake-up from an idle state) and 22–23 µs with a busy neighbour on one core (client
/// and server on one CPU, handed over directly). Runs of such an operation are compared only with
/// runs whose machine was about as busy.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    busy_s: f64,
    own_s: f64,
    at: std::time::Instant,
}

impl Load {
    /// Now, where the platform tells (Linux: `/proc/stat` and `getrusage`).
    pub fn now() -> Option<Load> {
        #[cfg(target_os = "linux")]
        {
            let stat = std::fs::read_to_string("/proc/stat").ok()?;
            let ticks: Vec<f64> = stat
                .lines()
                .next()?
                .strip_prefix("cpu ")?
                .split_whitespace()
                .map(|t| t.parse().ok())
                .collect::<Option<_>>()?;
            // user nice system idle iowait irq softirq steal ...: busy is user, nice, system, irq
            // and softirq (steal is other machines' time).
            let busy_ticks = [0, 1, 2, 5, 6]
                .iter()
                .map(|&i| ticks.get(i).copied().unwrap_or(0.0))
                .sum::<f64>();
            // SAFETY: sysconf has no preconditions.
            let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
            if hz <= 0 {
                return None;
            }
            let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
            // SAFETY: `usage` is a valid, writable `rusage`.
            if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
                return None;
            }
            // SAFETY: getrusage returned 0, so it filled `usage`.
            let usage = unsafe { usage.assume_init() };
            let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            Some(Load {
                busy_s: busy_ticks / hz as f64,
                own_s: seconds(usage.ru_utime) + seconds(usage.ru_stime),
                at: std::time::Instant::now(),
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            None
        }
    }

    /// Cores the rest of the machine (other processes: a server the operation talks to, a
    /// neighbour) kept busy on average since `earlier`. `None` over less than 0.1 s, which the
    /// kernel's tick counts cannot resolve.
    pub fn others_cores_since(&self, earlier: &Load) -> Option<f64> {
        let wall = self.at.duration_since(earlier.at).as_secs_f64();
        if wall < 0.1 {
            return None;
        }
        let others = (self.busy_s - earlier.busy_s) - (self.own_s - earlier.own_s);
        Some((others / wall).max(0.0))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_busy_neighbour_shows_in_the_load_of_the_others() {
        let before = Load::now().expect("/proc/stat and getrusage on Linux");
        // Another process kept busy for 0.4 s: about one core of the others' time (less if the
        // machine could not give it a whole core).
        let spin = std::process::Command::new("sh")
            .args([
                "-c",
                "end=$(($(date +%s%N) + 400000000)); while [ $(date +%s%N) -lt $end ]; do :; done",
            ])
            .status()
            .expect("sh runs");
        assert!(spin.success());
        let others = Load::now().unwrap().others_cores_since(&before).unwrap();
        assert!(others > 0.3, "{others} cores");
    }

    #[test]
    fn a_sleep_is_a_voluntary_switch() {
        let before = Switches::now().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let switched = Switches::now().unwrap().since(before);
        assert!(switched.voluntary >= 1, "{switched:?}");
    }
}
