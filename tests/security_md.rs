//! SECURITY.md proves each defence by naming a test or a file: every name it cites in
//! backticks that looks like a test (`snake_case` with three or more words) must be a
//! function in the tree, and every cited source or test file must exist. A renamed or
//! deleted test fails here, so the document cannot claim proof that is gone.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs`, `.js` and `.mjs` file under the project's source and test folders.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !["target", "node_modules", "pkg", ".tools", ".git"].contains(&name.as_ref()) {
                sources(&path, found);
            }
        } else if [".rs", ".js", ".mjs"].iter().any(|ext| name.ends_with(ext)) {
            found.push(path);
        }
    }
}

/// The backticked spans of `text`.
fn cited(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn looks_like_a_test(name: &str) -> bool {
    name.split('_').count() >= 3
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn looks_like_a_file(name: &str) -> bool {
    [".rs", ".js", ".mjs"].iter().any(|ext| name.ends_with(ext)) && !name.contains(' ')
}

#[test]
fn every_test_and_file_security_md_cites_exists() {
    let root = root();
    let text = std::fs::read_to_string(root.join("SECURITY.md")).unwrap();
    let mut files = Vec::new();
    for dir in [
        "src",
        "tests",
        "www",
        "paykka-api",
        "sandbox",
        "secure-origin",
        "pkg-template",
        "headless",
        "bench",
        "tools",
    ] {
        sources(&root.join(dir), &mut files);
    }
    let bodies: Vec<String> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let mut missing = Vec::new();
    let (mut tests, mut paths) = (0, 0);
    for name in cited(&text) {
        if looks_like_a_test(name) {
            tests += 1;
            let definition = format!("fn {name}(");
            if !bodies.iter().any(|body| body.contains(&definition)) {
                missing.push(format!("test {name}"));
            }
        } else if looks_like_a_file(name) {
            paths += 1;
            // A path from the root, or a file name the tree has (`gateway_api.rs`).
            let exists = root.join(name).is_file() || files.iter().any(|f| f.ends_with(name));
            if !exists {
                missing.push(format!("file {name}"));
            }
        }
    }
    assert!(
        tests >= 10 && paths >= 10,
        "too few citations read: {tests} tests, {paths} files"
    );
    assert!(
        missing.is_empty(),
        "SECURITY.md cites what does not exist: {missing:#?}"
    );
}

#[test]
fn citations_are_read_as_tests_and_files() {
    let text =
        "proof — `a_card_pays_once` and `www/tests/gateway_api.rs`; not `encrypt()` or `kid`.";
    let spans = cited(text);
    assert_eq!(
        spans,
        [
            "a_card_pays_once",
            "www/tests/gateway_api.rs",
            "encrypt()",
            "kid"
        ]
    );
    assert!(looks_like_a_test("a_card_pays_once"));
    assert!(!looks_like_a_test("card_key") && !looks_like_a_test("encrypt()"));
    assert!(looks_like_a_file("www/tests/gateway_api.rs") && !looks_like_a_file("kid"));
}
