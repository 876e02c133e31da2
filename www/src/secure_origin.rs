//! The demo's secure origin: `paykka-secure-origin` configured for the demo merchant and
//! run in this process on its own origin, with PayKKa's part played by the sandbox. Its
//! keys and database live in the data directory; the shop signs its forwards with the
//! merchant key, which the service has registered as the shop's.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use paykka_secure_origin::config::{
    ClientKeyConfig, Config, MasterKeySource, MerchantConfig, Paykka, RotationConfig,
};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::{PrivateKey, PublicKey};

/// What the demo's secure origin is made of.
pub struct DemoSecureOrigin<'a> {
    pub data_dir: &'a Path,
    pub listen: SocketAddr,
    pub public_origin: String,
    /// The sandbox, as PayKKa.
    pub paykka_url: String,
    pub platform_key: &'a PublicKey,
    pub merchant_id: &'a str,
    pub app_id: &'a str,
    /// The merchant's PayKKa key file; its public half is the shop's key at the service.
    pub merchant_key_file: PathBuf,
    pub merchant_key: &'a PrivateKey,
    pub client_key: &'a str,
    pub origins: Vec<String>,
    pub frames_dir: &'a Path,
    pub pkg_dir: &'a Path,
}

fn write_public(path: &Path, key: &PublicKey) -> anyhow::Result<()> {
    std::fs::write(path, key.to_public_key_pem(LineEnding::LF)?)?;
    Ok(())
}

impl DemoSecureOrigin<'_> {
    /// The service's configuration (its public key files written into the data directory).
    pub fn config(&self) -> anyhow::Result<Config> {
        let dir = self.data_dir;
        write_public(&dir.join("platform-public.pem"), self.platform_key)?;
        write_public(
            &dir.join("shop-public.pem"),
            &PublicKey::from(self.merchant_key),
        )?;
        Ok(Config {
            listen: self.listen,
            public_origin: self.public_origin.clone(),
            database: dir.join("secure-origin.sqlite"),
            frames_dir: self.frames_dir.to_owned(),
            pkg_dir: self.pkg_dir.to_owned(),
            master_key: MasterKeySource {
                file: Some(dir.join("master.key")),
                create: true,
                env: None,
            },
            answer_key: dir.join("secure-origin-answer-key.pem"),
            drain_seconds: 0,
            paykka: Paykka {
                base_url: self.paykka_url.clone(),
                platform_public_key: dir.join("platform-public.pem"),
                timeout_ms: 30_000,
            },
            rotation: RotationConfig::default(),
            merchants: vec![MerchantConfig {
                merchant_id: self.merchant_id.to_owned(),
                app_id: self.app_id.to_owned(),
                paykka_private_key: self.merchant_key_file.clone(),
                shop_public_key: dir.join("shop-public.pem"),
                client_keys: vec![ClientKeyConfig {
                    key: self.client_key.to_owned(),
                    origins: self.origins.clone(),
                }],
            }],
        })
    }
}
