//! Exports the build's optimisation level and the compiler version, so the harness can refuse to
//! trust timings from an unoptimised build and can fingerprint the toolchain in its reports.

fn main() {
    let opt_level = std::env::var("OPT_LEVEL").unwrap_or_else(|_| "unknown".into());
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=PERFGATE_OPT_LEVEL={opt_level}");
    println!("cargo:rustc-env=PERFGATE_PROFILE={profile}");
    println!("cargo:rustc-env=PERFGATE_RUSTC_VERSION={version}");
    println!("cargo:rerun-if-changed=build.rs");
}
