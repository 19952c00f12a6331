//! Realistic chart specs shared by the `render` bench and the
//! `chart_sizes` example: what a team of ~40 engineers produces in a quarter.

use charts::{
    BarChart, BarMode, BarSeries, BoxChart, BoxGroup, Chart, DonutChart, LineChart, ScatterChart,
    ScatterSeries, Series, Slice, YUnit,
};

/// Monday 2024-03-04 00:00 UTC.
const START: i64 = 1_709_510_400;
const DAY: i64 = 86_400;
const HOUR: f64 = 3_600.0;

/// A small deterministic generator, so the data is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-normal-ish: most values near `median`, a long right tail.
    fn skewed(&mut self, median: f64) -> f64 {
        let z = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        median * (z * 1.6).exp()
    }
}

/// 26 weekly bars, two stacked series.
pub fn bar() -> Chart {
    let weeks: Vec<i64> = (0..26).map(|w| START + w * 7 * DAY).collect();
    let ai: Vec<f64> = (0..26)
        .map(|w| (8.0 + f64::from(w) * 0.6).round())
        .collect();
    let other: Vec<f64> = (0..26)
        .map(|w| (30.0 + 6.0 * (f64::from(w) / 3.0).sin()).round())
        .collect();
    Chart::Bar(BarChart {
        mode: BarMode::Stacked,
        y_label: "PRs".to_owned(),
        ..BarChart::weekly(
            "Merged PRs per week",
            &weeks,
            vec![
                BarSeries {
                    name: "AI-assisted".to_owned(),
                    values: ai,
                },
                BarSeries {
                    name: "Not AI-assisted".to_owned(),
                    values: other,
                },
            ],
        )
    })
}

/// 90 days of median cycle time with a p25–p75 band.
pub fn line() -> Chart {
    let mut points = Vec::new();
    let mut band = Vec::new();
    for d in 0..90i64 {
        let t = d as f64;
        let v = 30.0 * HOUR + 6.0 * HOUR * (t / 9.0).sin() - t * 0.1 * HOUR;
        points.push((START + d * DAY, v));
        band.push((START + d * DAY, v * 0.6, v * 1.5));
    }
    Chart::Line(LineChart {
        title: "Median cycle time (p25–p75 shaded)".to_owned(),
        series: vec![Series {
            name: "All teams".to_owned(),
            points,
            band,
        }],
        y_unit: YUnit::Duration,
        y_label: "cycle time".to_owned(),
        ..LineChart::default()
    })
}

/// `n` PRs: size in lines against cycle time, AI-assisted or not.
pub fn scatter(n: usize) -> Chart {
    let mut rng = Lcg(7);
    let mut ai = Vec::new();
    let mut other = Vec::new();
    for i in 0..n {
        let size = rng.skewed(120.0).max(1.0).round();
        let assisted = i % 5 < 2;
        let speed = if assisted { 0.8 } else { 1.0 };
        let cycle = rng.skewed(20.0 * HOUR * speed) * (size / 120.0).powf(0.3);
        if assisted {
            ai.push((size, cycle));
        } else {
            other.push((size, cycle));
        }
    }
    Chart::Scatter(ScatterChart {
        title: "PR size vs cycle time".to_owned(),
        x_label: "PR size (lines changed)".to_owned(),
        y_label: "cycle time".to_owned(),
        x_unit: YUnit::Count,
        y_unit: YUnit::Duration,
        series: vec![
            ScatterSeries {
                name: "AI-assisted".to_owned(),
                points: ai,
            },
            ScatterSeries {
                name: "Not AI-assisted".to_owned(),
                points: other,
            },
        ],
        log_x: true,
        log_y: true,
        ..ScatterChart::default()
    })
}

/// Four slices with a centre total.
pub fn donut() -> Chart {
    let slice = |label: &str, value: f64| Slice {
        label: label.to_owned(),
        value,
    };
    Chart::Donut(DonutChart {
        title: "PRs by AI assistance".to_owned(),
        slices: vec![
            slice("Copilot", 87.0),
            slice("Cursor", 41.0),
            slice("Claude Code", 33.0),
            slice("No assistant", 151.0),
        ],
        centre_label: Some("312\nmerged PRs".to_owned()),
        ..DonutChart::default()
    })
}

/// Two groups of 500 cycle times.
pub fn boxplot() -> Chart {
    let mut rng = Lcg(11);
    let group = |rng: &mut Lcg, name: &str, median: f64| BoxGroup {
        name: name.to_owned(),
        values: (0..500).map(|_| rng.skewed(median)).collect(),
    };
    Chart::Box(BoxChart {
        title: "Cycle time by AI assistance".to_owned(),
        groups: vec![
            group(&mut rng, "AI-assisted", 16.0 * HOUR),
            group(&mut rng, "Not AI-assisted", 22.0 * HOUR),
        ],
        y_unit: YUnit::Duration,
        y_label: "cycle time".to_owned(),
        ..BoxChart::default()
    })
}

/// Every kind, named, at the default 800×400.
pub fn all() -> Vec<(&'static str, Chart)> {
    vec![
        ("line", line()),
        ("bar", bar()),
        ("scatter", scatter(2_000)),
        ("donut", donut()),
        ("box", boxplot()),
    ]
}
