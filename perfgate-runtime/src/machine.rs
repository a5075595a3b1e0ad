//! The machine and build a run measured on: figures compare only between like machines.

use serde::{Deserialize, Serialize};

/// What a run's figures depend on besides the code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name.
    pub cpu_model: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// Operating system, architecture and kernel release.
    pub os: String,
    /// `rustc --version` of the compiler that built perfgate-runtime.
    pub rustc: String,
    /// The optimisation level perfgate-runtime was built with (cargo's `OPT_LEVEL`).
    pub opt_level: String,
    /// Cargo's profile of the build (`release`, `debug`).
    pub profile: String,
}

impl Machine {
    /// This machine and build.
    pub fn current() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|line| line.starts_with("model name"))
                    .and_then(|line| line.split_once(':'))
                    .map(|(_, model)| model.trim().to_string())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        Machine {
            cpu_model,
            cores: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1),
            os: format!(
                "{} {} {}",
                std::env::consts::OS,
                std::env::consts::ARCH,
                kernel.trim()
            )
            .trim()
            .to_string(),
            rustc: env!("PERFGATE_RUSTC_VERSION").to_string(),
            opt_level: env!("PERFGATE_OPT_LEVEL").to_string(),
            profile: env!("PERFGATE_PROFILE").to_string(),
        }
    }

    /// True when the build is optimised; timings of an unoptimised build are meaningless.
    pub fn is_optimized(&self) -> bool {
        !matches!(self.opt_level.as_str(), "0" | "unknown")
    }
}
