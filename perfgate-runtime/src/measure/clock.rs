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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_sleep_is_a_voluntary_switch() {
        let before = Switches::now().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let switched = Switches::now().unwrap().since(before);
        assert!(switched.voluntary >= 1, "{switched:?}");
    }
}
