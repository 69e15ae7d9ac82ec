//! Part 3: the weight of the built frontend (gzipped wasm, js and css in `dist/`) and the time
//! to its first render in headless Chromium, served by the release server on loopback.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use flate2::Compression;
use flate2::write::GzEncoder;
use grantlab_tests::Browser;

use crate::Paths;
use crate::procs::Process;

/// Page loads measured after the first (cold) one.
const WARM_LOADS: usize = 5;
const KB: f64 = 1024.0;

/// Measures `dist/` and the first render; its Markdown.
pub async fn page(paths: &Paths) -> anyhow::Result<String> {
    let mut out = String::from("| file | bytes | gzip -9 bytes |\n|---|---|---|\n");
    let mut total = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&paths.dist)
        .with_context(|| {
            format!("{} is missing: run `trunk build --release`", paths.dist.display())
        })?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "wasm" || ext == "js" || ext == "css")
        })
        .collect();
    entries.sort();
    for path in &entries {
        let bytes = std::fs::read(path)?;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&bytes)?;
        let gzipped = encoder.finish()?.len();
        total += gzipped;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push_str(&format!("| `{name}` | {} | {gzipped} |\n", bytes.len()));
    }
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    let total_kb = total as f64 / KB;
    out.push_str(&format!(
        "\nTotal gzipped: **{total_kb:.1} KB** (target <= 300 KB: {}).\n\n",
        met(total_kb <= 300.0)
    ));

    let (cold, warm) = first_render(paths).await?;
    let warm_ms = warm.as_secs_f64() * 1000.0;
    out.push_str(&format!(
        "First contentful paint (the body is empty until the app renders): cold {:.0} ms, \
         median of {WARM_LOADS} warm loads **{warm_ms:.0} ms** (target <= 300 ms: {}).\n",
        cold.as_secs_f64() * 1000.0,
        met(warm_ms <= 300.0)
    ));
    Ok(out)
}

/// The first contentful paint of a cold load and the median of the warm ones.
async fn first_render(paths: &Paths) -> anyhow::Result<(Duration, Duration)> {
    let server = Process::grantlab(&paths.server, &paths.dist, None)?;
    let browser = Browser::start().await?;
    let mut paints = Vec::new();
    for _ in 0..=WARM_LOADS {
        browser.client.goto(&format!("{}/", server.base)).await?;
        let paint =
            grantlab_tests::wait_for("the first paint", Duration::from_secs(20), || async {
                let script = "const p = performance.getEntriesByName('first-contentful-paint')[0]; \
                          return document.body.children.length > 0 && p ? p.startTime : null;";
                browser.client.execute(script, vec![]).await.ok()?.as_f64()
            })
            .await?;
        paints.push(Duration::from_secs_f64(paint / 1000.0));
    }
    browser.close().await?;

    let cold = paints[0];
    let mut warm = paints[1..].to_vec();
    warm.sort();
    Ok((cold, warm[warm.len() / 2]))
}
