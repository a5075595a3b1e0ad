//! The errors of a configuration: every invalid variable, with what is wrong and its value.

use std::fmt;

use super::url::UrlProblem;

/// Every problem found in one configuration, one entry per variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub(crate) errors: Vec<ConfigError>,
}

impl ConfigErrors {
    pub(crate) fn one(error: ConfigError) -> Self {
        Self {
            errors: vec![error],
        }
    }

    /// The problems, in the order the variables are read.
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// The problem with `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&ConfigError> {
        self.errors.iter().find(|e| e.field == field)
    }

    /// The names of the variables with a problem.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.errors.iter().map(|e| e.field)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} invalid configuration variable(s):",
            self.errors.len()
        )?;
        for error in &self.errors {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// One invalid variable: its name, what is wrong, and the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable's name, e.g. `"DATABASE_URL"`.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: ConfigProblem,
    /// The offending value (passwords in URLs replaced by `***`); `None` when missing.
    pub value: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={value:?}: {}", self.field, self.problem),
            None => write!(f, "{}: {}", self.field, self.problem),
        }
    }
}

/// What is wrong with a configuration variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigProblem {
    /// Required, and neither set nor defaulted.
    Missing,
    /// Not a whole number.
    NotANumber,
    /// A number outside the accepted range.
    OutOfRange {
        /// Smallest accepted value.
        min: u64,
        /// Largest accepted value.
        max: u64,
    },
    /// Not one of the accepted names.
    NotOneOf(&'static [&'static str]),
    /// Not `true`/`false` (or `1`/`0`, `yes`/`no`, `on`/`off`).
    NotABool,
    /// Not an IPv4 or IPv6 address.
    NotAnIpAddress,
    /// A URL with a problem.
    Url(UrlProblem),
    /// Larger than the value of another variable it must not exceed.
    Exceeds {
        /// The other variable.
        other: &'static str,
        /// Its value.
        limit: u64,
    },
    /// The embedded defaults do not parse (a bug in the crate, caught by its tests).
    InvalidDefaults(String),
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("required but not set"),
            Self::NotANumber => f.write_str("not a whole number"),
            Self::OutOfRange { min, max } => write!(f, "outside {min}..={max}"),
            Self::NotOneOf(names) => write!(f, "must be one of {}", names.join(", ")),
            Self::NotABool => f.write_str("must be true or false"),
            Self::NotAnIpAddress => f.write_str("not an IP address"),
            Self::Url(problem) => write!(f, "invalid URL: {problem}"),
            Self::Exceeds { other, limit } => write!(f, "exceeds {other} ({limit})"),
            Self::InvalidDefaults(message) => write!(f, "embedded defaults are invalid: {message}"),
        }
    }
}
