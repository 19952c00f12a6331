//! Donut charts: shares of a whole, with a legend of labels and percentages.

use crate::ChartError;
use crate::axis::usable;
use crate::canvas::{
    Canvas, ChartSize, Pixels, SCALE, draw_empty, draw_title, metrics, px, render_canvas,
};
use crate::frame::one_line;
use crate::legend::{Swatch, draw_swatch, swatch_width};
use crate::palette::{PALETTE, Rgb};
use crate::text::{Align, Text};

/// A donut chart: each slice's share of the total.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DonutChart {
    /// Shown top-left; empty for none.
    pub title: String,
    /// Clockwise from twelve o'clock, coloured from
    /// [`PALETTE`](crate::PALETTE) by position. Slices that are zero,
    /// negative or not finite are skipped; beyond what the legend can list,
    /// the smallest are merged into "Other".
    pub slices: Vec<Slice>,
    /// Written in the hole, e.g. `212 PRs`; a second line after `\n` is
    /// written smaller beneath the first.
    pub centre_label: Option<String>,
    /// Logical size; the PNG is twice this in each direction.
    pub size: ChartSize,
}

/// One share of the whole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Slice {
    /// Legend label.
    pub label: String,
    /// Any positive amount; shares are computed from the total.
    pub value: f64,
}

/// Renders `spec` to PNG bytes.
///
/// Pure and deterministic, like [`render_line`](crate::render_line). With no
/// positive slice (all zero, say) it renders a "Not enough data" image of
/// the same size.
///
/// # Errors
/// [`ChartError::InvalidSize`] for a size outside [`ChartSize::MIN`]..=[`ChartSize::MAX`];
/// the other variants only if the font, plotters or the PNG encoder fail.
pub fn render_donut(spec: &DonutChart) -> Result<Vec<u8>, ChartError> {
    let valid = valid_slices(spec);
    render_canvas(spec.size, |canvas| {
        if valid.is_empty() {
            let dims = canvas.dims();
            canvas.draw(|area| draw_empty(area, &spec.title, dims))
        } else {
            draw_chart(canvas, spec)
        }
    })
}

/// Slices with a positive usable value, as (index in spec, value).
fn valid_slices(spec: &DonutChart) -> Vec<(usize, f64)> {
    spec.slices
        .iter()
        .enumerate()
        .filter(|(_, s)| usable(s.value) && s.value > 0.0)
        .map(|(i, s)| (i, s.value))
        .collect()
}

/// The most entries a legend lists (one per palette colour).
const MAX_ENTRIES: usize = 7;

/// A slice as drawn: label, value, colour, and its share as text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Share {
    pub(crate) label: String,
    pub(crate) value: f64,
    pub(crate) colour: Rgb,
    pub(crate) percent: String,
}

/// The slices to draw, at most `max_entries` (at least two): the largest
/// keep their place and colour, the rest become one grey "Other".
pub(crate) fn shares(spec: &DonutChart, max_entries: usize) -> Vec<Share> {
    let valid = valid_slices(spec);
    let max_entries = max_entries.clamp(2, MAX_ENTRIES);
    let mut kept: Vec<(usize, f64)> = valid.clone();
    let mut other = 0.0;
    if valid.len() > max_entries {
        let mut by_size = valid.clone();
        // Stable: equal values keep their order.
        by_size.sort_by(|a, b| b.1.total_cmp(&a.1));
        let keep: Vec<usize> = by_size
            .iter()
            .take(max_entries - 1)
            .map(|(i, _)| *i)
            .collect();
        kept.retain(|(i, _)| keep.contains(i));
        other = by_size.iter().skip(max_entries - 1).map(|s| s.1).sum();
    }
    let mut out: Vec<Share> = kept
        .iter()
        .enumerate()
        .map(|(k, &(i, v))| Share {
            label: spec
                .slices
                .get(i)
                .map(|s| one_line(&s.label))
                .unwrap_or_default(),
            value: v,
            colour: PALETTE.series_colour(k),
            percent: String::new(),
        })
        .collect();
    if other > 0.0 {
        out.push(Share {
            label: "Other".to_owned(),
            value: other,
            colour: PALETTE.baseline,
            percent: String::new(),
        });
    }
    let percents = whole_percents(&out.iter().map(|s| s.value).collect::<Vec<_>>());
    for (share, p) in out.iter_mut().zip(percents) {
        share.percent = if p == 0 {
            "<1%".to_owned()
        } else {
            format!("{p}%")
        };
    }
    out
}

/// Whole percentages that add up to exactly 100 (largest remainder), so a
/// legend never reads 33% + 33% + 33%.
pub(crate) fn whole_percents(values: &[f64]) -> Vec<u32> {
    let total: f64 = values.iter().sum();
    if !(total.is_finite() && total > 0.0) {
        return vec![0; values.len()];
    }
    let exact: Vec<f64> = values.iter().map(|v| v / total * 100.0).collect();
    let mut whole: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let given: u32 = whole.iter().sum();
    let mut order: Vec<usize> = (0..values.len()).collect();
    // Largest remainder first; ties go to the earlier slice.
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra)
    });
    for &i in order.iter().take(100u32.saturating_sub(given) as usize) {
        whole[i] += 1;
    }
    whole
}

/// Logical layout constants specific to donuts.
const ROW: f64 = 24.0;
const MIN_ROW: f64 = 16.0;
/// Between the ring and the legend.
const LEGEND_GAP: f64 = 28.0;
/// Longest legend label, however much room there is.
const MAX_LABEL: f64 = 220.0;
/// The ring shrinks for the legend down to this diameter (or the height).
const MIN_DIAMETER: f64 = 64.0;
/// Inner radius as a share of the outer.
const HOLE: f64 = 0.6;
/// Logical white gap between slices.
const SLICE_GAP: f64 = 1.5;
const CENTRE: Text = Text {
    size: 20.0,
    colour: PALETTE.text,
};

fn draw_chart(canvas: &mut Canvas, spec: &DonutChart) -> Result<(), ChartError> {
    let (w, h) = canvas.dims();
    let pad = px(metrics::PADDING);
    let ring = canvas.draw(|area| {
        let title_bottom = draw_title(area, &spec.title, w)?;
        let top = title_bottom + px(metrics::GAP);
        let bottom = h - pad;
        let avail = bottom - top;
        if avail < px(metrics::MIN_PLOT) {
            return Ok(None);
        }
        // Legend: as many rows as fit, at most one per palette colour.
        let rows_fit = (avail / px(MIN_ROW)).max(1) as usize;
        let list = shares(spec, rows_fit);
        let row = (avail / list.len().max(1) as i32).min(px(ROW));
        let legend = metrics::LEGEND;
        let pct_w = list
            .iter()
            .map(|s| legend.width(&s.percent))
            .max()
            .unwrap_or(0);
        let swatch = swatch_width(Swatch::Square) + px(8.0);
        let pct_gap = px(16.0);
        let natural = list
            .iter()
            .map(|s| legend.width(&s.label).min(px(MAX_LABEL)))
            .max()
            .unwrap_or(0);
        // The ring takes up to 45% of the width, less if the legend needs
        // the room, but never so little that it stops reading as a donut.
        let inner_w = w - 2 * pad - px(8.0);
        let legend_w = swatch + natural + pct_gap + pct_w + px(LEGEND_GAP);
        let diameter = avail
            .min(inner_w * 9 / 20)
            .min((inner_w - legend_w).max(px(MIN_DIAMETER)));
        let radius = diameter / 2;
        let (cx, cy) = (pad + px(8.0) + radius, top + avail / 2);
        let x0 = cx + radius + px(LEGEND_GAP);
        let label_x = x0 + swatch;
        let pct_right = w - pad;
        let label_room = (pct_right - pct_w - pct_gap - label_x).min(px(MAX_LABEL));
        let labels: Vec<String> = list
            .iter()
            .map(|s| legend.fit(&s.label, label_room))
            .collect();
        let labels_w = labels.iter().map(|l| legend.width(l)).max().unwrap_or(0);
        // Percentages sit in a column just right of the longest label.
        let pct_right = (label_x + labels_w + pct_gap + pct_w).min(pct_right);
        let first_mid = cy - row * (list.len() as i32 - 1) / 2;
        for (k, (share, label)) in list.iter().zip(&labels).enumerate() {
            let mid = first_mid + row * k as i32;
            let baseline = mid + legend.cap_height() / 2;
            draw_swatch(area, Swatch::Square, share.colour, x0, mid)?;
            legend.draw(area, label, label_x, baseline, Align::Left)?;
            metrics::AXIS.draw(area, &share.percent, pct_right, baseline, Align::Right)?;
        }
        if let Some(text) = &spec.centre_label {
            draw_centre(area, text, (cx, cy), f64::from(radius) * HOLE)?;
        }
        Ok(Some((cx, cy, radius, list)))
    })?;
    if let Some((cx, cy, radius, list)) = ring {
        draw_ring(&mut canvas.pixels(), (cx, cy), radius, &list);
    }
    Ok(())
}

/// One or two centred lines in the hole.
fn draw_centre(
    area: &crate::canvas::Area<'_>,
    text: &str,
    (cx, cy): (i32, i32),
    hole: f64,
) -> Result<(), ChartError> {
    let room = (hole * 2.0 * 0.85) as i32;
    let mut lines = text.splitn(2, '\n').map(one_line);
    let first = lines.next().unwrap_or_default();
    // In a small hole the big figure steps down a size before it is cut.
    let big = if CENTRE.width(&first) <= room {
        CENTRE
    } else {
        metrics::LEGEND
    };
    let first = big.fit(&first, room);
    let small = metrics::AXIS;
    // The second line is a gloss: shown whole or not at all.
    let second = lines
        .next()
        .filter(|l| !l.is_empty() && small.width(l) <= room);
    match second {
        None => big.draw(area, &first, cx, cy + big.cap_height() / 2, Align::Center),
        Some(second) => {
            let gap = px(6.0);
            let total = big.cap_height() + gap + small.cap_height();
            let top = cy - total / 2;
            big.draw(area, &first, cx, top + big.cap_height(), Align::Center)?;
            small.draw(area, &second, cx, top + total, Align::Center)
        }
    }
}

/// A monotonic stand-in for the clockwise angle from twelve o'clock, in
/// [0, 4): cheaper than `atan2` and exact enough to pick a slice.
fn pseudo_angle(dx: f64, dy: f64) -> f64 {
    let (a, b) = (dx, -dy);
    let sum = a.abs() + b.abs();
    if sum == 0.0 {
        return 0.0;
    }
    match (a >= 0.0, b >= 0.0) {
        (true, true) => a / sum,
        (true, false) => 1.0 + -b / sum,
        (false, false) => 2.0 + -a / sum,
        (false, true) => 3.0 + b / sum,
    }
}

/// Paints the ring pixel by pixel with anti-aliased edges and a clean gap
/// between slices; plotters' polygons are neither smooth nor fast here.
fn draw_ring(pixels: &mut Pixels<'_>, (cx, cy): (i32, i32), radius: i32, list: &[Share]) {
    if list.is_empty() {
        return;
    }
    let outer = f64::from(radius);
    let inner = outer * HOLE;
    let total: f64 = list.iter().map(|s| s.value).sum();
    // (pseudo angle of the slice end, unit vector of its end boundary).
    let mut ends = Vec::with_capacity(list.len());
    let mut acc = 0.0;
    for s in list {
        acc += s.value;
        let theta = acc / total * std::f64::consts::TAU;
        let dir = (theta.sin(), -theta.cos());
        ends.push((pseudo_angle(dir.0, dir.1), dir));
    }
    if let Some(last) = ends.last_mut() {
        last.0 = 4.0;
    }
    let half_gap = SLICE_GAP * f64::from(SCALE) / 2.0;
    let gaps = list.len() > 1;
    // Distance from p to the boundary ray along `dir` (infinite behind the centre).
    let ray_distance = |(x, y): (f64, f64), dir: (f64, f64)| {
        if x * dir.0 + y * dir.1 <= 0.0 {
            f64::INFINITY
        } else {
            (x * dir.1 - y * dir.0).abs()
        }
    };
    let (cxf, cyf) = (f64::from(cx), f64::from(cy));
    let last = ends.len() - 1;
    for py in (cy - radius - 1)..=(cy + radius + 1) {
        let dy = f64::from(py) + 0.5 - cyf;
        // Only the ring's two spans of this row: skip the hole and the corners.
        let reach = |r: f64| (r * r - dy * dy).max(0.0).sqrt();
        let outer_x = reach(outer + 1.0).ceil() as i32 + 1;
        let inner_x = if dy.abs() < inner - 1.0 {
            reach(inner - 1.0).floor() as i32 - 1
        } else {
            0
        };
        // Without a hole on this row, one span (the second is empty).
        let spans = if inner_x > 0 {
            [(cx - outer_x, cx - inner_x), (cx + inner_x, cx + outer_x)]
        } else {
            [(cx - outer_x, cx + outer_x), (1, 0)]
        };
        for (from, to) in spans {
            for px_ in from..=to {
                let dx = f64::from(px_) + 0.5 - cxf;
                let d = (dx * dx + dy * dy).sqrt();
                let ring = (outer - d + 0.5).clamp(0.0, 1.0) * (d - inner + 0.5).clamp(0.0, 1.0);
                if ring <= 0.0 {
                    continue;
                }
                let p = pseudo_angle(dx, dy);
                let k = ends.iter().position(|e| p < e.0).unwrap_or(last);
                let mut coverage = ring;
                if gaps {
                    let start = if k == 0 { last } else { k - 1 };
                    let near = [k, start]
                        .iter()
                        .filter_map(|&b| ends.get(b))
                        .map(|e| ray_distance((dx, dy), e.1))
                        .fold(f64::INFINITY, f64::min);
                    coverage *= (near - half_gap + 0.5).clamp(0.0, 1.0);
                }
                let alpha = (coverage * 255.0).round() as u8;
                if let Some(share) = list.get(k) {
                    pixels.blend(px_, py, share.colour, alpha);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_add_up_to_100() {
        assert_eq!(whole_percents(&[1.0, 1.0, 1.0]), [34, 33, 33]);
        assert_eq!(whole_percents(&[41.0, 59.0]), [41, 59]);
        assert_eq!(whole_percents(&[1.0, 999.0]), [0, 100]);
        assert_eq!(whole_percents(&[]), Vec::<u32>::new());
    }

    #[test]
    fn pseudo_angle_runs_clockwise_from_noon() {
        let probes = [
            (0.0, -1.0),
            (1.0, -1.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (-1.0, 1.0),
            (-1.0, 0.0),
            (-1.0, -1.0),
        ];
        let angles: Vec<f64> = probes.iter().map(|p| pseudo_angle(p.0, p.1)).collect();
        assert!(angles.windows(2).all(|w| w[0] < w[1]), "{angles:?}");
        assert_eq!(angles[0], 0.0);
        assert!(angles[7] < 4.0);
    }

    #[test]
    fn small_slices_merge_into_other() {
        let spec = DonutChart {
            slices: (1..=10)
                .map(|i| Slice {
                    label: format!("s{i}"),
                    value: f64::from(i),
                })
                .collect(),
            ..DonutChart::default()
        };
        let list = shares(&spec, 4);
        let labels: Vec<&str> = list.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["s8", "s9", "s10", "Other"]);
        assert_eq!(list[3].value, 28.0);
    }
}
