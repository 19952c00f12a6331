//! The frame shared by charts with a value axis (line, bar, scatter, box):
//! legend, axis caption, horizontal grid with labels, and the plot
//! rectangle; plus category labels under equal slots (bar, box).

use crate::ChartError;
use crate::axis::{LogTicks, ValueTicks, YUnit, unit_word};
use crate::canvas::{Area, Rect, hline, metrics, px};
use crate::legend::Legend;
use crate::palette::PALETTE;
use crate::text::{Align, Text};

/// Roughly one horizontal grid line per this many logical pixels.
const Y_TICK_SPACING: f64 = 50.0;

/// A value axis: labelled ticks in data units and the range the plot spans.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValueAxis {
    pub(crate) ticks: Vec<(f64, String)>,
    /// Bounds, in log10 units when `log`.
    lo: f64,
    hi: f64,
    log: bool,
    /// The suffix the tick labels share (`d`, `h`, `k`), if one unit applies.
    suffix: &'static str,
}

impl ValueAxis {
    /// A linear axis spanning its first to last tick.
    pub(crate) fn linear(t: ValueTicks) -> Self {
        Self {
            lo: t.lo(),
            hi: t.hi(),
            ticks: t.ticks,
            log: false,
            suffix: t.suffix,
        }
    }

    /// A base-10 logarithmic axis.
    pub(crate) fn log(t: LogTicks) -> Self {
        Self {
            lo: t.lo.log10(),
            hi: t.hi.log10(),
            ticks: t.ticks,
            log: true,
            suffix: "",
        }
    }

    /// Where `v` falls: 0 at the low end, 1 at the high end (beyond for
    /// values outside; NaN for values a log axis cannot show).
    pub(crate) fn frac(&self, v: f64) -> f64 {
        let t = if self.log { v.log10() } else { v };
        (t - self.lo) / (self.hi - self.lo)
    }

    /// The caption naming what the axis measures and in which unit:
    /// `label` as given, with the duration unit or the log scale noted, e.g.
    /// `cycle time (days)`, `days`, `PR size (log scale)`.
    pub(crate) fn caption(&self, label: &str, unit: YUnit) -> String {
        let label = one_line(label);
        let note = if self.log {
            Some("log scale")
        } else if unit == YUnit::Duration {
            unit_word(self.suffix)
        } else {
            None
        };
        match (label.is_empty(), note) {
            (_, None) => label,
            (true, Some(note)) => note.to_owned(),
            // `PR size (lines)` → `PR size (lines, log scale)`, not two brackets.
            (false, Some(note)) => match label.strip_suffix(')') {
                Some(open) if open.contains('(') => format!("{open}, {note})"),
                _ => format!("{label} ({note})"),
            },
        }
    }
}

/// Collapses whitespace (newlines included) so labels stay on one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The laid-out frame: where the plot goes and what surrounds it.
pub(crate) struct Frame {
    pub(crate) plot: Rect,
    pub(crate) y: ValueAxis,
    legend: Option<Legend>,
    /// (caption, baseline), drawn at the left padding.
    caption: Option<(String, i32)>,
}

/// Vertical and horizontal room a frame is placed in.
#[derive(Clone, Copy)]
struct Layout {
    top: i32,
    x_space: i32,
    right_space: i32,
}

/// What a chart asks of the frame.
pub(crate) struct FrameSpec<'a> {
    /// Top edge available (below the title and any note).
    pub(crate) top: i32,
    /// The legend, laid out from `top`; dropped if the plot would not fit.
    pub(crate) legend: Option<Legend>,
    /// What the y axis measures; the caption above the y labels is built
    /// from it and the unit the ticks settle on (see [`ValueAxis::caption`]).
    pub(crate) y_label: &'a str,
    /// How y values are labelled.
    pub(crate) y_unit: YUnit,
    /// Device pixels needed below the plot for x labels.
    pub(crate) x_space: i32,
    /// Device pixels kept clear right of the plot.
    pub(crate) right_space: i32,
}

impl Frame {
    /// Places the plot, or `None` if even without legend and caption it
    /// would be too small to read. On a small canvas the legend goes first,
    /// then the caption: the data matters more. `y_axis` is given the number
    /// of intervals that fit and the plot height in device pixels.
    pub(crate) fn layout(
        spec: FrameSpec<'_>,
        y_axis: impl Fn(usize, i32) -> ValueAxis,
        dims: (i32, i32),
    ) -> Option<Self> {
        let FrameSpec {
            top,
            legend,
            y_label,
            y_unit,
            x_space,
            right_space,
        } = spec;
        let caption = |y: &ValueAxis| y.caption(y_label, y_unit);
        let below = legend.as_ref().map_or(top, |l| l.bottom.max(top));
        let place = |top: i32, legend: Option<Legend>, with_caption: bool| {
            let layout = Layout {
                top,
                x_space,
                right_space,
            };
            Self::place(
                layout,
                legend,
                with_caption.then_some(&caption),
                &y_axis,
                dims,
            )
        };
        place(below, legend, true)
            .or_else(|| place(top, None, true))
            .or_else(|| place(top, None, false))
    }

    fn place(
        layout: Layout,
        legend: Option<Legend>,
        caption: Option<&dyn Fn(&ValueAxis) -> String>,
        y_axis: &impl Fn(usize, i32) -> ValueAxis,
        (w, h): (i32, i32),
    ) -> Option<Self> {
        let pad = px(metrics::PADDING);
        let axis = metrics::AXIS;
        // Whether there is a caption does not depend on the tick count (only
        // its unit word could), so a typical axis decides the row.
        let caption = caption.filter(|c| !c(&y_axis(4, 0)).trim().is_empty());
        let mut top = layout.top;
        let caption_baseline = caption.map(|_| {
            top += px(2.0) + axis.cap_height();
            top
        });
        let top = top + px(metrics::GAP) + axis.cap_height() / 2;
        let bottom = h - pad - layout.x_space;
        let height = bottom - top;
        if height < px(metrics::MIN_PLOT) {
            return None;
        }
        let intervals = (height / px(Y_TICK_SPACING)).clamp(2, 5) as usize;
        let y = y_axis(intervals, height);
        let caption = caption
            .zip(caption_baseline)
            .map(|(text, baseline)| (axis.fit(&text(&y), w - 2 * pad), baseline));
        let label_w = y
            .ticks
            .iter()
            .map(|(_, l)| axis.width(l))
            .max()
            .unwrap_or(0);
        let plot = Rect {
            left: pad + label_w + px(metrics::GAP),
            right: w - pad - layout.right_space,
            top,
            bottom,
        };
        (plot.width() >= px(metrics::MIN_PLOT)).then_some(Self {
            plot,
            y,
            legend,
            caption,
        })
    }

    /// Device y of value `v` (unrounded; off-axis values land outside).
    pub(crate) fn y_f(&self, v: f64) -> f64 {
        f64::from(self.plot.bottom) - self.y.frac(v) * f64::from(self.plot.height())
    }

    /// Device y of value `v`, clamped to a little beyond the plot so
    /// extreme values cannot overflow pixel maths.
    pub(crate) fn y(&self, v: f64) -> i32 {
        let slack = f64::from(self.plot.height());
        let y = self.y_f(v);
        if y.is_nan() {
            return self.plot.bottom;
        }
        y.clamp(
            f64::from(self.plot.top) - slack,
            f64::from(self.plot.bottom) + slack,
        )
        .round() as i32
    }

    /// Draws the legend, the caption, and the horizontal grid with labels.
    pub(crate) fn draw(&self, area: &Area<'_>) -> Result<(), ChartError> {
        if let Some(legend) = &self.legend {
            legend.draw(area)?;
        }
        let axis = metrics::AXIS;
        if let Some((caption, baseline)) = &self.caption {
            axis.draw(area, caption, px(metrics::PADDING), *baseline, Align::Left)?;
        }
        for (v, label) in &self.y.ticks {
            let y = self.y(*v);
            let line = if *v == 0.0 && !self.y.log {
                PALETTE.baseline
            } else {
                PALETTE.grid
            };
            hline(area, self.plot.left, self.plot.right, y, px(1.0), line)?;
            axis.draw(
                area,
                label,
                self.plot.left - px(metrics::GAP),
                y + axis.cap_height() / 2,
                Align::Right,
            )?;
        }
        Ok(())
    }
}

/// Widest a category label may be, however much room there is.
const MAX_CATEGORY_LABEL: f64 = 120.0;
/// Labels wider than this may be shortened (with `…`) to this width so
/// every category keeps one.
const MIN_READABLE_LABEL: f64 = 64.0;
/// Least space between neighbouring category labels.
const CATEGORY_LABEL_GAP: f64 = 10.0;

/// Which of `n` equal slots across a plot get a label, and how wide each
/// may be, so labels never overlap however many categories there are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CategoryLabels {
    n: usize,
    left: f64,
    slot: f64,
    /// Every `step`-th slot is labelled, counting back from the last.
    step: usize,
    max_width: i32,
}

impl CategoryLabels {
    /// Chooses the thinning for `n` slots across `plot` from the widths of
    /// `rows` (each a label source and its style). Only labels that could be
    /// shown are measured, so ten thousand categories cost no more than fifty.
    pub(crate) fn new(plot: Rect, n: usize, rows: &[(&dyn Fn(usize) -> String, Text)]) -> Self {
        let slot = f64::from(plot.width()) / n.max(1) as f64;
        let gap = f64::from(px(CATEGORY_LABEL_GAP));
        let cap = px(MAX_CATEGORY_LABEL);
        let narrowest = rows
            .iter()
            .map(|(_, style)| style.width("…"))
            .max()
            .unwrap_or(0);
        let first_step = steps_for(f64::from(narrowest) + gap, slot);
        let mut widest = narrowest;
        for i in shown(n, first_step) {
            for (label, style) in rows {
                widest = widest.max(style.width(&label(i)).min(cap));
            }
        }
        // Long labels are shortened rather than dropped, down to a width that
        // still says something (`Sprint 14 — Ch…`); short ones keep their width.
        let need = widest.min(px(MIN_READABLE_LABEL));
        let step = steps_for(f64::from(need) + gap, slot).max(first_step);
        let room = (step as f64 * slot - gap).floor() as i32;
        Self {
            n,
            left: f64::from(plot.left),
            slot,
            step,
            max_width: room.clamp(0, cap),
        }
    }

    /// Device x of the centre of slot `i`.
    pub(crate) fn centre(&self, i: usize) -> f64 {
        self.left + (i as f64 + 0.5) * self.slot
    }

    /// Draws one row of labels at `baseline`, fitted and kept on the canvas.
    pub(crate) fn draw_row(
        &self,
        area: &Area<'_>,
        label: &dyn Fn(usize) -> String,
        style: Text,
        baseline: i32,
        canvas_w: i32,
    ) -> Result<(), ChartError> {
        let edge = f64::from(px(4.0));
        let gap = f64::from(px(CATEGORY_LABEL_GAP));
        let widest = f64::from(self.max_width);
        let distance = self.step as f64 * self.slot;
        for i in shown(self.n, self.step) {
            let centre = self.centre(i);
            // A label may move sideways to stay on the canvas, but never
            // into the space its widest possible neighbour could take.
            let left = if i >= self.step {
                centre - distance + widest / 2.0 + gap
            } else {
                edge
            };
            let right = if i + self.step < self.n {
                centre + distance - widest / 2.0 - gap
            } else {
                f64::from(canvas_w) - edge
            };
            let room = (right - left).min(widest).max(0.0);
            let text = style.fit(&one_line(&label(i)), room.floor() as i32);
            if text.is_empty() {
                continue;
            }
            let half = f64::from(style.width(&text)) / 2.0;
            let x = centre.clamp(left + half, (right - half).max(left + half));
            style.draw(area, &text, x.round() as i32, baseline, Align::Center)?;
        }
        Ok(())
    }
}

/// How many slots a label of `need` device pixels spans.
fn steps_for(need: f64, slot: f64) -> usize {
    if slot <= 0.0 || !slot.is_finite() {
        return usize::MAX;
    }
    let k = (need / slot).ceil();
    if k >= usize::MAX as f64 {
        usize::MAX
    } else {
        (k as usize).max(1)
    }
}

/// Slot indices `n - 1`, `n - 1 - step`, … in ascending order, so the last
/// (for time buckets, the latest) category is always labelled.
fn shown(n: usize, step: usize) -> impl Iterator<Item = usize> {
    let step = step.max(1);
    let first = n.checked_sub(1).map_or(0, |last| last % step);
    (first..n).step_by(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_labels_end_on_the_last_slot() {
        assert_eq!(
            shown(12, 1).collect::<Vec<_>>(),
            (0..12).collect::<Vec<_>>()
        );
        assert_eq!(shown(12, 5).collect::<Vec<_>>(), [1, 6, 11]);
        assert_eq!(shown(0, 3).count(), 0);
        assert_eq!(shown(3, usize::MAX).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn category_labels_never_overlap() {
        let plot = Rect {
            left: 100,
            top: 0,
            right: 1_500,
            bottom: 600,
        };
        let style = crate::canvas::metrics::AXIS;
        for n in [1, 3, 12, 26, 90, 365, 10_000] {
            for label in ["Mar 30", "Sprint 14 — the one with the launch", ""] {
                let source = move |i: usize| format!("{label} {i}");
                let labels = CategoryLabels::new(plot, n, &[(&source, style)]);
                let gap = f64::from(px(CATEGORY_LABEL_GAP));
                // Neighbouring shown labels are `step` slots apart, and none
                // is wider than that distance less the gap.
                assert!(
                    f64::from(labels.max_width) <= labels.step as f64 * labels.slot - gap + 1.0,
                    "{n} × {label:?}"
                );
                let shown: Vec<usize> = shown(n, labels.step).collect();
                assert_eq!(shown.last(), Some(&(n - 1)));
                for i in shown {
                    let text = style.fit(&source(i), labels.max_width);
                    assert!(style.width(&text) <= labels.max_width);
                }
            }
        }
    }

    #[test]
    fn captions_name_the_unit() {
        let days = ValueAxis::linear(crate::axis::value_ticks(0.0, 2e5, YUnit::Duration, 4));
        assert_eq!(days.caption("", YUnit::Duration), "days");
        assert_eq!(
            days.caption("Cycle time", YUnit::Duration),
            "Cycle time (days)"
        );
        let count = ValueAxis::linear(crate::axis::value_ticks(0.0, 40.0, YUnit::Count, 4));
        assert_eq!(count.caption("PRs\nmerged", YUnit::Count), "PRs merged");
        assert_eq!(count.caption("", YUnit::Count), "");
        let log = ValueAxis::log(crate::axis::log_ticks(1.0, 1e4, YUnit::Count, 5));
        assert_eq!(log.caption("PR size", YUnit::Count), "PR size (log scale)");
        assert_eq!(
            log.caption("PR size (lines)", YUnit::Count),
            "PR size (lines, log scale)"
        );
    }
}
