//! Where a decision log is: a file path (an SQLite database) or a PostgreSQL URL
//! (`postgres://` or `postgresql://`), and how a target is shown to people: a URL's
//! password is never printed ([`Target::redacted`]).

use std::path::PathBuf;

/// A decision log's target, as `--decision-log` names it.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (it may hold a password: shown only redacted).
    Postgres(String),
}

impl Target {
    /// Reads `--decision-log TARGET`: a `postgres://` or `postgresql://` URL (the scheme
    /// in any case), else a file path.
    pub fn parse(text: &str) -> Target {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Target::Postgres(text.to_string())
        } else {
            Target::Sqlite(PathBuf::from(text))
        }
    }

    /// The target as it may be printed: a file's path, or the URL with its password (in
    /// the user information or a `password` parameter) replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            Target::Sqlite(path) => path.display().to_string(),
            Target::Postgres(url) => redact_url(url),
        }
    }
}

/// Never shows a password, even in `{:?}`.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Sqlite(path) => write!(f, "Sqlite({path:?})"),
            Target::Postgres(_) => write!(f, "Postgres({:?})", self.redacted()),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `url` with the password of its user information and of any `password=` parameter
/// replaced by `***` (everything else as written).
fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let (head, rest) = url.split_at(scheme_end);
    // The authority ends at the first '/', '?' or '#'; its user information at its last '@'.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    match authority.rfind('@') {
        Some(at) => {
            let (userinfo, host) = authority.split_at(at);
            match userinfo.find(':') {
                Some(colon) => {
                    out.push_str(userinfo.get(..colon).unwrap_or(""));
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            out.push_str(host);
        }
        None => out.push_str(authority),
    }
    match tail.find('?') {
        None => out.push_str(tail),
        Some(q) => {
            let (path, query) = tail.split_at(q + 1);
            out.push_str(path);
            let (query, fragment) = match query.find('#') {
                Some(h) => query.split_at(h),
                None => (query, ""),
            };
            for (i, pair) in query.split('&').enumerate() {
                if i > 0 {
                    out.push('&');
                }
                match pair.split_once('=') {
                    Some((key, _)) if is_password_key(key) => {
                        out.push_str(key);
                        out.push_str("=***");
                    }
                    _ => out.push_str(pair),
                }
            }
            out.push_str(fragment);
        }
    }
    out
}

/// `password`, also percent-encoded in any part.
fn is_password_key(key: &str) -> bool {
    let decoded = key
        .to_ascii_lowercase()
        .replace("%61", "a")
        .replace("%70", "p")
        .replace("%73", "s")
        .replace("%77", "w")
        .replace("%6f", "o")
        .replace("%72", "r")
        .replace("%64", "d");
    decoded == "password"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_postgres_and_everything_else_a_file() {
        assert!(matches!(
            Target::parse("postgres://h/db"),
            Target::Postgres(_)
        ));
        assert!(matches!(
            Target::parse("PostgreSQL://h/db"),
            Target::Postgres(_)
        ));
        assert!(matches!(Target::parse("postgres:/h"), Target::Sqlite(_)));
        assert!(matches!(Target::parse("log.db"), Target::Sqlite(_)));
        assert!(matches!(Target::parse(""), Target::Sqlite(_)));
    }

    #[test]
    fn a_password_is_never_shown() {
        for (url, shown) in [
            (
                "postgres://u:s3cret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u:s3c@ret@h/db", "postgres://u:***@h/db"),
            ("postgres://u@h/db", "postgres://u@h/db"),
            (
                "postgres://h/db?user=u&password=s3cret&sslmode=disable",
                "postgres://h/db?user=u&password=***&sslmode=disable",
            ),
            (
                "postgres://h/db?%70assword=s3cret",
                "postgres://h/db?%70assword=***",
            ),
            (
                "postgresql://u:s3cret@h1,h2/db?password=s3cret#x",
                "postgresql://u:***@h1,h2/db?password=***#x",
            ),
            (
                "postgres://u:s3cret@h?password=s3cret",
                "postgres://u:***@h?password=***",
            ),
        ] {
            let target = Target::parse(url);
            assert_eq!(target.redacted(), shown, "{url}");
            assert!(!format!("{target:?}").contains("s3c"), "{url}");
            assert!(!target.to_string().contains("s3c"), "{url}");
        }
    }
}
