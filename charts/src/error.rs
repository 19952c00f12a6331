//! The single error type callers have to handle.

/// Why a chart could not be rendered.
///
/// Bad *data* (no points, NaN, infinities) is never an error: it is drawn as an
/// explicit "not enough data" image or skipped, so callers only see failures
/// they can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The requested logical size is outside what we are willing to allocate.
    #[error(
        "chart size {width}x{height} is outside the supported range \
         ({min_w}x{min_h} to {max_w}x{max_h} logical pixels)",
        min_w = crate::ChartSize::MIN.width,
        min_h = crate::ChartSize::MIN.height,
        max_w = crate::ChartSize::MAX.width,
        max_h = crate::ChartSize::MAX.height
    )]
    InvalidSize {
        /// Requested logical width.
        width: u32,
        /// Requested logical height.
        height: u32,
    },
    /// The embedded font was rejected by the glyph rasteriser.
    #[error("the embedded chart font could not be registered")]
    Font,
    /// plotters reported a failure while drawing.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// The finished bitmap could not be encoded as PNG.
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(String),
}

/// Flattens plotters' backend-generic error into our enum; the generic type
/// would otherwise leak plotters internals into every signature.
pub(crate) fn draw_err<E: std::fmt::Display>(err: E) -> ChartError {
    ChartError::Draw(err.to_string())
}
