//! The page weight budget of issue #7 (`BENCHMARKS.md` section 3): everything the browser
//! downloads to show the workbench, gzipped at level 9, stays within 300 KB.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

/// 300 KB, counted as `BENCHMARKS.md` counts them (KiB).
const BUDGET: u64 = 300 * 1024;

#[test]
fn the_built_page_stays_within_300_kb_gzipped() {
    let dist = grantlab_tests::dist();
    let files = dist_files(&dist);
    assert!(
        files.iter().any(|(name, _)| name.ends_with("_bg.wasm")),
        "no wasm in {}: run `cargo xtask dist` (the budget is for the release build)",
        dist.display()
    );

    let total: u64 = files.iter().map(|(_, gzipped)| gzipped).sum();

    let table: Vec<String> =
        files.iter().map(|(name, gzipped)| format!("{name}: {gzipped} B gzipped")).collect();
    assert!(
        total <= BUDGET,
        "the page weighs {total} B gzipped, over the budget of {BUDGET} B:\n{}",
        table.join("\n")
    );
}

#[test]
fn gzip_size_shrinks_repeated_text() {
    let repeated = "the same sentence again. ".repeat(400);

    let gzipped = gzip_size(repeated.as_bytes());

    assert!(gzipped > 0);
    assert!(gzipped < repeated.len() as u64 / 20, "{gzipped} B from {} B", repeated.len());
}

/// Each file of the build (the app is served from its top level) with its gzip -9 size.
fn dist_files(dist: &Path) -> Vec<(String, u64)> {
    let entries = std::fs::read_dir(dist)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dist.display()));
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, gzip_size(&bytes)));
        }
    }
    files.sort();
    files
}

/// The length of `bytes` gzipped at level 9, as `gzip -9` makes it.
fn gzip_size(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len() as u64
}
