//! Writing output files so that a killed run never leaves a truncated file that looks
//! complete: every file is written to a temporary name in the same directory, flushed, synced
//! and then renamed over the final name.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` atomically with the bytes `write` produces.
///
/// # Errors
/// Any I/O error, with the path in its message (`fs-err`).
pub fn write_atomic<F>(path: &Path, write: F) -> std::io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let temporary = temporary_name(path);
    let result = (|| {
        let file = fs_err::File::create(&temporary)?;
        let mut writer = BufWriter::new(file);
        write(&mut writer)?;
        let file = writer
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs_err::rename(&temporary, path)
    })();
    if result.is_err() {
        // Best effort: the temporary file is not the output, so leaving it would only confuse.
        let _ = fs_err::remove_file(&temporary);
    }
    result
}

fn temporary_name(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let result = write_atomic(&path, |w| {
            w.write_all(b"half a row")?;
            Err(std::io::Error::other("killed"))
        });
        assert!(result.is_err());
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_write_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, |w| w.write_all(b"new contents")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new contents");
    }
}
