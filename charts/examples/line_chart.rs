//! Renders a representative line chart (two series, bands, title, legend)
//! 50 times and prints the mean render time and PNG size.
//!
//! `cargo run --release -p charts --example line_chart -- [OUT.png]`
//! (default `/tmp/line_chart.png`). A timing probe, not a benchmark suite:
//! benches live at the workspace root.

use std::time::Instant;

use charts::{LineChart, Series, YUnit, render_line};

const RUNS: u32 = 50;

fn spec() -> LineChart {
    // Eight weeks of daily PR cycle times, starting Monday 2024-03-04 (UTC).
    let start = 1_709_510_400;
    let day = 86_400;
    let hour = 3_600.0;
    let series = |name: &str, base: f64, wobble: f64| {
        let mut points = Vec::new();
        let mut band = Vec::new();
        for d in 0..56i64 {
            let t = d as f64;
            let v =
                base + wobble * (t / 4.0).sin() + 2.0 * hour * (t / 1.7).cos() - t * 0.15 * hour;
            points.push((start + d * day, v));
            band.push((start + d * day, v * 0.7, v * 1.35));
        }
        Series {
            name: name.to_owned(),
            points,
            band,
        }
    };
    LineChart {
        title: "PR cycle time — median with p25–p75".to_owned(),
        series: vec![
            series("With AI assistant", 20.0 * hour, 5.0 * hour),
            series("Without", 30.0 * hour, 6.0 * hour),
        ],
        y_unit: YUnit::Duration,
        ..LineChart::default()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/line_chart.png".to_owned());
    let spec = spec();
    // Warm-up registers the font and faults in the allocator's pages.
    let mut png = render_line(&spec)?;
    let started = Instant::now();
    for _ in 0..RUNS {
        png = render_line(&spec)?;
    }
    let mean = started.elapsed() / RUNS;
    std::fs::write(&out, &png)?;
    println!(
        "{RUNS} renders: mean {:.2} ms per render, PNG {:.1} KB, written to {out}",
        mean.as_secs_f64() * 1e3,
        png.len() as f64 / 1024.0
    );
    Ok(())
}
