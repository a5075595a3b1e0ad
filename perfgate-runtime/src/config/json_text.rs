//! Positions in the text of a JSON file: which key a byte offset lies under, and line and column
//! as an editor shows them (columns count characters, not bytes).
//!
//! serde_json reports errors by line and byte column only; these functions recover the rest from
//! the text. They walk the text with an explicit stack (no recursion, so any nesting depth is
//! fine) and never fail: on malformed text they answer as well as the text allows.

/// One step of the way from the root of a JSON document to a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The value of `name` in an object; `offset` is the byte offset of the key's opening quote.
    Key { name: String, offset: usize },
    /// An element of an array, counted from 0.
    Index(usize),
}

/// What lies open at a byte offset of the text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// The containers open at the offset, outermost first: the key being read in each object and
    /// the element being read in each array. An object whose first key is not read yet adds
    /// nothing.
    pub steps: Vec<Step>,
    /// Where the string the offset lies in (a key or a value) opens, if it lies in one.
    pub string_start: Option<usize>,
    /// Where the innermost container open at the offset opens.
    pub container_start: Option<usize>,
}

impl Scan {
    /// The innermost key, when the innermost open container is an object.
    pub fn key(&self) -> Option<(&str, usize)> {
        match self.steps.last()? {
            Step::Key { name, offset } => Some((name, *offset)),
            Step::Index(_) => None,
        }
    }

    /// The keys on the way to the offset joined by dots (`stage_requirements.pre_commit`); array
    /// indices are left out, since the line number already says which element.
    pub fn field(&self) -> Option<String> {
        self.key()?;
        let keys: Vec<&str> = self
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::Key { name, .. } => Some(name.as_str()),
                Step::Index(_) => None,
            })
            .collect();
        Some(keys.join("."))
    }
}

/// An open object or array while walking the text.
struct Frame {
    object: bool,
    /// The offset of its `{` or `[`.
    start: usize,
    /// In an object: the key read last and its offset, until the `,` after its value.
    key: Option<(String, usize)>,
    /// In an object: whether the next string is a key.
    expecting_key: bool,
    /// In an array: the element being read.
    index: usize,
}

/// What is open just before byte `offset` of `text` (everything that starts before it is read).
pub fn scan_to(text: &str, offset: usize) -> Scan {
    let mut frames: Vec<Frame> = Vec::new();
    walk(text, offset, &mut frames, |_, _, _| {});
    let string_start = string_open_at(text, offset);
    let container_start = frames.last().map(|frame| frame.start);
    Scan {
        steps: frames
            .into_iter()
            .map(|frame| match (frame.object, frame.key) {
                (true, Some((name, offset))) => Some(Step::Key { name, offset }),
                (true, None) => None,
                (false, _) => Some(Step::Index(frame.index)),
            })
            .take_while(Option::is_some)
            .flatten()
            .collect(),
        string_start,
        container_start,
    }
}

/// For each element of the top-level array, the byte offset of its `key` (a key of the element
/// itself, not of anything nested in it), or `None` where the element has no such key.
pub fn element_keys(text: &str, key: &str) -> Vec<Option<usize>> {
    let mut found: Vec<Option<usize>> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    walk(text, text.len(), &mut frames, |frames, name, offset| {
        if let [top, element] = frames
            && !top.object
            && element.object
        {
            found.resize(top.index + 1, None);
            if name == key && found[top.index].is_none() {
                found[top.index] = Some(offset);
            }
        }
    });
    found
}

/// Walks `text` up to byte `limit`, keeping `frames` and calling `on_key(frames, key, offset)`
/// for every object key read.
fn walk(
    text: &str,
    limit: usize,
    frames: &mut Vec<Frame>,
    mut on_key: impl FnMut(&[Frame], &str, usize),
) {
    let bytes = text.as_bytes();
    let limit = limit.min(bytes.len());
    let mut i = 0;
    while i < limit {
        match bytes[i] {
            open @ (b'{' | b'[') => frames.push(Frame {
                object: open == b'{',
                start: i,
                key: None,
                expecting_key: open == b'{',
                index: 0,
            }),
            b'}' | b']' => {
                frames.pop();
            }
            b',' => {
                if let Some(frame) = frames.last_mut() {
                    if frame.object {
                        frame.key = None;
                        frame.expecting_key = true;
                    } else {
                        frame.index += 1;
                    }
                }
            }
            b'"' => {
                let end = string_end(bytes, i);
                if let Some(frame) = frames
                    .last_mut()
                    .filter(|frame| frame.object && frame.expecting_key)
                {
                    let name = decode_key(text, i, end);
                    frame.expecting_key = false;
                    frame.key = Some((name.clone(), i));
                    on_key(frames, &name, i);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// The byte offset just after the string opening at `start` (the text's end if it never closes).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Where the string that byte `offset` lies in opens (after its opening quote, up to and with
/// its closing one).
fn string_open_at(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < offset.min(bytes.len()) {
        if bytes[i] == b'"' {
            let end = string_end(bytes, i);
            if offset < end {
                return Some(i);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

/// The key in `text[start..end]` (quotes included), with its escapes decoded.
fn decode_key(text: &str, start: usize, end: usize) -> String {
    let raw = &text[start..end];
    serde_json::from_str::<String>(raw).unwrap_or_else(|_| {
        let inner = raw.strip_prefix('"').unwrap_or(raw);
        inner.strip_suffix('"').unwrap_or(inner).to_string()
    })
}

/// 1-based line and column of byte `offset`, the column counted in characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The byte offset of the byte serde_json's error position (1-based `line`, 1-based byte
/// `column`) designates: the last byte it read or the one it peeked at.
pub fn serde_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        n => text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .nth(n - 2)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_at(text: &str, marker: &str) -> Option<String> {
        scan_to(text, text.find(marker).unwrap()).field()
    }

    #[test]
    fn the_key_path_at_an_offset() {
        let text = r#"[{"a": 1, "b": {"c": [1, {"d": X}]}}, {"e": Y}]"#;
        assert_eq!(key_at(text, "X").as_deref(), Some("b.c.d"));
        assert_eq!(key_at(text, "Y").as_deref(), Some("e"));
        let scan = scan_to(text, text.find('X').unwrap());
        assert_eq!(scan.steps[0], Step::Index(0));
        assert_eq!(scan.steps[3], Step::Index(1));
        // Right after an element's `{`, no key is read yet.
        assert_eq!(scan_to(text, 2).field(), None);
    }

    #[test]
    fn strings_with_brackets_quotes_and_escapes_do_not_confuse_the_walk() {
        let text = r#"{"x": "a \"}\" [", "k\u0065y": Z}"#;
        assert_eq!(key_at(text, "Z").as_deref(), Some("key"));
        let inside = scan_to(text, text.find("[\"").unwrap());
        assert_eq!(inside.string_start, Some(6));
        assert_eq!(inside.container_start, Some(0));
        assert_eq!(scan_to(text, text.find('Z').unwrap()).string_start, None);
    }

    #[test]
    fn deep_nesting_needs_no_recursion() {
        let text = "[".repeat(200_000);
        assert_eq!(scan_to(&text, text.len()).steps.len(), 200_000);
    }

    #[test]
    fn element_keys_ignore_nested_and_textual_look_alikes() {
        let text = r#"[{"d": "\"operation_name\"", "operation_name": "a"},
                       {"x": {"operation_name": "n"}},
                       {"operation_name": "b"}]"#;
        let keys = element_keys(text, "operation_name");
        assert_eq!(keys.len(), 3);
        assert_eq!(line_column(text, keys[0].unwrap()), (1, 30));
        assert_eq!(keys[1], None);
        assert_eq!(line_column(text, keys[2].unwrap()).0, 3);
    }

    #[test]
    fn columns_count_characters() {
        let text = "{\"é€\": 1,\n \"😀\": x}";
        assert_eq!(line_column(text, text.find('x').unwrap()), (2, 7));
        assert_eq!(line_column(text, text.find(": 1").unwrap()), (1, 6));
        // A position inside a character counts that character's start.
        assert_eq!(line_column(text, 3), (1, 3));
    }

    #[test]
    fn serde_positions_map_to_the_designated_byte() {
        let text = "[\n  1,,\n]";
        let offset = serde_offset(text, 2, 5);
        assert_eq!(&text[offset..=offset], ",");
        assert_eq!(offset, text.rfind(',').unwrap());
        assert_eq!(serde_offset(text, 9, 9), text.len());
        assert_eq!(serde_offset("", 1, 0), 0);
    }
}
