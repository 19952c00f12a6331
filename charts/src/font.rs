//! Loads the embedded DejaVu Sans once, for every render in the process.

use std::sync::OnceLock;

use ab_glyph::FontRef;

use crate::ChartError;

/// Embedded so rendering never depends on what fonts the host happens to have.
static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Parsed once and shared read-only across threads; `None` records that the
/// bytes were rejected so we do not re-parse on every render.
static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();

/// The chart font; cheap after the first call.
pub(crate) fn embedded() -> Result<&'static FontRef<'static>, ChartError> {
    FONT.get_or_init(|| FontRef::try_from_slice(DEJAVU_SANS).ok())
        .as_ref()
        .ok_or(ChartError::Font)
}
