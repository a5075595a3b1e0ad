//! Errors of the JSON configuration files, located by file, line, column and field, and worded in
//! JSON's vocabulary (`array`, `object`, `a number`), never in the Rust types values are read into.

use std::path::Path;

use super::ConfigError;
use super::json_text::{Scan, line_column, scan_to, serde_offset};

/// A serde_json error in `text` (read from `path`) as a [`ConfigError`] naming the file, line and
/// column (in characters), and the field when the error is about a value.
pub fn json_error(path: &Path, text: &str, error: &serde_json::Error) -> ConfigError {
    let offset = serde_offset(text, error.line(), error.column());
    let scan = scan_to(text, offset);
    let mut message = in_json_terms(&strip_position(&error.to_string()));
    let about_a_value = error.classify() == serde_json::error::Category::Data
        || message.starts_with("number out of range");
    let token = bad_token(text, offset).filter(|_| scan.string_start.is_none());
    let named_a_token = token.is_some();
    let at = match token {
        // What serde_json read is not what was written (`0x10` read as `0` then `x`): name the
        // token, not whatever serde_json made of its start.
        Some((start, problem)) => {
            message = if message.starts_with("trailing characters") {
                format!("{message}: {problem}")
            } else {
                problem
            };
            start
        }
        // A missing field is noticed at its object's end; point at the object.
        None if message.starts_with("missing field") => scan.container_start.unwrap_or(offset),
        // serde_json reports a bad value where it stopped reading, possibly on a later line;
        // point at the field's key instead.
        None if about_a_value => match scan.key() {
            Some((_, key_offset)) => key_offset,
            None => value_start(text, offset, error.column(), &message, &scan),
        },
        None if message.starts_with("EOF while parsing a value") && text.trim().is_empty() => {
            message = "the file is empty, and an empty file is not JSON".into();
            offset
        }
        None => offset,
    };
    if let Some(field) = scan
        .field()
        .filter(|_| (about_a_value || named_a_token) && !message.contains("field `"))
    {
        message = format!("field `{field}`: {message}");
    }
    match text.get(offset..).and_then(|rest| rest.chars().next()) {
        Some('\u{feff}') => {
            message.push_str(" (a byte order mark, U+FEFF, is in the way: remove it)");
        }
        // An invisible or look-alike character where JSON expected something: say which.
        Some(c) if !about_a_value && !c.is_ascii_graphic() && c != ' ' && !named_a_token => {
            message.push_str(&format!(" (found U+{:04X})", u32::from(c)));
        }
        _ => {}
    }
    let (line, column) = line_column(text, at);
    ConfigError::JsonFile {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Where the value an error is about starts.
///
/// serde_json places an error about a value at the last byte it read (of a scalar: its last
/// byte) or, with column 0, before the line's first byte. An array or object of the wrong type is
/// not read at all, so the error lands before it.
fn value_start(text: &str, offset: usize, column: usize, message: &str, scan: &Scan) -> usize {
    if message.starts_with("invalid type: array") || message.starts_with("invalid type: object") {
        let from = if column == 0 { offset } else { offset + 1 };
        return text
            .get(from..)
            .and_then(|rest| rest.find(['[', '{']))
            .map_or(offset, |index| from + index);
    }
    if let Some(start) = scan.string_start {
        return start;
    }
    let bytes = text.as_bytes();
    (0..=offset.min(bytes.len().saturating_sub(1)))
        .rev()
        .take_while(|&i| is_token_byte(bytes[i]))
        .last()
        .unwrap_or(offset)
}

/// serde_json appends " at line L column C"; we print the position first instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// `message` with serde's Rust vocabulary (`sequence`, `map`, `f64`, `usize`, `struct Name`)
/// replaced by JSON's, outside backticks (which quote the user's own keys and values).
pub fn in_json_terms(message: &str) -> String {
    const PHRASES: [(&str, &str); 10] = [
        ("invalid type: sequence", "invalid type: array"),
        ("invalid type: map", "invalid type: object"),
        ("invalid type: unit value", "invalid type: null"),
        ("invalid type: floating point ", "invalid type: number "),
        ("invalid type: integer ", "invalid type: number "),
        ("invalid value: floating point ", "invalid value: number "),
        ("invalid value: integer ", "invalid value: number "),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected an object"),
        ("expected path string", "expected a string"),
    ];
    const NUMBERS: [&str; 2] = ["f64", "f32"];
    const WHOLE_NUMBERS: [&str; 10] = [
        "usize", "u64", "u32", "u16", "u8", "isize", "i64", "i32", "i16", "i8",
    ];
    message
        .split('`')
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                return part.to_string();
            }
            let mut part = part.to_string();
            for (rust, json) in PHRASES {
                part = part.replace(rust, json);
            }
            let words: Vec<String> = part
                .split(' ')
                .map(|word| {
                    let bare = word.trim_end_matches([',', ';', ':', '.']);
                    let tail = &word[bare.len()..];
                    if NUMBERS.contains(&bare) {
                        format!("a number{tail}")
                    } else if WHOLE_NUMBERS.contains(&bare) {
                        format!("a whole number{tail}")
                    } else {
                        word.to_string()
                    }
                })
                .collect();
            replace_struct_names(&words.join(" "))
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// `text` with `struct BudgetRecord` (serde's "expected" for a struct) as `an object`.
fn replace_struct_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(index) = rest.find("struct ") {
        out.push_str(&rest[..index]);
        let after = &rest[index + "struct ".len()..];
        let name_end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        out.push_str(if name_end == 0 {
            "struct "
        } else {
            "an object"
        });
        rest = &after[name_end..];
    }
    out.push_str(rest);
    out
}

/// Characters of a bare JSON token (a number or literal) and of the usual mistakes for one.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'-' | b'.' | b'_')
}

/// The bare token at (or just before) byte `offset`, when it is not valid JSON: its start and
/// what is wrong with it (`0x10`, `NaN`, `+1`, `.5`, `True`, an unquoted word).
fn bad_token(text: &str, offset: usize) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let mut at = offset.min(bytes.len());
    if at == bytes.len() || !is_token_byte(bytes[at]) {
        if at > 0 && is_token_byte(bytes[at - 1]) {
            at -= 1;
        } else {
            return None;
        }
    }
    let start = (0..=at)
        .rev()
        .take_while(|&i| is_token_byte(bytes[i]))
        .last()?;
    let end = (at..bytes.len())
        .find(|&i| !is_token_byte(bytes[i]))
        .unwrap_or(bytes.len());
    let token = &text[start..end];
    if is_json_number(token) || matches!(token, "true" | "false" | "null") {
        return None;
    }
    Some((
        start,
        format!("`{token}` is not valid JSON: {}", token_problem(token)),
    ))
}

/// Why `token` (not valid JSON) is not, and what to write instead.
fn token_problem(token: &str) -> String {
    let lower = token.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['-', '+']);
    if let Some(digits) = unsigned.strip_prefix("0x") {
        let value = i128::from_str_radix(digits, 16)
            .ok()
            .map(|v| if lower.starts_with('-') { -v } else { v });
        return match value {
            Some(v) => format!("hexadecimal numbers are not JSON (write {v})"),
            None => "hexadecimal numbers are not JSON (write the number in decimal)".into(),
        };
    }
    if matches!(unsigned, "nan" | "inf" | "infinity") {
        return "JSON has no NaN or infinity: write a finite number".into();
    }
    if matches!(lower.as_str(), "true" | "false" | "null") {
        return format!("JSON's literals are lowercase (write {lower})");
    }
    if let Some(literal) = ["true", "false", "null"]
        .into_iter()
        .find(|literal| literal.starts_with(&lower) || lower.starts_with(literal))
    {
        return format!("did you mean {literal}?");
    }
    if matches!(lower.as_str(), "none" | "nil" | "undefined") {
        return "JSON writes a missing value as null (or leave the field out)".into();
    }
    if !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return format!("text is written in double quotes (\"{token}\")");
    }
    let mut problems = Vec::new();
    if token.starts_with('+') {
        problems.push("a number has no leading `+`");
    }
    if token.contains('_') {
        problems.push("a number has no `_` separators");
    }
    let integer = unsigned.split(['.', 'e']).next().unwrap_or("");
    if integer.len() > 1 && integer.starts_with('0') {
        problems.push("a number has no leading zeros");
    }
    if unsigned.starts_with('.') {
        problems.push("a fraction needs a digit before the point (0.5)");
    }
    if unsigned.contains(".e") || unsigned.ends_with('.') {
        problems.push("a point needs a digit after it (5.0)");
    }
    if problems.is_empty() {
        "not a JSON number".into()
    } else {
        problems.join("; ")
    }
}

/// Whether `token` is a number as JSON writes one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(token: &str) -> bool {
    let digits = |s: &str| -> usize { s.bytes().take_while(u8::is_ascii_digit).count() };
    let mut rest = token.strip_prefix('-').unwrap_or(token);
    match digits(rest) {
        0 => return false,
        n if n > 1 && rest.starts_with('0') => return false,
        n => rest = &rest[n..],
    }
    if let Some(fraction) = rest.strip_prefix('.') {
        match digits(fraction) {
            0 => return false,
            n => rest = &fraction[n..],
        }
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        match digits(exponent) {
            0 => return false,
            n => rest = &exponent[n..],
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_type_names_become_json_terms_outside_backticks() {
        assert_eq!(
            in_json_terms("invalid type: boolean `true`, expected f64"),
            "invalid type: boolean `true`, expected a number"
        );
        assert_eq!(
            in_json_terms("invalid value: integer `-1`, expected usize"),
            "invalid value: number `-1`, expected a whole number"
        );
        assert_eq!(
            in_json_terms("invalid type: sequence, expected struct BudgetRecord"),
            "invalid type: array, expected an object"
        );
        assert_eq!(
            in_json_terms("unknown field `struct f64`, expected `a`"),
            "unknown field `struct f64`, expected `a`"
        );
    }

    #[test]
    fn json_numbers_are_recognised() {
        for good in ["0", "-0", "12", "1.5", "1e308", "-2.5E-3", "0.0"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in [
            "0x10", "+1", ".5", "5.", "007", "1e", "1_000", "-", "NaN", "1.e5",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn bad_tokens_are_named_with_what_to_write() {
        let text = r#"{"a": 0x10}"#;
        let (start, message) = bad_token(text, text.find('x').unwrap()).unwrap();
        assert_eq!(start, text.find('0').unwrap());
        assert!(
            message.contains("`0x10`") && message.contains("hexadecimal") && message.contains("16"),
            "{message}"
        );
        let problem = |token: &str| token_problem(token);
        assert!(problem("NaN").contains("no NaN"));
        assert!(problem("True").contains("write true"));
        assert!(problem("+1").contains("leading `+`"));
        assert!(problem(".5").contains("0.5"));
        assert!(problem("fast").contains("\"fast\""));
        assert!(problem("tru").contains("did you mean true?"));
        assert!(problem("falsey").contains("did you mean false?"));
        assert!(problem("007").contains("leading zeros"));
        // A valid token, or none at all, is not the problem.
        assert_eq!(bad_token("[1,,", 3), None);
        assert_eq!(bad_token("[-2}", 3), None);
    }
}
