//! Line charts over time, with optional percentile bands.

use plotters::element::{Circle, PathElement, Rectangle};
use plotters::style::{Color, ShapeStyle};

use crate::ChartError;
use crate::axis::{DAY, YUnit, time_ticks, usable, value_ticks};
use crate::canvas::{Area, ChartSize, colour, draw_empty, draw_title, metrics, px, render};
use crate::error::draw_err;
use crate::frame::{Frame, FrameSpec, ValueAxis};
use crate::legend::{Legend, Swatch};
use crate::palette::{PALETTE, Rgb};
use crate::text::Align;

/// A line chart: one or more series over time on a shared y axis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineChart {
    /// Shown top-left; empty for none.
    pub title: String,
    /// Drawn in order, coloured from [`PALETTE`](crate::PALETTE) by position.
    pub series: Vec<Series>,
    /// How y values are labelled.
    pub y_unit: YUnit,
    /// What the y axis measures, shown above it (`PRs`, `cycle time`);
    /// durations get their unit added (`cycle time (days)`). Empty for none
    /// (a duration axis still names its unit).
    pub y_label: String,
    /// Logical size; the PNG is twice this in each direction.
    pub size: ChartSize,
}

/// One named line, optionally with a shaded band around it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Legend label (the legend appears only with two or more series).
    pub name: String,
    /// `(x, y)` with x in Unix seconds (UTC). Need not be sorted; points with
    /// a non-finite y are skipped, as are |y| > 10¹⁵, which no axis can show usefully.
    pub points: Vec<(i64, f64)>,
    /// `(x, low, high)`, typically p25–p75, drawn as a translucent area behind
    /// the line; empty for none. Entries with a non-finite bound are skipped.
    pub band: Vec<(i64, f64, f64)>,
}

/// Renders `spec` to PNG bytes.
///
/// Pure and deterministic: the same spec always yields the same bytes, so
/// callers can cache by a hash of the spec. A chart with no usable points is
/// not an error; it renders a "Not enough data" image of the same size.
///
/// # Errors
/// [`ChartError::InvalidSize`] for a size outside [`ChartSize::MIN`]..=[`ChartSize::MAX`];
/// the other variants only if the font, plotters or the PNG encoder fail.
pub fn render_line(spec: &LineChart) -> Result<Vec<u8>, ChartError> {
    let data = Cleaned::from_spec(spec);
    render(spec.size, |area, dims| match data {
        Some(data) => draw_chart(area, spec, &data, dims),
        None => draw_empty(area, &spec.title, dims),
    })
}

/// The spec with unusable values dropped and everything sorted by x, plus
/// the data extents the axes are built from.
pub(crate) struct Cleaned {
    pub(crate) series: Vec<Series>,
    pub(crate) x: (i64, i64),
    y: (f64, f64),
}

impl Cleaned {
    pub(crate) fn from_spec(spec: &LineChart) -> Option<Self> {
        let mut any_point = false;
        let mut x = (i64::MAX, i64::MIN);
        let mut y = (f64::INFINITY, f64::NEG_INFINITY);
        let mut extend = |px: i64, py: f64| {
            x = (x.0.min(px), x.1.max(px));
            y = (y.0.min(py), y.1.max(py));
        };
        let mut series = Vec::with_capacity(spec.series.len());
        for s in &spec.series {
            let mut points: Vec<_> = s.points.iter().copied().filter(|p| usable(p.1)).collect();
            // Stable sort keeps caller order for equal x, so output stays deterministic.
            points.sort_by_key(|p| p.0);
            let mut band: Vec<_> = s
                .band
                .iter()
                .filter(|b| usable(b.1) && usable(b.2))
                .map(|&(bx, a, b)| (bx, a.min(b), a.max(b)))
                .collect();
            band.sort_by_key(|b| b.0);
            any_point |= !points.is_empty();
            for &(px, py) in &points {
                extend(px, py);
            }
            for &(bx, lo, hi) in &band {
                extend(bx, lo);
                extend(bx, hi);
            }
            series.push(Series {
                name: String::new(),
                points,
                band,
            });
        }
        any_point.then_some(Self { series, x, y })
    }
}

/// Logical layout constants specific to line charts.
const LINE_WIDTH: f64 = 2.0;
const BAND_ALPHA: f64 = 0.16;
/// Minimum logical distance between x labels, wide enough for `Sep 30`.
const X_LABEL_SPACING: f64 = 76.0;

fn draw_chart(
    area: &Area<'_>,
    spec: &LineChart,
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
            Swatch::Line,
            title_bottom,
            w,
        )
    });
    let axis = metrics::AXIS;
    let y_axis = |intervals: usize, _height: i32| {
        ValueAxis::linear(value_ticks(
            data.y.0.min(0.0),
            data.y.1.max(0.0),
            spec.y_unit,
            intervals,
        ))
    };
    let frame_spec = FrameSpec {
        top: title_bottom,
        legend,
        y_label: &spec.y_label,
        y_unit: spec.y_unit,
        x_space: axis.cap_height() + px(metrics::GAP),
        right_space: 0,
    };
    // A legend too tall for the canvas is dropped rather than the data;
    // ChartSize::MIN guarantees the plot fits without one.
    let Some(frame) = Frame::layout(frame_spec, y_axis, (w, h)) else {
        return Ok(());
    };
    frame.draw(area)?;
    let plot = Plot {
        frame: &frame,
        x: x_range(data.x),
    };
    draw_x_axis(area, &plot, data.x, w)?;
    for (i, s) in data.series.iter().enumerate() {
        draw_band(area, &plot, &s.band, PALETTE.series_colour(i))?;
    }
    for (i, s) in data.series.iter().enumerate() {
        draw_line(area, &plot, &s.points, PALETTE.series_colour(i))?;
    }
    Ok(())
}

/// The frame plus the time range its plot shows.
struct Plot<'a> {
    frame: &'a Frame,
    x: (i64, i64),
}

impl Plot<'_> {
    /// Data → device pixels, unrounded.
    fn map_f(&self, x: i64, y: f64) -> (f64, f64) {
        let r = self.frame.plot;
        // f64 maths avoids i64 overflow on extreme timestamps; pixel precision is all we need.
        let fx = (x as f64 - self.x.0 as f64) / (self.x.1 as f64 - self.x.0 as f64);
        let px = f64::from(r.left) + fx * f64::from(r.width());
        (px, self.frame.y_f(y))
    }

    /// Data → device pixels.
    fn map(&self, x: i64, y: f64) -> (i32, i32) {
        let (px, py) = self.map_f(x, y);
        (px.round() as i32, py.round() as i32)
    }
}

/// The x range to show: the data's, unless that is under an hour (a single
/// point, say), which would give a degenerate axis; then a day around it.
fn x_range((lo, hi): (i64, i64)) -> (i64, i64) {
    if hi.saturating_sub(lo) >= 3_600 {
        return (lo, hi);
    }
    let mid = lo / 2 + hi / 2;
    (mid.saturating_sub(DAY / 2), mid.saturating_add(DAY / 2))
}

fn draw_x_axis(
    area: &Area<'_>,
    plot: &Plot<'_>,
    data_x: (i64, i64),
    canvas_w: i32,
) -> Result<(), ChartError> {
    let axis = metrics::AXIS;
    let r = plot.frame.plot;
    let plot_w_logical = f64::from(r.width()) / f64::from(px(1.0));
    let max_ticks = (plot_w_logical / X_LABEL_SPACING).floor().max(2.0) as usize;
    let ticks = if data_x.0 == data_x.1 {
        // One moment in time: label it, not the padding around it.
        time_ticks(data_x.0, data_x.0, 1)
    } else {
        time_ticks(plot.x.0, plot.x.1, max_ticks)
    };
    let baseline = r.bottom + px(metrics::GAP) + axis.cap_height();
    let edge = px(4.0);
    for (t, label) in ticks {
        let (x, _) = plot.map(t, 0.0);
        let half = axis.width(&label) / 2;
        // Keep edge labels whole instead of letting the canvas clip them.
        let x = x.clamp(edge + half, (canvas_w - edge - half).max(edge + half));
        axis.draw(area, &label, x, baseline, Align::Center)?;
    }
    Ok(())
}

/// Fills the band with our own even-odd scanline pass.
///
/// plotters rasterises a polygon wider than it is tall column by column and
/// blends every pixel separately, which cost ~6 ms per band at 2×; filling one
/// horizontal span per row hits its fast row blender instead. The edges are
/// left unsmoothed: at 16 % opacity the steps are invisible and it keeps the
/// palette small.
fn draw_band(
    area: &Area<'_>,
    plot: &Plot<'_>,
    band: &[(i64, f64, f64)],
    c: Rgb,
) -> Result<(), ChartError> {
    if band.len() < 2 {
        return Ok(());
    }
    let upper = band.iter().map(|&(x, _, hi)| plot.map_f(x, hi));
    let lower = band.iter().rev().map(|&(x, lo, _)| plot.map_f(x, lo));
    let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
    let edges: Vec<_> = outline
        .iter()
        .zip(outline.iter().cycle().skip(1))
        .filter(|(a, b)| a.1 != b.1)
        .collect();
    let (top, bottom) = outline
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(t, b), p| {
            (t.min(p.1), b.max(p.1))
        });
    let style = colour(c).mix(BAND_ALPHA).filled();
    let mut crossings = Vec::with_capacity(8);
    for y in (top.floor() as i32)..=(bottom.ceil() as i32) {
        let yc = f64::from(y) + 0.5;
        crossings.clear();
        for (a, b) in &edges {
            if (a.1 <= yc) != (b.1 <= yc) {
                crossings.push(a.0 + (yc - a.1) * (b.0 - a.0) / (b.1 - a.1));
            }
        }
        crossings.sort_by(f64::total_cmp);
        for span in crossings.chunks_exact(2) {
            let (x0, x1) = (span[0].round() as i32, span[1].round() as i32);
            if x1 > x0 {
                area.draw(&Rectangle::new([(x0, y), (x1, y + 1)], style))
                    .map_err(draw_err)?;
            }
        }
    }
    Ok(())
}

fn draw_line(
    area: &Area<'_>,
    plot: &Plot<'_>,
    points: &[(i64, f64)],
    c: Rgb,
) -> Result<(), ChartError> {
    let pixels: Vec<_> = points.iter().map(|&(x, y)| plot.map(x, y)).collect();
    if let [only] = pixels.as_slice() {
        // A single point has no line to draw; a dot keeps it visible.
        return area
            .draw(&Circle::new(
                *only,
                px(LINE_WIDTH * 1.75),
                colour(c).filled(),
            ))
            .map_err(draw_err);
    }
    let style = ShapeStyle {
        color: colour(c).to_rgba(),
        filled: false,
        stroke_width: px(LINE_WIDTH).unsigned_abs(),
    };
    area.draw(&PathElement::new(pixels, style))
        .map_err(draw_err)
}
