//! Reading a configuration file: a regular file only (a FIFO would block the gate forever and a
//! device such as `/dev/zero` never ends), of bounded size, in UTF-8.

use std::fs::{self, File, FileType};
use std::io::{self, Read};
use std::path::Path;

use super::ConfigError;
use super::json_text::line_column;

/// The largest budgets or settings file read: far beyond any real one (a budget is a few hundred
/// bytes), small enough that reading it costs nothing.
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// The text of the configuration file at `path` (symbolic links followed), or `None` when nothing
/// is there.
pub fn read_config(path: &Path) -> Result<Option<String>, ConfigError> {
    let read_error = |source: io::Error| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(read_error(source)),
    };
    if !metadata.is_file() {
        return Err(ConfigError::NotAFile {
            path: path.to_path_buf(),
            kind: describe_file_type(metadata.file_type()),
        });
    }
    let too_large = || ConfigError::TooLarge {
        path: path.to_path_buf(),
        limit_bytes: MAX_CONFIG_BYTES,
    };
    if metadata.len() > MAX_CONFIG_BYTES {
        return Err(too_large());
    }
    // The file may grow while it is read (or be replaced after the check): read one byte more
    // than the limit at most.
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(too_large());
    }
    decode(path, bytes).map(Some)
}

/// `bytes` as text; invalid UTF-8 is an error at its line and column.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, ConfigError> {
    let error = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(error) => error,
    };
    let bytes = error.as_bytes();
    let valid_up_to = error.utf8_error().valid_up_to();
    let before = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
    let before = strip_bom(before);
    let (line, column) = line_column(before, before.len());
    let message = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8".to_string()
    } else {
        format!(
            "invalid UTF-8 (byte 0x{:02X}): the file must be UTF-8 text",
            bytes[valid_up_to]
        )
    };
    Err(ConfigError::JsonFile {
        path: path.to_path_buf(),
        line,
        column,
        message,
    })
}

/// `text` without a leading UTF-8 byte order mark, which some Windows editors write; RFC 8259
/// lets a parser ignore it, and no editor shows it, so positions are counted after it.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// What a file that is not a regular one is, for an error: "a named pipe (FIFO)".
pub fn describe_file_type(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "perfgate-config-files-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn nothing_there_is_none_and_a_directory_is_an_error() {
        let dir = scratch("dir");
        assert!(read_config(&dir.join("absent.json")).unwrap().is_none());
        let error = read_config(&dir).unwrap_err().to_string();
        assert!(
            error.contains("a directory") && error.contains("not a regular file"),
            "{error}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_pipes_are_refused_without_reading() {
        // `/dev/null` stands for `/dev/zero` (the same kind of file, checked the same way): if the
        // check ever broke, reading it would end at once instead of exhausting memory.
        let error = read_config(Path::new("/dev/null")).unwrap_err().to_string();
        assert!(
            error.contains("/dev/null") && error.contains("character device"),
            "{error}"
        );
        let dir = scratch("fifo");
        let fifo = dir.join("budgets.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|status| status.success()) {
            // Opening a FIFO with no writer would block this test forever.
            let error = read_config(&fifo).unwrap_err().to_string();
            assert!(error.contains("named pipe"), "{error}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn huge_files_are_refused_without_reading() {
        let dir = scratch("huge");
        let path = dir.join("budgets.json");
        // Sparse: takes no disk space.
        File::create(&path)
            .unwrap()
            .set_len(MAX_CONFIG_BYTES + 1)
            .unwrap();
        let error = read_config(&path).unwrap_err().to_string();
        assert!(
            error.contains("16 MiB") && error.contains("budgets.json"),
            "{error}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn invalid_utf8_has_a_position_and_utf16_a_hint() {
        let path = Path::new("b.json");
        let error = decode(path, b"[\n  {\"op\xc3\xa9\xff\": 1}]".to_vec()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "b.json:2:8: invalid UTF-8 (byte 0xFF): the file must be UTF-8 text"
        );
        let error = decode(path, vec![0xff, 0xfe, b'[', 0])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("b.json:1:1:") && error.contains("UTF-16"),
            "{error}"
        );
    }
}
