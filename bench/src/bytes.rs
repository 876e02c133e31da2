//! Where a bundle's bytes go: the largest functions and the data of a wasm built with its
//! names kept (`./dev bench` builds each bundle so, beside the shipped one), so the next
//! person sees what costs what.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// One function's body, by name.
pub struct FunctionCost {
    pub name: String,
    pub bytes: usize,
}

/// A bundle's code and data, with its largest functions.
pub struct Breakdown {
    pub bundle: String,
    pub total: usize,
    pub code: usize,
    pub data: usize,
    pub functions: usize,
    pub largest: Vec<FunctionCost>,
}

/// A Rust symbol without its hash (`…::h0123456789abcdef`) or crate disambiguators
/// (`core[c5930c85a12de822]::fmt`).
fn readable(name: &str) -> String {
    let name = match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head
        }
        _ => name,
    };
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map(|i| open + i);
        match close {
            Some(close) if rest[open + 1..close].bytes().all(|b| b.is_ascii_hexdigit()) => {
                out.push_str(&rest[..open]);
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads the wasm at `path` (built with names) and its `top` largest functions.
pub fn breakdown(path: &Path, bundle: &str, top: usize) -> anyhow::Result<Breakdown> {
    let bytes = std::fs::read(path)?;
    let mut imported_functions = 0u32;
    let mut bodies: Vec<usize> = Vec::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut data = 0;
    let mut named_bytes = 0;
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_)) {
                        imported_functions += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len()),
            Payload::DataSection(segments) => {
                for segment in segments {
                    data += segment?.data.len();
                }
            }
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    named_bytes += custom.data().len();
                    for subsection in reader {
                        if let Name::Function(map) = subsection? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, readable(naming.name));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    anyhow::ensure!(
        !names.is_empty(),
        "{}: no names (build it with -g)",
        path.display()
    );
    let mut functions: Vec<FunctionCost> = bodies
        .iter()
        .enumerate()
        .map(|(i, &bytes)| {
            let index = imported_functions + i as u32;
            let name = names
                .get(&index)
                .cloned()
                .unwrap_or_else(|| format!("function {index}"));
            FunctionCost { name, bytes }
        })
        .collect();
    let code = bodies.iter().sum();
    functions.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    let count = functions.len();
    functions.truncate(top);
    Ok(Breakdown {
        bundle: bundle.to_owned(),
        // What ships: the named build less its name section.
        total: bytes.len() - named_bytes,
        code,
        data,
        functions: count,
        largest: functions,
    })
}

impl Breakdown {
    pub fn json(&self) -> Value {
        json!({
            "bundle": self.bundle, "total": self.total, "code": self.code, "data": self.data,
            "functions": self.functions,
            "largest": self.largest.iter().map(|f| json!({"name": f.name, "bytes": f.bytes})).collect::<Vec<_>>(),
        })
    }

    /// A Markdown section: the bundle's totals and its largest functions.
    pub fn markdown(&self) -> String {
        let share = |bytes: usize| 100.0 * bytes as f64 / self.total.max(1) as f64;
        let mut out = format!(
            "#### `{}_bg.wasm`: {} bytes before gzip — code {} ({:.0}%, {} functions), data {} ({:.0}%)\n\n| function | bytes | share |\n|---|---:|---:|\n",
            self.bundle, self.total, self.code, share(self.code), self.functions, self.data, share(self.data)
        );
        for f in &self.largest {
            let name = f.name.replace('|', "\\|").replace('`', "'");
            out.push_str(&format!(
                "| `{name}` | {} | {:.1}% |\n",
                f.bytes,
                share(f.bytes)
            ));
        }
        out.push_str(&format!(
            "| data (texts, CSS, tables, panic locations) | {} | {:.1}% |\n\n",
            self.data,
            share(self.data)
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn symbols_lose_their_hash_only() {
        assert_eq!(
            readable("core::fmt::write::h0123456789abcdef"),
            "core::fmt::write"
        );
        assert_eq!(
            readable("dlmalloc::Dlmalloc::malloc"),
            "dlmalloc::Dlmalloc::malloc"
        );
        assert_eq!(readable("a::hello"), "a::hello");
        assert_eq!(
            readable("<core[c5930c85a12de822]::fmt::Formatter>::pad"),
            "<core::fmt::Formatter>::pad"
        );
        assert_eq!(readable("<[u8] as Debug>::fmt"), "<[u8] as Debug>::fmt");
    }
}
