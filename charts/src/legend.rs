//! The series legend under the title, shared by every chart with axes.

use plotters::element::Circle;
use plotters::style::Color;

use crate::ChartError;
use crate::canvas::{Area, colour, fill, metrics, px};
use crate::error::draw_err;
use crate::palette::Rgb;
use crate::text::Align;

/// How an entry's colour sample is drawn, echoing the marks in the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Swatch {
    /// A short thick stroke, for lines.
    #[default]
    Line,
    /// A small square, for bars, boxes and slices.
    Square,
    /// A dot, for scatter points.
    Dot,
}

/// Logical width of a line swatch.
const LINE_SWATCH: f64 = 16.0;
/// Logical side of a square swatch (and diameter of a dot).
const SQUARE_SWATCH: f64 = 10.0;
/// Between a swatch and its label.
const SWATCH_GAP: f64 = 6.0;
/// Between one entry and the next on a row.
const ENTRY_GAP: f64 = 18.0;
/// Distance between wrapped rows.
const ROW: f64 = 20.0;
/// No single name may take more than this, so one long name cannot hide the rest.
const MAX_NAME: f64 = 260.0;

/// Where each entry goes; computed before drawing so a legend that would
/// squeeze the plot can be dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Legend {
    swatch: Swatch,
    /// (colour, swatch x, baseline, label) per entry.
    entries: Vec<(Rgb, i32, i32, String)>,
    /// The y below the last row; 0 for no legend.
    pub(crate) bottom: i32,
}

impl Legend {
    /// Lays `items` left to right below `top`, wrapping as needed.
    pub(crate) fn layout<'a>(
        items: impl IntoIterator<Item = (&'a str, Rgb)>,
        swatch: Swatch,
        top: i32,
        w: i32,
    ) -> Self {
        let pad = px(metrics::PADDING);
        let text = metrics::LEGEND;
        let sample = swatch_width(swatch) + px(SWATCH_GAP);
        let (mut x, mut baseline) = (pad, top + px(4.0) + text.cap_height());
        let mut entries = Vec::new();
        for (name, c) in items {
            let name = text.fit(name.trim(), (w - 2 * pad - sample).min(px(MAX_NAME)));
            let item_w = sample + text.width(&name);
            if x > pad && x + item_w > w - pad {
                x = pad;
                baseline += px(ROW);
            }
            entries.push((c, x, baseline, name));
            x += item_w + px(ENTRY_GAP);
        }
        Self {
            swatch,
            entries,
            bottom: baseline + px(6.0),
        }
    }

    /// Draws every entry.
    pub(crate) fn draw(&self, area: &Area<'_>) -> Result<(), ChartError> {
        let text = metrics::LEGEND;
        for (c, x, baseline, name) in &self.entries {
            let mid = baseline - text.cap_height() / 2;
            draw_swatch(area, self.swatch, *c, *x, mid)?;
            text.draw(
                area,
                name,
                x + swatch_width(self.swatch) + px(SWATCH_GAP),
                *baseline,
                Align::Left,
            )?;
        }
        Ok(())
    }
}

/// Device-pixel width of a swatch.
pub(crate) fn swatch_width(swatch: Swatch) -> i32 {
    match swatch {
        Swatch::Line => px(LINE_SWATCH),
        Swatch::Square | Swatch::Dot => px(SQUARE_SWATCH),
    }
}

/// Draws one swatch with its left edge at `x`, vertically centred on `mid`.
pub(crate) fn draw_swatch(
    area: &Area<'_>,
    swatch: Swatch,
    c: Rgb,
    x: i32,
    mid: i32,
) -> Result<(), ChartError> {
    match swatch {
        Swatch::Line => {
            let half = px(1.5);
            fill(
                area,
                (x, mid - half),
                (x + px(LINE_SWATCH), mid + half),
                c,
                1.0,
            )
        }
        Swatch::Square => {
            let side = px(SQUARE_SWATCH);
            let top = mid - side / 2;
            fill(area, (x, top), (x + side, top + side), c, 1.0)
        }
        Swatch::Dot => {
            let r = px(SQUARE_SWATCH / 2.0);
            area.draw(&Circle::new((x + r, mid), r, colour(c).filled()))
                .map_err(draw_err)
        }
    }
}
