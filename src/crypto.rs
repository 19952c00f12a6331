//! Secret box for tokens at rest: AES-256-GCM with a random 96-bit nonce per
//! message and the key id stored beside every ciphertext, so keys can rotate
//! without a flag day. Keys come from `AIMPACT_ENCRYPTION_KEYS`
//! (`id:base64key,…`; the first encrypts, all decrypt) or from a key file in
//! the data directory that `serve` writes once when no key is configured.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use secrecy::SecretString;

/// Length of an AES-256 key in bytes.
const KEY_LEN: usize = 32;
/// Length of the GCM nonce stored in front of every ciphertext.
const NONCE_LEN: usize = 12;
/// Name of the key file `serve` generates in the data directory.
pub const KEY_FILE_NAME: &str = "aimpact.key";

/// Why a key list could not be used. Messages name the entry or key id,
/// never key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// No key at all in the list.
    #[error("no keys in the list; expected `id:base64key[,id:base64key…]`")]
    Empty,
    /// An entry without the `id:key` shape.
    #[error("entry {position} is not `id:base64key` (ids use letters, digits, `-` and `_`)")]
    Malformed {
        /// 1-based position in the list.
        position: usize,
    },
    /// The key part is not base64.
    #[error("key `{id}` is not valid base64")]
    NotBase64 {
        /// The key's id.
        id: String,
    },
    /// The key does not decode to 32 bytes.
    #[error(
        "key `{id}` is {len} bytes; AES-256 needs 32 (generate one with `aimpact keys generate`)"
    )]
    WrongLength {
        /// The key's id.
        id: String,
        /// Decoded length.
        len: usize,
    },
    /// Two keys share one id, so a ciphertext's key would be ambiguous.
    #[error("key id `{id}` appears twice")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
}

/// Why a ciphertext could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The ciphertext names a key that is not configured.
    #[error(
        "secret is encrypted with key `{0}`, which is not configured; add it back to AIMPACT_ENCRYPTION_KEYS"
    )]
    UnknownKeyId(String),
    /// Authentication failed: a different key, a tampered or a moved ciphertext.
    #[error("secret under key `{0}` does not decrypt: wrong key or tampered ciphertext")]
    Undecryptable(String),
    /// Decrypted bytes are not UTF-8 text although a token was expected.
    #[error("secret under key `{0}` is not text")]
    NotText(String),
}

/// A ciphertext together with the id of the key that sealed it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Id of the sealing key, stored in `credential.key_id`.
    pub key_id: String,
    /// Nonce followed by ciphertext and tag, stored in `credential.ciphertext`.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// The configured keys; the first one seals, any of them opens.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(String, Aes256Gcm)>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Keyring {
    /// Parses `id:base64key` entries separated by commas or newlines.
    pub fn parse(list: &str) -> Result<Self, KeyError> {
        let mut keys: Vec<(String, Aes256Gcm)> = Vec::new();
        let entries = list
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty() && !e.starts_with('#'));
        for (index, entry) in entries.enumerate() {
            let position = index + 1;
            let (id, encoded) = entry
                .split_once(':')
                .map(|(id, key)| (id.trim(), key.trim()))
                .filter(|(id, _)| valid_id(id))
                .ok_or(KeyError::Malformed { position })?;
            let bytes = STANDARD
                .decode(encoded)
                .map_err(|_| KeyError::NotBase64 { id: id.to_string() })?;
            if bytes.len() != KEY_LEN {
                return Err(KeyError::WrongLength {
                    id: id.to_string(),
                    len: bytes.len(),
                });
            }
            if keys.iter().any(|(existing, _)| existing == id) {
                return Err(KeyError::DuplicateId { id: id.to_string() });
            }
            let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes));
            keys.push((id.to_string(), cipher));
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Self { keys })
    }

    /// A fresh random key as one `id:base64key` entry, for `keys generate`
    /// and the key file.
    pub fn generate_entry() -> String {
        let mut key = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut key);
        let mut suffix = [0u8; 3];
        OsRng.fill_bytes(&mut suffix);
        let id = format!(
            "k{}-{:02x}{:02x}{:02x}",
            chrono::Utc::now().format("%Y%m%d"),
            suffix[0],
            suffix[1],
            suffix[2]
        );
        format!("{id}:{}", STANDARD.encode(key))
    }

    /// Id of the key new secrets are sealed with.
    pub fn current_id(&self) -> &str {
        self.keys.first().map(|(id, _)| id.as_str()).unwrap_or("")
    }

    /// Ids of all configured keys, newest first.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(id, _)| id.as_str())
    }

    /// Seals `plaintext` under the current key. `aad` binds the ciphertext
    /// to where it is stored (org and secret name), so a ciphertext copied to
    /// another org's row does not open.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Sealed {
        let (id, cipher) = &self.keys[0];
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption with a valid key and nonce cannot fail for inputs below
        // GCM's 64 GiB message limit, far above any token.
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            key_id: id.clone(),
            bytes,
        }
    }

    /// Opens a sealed secret with the key it names.
    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(id, _)| *id == sealed.key_id)
            .ok_or_else(|| CryptoError::UnknownKeyId(sealed.key_id.clone()))?;
        if sealed.bytes.len() < NONCE_LEN {
            return Err(CryptoError::Undecryptable(sealed.key_id.clone()));
        }
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Undecryptable(sealed.key_id.clone()))
    }

    /// Opens a sealed token as text that never prints in `Debug`.
    pub fn open_text(&self, sealed: &Sealed, aad: &[u8]) -> Result<SecretString, CryptoError> {
        let bytes = self.open(sealed, aad)?;
        String::from_utf8(bytes)
            .map(SecretString::from)
            .map_err(|_| CryptoError::NotText(sealed.key_id.clone()))
    }
}

/// Where the keyring came from; `serve` logs it once at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `AIMPACT_ENCRYPTION_KEYS`.
    Environment,
    /// An existing key file.
    File(PathBuf),
    /// A key file written just now because no key was configured.
    Generated(PathBuf),
}

/// Why no keyring could be loaded. Each message says what is wrong and
/// what to do, on one line.
#[derive(Debug, thiserror::Error)]
pub enum KeyLoadError {
    /// The environment variable is set but unusable.
    #[error("AIMPACT_ENCRYPTION_KEYS: {0}")]
    Environment(KeyError),
    /// The key file exists but cannot be read.
    #[error(
        "key file {path}: cannot read it ({source}); fix its permissions or set AIMPACT_ENCRYPTION_KEYS"
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key file's content is unusable.
    #[error("key file {path}: {source}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: KeyError,
    },
    /// No key anywhere and this command does not create one.
    #[error(
        "no encryption key: set AIMPACT_ENCRYPTION_KEYS or run `aimpact serve` once to create {0}"
    )]
    Missing(PathBuf),
    /// The key file could not be written.
    #[error("key file {path}: cannot create it ({source}); check AIMPACT_DATA_DIR")]
    Unwritable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Loads the keyring: from `env_keys` when set, else from the key file in
/// `data_dir`, else (when `generate` is true) by writing a new key file with
/// mode 0600.
pub fn load_keyring(
    env_keys: Option<&str>,
    data_dir: &Path,
    generate: bool,
) -> Result<(Keyring, KeySource), KeyLoadError> {
    if let Some(list) = env_keys {
        let ring = Keyring::parse(list).map_err(KeyLoadError::Environment)?;
        return Ok((ring, KeySource::Environment));
    }
    let path = data_dir.join(KEY_FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let ring = Keyring::parse(&text).map_err(|source| KeyLoadError::Malformed {
                path: path.clone(),
                source,
            })?;
            Ok((ring, KeySource::File(path)))
        }
        Err(e) if e.kind() == ErrorKind::NotFound && generate => {
            let entry = Keyring::generate_entry();
            write_key_file(&path, &entry)?;
            let ring = Keyring::parse(&entry).map_err(|source| KeyLoadError::Malformed {
                path: path.clone(),
                source,
            })?;
            Ok((ring, KeySource::Generated(path)))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Err(KeyLoadError::Missing(path)),
        Err(source) => Err(KeyLoadError::Unreadable { path, source }),
    }
}

fn write_key_file(path: &Path, entry: &str) -> Result<(), KeyLoadError> {
    let unwritable = |source| KeyLoadError::Unwritable {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(unwritable)?;
    }
    // create_new: two processes starting at once must not overwrite each
    // other's key; mode 0600: only this user may read it.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(unwritable)?;
    writeln!(
        file,
        "# aimpact encryption key (id:base64). Back it up: without it stored tokens cannot be decrypted.\n{entry}"
    )
    .map_err(unwritable)?;
    file.sync_all().map_err(unwritable)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(id: &str, byte: u8) -> String {
        format!("{id}:{}", STANDARD.encode([byte; KEY_LEN]))
    }

    #[test]
    fn a_sealed_secret_opens_with_the_same_aad_only() {
        let ring = Keyring::parse(&entry("k1", 7)).unwrap();
        let sealed = ring.seal(b"xoxb-secret", b"org:1:slack_bot_token");
        assert_eq!(sealed.key_id, "k1");
        assert!(!sealed.bytes.windows(11).any(|w| w == b"xoxb-secret"));
        assert_eq!(
            ring.open(&sealed, b"org:1:slack_bot_token").unwrap(),
            b"xoxb-secret"
        );
        assert_eq!(
            ring.open(&sealed, b"org:2:slack_bot_token"),
            Err(CryptoError::Undecryptable("k1".into()))
        );
    }

    #[test]
    fn the_first_key_seals_and_older_keys_still_open() {
        let old = Keyring::parse(&entry("old", 1)).unwrap();
        let sealed = old.seal(b"t", b"a");
        let both = Keyring::parse(&format!("{},{}", entry("new", 2), entry("old", 1))).unwrap();
        assert_eq!(both.current_id(), "new");
        assert_eq!(both.open(&sealed, b"a").unwrap(), b"t");
        assert_eq!(both.seal(b"t", b"a").key_id, "new");
    }

    #[test]
    fn nonces_are_random() {
        let ring = Keyring::parse(&entry("k", 3)).unwrap();
        assert_ne!(ring.seal(b"same", b"").bytes, ring.seal(b"same", b"").bytes);
    }

    #[test]
    fn a_tampered_ciphertext_is_refused() {
        let ring = Keyring::parse(&entry("k1", 9)).unwrap();
        let mut sealed = ring.seal(b"token", b"aad");
        let last = sealed.bytes.len() - 1;
        sealed.bytes[last] ^= 1;
        assert_eq!(
            ring.open(&sealed, b"aad"),
            Err(CryptoError::Undecryptable("k1".into()))
        );
        sealed.bytes.truncate(3);
        assert!(ring.open(&sealed, b"aad").is_err());
    }

    #[test]
    fn a_missing_key_id_is_named_in_the_error() {
        let ring = Keyring::parse(&entry("k1", 9)).unwrap();
        let sealed = Sealed {
            key_id: "k0".into(),
            bytes: vec![0; 40],
        };
        let err = ring.open(&sealed, b"").unwrap_err();
        assert_eq!(err, CryptoError::UnknownKeyId("k0".into()));
        assert!(err.to_string().contains("`k0`"));
    }

    #[test]
    fn malformed_key_lists_are_explained() {
        assert_eq!(Keyring::parse("").unwrap_err(), KeyError::Empty);
        assert_eq!(
            Keyring::parse("justakey").unwrap_err(),
            KeyError::Malformed { position: 1 }
        );
        assert_eq!(
            Keyring::parse(&format!("{},bad id:xx", entry("a", 1))).unwrap_err(),
            KeyError::Malformed { position: 2 }
        );
        assert_eq!(
            Keyring::parse("k:!!!").unwrap_err(),
            KeyError::NotBase64 { id: "k".into() }
        );
        assert_eq!(
            Keyring::parse(&format!("k:{}", STANDARD.encode([0u8; 16]))).unwrap_err(),
            KeyError::WrongLength {
                id: "k".into(),
                len: 16
            }
        );
        assert_eq!(
            Keyring::parse(&format!("{},{}", entry("a", 1), entry("a", 2))).unwrap_err(),
            KeyError::DuplicateId { id: "a".into() }
        );
    }

    #[test]
    fn debug_output_shows_ids_but_no_key_material() {
        let text = entry("k1", 5);
        let ring = Keyring::parse(&text).unwrap();
        let shown = format!("{ring:?}");
        assert!(shown.contains("k1"));
        assert!(!shown.contains(text.split_once(':').unwrap().1));
    }

    #[test]
    fn generated_entries_parse() {
        let ring = Keyring::parse(&Keyring::generate_entry()).unwrap();
        assert!(ring.current_id().starts_with('k'));
    }

    #[test]
    fn the_key_file_is_created_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (ring, source) = load_keyring(None, dir.path(), true).unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        assert_eq!(source, KeySource::Generated(path.clone()));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let (again, source) = load_keyring(None, dir.path(), true).unwrap();
        assert_eq!(source, KeySource::File(path));
        assert_eq!(again.current_id(), ring.current_id());
    }

    #[test]
    fn without_generate_a_missing_key_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load_keyring(None, dir.path(), false),
            Err(KeyLoadError::Missing(_))
        ));
    }
}
