//! Settings: built-in defaults, then an optional TOML file, then `SUPERVISION_*` environment
//! variables (each overrides the one before). Every key is documented in the README.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::push::{PushPolicy, PushServices};

/// Environment variables are this prefix plus the key in upper case.
pub const ENV_PREFIX: &str = "SUPERVISION_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Folder for the SQLite database, the signing secret and other local state.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://...`; defaults to `sqlite://<data_dir>/supervision.db`.
    pub database_url: Option<String>,
    /// Address and port to listen on.
    pub bind: String,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// Largest connection pool the server opens.
    pub db_max_connections: u32,
    /// Secret for signing access tokens; generated into `<data_dir>/jwt-secret` if unset.
    pub jwt_secret: Option<String>,
    /// The VAPID private key (base64url, from `supervision vapid-keys`); generated into
    /// `<data_dir>/vapid-private-key` if unset.
    pub vapid_private_key: Option<String>,
    /// The contact push services see in the VAPID `sub` claim: `mailto:` or `https:`.
    pub vapid_subject: String,
    /// Seconds to wait for a push service's answer.
    pub push_timeout_seconds: u64,
    /// The push services devices may subscribe at (REM-1): host names, comma-separated, a
    /// `*.` prefix for any name under a domain.
    pub push_allowed_hosts: String,
    /// A test aid: lets endpoints be a push receiver on this machine (loopback, plain HTTP).
    pub push_allow_loopback: bool,
    pub access_token_ttl_seconds: i64,
    pub refresh_token_ttl_days: i64,
    /// Failed sign-ins allowed per account within the login window.
    pub login_max_failures_per_account: usize,
    /// Failed sign-ins allowed per client address within the login window (successes do not
    /// count, so an office behind one address is not locked out; the name is kept for
    /// existing configurations).
    pub login_max_attempts_per_address: usize,
    pub login_window_seconds: u64,
    /// Use the first address of `X-Forwarded-For` as the client's, and the proxy's forwarded
    /// scheme and host for the refresh cookie (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    pub idempotency_ttl_hours: i64,
    /// E-mail of the administrator created on first start when there is none.
    pub admin_email: String,
    pub log_format: LogFormat,
    /// A tracing filter such as `info` or `supervision=debug,actix_web=info`.
    pub log_level: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            data_dir: PathBuf::from("data"),
            database_url: None,
            bind: "127.0.0.1:8080".to_string(),
            workers: 0,
            db_max_connections: 8,
            jwt_secret: None,
            vapid_private_key: None,
            vapid_subject: "mailto:admin@supervision.local".to_string(),
            push_timeout_seconds: 10,
            push_allowed_hosts: crate::domain::push::DEFAULT_PUSH_SERVICES.to_string(),
            push_allow_loopback: false,
            access_token_ttl_seconds: 15 * 60,
            refresh_token_ttl_days: 30,
            login_max_failures_per_account: 5,
            login_max_attempts_per_address: 30,
            login_window_seconds: 15 * 60,
            trust_forwarded_for: false,
            // A full supervision record (REC, API-5 bounds) is a few hundred KB at most.
            max_body_bytes: 512 * 1024,
            idempotency_ttl_hours: 24,
            admin_email: "admin@supervision.local".to_string(),
            log_format: LogFormat::Text,
            log_level: "info".to_string(),
        }
    }
}

/// Keys whose values are text (or unset by default), so an environment value is never read
/// as a number or a boolean.
const TEXT_KEYS: [&str; 10] = [
    "data_dir",
    "database_url",
    "bind",
    "jwt_secret",
    "vapid_private_key",
    "vapid_subject",
    "push_allowed_hosts",
    "admin_email",
    "log_format",
    "log_level",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid settings: {0}")]
    Invalid(String),
    #[error("cannot keep a secret key in {path}: {source}")]
    Secret {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Settings {
    /// Defaults, then the file (if any), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let text = match file {
            Some(path) => {
                Some(
                    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                        path: path.to_path_buf(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        Settings::from_sources(text.as_deref(), &env)
    }

    fn from_sources(file: Option<&str>, env: &[(String, String)]) -> Result<Settings, ConfigError> {
        let mut table = match file {
            Some(text) => toml::from_str::<toml::Table>(text)
                .map_err(|e| ConfigError::Invalid(e.to_string()))?,
            None => toml::Table::new(),
        };
        let known = toml::Table::try_from(Settings::default())
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        for (name, raw) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX).map(str::to_lowercase) else {
                continue;
            };
            let is_text = TEXT_KEYS.contains(&key.as_str());
            // Other SUPERVISION_* variables (the test suite's, say) are not settings.
            if !is_text && !known.contains_key(&key) {
                continue;
            }
            let value = if is_text {
                toml::Value::String(raw.clone())
            } else {
                format!("v = {raw}")
                    .parse::<toml::Table>()
                    .ok()
                    .and_then(|mut parsed| parsed.remove("v"))
                    .ok_or_else(|| {
                        ConfigError::Invalid(format!("{name}: `{raw}` is not a valid value"))
                    })?
            };
            table.insert(key, value);
        }
        let settings: Settings = table
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |what: &str| Err(ConfigError::Invalid(what.to_string()));
        if self.access_token_ttl_seconds < 60 || self.access_token_ttl_seconds > 3600 {
            return bad("access_token_ttl_seconds must be between 60 and 3600");
        }
        if self.refresh_token_ttl_days < 1 || self.refresh_token_ttl_days > 365 {
            return bad("refresh_token_ttl_days must be between 1 and 365");
        }
        if self.max_body_bytes < 1024 {
            return bad("max_body_bytes must be at least 1024");
        }
        if self.jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return bad("jwt_secret must be at least 32 characters");
        }
        if self.db_max_connections == 0 {
            return bad("db_max_connections must be at least 1");
        }
        if !(self.vapid_subject.starts_with("mailto:")
            || self.vapid_subject.starts_with("https://"))
        {
            return bad("vapid_subject must be a mailto: or https: URL");
        }
        if !(1..=120).contains(&self.push_timeout_seconds) {
            return bad("push_timeout_seconds must be between 1 and 120");
        }
        PushServices::parse(&self.push_allowed_hosts)
            .map_err(|e| ConfigError::Invalid(format!("push_allowed_hosts: {e}")))?;
        if let Some(key) = &self.vapid_private_key {
            crate::push::VapidKeys::from_private(key)
                .map_err(|e| ConfigError::Invalid(format!("vapid_private_key: {e}")))?;
        }
        Ok(())
    }

    /// Where pushes may go (REM-1).
    pub fn push_policy(&self) -> PushPolicy {
        PushPolicy {
            // Checked by `validate`; a list built in code falls back to the default.
            services: PushServices::parse(&self.push_allowed_hosts).unwrap_or_default(),
            allow_loopback: self.push_allow_loopback,
        }
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir.join("supervision.db").display()
            )
        })
    }

    /// The configured secret, or the one kept in the data folder (made on first start, readable
    /// by the owner only) so a restart does not sign everyone out.
    pub fn signing_secret(&self) -> Result<String, ConfigError> {
        if let Some(secret) = &self.jwt_secret {
            return Ok(secret.clone());
        }
        let path = self.data_dir.join("jwt-secret");
        let io = |source| ConfigError::Secret {
            path: path.clone(),
            source,
        };
        crate::private_files::existing_file(&path).map_err(io)?;
        match std::fs::read_to_string(&path) {
            Ok(secret) if secret.trim().len() >= 32 => return Ok(secret.trim().to_string()),
            Ok(_) => {
                return Err(io(std::io::Error::other(
                    "the file is shorter than 32 characters",
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        crate::private_files::folder(&self.data_dir).map_err(io)?;
        let secret = crate::auth::tokens::new_secret();
        write_private(&path, &secret).map_err(io)?;
        Ok(secret)
    }
}

impl Settings {
    /// The configured VAPID key, or the one kept in the data folder (made on first start,
    /// readable by the owner only): devices subscribed with its public key keep working
    /// across restarts.
    pub fn vapid_keys(&self) -> Result<crate::push::VapidKeys, ConfigError> {
        use crate::push::VapidKeys;
        if let Some(key) = &self.vapid_private_key {
            return VapidKeys::from_private(key).map_err(ConfigError::Invalid);
        }
        let path = self.data_dir.join("vapid-private-key");
        let io = |source| ConfigError::Secret {
            path: path.clone(),
            source,
        };
        crate::private_files::existing_file(&path).map_err(io)?;
        match std::fs::read_to_string(&path) {
            Ok(key) => {
                return VapidKeys::from_private(&key).map_err(|e| io(std::io::Error::other(e)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        crate::private_files::folder(&self.data_dir).map_err(io)?;
        let keys = VapidKeys::generate();
        write_private(&path, keys.private_key()).map_err(io)?;
        Ok(keys)
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let file = "bind = \"0.0.0.0:9000\"\nlogin_window_seconds = 60\n";
        let settings = Settings::from_sources(
            Some(file),
            &env(&[
                ("SUPERVISION_BIND", "127.0.0.1:7000"),
                ("SUPERVISION_TRUST_FORWARDED_FOR", "true"),
                ("SUPERVISION_JWT_SECRET", "12345678901234567890123456789012"),
                ("SUPERVISION_TEST_POSTGRES_URL", "postgres://ignored"),
                ("OTHER", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(settings.bind, "127.0.0.1:7000");
        assert_eq!(settings.login_window_seconds, 60);
        assert!(settings.trust_forwarded_for);
        // A numeric-looking secret stays text.
        assert_eq!(
            settings.jwt_secret.as_deref(),
            Some("12345678901234567890123456789012")
        );
        assert_eq!(settings.max_body_bytes, 512 * 1024);
        assert_eq!(settings.database_url(), "sqlite://data/supervision.db");
    }

    #[test]
    fn unknown_file_keys_and_bad_values_are_refused() {
        assert!(Settings::from_sources(Some("bnid = \"x\""), &[]).is_err());
        assert!(Settings::from_sources(None, &env(&[("SUPERVISION_WORKERS", "many")])).is_err());
        assert!(Settings::from_sources(None, &env(&[("SUPERVISION_LOG_FORMAT", "xml")])).is_err());
        assert!(
            Settings::from_sources(None, &env(&[("SUPERVISION_JWT_SECRET", "short")])).is_err()
        );
    }

    /// REM-1: the push allow-list is a comma list; loopback receivers are off unless asked.
    #[test]
    fn rem1_push_settings() {
        let defaults = Settings::from_sources(None, &[]).unwrap().push_policy();
        assert!(!defaults.allow_loopback);
        assert!(defaults.services.allows("fcm.googleapis.com"));
        let settings = Settings::from_sources(
            None,
            &env(&[
                (
                    "SUPERVISION_PUSH_ALLOWED_HOSTS",
                    "push.example,*.push.example.org",
                ),
                ("SUPERVISION_PUSH_ALLOW_LOOPBACK", "true"),
            ]),
        )
        .unwrap()
        .push_policy();
        assert!(settings.allow_loopback);
        assert!(settings.services.allows("a.push.example.org"));
        assert!(!settings.services.allows("fcm.googleapis.com"));
        let env = env(&[("SUPERVISION_PUSH_ALLOWED_HOSTS", "10.0.0.1")]);
        assert!(Settings::from_sources(None, &env).is_err());
    }

    #[test]
    fn every_text_key_is_a_setting() {
        let mut all = toml::Table::try_from(Settings::default()).unwrap();
        all.insert("database_url".into(), "x".into());
        all.insert("jwt_secret".into(), "x".into());
        all.insert("vapid_private_key".into(), "x".into());
        for key in TEXT_KEYS {
            assert!(all.contains_key(key), "{key}");
        }
    }

    #[test]
    fn the_signing_secret_is_made_once_and_kept_private() {
        let dir = std::env::temp_dir().join(format!("supervision-config-{}", uuid::Uuid::now_v7()));
        let settings = Settings {
            data_dir: dir.clone(),
            ..Settings::default()
        };
        let first = settings.signing_secret().unwrap();
        assert_eq!(settings.signing_secret().unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("jwt-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// REM-1: devices subscribe with the public key, so the key pair outlives a restart.
    #[test]
    fn rem1_the_vapid_key_is_made_once_and_kept_private() {
        let dir = std::env::temp_dir().join(format!("supervision-config-{}", uuid::Uuid::now_v7()));
        let settings = Settings {
            data_dir: dir.clone(),
            ..Settings::default()
        };
        let first = settings.vapid_keys().unwrap();
        assert_eq!(
            settings.vapid_keys().unwrap().public_key(),
            first.public_key()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("vapid-private-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let configured = Settings {
            vapid_private_key: Some(first.private_key().to_string()),
            ..Settings::default()
        };
        assert_eq!(
            configured.vapid_keys().unwrap().public_key(),
            first.public_key()
        );
        let env = [(
            "SUPERVISION_VAPID_PRIVATE_KEY".to_string(),
            "nonsense".to_string(),
        )];
        assert!(Settings::from_sources(None, &env).is_err());
        let env = [(
            "SUPERVISION_VAPID_SUBJECT".to_string(),
            "admin@example.org".to_string(),
        )];
        assert!(Settings::from_sources(None, &env).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
