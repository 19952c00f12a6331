//! Property tests: whatever the data, every kind renders a PNG of the
//! requested size, deterministically, with bounded alt text and a stable key.

mod common;

use charts::{
    BarChart, BarMode, BarSeries, BoxChart, BoxGroup, Chart, ChartSize, DonutChart, LineChart,
    MAX_ALT_TEXT, ScatterChart, ScatterSeries, Series, Slice, YUnit,
};
use common::decode;
use proptest::prelude::*;

/// Mostly ordinary values, with the awkward ones well represented.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -1e4..1e6f64,
        1 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => prop_oneof![Just(1e15), Just(-1e300), Just(f64::MIN_POSITIVE), Just(f64::MAX)],
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z ]{1,20}",
        "\\PC{0,80}",
        Just("🚀🚀 émoji\nnew line".to_owned()),
    ]
}

fn size() -> impl Strategy<Value = ChartSize> {
    (
        ChartSize::MIN.width..=700u32,
        ChartSize::MIN.height..=350u32,
    )
        .prop_map(|(width, height)| ChartSize { width, height })
}

fn unit() -> impl Strategy<Value = YUnit> {
    prop_oneof![Just(YUnit::Count), Just(YUnit::Duration)]
}

fn line() -> impl Strategy<Value = Chart> {
    let series = (
        text(),
        prop::collection::vec((0i64..400, value()), 0..40),
        prop::collection::vec((0i64..400, value(), value()), 0..20),
    )
        .prop_map(|(name, points, band)| Series {
            name,
            points: points.into_iter().map(|(d, v)| (d * 86_400, v)).collect(),
            band: band
                .into_iter()
                .map(|(d, a, b)| (d * 86_400, a, b))
                .collect(),
        });
    (
        text(),
        prop::collection::vec(series, 0..4),
        unit(),
        text(),
        size(),
    )
        .prop_map(|(title, series, y_unit, y_label, size)| {
            Chart::Line(LineChart {
                title,
                series,
                y_unit,
                y_label,
                size,
            })
        })
}

fn bar() -> impl Strategy<Value = Chart> {
    let series = (text(), prop::collection::vec(value(), 0..30))
        .prop_map(|(name, values)| BarSeries { name, values });
    (
        text(),
        prop::collection::vec(text(), 0..30),
        prop::collection::vec(series, 0..4),
        any::<bool>(),
        unit(),
        size(),
    )
        .prop_map(|(title, categories, series, stacked, y_unit, size)| {
            Chart::Bar(BarChart {
                title,
                categories,
                series,
                mode: if stacked {
                    BarMode::Stacked
                } else {
                    BarMode::Grouped
                },
                y_unit,
                size,
                ..BarChart::default()
            })
        })
}

fn scatter() -> impl Strategy<Value = Chart> {
    let series = (text(), prop::collection::vec((value(), value()), 0..200))
        .prop_map(|(name, points)| ScatterSeries { name, points });
    (
        text(),
        prop::collection::vec(series, 0..4),
        (unit(), unit(), any::<bool>(), any::<bool>()),
        size(),
    )
        .prop_map(|(title, series, (x_unit, y_unit, log_x, log_y), size)| {
            Chart::Scatter(ScatterChart {
                title,
                x_label: "x".to_owned(),
                y_label: "y".to_owned(),
                x_unit,
                y_unit,
                series,
                log_x,
                log_y,
                size,
            })
        })
}

fn donut() -> impl Strategy<Value = Chart> {
    let slice = (text(), value()).prop_map(|(label, value)| Slice { label, value });
    (
        text(),
        prop::collection::vec(slice, 0..12),
        prop::option::of(text()),
        size(),
    )
        .prop_map(|(title, slices, centre_label, size)| {
            Chart::Donut(DonutChart {
                title,
                slices,
                centre_label,
                size,
            })
        })
}

fn boxplot() -> impl Strategy<Value = Chart> {
    let group = (text(), prop::collection::vec(value(), 0..60))
        .prop_map(|(name, values)| BoxGroup { name, values });
    (text(), prop::collection::vec(group, 0..5), unit(), size()).prop_map(
        |(title, groups, y_unit, size)| {
            Chart::Box(BoxChart {
                title,
                groups,
                y_unit,
                y_label: "value".to_owned(),
                size,
            })
        },
    )
}

fn any_chart() -> impl Strategy<Value = Chart> {
    prop_oneof![line(), bar(), scatter(), donut(), boxplot()]
}

proptest! {
    // Each case renders twice in a debug build; keep the run short.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_chart_renders_at_its_size_deterministically(chart in any_chart()) {
        let png = chart.render();
        prop_assert!(png.is_ok(), "{:?}", png.err());
        let png = png.unwrap_or_default();
        prop_assert_eq!(decode(&png).dimensions(), chart.size().pixels());
        prop_assert!(chart.render().ok() == Some(png), "second render differs");
    }

    #[test]
    fn alt_text_and_cache_key_are_well_formed(chart in any_chart()) {
        let alt = chart.alt_text();
        prop_assert!(!alt.is_empty());
        prop_assert!(alt.chars().count() <= MAX_ALT_TEXT);
        prop_assert!(!alt.contains('\n'));
        let key = chart.cache_key();
        prop_assert_eq!(key.len(), 64);
        prop_assert_eq!(&key, &chart.clone().cache_key());
    }
}
