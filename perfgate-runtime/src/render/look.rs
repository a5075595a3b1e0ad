//! How an operation's verdict looks in each output: its words, badge class and emoji. An
//! operation that could not be measured is a FAIL with an error, and looks like an error.

use crate::report::Operation;
use crate::verdict::{GateCode, Verdict};

/// The presentation of one operation's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    Ignored,
    Pass,
    Warn,
    Fail,
    /// Could not be measured.
    Error,
    Block,
}

impl Look {
    pub fn of(op: &Operation) -> Look {
        match op.verdict {
            Verdict::Ignored => Look::Ignored,
            Verdict::Pass => Look::Pass,
            Verdict::Warn => Look::Warn,
            Verdict::Fail if op.error.is_some() => Look::Error,
            Verdict::Fail => Look::Fail,
            Verdict::Block => Look::Block,
        }
    }

    /// The badge's words without the emoji (for pages that cannot count on an emoji font).
    pub fn words(self) -> &'static str {
        match self {
            Look::Pass => "MEETS TARGET",
            Look::Warn => "MARGINAL",
            Look::Fail => "EXCEEDS TARGET",
            Look::Block => "BLOCKS DEPLOYMENT",
            Look::Error => "ERROR",
            Look::Ignored => "SKIPPED",
        }
    }

    /// The CSS class of the badge and section in the HTML report.
    pub fn class(self) -> &'static str {
        match self {
            Look::Pass => "pass",
            Look::Warn => "warn",
            Look::Fail => "fail",
            Look::Error => "error",
            Look::Block => "block",
            Look::Ignored => "ignored",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Look::Pass => "✅",
            Look::Warn => "⚠️",
            Look::Fail => "❌",
            Look::Block => "🛑",
            Look::Error => "💥",
            Look::Ignored => "⏭️",
        }
    }
}

/// The emoji of a gate code.
pub fn gate_emoji(code: GateCode) -> &'static str {
    match code {
        GateCode::Pass => "✅",
        GateCode::Warn => "⚠️",
        GateCode::Fail => "❌",
        GateCode::Block => "🛑",
        GateCode::Error => "💥",
    }
}

/// The CSS class of a gate code.
pub fn gate_class(code: GateCode) -> &'static str {
    match code {
        GateCode::Pass => "pass",
        GateCode::Warn => "warn",
        GateCode::Fail => "fail",
        GateCode::Block => "block",
        GateCode::Error => "error",
    }
}
