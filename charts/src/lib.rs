//! Chart specs in, PNG bytes out.
//!
//! Rendering is pure and deterministic (no I/O, no system fonts, same input →
//! same bytes) so charts can be produced anywhere and cached by hash. Every
//! kind draws at 2× ([`SCALE`]) with the embedded DejaVu Sans and the
//! colour-blind-safe [`PALETTE`]; data that cannot be plotted (empty, NaN,
//! infinities) gives an explicit "Not enough data" image of the same size,
//! never an error or a panic.
//!
//! Kinds: [`LineChart`] (with optional p25–p75 band), [`BarChart`] (grouped
//! or stacked), [`ScatterChart`], [`DonutChart`] and [`BoxChart`]. Render one
//! directly (`render_line`, `render_bar`, …) or wrap it in a [`Chart`], which
//! also gives alt text for Slack and a cache key:
//!
//! ```
//! use charts::{BarChart, BarMode, BarSeries, Chart, YUnit};
//!
//! let weeks = [1_709_510_400, 1_710_115_200, 1_710_720_000]; // Mondays
//! let chart = Chart::Bar(BarChart {
//!     mode: BarMode::Stacked,
//!     y_unit: YUnit::Count,
//!     y_label: "PRs".to_owned(),
//!     ..BarChart::weekly(
//!         "Merged PRs per week",
//!         &weeks,
//!         vec![
//!             BarSeries { name: "AI-assisted".to_owned(), values: vec![12.0, 15.0, 19.0] },
//!             BarSeries { name: "Other".to_owned(), values: vec![30.0, 28.0, 25.0] },
//!         ],
//!     )
//! });
//! let png = chart.render()?;
//! assert!(png.starts_with(b"\x89PNG"));
//! assert_eq!(
//!     chart.alt_text(),
//!     "Bar chart of merged PRs per week over 3 weeks, stacked AI-assisted and Other: \
//!      total from 42 to 44 (peak 44 in the week of Mar 18); \
//!      AI-assisted 36%, Other 64% of the total"
//! );
//! assert_eq!(chart.cache_key().len(), 64);
//! # Ok::<(), charts::ChartError>(())
//! ```
//!
//! Modules:
//! - `chart`: [`Chart`], [`render`], alt text and cache keys.
//! - `line`, `bar`, `scatter`, `donut`, `boxplot`: one per chart kind.
//! - `frame`: the shared layout of charts with a value axis (legend, axis
//!   caption, grid, plot rectangle, thinned category labels).
//! - `legend`: the series legend under the title.
//! - `axis`: tick placement and label formatting (dates, counts, durations,
//!   log scales).
//! - `palette`: the shared colour-blind-safe palette.
//! - `canvas`: the 2× pixel canvas, shared layout metrics and the empty-state image.
//! - `text`: glyph layout and drawing at exact baselines.
//! - `font`: one-time loading of the embedded DejaVu Sans.
//! - `encode`: raw pixels → PNG, palette-indexed when possible.
//! - `error`: [`ChartError`].

#![warn(missing_docs)]

mod axis;
mod bar;
mod boxplot;
mod canvas;
mod chart;
mod donut;
mod encode;
mod error;
mod font;
mod frame;
mod legend;
mod line;
mod palette;
mod scatter;
mod text;

pub use axis::{YUnit, format_date_short, format_duration_short, format_value};
pub use bar::{BarChart, BarMode, BarSeries, CategoryKind, render_bar};
pub use boxplot::{BoxChart, BoxGroup, MIN_BOX_VALUES, render_box};
pub use canvas::{ChartSize, SCALE};
pub use chart::{Chart, MAX_ALT_TEXT, RENDER_VERSION, render};
pub use donut::{DonutChart, Slice, render_donut};
pub use error::ChartError;
pub use line::{LineChart, Series, render_line};
pub use palette::{PALETTE, Palette, Rgb};
pub use scatter::{ScatterChart, ScatterSeries, render_scatter};
