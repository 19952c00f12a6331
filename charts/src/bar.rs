//! Bar charts over categories (weeks, teams, sprints), grouped or stacked.

use crate::ChartError;
use crate::axis::{YUnit, format_date_short, format_value, usable, value_ticks};
use crate::canvas::{Area, ChartSize, draw_empty, draw_title, fill, hline, metrics, px, render};
use crate::frame::{CategoryLabels, Frame, FrameSpec, ValueAxis};
use crate::legend::{Legend, Swatch};
use crate::palette::PALETTE;
use crate::text::Align;

/// A bar chart: one bar (or stack) per category, one colour per series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    /// Shown top-left; empty for none.
    pub title: String,
    /// Labels along the x axis, one per bar group, already formatted
    /// (`Mar 3`, a team name). Long labels are shortened with `…` and
    /// crowded ones thinned out; see [`format_date_short`] for week starts,
    /// or build the chart with [`BarChart::weekly`].
    pub categories: Vec<String>,
    /// What the categories are, for the alt text ("over 12 weeks").
    pub category_kind: CategoryKind,
    /// Index-aligned with `categories`; coloured from
    /// [`PALETTE`](crate::PALETTE) by position. Non-finite values (and
    /// |v| > 10¹⁵) are missing bars; a series shorter than `categories` is
    /// missing the rest.
    pub series: Vec<BarSeries>,
    /// Side by side or on top of each other.
    pub mode: BarMode,
    /// How values are labelled.
    pub y_unit: YUnit,
    /// What the value axis measures, shown above it (`PRs`, `story points`);
    /// durations get their unit added. Empty for none.
    pub y_label: String,
    /// Logical size; the PNG is twice this in each direction.
    pub size: ChartSize,
}

/// One named set of values, one per category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarSeries {
    /// Legend label (the legend appears only with two or more series).
    pub name: String,
    /// One value per category.
    pub values: Vec<f64>,
}

/// How several series share a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarMode {
    /// Side by side, each from zero.
    #[default]
    Grouped,
    /// On top of each other, so the stack shows the total (negative values
    /// stack downwards from zero).
    Stacked,
}

/// What the categories of a bar chart stand for; only changes how the alt
/// text talks about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CategoryKind {
    /// Arbitrary labels: "6 bars", "peak 40 at Sprint 12".
    #[default]
    Labels,
    /// Week starts: "over 12 weeks", "in the week of Mar 3".
    Weeks,
    /// Days: "over 30 days", "on Mar 3".
    Days,
}

impl BarChart {
    /// A chart with one category per week, labelled `Mar 3` from each week's
    /// start (Unix seconds, UTC); other fields take their defaults.
    #[must_use]
    pub fn weekly(title: impl Into<String>, week_starts: &[i64], series: Vec<BarSeries>) -> Self {
        Self {
            title: title.into(),
            categories: week_starts.iter().map(|w| format_date_short(*w)).collect(),
            category_kind: CategoryKind::Weeks,
            series,
            ..Self::default()
        }
    }
}

/// Renders `spec` to PNG bytes.
///
/// Pure and deterministic, like [`render_line`](crate::render_line). The
/// value axis always includes zero. A chart without a single usable value
/// renders a "Not enough data" image of the same size.
///
/// # Errors
/// [`ChartError::InvalidSize`] for a size outside [`ChartSize::MIN`]..=[`ChartSize::MAX`];
/// the other variants only if the font, plotters or the PNG encoder fail.
pub fn render_bar(spec: &BarChart) -> Result<Vec<u8>, ChartError> {
    let data = Cleaned::from_spec(spec);
    render(spec.size, |area, dims| match data {
        Some(data) => draw_chart(area, spec, &data, dims),
        None => draw_empty(area, &spec.title, dims),
    })
}

/// Usable values, one row per series, every row `n` long.
pub(crate) struct Cleaned {
    pub(crate) n: usize,
    pub(crate) values: Vec<Vec<Option<f64>>>,
    /// (lowest, highest) extent bars reach, zero included.
    range: (f64, f64),
}

impl Cleaned {
    pub(crate) fn from_spec(spec: &BarChart) -> Option<Self> {
        let n = spec
            .series
            .iter()
            .map(|s| s.values.len())
            .max()
            .unwrap_or(0)
            .max(spec.categories.len());
        let values: Vec<Vec<Option<f64>>> = spec
            .series
            .iter()
            .map(|s| {
                (0..n)
                    .map(|i| s.values.get(i).copied().filter(|v| usable(*v)))
                    .collect()
            })
            .collect();
        if !values.iter().flatten().any(Option::is_some) {
            return None;
        }
        let mut range = (0.0f64, 0.0f64);
        match spec.mode {
            BarMode::Grouped => {
                for v in values.iter().flatten().flatten() {
                    range = (range.0.min(*v), range.1.max(*v));
                }
            }
            BarMode::Stacked => {
                for i in 0..n {
                    let (neg, pos) = stack_extent(&values, i);
                    range = (range.0.min(neg), range.1.max(pos));
                }
            }
        }
        Some(Self { n, values, range })
    }

    /// Per category: the stack total (sum of usable values), if any.
    pub(crate) fn totals(&self) -> Vec<Option<f64>> {
        (0..self.n)
            .map(|i| {
                let mut any = false;
                let mut sum = 0.0;
                for v in self
                    .values
                    .iter()
                    .filter_map(|s| s.get(i).copied().flatten())
                {
                    any = true;
                    sum += v;
                }
                any.then_some(sum)
            })
            .collect()
    }
}

/// (sum of negatives, sum of positives) in category `i`.
fn stack_extent(values: &[Vec<Option<f64>>], i: usize) -> (f64, f64) {
    values
        .iter()
        .filter_map(|s| s.get(i).copied().flatten())
        .fold((0.0, 0.0), |(neg, pos), v| {
            if v < 0.0 {
                (neg + v, pos)
            } else {
                (neg, pos + v)
            }
        })
}

/// Share of a slot the bars of one category take; the rest is air between groups.
const GROUP_FILL: f64 = 0.72;
/// Logical cap on one bar's width, so three categories do not become slabs.
const MAX_BAR: f64 = 56.0;
/// Value labels above bars are written only up to this many.
const MAX_VALUE_LABELS: usize = 20;

fn draw_chart(
    area: &Area<'_>,
    spec: &BarChart,
    data: &Cleaned,
    (w, h): (i32, i32),
) -> Result<(), ChartError> {
    let title_bottom = draw_title(area, &spec.title, w)?;
    let legend = (spec.series.len() > 1).then(|| {
        Legend::layout(
            spec.series
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.as_str(), PALETTE.series_colour(i))),
            Swatch::Square,
            title_bottom,
            w,
        )
    });
    let axis = metrics::AXIS;
    let value_style = metrics::VALUE;
    let label_count = match spec.mode {
        BarMode::Grouped => data.n * data.values.len(),
        BarMode::Stacked => data.n,
    };
    let maybe_labels = label_count <= MAX_VALUE_LABELS;
    // Room above (and below) the bars for their value labels.
    let label_h = value_style.cap_height() + px(6.0);
    let (lo, hi) = data.range;
    let y_axis = |intervals: usize, height: i32| {
        let (mut lo, mut hi) = (lo, hi);
        if maybe_labels && height > 2 * label_h {
            let spare = f64::from(height - 2 * label_h).max(1.0);
            let per_px = (hi - lo).max(f64::MIN_POSITIVE) / spare;
            if hi > 0.0 {
                hi += per_px * f64::from(label_h);
            }
            if lo < 0.0 {
                lo -= per_px * f64::from(label_h);
            }
        }
        ValueAxis::linear(value_ticks(lo, hi, spec.y_unit, intervals))
    };
    let frame_spec = FrameSpec {
        top: title_bottom,
        legend,
        y_label: &spec.y_label,
        y_unit: spec.y_unit,
        x_space: axis.cap_height() + px(metrics::GAP),
        right_space: 0,
    };
    let Some(frame) = Frame::layout(frame_spec, y_axis, (w, h)) else {
        return Ok(());
    };
    frame.draw(area)?;

    let plot = frame.plot;
    let slot = f64::from(plot.width()) / data.n as f64;
    let group_w = if slot >= f64::from(px(4.0)) {
        slot * GROUP_FILL
    } else {
        slot
    };
    let series_n = data.values.len().max(1);
    let bar_w = match spec.mode {
        BarMode::Grouped => (group_w / series_n as f64).min(f64::from(px(MAX_BAR))),
        BarMode::Stacked => group_w.min(f64::from(px(MAX_BAR * 1.5))),
    };
    let span = |left: f64| {
        let x0 = left.round() as i32;
        // Adjacent bars keep a hairline between them when there is room.
        let inset = i32::from(bar_w >= f64::from(px(5.0)) && spec.mode == BarMode::Grouped);
        (x0, ((left + bar_w).round() as i32 - inset).max(x0 + 1))
    };
    let zero = frame.y(0.0);
    let bar_top = |v: f64| {
        let y = frame.y(v);
        // A non-zero value never vanishes into the baseline.
        if v > 0.0 && y == zero {
            zero - 1
        } else if v < 0.0 && y == zero {
            zero + 1
        } else {
            y
        }
    };
    let mut labels: Vec<(i32, i32, i32, f64)> = Vec::new(); // (x0, x1, y, value)
    for i in 0..data.n {
        let centre = f64::from(plot.left) + (i as f64 + 0.5) * slot;
        match spec.mode {
            BarMode::Grouped => {
                let start = centre - bar_w * series_n as f64 / 2.0;
                for (j, s) in data.values.iter().enumerate() {
                    let Some(v) = s.get(i).copied().flatten() else {
                        continue;
                    };
                    let (x0, x1) = span(start + j as f64 * bar_w);
                    let y = bar_top(v);
                    fill(area, (x0, zero), (x1, y), PALETTE.series_colour(j), 1.0)?;
                    labels.push((x0, x1, y, v));
                }
            }
            BarMode::Stacked => {
                let (x0, x1) = span(centre - bar_w / 2.0);
                let (mut pos, mut neg) = (0.0, 0.0);
                let mut drawn = false;
                for (j, s) in data.values.iter().enumerate() {
                    let Some(v) = s.get(i).copied().flatten() else {
                        continue;
                    };
                    let base = if v < 0.0 { &mut neg } else { &mut pos };
                    let (y0, y1) = (frame.y(*base), bar_top(*base + v));
                    *base += v;
                    fill(area, (x0, y0), (x1, y1), PALETTE.series_colour(j), 1.0)?;
                    // A hairline of background keeps stacked segments apart.
                    if drawn && v != 0.0 && x1 - x0 >= px(3.0) {
                        hline(area, x0, x1, y0, 1, PALETTE.background)?;
                    }
                    drawn = true;
                }
                if drawn {
                    let total = pos + neg;
                    let y = if total < 0.0 {
                        bar_top(neg)
                    } else {
                        bar_top(pos)
                    };
                    labels.push((x0, x1, y, total));
                }
            }
        }
    }
    if maybe_labels {
        let texts: Vec<String> = labels
            .iter()
            .map(|l| format_value(l.3, spec.y_unit))
            .collect();
        // Side-by-side bars touch, so their labels must fit their own bar;
        // a stack's label may use most of its slot.
        let room = |x0: i32, x1: i32| match spec.mode {
            BarMode::Grouped => x1 - x0 + px(2.0),
            BarMode::Stacked => (slot * 0.9) as i32,
        };
        let fits = labels
            .iter()
            .zip(&texts)
            .all(|(l, t)| value_style.width(t) <= room(l.0, l.1));
        if fits {
            for ((x0, x1, y, v), text) in labels.iter().zip(&texts) {
                let baseline = if *v < 0.0 {
                    y + px(4.0) + value_style.cap_height()
                } else {
                    y - px(4.0)
                };
                value_style.draw(area, text, (x0 + x1) / 2, baseline, Align::Center)?;
            }
        }
    }

    let categories = CategoryLabels::new(plot, data.n, &[(&|i| category(spec, i), axis)]);
    let baseline = plot.bottom + px(metrics::GAP) + axis.cap_height();
    categories.draw_row(area, &|i| category(spec, i), axis, baseline, w)
}

fn category(spec: &BarChart, i: usize) -> String {
    spec.categories.get(i).cloned().unwrap_or_default()
}
