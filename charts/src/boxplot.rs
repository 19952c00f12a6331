//! Distribution (box) charts: how spread out each group's values are.

use crate::ChartError;
use crate::axis::{YUnit, usable, value_ticks};
use crate::canvas::{
    Area, ChartSize, draw_empty, draw_title, fill, hline, metrics, px, render, vline,
};
use crate::frame::{CategoryLabels, Frame, FrameSpec, ValueAxis};
use crate::palette::PALETTE;
use crate::text::{Align, Text};

/// A box chart: one box per group, from p25 to p75 with the median marked
/// and whiskers to p10 and p90.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoxChart {
    /// Shown top-left; empty for none.
    pub title: String,
    /// Left to right, coloured from [`PALETTE`](crate::PALETTE) by position.
    pub groups: Vec<BoxGroup>,
    /// How values are labelled.
    pub y_unit: YUnit,
    /// What the values measure, shown above the axis (`cycle time`);
    /// durations get their unit added. Empty for none.
    pub y_label: String,
    /// Logical size; the PNG is twice this in each direction.
    pub size: ChartSize,
}

/// One group's raw values, in any order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoxGroup {
    /// Written under the box.
    pub name: String,
    /// Observations; non-finite ones (and |v| > 10¹⁵) are ignored.
    pub values: Vec<f64>,
}

/// Fewer values than this give no box, just a note: quartiles of three
/// numbers would look more certain than they are.
pub const MIN_BOX_VALUES: usize = 5;

/// Renders `spec` to PNG bytes.
///
/// Pure and deterministic, like [`render_line`](crate::render_line). Groups
/// with fewer than [`MIN_BOX_VALUES`] values show "not enough data" in place
/// of a box; if no group has a box, the whole chart is the "Not enough
/// data" image of the same size.
///
/// # Errors
/// [`ChartError::InvalidSize`] for a size outside [`ChartSize::MIN`]..=[`ChartSize::MAX`];
/// the other variants only if the font, plotters or the PNG encoder fail.
pub fn render_box(spec: &BoxChart) -> Result<Vec<u8>, ChartError> {
    let stats = group_stats(spec);
    render(spec.size, |area, dims| {
        if stats.iter().any(|s| s.quantiles.is_some()) {
            draw_chart(area, spec, &stats, dims)
        } else {
            draw_empty(area, &spec.title, dims)
        }
    })
}

/// p10, p25, p50, p75, p90.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quantiles {
    pub(crate) p10: f64,
    pub(crate) p25: f64,
    pub(crate) median: f64,
    pub(crate) p75: f64,
    pub(crate) p90: f64,
}

/// A group's usable value count and, with enough values, its quantiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GroupStats {
    pub(crate) n: usize,
    pub(crate) quantiles: Option<Quantiles>,
}

pub(crate) fn group_stats(spec: &BoxChart) -> Vec<GroupStats> {
    spec.groups
        .iter()
        .map(|g| {
            let mut v: Vec<f64> = g.values.iter().copied().filter(|v| usable(*v)).collect();
            v.sort_by(f64::total_cmp);
            let quantiles = (v.len() >= MIN_BOX_VALUES).then(|| Quantiles {
                p10: quantile(&v, 0.10),
                p25: quantile(&v, 0.25),
                median: quantile(&v, 0.50),
                p75: quantile(&v, 0.75),
                p90: quantile(&v, 0.90),
            });
            GroupStats {
                n: v.len(),
                quantiles,
            }
        })
        .collect()
}

/// Linear interpolation between closest ranks (the common "type 7"
/// definition, as in spreadsheets and numpy); `sorted` is non-empty.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let pos = q * last as f64;
    let below = pos.floor() as usize;
    let frac = pos - below as f64;
    let a = sorted.get(below).copied().unwrap_or(f64::NAN);
    match sorted.get(below + 1) {
        Some(b) if frac > 0.0 => a + (b - a) * frac,
        _ => a,
    }
}

/// Says what the marks mean; whiskers vary between tools, so ours are named.
pub(crate) const KEY: &str = "Box: p25–p75 · line: median · whiskers: p10–p90";
/// Shown in place of a box with too few values.
const NOTE_ONE_LINE: &str = "not enough data";
const NOTE_TWO_LINES: [&str; 2] = ["not enough", "data"];
/// Logical cap on a box's width.
const MAX_BOX: f64 = 72.0;
const BOX_FILL_ALPHA: f64 = 0.22;
const NOTE: Text = Text {
    size: 11.0,
    colour: PALETTE.muted_text,
};

fn draw_chart(
    area: &Area<'_>,
    spec: &BoxChart,
    stats: &[GroupStats],
    (w, h): (i32, i32),
) -> Result<(), ChartError> {
    let title_bottom = draw_title(area, &spec.title, w)?;
    let axis = metrics::AXIS;
    let pad = px(metrics::PADDING);
    let (lo, hi) = stats
        .iter()
        .filter_map(|s| s.quantiles)
        .fold((0.0f64, 0.0f64), |(lo, hi), q| {
            (lo.min(q.p10), hi.max(q.p90))
        });
    let y_axis = |intervals: usize, _height: i32| {
        ValueAxis::linear(value_ticks(lo, hi, spec.y_unit, intervals))
    };
    let row = axis.cap_height() + px(metrics::GAP);
    let frame_below = |top: i32| {
        let frame_spec = FrameSpec {
            top,
            legend: None,
            y_label: &spec.y_label,
            y_unit: spec.y_unit,
            x_space: 2 * row,
            right_space: 0,
        };
        Frame::layout(frame_spec, y_axis, (w, h))
    };
    // The key sits where a legend would (groups are named on the axis
    // instead); a canvas too small for it keeps the boxes.
    let key_baseline = title_bottom + px(4.0) + NOTE.cap_height();
    let frame = match frame_below(key_baseline + px(6.0)) {
        Some(frame) => {
            let key = NOTE.fit(KEY, w - 2 * pad);
            NOTE.draw(area, &key, pad, key_baseline, Align::Left)?;
            frame
        }
        None => match frame_below(title_bottom) {
            Some(frame) => frame,
            None => return Ok(()),
        },
    };
    frame.draw(area)?;
    let plot = frame.plot;
    let n = stats.len();
    let name = |i: usize| {
        spec.groups
            .get(i)
            .map(|g| g.name.clone())
            .unwrap_or_default()
    };
    let count = |i: usize| {
        stats
            .get(i)
            .map(|s| format!("n = {}", s.n))
            .unwrap_or_default()
    };
    let labels = CategoryLabels::new(plot, n, &[(&name, axis), (&count, NOTE)]);
    let slot = f64::from(plot.width()) / n.max(1) as f64;
    let box_w = (slot * 0.5).min(f64::from(px(MAX_BOX))).max(1.0);
    let line = px(1.0);
    for (i, s) in stats.iter().enumerate() {
        let c = PALETTE.series_colour(i);
        let centre = labels.centre(i);
        let x0 = (centre - box_w / 2.0).round() as i32;
        let x1 = ((centre + box_w / 2.0).round() as i32).max(x0 + 1);
        let mid = (x0 + x1) / 2;
        let Some(q) = s.quantiles else {
            // Too few values: say so where the box would be, on two lines
            // if one is too wide, or not at all if neither fits.
            let (x, y) = (centre.round() as i32, (plot.top + plot.bottom) / 2);
            let room = (slot * 0.9) as i32;
            if NOTE.width(NOTE_ONE_LINE) <= room {
                NOTE.draw(area, NOTE_ONE_LINE, x, y, Align::Center)?;
            } else if NOTE_TWO_LINES.iter().all(|l| NOTE.width(l) <= room) {
                let line = NOTE.cap_height() + px(5.0);
                for (k, l) in NOTE_TWO_LINES.iter().enumerate() {
                    NOTE.draw(area, l, x, y + line * k as i32, Align::Center)?;
                }
            }
            continue;
        };
        let (y10, y25, y50, y75, y90) = (
            frame.y(q.p10),
            frame.y(q.p25),
            frame.y(q.median),
            frame.y(q.p75),
            frame.y(q.p90),
        );
        // Whiskers with short caps.
        let cap = ((x1 - x0) * 2 / 5).max(1);
        vline(area, mid, y90, y75, line, c)?;
        vline(area, mid, y25, y10 + 1, line, c)?;
        hline(area, mid - cap / 2, mid + cap / 2 + 1, y90, line, c)?;
        hline(area, mid - cap / 2, mid + cap / 2 + 1, y10, line, c)?;
        // Box: translucent fill, solid outline.
        fill(area, (x0, y75), (x1, y25 + 1), c, BOX_FILL_ALPHA)?;
        if x1 - x0 > 2 * line {
            hline(area, x0, x1, y75, line, c)?;
            hline(area, x0, x1, y25, line, c)?;
            vline(area, x0 + line / 2, y75, y25, line, c)?;
            vline(area, x1 - (line + 1) / 2, y75, y25, line, c)?;
        }
        hline(area, x0, x1, y50, px(2.5), c)?;
    }
    let name_baseline = plot.bottom + px(metrics::GAP) + axis.cap_height();
    labels.draw_row(area, &name, axis, name_baseline, w)?;
    let count_baseline = name_baseline + px(6.0) + NOTE.cap_height();
    labels.draw_row(area, &count, NOTE, count_baseline, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let v: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 6.0);
        assert_eq!(quantile(&v, 0.25), 3.5);
        assert_eq!(quantile(&v, 0.1), 2.0);
        assert_eq!(quantile(&v, 0.9), 10.0);
        assert_eq!(quantile(&[4.0], 0.9), 4.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn small_groups_get_no_box() {
        let spec = BoxChart {
            groups: vec![
                BoxGroup {
                    name: "few".to_owned(),
                    values: vec![1.0, 2.0, f64::NAN, 3.0, 4.0, f64::INFINITY],
                },
                BoxGroup {
                    name: "enough".to_owned(),
                    values: vec![5.0, 1.0, 4.0, 2.0, 3.0],
                },
            ],
            ..BoxChart::default()
        };
        let stats = group_stats(&spec);
        assert_eq!(stats[0].n, 4);
        assert!(stats[0].quantiles.is_none());
        assert_eq!(stats[1].quantiles.map(|q| q.median), Some(3.0));
    }
}
