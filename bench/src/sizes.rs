//! Every byte a browser downloads to show a card form, per mode, raw, gzip -9 and brotli.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

/// Sizes of one file.
pub struct FileSize {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

fn measure(path: &Path, name: &str) -> anyhow::Result<FileSize> {
    let bytes = std::fs::read(path)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes)?;
    let gzip = gz.finish()?.len();
    let mut br = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        writer.write_all(&bytes)?;
    }
    Ok(FileSize {
        name: name.into(),
        raw: bytes.len(),
        gzip,
        brotli: br.len(),
    })
}

/// One mode's download.
pub struct ModeSize {
    pub mode: &'static str,
    pub files: Vec<FileSize>,
}

impl ModeSize {
    pub fn total(&self, pick: fn(&FileSize) -> usize) -> usize {
        self.files.iter().map(pick).sum()
    }

    pub fn json(&self) -> Value {
        json!({
            "mode": self.mode,
            "raw": self.total(|f| f.raw),
            "gzip": self.total(|f| f.gzip),
            "brotli": self.total(|f| f.brotli),
            "files": self.files.iter().map(|f| json!({"name": f.name, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli})).collect::<Vec<_>>(),
        })
    }
}

/// Frames: the page loads the page bundle (`paykka_web`); each secure frame loads the frame
/// page, its script and the frame bundle (`paykka_web_frame`, cached after the first
/// frame). Inline: the page loads the full bundle (`paykka_web_full`).
pub fn measure_modes(pkg: &Path, frames: &Path) -> anyhow::Result<Vec<ModeSize>> {
    let frames_dir = frames;
    let frames = ModeSize {
        mode: "frames",
        files: vec![
            measure(&pkg.join("paykka_web.js"), "paykka_web.js (page)")?,
            measure(&pkg.join("paykka_web_bg.wasm"), "paykka_web_bg.wasm (page)")?,
            measure(&frames.join("field.html"), "frames/field.html")?,
            measure(&frames.join("frame.js"), "frames/frame.js")?,
            measure(
                &pkg.join("paykka_web_frame.js"),
                "paykka_web_frame.js (secure origin)",
            )?,
            measure(
                &pkg.join("paykka_web_frame_bg.wasm"),
                "paykka_web_frame_bg.wasm (secure origin)",
            )?,
        ],
    };
    let inline = ModeSize {
        mode: "inline",
        files: vec![
            measure(&pkg.join("paykka_web_full.js"), "paykka_web_full.js (page)")?,
            measure(
                &pkg.join("paykka_web_full_bg.wasm"),
                "paykka_web_full_bg.wasm (page)",
            )?,
        ],
    };
    let wallets = ModeSize {
        mode: "wallets",
        files: vec![
            measure(
                &pkg.join("paykka_web_wallets.js"),
                "paykka_web_wallets.js (page)",
            )?,
            measure(
                &pkg.join("paykka_web_wallets_bg.wasm"),
                "paykka_web_wallets_bg.wasm (page)",
            )?,
        ],
    };
    let checkout = ModeSize {
        mode: "checkout",
        files: vec![
            measure(
                &pkg.join("paykka_web_checkout.js"),
                "paykka_web_checkout.js (page)",
            )?,
            measure(
                &pkg.join("paykka_web_checkout_bg.wasm"),
                "paykka_web_checkout_bg.wasm (page)",
            )?,
            measure(&frames_dir.join("field.html"), "frames/field.html")?,
            measure(&frames_dir.join("frame.js"), "frames/frame.js")?,
            measure(
                &pkg.join("paykka_web_frame.js"),
                "paykka_web_frame.js (secure origin)",
            )?,
            measure(
                &pkg.join("paykka_web_frame_bg.wasm"),
                "paykka_web_frame_bg.wasm (secure origin)",
            )?,
        ],
    };
    Ok(vec![frames, inline, wallets, checkout])
}
