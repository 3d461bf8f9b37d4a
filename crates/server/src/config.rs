//! Settings: built-in defaults, then a TOML file (`--config`), then
//! `YIWANG_*` environment variables, then command-line flags. Unknown keys
//! are an error, never silently ignored. `yiwang.example.toml` documents
//! every key.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Address and port to listen on.
    pub listen: String,
    /// The data folder: the SQLite database and uploaded files.
    pub data: PathBuf,
    /// `postgres://user@host/db` to use PostgreSQL; empty for embedded SQLite.
    pub database_url: Option<String>,
    pub log_format: LogFormat,
    /// A tracing filter such as `info` or `yiwang=debug,info`.
    pub log_level: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A request taking longer than this is answered 503.
    pub request_timeout_secs: u64,
    /// Database connections in the pool.
    pub db_max_connections: u32,
    /// Seconds to wait for a database connection before answering 503.
    pub db_acquire_timeout_secs: u64,
    /// SQLite only: fsync every commit so that an acknowledged write survives a power loss.
    pub sqlite_full_sync: bool,
    /// On SIGTERM/SIGINT, how long in-flight requests may take to finish.
    pub shutdown_grace_secs: u64,
    /// Hours a login session lasts.
    pub session_ttl_hours: u64,
    /// Milliseconds a resolved session is kept in memory (0: read it from
    /// the database on every request). A revocation through another
    /// instance takes effect here within this time.
    pub session_cache_ms: u64,
    /// Mark cookies `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Audit key (hex, ≥ 32 digits). Unset: `audit.key` in the data folder, created on first start.
    pub audit_key: Option<String>,
    /// A point outside every grid but within this many metres of one is
    /// snapped to it (and says so); further out it is outside the jurisdiction.
    pub locate_snap_m: f64,
    /// Map background tiles (`https://…/{z}/{x}/{y}.png`). Unset: a blank
    /// background, with no request leaving the server.
    pub map_tile_url: Option<String>,
    /// Largest photo accepted with a report, in bytes.
    pub max_photo_bytes: usize,
    /// A report under the same item within this distance (metres)…
    pub duplicate_distance_m: f64,
    /// …and within this many hours of an open one is linked to it as a duplicate.
    pub duplicate_window_hours: u32,
    /// Warn when this share of a step's time limit is used (督办 warning).
    pub warn_at_share: f64,
    /// Seconds between supervision sweeps; 0 turns the scheduler off.
    pub supervision_interval_secs: u64,
    /// Complaints the public may file per address and hour (per instance).
    pub public_complaints_per_hour: u32,
    /// Folders of the documents' fonts (separated like `PATH`). Unset:
    /// Debian's `fonts-noto-cjk` folder.
    pub font_dir: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data: PathBuf::from("data"),
            database_url: None,
            log_format: LogFormat::Human,
            log_level: "info".into(),
            max_body_bytes: 16 * 1024 * 1024,
            request_timeout_secs: 30,
            db_max_connections: 16,
            db_acquire_timeout_secs: 3,
            sqlite_full_sync: false,
            shutdown_grace_secs: 30,
            session_ttl_hours: 12,
            session_cache_ms: 1000,
            secure_cookies: false,
            audit_key: None,
            locate_snap_m: 200.0,
            map_tile_url: None,
            max_photo_bytes: 10 * 1024 * 1024,
            duplicate_distance_m: 100.0,
            duplicate_window_hours: 24,
            warn_at_share: 0.8,
            supervision_interval_secs: 30,
            public_complaints_per_hour: 20,
            font_dir: None,
        }
    }
}

/// Values given on the command line; `None` leaves the layer below in force.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
}

/// A configuration problem, as one line.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Load from the layers. `env` is the environment to read (tests pass
    /// their own; the binary passes the process environment).
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &Overrides,
    ) -> Result<Settings, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file_exact(path));
        }
        // Environment: YIWANG_LISTEN, YIWANG_DATABASE_URL, …
        let vars: Vec<(String, String)> = env
            .into_iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("YIWANG_")
                    .map(|k| (k.to_ascii_lowercase(), v))
            })
            .collect();
        let env_keys: Vec<String> = vars.iter().map(|(k, _)| k.clone()).collect();
        for (key, value) in vars {
            let parsed: figment::value::Value = value
                .parse::<figment::value::Value>()
                .unwrap_or_else(|_| value.clone().into());
            // Keep text settings as text even when they look like numbers.
            let parsed = if matches!(
                key.as_str(),
                "listen" | "database_url" | "log_level" | "data" | "audit_key"
            ) {
                figment::value::Value::from(value)
            } else {
                parsed
            };
            fig = fig.merge(Serialized::global(&key, parsed));
        }
        fig = fig.merge(Serialized::globals(overrides));
        let settings: Settings = fig
            .extract()
            .map_err(|e| ConfigError(one_line(&e, &env_keys)))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError(format!(
                "listen = {:?} is not an address:port such as 127.0.0.1:8080",
                self.listen
            )));
        }
        if let Some(url) = self.database_url.as_deref().filter(|u| !u.is_empty()) {
            let ok = ["postgres://", "postgresql://", "sqlite:"]
                .iter()
                .any(|p| url.starts_with(p));
            if !ok {
                return Err(ConfigError(format!(
                    "database_url {} is neither postgres://… nor sqlite:…",
                    store::redact_url(url)
                )));
            }
        }
        if self.max_body_bytes < 1024 {
            return Err(ConfigError("max_body_bytes must be at least 1024".into()));
        }
        Ok(())
    }

    pub fn store_config(&self) -> store::StoreConfig {
        store::StoreConfig {
            database_url: self.database_url.clone().filter(|u| !u.trim().is_empty()),
            data_dir: self.data.clone(),
            max_connections: self.db_max_connections,
            acquire_timeout: std::time::Duration::from_secs(self.db_acquire_timeout_secs.max(1)),
            sqlite_full_sync: self.sqlite_full_sync,
        }
    }
}

fn one_line(e: &figment::Error, env_keys: &[String]) -> String {
    e.clone()
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let source = match e.metadata.as_ref().map(|m| m.name.to_string()) {
                Some(name) if name.contains("TOML") => name,
                _ if env_keys.contains(&key) => {
                    format!("environment variable YIWANG_{}", key.to_ascii_uppercase())
                }
                _ => String::new(),
            };
            let what = e.kind.to_string();
            match (key.is_empty(), source.is_empty()) {
                (true, _) => what,
                (false, true) => format!("{key}: {what}"),
                (false, false) => format!("{key}: {what} (from {source})"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
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
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("y.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nlog_level = \"debug\"\n").unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("YIWANG_LOG_LEVEL", "warn"),
                ("YIWANG_MAX_BODY_BYTES", "2048"),
                ("HOME", "/x"),
            ]),
            &Overrides {
                data: Some("/srv/y".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.log_level, "warn");
        assert_eq!(s.max_body_bytes, 2048);
        assert_eq!(s.data, PathBuf::from("/srv/y"));
    }

    #[test]
    fn unknown_keys_are_refused_in_file_and_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("y.toml");
        std::fs::write(&file, "lisen = \"0.0.0.0:9000\"\n").unwrap();
        let e = Settings::load(Some(&file), env(&[]), &Overrides::default()).unwrap_err();
        assert!(e.to_string().contains("lisen"), "{e}");
        let e = Settings::load(
            None,
            env(&[("YIWANG_DATABSE_URL", "x")]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("databse_url"), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let e = Settings::load(
            None,
            env(&[("YIWANG_LISTEN", "nowhere")]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("listen"), "{e}");
        let e = Settings::load(
            None,
            env(&[("YIWANG_DATABASE_URL", "mysql://x")]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("database_url"), "{e}");
        let e = Settings::load(
            Some(Path::new("/no/such.toml")),
            env(&[]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }

    #[test]
    fn the_fonts_folder_comes_from_the_environment() {
        let s = Settings::load(
            None,
            env(&[("YIWANG_FONT_DIR", "/a/fonts:/b/fonts")]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(s.font_dir.as_deref(), Some("/a/fonts:/b/fonts"));
    }

    #[test]
    fn example_config_matches_the_defaults() {
        let text = include_str!("../../../yiwang.example.toml");
        let parsed: Settings = toml_from_str(text);
        assert_eq!(parsed, Settings::default());
    }

    fn toml_from_str(text: &str) -> Settings {
        Figment::from(Toml::string(text)).extract().unwrap()
    }
}
