//! Checks on the repository itself, in the spirit of a tidy test.

use std::path::{Path, PathBuf};

use grantlab_tests::workspace_root;

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let root = workspace_root();
    let mut missing = Vec::new();

    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        if !text.starts_with("//!") {
            missing.push(file.strip_prefix(&root).unwrap().display().to_string());
        }
    }

    assert!(missing.is_empty(), "files without a leading `//!` line: {missing:#?}");
}

#[test]
fn every_path_in_the_codemap_exists() {
    let root = workspace_root();
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();

    for path in codemap_paths(&architecture) {
        if !root.join(&path).exists() {
            missing.push(path);
        }
    }

    assert!(missing.is_empty(), "ARCHITECTURE.md names paths that do not exist: {missing:#?}");
}

/// Backticked words that look like repository paths: they contain a `/` or end in `.rs`, and
/// hold no spaces, braces, schemes or leading slash (those are URLs and routes).
fn codemap_paths(markdown: &str) -> Vec<String> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|word| word.contains('/') || word.ends_with(".rs") || word.ends_with(".toml"))
        .filter(|word| !word.starts_with('/') && !word.contains("://"))
        .filter(|word| !word.contains([' ', '{', '}', '*', '<', '=']))
        .map(str::to_owned)
        .collect()
}

/// The repository's Rust files: every folder but hidden ones, `node_modules` and build output.
/// Cargo marks each target folder with a `CACHEDIR.TAG`, so one set by `CARGO_TARGET_DIR`
/// inside the clone is skipped whatever its name.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            if path.is_dir() {
                if !path.join("CACHEDIR.TAG").exists() {
                    folders.push(path);
                }
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files
}
