//! The 2× pixel canvas, shared layout metrics, and the empty state.

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea};
use plotters::style::RGBColor;

use crate::ChartError;
use crate::encode::encode_png;
use crate::error::draw_err;
use crate::font::embedded;
use crate::palette::{PALETTE, Rgb};
use crate::text::Align;

/// Device pixels per logical pixel. Slack shows images at roughly their
/// logical size on high-density screens, so 2× keeps text and lines crisp.
pub const SCALE: u32 = 2;

/// A chart's size in logical pixels; the PNG is [`SCALE`] times larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSize {
    /// Logical width.
    pub width: u32,
    /// Logical height.
    pub height: u32,
}

impl ChartSize {
    /// Below this the axes and title no longer fit.
    pub const MIN: Self = Self {
        width: 240,
        height: 140,
    };
    /// Above this a single render would allocate tens of megabytes.
    pub const MAX: Self = Self {
        width: 2_000,
        height: 1_200,
    };

    /// The PNG's dimensions in device pixels (saturating, so asking about an
    /// absurd size cannot overflow; rendering one is refused anyway).
    #[must_use]
    pub const fn pixels(self) -> (u32, u32) {
        (
            self.width.saturating_mul(SCALE),
            self.height.saturating_mul(SCALE),
        )
    }

    fn validate(self) -> Result<Self, ChartError> {
        let ok = (Self::MIN.width..=Self::MAX.width).contains(&self.width)
            && (Self::MIN.height..=Self::MAX.height).contains(&self.height);
        if ok {
            Ok(self)
        } else {
            Err(ChartError::InvalidSize {
                width: self.width,
                height: self.height,
            })
        }
    }
}

impl Default for ChartSize {
    /// 800×400 suits a Slack message: wide enough for a month of daily points,
    /// short enough not to dominate the channel.
    fn default() -> Self {
        Self {
            width: 800,
            height: 400,
        }
    }
}

/// The drawing surface chart kinds paint on, in device pixels.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Logical pixels → device pixels.
pub(crate) fn px(logical: f64) -> i32 {
    (logical * f64::from(SCALE)).round() as i32
}

pub(crate) fn colour(c: Rgb) -> RGBColor {
    RGBColor(c.r, c.g, c.b)
}

/// Allocates the canvas, lets `paint` draw on the palette background, and
/// encodes the result; the only place a chart touches pixels and bytes.
pub(crate) fn render(
    size: ChartSize,
    paint: impl FnOnce(&Area<'_>, (i32, i32)) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    // Fail before allocating if the font is unusable, so text drawing later
    // can treat it as present.
    embedded()?;
    let (w, h) = size.validate()?.pixels();
    // Starting from background-coloured bytes saves a separate fill pass; a
    // grey background (white included) is a plain memset.
    let bg = PALETTE.background;
    let pixels = (w as usize) * (h as usize);
    let mut buf = if bg.r == bg.g && bg.g == bg.b {
        vec![bg.r; pixels * 3]
    } else {
        [bg.r, bg.g, bg.b].repeat(pixels)
    };
    {
        let area = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        paint(&area, (w as i32, h as i32))?;
        area.present().map_err(draw_err)?;
    }
    encode_png(&buf, w, h)
}

/// Logical layout constants shared by chart kinds so they line up in a thread.
pub(crate) mod metrics {
    use crate::palette::PALETTE;
    use crate::text::Text;

    /// Outer whitespace on every side.
    pub(crate) const PADDING: f64 = 16.0;
    /// Title style.
    pub(crate) const TITLE: Text = Text {
        size: 15.0,
        colour: PALETTE.text,
    };
    /// Legend labels.
    pub(crate) const LEGEND: Text = Text {
        size: 12.0,
        colour: PALETTE.text,
    };
    /// Tick labels.
    pub(crate) const AXIS: Text = Text {
        size: 11.0,
        colour: PALETTE.muted_text,
    };
    /// Empty-state message.
    pub(crate) const MESSAGE: Text = Text {
        size: 13.0,
        colour: PALETTE.muted_text,
    };
}

/// Draws the title (if any) and returns the y (device pixels) below it.
pub(crate) fn draw_title(area: &Area<'_>, title: &str, width: i32) -> Result<i32, ChartError> {
    let pad = px(metrics::PADDING);
    if title.trim().is_empty() {
        return Ok(pad);
    }
    let t = metrics::TITLE;
    let text = t.fit(title.trim(), width - 2 * pad);
    let baseline = pad + t.cap_height();
    t.draw(area, &text, pad, baseline, Align::Left)?;
    Ok(baseline + px(8.0))
}

/// The "not enough data" image: same size and title as the real chart, so a
/// message in Slack keeps its layout while data is still arriving.
pub(crate) fn draw_empty(
    area: &Area<'_>,
    title: &str,
    (w, h): (i32, i32),
) -> Result<(), ChartError> {
    let top = draw_title(area, title, w)?;
    let m = metrics::MESSAGE;
    let middle = top + (h - top) / 2;
    m.draw(
        area,
        "Not enough data",
        w / 2,
        middle + m.cap_height() / 2,
        Align::Center,
    )
}
