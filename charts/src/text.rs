//! Lays out and draws text with the embedded font at exact baselines.
//!
//! We rasterise glyphs with ab_glyph ourselves instead of using plotters'
//! text path: plotters 0.3 drops each glyph's left side bearing and truncates
//! every advance, which visibly jitters letter spacing ("T eam"), and puts the
//! baseline half a font size below the anchor whatever the anchor says.

use ab_glyph::{Font, Glyph, PxScale, ScaleFont, point};
use plotters::style::{Color, RGBColor};

use crate::ChartError;
use crate::canvas::{Area, px};
use crate::error::draw_err;
use crate::font::embedded;
use crate::palette::Rgb;

/// DejaVu Sans capitals (and digits) are 1493/2048 of an em tall.
const CAP_HEIGHT_EM: f64 = 0.729;

/// Which point of the text the x coordinate names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// A text style; `size` is the em size in logical pixels, as in CSS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text {
    pub(crate) size: f64,
    pub(crate) colour: Rgb,
}

impl Text {
    fn em(self) -> f32 {
        px(self.size) as f32
    }

    /// Glyphs positioned from a (0, 0) baseline origin, and the advance width.
    fn layout(self, s: &str) -> (Vec<Glyph>, f32) {
        let Ok(font) = embedded() else {
            return (Vec::new(), 0.0);
        };
        // ab_glyph scales by ascent-to-descent height; convert from em size.
        let upem = font.units_per_em().unwrap_or(2048.0);
        let scale = PxScale::from(self.em() * font.height_unscaled() / upem);
        let scaled = font.as_scaled(scale);
        let mut glyphs = Vec::with_capacity(s.len());
        let mut x = 0.0f32;
        let mut previous = None;
        for c in s.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = previous {
                x += scaled.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(x, 0.0)));
            x += scaled.h_advance(id);
            previous = Some(id);
        }
        (glyphs, x)
    }

    /// Height of capitals and digits in device pixels, for centring labels
    /// on grid lines by eye rather than by font box.
    pub(crate) fn cap_height(self) -> i32 {
        (f64::from(self.em()) * CAP_HEIGHT_EM).round() as i32
    }

    /// Advance width in device pixels.
    pub(crate) fn width(self, s: &str) -> i32 {
        self.layout(s).1.ceil() as i32
    }

    /// Shortens `s` with an ellipsis until it fits `max_width` device pixels,
    /// so long titles and names are cut visibly instead of clipped silently.
    pub(crate) fn fit(self, s: &str, max_width: i32) -> String {
        if self.width(s) <= max_width {
            return s.to_owned();
        }
        let chars: Vec<char> = s.chars().collect();
        let candidate = |n: usize| format!("{}…", chars[..n].iter().collect::<String>().trim_end());
        // Binary search on the kept prefix: a linear scan re-measures the whole
        // string per character, which is quadratic on pathological titles.
        let (mut fits, mut too_long) = (0, chars.len());
        if self.width(&candidate(0)) > max_width {
            return String::new();
        }
        while too_long - fits > 1 {
            let mid = (fits + too_long) / 2;
            if self.width(&candidate(mid)) <= max_width {
                fits = mid;
            } else {
                too_long = mid;
            }
        }
        candidate(fits)
    }

    /// Draws `s` with its baseline at `baseline`, aligned on `x` (device pixels).
    pub(crate) fn draw(
        self,
        area: &Area<'_>,
        s: &str,
        x: i32,
        baseline: i32,
        align: Align,
    ) -> Result<(), ChartError> {
        let font = embedded()?;
        let (glyphs, width) = self.layout(s);
        let left = match align {
            Align::Left => x as f32,
            Align::Center => x as f32 - width / 2.0,
            // Snap to whole pixels so right-aligned columns share an edge.
            Align::Right => (x as f32 - width).round(),
        };
        let colour = RGBColor(self.colour.r, self.colour.g, self.colour.b);
        for mut glyph in glyphs {
            glyph.position.x += left;
            glyph.position.y += baseline as f32;
            let Some(outline) = font.outline_glyph(glyph) else {
                continue; // spaces and missing glyphs have no outline
            };
            let bounds = outline.px_bounds();
            let (ox, oy) = (bounds.min.x as i32, bounds.min.y as i32);
            let mut result = Ok(());
            outline.draw(|gx, gy, coverage| {
                if result.is_ok() && coverage > 0.5 / 255.0 {
                    let pos = (ox + gx as i32, oy + gy as i32);
                    let ink = colour.mix(f64::from(coverage.min(1.0)));
                    result = area.draw_pixel(pos, &ink).map_err(draw_err);
                }
            });
            result?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Text = Text {
        size: 12.0,
        colour: Rgb { r: 0, g: 0, b: 0 },
    };

    #[test]
    fn width_grows_with_text_and_size() {
        assert_eq!(T.width(""), 0);
        assert!(T.width("Mar 30") > T.width("Mar 3"));
        let big = Text { size: 24.0, ..T };
        assert!(big.width("Mar 3") > T.width("Mar 3") * 3 / 2);
    }

    #[test]
    fn fit_truncates_with_an_ellipsis() {
        let long = "An engineering organisation with a very long name";
        let max = T.width("An engineering");
        let fitted = T.fit(long, max);
        assert!(fitted.ends_with('…'), "{fitted}");
        assert!(T.width(&fitted) <= max);
        assert_eq!(T.fit("short", 10_000), "short");
        assert_eq!(T.fit("anything", 0), "");
    }

    #[test]
    fn fit_keeps_as_much_as_fits_even_for_huge_input() {
        let huge = "word ".repeat(20_000);
        let fitted = T.fit(&huge, 500);
        assert!(T.width(&fitted) <= 500);
        let kept = fitted.chars().count() - 1;
        let one_more = format!(
            "{}…",
            huge.chars().take(kept + 1).collect::<String>().trim_end()
        );
        assert!(one_more == fitted || T.width(&one_more) > 500, "{fitted}");
    }
}
