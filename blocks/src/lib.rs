//! Pure view models in, Slack Block Kit JSON out, with Slack's limits
//! enforced in one place so long content is cut, never rejected.
//!
//! Nothing here talks to Slack or the database: the app computes a view model,
//! this crate turns it into blocks, and `serde_json` turns those into the
//! payload. Tests in the app assert screens with [`validate::validate`].

#![warn(missing_docs)]

/// Slack's limits as constants, and the char-safe truncation and mrkdwn escaping helpers.
pub mod limits;

/// The typed Block Kit model (section, header, context, divider, actions, image).
pub mod kit;

/// Stat cards: a metric's value and its change in words, alone or as section fields.
pub mod stat_card;

/// Message/Home/modal builder; the one place the block-count limit is enforced.
pub mod surface;

/// Stable action and callback ids shared by views and listeners.
pub mod ids;

/// `/metrics help`: the command grammar as a message.
pub mod help;

/// App Home views: the admin's setup checklist and the developer's welcome.
pub mod home;

/// Dashboards: `/metrics` answers and the App Home dashboard from one view model.
pub mod dashboard;

/// PR survey DMs, the AI Detective reveal, survey settings and people mapping.
pub mod survey;

/// The AI feedback loop: the "Report AI issue" modal and its thank-you.
pub mod feedback;

/// The weekly leaderboard post, its settings modal and the ranking opt-out.
pub mod leaderboard;

/// Checker that reports every way a block list would break Slack's limits.
pub mod validate;

pub use kit::{Block, Button};
pub use stat_card::{BetterWhen, Change, StatCard, stat_cards};
pub use surface::{Surface, SurfaceKind, fit_blocks};
pub use validate::{LimitError, validate};
