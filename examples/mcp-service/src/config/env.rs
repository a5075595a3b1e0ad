//! The environment a configuration is read from.

/// A set of environment variables (name → value), kept sorted by name for lookups.
///
/// Build it from pairs, or from the process with [`EnvMap::from_process`].
///
/// ```
/// use mcp_service::EnvMap;
///
/// let env: EnvMap = [("PORT", "8080"), ("ENVIRONMENT", "test")].into_iter().collect();
/// assert_eq!(env.get("PORT"), Some("8080"));
/// assert_eq!(env.get("HOME"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvMap {
    vars: Vec<(String, String)>,
}

impl EnvMap {
    /// An empty environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// The variables of the current process (those whose name and value are valid Unicode).
    pub fn from_process() -> Self {
        std::env::vars().collect()
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let (name, value) = (name.into(), value.into());
        match self.position(&name) {
            Ok(i) => self.vars[i].1 = value,
            Err(i) => self.vars.insert(i, (name, value)),
        }
    }

    /// Removes `name`; returns its value if it was set.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.position(name).ok().map(|i| self.vars.remove(i).1)
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.position(name).ok().map(|i| self.vars[i].1.as_str())
    }

    /// The variables, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many variables are set.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether no variable is set.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.vars.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut env = Self::new();
        for (name, value) in iter {
            env.set(name, value);
        }
        env
    }
}
