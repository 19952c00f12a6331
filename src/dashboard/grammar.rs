//! The `/metrics` grammar of docs/product.md, parsed once into a typed query:
//! `/metrics [me | team <name> | repo <name> | ai | jira | copilot | feedback |
//! leaderboard [optout|optin] | help] [7d | 30d | 90d | YYYY-MM-DD..YYYY-MM-DD]`.

use chrono::NaiveDate;

/// The period a view covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// The last N days up to now (7, 30 or 90).
    LastDays(u32),
    /// Inclusive calendar dates.
    Between(NaiveDate, NaiveDate),
}

impl Default for Range {
    fn default() -> Self {
        Range::LastDays(30)
    }
}

impl Range {
    /// How people read it: "last 30 days", "2026-01-01 – 2026-03-31".
    pub fn describe(&self) -> String {
        match self {
            Range::LastDays(n) => format!("last {n} days"),
            Range::Between(a, b) => format!("{a} – {b}"),
        }
    }
}

/// What was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// `/metrics`: the org overview.
    Overview,
    /// `/metrics me`.
    Me,
    /// `/metrics team <name>`.
    Team(String),
    /// `/metrics repo <name>`.
    Repo(String),
    /// `/metrics ai`, `ai me`, `ai team <name>`.
    Ai(AiOf),
    /// `/metrics jira`.
    Jira,
    /// `/metrics copilot`.
    Copilot,
    /// `/metrics feedback`: AI issue reports and their patterns.
    Feedback,
    /// `/metrics leaderboard`.
    Leaderboard,
    /// `/metrics leaderboard optout|optin`.
    LeaderboardOptOut(bool),
    /// `/metrics help`.
    Help,
}

/// A parsed `/metrics` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The view.
    pub view: View,
    /// The period.
    pub range: Range,
}

/// Whose PRs `/metrics ai` compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AiOf {
    /// The whole org.
    Org,
    /// The asker's own PRs.
    Me,
    /// A team's PRs, by name.
    Team(String),
}

/// Why input did not parse; shown above the help text, never as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrammarError {
    /// The first word is not a command.
    #[error("I don't know `{}`.", shown(.0))]
    UnknownCommand(String),
    /// `team` or `repo` without a name.
    #[error("`{0}` needs a name, e.g. `/metrics {0} platform`.")]
    MissingName(&'static str),
    /// A range that is not 7d/30d/90d or valid dates.
    #[error("`{}` is not a range: use `7d`, `30d`, `90d` or `2026-01-01..2026-03-31`.", shown(.0))]
    BadRange(String),
    /// `A..B` with A after B.
    #[error("`{0}..{1}` starts after it ends — try `{1}..{0}`.")]
    Backwards(NaiveDate, NaiveDate),
    /// Words left over.
    #[error("I didn't understand `{}`.", shown(.0))]
    Extra(String),
}

/// What the person typed, as it is shown back inside a code span: escaped
/// for mrkdwn (`<!channel>` must not notify anyone, `<http://x|y>` must
/// not become a link) and with backticks made inert so the span cannot be
/// closed early.
pub fn shown(typed: &str) -> String {
    blocks::limits::escape_mrkdwn(typed).into_owned()
}

fn parse_range(word: &str) -> Option<Result<Range, GrammarError>> {
    let bad = || GrammarError::BadRange(word.to_string());
    if let Some((a, b)) = word.split_once("..") {
        let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        return Some(match (parse(a), parse(b)) {
            (Some(a), Some(b)) if a <= b => Ok(Range::Between(a, b)),
            (Some(a), Some(b)) => Err(GrammarError::Backwards(a, b)),
            _ => Err(bad()),
        });
    }
    let days = word.strip_suffix('d')?.parse::<u32>().ok()?;
    Some(match days {
        7 | 30 | 90 => Ok(Range::LastDays(days)),
        _ => Err(bad()),
    })
}

/// Parses the text after `/metrics`. Names keep their case; keywords do not.
pub fn parse(text: &str) -> Result<Query, GrammarError> {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let mut range = Range::default();
    if let Some(last) = words.last()
        && let Some(parsed) = parse_range(last)
    {
        range = parsed?;
        words.pop();
    }
    let mut rest = words.into_iter();
    let keyword = rest.next().map(str::to_lowercase);
    let view = match keyword.as_deref() {
        None | Some("overview") => View::Overview,
        Some("me") => View::Me,
        Some("ai") => match rest.next().map(str::to_lowercase).as_deref() {
            None => View::Ai(AiOf::Org),
            Some("me") => View::Ai(AiOf::Me),
            Some("team") => {
                let name: Vec<&str> = rest.by_ref().collect();
                if name.is_empty() {
                    return Err(GrammarError::MissingName("team"));
                }
                View::Ai(AiOf::Team(name.join(" ")))
            }
            Some(other) => return Err(GrammarError::Extra(other.to_string())),
        },
        Some("jira") => View::Jira,
        Some("copilot") => View::Copilot,
        Some("feedback") => View::Feedback,
        Some("help") | Some("?") => View::Help,
        Some(kw @ ("team" | "repo")) => {
            let name: Vec<&str> = rest.by_ref().collect();
            if name.is_empty() {
                return Err(GrammarError::MissingName(if kw == "team" {
                    "team"
                } else {
                    "repo"
                }));
            }
            let name = name.join(" ");
            if kw == "team" {
                View::Team(name)
            } else {
                View::Repo(name)
            }
        }
        Some("leaderboard") => match rest.next().map(str::to_lowercase).as_deref() {
            None => View::Leaderboard,
            Some("optout") => View::LeaderboardOptOut(true),
            Some("optin") => View::LeaderboardOptOut(false),
            Some(other) => return Err(GrammarError::Extra(other.to_string())),
        },
        Some(_) => {
            let first = text.split_whitespace().next().unwrap_or_default();
            return Err(GrammarError::UnknownCommand(first.to_string()));
        }
    };
    let extra: Vec<&str> = rest.collect();
    if !extra.is_empty() {
        return Err(GrammarError::Extra(extra.join(" ")));
    }
    Ok(Query { view, range })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(view: View, range: Range) -> Result<Query, GrammarError> {
        Ok(Query { view, range })
    }

    #[test]
    fn typed_text_is_echoed_inert() {
        for typed in [
            "<!channel>",
            "<!here>",
            "<@U123>",
            "<http://x|y>",
            "a&b",
            "`x`",
            "*b* _i_ ~s~",
        ] {
            let said = GrammarError::UnknownCommand(typed.to_string()).to_string();
            assert!(
                !said.contains('<') && !said.contains('>'),
                "{typed}: {said}"
            );
            assert_eq!(said.matches('`').count(), 2, "one code span: {said}");
        }
        assert_eq!(
            parse("<!channel>").unwrap_err().to_string(),
            "I don't know `&lt;!channel&gt;`."
        );
        assert!(
            parse("me <!here>")
                .unwrap_err()
                .to_string()
                .contains("&lt;!here&gt;")
        );
    }

    #[test]
    fn every_form_of_product_md_parses() {
        let d = Range::default();
        assert_eq!(parse(""), q(View::Overview, d));
        assert_eq!(parse("  "), q(View::Overview, d));
        assert_eq!(parse("me"), q(View::Me, d));
        assert_eq!(parse("ME 7d"), q(View::Me, Range::LastDays(7)));
        assert_eq!(
            parse("team Platform Core 90d"),
            q(View::Team("Platform Core".into()), Range::LastDays(90))
        );
        assert_eq!(parse("repo acme/api"), q(View::Repo("acme/api".into()), d));
        assert_eq!(parse("ai"), q(View::Ai(AiOf::Org), d));
        assert_eq!(parse("ai me 7d"), q(View::Ai(AiOf::Me), Range::LastDays(7)));
        assert_eq!(
            parse("ai team Platform Core"),
            q(View::Ai(AiOf::Team("Platform Core".into())), d)
        );
        assert_eq!(parse("ai team"), Err(GrammarError::MissingName("team")));
        assert!(matches!(parse("ai wat"), Err(GrammarError::Extra(_))));
        assert_eq!(parse("jira 30d"), q(View::Jira, Range::LastDays(30)));
        assert_eq!(parse("copilot"), q(View::Copilot, d));
        assert_eq!(parse("feedback"), q(View::Feedback, d));
        assert_eq!(parse("leaderboard"), q(View::Leaderboard, d));
        assert_eq!(
            parse("leaderboard optout"),
            q(View::LeaderboardOptOut(true), d)
        );
        assert_eq!(
            parse("leaderboard optin"),
            q(View::LeaderboardOptOut(false), d)
        );
        assert_eq!(parse("help"), q(View::Help, d));
        let a = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let b = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(
            parse("2026-01-01..2026-03-31"),
            q(View::Overview, Range::Between(a, b))
        );
    }

    #[test]
    fn bad_input_is_explained_not_rejected() {
        assert_eq!(
            parse("velocity"),
            Err(GrammarError::UnknownCommand("velocity".into()))
        );
        assert_eq!(parse("team"), Err(GrammarError::MissingName("team")));
        assert_eq!(parse("repo 30d"), Err(GrammarError::MissingName("repo")));
        assert_eq!(parse("me 14d"), Err(GrammarError::BadRange("14d".into())));
        assert_eq!(
            parse("2026-03-31..2026-01-01"),
            Err(GrammarError::Backwards(
                NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
            ))
        );
        assert_eq!(
            parse("me please"),
            Err(GrammarError::Extra("please".into()))
        );
        assert_eq!(
            parse("leaderboard maybe"),
            Err(GrammarError::Extra("maybe".into()))
        );
    }
}
