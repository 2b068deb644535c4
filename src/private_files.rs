//! The data folder and the SQLite database hold supervision records (ACC-2) and secrets: only
//! the service's own user may read them. Folders are made 0700 and files 0600, and ones made
//! looser by an older version or by hand are tightened at start-up, with a warning in the log.

use std::io;
use std::path::Path;

const FOLDER_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents readable by the owner only, or tightens `dir` if
/// it exists looser.
pub fn folder(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, FOLDER_MODE);
    builder.create(dir)?;
    tighten(dir, FOLDER_MODE)
}

/// Creates missing parents of `path` readable by the owner only, leaving existing ones (a
/// folder the operator chose) as they are.
pub fn parents(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.exists() => folder(parent),
        _ => Ok(()),
    }
}

/// Creates `path` empty if missing, readable by the owner only, or tightens it if it exists
/// looser. SQLite gives the `-wal` and `-shm` files it makes the mode of the database file.
pub fn file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options.open(path)?;
    tighten(path, FILE_MODE)
}

/// Tightens an existing file to owner-only, if the group or others may read it.
pub fn existing_file(path: &Path) -> io::Result<()> {
    tighten(path, FILE_MODE)
}

#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions().mode() & 0o777,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
        tracing::warn!(
            path = %path.display(),
            was = format!("{current:o}"),
            now = format!("{:o}", current & mode),
            "others could read this; made it readable by the service's user only"
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}
