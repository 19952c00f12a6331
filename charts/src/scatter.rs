//! Scatter charts: one dot per observation, e.g. PR size against cycle time.

use crate::ChartError;
use crate::axis::{YUnit, log_ticks, usable, value_ticks};
use crate::canvas::{
    Area, Canvas, ChartSize, Pixels, Rect, SCALE, draw_empty, draw_title, metrics, px,
    render_canvas, vline,
};
use crate::frame::{Frame, FrameSpec, ValueAxis, one_line};
use crate::legend::{Legend, Swatch};
use crate::palette::{PALETTE, Rgb};
use crate::text::Align;

/// A scatter chart: point clouds on two value axes, one colour per series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScatterChart {
    /// Shown top-left; empty for none.
    pub title: String,
    /// What x measures, shown under the x axis (`PR size (lines changed)`).
    pub x_label: String,
    /// What y measures, shown above the y axis (`cycle time`).
    pub y_label: String,
    /// How x values are labelled.
    pub x_unit: YUnit,
    /// How y values are labelled.
    pub y_unit: YUnit,
    /// Drawn in order, coloured from [`PALETTE`](crate::PALETTE) by position.
    pub series: Vec<ScatterSeries>,
    /// A logarithmic x axis, for heavy-tailed values like PR size. Points
    /// with x ≤ 0 cannot be placed and are skipped.
    pub log_x: bool,
    /// A logarithmic y axis (points with y ≤ 0 are skipped).
    pub log_y: bool,
    /// Logical size; the PNG is twice this in each direction.
    pub size: ChartSize,
}

/// One named point cloud.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScatterSeries {
    /// Legend label (the legend appears only with two or more series).
    pub name: String,
    /// `(x, y)` pairs; pairs with a non-finite (or |v| > 10¹⁵) coordinate are skipped.
    pub points: Vec<(f64, f64)>,
}

/// Renders `spec` to PNG bytes.
///
/// Pure and deterministic, like [`render_line`](crate::render_line). Dots
/// shrink and turn translucent as the number of points grows, so dense
/// regions read as darker; tens of thousands of points stay within budget.
/// No usable point renders a "Not enough data" image of the same size.
///
/// # Errors
/// [`ChartError::InvalidSize`] for a size outside [`ChartSize::MIN`]..=[`ChartSize::MAX`];
/// the other variants only if the font, plotters or the PNG encoder fail.
pub fn render_scatter(spec: &ScatterChart) -> Result<Vec<u8>, ChartError> {
    let data = Cleaned::from_spec(spec);
    render_canvas(spec.size, |canvas| match &data {
        Some(data) => draw_chart(canvas, spec, data),
        None => {
            let dims = canvas.dims();
            canvas.draw(|area| draw_empty(area, &spec.title, dims))
        }
    })
}

/// Points that can be placed on the chart's axes, and their extents.
pub(crate) struct Cleaned {
    pub(crate) series: Vec<Vec<(f64, f64)>>,
    x: (f64, f64),
    y: (f64, f64),
}

impl Cleaned {
    pub(crate) fn from_spec(spec: &ScatterChart) -> Option<Self> {
        let ok = |v: f64, log: bool| usable(v) && (!log || v > 0.0);
        let mut x = (f64::INFINITY, f64::NEG_INFINITY);
        let mut y = (f64::INFINITY, f64::NEG_INFINITY);
        let series: Vec<Vec<(f64, f64)>> = spec
            .series
            .iter()
            .map(|s| {
                s.points
                    .iter()
                    .copied()
                    .filter(|p| ok(p.0, spec.log_x) && ok(p.1, spec.log_y))
                    .inspect(|p| {
                        x = (x.0.min(p.0), x.1.max(p.0));
                        y = (y.0.min(p.1), y.1.max(p.1));
                    })
                    .collect()
            })
            .collect();
        series
            .iter()
            .any(|s| !s.is_empty())
            .then_some(Self { series, x, y })
    }

    fn len(&self) -> usize {
        self.series.iter().map(Vec::len).sum()
    }
}

/// Roughly one vertical grid line per this many logical pixels.
const X_TICK_SPACING: f64 = 90.0;

/// Dot radius (logical pixels) and opacity (0–255) for a number of points:
/// few points get large solid dots, many get small translucent ones so
/// density shows. Steps rather than a formula keep the choice exact.
fn dot_style(points: usize) -> (f64, u8) {
    match points {
        0..=300 => (3.5, 224),
        301..=1_000 => (2.75, 166),
        1_001..=5_000 => (2.25, 166),
        5_001..=20_000 => (1.75, 115),
        _ => (1.5, 48),
    }
}

fn axis_for(lo: f64, hi: f64, unit: YUnit, log: bool, intervals: usize) -> ValueAxis {
    if log {
        ValueAxis::log(log_ticks(lo, hi, unit, intervals + 1))
    } else {
        ValueAxis::linear(value_ticks(lo, hi, unit, intervals))
    }
}

fn draw_chart(canvas: &mut Canvas, spec: &ScatterChart, data: &Cleaned) -> Result<(), ChartError> {
    let (w, h) = canvas.dims();
    let axis = metrics::AXIS;
    let x_caption = x_caption(spec, data);
    let frame = canvas.draw(|area| {
        let title_bottom = draw_title(area, &spec.title, w)?;
        let legend = (spec.series.len() > 1).then(|| {
            Legend::layout(
                spec.series
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.name.as_str(), PALETTE.series_colour(i))),
                Swatch::Dot,
                title_bottom,
                w,
            )
        });
        let y_axis = |intervals: usize, _height: i32| {
            axis_for(data.y.0, data.y.1, spec.y_unit, spec.log_y, intervals)
        };
        let row = axis.cap_height() + px(metrics::GAP);
        let frame_with = |legend: Option<Legend>, x_rows: i32| {
            let frame_spec = FrameSpec {
                top: title_bottom,
                legend,
                y_label: &spec.y_label,
                y_unit: spec.y_unit,
                x_space: x_rows * row,
                // Half a label, so the last x tick label is not squeezed.
                right_space: px(8.0),
            };
            Frame::layout(frame_spec, y_axis, (w, h))
        };
        // The x caption is the first thing a small canvas gives up.
        let (frame, x_caption) = if x_caption.is_empty() {
            (frame_with(legend, 1), String::new())
        } else {
            match frame_with(legend.clone(), 2) {
                Some(frame) => (Some(frame), x_caption.clone()),
                None => (frame_with(legend, 1), String::new()),
            }
        };
        let Some(frame) = frame else {
            return Ok(None);
        };
        frame.draw(area)?;
        let plot = frame.plot;
        let intervals = (plot.width() / px(X_TICK_SPACING)).clamp(2, 8) as usize;
        let x = axis_for(data.x.0, data.x.1, spec.x_unit, spec.log_x, intervals);
        draw_x_axis(area, plot, &x, &x_caption, w)?;
        Ok(Some((frame, x)))
    })?;
    let Some((frame, x)) = frame else {
        return Ok(());
    };
    let mut pixels = canvas.pixels();
    draw_points(&mut pixels, &frame, &x, data);
    Ok(())
}

/// The x axis caption: the label, with the unit or log scale noted.
fn x_caption(spec: &ScatterChart, data: &Cleaned) -> String {
    let typical = axis_for(data.x.0, data.x.1, spec.x_unit, spec.log_x, 5);
    typical.caption(&one_line(&spec.x_label), spec.x_unit)
}

fn x_pos(plot: Rect, x: &ValueAxis, v: f64) -> f64 {
    f64::from(plot.left) + x.frac(v) * f64::from(plot.width())
}

fn draw_x_axis(
    area: &Area<'_>,
    plot: Rect,
    x: &ValueAxis,
    caption: &str,
    canvas_w: i32,
) -> Result<(), ChartError> {
    let axis = metrics::AXIS;
    let baseline = plot.bottom + px(metrics::GAP) + axis.cap_height();
    let edge = px(4.0);
    for (v, label) in &x.ticks {
        let px_x = x_pos(plot, x, *v).round() as i32;
        if px_x < plot.left - 1 || px_x > plot.right + 1 {
            continue;
        }
        let line = if *v == 0.0 {
            PALETTE.baseline
        } else {
            PALETTE.grid
        };
        vline(area, px_x, plot.top, plot.bottom, px(1.0), line)?;
        let half = axis.width(label) / 2;
        let at = px_x.clamp(edge + half, (canvas_w - edge - half).max(edge + half));
        axis.draw(area, label, at, baseline, Align::Center)?;
    }
    if !caption.is_empty() {
        let text = axis.fit(caption, plot.width());
        let baseline = baseline + px(metrics::GAP) + axis.cap_height();
        let centre = (plot.left + plot.right) / 2;
        axis.draw(area, &text, centre, baseline, Align::Center)?;
    }
    Ok(())
}

/// Plots at least this tall (logical pixels) draw dots at full size.
const FULL_SIZE_DOTS_FROM: f64 = 200.0;

/// Opacity levels a dot layer is quantised to (including none): one dot,
/// two overlapping and a dense cluster read as distinct shades, and the PNG
/// stays small.
const INK_LEVELS: u32 = 4;

/// Stamps every point as a translucent disc into an ink layer, then paints
/// the layer onto the canvas.
///
/// Each pixel keeps how much ink it holds and which series' dot covered it
/// last, rather than a running RGB blend: the picture is the same (later
/// dots on top, dense regions darker) but the colours come from a small set,
/// so 50,000 points encode fast and compress well. Dot edges are not
/// anti-aliased: at 2× the steps are invisible, and smooth edges made the
/// PNG of a 2,000-point chart half as large again (over the 80 KB budget).
/// Writing raw pixels also avoids plotters' per-pixel path, ~10× slower here.
fn draw_points(pixels: &mut Pixels<'_>, frame: &Frame, x: &ValueAxis, data: &Cleaned) {
    let (radius, opacity) = dot_style(data.len());
    // A cramped plot (a small canvas) gets smaller dots, down to half size.
    let plot_h = f64::from(frame.plot.height()) / f64::from(SCALE);
    let shrink = (plot_h / FULL_SIZE_DOTS_FROM).clamp(0.5, 1.0);
    let r = radius * shrink * f64::from(SCALE);
    let reach = r.ceil() as i32;
    // The stamp: pixels whose centre lies within the radius.
    let side = 2 * reach + 1;
    let r2 = r * r;
    let mask: Vec<(i32, i32)> = (0..side * side)
        .map(|k| (k % side - reach, k / side - reach))
        .filter(|(dx, dy)| f64::from(dx * dx + dy * dy) <= r2)
        .collect();
    let alpha = u32::from(opacity);
    // The layer covers the plot plus a dot's reach, within the canvas.
    let plot = frame.plot;
    let (cw, ch) = pixels.dims();
    let left = (plot.left - reach).max(0);
    let top = (plot.top - reach).max(0);
    let right = (plot.right + reach).min(cw);
    let bottom = (plot.bottom + reach).min(ch);
    if right <= left || bottom <= top {
        return;
    }
    let (lw, lh) = ((right - left) as usize, (bottom - top) as usize);
    let mut ink = vec![0u8; lw * lh];
    let mut owner = vec![0u8; lw * lh];
    let colours = PALETTE.series.len();
    for (series, vx, vy) in interleaved(&data.series) {
        let series = (series % colours) as u8;
        {
            let cx = x_pos(plot, x, vx);
            let cy = frame.y_f(vy);
            if !(cx.is_finite() && cy.is_finite()) {
                continue;
            }
            let (cx, cy) = (cx.round() as i32 - left, cy.round() as i32 - top);
            if cx < -reach || cy < -reach || cx > lw as i32 + reach || cy > lh as i32 + reach {
                continue;
            }
            for &(dx, dy) in &mask {
                let (px_, py) = (cx + dx, cy + dy);
                if px_ < 0 || py < 0 || px_ >= lw as i32 || py >= lh as i32 {
                    continue;
                }
                let k = py as usize * lw + px_ as usize;
                let (Some(held), Some(top_series)) = (ink.get_mut(k), owner.get_mut(k)) else {
                    continue;
                };
                let before = u32::from(*held);
                // Porter–Duff "over" on opacity alone, in integers.
                *held = (before + ((255 - before) * alpha + 127) / 255).min(255) as u8;
                *top_series = series;
            }
        }
    }
    let step = 255 / (INK_LEVELS - 1);
    for (row, (inks, owners)) in ink.chunks_exact(lw).zip(owner.chunks_exact(lw)).enumerate() {
        let y = top + row as i32;
        for (col, (&held, &series)) in inks.iter().zip(owners).enumerate() {
            let level = (u32::from(held) * (INK_LEVELS - 1) + 127) / 255 * step;
            if level > 0 {
                let c: Rgb = PALETTE.series_colour(usize::from(series));
                pixels.blend(left + col as i32, y, c, level.min(255) as u8);
            }
        }
    }
}

/// Every point as (series, x, y), the series shuffled together in
/// proportion (the k-th of n points of a series goes at (k + ½) / n of the
/// way through), so in a dense region no series hides under the last one
/// drawn. A k-way merge on exact integer fractions: the order depends only
/// on the data, and costs O(N log S) rather than a full sort.
fn interleaved(series: &[Vec<(f64, f64)>]) -> Vec<(usize, f64, f64)> {
    use std::cmp::{Ordering, Reverse};
    use std::collections::BinaryHeap;

    /// The next point of series `i`: index `k` of `n`.
    #[derive(PartialEq, Eq)]
    struct Next {
        k: usize,
        n: usize,
        i: usize,
    }
    impl Ord for Next {
        fn cmp(&self, other: &Self) -> Ordering {
            // (2k + 1) / 2n, compared without division.
            let a = (2 * self.k as u128 + 1) * other.n as u128;
            let b = (2 * other.k as u128 + 1) * self.n as u128;
            a.cmp(&b).then(self.i.cmp(&other.i))
        }
    }
    impl PartialOrd for Next {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }

    let mut heap: BinaryHeap<Reverse<Next>> = series
        .iter()
        .enumerate()
        .filter(|(_, points)| !points.is_empty())
        .map(|(i, points)| {
            Reverse(Next {
                k: 0,
                n: points.len(),
                i,
            })
        })
        .collect();
    let mut out = Vec::with_capacity(series.iter().map(Vec::len).sum());
    while let Some(Reverse(next)) = heap.pop() {
        if let Some(&(x, y)) = series.get(next.i).and_then(|p| p.get(next.k)) {
            out.push((next.i, x, y));
        }
        if next.k + 1 < next.n {
            heap.push(Reverse(Next {
                k: next.k + 1,
                ..next
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_interleave_in_proportion() {
        let a = vec![(0.0, 0.0); 4];
        let b = vec![(1.0, 1.0); 2];
        let order: Vec<usize> = interleaved(&[a, Vec::new(), b])
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(order, [0, 2, 0, 0, 2, 0]);
    }
}
