//! Chart specs in, PNG bytes out.
//!
//! Rendering is pure and deterministic (no I/O, no system fonts, same input →
//! same bytes) so charts can be produced anywhere and cached by hash.
//!
//! ```
//! use charts::{LineChart, Series, YUnit, render_line};
//!
//! let day = 86_400;
//! let spec = LineChart {
//!     title: "Merged PRs per day".to_owned(),
//!     series: vec![Series {
//!         name: "All teams".to_owned(),
//!         points: vec![(1_709_510_400, 12.0), (1_709_510_400 + day, 15.0)],
//!         ..Series::default()
//!     }],
//!     y_unit: YUnit::Count,
//!     ..LineChart::default()
//! };
//! let png = render_line(&spec)?;
//! assert!(png.starts_with(b"\x89PNG"));
//! # Ok::<(), charts::ChartError>(())
//! ```
//!
//! Modules:
//! - `line`: line charts over time with optional percentile bands.
//! - `axis`: tick placement and label formatting (dates, counts, durations).
//! - `palette`: the shared colour-blind-safe palette.
//! - `canvas`: the 2× pixel canvas, shared layout metrics and the empty-state image.
//! - `text`: glyph layout and drawing at exact baselines.
//! - `font`: one-time loading of the embedded DejaVu Sans.
//! - `encode`: raw pixels → PNG, palette-indexed when possible.
//! - `error`: [`ChartError`].

#![warn(missing_docs)]

mod axis;
mod canvas;
mod encode;
mod error;
mod font;
mod line;
mod palette;
mod text;

pub use axis::{YUnit, format_duration_short};
pub use canvas::{ChartSize, SCALE};
pub use error::ChartError;
pub use line::{LineChart, Series, render_line};
pub use palette::{PALETTE, Palette, Rgb};
