//! Dashboards: the `/metrics` answers and the App Home dashboard, from one
//! view model (docs/surfaces.md "`/metrics` overview").
//!
//! Answer first: a header, a context line, the headline in words, stat
//! cards, charts, small tables, the definition, then the controls (range
//! picker, team picker, "Share in channel"). Names in tables are plain
//! text and escaped here; the headline, notes and context are mrkdwn the
//! caller has already escaped.

use crate::ids::action;
use crate::kit::{
    ActionElement, Actions, Block, Button, Image, Mrkdwn, OptionObject, Section, StaticSelect, Text,
};
use crate::limits::{SECTION_FIELD_TEXT_MAX, escape_and_truncate, truncate_mrkdwn};
use crate::stat_card::{StatCard, stat_cards};
use crate::surface::Surface;

/// Rows shown per table before "…and N more".
pub const TABLE_ROWS_MAX: usize = 15;

/// A small two-column table ("who / how many"), drawn as section fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Bold line above the rows (plain text).
    pub title: String,
    /// Column headings (plain text), shown in the first row.
    pub columns: (String, String),
    /// `(name, value)` rows in display order (plain text).
    pub rows: Vec<(String, String)>,
}

/// What an empty dashboard says and offers instead of numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Empty {
    /// What will appear, when, and what to do (mrkdwn, escaped by the caller).
    pub text: String,
    /// The next step, if there is one.
    pub button: Option<Button>,
}

/// A dashboard's content.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dashboard {
    /// Header ("Engineering overview · last 30 days"), plain text.
    pub title: String,
    /// The line under the header (mrkdwn).
    pub context: String,
    /// The answer in one or two sentences (mrkdwn).
    pub headline: String,
    /// Stat cards, two per row.
    pub cards: Vec<StatCard>,
    /// Chart images, each with its title and alt text.
    pub charts: Vec<Image>,
    /// Extra sections (mrkdwn), e.g. review load or Jira velocity.
    pub notes: Vec<String>,
    /// Tables, e.g. per-person rows for leads.
    pub tables: Vec<Table>,
    /// The definition line at the end (mrkdwn).
    pub definition: String,
    /// The chosen range's value (`7d`, `30d`, `90d` or `A..B`).
    pub range: String,
    /// `(label, value)` of the teams the viewer may pick, with "All teams"
    /// first; empty for no team picker.
    pub teams: Vec<(String, String)>,
    /// The chosen team's value.
    pub team: String,
    /// Value of the "Share in channel" button; `None` for no button.
    pub share: Option<String>,
    /// Shown instead of cards and charts when there is nothing to show.
    pub empty: Option<Empty>,
}

/// The range picker's standard choices.
pub const RANGES: [(&str, &str); 3] = [
    ("Last 7 days", "7d"),
    ("Last 30 days", "30d"),
    ("Last 90 days", "90d"),
];

fn range_picker(selected: &str) -> StaticSelect {
    let mut options: Vec<OptionObject> = RANGES
        .iter()
        .map(|(label, value)| OptionObject::new(label, *value))
        .collect();
    if !selected.is_empty() && !RANGES.iter().any(|(_, v)| *v == selected) {
        options.push(OptionObject::new(&selected.replace("..", " – "), selected));
    }
    StaticSelect::new(action::METRICS_RANGE, "Range", options, selected)
}

fn table_blocks(table: &Table) -> Vec<Block> {
    let mut out = Vec::new();
    let shown = table.rows.len().min(TABLE_ROWS_MAX);
    let mut fields: Vec<String> = vec![
        format!("*{}*", escape_and_truncate(&table.columns.0, 200)),
        format!("*{}*", escape_and_truncate(&table.columns.1, 200)),
    ];
    for (name, value) in table.rows.iter().take(shown) {
        fields.push(escape_and_truncate(name, 300));
        fields.push(escape_and_truncate(value, 300));
    }
    let title = format!("*{}*", escape_and_truncate(&table.title, 500));
    for (i, chunk) in fields.chunks(10).enumerate() {
        out.push(Block::Section(Section {
            text: (i == 0).then(|| Text::Mrkdwn(Mrkdwn::new(title.clone()))),
            fields: chunk
                .iter()
                .map(|f| Text::Mrkdwn(Mrkdwn::new(truncate_mrkdwn(f, SECTION_FIELD_TEXT_MAX))))
                .collect(),
            ..Section::default()
        }));
    }
    let hidden = table.rows.len() - shown;
    if hidden > 0 {
        out.push(Block::context(&format!("…and {hidden} more")));
    }
    out
}

/// The dashboard's blocks; `share` adds the "Share in channel" button.
pub fn dashboard_blocks(d: &Dashboard) -> Vec<Block> {
    let mut out = vec![Block::header(&d.title)];
    if !d.context.is_empty() {
        out.push(Block::context(&d.context));
    }
    match &d.empty {
        Some(empty) => {
            let block = match &empty.button {
                Some(b) => Block::section_with_button(&empty.text, b.clone()),
                None => Block::section(&empty.text),
            };
            out.push(block);
        }
        None => {
            if !d.headline.is_empty() {
                out.push(Block::section(&d.headline));
            }
            out.extend(stat_cards(&d.cards));
            out.extend(d.charts.iter().cloned().map(Block::image));
            out.extend(d.notes.iter().map(|n| Block::section(n)));
            for t in &d.tables {
                out.extend(table_blocks(t));
            }
        }
    }
    if !d.definition.is_empty() {
        out.push(Block::context(&d.definition));
    }
    let mut controls = vec![ActionElement::Select(range_picker(&d.range))];
    if !d.teams.is_empty() {
        let options = d
            .teams
            .iter()
            .map(|(label, value)| OptionObject::new(label, value.clone()))
            .collect();
        controls.push(ActionElement::Select(StaticSelect::new(
            action::METRICS_TEAM,
            "Team",
            options,
            &d.team,
        )));
    }
    if let Some(value) = &d.share {
        controls.push(ActionElement::Button(Button::new(
            action::METRICS_SHARE,
            "Share in channel",
            value.clone(),
        )));
    }
    out.push(Block::Actions(Actions {
        elements: controls,
        block_id: Some("metrics_controls".into()),
    }));
    out
}

/// A `/metrics` answer.
pub fn dashboard_message(d: &Dashboard) -> Surface {
    Surface::message().with_blocks(dashboard_blocks(d))
}

/// The same dashboard as shared in a channel: no controls, no tables (they
/// hold per-person rows, which stay with leads and admins), and a line
/// saying who shared it.
pub fn shared_message(d: &Dashboard, shared_by: &str) -> Surface {
    let public = Dashboard {
        tables: Vec::new(),
        ..d.clone()
    };
    let mut blocks = dashboard_blocks(&public);
    blocks.retain(|b| !matches!(b, Block::Actions(_)));
    blocks.push(Block::context(&format!(
        "Shared by <@{}>",
        escape_and_truncate(shared_by, 40)
    )));
    Surface::message().with_blocks(blocks)
}

/// App Home: the dashboard, with `before` (e.g. a notice) above and
/// `after` (e.g. the admin's setup checklist) below.
pub fn dashboard_home(before: Vec<Block>, d: &Dashboard, after: Vec<Block>) -> Surface {
    let mut s = Surface::home().with_blocks(before);
    s.extend(dashboard_blocks(d));
    if !after.is_empty() {
        s.push(Block::divider());
        s.extend(after);
    }
    s
}

/// A duration as people read it (docs/metrics.md): `45m`, `3h 20m`, `2.4d`.
/// Negative or non-finite values (never produced by the metrics) read `—`.
pub fn format_duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "—".into();
    }
    let minutes = (secs / 60.0).round() as i64;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    if minutes < 24 * 60 {
        let (h, m) = (minutes / 60, minutes % 60);
        return if m == 0 {
            format!("{h}h")
        } else {
            format!("{h}h {m}m")
        };
    }
    let days = secs / 86_400.0;
    if days < 10.0 {
        format!("{days:.1}d")
    } else {
        format!("{:.0}d", days.round())
    }
}

/// A count with thousands separators: `2,610`.
pub fn format_count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_minutes_hours_or_days() {
        assert_eq!(format_duration(0.0), "0m");
        assert_eq!(format_duration(45.0 * 60.0), "45m");
        assert_eq!(format_duration(3.0 * 3600.0 + 20.0 * 60.0), "3h 20m");
        assert_eq!(format_duration(5.0 * 3600.0), "5h");
        assert_eq!(format_duration(2.4 * 86_400.0), "2.4d");
        assert_eq!(format_duration(12.6 * 86_400.0), "13d");
        assert_eq!(format_duration(f64::NAN), "—");
        assert_eq!(format_duration(-1.0), "—");
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(2610), "2,610");
        assert_eq!(format_count(-1_234_567), "-1,234,567");
        assert_eq!(format_count(i64::MIN), "-9,223,372,036,854,775,808");
    }
}
