//! Stat cards: one metric with its value and its change in words.
//!
//! docs/surfaces.md asks that every number say what it is, whether it moved, and
//! whether that is good — "▼ 12% (better)" for a falling cycle time — and
//! that thin data say so instead of showing a misleading number. This module
//! is the single place that wording lives.
//!
//! Every input string is treated as plain user text: it is escaped for
//! mrkdwn, kept on one line, and cut to a share of Slack's limit, so a card
//! can never make Slack reject the surface.

use crate::kit::{Block, Mrkdwn, Section, Text};
use crate::limits::{
    SECTION_FIELD_TEXT_MAX, SECTION_FIELDS_MAX, escape_and_truncate, truncate_mrkdwn,
};

/// Longest label we show; a label is a name, not a sentence.
const LABEL_BUDGET: usize = 150;
/// Longest value we show ("3h 20m", "41% of 150 answers").
const VALUE_BUDGET: usize = 100;
/// Longest comparison period we show ("previous 30 days").
const COMPARED_TO_BUDGET: usize = 100;
/// Longest hint we show; enough for a sentence of explanation.
const HINT_BUDGET: usize = 500;

/// Shown instead of a value when the sample is too small to trust.
pub const NO_DATA_TEXT: &str = "not enough data yet";

/// Which direction of change is good news for a metric, because "▲ 12%" is
/// praise for throughput and a warning for cycle time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BetterWhen {
    /// Smaller is better (cycle time, pickup time, failure rate).
    Lower,
    /// Bigger is better (PRs merged, survey response rate).
    Higher,
}

/// A change against the previous period, given as a percentage.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Signed change in percent: `-12.0` means 12% lower than before.
    /// Changes that round to 0% read "no clear change"; non-finite values
    /// (from dividing by a zero baseline) are not shown.
    pub percent: f64,
    /// Which direction is good for this metric.
    pub better_when: BetterWhen,
    /// The period compared against ("previous 30 days"), shown as "vs …".
    pub compared_to: Option<String>,
}

impl Change {
    /// A change without a named comparison period.
    pub fn new(percent: f64, better_when: BetterWhen) -> Self {
        Self {
            percent,
            better_when,
            compared_to: None,
        }
    }

    /// Names the period compared against, shown as "vs {period}".
    pub fn compared_to(mut self, period: impl Into<String>) -> Self {
        self.compared_to = Some(period.into());
        self
    }

    /// The change in words: arrow, size and verdict, e.g. "▼ 12% (better)".
    /// `None` when the percentage is not a finite number.
    pub fn describe(&self) -> Option<String> {
        if !self.percent.is_finite() {
            return None;
        }
        let rounded = self.percent.abs().round();
        let mut out = if rounded < 1.0 {
            "↔ no clear change".to_owned()
        } else {
            let rising = self.percent > 0.0;
            let good = rising == (self.better_when == BetterWhen::Higher);
            let arrow = if rising { '▲' } else { '▼' };
            let verdict = if good { "better" } else { "worse" };
            // Above 999% the exact size stops meaning anything to a reader.
            let size = if rounded > 999.0 {
                ">999".to_owned()
            } else {
                format!("{rounded:.0}")
            };
            format!("{arrow} {size}% ({verdict})")
        };
        if let Some(period) = self.compared_to.as_deref().map(one_line)
            && !period.is_empty()
        {
            out.push_str(" vs ");
            out.push_str(&escape_and_truncate(&period, COMPARED_TO_BUDGET));
        }
        Some(out)
    }
}

/// One metric as a dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatCard {
    /// What the number is ("Median cycle time"); shown in bold.
    pub label: String,
    /// The formatted value with its unit ("3h 20m"); `None` (or blank) when
    /// the sample is too small, shown as "not enough data yet".
    pub value: Option<String>,
    /// Change against the previous period; ignored when there is no value.
    pub change: Option<Change>,
    /// Sample size or definition ("from 42 PRs"), shown under the value.
    pub hint: Option<String>,
}

impl StatCard {
    /// A card with no data yet; add what is known with the `with_` methods.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: None,
            change: None,
            hint: None,
        }
    }

    /// Sets the formatted value.
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// Sets the change against the previous period.
    pub fn with_change(mut self, change: Change) -> Self {
        self.change = Some(change);
        self
    }

    /// Sets the hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The label and value lines as mrkdwn, e.g.
    /// "*Median cycle time*\n`3h 20m`  ▼ 12% (better) vs previous 30 days".
    fn headline(&self) -> String {
        let label = one_line(&self.label).replace('*', "∗");
        let mut out = String::new();
        if !label.is_empty() {
            out.push('*');
            out.push_str(&escape_and_truncate(&label, LABEL_BUDGET));
            out.push_str("*\n");
        }
        let value = self
            .value
            .as_deref()
            .map(|v| one_line(v).replace('`', "'"))
            .filter(|v| !v.is_empty());
        match value {
            Some(v) => {
                out.push('`');
                out.push_str(&escape_and_truncate(&v, VALUE_BUDGET));
                out.push('`');
                if let Some(change) = self.change.as_ref().and_then(Change::describe) {
                    out.push_str("  ");
                    out.push_str(&change);
                }
            }
            None => {
                out.push('_');
                out.push_str(NO_DATA_TEXT);
                out.push('_');
            }
        }
        out
    }

    /// The hint, escaped and cut, if it has any visible text.
    fn hint_text(&self) -> Option<String> {
        let hint = one_line(self.hint.as_deref()?);
        (!hint.is_empty()).then(|| escape_and_truncate(&hint, HINT_BUDGET))
    }

    /// The card as one mrkdwn text of at most `max` characters, hint on a
    /// third line; this is what goes into a section field.
    pub fn to_mrkdwn(&self, max: usize) -> String {
        let mut text = self.headline();
        if let Some(hint) = self.hint_text() {
            text.push('\n');
            text.push_str(&hint);
        }
        truncate_mrkdwn(&text, max).into_owned()
    }

    /// The card on its own: a section with the headline, plus a context line
    /// for the hint so it reads as small print.
    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::section(&self.headline())];
        if let Some(hint) = self.hint_text() {
            blocks.push(Block::context(&hint));
        }
        blocks
    }
}

/// Lays cards out two per row as section fields, starting a new section every
/// [`SECTION_FIELDS_MAX`] cards so no card is dropped.
pub fn stat_cards(cards: &[StatCard]) -> Vec<Block> {
    cards
        .chunks(SECTION_FIELDS_MAX)
        .map(|chunk| {
            Block::Section(Section {
                fields: chunk
                    .iter()
                    .map(|c| Text::Mrkdwn(Mrkdwn::new(c.to_mrkdwn(SECTION_FIELD_TEXT_MAX))))
                    .collect(),
                ..Section::default()
            })
        })
        .collect()
}

/// Collapses line breaks and other control characters to spaces, so user text
/// cannot break our bold/code markers (which Slack does not carry across lines).
fn one_line(s: &str) -> String {
    let collapsed: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    collapsed.trim().to_owned()
}

// A card at full budget (plus markers, arrow and wording) must fit a field,
// so the final cut in `to_mrkdwn` only ever bites for callers' smaller limits.
const _: () = assert!(
    LABEL_BUDGET + VALUE_BUDGET + COMPARED_TO_BUDGET + HINT_BUDGET + 64 < SECTION_FIELD_TEXT_MAX
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::limits::char_count;

    fn cycle_time(percent: f64) -> StatCard {
        StatCard::new("Median cycle time")
            .with_value("3h 20m")
            .with_change(Change::new(percent, BetterWhen::Lower).compared_to("previous 30 days"))
    }

    #[test]
    fn lower_is_better_for_cycle_time() {
        assert_eq!(
            cycle_time(-12.3).to_mrkdwn(2000),
            "*Median cycle time*\n`3h 20m`  ▼ 12% (better) vs previous 30 days"
        );
        assert_eq!(
            cycle_time(12.0).to_mrkdwn(2000),
            "*Median cycle time*\n`3h 20m`  ▲ 12% (worse) vs previous 30 days"
        );
    }

    #[test]
    fn higher_is_better_for_throughput() {
        let d = |p| Change::new(p, BetterWhen::Higher).describe().unwrap();
        assert_eq!(d(9.0), "▲ 9% (better)");
        assert_eq!(d(-9.0), "▼ 9% (worse)");
    }

    #[test]
    fn tiny_changes_are_no_clear_change() {
        let d = |p| Change::new(p, BetterWhen::Higher).describe().unwrap();
        assert_eq!(d(0.0), "↔ no clear change");
        assert_eq!(d(-0.0), "↔ no clear change");
        assert_eq!(d(0.49), "↔ no clear change");
        assert_eq!(d(-0.49), "↔ no clear change");
        assert_eq!(d(0.5), "▲ 1% (better)");
    }

    #[test]
    fn odd_percentages() {
        let d = |p| Change::new(p, BetterWhen::Lower).describe();
        assert_eq!(d(f64::NAN), None);
        assert_eq!(d(f64::INFINITY), None);
        assert_eq!(d(f64::NEG_INFINITY), None);
        assert_eq!(d(999.4).unwrap(), "▲ 999% (worse)");
        assert_eq!(d(1e300).unwrap(), "▲ >999% (worse)");
        assert_eq!(d(-100.0).unwrap(), "▼ 100% (better)");
    }

    #[test]
    fn nan_change_shows_value_only() {
        assert_eq!(
            cycle_time(f64::NAN).to_mrkdwn(2000),
            "*Median cycle time*\n`3h 20m`"
        );
    }

    #[test]
    fn no_value_says_not_enough_data() {
        let card =
            StatCard::new("Median cycle time").with_change(Change::new(-12.0, BetterWhen::Lower));
        assert_eq!(
            card.to_mrkdwn(2000),
            "*Median cycle time*\n_not enough data yet_"
        );
        let blank = StatCard::new("X").with_value("  \n ");
        assert_eq!(blank.to_mrkdwn(2000), "*X*\n_not enough data yet_");
    }

    #[test]
    fn user_text_is_escaped_and_kept_on_one_line() {
        let card = StatCard::new("R&D\n*team*")
            .with_value("<3 `days`")
            .with_hint("a <b>\nc");
        assert_eq!(
            card.to_mrkdwn(2000),
            "*R&amp;D ∗team∗*\n`&lt;3 'days'`\na &lt;b&gt; c"
        );
    }

    #[test]
    fn empty_label_is_omitted() {
        assert_eq!(StatCard::new("").with_value("1").to_mrkdwn(100), "`1`");
    }

    #[test]
    fn hint_goes_to_context_on_its_own() {
        let blocks = cycle_time(-12.0).with_hint("from 42 PRs").blocks();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1], Block::context("from 42 PRs"));
        assert_eq!(cycle_time(-12.0).blocks().len(), 1);
        assert_eq!(cycle_time(-12.0).with_hint(" ").blocks().len(), 1);
    }

    #[test]
    fn long_text_stays_within_budget() {
        let long = "é&".repeat(5000);
        let card = StatCard::new(long.clone())
            .with_value(long.clone())
            .with_change(Change::new(5.0, BetterWhen::Higher).compared_to(long.clone()))
            .with_hint(long);
        let text = card.to_mrkdwn(SECTION_FIELD_TEXT_MAX);
        assert!(char_count(&text) <= SECTION_FIELD_TEXT_MAX);
        assert!(text.starts_with("*é&amp;"));
        assert!(char_count(&card.to_mrkdwn(10)) <= 10);
    }

    #[test]
    fn cards_split_into_sections_of_ten_fields() {
        let cards: Vec<StatCard> = (0..23).map(|i| StatCard::new(format!("m{i}"))).collect();
        let blocks = stat_cards(&cards);
        let counts: Vec<usize> = blocks
            .iter()
            .map(|b| match b {
                Block::Section(s) => s.fields.len(),
                _ => panic!("not a section"),
            })
            .collect();
        assert_eq!(counts, [10, 10, 3]);
        assert!(stat_cards(&[]).is_empty());
    }
}
