//! Errors of the JSON configuration files, located by file, line, column and field.

use std::path::Path;

use super::ConfigError;

/// A serde_json error in `text` (read from `path`) as a [`ConfigError`] naming the file, line and
/// column, and the field when the error is about a value.
pub fn json_error(path: &Path, text: &str, error: &serde_json::Error) -> ConfigError {
    let (mut line, mut column) = (error.line(), error.column());
    let mut message = strip_position(&error.to_string());
    // A value that failed its check (serde names fields itself in its own messages, in backticks).
    let about_a_value =
        error.classify() == serde_json::error::Category::Data && !message.contains('`');
    if let Some((field, key_offset)) = field_at(text, line, column).filter(|_| about_a_value) {
        message = format!("field `{field}`: {message}");
        // serde_json reports a bad value where it stopped reading, possibly on a later line;
        // point at the field's key instead.
        (line, column) = position(text, key_offset);
    }
    ConfigError::JsonFile {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// serde_json appends " at line L column C"; we print the position first instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// 1-based line and column of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    (line, column)
}

/// The name of the innermost `"key":` that precedes the 1-based `line`/`column` in `text`, and the
/// byte offset of its opening quote.
fn field_at(text: &str, line: usize, column: usize) -> Option<(String, usize)> {
    let mut offset = 0;
    for (index, row) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            offset += column.min(row.len());
            break;
        }
        offset += row.len();
    }
    let before = text.get(..offset.min(text.len()))?;
    let colon = before.rfind(':')?;
    let key_end = before[..colon].trim_end().strip_suffix('"')?;
    let key_start = key_end.rfind('"')?;
    let key = &key_end[key_start + 1..];
    (!key.is_empty() && !key.contains(['{', '}', ','])).then(|| (key.to_string(), key_start))
}
