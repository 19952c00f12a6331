//! The 2× pixel canvas, shared layout metrics, and the empty state.

use plotters::coord::Shift;
use plotters::element::Rectangle;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea};
use plotters::style::{Color, RGBColor};

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
    render_canvas(size, |canvas| {
        let dims = canvas.dims();
        canvas.draw(|area| paint(area, dims))
    })
}

/// Like [`render`], for charts that also paint raw pixels (dense scatter
/// dots, anti-aliased donut rings) between plotters passes.
pub(crate) fn render_canvas(
    size: ChartSize,
    paint: impl FnOnce(&mut Canvas) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    // Fail before allocating if the font is unusable, so text drawing later
    // can treat it as present.
    embedded()?;
    let (w, h) = size.validate()?.pixels();
    // Starting from background-coloured bytes saves a separate fill pass; a
    // grey background (white included) is a plain memset.
    let bg = PALETTE.background;
    let pixels = (w as usize) * (h as usize);
    let buf = if bg.r == bg.g && bg.g == bg.b {
        vec![bg.r; pixels * 3]
    } else {
        [bg.r, bg.g, bg.b].repeat(pixels)
    };
    let mut canvas = Canvas { buf, w, h };
    paint(&mut canvas)?;
    encode_png(&canvas.buf, w, h)
}

/// The RGB buffer being painted, reachable either through plotters or raw.
pub(crate) struct Canvas {
    buf: Vec<u8>,
    w: u32,
    h: u32,
}

impl Canvas {
    /// Width and height in device pixels.
    pub(crate) fn dims(&self) -> (i32, i32) {
        (self.w as i32, self.h as i32)
    }

    /// One plotters pass over the buffer.
    pub(crate) fn draw<R>(
        &mut self,
        paint: impl FnOnce(&Area<'_>) -> Result<R, ChartError>,
    ) -> Result<R, ChartError> {
        let area = BitMapBackend::with_buffer_and_format(&mut self.buf, (self.w, self.h))
            .map_err(draw_err)?
            .into_drawing_area();
        let out = paint(&area)?;
        area.present().map_err(draw_err)?;
        Ok(out)
    }

    /// Direct pixel access, for shapes plotters draws slowly or without
    /// anti-aliasing.
    pub(crate) fn pixels(&mut self) -> Pixels<'_> {
        Pixels {
            buf: &mut self.buf,
            w: self.w as i32,
            h: self.h as i32,
        }
    }
}

/// Raw RGB pixels with bounds-checked, integer-only blending (so the output
/// never depends on floating-point differences between machines).
pub(crate) struct Pixels<'a> {
    buf: &'a mut [u8],
    w: i32,
    h: i32,
}

impl Pixels<'_> {
    /// Width and height in device pixels.
    pub(crate) fn dims(&self) -> (i32, i32) {
        (self.w, self.h)
    }

    /// Mixes `c` over the pixel at (x, y) with opacity `alpha` in 0..=255;
    /// off-canvas pixels are ignored.
    #[inline]
    pub(crate) fn blend(&mut self, x: i32, y: i32, c: Rgb, alpha: u8) {
        if x < 0 || y < 0 || x >= self.w || y >= self.h || alpha == 0 {
            return;
        }
        let i = (y as usize * self.w as usize + x as usize) * 3;
        if let Some(px) = self.buf.get_mut(i..i + 3) {
            let a = u32::from(alpha);
            for (dst, src) in px.iter_mut().zip([c.r, c.g, c.b]) {
                let mixed = u32::from(*dst) * (255 - a) + u32::from(src) * a;
                // Exact rounding of mixed / 255.
                *dst = ((mixed + 128 + ((mixed + 128) >> 8)) >> 8) as u8;
            }
        }
    }
}

/// An axis-aligned rectangle in device pixels; `right` and `bottom` are
/// exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rect {
    pub(crate) left: i32,
    pub(crate) top: i32,
    pub(crate) right: i32,
    pub(crate) bottom: i32,
}

impl Rect {
    pub(crate) fn width(self) -> i32 {
        self.right - self.left
    }

    pub(crate) fn height(self) -> i32 {
        self.bottom - self.top
    }
}

/// Fills `[x0, x1) × [y0, y1)` (either corner order) with `c` at `alpha`.
pub(crate) fn fill(
    area: &Area<'_>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    c: Rgb,
    alpha: f64,
) -> Result<(), ChartError> {
    let style = if alpha >= 1.0 {
        colour(c).filled()
    } else {
        colour(c).mix(alpha).filled()
    };
    area.draw(&Rectangle::new(
        [(x0.min(x1), y0.min(y1)), (x0.max(x1), y0.max(y1))],
        style,
    ))
    .map_err(draw_err)
}

/// A horizontal rule `thickness` device pixels thick, centred on `y`.
pub(crate) fn hline(
    area: &Area<'_>,
    x0: i32,
    x1: i32,
    y: i32,
    thickness: i32,
    c: Rgb,
) -> Result<(), ChartError> {
    let t = thickness.max(1);
    let y0 = y - t / 2;
    fill(area, (x0, y0), (x1, y0 + t), c, 1.0)
}

/// A vertical rule `thickness` device pixels thick, centred on `x`.
pub(crate) fn vline(
    area: &Area<'_>,
    x: i32,
    y0: i32,
    y1: i32,
    thickness: i32,
    c: Rgb,
) -> Result<(), ChartError> {
    let t = thickness.max(1);
    let x0 = x - t / 2;
    fill(area, (x0, y0), (x0 + t, y1), c, 1.0)
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
    /// Values written on the data (bar totals, the donut centre), which
    /// should read as data rather than furniture.
    pub(crate) const VALUE: Text = Text {
        size: 11.0,
        colour: PALETTE.text,
    };
    /// Gap between a text row and what it labels.
    pub(crate) const GAP: f64 = 8.0;
    /// Below this (either way) a plot is unreadable.
    pub(crate) const MIN_PLOT: f64 = 40.0;
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
