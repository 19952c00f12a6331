//! Behaviour of `render_line` as callers see it: PNG bytes in, pixels out.

use std::collections::HashSet;

use charts::{ChartError, ChartSize, LineChart, PALETTE, Rgb, Series, YUnit, render_line};
use image::{ImageFormat, RgbImage};

const DAY: i64 = 86_400;
/// Monday 2024-03-04 00:00 UTC.
const START: i64 = 1_709_510_400;

fn decode(png: &[u8]) -> RgbImage {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG signature");
    match image::load_from_memory_with_format(png, ImageFormat::Png) {
        Ok(img) => img.to_rgb8(),
        Err(e) => panic!("PNG does not decode: {e}"),
    }
}

fn render(spec: &LineChart) -> Vec<u8> {
    match render_line(spec) {
        Ok(png) => png,
        Err(e) => panic!("render failed: {e}"),
    }
}

fn count_pixels(img: &RgbImage, c: Rgb) -> usize {
    img.pixels().filter(|p| p.0 == [c.r, c.g, c.b]).count()
}

fn distinct_colours(img: &RgbImage) -> usize {
    img.pixels().map(|p| p.0).collect::<HashSet<_>>().len()
}

fn daily(days: i64, f: impl Fn(f64) -> f64) -> Vec<(i64, f64)> {
    (0..days).map(|d| (START + d * DAY, f(d as f64))).collect()
}

fn series(name: &str, points: Vec<(i64, f64)>) -> Series {
    Series {
        name: name.to_owned(),
        points,
        band: Vec::new(),
    }
}

/// Two series with bands, title and legend: the representative chart.
fn typical() -> LineChart {
    let with_band = |name: &str, base: f64| {
        let points = daily(28, |d| base + 3_600.0 * (d / 3.0).sin());
        let band = points.iter().map(|&(x, y)| (x, y * 0.7, y * 1.3)).collect();
        Series {
            name: name.to_owned(),
            points,
            band,
        }
    };
    LineChart {
        title: "PR cycle time".to_owned(),
        series: vec![
            with_band("With AI", 20_000.0),
            with_band("Without", 40_000.0),
        ],
        y_unit: YUnit::Duration,
        ..LineChart::default()
    }
}

#[test]
fn renders_a_png_at_twice_the_logical_size() {
    let img = decode(&render(&typical()));
    assert_eq!(img.dimensions(), (1600, 800));

    let small = LineChart {
        size: ChartSize {
            width: 300,
            height: 200,
        },
        ..typical()
    };
    assert_eq!(decode(&render(&small)).dimensions(), (600, 400));
    assert_eq!(ChartSize::default().pixels(), (1600, 800));
}

#[test]
fn chart_is_not_blank_and_uses_the_series_colours() {
    let img = decode(&render(&typical()));
    assert!(
        distinct_colours(&img) >= 8,
        "only {} colours",
        distinct_colours(&img)
    );
    assert!(
        count_pixels(&img, PALETTE.background) > 1600 * 800 / 4,
        "background should dominate"
    );
    for i in 0..2 {
        let n = count_pixels(&img, PALETTE.series_colour(i));
        assert!(n > 1_000, "series {i} colour covers only {n} pixels");
    }
    assert!(
        count_pixels(&img, PALETTE.grid) > 1_000,
        "grid lines missing"
    );
}

#[test]
fn output_is_deterministic_across_calls_and_threads() {
    let spec = typical();
    let first = render(&spec);
    assert_eq!(first, render(&spec));
    let from_threads: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3).map(|_| scope.spawn(|| render(&spec))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for png in from_threads {
        assert!(png == first, "a concurrent render produced different bytes");
    }
}

#[test]
fn empty_input_renders_a_not_enough_data_image() {
    let empties = [
        LineChart {
            title: "Nothing yet".to_owned(),
            ..LineChart::default()
        },
        LineChart {
            series: vec![series("a", vec![]), series("b", vec![])],
            ..LineChart::default()
        },
        LineChart {
            series: vec![series(
                "nan",
                vec![(START, f64::NAN), (START + DAY, f64::INFINITY)],
            )],
            ..LineChart::default()
        },
        // A band alone is not data to plot.
        LineChart {
            series: vec![Series {
                name: "band only".to_owned(),
                points: vec![],
                band: vec![(START, 1.0, 2.0), (START + DAY, 1.0, 3.0)],
            }],
            ..LineChart::default()
        },
    ];
    for spec in &empties {
        let img = decode(&render(spec));
        assert_eq!(img.dimensions(), (1600, 800));
        assert_eq!(
            count_pixels(&img, PALETTE.series_colour(0)),
            0,
            "empty chart drew a series"
        );
        // A grid line is thousands of pixels; a few text-edge pixels may share its shade.
        assert!(
            count_pixels(&img, PALETTE.grid) < 200,
            "empty chart drew a grid"
        );
        assert!(distinct_colours(&img) > 2, "the message text is missing");
    }
    // Same size and title, so it can stand in for the real chart.
    let empty = decode(&render(&empties[0]));
    let sized = LineChart {
        size: ChartSize {
            width: 400,
            height: 300,
        },
        ..empties[0].clone()
    };
    assert_ne!(empty.dimensions(), decode(&render(&sized)).dimensions());
}

#[test]
fn non_finite_and_extreme_values_never_panic() {
    let nasty = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
        1e300,
        -0.0,
        f64::MIN_POSITIVE,
    ];
    let points: Vec<_> = nasty
        .iter()
        .enumerate()
        .map(|(i, &v)| (START + i as i64 * DAY, v))
        .collect();
    let band: Vec<_> = nasty
        .iter()
        .enumerate()
        .map(|(i, &v)| (START + i as i64 * DAY, v, 5.0))
        .collect();
    let spec = LineChart {
        series: vec![
            Series {
                name: "nasty".to_owned(),
                points: points.clone(),
                band,
            },
            series(
                "extreme x",
                vec![(i64::MIN, 1.0), (i64::MAX, 2.0), (0, f64::NAN)],
            ),
        ],
        ..LineChart::default()
    };
    let img = decode(&render(&spec));
    assert_eq!(img.dimensions(), (1600, 800));

    // NaNs among good points are skipped, and the good points still drawn.
    let mut mixed = daily(10, |d| d * 2.0);
    mixed.extend(points);
    let img = decode(&render(&LineChart {
        series: vec![series("mixed", mixed)],
        ..LineChart::default()
    }));
    assert!(count_pixels(&img, PALETTE.series_colour(0)) > 500);
}

#[test]
fn many_input_shapes_render() {
    let long =
        "An extremely long name that would never fit in a legend entry or a title line ".repeat(3);
    let cases: Vec<(&str, LineChart)> = vec![
        (
            "single point",
            LineChart {
                series: vec![series("a", vec![(START, 3.0)])],
                ..LineChart::default()
            },
        ),
        (
            "same x twice",
            LineChart {
                series: vec![series("a", vec![(START, 1.0), (START, 2.0)])],
                ..LineChart::default()
            },
        ),
        (
            "unsorted",
            LineChart {
                series: vec![series(
                    "a",
                    vec![(START + 3 * DAY, 1.0), (START, 4.0), (START + DAY, 2.0)],
                )],
                ..LineChart::default()
            },
        ),
        (
            "all zero",
            LineChart {
                series: vec![series("a", daily(7, |_| 0.0))],
                ..LineChart::default()
            },
        ),
        (
            "flat",
            LineChart {
                series: vec![series("a", daily(7, |_| 42.0))],
                ..LineChart::default()
            },
        ),
        (
            "negative",
            LineChart {
                series: vec![series("a", daily(7, |d| -d * 1_000.0))],
                ..LineChart::default()
            },
        ),
        (
            "huge counts",
            LineChart {
                series: vec![series("a", daily(7, |d| d * 3e7))],
                ..LineChart::default()
            },
        ),
        (
            "tiny values",
            LineChart {
                series: vec![series("a", daily(7, |d| d * 1e-6))],
                ..LineChart::default()
            },
        ),
        (
            "hours apart",
            LineChart {
                series: vec![series(
                    "a",
                    (0..12).map(|h| (START + h * 3_600, h as f64)).collect(),
                )],
                ..LineChart::default()
            },
        ),
        (
            "two years",
            LineChart {
                series: vec![series("a", daily(730, |d| d.sqrt()))],
                ..LineChart::default()
            },
        ),
        (
            "seconds durations",
            LineChart {
                series: vec![series("a", daily(7, |d| d * 9.0))],
                y_unit: YUnit::Duration,
                ..LineChart::default()
            },
        ),
        (
            "inverted band",
            LineChart {
                series: vec![Series {
                    name: "a".to_owned(),
                    points: daily(5, |d| d),
                    band: daily(5, |d| d)
                        .into_iter()
                        .map(|(x, y)| (x, y + 1.0, y - 1.0))
                        .collect(),
                }],
                ..LineChart::default()
            },
        ),
        (
            "more series than colours",
            LineChart {
                series: (0..10)
                    .map(|i| series(&format!("team {i}"), daily(14, |d| d + f64::from(i))))
                    .collect(),
                ..LineChart::default()
            },
        ),
        (
            "long text",
            LineChart {
                title: long.clone(),
                series: vec![
                    series(&long, daily(3, |d| d)),
                    series(&long, daily(3, |d| d * 2.0)),
                ],
                ..LineChart::default()
            },
        ),
        (
            "legend crowds a small chart",
            LineChart {
                series: (0..12)
                    .map(|i| {
                        series(
                            &format!("a fairly long series name {i}"),
                            daily(3, |d| d * f64::from(i + 1)),
                        )
                    })
                    .collect(),
                size: ChartSize::MIN,
                ..LineChart::default()
            },
        ),
        (
            "min size",
            LineChart {
                title: "t".to_owned(),
                series: vec![series("a", daily(30, |d| d))],
                size: ChartSize::MIN,
                ..LineChart::default()
            },
        ),
        (
            "max size",
            LineChart {
                series: vec![series("a", daily(30, |d| d))],
                size: ChartSize::MAX,
                ..LineChart::default()
            },
        ),
    ];
    for (name, spec) in cases {
        let png = match render_line(&spec) {
            Ok(png) => png,
            Err(e) => panic!("{name}: {e}"),
        };
        let img = decode(&png);
        assert_eq!(img.dimensions(), spec.size.pixels(), "{name}");
        assert!(
            count_pixels(&img, PALETTE.series_colour(0)) > 0,
            "{name}: first series not drawn"
        );
    }
}

/// A tiny deterministic generator, so the property-style test needs no extra
/// dependency and fails reproducibly.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn value(&mut self) -> f64 {
        match self.below(12) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -1e9,
            _ => (self.below(1_000_000) as f64 - 100_000.0) / 7.0,
        }
    }
}

#[test]
fn random_specs_always_render_at_the_requested_size() {
    let mut rng = Lcg(0x5EED);
    for case in 0..16 {
        let series = (0..rng.below(4))
            .map(|i| {
                let n = rng.below(40);
                let step = [60, 3_600, DAY, 7 * DAY][rng.below(4) as usize];
                let origin = START + rng.below(1_000) as i64 * DAY - 500 * DAY;
                let points = (0..n)
                    .map(|k| (origin + k as i64 * step, rng.value()))
                    .collect();
                let band = if rng.below(2) == 0 {
                    (0..n)
                        .map(|k| (origin + k as i64 * step, rng.value(), rng.value()))
                        .collect()
                } else {
                    Vec::new()
                };
                Series {
                    name: format!("series {i}"),
                    points,
                    band,
                }
            })
            .collect();
        let size = ChartSize {
            width: ChartSize::MIN.width + rng.below(300) as u32,
            height: ChartSize::MIN.height + rng.below(200) as u32,
        };
        let y_unit = if rng.below(2) == 0 {
            YUnit::Count
        } else {
            YUnit::Duration
        };
        let spec = LineChart {
            title: format!("case {case}"),
            series,
            y_unit,
            y_label: String::new(),
            size,
        };
        let png = match render_line(&spec) {
            Ok(png) => png,
            Err(e) => panic!("case {case} ({spec:?}): {e}"),
        };
        assert_eq!(decode(&png).dimensions(), size.pixels(), "case {case}");
    }
}

#[test]
fn out_of_range_sizes_are_errors_not_panics() {
    for size in [
        ChartSize {
            width: 0,
            height: 0,
        },
        ChartSize {
            width: ChartSize::MIN.width - 1,
            height: 400,
        },
        ChartSize {
            width: 800,
            height: ChartSize::MAX.height + 1,
        },
        ChartSize {
            width: u32::MAX,
            height: u32::MAX,
        },
    ] {
        let spec = LineChart { size, ..typical() };
        match render_line(&spec) {
            Err(ChartError::InvalidSize { width, height }) => {
                assert_eq!((width, height), (size.width, size.height))
            }
            other => panic!(
                "{size:?}: expected InvalidSize, got {:?}",
                other.map(|png| png.len())
            ),
        }
    }
}
