//! The service's configuration: a TOML file (`--config`), paths in it relative to the
//! file, the master key from a file or an environment variable. docs/deploy.md shows one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the service listens.
    pub listen: SocketAddr,
    /// Where `/metrics` (Prometheus' text format) is served, apart from the pages' listener;
    /// none: not served.
    pub metrics_listen: Option<SocketAddr>,
    /// The service's own origin as pages and frames see it (`https://secure.example.com`);
    /// absent: `http://` and the address it listens on (a try-out on one machine).
    pub public_origin: Option<String>,
    /// Where the service keeps its state: a SQLite file (the embedded default, one
    /// instance), or a `postgres://` URL (several instances share it).
    pub database: Database,
    /// The frame page's folder (`frame.js`, brand marks; the page itself is rendered).
    pub frames_dir: PathBuf,
    /// The built npm package (the frame bundle).
    pub pkg_dir: PathBuf,
    pub master_key: MasterKeySource,
    /// The service's own answer-signing key (PKCS#8 PEM; made on first start if absent):
    /// the shop trusts the service's refusals with its public half.
    pub answer_key: PathBuf,
    /// After SIGTERM, how long `/readyz` says 503 before the listener closes (requests in
    /// flight then finish).
    #[serde(default = "default_drain_seconds")]
    pub drain_seconds: u64,
    pub paykka: Paykka,
    #[serde(default)]
    pub rotation: RotationConfig,
    /// Requests per minute the pages may make, counted in the database (so across all
    /// instances).
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Load balancers and proxies in front of the service: from them, the shopper's address
    /// is read from `X-Forwarded-For` (from anyone else that header is ignored).
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub merchants: Vec<MerchantConfig>,
}

/// The service's database, told apart by its text: a URL `postgres://…` (or
/// `postgresql://…`) is PostgreSQL, anything else a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl<'de> Deserialize<'de> for Database {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(
            if text.starts_with("postgres://") || text.starts_with("postgresql://") {
                Database::Postgres(text)
            } else {
                Database::Sqlite(PathBuf::from(text))
            },
        )
    }
}

/// Where the master key comes from: exactly one of `file` and `env`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterKeySource {
    /// A file holding the base64 of 32 bytes.
    pub file: Option<PathBuf>,
    /// Make the file on first start when it is absent (demo and tests only).
    #[serde(default)]
    pub create: bool,
    /// An environment variable holding the base64 of 32 bytes.
    pub env: Option<String>,
}

/// PayKKa as the service calls it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paykka {
    /// `https://api.paykka.com` (or the sandbox).
    pub base_url: String,
    /// PayKKa's platform public key (SPKI PEM): answers not signed by it are not trusted.
    pub platform_public_key: PathBuf,
    /// How long a PayKKa call may take.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// `strict` (default): an answer not signed as guessed is refused; `report`: taken and
    /// logged (README, "If PayKKa signs answers otherwise").
    #[serde(default)]
    pub answer_signatures: paykka_api::client::AnswerSignatures,
}

fn default_drain_seconds() -> u64 {
    5
}

fn default_timeout_ms() -> u64 {
    30_000
}

/// Key rotation: the period of a current key and the grace window of a replaced one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationConfig {
    #[serde(default = "default_every_days")]
    pub every_days: u32,
    /// Longer than a checkout page lives with a key it fetched, plus a ciphertext's 15
    /// minutes.
    #[serde(default = "default_grace_minutes")]
    pub grace_minutes: u32,
}

/// Requests per minute from the shoppers' pages, per client key and per IP address: the
/// frames' key (`/v3/frames/load`) and the drop-in's payments (`/v3/checkout/pay`).
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    #[serde(default = "default_frames_load_per_ip")]
    pub frames_load_per_ip: u32,
    #[serde(default = "default_frames_load_per_client_key")]
    pub frames_load_per_client_key: u32,
    #[serde(default = "default_pays_per_ip")]
    pub pays_per_ip: u32,
    #[serde(default = "default_pays_per_client_key")]
    pub pays_per_client_key: u32,
}

fn default_frames_load_per_ip() -> u32 {
    120
}

fn default_frames_load_per_client_key() -> u32 {
    6000
}

fn default_pays_per_ip() -> u32 {
    20
}

fn default_pays_per_client_key() -> u32 {
    1200
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            frames_load_per_ip: default_frames_load_per_ip(),
            frames_load_per_client_key: default_frames_load_per_client_key(),
            pays_per_ip: default_pays_per_ip(),
            pays_per_client_key: default_pays_per_client_key(),
        }
    }
}

fn default_every_days() -> u32 {
    365
}

fn default_grace_minutes() -> u32 {
    60
}

impl Default for RotationConfig {
    fn default() -> Self {
        RotationConfig {
            every_days: default_every_days(),
            grace_minutes: default_grace_minutes(),
        }
    }
}

/// A merchant the service works for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantConfig {
    /// The merchant id at PayKKa.
    pub merchant_id: String,
    /// The app id at PayKKa (`x-paykka-appid`); the shop signs its requests to the service
    /// with the same app id.
    pub app_id: String,
    /// The merchant's PayKKa private key (PKCS#8 PEM): signs the raw-card requests.
    pub paykka_private_key: PathBuf,
    /// The shop's public key (SPKI PEM), registered here: the shop's requests must verify.
    pub shop_public_key: PathBuf,
    /// Client keys: each with the page origins registered for it.
    pub client_keys: Vec<ClientKeyConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientKeyConfig {
    pub key: String,
    pub origins: Vec<String>,
}

impl Config {
    /// Reads `path`; relative paths in it are taken from the file's folder.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut config: Config =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        if let Database::Sqlite(file) = &mut config.database {
            resolve(file);
        }
        resolve(&mut config.frames_dir);
        resolve(&mut config.pkg_dir);
        resolve(&mut config.paykka.platform_public_key);
        resolve(&mut config.answer_key);
        if let Some(file) = config.master_key.file.as_mut() {
            resolve(file);
        }
        for merchant in &mut config.merchants {
            resolve(&mut merchant.paykka_private_key);
            resolve(&mut merchant.shop_public_key);
        }
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.master_key.file.is_some() != self.master_key.env.is_some(),
            "master_key needs exactly one of file and env"
        );
        anyhow::ensure!(!self.merchants.is_empty(), "no merchants configured");
        for merchant in &self.merchants {
            for client in &merchant.client_keys {
                for origin in &client.origins {
                    anyhow::ensure!(
                        is_origin(origin),
                        "{origin} is not an origin (scheme://host[:port])"
                    );
                }
            }
        }
        Ok(())
    }
}

/// `scheme://host[:port]` and nothing else (frame-ancestors and CORS take it verbatim).
fn is_origin(text: &str) -> bool {
    reqwest::Url::parse(text).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https")
            && url.has_host()
            && url.path() == "/"
            && !text.ends_with('/')
            && url.query().is_none()
            && url.username().is_empty()
            && url.origin().ascii_serialization() == text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_configuration_reads_and_bad_ones_are_refused() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("example.toml");
        let config = Config::load(&example).unwrap();
        assert_eq!(config.merchants[0].client_keys[0].origins.len(), 2);
        assert_eq!(config.rotation.grace_minutes, 60);
        let text = std::fs::read_to_string(&example).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (from, to) in [
            (
                "\"https://shop.example\", ",
                "\"https://shop.example/path\", ",
            ),
            ("env = \"PAYKKA_SO_MASTER_KEY\"", ""),
            ("timeout_ms = 30000", "timeout_ms = 30000\nretries = 3"),
        ] {
            let path = dir.path().join("bad.toml");
            std::fs::write(&path, text.replace(from, to)).unwrap();
            assert!(Config::load(&path).is_err(), "{to}");
        }
    }

    #[test]
    fn origins_are_exactly_scheme_host_and_port() {
        assert!(is_origin("https://shop.example"));
        assert!(is_origin("http://127.0.0.1:8080"));
        for bad in [
            "https://shop.example/",
            "https://shop.example/path",
            "https://shop.example?x",
            "javascript:alert(1)",
            "https://a b",
            "https://shop.example 'unsafe-inline'",
            "HTTPS://Shop.example",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
