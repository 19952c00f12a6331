//! Renders one chart of each kind (the same specs as the `render` bench) and
//! prints how long each took and how big its PNG is, writing the PNGs to a
//! directory so a person can look at them.
//!
//! `cargo run --release -p charts --example chart_sizes -- [DIR]`
//! (default `/tmp/charts`). Targets: under 20 ms and 80 KB each.

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[path = "../benches/support/specs.rs"]
mod specs;

/// Renders per kind; the best run is reported, as the least disturbed by
/// whatever else the machine is doing.
const RUNS: u32 = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/charts".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    let mut charts = specs::all();
    charts.push(("scatter_50k", specs::scatter(50_000)));
    for (name, chart) in charts {
        // Warm-up registers the font and faults in the allocator's pages.
        let mut png = chart.render()?;
        let mut best = Duration::MAX;
        for _ in 0..RUNS {
            let started = Instant::now();
            png = chart.render()?;
            best = best.min(started.elapsed());
        }
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png)?;
        println!(
            "{name}: {:.1} ms, {:.1} KB ({})",
            best.as_secs_f64() * 1e3,
            png.len() as f64 / 1024.0,
            path.display()
        );
        println!("  alt: {}", chart.alt_text());
    }
    Ok(())
}
