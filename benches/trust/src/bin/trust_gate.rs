//! The perf gate of the trust benchmark's functions.
perfgate_runtime::main!(perfgate_trust);
