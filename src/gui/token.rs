//! Where the server token is kept between runs: the system keyring (macOS Keychain, Windows
//! Credential Manager, the Secret Service of a Linux desktop) where one answers, else a file in
//! the user's configuration folder that only the user can read (mode 0600). Never in the
//! settings file.
//!
//! A token saved in the keyring removes the file, so no copy lingers beside it; a machine
//! without a keyring (a server, a bare X session) keeps the file.

use std::path::{Path, PathBuf};

const SERVICE: &str = "ttb-verifier";
const ACCOUNT: &str = "server-token";

/// A secure store of one secret.
trait Vault {
    fn get(&self) -> Result<Option<String>, String>;
    fn set(&self, secret: &str) -> Result<(), String>;
    fn delete(&self) -> Result<(), String>;
}

/// The operating system's keyring, through the `keyring` crate.
struct SystemKeyring {
    account: String,
}

impl SystemKeyring {
    fn entry(&self) -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, &self.account).map_err(|e| e.to_string())
    }
}

impl Vault for SystemKeyring {
    fn get(&self) -> Result<Option<String>, String> {
        match self.entry()?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn set(&self, secret: &str) -> Result<(), String> {
        self.entry()?.set_password(secret).map_err(|e| e.to_string())
    }

    fn delete(&self) -> Result<(), String> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Where a saved token went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Keyring,
    File(PathBuf),
    /// An empty token: removed from both.
    Removed,
}

struct TokenStore {
    keyring: Option<Box<dyn Vault>>,
    file: Option<PathBuf>,
}

impl TokenStore {
    fn for_user() -> Self {
        let file =
            directories::ProjectDirs::from("gov", "TTB", "ttb-verifier").map(|d| d.config_dir().join("server-token"));
        Self { keyring: Some(Box::new(SystemKeyring { account: ACCOUNT.into() })), file }
    }

    fn load(&self) -> Option<String> {
        if let Some(Ok(Some(token))) = self.keyring.as_ref().map(|k| k.get()) {
            let token = token.trim().to_string();
            if !token.is_empty() {
                return Some(token);
            }
        }
        let text = std::fs::read_to_string(self.file.as_ref()?).ok()?;
        let token = text.trim().to_string();
        (!token.is_empty()).then_some(token)
    }

    fn save(&self, token: &str) -> Result<Place, String> {
        let token = token.trim();
        if token.is_empty() {
            if let Some(keyring) = &self.keyring {
                // A keyring that does not answer holds no token either.
                let _ = keyring.delete();
            }
            if let Some(file) = &self.file {
                remove_file(file)?;
            }
            return Ok(Place::Removed);
        }
        if let Some(keyring) = &self.keyring
            && keyring.set(token).is_ok()
        {
            if let Some(file) = &self.file {
                remove_file(file)?;
            }
            return Ok(Place::Keyring);
        }
        let path = self.file.clone().ok_or("no keyring answers and there is no configuration folder for this user")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        write_private(&path, token).map_err(|e| format!("cannot save the token in {}: {e}", path.display()))?;
        Ok(Place::File(path))
    }
}

fn remove_file(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("cannot remove {}: {e}", path.display())),
        _ => Ok(()),
    }
}

/// The saved token, if any.
pub fn load() -> Option<String> {
    TokenStore::for_user().load()
}

/// Saves the token (an empty one removes it). Returns a message when that failed.
pub fn save(token: &str) -> Result<Place, String> {
    TokenStore::for_user().save(token)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    // An existing file keeps its old mode on open: tighten it too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// A keyring in memory, or one that refuses everything (`None`).
    struct Memory(Option<Rc<RefCell<Option<String>>>>);

    impl Vault for Memory {
        fn get(&self) -> Result<Option<String>, String> {
            self.0.as_ref().map(|s| s.borrow().clone()).ok_or_else(|| "no keyring".into())
        }
        fn set(&self, secret: &str) -> Result<(), String> {
            let store = self.0.as_ref().ok_or("no keyring")?;
            *store.borrow_mut() = Some(secret.into());
            Ok(())
        }
        fn delete(&self) -> Result<(), String> {
            let store = self.0.as_ref().ok_or("no keyring")?;
            *store.borrow_mut() = None;
            Ok(())
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_keyring_that_answers_keeps_the_token_and_no_file_lingers() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config/server-token");
        let secret = Rc::new(RefCell::new(None));
        // An older token in the file, from before the keyring was used.
        let plain = TokenStore { keyring: None, file: Some(file.clone()) };
        assert_eq!(plain.save("old").unwrap(), Place::File(file.clone()));

        let store = TokenStore { keyring: Some(Box::new(Memory(Some(Rc::clone(&secret))))), file: Some(file.clone()) };
        assert_eq!(store.load().as_deref(), Some("old"), "read from the file while the keyring has none");
        assert_eq!(store.save(" s3cret ").unwrap(), Place::Keyring);
        assert_eq!(secret.borrow().as_deref(), Some("s3cret"));
        assert!(!file.exists(), "the file copy is removed");
        assert_eq!(store.load().as_deref(), Some("s3cret"));
        assert_eq!(store.save("").unwrap(), Place::Removed);
        assert_eq!(store.load(), None);
    }

    #[test]
    fn without_a_keyring_the_token_is_a_file_only_the_user_reads() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config/server-token");
        let store = TokenStore { keyring: Some(Box::new(Memory(None))), file: Some(file.clone()) };
        assert_eq!(store.save("s3cret").unwrap(), Place::File(file.clone()));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "s3cret");
        #[cfg(unix)]
        assert_eq!(mode(&file), 0o600);
        assert_eq!(store.load().as_deref(), Some("s3cret"));
        assert_eq!(store.save("").unwrap(), Place::Removed);
        assert!(!file.exists());
    }

    /// This machine's own keyring: the token goes there if it answers, else to the private file.
    #[test]
    fn the_system_keyring_or_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("server-token");
        let account = format!("test-{}", std::process::id());
        let store = TokenStore {
            keyring: Some(Box::new(SystemKeyring { account: account.clone() })),
            file: Some(file.clone()),
        };
        match store.save("s3cret").unwrap() {
            Place::Keyring => {
                assert_eq!(SystemKeyring { account }.get().unwrap().as_deref(), Some("s3cret"));
                assert!(!file.exists());
            }
            Place::File(path) => {
                assert_eq!(path, file);
                #[cfg(unix)]
                assert_eq!(mode(&file), 0o600);
            }
            Place::Removed => panic!("a token was given"),
        }
        assert_eq!(store.load().as_deref(), Some("s3cret"));
        assert_eq!(store.save("").unwrap(), Place::Removed);
        assert_eq!(store.load(), None);
    }
}
