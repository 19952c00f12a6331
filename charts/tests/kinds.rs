//! Every chart kind through the unified `Chart` API: size, non-blank output,
//! determinism, cache keys, the empty state, legends and hostile input.

mod common;

use charts::{
    BarChart, BarMode, BoxChart, BoxGroup, Chart, ChartSize, DonutChart, LineChart, PALETTE,
    RENDER_VERSION, ScatterChart, ScatterSeries, Series, YUnit, render_bar, render_box,
    render_donut, render_line, render_scatter,
};
use common::*;

const SIZES: [ChartSize; 4] = [
    ChartSize {
        width: 800,
        height: 400,
    },
    ChartSize::MIN,
    ChartSize {
        width: 300,
        height: 200,
    },
    ChartSize::MAX,
];

#[test]
fn every_kind_renders_at_twice_the_logical_size() {
    for chart in every_kind() {
        for size in SIZES {
            let chart = resized(&chart, size);
            let img = decode(&render(&chart));
            assert_eq!(
                img.dimensions(),
                (size.width * 2, size.height * 2),
                "{} at {size:?}",
                chart.title()
            );
        }
    }
}

#[test]
fn every_kind_is_not_blank() {
    for chart in every_kind() {
        let img = decode(&render(&chart));
        let total = img.width() as usize * img.height() as usize;
        let colours = distinct_colours(&img);
        assert!(colours >= 8, "{}: only {colours} colours", chart.title());
        let background = count_pixels(&img, PALETTE.background);
        assert!(
            background > total / 4 && background < total * 99 / 100,
            "{}: background covers {background} of {total} pixels",
            chart.title()
        );
        let ink = count_pixels(&img, PALETTE.series_colour(0));
        assert!(
            ink > 500,
            "{}: first colour covers {ink} pixels",
            chart.title()
        );
    }
}

#[test]
fn output_is_deterministic_and_matches_the_kind_functions() {
    for chart in every_kind() {
        let first = render(&chart);
        assert!(first == render(&chart), "{}: bytes differ", chart.title());
        let direct = match &chart {
            Chart::Line(c) => render_line(c),
            Chart::Bar(c) => render_bar(c),
            Chart::Scatter(c) => render_scatter(c),
            Chart::Donut(c) => render_donut(c),
            Chart::Box(c) => render_box(c),
        };
        assert!(
            direct.ok().as_deref() == Some(first.as_slice()),
            "{}: Chart::render differs from the kind's own function",
            chart.title()
        );
        assert!(charts::render(&chart).ok() == Some(first.clone()));
        // Concurrent renders share the font and nothing else.
        let from_threads: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2).map(|_| scope.spawn(|| render(&chart))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for png in from_threads {
            assert!(
                png == first,
                "{}: a concurrent render differs",
                chart.title()
            );
        }
    }
}

#[test]
fn png_sizes_stay_within_budget() {
    for chart in every_kind() {
        let png = render(&chart);
        assert!(
            png.len() < 80 * 1024,
            "{}: {} bytes",
            chart.title(),
            png.len()
        );
    }
}

#[test]
fn cache_keys_are_stable_hex_digests() {
    for chart in every_kind() {
        let key = chart.cache_key();
        assert_eq!(key.len(), 64, "{key}");
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(key, chart.clone().cache_key());
    }
    // Pinned so an accidental change to the encoding (which would orphan
    // every cached PNG) fails here; update it together with RENDER_VERSION.
    assert_eq!(RENDER_VERSION, 1);
    let pinned = Chart::Donut(DonutChart {
        title: "t".to_owned(),
        slices: vec![slice("a", 1.0), slice("b", 2.5)],
        ..DonutChart::default()
    });
    assert_eq!(
        pinned.cache_key(),
        "fe6c2f938ae4d122582dce6cecf0f463162a5b39428068e42a287d5d56b4f329"
    );
}

#[test]
fn any_change_to_a_spec_changes_its_cache_key() {
    let base = every_kind();
    let mut variants: Vec<Chart> = Vec::new();
    for chart in &base {
        let mut title = chart.clone();
        match &mut title {
            Chart::Line(c) => c.title.push('!'),
            Chart::Bar(c) => c.title.push('!'),
            Chart::Scatter(c) => c.title.push('!'),
            Chart::Donut(c) => c.title.push('!'),
            Chart::Box(c) => c.title.push('!'),
        }
        variants.push(title);
        variants.push(resized(
            chart,
            ChartSize {
                width: 801,
                height: 400,
            },
        ));
    }
    let mut line = line();
    line.series[0].points[3].1 += 1.0;
    variants.push(Chart::Line(line));
    let mut line = common::line();
    line.y_unit = YUnit::Count;
    variants.push(Chart::Line(line));
    let mut line = common::line();
    line.series[0].band.clear();
    variants.push(Chart::Line(line));
    let mut bar = bar();
    bar.mode = BarMode::Grouped;
    variants.push(Chart::Bar(bar));
    let mut bar = common::bar();
    bar.categories.swap(0, 1);
    variants.push(Chart::Bar(bar));
    let mut bar = common::bar();
    bar.y_label.clear();
    variants.push(Chart::Bar(bar));
    let mut scatter = scatter();
    scatter.log_x = false;
    variants.push(Chart::Scatter(scatter));
    let mut scatter = common::scatter();
    scatter.log_y = true;
    variants.push(Chart::Scatter(scatter));
    let mut donut = donut();
    donut.centre_label = None;
    variants.push(Chart::Donut(donut));
    let mut donut = common::donut();
    donut.slices[1].value = f64::NAN;
    variants.push(Chart::Donut(donut));
    let mut boxes = boxplot();
    boxes.groups[1].values.pop();
    variants.push(Chart::Box(boxes));
    // Length prefixes keep ["ab"] and ["a", "b"] apart.
    let split = |cats: &[&str]| {
        Chart::Bar(BarChart {
            categories: cats.iter().map(|c| (*c).to_owned()).collect(),
            ..BarChart::default()
        })
    };
    variants.push(split(&["ab"]));
    variants.push(split(&["a", "b"]));

    let mut keys: Vec<String> = base.iter().map(Chart::cache_key).collect();
    keys.extend(variants.iter().map(Chart::cache_key));
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "two different specs share a key");
}

#[test]
fn every_kind_without_data_renders_the_shared_empty_image() {
    for chart in every_kind() {
        let empty = emptied(&chart);
        let png = render(&empty);
        let img = decode(&png);
        assert_eq!(img.dimensions(), (1600, 800), "{}", chart.title());
        // The same image a line chart with that title shows: one empty state.
        let reference = render_line(&LineChart {
            title: chart.title().to_owned(),
            ..LineChart::default()
        })
        .unwrap_or_default();
        assert!(
            png == reference,
            "{}: not the shared empty image",
            chart.title()
        );
        for i in 0..3 {
            assert_eq!(count_pixels(&img, PALETTE.series_colour(i)), 0);
        }
        assert!(distinct_colours(&img) > 2, "the message text is missing");
    }
}

#[test]
fn unusable_data_counts_as_no_data() {
    let title = "Nothing to show".to_owned();
    let reference = render_line(&LineChart {
        title: title.clone(),
        ..LineChart::default()
    })
    .unwrap_or_default();
    let bad = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300];
    let cases = vec![
        Chart::Bar(BarChart {
            title: title.clone(),
            categories: vec!["a".to_owned(), "b".to_owned()],
            series: vec![bar_series("x", bad.to_vec()), bar_series("y", Vec::new())],
            ..BarChart::default()
        }),
        Chart::Bar(BarChart {
            title: title.clone(),
            categories: vec!["only labels".to_owned()],
            ..BarChart::default()
        }),
        Chart::Scatter(ScatterChart {
            title: title.clone(),
            series: vec![ScatterSeries {
                name: "x".to_owned(),
                points: vec![
                    (0.0, 1.0),
                    (-5.0, 2.0),
                    (f64::NAN, 1.0),
                    (3.0, f64::INFINITY),
                ],
            }],
            log_x: true,
            ..ScatterChart::default()
        }),
        Chart::Donut(DonutChart {
            title: title.clone(),
            slices: vec![
                slice("zero", 0.0),
                slice("negative", -4.0),
                slice("nan", f64::NAN),
                slice("inf", f64::INFINITY),
            ],
            centre_label: Some("0 PRs".to_owned()),
            ..DonutChart::default()
        }),
        Chart::Box(BoxChart {
            title: title.clone(),
            groups: vec![
                group("four values", 4, 10.0),
                BoxGroup {
                    name: "nan".to_owned(),
                    values: vec![f64::NAN; 50],
                },
                group("none", 0, 1.0),
            ],
            ..BoxChart::default()
        }),
    ];
    for chart in cases {
        assert!(
            render(&chart) == reference,
            "{:?} is not the empty image",
            chart
        );
        assert_eq!(chart.alt_text(), "Nothing to show: not enough data yet");
    }
}

/// Renders `chart` with its first series renamed.
fn renamed(chart: &Chart, name: &str) -> Vec<u8> {
    let mut c = chart.clone();
    match &mut c {
        Chart::Line(c) => c.series[0].name = name.to_owned(),
        Chart::Bar(c) => c.series[0].name = name.to_owned(),
        Chart::Scatter(c) => c.series[0].name = name.to_owned(),
        _ => unreachable!("only kinds with series"),
    }
    render(&c)
}

#[test]
fn legend_appears_only_with_two_or_more_series() {
    let one_series = [
        Chart::Line(line()),
        Chart::Bar(BarChart {
            series: bar().series[..1].to_vec(),
            ..bar()
        }),
        Chart::Scatter(ScatterChart {
            series: scatter().series[..1].to_vec(),
            ..scatter()
        }),
    ];
    for chart in &one_series {
        // No legend: the series name is drawn nowhere.
        assert!(
            renamed(chart, "First name") == renamed(chart, "Another name"),
            "{}: a lone series' name changed the image",
            chart.title()
        );
    }
    let two_series = [
        Chart::Line(LineChart {
            series: vec![
                line().series[0].clone(),
                Series {
                    name: "Second".to_owned(),
                    points: vec![(START, HOUR), (START + 5 * DAY, 2.0 * HOUR)],
                    band: Vec::new(),
                },
            ],
            ..line()
        }),
        Chart::Bar(bar()),
        Chart::Scatter(scatter()),
    ];
    for chart in &two_series {
        assert!(
            renamed(chart, "First name") != renamed(chart, "Another name"),
            "{}: the legend is missing",
            chart.title()
        );
    }
}

/// Heights in pixels of each run of columns holding `colour` (wider than a
/// legend swatch), measured through the middle column of the run.
fn bar_heights(png: &[u8], c: charts::Rgb) -> Vec<usize> {
    let img = decode(png);
    let column = |x: u32| {
        (0..img.height())
            .filter(|&y| img.get_pixel(x, y).0 == [c.r, c.g, c.b])
            .count()
    };
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for x in 0..img.width() {
        if column(x) > 0 {
            match runs.last_mut() {
                Some(run) if run.1 + 1 == x => run.1 = x,
                _ => runs.push((x, x)),
            }
        }
    }
    runs.iter()
        .filter(|(a, b)| b - a > 40)
        .map(|(a, b)| column((a + b) / 2))
        .collect()
}

#[test]
fn bar_values_are_measured_from_zero() {
    let chart = BarChart {
        categories: vec!["a".to_owned(), "b".to_owned()],
        series: vec![bar_series("x", vec![100.0, 110.0])],
        ..BarChart::default()
    };
    let heights = bar_heights(
        &render_bar(&chart).unwrap_or_default(),
        PALETTE.series_colour(0),
    );
    assert_eq!(heights.len(), 2, "{heights:?}");
    let ratio = heights[0] as f64 / heights[1] as f64;
    assert!((ratio - 100.0 / 110.0).abs() < 0.02, "{heights:?}");
}

#[test]
fn stacked_bars_add_up_and_grouped_bars_stand_side_by_side() {
    let series = vec![
        bar_series("a", vec![10.0, 20.0]),
        bar_series("b", vec![30.0, 20.0]),
    ];
    let stacked = BarChart {
        categories: vec!["x".to_owned(), "y".to_owned()],
        series: series.clone(),
        mode: BarMode::Stacked,
        ..BarChart::default()
    };
    let png = render_bar(&stacked).unwrap_or_default();
    let a = bar_heights(&png, PALETTE.series_colour(0));
    let b = bar_heights(&png, PALETTE.series_colour(1));
    // Both stacks total 40, so equal heights overall (within the hairline).
    assert_eq!(a.len(), 2);
    assert!((a[0] + b[0]).abs_diff(a[1] + b[1]) <= 2, "{a:?} {b:?}");
    assert!(b[0].abs_diff(3 * a[0]) <= 3, "{a:?} {b:?}");

    let grouped = BarChart {
        mode: BarMode::Grouped,
        ..stacked
    };
    let png = render_bar(&grouped).unwrap_or_default();
    let a = bar_heights(&png, PALETTE.series_colour(0));
    let b = bar_heights(&png, PALETTE.series_colour(1));
    assert_eq!((a.len(), b.len()), (2, 2));
    assert!(b[0].abs_diff(3 * a[0]) <= 3, "{a:?} {b:?}");
    assert!(a[1].abs_diff(b[1]) <= 1, "{a:?} {b:?}");
}

#[test]
fn donut_skips_unusable_slices() {
    let clean = donut();
    let mut noisy = donut();
    noisy.slices.insert(1, slice("zero", 0.0));
    noisy.slices.insert(0, slice("nan", f64::NAN));
    noisy.slices.push(slice("negative", -3.0));
    assert!(render_donut(&clean).ok() == render_donut(&noisy).ok());
}

#[test]
fn small_box_groups_get_a_note_instead_of_a_box() {
    let chart = BoxChart {
        groups: vec![group("few", 4, 10.0), group("many", 100, 10.0)],
        ..boxplot()
    };
    let img = decode(&render_box(&chart).unwrap_or_default());
    assert_eq!(
        count_pixels(&img, PALETTE.series_colour(0)),
        0,
        "a box for 4 values"
    );
    assert!(count_pixels(&img, PALETTE.series_colour(1)) > 500);
}

#[test]
fn hostile_input_never_panics() {
    let long = "Ünïcödé 🚀 title that goes on and on ".repeat(200);
    let nasty = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
        -0.0,
        f64::MIN_POSITIVE,
        1e15,
        -1e15,
    ];
    let many_categories: Vec<String> = (0..10_000).map(|i| format!("category {i} 🚀")).collect();
    let charts = vec![
        Chart::Bar(BarChart {
            title: long.clone(),
            categories: many_categories.clone(),
            series: vec![
                bar_series(&long, (0..10_000).map(|i| f64::from(i % 97)).collect()),
                bar_series("", (0..10_000).map(|i| -f64::from(i % 13)).collect()),
            ],
            mode: BarMode::Stacked,
            y_label: long.clone(),
            ..BarChart::default()
        }),
        Chart::Bar(BarChart {
            categories: vec![String::new(), long.clone(), "\n\t".to_owned()],
            series: vec![
                bar_series("n", nasty.to_vec()),
                bar_series("m", nasty.to_vec()),
            ],
            ..BarChart::default()
        }),
        Chart::Bar(BarChart {
            series: (0..50)
                .map(|i| bar_series(&format!("s{i}"), vec![1.0; 5]))
                .collect(),
            size: ChartSize::MIN,
            ..BarChart::default()
        }),
        Chart::Scatter(ScatterChart {
            title: long.clone(),
            x_label: long.clone(),
            y_label: long.clone(),
            series: vec![
                ScatterSeries {
                    name: long.clone(),
                    points: scatter_points(30_000, 3),
                },
                ScatterSeries {
                    name: "🚀".to_owned(),
                    points: scatter_points(20_000, 4),
                },
            ],
            log_x: true,
            log_y: true,
            ..ScatterChart::default()
        }),
        Chart::Scatter(ScatterChart {
            series: vec![ScatterSeries {
                name: String::new(),
                points: nasty
                    .iter()
                    .flat_map(|&x| nasty.iter().map(move |&y| (x, y)))
                    .collect(),
            }],
            ..ScatterChart::default()
        }),
        Chart::Scatter(ScatterChart {
            series: vec![ScatterSeries {
                name: "one point".to_owned(),
                points: vec![(5.0, 5.0)],
            }],
            log_x: true,
            log_y: true,
            size: ChartSize::MIN,
            ..ScatterChart::default()
        }),
        Chart::Donut(DonutChart {
            title: long.clone(),
            slices: (0..500)
                .map(|i| slice(&format!("{long} {i}"), f64::from(i) * 0.37))
                .chain(nasty.iter().map(|&v| slice("nasty", v)))
                .collect(),
            centre_label: Some(format!("{long}\n{long}\n{long}")),
            size: ChartSize::MIN,
        }),
        Chart::Donut(DonutChart {
            slices: vec![slice("all", 1e15), slice("tiny", 1e-300)],
            centre_label: Some(String::new()),
            ..DonutChart::default()
        }),
        Chart::Box(BoxChart {
            title: long.clone(),
            groups: (0..2_000)
                .map(|i| BoxGroup {
                    name: format!("{long}{i}"),
                    values: nasty.iter().copied().cycle().take(i % 20).collect(),
                })
                .collect(),
            y_label: long.clone(),
            ..BoxChart::default()
        }),
        Chart::Box(BoxChart {
            groups: vec![BoxGroup {
                name: "flat".to_owned(),
                values: vec![3.0; 100],
            }],
            size: ChartSize::MIN,
            ..BoxChart::default()
        }),
        Chart::Line(LineChart {
            title: long.clone(),
            y_label: long.clone(),
            series: vec![Series {
                name: long.clone(),
                points: nasty
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (i as i64, v))
                    .collect(),
                band: Vec::new(),
            }],
            ..LineChart::default()
        }),
    ];
    for chart in &charts {
        let png = match chart.render() {
            Ok(png) => png,
            Err(e) => panic!(
                "{}: {e}",
                chart.title().chars().take(40).collect::<String>()
            ),
        };
        let img = decode(&png);
        assert_eq!(img.dimensions(), chart.size().pixels());
        let alt = chart.alt_text();
        assert!(!alt.is_empty() && alt.chars().count() <= charts::MAX_ALT_TEXT);
        assert_eq!(chart.cache_key().len(), 64);
    }
}

#[test]
fn out_of_range_sizes_are_errors_for_every_kind() {
    for chart in every_kind() {
        for size in [
            ChartSize {
                width: 0,
                height: 0,
            },
            ChartSize {
                width: u32::MAX,
                height: 400,
            },
        ] {
            let chart = resized(&chart, size);
            assert!(
                matches!(chart.render(), Err(charts::ChartError::InvalidSize { .. })),
                "{}",
                chart.title()
            );
            // Empty charts are refused the same way.
            assert!(emptied(&chart).render().is_err());
        }
    }
}
