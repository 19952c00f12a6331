//! The weekly leaderboard: the channel post (and the same board as an
//! ephemeral `/metrics leaderboard` answer), the admin's settings modal, the
//! App Home line with the ranking opt-out, and small confirmations.
//!
//! The app ranks and formats; this module only lays the board out. Every
//! category says its rule in a context line, and one with nobody qualified
//! says so instead of disappearing.

use crate::ids::{action, callback, input};
use crate::kit::{
    Checkboxes, ConversationsSelect, ExternalSelect, Image, InputElement, OptionObject, PlainText,
    SingleSelect, Timepicker,
};
use crate::limits::{escape_and_truncate, escape_mrkdwn};
use crate::{Block, Button, Surface};

/// Names are cut to this many characters on the board.
const NAME_MAX: usize = 60;

/// One ranked line: `🥇 *Rita* — 9 of 10 right (90%)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based; people tied on the value share a rank.
    pub rank: usize,
    /// The person's or team's name (escaped here).
    pub name: String,
    /// The value, formatted (mrkdwn allowed; the app escapes what it inserts).
    pub value: String,
}

/// One category of the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Emoji shortcode shown before the title, e.g. `:male-detective:`.
    pub emoji: String,
    /// Title, e.g. "Top AI detectives".
    pub title: String,
    /// The rule in one sentence, shown in a context line.
    pub rule: String,
    /// The ranked lines, best first.
    pub lines: Vec<Line>,
    /// What to say when nobody qualified.
    pub empty: String,
}

/// The whole board.
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    /// Header text, e.g. "Weekly leaderboard".
    pub title: String,
    /// The period in words, e.g. "Mon Nov 16 10:00 – Mon Nov 23 10:00 (Europe/Berlin)".
    pub period: String,
    /// Categories in the order the admin's settings list them.
    pub categories: Vec<Category>,
    /// The chart of the week, when delivered.
    pub chart: Option<Image>,
    /// Context lines at the end (opt-out hint, next post).
    pub footer: Vec<String>,
}

fn medal(rank: usize) -> String {
    match rank {
        1 => ":first_place_medal:".into(),
        2 => ":second_place_medal:".into(),
        3 => ":third_place_medal:".into(),
        n => format!("{n}."),
    }
}

/// The board's blocks: header, period, one section and rule per category,
/// the chart, the footer.
pub fn board_blocks(board: &Board) -> Vec<Block> {
    let mut out = vec![
        Block::header(&format!(":trophy: {}", board.title)),
        Block::context(&escape_mrkdwn(&board.period)),
    ];
    for c in &board.categories {
        out.push(Block::divider());
        let body = if c.lines.is_empty() {
            format!("_{}_", escape_mrkdwn(&c.empty))
        } else {
            c.lines
                .iter()
                .map(|l| {
                    format!(
                        "{} *{}* — {}",
                        medal(l.rank),
                        escape_and_truncate(&l.name, NAME_MAX),
                        l.value
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        out.push(Block::section(&format!(
            "{} *{}*\n{body}",
            c.emoji,
            escape_mrkdwn(&c.title)
        )));
        out.push(Block::context(&escape_mrkdwn(&c.rule)));
    }
    if let Some(chart) = &board.chart {
        out.push(Block::divider());
        out.push(Block::image(chart.clone()));
    }
    for f in &board.footer {
        out.push(Block::context(f));
    }
    out
}

/// The board as a message (the channel post, or an ephemeral answer).
pub fn board_message(board: &Board) -> Surface {
    Surface::message().with_blocks(board_blocks(board))
}

/// The plain-text fallback for notifications.
pub fn fallback(board: &Board) -> String {
    format!("{} · {}", board.title, board.period)
}

/// What the settings modal shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsModel {
    /// Posting is on.
    pub enabled: bool,
    /// The channel (`C…`), when chosen.
    pub channel: Option<String>,
    /// ISO weekday, 1 Monday … 7 Sunday.
    pub day: u32,
    /// Local time, `HH:MM`.
    pub time: String,
    /// IANA time zone name.
    pub zone: String,
    /// How the zone reads in the select, e.g. "Europe/Berlin (UTC+01:00)".
    pub zone_label: String,
    /// Every category: `(key, label, shown)`.
    pub categories: Vec<(String, String, bool)>,
    /// Why posting stopped, when it did.
    pub problem: Option<String>,
    /// When the next post goes out, in words, when it is on.
    pub next_post: Option<String>,
}

/// Weekday names, Monday first (values `1`–`7`).
pub const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The admin's leaderboard settings modal.
pub fn settings_modal(model: &SettingsModel) -> Surface {
    let mut s = Surface::modal("Leaderboard settings")
        .with_submit("Save")
        .with_close("Cancel");
    if let Some(problem) = &model.problem {
        s.push(Block::section(&format!(
            ":warning: {}",
            escape_mrkdwn(problem)
        )));
    }
    s.push(Block::section(
        "Once a week aimpact posts the leaderboard to a channel: top AI detectives, \
         most reviews, fastest pickup, most improved cycle time and team AI adoption.",
    ));
    s.push(crate::survey::on_off(
        input::LEADERBOARD_ENABLED,
        input::LEADERBOARD_ENABLED_VALUE,
        "Weekly post",
        "On",
        "Off",
        model.enabled,
    ));
    s.push(Block::input(
        input::LEADERBOARD_CHANNEL,
        "Channel",
        InputElement::Conversations(ConversationsSelect {
            action_id: input::LEADERBOARD_CHANNEL_VALUE.to_string(),
            placeholder: Some(PlainText::new("Pick a channel")),
            initial_conversation: model.channel.clone(),
            filter: Some(serde_json::json!({
                "include": ["public", "private"],
                "exclude_bot_users": true,
                "exclude_external_shared_channels": true
            })),
        }),
        false,
    ));
    let days: Vec<OptionObject> = DAYS
        .iter()
        .enumerate()
        .map(|(i, d)| OptionObject::new(d, (i + 1).to_string()))
        .collect();
    let day_index = (model.day.clamp(1, 7) - 1) as usize;
    s.push(Block::input(
        input::LEADERBOARD_DAY,
        "Day",
        InputElement::Single(SingleSelect {
            action_id: input::LEADERBOARD_DAY_VALUE.to_string(),
            placeholder: None,
            initial_option: days.get(day_index).cloned(),
            options: days,
        }),
        false,
    ));
    s.push(Block::input(
        input::LEADERBOARD_TIME,
        "Time",
        InputElement::Time(Timepicker {
            action_id: input::LEADERBOARD_TIME_VALUE.to_string(),
            initial_time: Some(model.time.clone()),
        }),
        false,
    ));
    s.push(Block::input(
        input::LEADERBOARD_ZONE,
        "Time zone",
        InputElement::External(ExternalSelect {
            action_id: input::LEADERBOARD_ZONE_VALUE.to_string(),
            placeholder: Some(PlainText::new("Type a city, e.g. Berlin")),
            min_query_length: Some(2),
            initial_option: Some(OptionObject::new(&model.zone_label, model.zone.clone())),
        }),
        false,
    ));
    let options: Vec<OptionObject> = model
        .categories
        .iter()
        .map(|(key, label, _)| OptionObject::new(label, key.clone()))
        .collect();
    let initial: Vec<OptionObject> = model
        .categories
        .iter()
        .zip(&options)
        .filter(|((_, _, shown), _)| *shown)
        .map(|(_, o)| o.clone())
        .collect();
    s.push(Block::input(
        input::LEADERBOARD_CATEGORIES,
        "Categories",
        InputElement::Checkboxes(Checkboxes {
            action_id: input::LEADERBOARD_CATEGORIES_VALUE.to_string(),
            options,
            initial_options: initial,
        }),
        false,
    ));
    let mut note = "Public channels: aimpact joins by itself. Private channels: type \
                    `/invite @aimpact` in the channel first. Anyone can leave the rankings \
                    with `/metrics leaderboard optout`; they still count in team totals."
        .to_string();
    if let Some(next) = &model.next_post {
        note.push_str(&format!(" Next post: {}.", escape_mrkdwn(next)));
    }
    s.push(Block::context(&note));
    match s.clone().with_callback_id(callback::LEADERBOARD_SETTINGS) {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// Shown after saving with a private channel the app cannot join itself.
pub fn private_channel_saved(channel: &str) -> Surface {
    let s = Surface::modal("Leaderboard saved")
        .with_close("Done")
        .with_block(Block::section(&format!(
            ":lock: <#{channel}> is a private channel, so aimpact can't join it by itself. \
             Type `/invite @aimpact` in that channel before the first post. If the post \
             can't go out, the leaderboard pauses and the aimpact Home tab says why."
        )));
    match s.clone().with_callback_id(callback::LEADERBOARD_SAVED) {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// The App Home line about the viewer's place in the rankings; `status`
/// says when it is posted ("posted Mondays at 10:00 (UTC) in #wins",
/// "paused"), `None` when it is not set up.
pub fn home_section(opted_out: bool, status: Option<&str>) -> Vec<Block> {
    let when = match status {
        Some(s) => escape_mrkdwn(s).into_owned(),
        None => "not posted to a channel yet".to_string(),
    };
    vec![if opted_out {
        Block::section_with_button(
            &format!(
                "*:trophy: Leaderboard* — {when}. You're not named on it; your work still \
                 counts in team totals."
            ),
            Button::new(action::LEADERBOARD_OPT_IN, "Rank me again", "home"),
        )
    } else {
        Block::section_with_button(
            &format!("*:trophy: Leaderboard* — {when}. You may be named in its top lists."),
            Button::new(action::LEADERBOARD_OPT_OUT, "Don't rank me", "home"),
        )
    }]
}

/// The answer to `/metrics leaderboard optout|optin`.
pub fn opt_out_done(opted_out: bool) -> Surface {
    let text = if opted_out {
        ":white_check_mark: Done — you won't be named on the leaderboard. Your work still \
         counts in team totals. `/metrics leaderboard optin` undoes this."
    } else {
        ":white_check_mark: Done — you may be named on the leaderboard again. \
         `/metrics leaderboard optout` leaves it."
    };
    Surface::message().with_block(Block::section(text))
}

/// The answer to the opt-out when the Slack account is not matched to a
/// person: nothing of theirs is ranked.
pub fn not_matched() -> Surface {
    Surface::message().with_block(Block::section(
        "You aren't on the leaderboard: your Slack account isn't matched to a GitHub \
         account yet, so nothing of yours is ranked. An admin can match people from the \
         aimpact Home tab.",
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn board() -> Board {
        Board {
            title: "Weekly leaderboard".into(),
            period: "Mon Nov 16 10:00 – Mon Nov 23 10:00 (Europe/Berlin)".into(),
            categories: vec![
                Category {
                    emoji: ":male-detective:".into(),
                    title: "Top AI detectives".into(),
                    rule: "Share of right guesses; at least 3 guesses revealed this week.".into(),
                    lines: vec![
                        Line {
                            rank: 1,
                            name: "Rita <script>".into(),
                            value: "9 of 10 right (90%)".into(),
                        },
                        Line {
                            rank: 1,
                            name: "Rob".into(),
                            value: "9 of 10 right (90%)".into(),
                        },
                        Line {
                            rank: 3,
                            name: "Ann".into(),
                            value: "2 of 3 right (67%)".into(),
                        },
                        Line {
                            rank: 4,
                            name: "Zed".into(),
                            value: "1 of 3 right (33%)".into(),
                        },
                    ],
                    empty: "Nobody made 3 guesses this week.".into(),
                },
                Category {
                    emoji: ":eyes:".into(),
                    title: "Most reviews".into(),
                    rule: "Reviews submitted this week.".into(),
                    lines: Vec::new(),
                    empty: "No reviews this week.".into(),
                },
            ],
            chart: Some(Image::from_url("https://x.example/c.png", "chart")),
            footer: vec!["Opt out with `/metrics leaderboard optout`.".into()],
        }
    }

    #[test]
    fn the_board_ranks_with_medals_escapes_names_and_keeps_empty_categories() {
        let s = board_message(&board());
        crate::validate(&s.blocks(), crate::SurfaceKind::Message).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(":first_place_medal: *Rita &lt;script&gt;*"));
        assert!(
            json.contains(":first_place_medal: *Rob*"),
            "ties share a rank"
        );
        assert!(json.contains(":third_place_medal: *Ann*"));
        assert!(json.contains("4. *Zed*"));
        assert!(json.contains("_No reviews this week._"));
        assert!(json.contains("at least 3 guesses revealed"));
        assert!(json.contains("\"image\""));
    }

    #[test]
    fn the_settings_modal_prefills_every_field_and_validates() {
        let model = SettingsModel {
            enabled: true,
            channel: Some("C123".into()),
            day: 5,
            time: "16:30".into(),
            zone: "America/New_York".into(),
            zone_label: "America/New_York (UTC−05:00)".into(),
            categories: vec![
                ("detectives".into(), "Top AI detectives".into(), true),
                ("reviews".into(), "Most reviews".into(), false),
            ],
            problem: Some("aimpact was removed from #wins.".into()),
            next_post: Some("Friday Nov 27 16:30".into()),
        };
        let s = settings_modal(&model);
        crate::validate(&s.blocks(), crate::SurfaceKind::Modal).unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["callback_id"], "leaderboard_settings");
        let text = v.to_string();
        assert!(text.contains("\"initial_conversation\":\"C123\""));
        assert!(text.contains("\"initial_time\":\"16:30\""));
        assert!(text.contains("Friday"));
        assert!(text.contains(":warning: aimpact was removed"));
        let boxes = v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["block_id"] == input::LEADERBOARD_CATEGORIES)
            .unwrap();
        assert_eq!(
            boxes["element"]["initial_options"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn home_offers_the_opposite_of_the_current_choice() {
        let out =
            serde_json::to_string(&home_section(false, Some("posted Mondays 10:00"))).unwrap();
        assert!(out.contains("posted Mondays 10:00"));
        assert!(out.contains(action::LEADERBOARD_OPT_OUT));
        let back = serde_json::to_string(&home_section(true, None)).unwrap();
        assert!(back.contains(action::LEADERBOARD_OPT_IN));
        assert!(back.contains("not posted to a channel yet"));
    }
}
