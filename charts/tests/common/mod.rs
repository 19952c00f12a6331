//! Helpers shared by the integration tests: decoding, pixel counts, and one
//! representative spec per chart kind.

#![allow(dead_code)] // each test crate uses a different subset

use std::collections::HashSet;

use charts::{
    BarChart, BarMode, BarSeries, BoxChart, BoxGroup, Chart, ChartSize, DonutChart, LineChart, Rgb,
    ScatterChart, ScatterSeries, Series, Slice, YUnit,
};
use image::{ImageFormat, RgbImage};

pub const DAY: i64 = 86_400;
/// Monday 2024-03-04 00:00 UTC.
pub const START: i64 = 1_709_510_400;
pub const HOUR: f64 = 3_600.0;

pub fn decode(png: &[u8]) -> RgbImage {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG signature");
    match image::load_from_memory_with_format(png, ImageFormat::Png) {
        Ok(img) => img.to_rgb8(),
        Err(e) => panic!("PNG does not decode: {e}"),
    }
}

pub fn render(chart: &Chart) -> Vec<u8> {
    match chart.render() {
        Ok(png) => png,
        Err(e) => panic!("render failed for {:?}: {e}", chart.title()),
    }
}

pub fn count_pixels(img: &RgbImage, c: Rgb) -> usize {
    img.pixels().filter(|p| p.0 == [c.r, c.g, c.b]).count()
}

pub fn distinct_colours(img: &RgbImage) -> usize {
    img.pixels().map(|p| p.0).collect::<HashSet<_>>().len()
}

pub fn weeks(n: i64) -> Vec<i64> {
    (0..n).map(|w| START + w * 7 * DAY).collect()
}

pub fn bar_series(name: &str, values: Vec<f64>) -> BarSeries {
    BarSeries {
        name: name.to_owned(),
        values,
    }
}

/// Twelve weeks, two stacked series.
pub fn bar() -> BarChart {
    BarChart {
        mode: BarMode::Stacked,
        y_label: "PRs".to_owned(),
        ..BarChart::weekly(
            "Merged PRs per week",
            &weeks(12),
            vec![
                bar_series("AI-assisted", (0..12).map(|w| f64::from(8 + w)).collect()),
                bar_series("Other", (0..12).map(|w| f64::from(30 - w % 4)).collect()),
            ],
        )
    }
}

pub fn line() -> LineChart {
    let points: Vec<(i64, f64)> = (0..30)
        .map(|d| {
            (
                START + d * DAY,
                20.0 * HOUR + 4.0 * HOUR * (d as f64 / 4.0).sin(),
            )
        })
        .collect();
    let band = points.iter().map(|&(x, y)| (x, y * 0.6, y * 1.5)).collect();
    LineChart {
        title: "Median cycle time".to_owned(),
        series: vec![Series {
            name: "All teams".to_owned(),
            points,
            band,
        }],
        y_unit: YUnit::Duration,
        ..LineChart::default()
    }
}

/// `n` points in two series, deterministic.
pub fn scatter_points(n: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut state = seed;
    let mut unit = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let size = (10f64).powf(1.0 + 2.5 * unit()).round();
            let cycle = HOUR * (10f64).powf(0.5 + 2.0 * unit());
            (size, cycle)
        })
        .collect()
}

pub fn scatter() -> ScatterChart {
    ScatterChart {
        title: "PR size vs cycle time".to_owned(),
        x_label: "PR size (lines)".to_owned(),
        y_label: "cycle time".to_owned(),
        x_unit: YUnit::Count,
        y_unit: YUnit::Duration,
        series: vec![
            ScatterSeries {
                name: "AI-assisted".to_owned(),
                points: scatter_points(300, 1),
            },
            ScatterSeries {
                name: "Not AI-assisted".to_owned(),
                points: scatter_points(500, 2),
            },
        ],
        log_x: true,
        ..ScatterChart::default()
    }
}

pub fn slice(label: &str, value: f64) -> Slice {
    Slice {
        label: label.to_owned(),
        value,
    }
}

pub fn donut() -> DonutChart {
    DonutChart {
        title: "PRs by AI assistance".to_owned(),
        slices: vec![slice("AI-assisted", 41.0), slice("Not AI-assisted", 59.0)],
        centre_label: Some("100\nPRs".to_owned()),
        ..DonutChart::default()
    }
}

pub fn group(name: &str, n: usize, median: f64) -> BoxGroup {
    BoxGroup {
        name: name.to_owned(),
        values: (0..n)
            .map(|i| median * (0.2 + 1.6 * i as f64 / n.max(1) as f64))
            .collect(),
    }
}

pub fn boxplot() -> BoxChart {
    BoxChart {
        title: "Cycle time by AI assistance".to_owned(),
        groups: vec![
            group("AI-assisted", 200, 16.0 * HOUR),
            group("Not AI-assisted", 300, 22.0 * HOUR),
        ],
        y_unit: YUnit::Duration,
        y_label: "cycle time".to_owned(),
        ..BoxChart::default()
    }
}

/// One typical chart of every kind.
pub fn every_kind() -> Vec<Chart> {
    vec![
        Chart::Line(line()),
        Chart::Bar(bar()),
        Chart::Scatter(scatter()),
        Chart::Donut(donut()),
        Chart::Box(boxplot()),
    ]
}

/// The same kind with no usable data, keeping title and size.
pub fn emptied(chart: &Chart) -> Chart {
    match chart {
        Chart::Line(c) => Chart::Line(LineChart {
            series: Vec::new(),
            ..c.clone()
        }),
        Chart::Bar(c) => Chart::Bar(BarChart {
            series: Vec::new(),
            ..c.clone()
        }),
        Chart::Scatter(c) => Chart::Scatter(ScatterChart {
            series: Vec::new(),
            ..c.clone()
        }),
        Chart::Donut(c) => Chart::Donut(DonutChart {
            slices: Vec::new(),
            ..c.clone()
        }),
        Chart::Box(c) => Chart::Box(BoxChart {
            groups: Vec::new(),
            ..c.clone()
        }),
    }
}

/// A copy at another size.
pub fn resized(chart: &Chart, size: ChartSize) -> Chart {
    let mut c = chart.clone();
    match &mut c {
        Chart::Line(c) => c.size = size,
        Chart::Bar(c) => c.size = size,
        Chart::Scatter(c) => c.size = size,
        Chart::Donut(c) => c.size = size,
        Chart::Box(c) => c.size = size,
    }
    c
}
