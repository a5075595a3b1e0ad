//! Connection URLs of the service's backing stores: PostgreSQL and Redis.
//!
//! Each URL is stored once, as text, with its parts kept as byte ranges into it, so a parsed URL
//! costs one allocation. Passwords never appear in `Debug` or `Display` output.

use std::fmt;
use std::net::Ipv6Addr;

/// The longest URL accepted (and the reason byte ranges fit in `u16`).
pub const MAX_URL_BYTES: usize = 2048;

/// The longest PostgreSQL database name (`NAMEDATALEN - 1`).
pub const MAX_DATABASE_NAME_BYTES: usize = 63;

/// How many logical databases a default Redis server has (`databases 16`).
pub const REDIS_DATABASES: u8 = 16;

/// What is wrong with a connection URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    /// Longer than [`MAX_URL_BYTES`].
    TooLong,
    /// Whitespace or a control character.
    InvalidCharacter,
    /// The scheme is not one of those expected.
    Scheme(&'static str),
    /// `user:password@` holds a character that must be percent-encoded, or a bad `%` escape.
    InvalidUserInfo,
    /// No host.
    MissingHost,
    /// The host is not a valid hostname, IPv4 or bracketed IPv6 address.
    InvalidHost,
    /// The port is not a number.
    InvalidPort,
    /// The port is outside 1..=65535.
    PortOutOfRange,
    /// No database name after the host.
    MissingDatabase,
    /// The database name has characters other than letters, digits, `_`, `-`, `$`, or is too long.
    InvalidDatabase,
    /// The Redis database index is not a number below [`REDIS_DATABASES`].
    DatabaseIndexOutOfRange,
    /// A `#fragment`, which connection URLs do not have.
    Fragment,
}

impl fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong => write!(f, "longer than {MAX_URL_BYTES} bytes"),
            Self::InvalidCharacter => f.write_str("contains whitespace or a control character"),
            Self::Scheme(expected) => write!(f, "scheme must be {expected}"),
            Self::InvalidUserInfo => {
                f.write_str("user or password holds a character that must be percent-encoded")
            }
            Self::MissingHost => f.write_str("no host"),
            Self::InvalidHost => f.write_str("host is not a valid hostname or IP address"),
            Self::InvalidPort => f.write_str("port is not a number"),
            Self::PortOutOfRange => f.write_str("port is outside 1..=65535"),
            Self::MissingDatabase => {
                f.write_str("no database name (expected /name after the host)")
            }
            Self::InvalidDatabase => write!(
                f,
                "database name must be 1 to {MAX_DATABASE_NAME_BYTES} letters, digits, `_`, `-` or `$`"
            ),
            Self::DatabaseIndexOutOfRange => {
                write!(f, "database index must be a number in 0..{REDIS_DATABASES}")
            }
            Self::Fragment => f.write_str("connection URLs have no #fragment"),
        }
    }
}

/// A byte range of a URL's text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u16,
    end: u16,
}

impl Span {
    fn of(start: usize, len: usize) -> Self {
        // Callers check the text is at most MAX_URL_BYTES long, which fits in u16.
        Self {
            start: start as u16,
            end: (start + len) as u16,
        }
    }

    fn get(self, text: &str) -> &str {
        &text[usize::from(self.start)..usize::from(self.end)]
    }

    fn get_nonempty(self, text: &str) -> Option<&str> {
        Some(self.get(text)).filter(|s| !s.is_empty())
    }
}

/// The parts of `[user[:password]@]host[:port]` after the scheme, and where the authority ends.
struct Authority {
    user: Span,
    password: Span,
    host: Span,
    port: Option<u16>,
    end: usize,
}

/// Splits `text` after `scheme://` into authority parts; `start` is the index just past `//`.
fn parse_authority(text: &str, start: usize) -> Result<Authority, UrlProblem> {
    let rest = &text[start..];
    let end = start + rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &text[start..end];

    let (user, password, host_start) = match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            if !is_userinfo(user) || !is_userinfo(password) {
                return Err(UrlProblem::InvalidUserInfo);
            }
            (
                Span::of(start, user.len()),
                Span::of(start + user.len() + 1, password.len()),
                start + at + 1,
            )
        }
        None => (Span::default(), Span::default(), start),
    };

    let host_port = &text[host_start..end];
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let close = bracketed.find(']').ok_or(UrlProblem::InvalidHost)?;
        if bracketed[..close].parse::<Ipv6Addr>().is_err() {
            return Err(UrlProblem::InvalidHost);
        }
        let after = &bracketed[close + 1..];
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(UrlProblem::InvalidHost)?),
        };
        (Span::of(host_start + 1, close), port)
    } else {
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        };
        if host.is_empty() {
            return Err(UrlProblem::MissingHost);
        }
        if !is_hostname(host) {
            return Err(UrlProblem::InvalidHost);
        }
        (Span::of(host_start, host.len()), port)
    };

    let port = port.map(parse_port).transpose()?;
    Ok(Authority {
        user,
        password,
        host,
        port,
        end,
    })
}

fn parse_port(port: &str) -> Result<u16, UrlProblem> {
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlProblem::InvalidPort);
    }
    match port.parse::<u32>() {
        Ok(port @ 1..=65535) => Ok(port as u16),
        _ => Err(UrlProblem::PortOutOfRange),
    }
}

/// Checks the length and characters every URL must satisfy, and strips one of `schemes`;
/// returns the index just past `://`.
fn check_text_and_scheme(
    text: &str,
    schemes: &[&str],
    expected: &'static str,
) -> Result<usize, UrlProblem> {
    if text.len() > MAX_URL_BYTES {
        return Err(UrlProblem::TooLong);
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(UrlProblem::InvalidCharacter);
    }
    if text.contains('#') {
        return Err(UrlProblem::Fragment);
    }
    schemes
        .iter()
        .find(|scheme| {
            text.len() >= scheme.len() + 3
                && text[..scheme.len()].eq_ignore_ascii_case(scheme)
                && text[scheme.len()..].starts_with("://")
        })
        .map(|scheme| scheme.len() + 3)
        .ok_or(UrlProblem::Scheme(expected))
}

/// A user or password: unreserved characters, sub-delimiters and `%XX` escapes (RFC 3986).
fn is_userinfo(part: &str) -> bool {
    let bytes = part.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return false;
                }
                i += 3;
                continue;
            }
            b if b.is_ascii_alphanumeric() => {}
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+'
            | b',' | b';' | b'=' => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

/// A hostname (or dotted IPv4): labels of 1..=63 letters, digits, `_` and inner hyphens, ≤ 253 bytes.
/// (`_` is not valid DNS but common in container service names, and libpq accepts it.)
fn is_hostname(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A PostgreSQL connection URL: `postgresql://[user[:password]@]host[:port]/database[?options]`.
///
/// ```
/// use mcp_service::config::PostgresUrl;
///
/// let url = PostgresUrl::parse("postgresql://app:s3cret@db.internal:6432/mcp?sslmode=require").unwrap();
/// assert_eq!((url.host(), url.port(), url.database()), ("db.internal", 6432, "mcp"));
/// assert_eq!((url.user(), url.password()), (Some("app"), Some("s3cret")));
/// assert!(!url.to_string().contains("s3cret"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    text: Box<str>,
    user: Span,
    password: Span,
    host: Span,
    database: Span,
    port: u16,
}

impl PostgresUrl {
    /// The port used when the URL names none.
    pub const DEFAULT_PORT: u16 = 5432;

    /// Parses and validates a PostgreSQL URL (scheme `postgresql` or `postgres`).
    ///
    /// # Errors
    /// The first problem found.
    pub fn parse(text: &str) -> Result<Self, UrlProblem> {
        let start = check_text_and_scheme(
            text,
            &["postgresql", "postgres"],
            "postgresql:// or postgres://",
        )?;
        let authority = parse_authority(text, start)?;
        let path = &text[authority.end..];
        let path = &path[..path.find('?').unwrap_or(path.len())];
        let database = path.strip_prefix('/').unwrap_or("");
        if database.is_empty() {
            return Err(UrlProblem::MissingDatabase);
        }
        if database.len() > MAX_DATABASE_NAME_BYTES
            || !database
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'$'))
        {
            return Err(UrlProblem::InvalidDatabase);
        }
        Ok(Self {
            text: text.into(),
            user: authority.user,
            password: authority.password,
            host: authority.host,
            database: Span::of(authority.end + 1, database.len()),
            port: authority.port.unwrap_or(Self::DEFAULT_PORT),
        })
    }

    /// The URL as given (it contains the password: do not log it).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The user name, if given (still percent-encoded).
    pub fn user(&self) -> Option<&str> {
        self.user.get_nonempty(&self.text)
    }

    /// The password, if given (still percent-encoded).
    pub fn password(&self) -> Option<&str> {
        self.password.get_nonempty(&self.text)
    }

    /// The host name or address (an IPv6 address without its brackets).
    pub fn host(&self) -> &str {
        self.host.get(&self.text)
    }

    /// The port (5432 when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database name.
    pub fn database(&self) -> &str {
        self.database.get(&self.text)
    }
}

impl fmt::Display for PostgresUrl {
    /// The URL with its password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_redacted(f, &self.text, self.password)
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

/// A Redis connection URL: `redis://[[user]:password@]host[:port][/db]` (`rediss://` for TLS).
///
/// ```
/// use mcp_service::config::RedisUrl;
///
/// let url = RedisUrl::parse("rediss://:token@cache.internal/3").unwrap();
/// assert_eq!((url.host(), url.port(), url.database(), url.tls()), ("cache.internal", 6379, 3, true));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl {
    text: Box<str>,
    user: Span,
    password: Span,
    host: Span,
    port: u16,
    database: u8,
    tls: bool,
}

impl RedisUrl {
    /// The port used when the URL names none.
    pub const DEFAULT_PORT: u16 = 6379;

    /// Parses and validates a Redis URL.
    ///
    /// # Errors
    /// The first problem found.
    pub fn parse(text: &str) -> Result<Self, UrlProblem> {
        let start = check_text_and_scheme(text, &["redis", "rediss"], "redis:// or rediss://")?;
        let authority = parse_authority(text, start)?;
        let path = &text[authority.end..];
        let path = &path[..path.find('?').unwrap_or(path.len())];
        let database = match path.strip_prefix('/').unwrap_or(path) {
            "" => 0,
            index if index.len() <= 2 && index.bytes().all(|b| b.is_ascii_digit()) => {
                match index.parse::<u8>() {
                    Ok(index) if index < REDIS_DATABASES => index,
                    _ => return Err(UrlProblem::DatabaseIndexOutOfRange),
                }
            }
            _ => return Err(UrlProblem::DatabaseIndexOutOfRange),
        };
        Ok(Self {
            text: text.into(),
            user: authority.user,
            password: authority.password,
            host: authority.host,
            port: authority.port.unwrap_or(Self::DEFAULT_PORT),
            database,
            tls: start == "rediss://".len(),
        })
    }

    /// The URL as given (it may contain a password: do not log it).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The ACL user name, if given.
    pub fn user(&self) -> Option<&str> {
        self.user.get_nonempty(&self.text)
    }

    /// The password, if given.
    pub fn password(&self) -> Option<&str> {
        self.password.get_nonempty(&self.text)
    }

    /// The host name or address (an IPv6 address without its brackets).
    pub fn host(&self) -> &str {
        self.host.get(&self.text)
    }

    /// The port (6379 when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The logical database index (0 when the URL names none).
    pub fn database(&self) -> u8 {
        self.database
    }

    /// Whether the connection uses TLS (`rediss://`).
    pub fn tls(&self) -> bool {
        self.tls
    }
}

impl fmt::Display for RedisUrl {
    /// The URL with its password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_redacted(f, &self.text, self.password)
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({self})")
    }
}

fn write_redacted(f: &mut fmt::Formatter<'_>, text: &str, password: Span) -> fmt::Result {
    if password.start == password.end {
        return f.write_str(text);
    }
    let (start, end) = (usize::from(password.start), usize::from(password.end));
    write!(f, "{}***{}", &text[..start], &text[end..])
}

/// `text` with anything between `://…:` and `@` replaced by `***`: for error messages about URLs
/// that did not parse.
pub(crate) fn redact_unparsed(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|i| i + 3) else {
        return text.to_owned();
    };
    let rest = &text[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}***{}",
            &text[..scheme_end + colon + 1],
            &text[scheme_end + at..]
        ),
        _ => text.to_owned(),
    }
}
