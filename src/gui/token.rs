//! Where the server token is kept between runs: a file in the user's configuration folder that
//! only the user can read (mode 0600), never in the app's settings file.

use std::path::PathBuf;

fn token_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("gov", "TTB", "ttb-verifier").map(|d| d.config_dir().join("server-token"))
}

/// The saved token, if any.
pub fn load() -> Option<String> {
    let text = std::fs::read_to_string(token_path()?).ok()?;
    let token = text.trim().to_string();
    (!token.is_empty()).then_some(token)
}

/// Saves the token (an empty one removes the file). Returns a message when that failed.
pub fn save(token: &str) -> Result<(), String> {
    let path = token_path().ok_or("no configuration folder for this user")?;
    if token.trim().is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("cannot remove {}: {e}", path.display())),
            _ => Ok(()),
        };
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_private(&path, token.trim()).map_err(|e| format!("cannot save the token in {}: {e}", path.display()))
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    // An existing file keeps its old mode on open: tighten it too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
