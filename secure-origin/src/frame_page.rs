//! The frame page the secure origin serves, rendered once at start: it pins `frame.js`, the
//! frame bundle and its wasm with Subresource Integrity hashes of the files it found. The
//! bundle is pinned by an import map, which binds every import of it in all three engines
//! (WebKit runs a module that `modulepreload`'s hash refused when a script imports it); the
//! wasm's hash is the preload's, which `frame.js` passes to its fetch.

use std::path::{Path, PathBuf};

use anyhow::Context;
use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256, Sha384};

/// The frame page, rendered once at start with the integrity of what it loads.
pub struct FramePage {
    html: String,
    /// `'sha256-…'` of the inline import map, for the page's `script-src`.
    pub(crate) import_map_source: String,
    pub(crate) frames_dir: PathBuf,
    pub(crate) pkg_dir: PathBuf,
}

/// `sha384-…` of a file.
fn integrity(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(format!(
        "sha384-{}",
        Base64::encode_string(&Sha384::digest(&bytes))
    ))
}

/// The CSP source that allows exactly this inline script.
fn inline_source(script: &str) -> String {
    format!(
        "'sha256-{}'",
        Base64::encode_string(&Sha256::digest(script.as_bytes()))
    )
}

impl FramePage {
    /// The page's HTML, the same for every field and client key.
    pub fn html(&self) -> &str {
        &self.html
    }

    /// Reads `frame.js` and the frame bundle to pin them in the page.
    pub fn load(frames_dir: &Path, pkg_dir: &Path) -> anyhow::Result<FramePage> {
        let script = integrity(&frames_dir.join("frame.js"))?;
        let bundle = integrity(&pkg_dir.join("paykka_web_frame.js"))?;
        let wasm = integrity(&pkg_dir.join("paykka_web_frame_bg.wasm"))?;
        let import_map = serde_json::json!({
            "integrity": {"/pkg/paykka_web_frame.js": bundle}
        })
        .to_string();
        let html = format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  \
             <title>Secure card field</title>\n  \
             <script type=\"importmap\">{import_map}</script>\n  \
             <link rel=\"modulepreload\" href=\"/pkg/paykka_web_frame.js\" integrity=\"{bundle}\">\n  \
             <link rel=\"preload\" href=\"/pkg/paykka_web_frame_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin integrity=\"{wasm}\">\n  \
             <script type=\"module\" src=\"/frames/frame.js\" integrity=\"{script}\"></script>\n\
             </head>\n<body></body>\n</html>\n"
        );
        Ok(FramePage {
            html,
            import_map_source: inline_source(&import_map),
            frames_dir: frames_dir.to_owned(),
            pkg_dir: pkg_dir.to_owned(),
        })
    }
}
