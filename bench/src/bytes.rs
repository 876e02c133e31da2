//! Where a bundle's bytes go: the largest functions, the data, and what each module adds
//! to the gzip figure, from a wasm built with its names kept (`./dev bench` builds each
//! bundle so, beside the shipped one), so the next person sees what costs what.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::sizes::gzip_len;
use serde_json::{json, Value};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// One function's body, by name.
pub struct FunctionCost {
    pub name: String,
    pub bytes: usize,
}

/// What one module's code adds to a bundle: its bytes, and how much smaller the bundle's
/// code and data would gzip without them (repeated code compresses well, so the gzip
/// figure the targets count can be far below the raw bytes).
pub struct ModuleCost {
    pub module: String,
    pub bytes: usize,
    pub gzip: usize,
}

/// A bundle's code and data, with its largest functions and costliest modules.
pub struct Breakdown {
    pub bundle: String,
    pub total: usize,
    pub code: usize,
    pub data: usize,
    /// The code and the data, gzipped together (what the modules' costs are shares of).
    pub gzip: usize,
    /// What the data alone adds to that.
    pub data_gzip: usize,
    pub functions: usize,
    pub largest: Vec<FunctionCost>,
    pub modules: Vec<ModuleCost>,
}

/// The module a function is written in: `paykka_web::card_fields::host` for
/// `paykka_web::card_fields::host::Host::settle`, `core::fmt` for
/// `<core::fmt::Formatter>::pad`. Our async functions are compiled into js-sys's
/// `future_to_promise` closures, and named so; wasm-bindgen's export shims and runtime
/// have one-word names.
fn module_of(name: &str) -> String {
    if name.contains("future_to_promise::{{closure}}") {
        return "async bodies (mount(), update()…, in future_to_promise)".into();
    }
    let path = name.trim_start_matches('<');
    let segments: Vec<&str> = path
        .split("::")
        .take_while(|s| {
            s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .collect();
    let depth = if segments.first() == Some(&"paykka_web") {
        3
    } else {
        2
    };
    match segments.len() {
        0 | 1 => "wasm-bindgen shims and runtime".into(),
        n => segments[..n.min(depth)].join("::"),
    }
}

/// Each module's bytes and gzip cost, costliest first.
fn module_costs(
    bodies: &[(String, &[u8])],
    data: &[u8],
    top: usize,
) -> anyhow::Result<(usize, usize, Vec<ModuleCost>)> {
    let all: Vec<&[u8]> = bodies.iter().map(|(_, b)| *b).chain([data]).collect();
    let whole = gzip_len(&all)?;
    let without_data = gzip_len(&all[..bodies.len()])?;
    let mut modules: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (name, _)) in bodies.iter().enumerate() {
        modules.entry(module_of(name)).or_default().push(i);
    }
    let mut costs = Vec::new();
    for (module, members) in modules {
        let rest: Vec<&[u8]> = bodies
            .iter()
            .enumerate()
            .filter(|(i, _)| members.binary_search(i).is_err())
            .map(|(_, (_, b))| *b)
            .chain([data])
            .collect();
        costs.push(ModuleCost {
            bytes: members.iter().map(|&i| bodies[i].1.len()).sum(),
            gzip: whole.saturating_sub(gzip_len(&rest)?),
            module,
        });
    }
    costs.sort_by(|a, b| b.gzip.cmp(&a.gzip).then_with(|| a.module.cmp(&b.module)));
    costs.truncate(top);
    Ok((whole, whole.saturating_sub(without_data), costs))
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

/// Reads the wasm at `path` (built with names): its `top` largest functions and costliest
/// modules.
pub fn breakdown(path: &Path, bundle: &str, top: usize) -> anyhow::Result<Breakdown> {
    let bytes = std::fs::read(path)?;
    let mut imported_functions = 0u32;
    let mut bodies: Vec<&[u8]> = Vec::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut data: Vec<u8> = Vec::new();
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
            Payload::CodeSectionEntry(body) => bodies.push(&bytes[body.range()]),
            Payload::DataSection(segments) => {
                for segment in segments {
                    data.extend_from_slice(segment?.data);
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
    let named: Vec<(String, &[u8])> = bodies
        .iter()
        .enumerate()
        .map(|(i, &body)| {
            let index = imported_functions + i as u32;
            let name = names
                .get(&index)
                .cloned()
                .unwrap_or_else(|| format!("function {index}"));
            (name, body)
        })
        .collect();
    let (gzip, data_gzip, modules) = module_costs(&named, &data, top)?;
    let mut functions: Vec<FunctionCost> = named
        .into_iter()
        .map(|(name, body)| FunctionCost {
            name,
            bytes: body.len(),
        })
        .collect();
    let code = bodies.iter().map(|b| b.len()).sum();
    functions.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    let count = functions.len();
    functions.truncate(top);
    Ok(Breakdown {
        bundle: bundle.to_owned(),
        // What ships: the named build less its name section.
        total: bytes.len() - named_bytes,
        code,
        data: data.len(),
        gzip,
        data_gzip,
        functions: count,
        largest: functions,
        modules,
    })
}

impl Breakdown {
    pub fn json(&self) -> Value {
        json!({
            "bundle": self.bundle, "total": self.total, "code": self.code, "data": self.data,
            "functions": self.functions, "gzip": self.gzip, "dataGzip": self.data_gzip,
            "largest": self.largest.iter().map(|f| json!({"name": f.name, "bytes": f.bytes})).collect::<Vec<_>>(),
            "modules": self.modules.iter().map(|m| json!({"module": m.module, "bytes": m.bytes, "gzip": m.gzip})).collect::<Vec<_>>(),
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
        let gzip_share = |gzip: usize| 100.0 * gzip as f64 / self.gzip.max(1) as f64;
        out.push_str(&format!(
            "Its code and data gzip to {} bytes. What each module adds to that (the bundle less that module's code, gzipped again), costliest first:\n\n| module | bytes | gzip it adds | share of gzip |\n|---|---:|---:|---:|\n",
            self.gzip
        ));
        for m in &self.modules {
            out.push_str(&format!(
                "| `{}` | {} | {} | {:.1}% |\n",
                m.module,
                m.bytes,
                m.gzip,
                gzip_share(m.gzip)
            ));
        }
        out.push_str(&format!(
            "| data | {} | {} | {:.1}% |\n\n",
            self.data,
            self.data_gzip,
            gzip_share(self.data_gzip)
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{module_of, readable};

    #[test]
    fn functions_are_counted_in_their_module() {
        assert_eq!(
            module_of("paykka_web::card_fields::host::Host::settle"),
            "paykka_web::card_fields::host"
        );
        assert_eq!(
            module_of("paykka_web::web::option_reader::string"),
            "paykka_web::web::option_reader"
        );
        assert_eq!(module_of("<core::fmt::Formatter>::pad"), "core::fmt");
        assert_eq!(
            module_of("<core::iter::adapters::GenericShunt<I,R> as core::iter::traits::iterator::Iterator>::next"),
            "core::iter"
        );
        assert_eq!(
            module_of("js_sys::futures::future_to_promise::{{closure}}::{{closure}}"),
            "async bodies (mount(), update()…, in future_to_promise)"
        );
        assert_eq!(
            module_of("encryptedcard_focus"),
            "wasm-bindgen shims and runtime"
        );
    }

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
