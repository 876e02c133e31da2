//! Every byte a browser downloads to show a card form, per mode, raw, gzip -9 and brotli.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};

/// Sizes of one file.
#[derive(Clone)]
pub struct FileSize {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

fn measure(path: &Path, name: &str) -> anyhow::Result<FileSize> {
    measure_bytes(&std::fs::read(path)?, name)
}

/// The gzip -9 size of `parts` one after another.
pub fn gzip_len(parts: &[&[u8]]) -> anyhow::Result<usize> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for part in parts {
        gz.write_all(part)?;
    }
    Ok(gz.finish()?.len())
}

fn measure_bytes(bytes: &[u8], name: &str) -> anyhow::Result<FileSize> {
    let gzip = gzip_len(&[bytes])?;
    let mut br = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        writer.write_all(bytes)?;
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
/// frame). Inline: the page loads inline mode's bundle (`paykka_web_inline`). Wallets: both
/// buttons' bundle, and each wallet's alone.
pub fn measure_modes(pkg: &Path, frames: &Path) -> anyhow::Result<Vec<ModeSize>> {
    // A page bundle (`name`), the files it loads itself.
    let page = |name: &str| -> anyhow::Result<Vec<FileSize>> {
        Ok(vec![
            measure(
                &pkg.join(format!("{name}.js")),
                &format!("{name}.js (page)"),
            )?,
            measure(
                &pkg.join(format!("{name}_bg.wasm")),
                &format!("{name}_bg.wasm (page)"),
            )?,
        ])
    };
    // What each secure frame loads from the secure origin: the page as the service renders
    // it (with its files' hashes), its script and the frame bundle.
    let frame_page = paykka_secure_origin::frame_page::FramePage::load(frames, pkg)?;
    let secure_frames = [
        measure_bytes(
            frame_page.html().as_bytes(),
            "frames/<client key>/field.html",
        )?,
        measure(&frames.join("frame.js"), "frames/frame.js")?,
        measure(
            &pkg.join("paykka_web_frame.js"),
            "paykka_web_frame.js (secure origin)",
        )?,
        measure(
            &pkg.join("paykka_web_frame_bg.wasm"),
            "paykka_web_frame_bg.wasm (secure origin)",
        )?,
    ];
    let with_frames = |name: &str| -> anyhow::Result<Vec<FileSize>> {
        let mut files = page(name)?;
        files.extend(secure_frames.iter().cloned());
        Ok(files)
    };
    let frames = ModeSize {
        mode: "frames",
        files: with_frames("paykka_web")?,
    };
    // The modes whose page bundle is all they load.
    let page_only = |mode: &'static str, name: &str| -> anyhow::Result<ModeSize> {
        Ok(ModeSize {
            mode,
            files: page(name)?,
        })
    };
    let inline = page_only("inline", "paykka_web_inline")?;
    let wallets = page_only("wallets", "paykka_web_wallets")?;
    let apple_pay = page_only("applePay", "paykka_web_apple_pay")?;
    let google_pay = page_only("googlePay", "paykka_web_google_pay")?;
    let checkout = ModeSize {
        mode: "checkout",
        files: with_frames("paykka_web_checkout")?,
    };
    // What a page with wallet buttons fetches first, and all it fetches where no wallet is.
    let probe = ModeSize {
        mode: "walletProbe",
        files: vec![measure(
            &pkg.join("paykka-wallet-probe.js"),
            "paykka-wallet-probe.js (page)",
        )?],
    };
    Ok(vec![
        frames, inline, wallets, checkout, probe, apple_pay, google_pay,
    ])
}

/// The toolchain's floor for a page bundle (`bench/floor`, built by `./dev bench` into
/// `dir` exactly as the real bundles are): JS and wasm, gzip -9.
pub fn floor_gzip(dir: &Path) -> anyhow::Result<usize> {
    let js = measure(&dir.join("paykka_floor.js"), "paykka_floor.js")?;
    let wasm = measure(&dir.join("paykka_floor_bg.wasm"), "paykka_floor_bg.wasm")?;
    Ok(js.gzip + wasm.gzip)
}
