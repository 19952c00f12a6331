//! `Chart::alt_text`: the data in words, for screen readers and Slack.

mod common;

use charts::{
    BarChart, BarMode, BoxChart, BoxGroup, CategoryKind, Chart, DonutChart, LineChart,
    MAX_ALT_TEXT, ScatterChart, ScatterSeries, Series, YUnit,
};
use common::*;

#[test]
fn weekly_bars_name_the_range_and_the_peak_week() {
    let values = [
        31.0, 35.0, 40.0, 52.0, 38.0, 36.0, 41.0, 39.0, 42.0, 40.0, 43.0, 44.0,
    ];
    // Week 4 of the twelve starts on Mar 25; rename it to match the brief's example.
    let mut chart = BarChart::weekly(
        "Merged PRs per week",
        &weeks(12),
        vec![bar_series("Merged", values.to_vec())],
    );
    chart.categories[3] = "Mar 3".to_owned();
    assert_eq!(
        Chart::Bar(chart).alt_text(),
        "Bar chart of merged PRs per week over 12 weeks, from 31 to 44 (peak 52 in the week of Mar 3)"
    );
}

#[test]
fn bars_over_labels_and_days_read_naturally() {
    let sprints = BarChart {
        title: "Velocity per sprint".to_owned(),
        categories: vec![
            "Sprint 1".to_owned(),
            "Sprint 2".to_owned(),
            "Sprint 3".to_owned(),
        ],
        series: vec![bar_series("Points", vec![21.0, 40.0, f64::NAN])],
        ..BarChart::default()
    };
    assert_eq!(
        Chart::Bar(sprints).alt_text(),
        "Bar chart of velocity per sprint across 3 categories, from 21 to 40 (peak 40 at Sprint 2)"
    );
    let days = BarChart {
        title: "Deploys".to_owned(),
        categories: vec!["Mar 4".to_owned()],
        category_kind: CategoryKind::Days,
        series: vec![bar_series("Deploys", vec![3.0])],
        ..BarChart::default()
    };
    assert_eq!(
        Chart::Bar(days).alt_text(),
        "Bar chart of deploys over 1 day: 3 on Mar 4"
    );
}

#[test]
fn grouped_and_stacked_bars_describe_each_series_or_the_total() {
    let series = vec![
        bar_series("AI", vec![10.0, 20.0, 15.0]),
        bar_series("Other", vec![30.0, 10.0, 35.0]),
    ];
    let grouped = BarChart {
        series: series.clone(),
        ..BarChart::weekly("Merged PRs", &weeks(3), Vec::new())
    };
    assert_eq!(
        Chart::Bar(grouped.clone()).alt_text(),
        "Bar chart of merged PRs over 3 weeks: AI from 10 to 15 (peak 20 in the week of Mar 11); \
         Other from 30 to 35 (peak 35 in the week of Mar 18)"
    );
    let stacked = BarChart {
        mode: BarMode::Stacked,
        ..grouped
    };
    assert_eq!(
        Chart::Bar(stacked).alt_text(),
        "Bar chart of merged PRs over 3 weeks, stacked AI and Other: total from 40 to 50 \
         (peak 50 in the week of Mar 18); AI 38%, Other 62% of the total"
    );
}

#[test]
fn line_alt_text_gives_start_end_and_range() {
    let day = |d: i64| START + d * DAY;
    let chart = LineChart {
        title: "Median cycle time".to_owned(),
        series: vec![Series {
            name: "All".to_owned(),
            points: vec![
                (day(14), 1.8 * 86_400.0),
                (day(0), 2.1 * 86_400.0),
                (day(7), 1.5 * 86_400.0),
                (day(10), f64::NAN),
            ],
            band: Vec::new(),
        }],
        y_unit: YUnit::Duration,
        ..LineChart::default()
    };
    assert_eq!(
        Chart::Line(chart.clone()).alt_text(),
        "Line chart of median cycle time, from 2.1d to 1.8d (low 1.5d, high 2.1d) between Mar 4 and Mar 18"
    );
    let two = LineChart {
        series: vec![
            chart.series[0].clone(),
            Series {
                name: "Team B".to_owned(),
                points: vec![(day(3), 3_600.0)],
                band: Vec::new(),
            },
            Series::default(),
        ],
        ..chart
    };
    assert_eq!(
        Chart::Line(two).alt_text(),
        "Line chart of median cycle time between Mar 4 and Mar 18: All from 2.1d to 1.8d \
         (low 1.5d, high 2.1d); Team B 1h on Mar 7; series 3 no data"
    );
}

#[test]
fn donut_alt_text_lists_shares() {
    let chart = DonutChart {
        slices: vec![slice("AI-assisted", 41.0), slice("not AI-assisted", 59.0)],
        ..DonutChart::default()
    };
    assert_eq!(
        Chart::Donut(chart).alt_text(),
        "Donut chart: AI-assisted 41%, not AI-assisted 59%"
    );
    let titled = DonutChart {
        title: "PRs by tool".to_owned(),
        slices: vec![
            slice("A", 1.0),
            slice("B", 1.0),
            slice("C", 1.0),
            slice("D", 0.0),
        ],
        centre_label: Some("3\nPRs".to_owned()),
        ..DonutChart::default()
    };
    assert_eq!(
        Chart::Donut(titled).alt_text(),
        "Donut chart of PRs by tool: A 34%, B 33%, C 33% (3 PRs)"
    );
}

#[test]
fn box_alt_text_gives_medians_quartiles_and_counts() {
    let chart = BoxChart {
        title: "Cycle time".to_owned(),
        groups: vec![
            BoxGroup {
                name: "AI".to_owned(),
                values: (1..=9).map(|h| f64::from(h) * 3_600.0).collect(),
            },
            group("Other", 3, 1.0),
        ],
        y_unit: YUnit::Duration,
        ..BoxChart::default()
    };
    assert_eq!(
        Chart::Box(chart).alt_text(),
        "Box chart of cycle time: AI median 5h (p25–p75 3h–7h, n = 9); \
         Other not enough data (n = 3)"
    );
}

#[test]
fn scatter_alt_text_counts_points_and_gives_medians() {
    let chart = ScatterChart {
        title: "PR size vs cycle time".to_owned(),
        x_label: "PR size".to_owned(),
        y_label: "Cycle time".to_owned(),
        y_unit: YUnit::Duration,
        series: vec![
            ScatterSeries {
                name: "AI".to_owned(),
                points: vec![(10.0, 3_600.0), (30.0, 7_200.0), (20.0, 36_000.0)],
            },
            ScatterSeries {
                name: "Other".to_owned(),
                points: vec![(f64::NAN, 1.0), (100.0, 86_400.0)],
            },
        ],
        ..ScatterChart::default()
    };
    assert_eq!(
        Chart::Scatter(chart).alt_text(),
        "Scatter chart of PR size vs cycle time, 4 points: AI 3 points (median PR size 20, \
         median cycle time 2h); Other 1 point (median PR size 100, median cycle time 1d)"
    );
}

#[test]
fn empty_charts_say_not_enough_data_yet() {
    for chart in every_kind() {
        let title = chart.title().to_owned();
        assert_eq!(
            emptied(&chart).alt_text(),
            format!("{title}: not enough data yet")
        );
    }
    assert_eq!(
        Chart::Donut(DonutChart::default()).alt_text(),
        "Donut chart: not enough data yet"
    );
}

#[test]
fn alt_text_is_bounded_and_on_one_line() {
    let long = "A very long series name with\nnewlines 🚀 ".repeat(50);
    let chart = Chart::Bar(BarChart {
        title: long.clone(),
        categories: (0..500).map(|i| format!("{long}{i}")).collect(),
        series: (0..40)
            .map(|i| bar_series(&format!("{long}{i}"), vec![f64::from(i); 500]))
            .collect(),
        ..BarChart::default()
    });
    let alt = chart.alt_text();
    assert_eq!(alt.chars().count(), MAX_ALT_TEXT);
    assert!(alt.ends_with('…'));
    assert!(!alt.contains('\n'));
    for chart in every_kind() {
        let alt = chart.alt_text();
        assert!(alt.chars().count() < 400, "{alt}");
        assert!(!alt.contains("NaN") && !alt.contains("inf"), "{alt}");
    }
}
