//! The gate's exit code: the worst verdict of a run, the stage's policy and the settings.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Verdict;

/// The gate's exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GateCode {
    /// 0: every budget met.
    Pass = 0,
    /// 1: minor issues (marginal verdicts, budgets naming no operation).
    Warn = 1,
    /// 2: a budget was violated or an operation failed to run.
    Fail = 2,
    /// 3: deployment must stop (a critical regression with `fail_on_critical_regression`, or any
    /// failure at the `pre_deployment` stage).
    Block = 3,
    /// 4: the gate could not be evaluated (bad configuration, nothing registered).
    Error = 4,
}

impl GateCode {
    /// Every code, by value.
    pub const ALL: [GateCode; 5] = [
        GateCode::Pass,
        GateCode::Warn,
        GateCode::Fail,
        GateCode::Block,
        GateCode::Error,
    ];

    /// The name printed with the code (`PASS` ... `ERROR`).
    pub fn name(self) -> &'static str {
        match self {
            GateCode::Pass => "PASS",
            GateCode::Warn => "WARN",
            GateCode::Fail => "FAIL",
            GateCode::Block => "BLOCK",
            GateCode::Error => "ERROR",
        }
    }

    /// The code of a run whose operations have `verdicts`: the worst verdict, BLOCK for any
    /// failure at the `pre_deployment` stage, WARN for run-level warnings.
    pub fn for_run(
        verdicts: impl IntoIterator<Item = Verdict>,
        has_warnings: bool,
        stage: Option<&str>,
    ) -> GateCode {
        match verdicts.into_iter().max() {
            Some(Verdict::Block) => GateCode::Block,
            Some(Verdict::Fail) if stage == Some(BLOCKING_STAGE) => GateCode::Block,
            Some(Verdict::Fail) => GateCode::Fail,
            Some(Verdict::Warn) => GateCode::Warn,
            _ if has_warnings => GateCode::Warn,
            _ => GateCode::Pass,
        }
    }

    /// The code of an exit status, if it is one of the gate's.
    pub fn from_code(code: i64) -> Option<GateCode> {
        GateCode::ALL.into_iter().find(|g| *g as i64 == code)
    }
}

/// In `report.json` a code is `{"code": 2, "status": "FAIL"}`.
#[derive(Serialize, Deserialize)]
struct GateJson {
    code: i64,
    status: String,
}

impl Serialize for GateCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        GateJson {
            code: *self as i64,
            status: self.name().to_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for GateCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = GateJson::deserialize(deserializer)?;
        let code = GateCode::from_code(json.code).ok_or_else(|| {
            serde::de::Error::custom(format!("gate code {} is not one of 0 to 4", json.code))
        })?;
        if json.status != code.name() {
            return Err(serde::de::Error::custom(format!(
                "gate code {} is {}, not {:?}",
                json.code,
                code.name(),
                json.status
            )));
        }
        Ok(code)
    }
}

/// Where a run's WARN exits 1: in CI and at a `--stage` (gates that must see it), unless the
/// settings say otherwise (`warn_exit_code`). A local run's WARN exits 0, printed loudly, so that a
/// minor issue (a budget naming no operation, a marginal result on a busy laptop) does not fail a
/// developer's whole `cargo test`.
#[derive(Clone, Debug, PartialEq)]
pub struct WarnExit {
    /// The exit code of a WARN: 0 or 1.
    pub code: u8,
    /// Why, in a few words, for the gate line when the code is 0.
    pub why: &'static str,
}

impl WarnExit {
    /// The policy: `setting` (`warn_exit_code`) if given, else 1 when `in_ci` or at a `stage`.
    pub fn new(setting: Option<u8>, in_ci: bool, stage: Option<&str>) -> WarnExit {
        match setting {
            Some(0) => WarnExit {
                code: 0,
                why: "warn_exit_code is 0 in the settings",
            },
            Some(_) => WarnExit {
                code: 1,
                why: "warn_exit_code is 1 in the settings",
            },
            None if in_ci => WarnExit {
                code: 1,
                why: "a CI run (CI is set)",
            },
            None if stage.is_some() => WarnExit {
                code: 1,
                why: "a gate at a --stage",
            },
            None => WarnExit {
                code: 0,
                why: "a local run: a WARN exits 1 only in CI (CI set), at a --stage, or with \
                      warn_exit_code 1",
            },
        }
    }

    /// The process's exit code for a gate's `code`.
    pub fn exit_code(&self, code: GateCode) -> u8 {
        match code {
            GateCode::Warn => self.code,
            other => other as u8,
        }
    }
}

/// Whether the environment is a CI run: `CI` set to anything but empty, `0` or `false` (GitHub
/// Actions, GitLab, Buildkite, CircleCI, Travis and Jenkins' plugins set `CI=true`).
pub fn in_ci(ci: Option<&str>) -> bool {
    ci.is_some_and(|value| !matches!(value.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

/// The stage at which any failure blocks deployment.
pub const BLOCKING_STAGE: &str = "pre_deployment";

/// The gate's code for a run, and the warning to print when the settings changed it.
#[derive(Clone, Debug, PartialEq)]
pub struct GateDecision {
    /// The exit code.
    pub code: GateCode,
    /// Set when `enable_performance_gates` is off and the code would not have been 0.
    pub overridden: Option<String>,
}

/// Combines the verdicts of a run into the gate's code ([`GateCode::for_run`]); then
/// `gates_enabled: false` turns any code into PASS, saying so (`settings` names the file that
/// switched the gates off).
pub fn decide(
    verdicts: impl IntoIterator<Item = Verdict>,
    has_warnings: bool,
    stage: Option<&str>,
    gates_enabled: bool,
    settings: &str,
) -> GateDecision {
    let code = GateCode::for_run(verdicts, has_warnings, stage);
    if gates_enabled || code == GateCode::Pass {
        return GateDecision {
            code,
            overridden: None,
        };
    }
    GateDecision {
        code: GateCode::Pass,
        overridden: Some(format!(
            "performance gates are disabled (enable_performance_gates: false in {settings}): \
             exit code 0 instead of {} ({})",
            code as i32,
            code.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(verdicts: &[Verdict], warnings: bool, stage: Option<&str>) -> GateCode {
        decide(verdicts.iter().copied(), warnings, stage, true, "s.json").code
    }

    #[test]
    fn gate_codes() {
        use Verdict::*;
        assert_eq!(code(&[Pass, Pass], false, None), GateCode::Pass);
        assert_eq!(code(&[Pass, Ignored], true, None), GateCode::Warn);
        assert_eq!(code(&[Pass, Warn], false, None), GateCode::Warn);
        assert_eq!(
            code(&[Warn, Fail], false, Some("integration_tests")),
            GateCode::Fail
        );
        assert_eq!(
            code(&[Fail], false, Some("pre_deployment")),
            GateCode::Block
        );
        assert_eq!(code(&[Pass], false, Some("pre_deployment")), GateCode::Pass);
    }

    #[test]
    fn disabled_gates_pass_and_say_what_they_would_have_been() {
        let decision = decide([Verdict::Fail], false, None, false, "ci.json");
        assert_eq!(decision.code, GateCode::Pass);
        let warning = decision.overridden.unwrap();
        assert!(warning.contains("ci.json") && warning.contains("exit code 0 instead of 2 (FAIL)"));
        assert_eq!(
            decide([Verdict::Pass], false, None, false, "ci.json").overridden,
            None
        );
    }

    #[test]
    fn a_warn_fails_ci_and_staged_gates_and_passes_a_local_run() {
        let local = WarnExit::new(None, false, None);
        assert_eq!(local.exit_code(GateCode::Warn), 0);
        assert!(local.why.contains("local run"), "{}", local.why);
        for other in [
            GateCode::Pass,
            GateCode::Fail,
            GateCode::Block,
            GateCode::Error,
        ] {
            assert_eq!(local.exit_code(other), other as u8, "only a WARN changes");
        }
        assert_eq!(WarnExit::new(None, true, None).exit_code(GateCode::Warn), 1);
        assert_eq!(
            WarnExit::new(None, false, Some("pre_commit")).exit_code(GateCode::Warn),
            1
        );
        assert_eq!(
            WarnExit::new(Some(0), true, Some("x")).exit_code(GateCode::Warn),
            0
        );
        assert_eq!(
            WarnExit::new(Some(1), false, None).exit_code(GateCode::Warn),
            1
        );
        assert!(in_ci(Some("true")) && in_ci(Some("1")) && in_ci(Some("woodpecker")));
        assert!(!in_ci(None) && !in_ci(Some("")) && !in_ci(Some("false")) && !in_ci(Some("0")));
    }

    #[test]
    fn codes_round_trip_through_json() {
        for code in GateCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json["status"], code.name());
            assert_eq!(serde_json::from_value::<GateCode>(json).unwrap(), code);
        }
        let wrong = serde_json::json!({ "code": 2, "status": "PASS" });
        assert!(serde_json::from_value::<GateCode>(wrong).is_err());
        let unknown = serde_json::json!({ "code": 7, "status": "?" });
        assert!(serde_json::from_value::<GateCode>(unknown).is_err());
    }
}
