//! The shared colour palette (Okabe–Ito series colours on calm greys).

/// An opaque sRGB colour.
///
/// Our own type rather than plotters' so the public API does not change when
/// the rendering library does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb {
    /// Red channel.
    pub r: u8,
    /// Green channel.
    pub g: u8,
    /// Blue channel.
    pub b: u8,
}

impl Rgb {
    /// Builds a colour from `0xRRGGBB`, so palette entries read like CSS.
    #[must_use]
    pub const fn from_hex(hex: u32) -> Self {
        Self {
            r: ((hex >> 16) & 0xff) as u8,
            g: ((hex >> 8) & 0xff) as u8,
            b: (hex & 0xff) as u8,
        }
    }
}

/// Every colour a chart uses, so all chart kinds look like one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Series colours in the order they are assigned; distinguishable with
    /// the common colour-vision deficiencies.
    pub series: [Rgb; 7],
    /// Canvas background.
    pub background: Rgb,
    /// Titles and legend labels.
    pub text: Rgb,
    /// Axis labels and empty-state messages, which should recede.
    pub muted_text: Rgb,
    /// Grid lines, kept just visible enough to read values against.
    pub grid: Rgb,
    /// The zero line, a touch stronger than the grid to anchor the eye.
    pub baseline: Rgb,
}

impl Palette {
    /// Colour for the `index`-th series; wraps around rather than failing
    /// because a chart with more series than colours is still better than none.
    #[must_use]
    pub const fn series_colour(&self, index: usize) -> Rgb {
        self.series[index % self.series.len()]
    }
}

/// The palette every chart uses.
///
/// Series colours are Okabe & Ito's colour-blind-safe set, reordered so the two
/// most distinct (blue, orange) come first and without black (reserved for
/// text) and yellow moved last (it is faint on white).
pub const PALETTE: Palette = Palette {
    series: [
        Rgb::from_hex(0x0072B2), // blue
        Rgb::from_hex(0xE69F00), // orange
        Rgb::from_hex(0x009E73), // bluish green
        Rgb::from_hex(0xCC79A7), // reddish purple
        Rgb::from_hex(0xD55E00), // vermillion
        Rgb::from_hex(0x56B4E9), // sky blue
        Rgb::from_hex(0xF0E442), // yellow
    ],
    background: Rgb::from_hex(0xFFFFFF),
    text: Rgb::from_hex(0x333333),
    muted_text: Rgb::from_hex(0x6B6B6B),
    grid: Rgb::from_hex(0xEBEBEB),
    baseline: Rgb::from_hex(0xC8C8C8),
};
