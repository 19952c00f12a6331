//! Survey DMs (docs/surfaces.md "Author survey DM", "Reviewer survey DM"): one
//! click answers, the message updates in place to what was recorded; the
//! AI Detective reveal; reminders and closed states; the admin's survey
//! settings and people-mapping modals; the App Home survey section.
//!
//! Every button value starts with the record id (`"8412:some"`), so a click
//! is self-contained; the server still checks the clicker owns the record.

use crate::ids::{action, callback, input};
use crate::kit::{
    ActionElement, Actions, InputElement, MultiStaticSelect, OptionObject, PlainText, RadioButtons,
    SingleSelect, StaticSelect, UsersSelect,
};
use crate::limits::escape_and_truncate;
use crate::{Block, Button, Surface};

/// The tools the author may name (stored by label).
pub const TOOLS: [&str; 6] = [
    "Copilot",
    "Claude Code",
    "Cursor",
    "Codex",
    "ChatGPT",
    "Other",
];

/// The author's answer to "Did AI help with this PR?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiChoice {
    /// No AI.
    None,
    /// Some parts.
    Some,
    /// Mostly AI.
    Most,
}

impl AiChoice {
    /// Every choice, in button order.
    pub const ALL: [AiChoice; 3] = [AiChoice::None, AiChoice::Some, AiChoice::Most];

    /// The button label.
    pub fn label(self) -> &'static str {
        match self {
            AiChoice::None => "No AI",
            AiChoice::Some => "Some parts",
            AiChoice::Most => "Mostly AI",
        }
    }

    /// The value suffix and stored spelling.
    pub fn value(self) -> &'static str {
        match self {
            AiChoice::None => "none",
            AiChoice::Some => "some",
            AiChoice::Most => "most",
        }
    }

    /// The button's action id.
    pub fn action_id(self) -> &'static str {
        match self {
            AiChoice::None => action::SURVEY_AUTHOR_NONE,
            AiChoice::Some => action::SURVEY_AUTHOR_SOME,
            AiChoice::Most => action::SURVEY_AUTHOR_MOST,
        }
    }

    /// Reads a value suffix.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.value() == s)
    }

    /// AI-assisted (docs/metrics.md): some or most.
    pub fn is_ai(self) -> bool {
        !matches!(self, AiChoice::None)
    }
}

/// The PR a survey is about, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrLine {
    /// PR number.
    pub number: i64,
    /// Title (escaped here).
    pub title: String,
    /// Repository name (escaped here).
    pub repo: String,
    /// Link to the PR.
    pub url: String,
    /// Lines changed.
    pub size: i64,
    /// Cycle time in words ("1.9 days"), when known.
    pub cycle: Option<String>,
    /// The author's name (escaped here).
    pub author: String,
}

impl PrLine {
    fn link(&self) -> String {
        format!(
            "<{}|#{} {}>",
            self.url,
            self.number,
            escape_and_truncate(&self.title, 150)
        )
    }

    fn facts(&self) -> String {
        let size = format!(
            "{} line{} changed",
            crate::dashboard::format_count(self.size),
            if self.size == 1 { "" } else { "s" }
        );
        match &self.cycle {
            Some(c) => format!("{size} · {c} from first commit to merge"),
            None => size,
        }
    }
}

/// Where an author's survey stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorState {
    /// Waiting for the one click; `closes` says until when ("Fri 4 Dec").
    Asking {
        /// Closing date in words.
        closes: String,
    },
    /// Answered.
    Answered {
        /// The answer.
        answer: AiChoice,
        /// Tools named so far.
        tools: Vec<String>,
        /// Tools may still be added until then (None: closed).
        closes: Option<String>,
    },
    /// Closed unanswered.
    Closed,
    /// The person opted out from this message.
    OptedOut,
}

fn opt_out_row(kind: &str, id: i64) -> Block {
    Block::buttons(
        Some(format!("survey_optout:{kind}:{id}")),
        vec![Button::new(
            action::SURVEY_OPT_OUT,
            "Stop survey DMs",
            format!("{kind}:{id}"),
        )],
    )
}

fn opted_out_note() -> Block {
    Block::section(
        ":no_bell: You won't get survey DMs any more, and nothing you answered is lost. \
         Turn them back on from the aimpact *Home* tab any time.",
    )
}

/// The three answer buttons of an author survey.
pub fn author_buttons(id: i64) -> Block {
    Block::buttons(
        Some(format!("survey_author:{id}")),
        AiChoice::ALL
            .into_iter()
            .map(|c| Button::new(c.action_id(), c.label(), format!("{id}:{}", c.value())))
            .collect(),
    )
}

fn tool_picker(id: i64, tools: &[String]) -> Block {
    let options: Vec<OptionObject> = TOOLS
        .iter()
        .filter(|t| !tools.iter().any(|have| have == *t))
        .map(|t| OptionObject::new(t, format!("{id}:{t}")))
        .collect();
    Block::Actions(Actions {
        elements: vec![ActionElement::Select(StaticSelect::new(
            action::SURVEY_TOOL,
            "Which tools? (optional)",
            options,
            "",
        ))],
        block_id: Some(format!("survey_tools:{id}")),
    })
}

/// The author's DM in any state.
pub fn author_message(id: i64, pr: &PrLine, state: &AuthorState) -> Surface {
    let mut s = Surface::message();
    s.push(Block::section(&format!(
        ":tada: Your PR {} in `{}` was merged — {}.",
        pr.link(),
        escape_and_truncate(&pr.repo, 100),
        pr.facts()
    )));
    match state {
        AuthorState::Asking { closes } => {
            s.push(Block::section("*Did AI help with this PR?*"));
            s.push(author_buttons(id));
            s.push(Block::context(&format!(
                "One click. Your answer only counts in team totals. Open until {closes}."
            )));
            s.push(opt_out_row("author", id));
        }
        AuthorState::Answered {
            answer,
            tools,
            closes,
        } => {
            s.push(Block::section(&format!(
                ":white_check_mark: Thanks — recorded: *{}*",
                answer.label()
            )));
            if answer.is_ai() {
                if !tools.is_empty() {
                    let named: Vec<String> =
                        tools.iter().map(|t| escape_and_truncate(t, 40)).collect();
                    s.push(Block::context(&format!("Tools: {}", named.join(", "))));
                }
                if closes.is_some() && tools.len() < TOOLS.len() {
                    s.push(tool_picker(id, tools));
                }
                s.push(Block::buttons(
                    Some(format!("survey_report:author:{id}")),
                    vec![crate::feedback::report_button(&format!("author:{id}"))],
                ));
            }
            s.push(Block::context(
                "Your answer only counts in team totals. Reviewers learn it in the AI Detective reveal.",
            ));
            if closes.is_some() {
                s.push(opt_out_row("author", id));
            }
        }
        AuthorState::Closed => {
            s.push(Block::context(
                ":lock: This survey closed after 7 days without an answer; answers are no longer taken.",
            ));
        }
        AuthorState::OptedOut => {
            s.push(opted_out_note());
        }
    }
    s
}

/// Where a reviewer's survey stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewState {
    /// Quality given.
    pub rating: Option<i64>,
    /// Guess given: AI-assisted or not.
    pub guess: Option<bool>,
    /// The reveal, once both sides answered.
    pub reveal: Option<Reveal>,
    /// Open until ("Fri 4 Dec"); `None` once closed.
    pub closes: Option<String>,
    /// The person opted out from this message.
    pub opted_out: bool,
}

/// The AI Detective reveal for one guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    /// The author's name (escaped here).
    pub author: String,
    /// What the author said.
    pub answer: AiChoice,
    /// What the reviewer guessed: AI-assisted.
    pub guessed_ai: bool,
    /// Correct guess.
    pub correct: bool,
    /// Correct guesses revealed in the last 30 days (this one included).
    pub correct_30d: i64,
    /// Guesses revealed in the last 30 days.
    pub revealed_30d: i64,
}

impl Reveal {
    fn text(&self) -> String {
        let guess = if self.guessed_ai {
            "AI helped"
        } else {
            "no AI"
        };
        let verdict = if self.correct {
            "correct :dart:"
        } else {
            "not this time"
        };
        format!(
            ":male-detective: *AI Detective reveal* — you guessed *{guess}*: {verdict}. {} said: *{}*.\n{}",
            escape_and_truncate(&self.author, 80),
            self.answer.label().to_lowercase(),
            accuracy_line(self.correct_30d, self.revealed_30d)
        )
    }
}

/// "Your accuracy in the last 30 days: 7 of 9 (78%)".
pub fn accuracy_line(correct: i64, revealed: i64) -> String {
    if revealed <= 0 {
        return "No guesses revealed in the last 30 days yet.".into();
    }
    let pct = (correct as f64 * 100.0 / revealed as f64).round() as i64;
    format!("Your accuracy in the last 30 days: *{correct} of {revealed}* ({pct}%).")
}

fn rating_buttons(id: i64) -> Block {
    let labels = ["1 Poor", "2", "3 OK", "4", "5 Excellent"];
    Block::buttons(
        Some(format!("survey_review_rating:{id}")),
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| Button::new(action::SURVEY_RATING[i], l, format!("{id}:{}", i + 1)))
            .collect(),
    )
}

fn guess_buttons(id: i64) -> Block {
    Block::buttons(
        Some(format!("survey_review_guess:{id}")),
        vec![
            Button::new(
                action::SURVEY_GUESS_YES,
                "Yes, I think so",
                format!("{id}:yes"),
            ),
            Button::new(action::SURVEY_GUESS_NO, "No", format!("{id}:no")),
        ],
    )
}

/// The questions still open in a reviewer survey, as blocks (also used
/// on App Home).
pub fn reviewer_questions(id: i64, rating: Option<i64>, guess: Option<bool>) -> Vec<Block> {
    let mut out = Vec::new();
    match rating {
        None => {
            out.push(Block::section("*How was the quality?*"));
            out.push(rating_buttons(id));
        }
        Some(r) => out.push(Block::section(&format!(
            ":white_check_mark: Quality: *{r}* of 5"
        ))),
    }
    match guess {
        None => {
            out.push(Block::section(
                "*:male-detective: AI Detective — do you think AI helped write it?*",
            ));
            out.push(guess_buttons(id));
        }
        Some(g) => out.push(Block::section(&format!(
            ":white_check_mark: Your guess: *{}*",
            if g { "AI helped" } else { "no AI" }
        ))),
    }
    out
}

/// The reviewer's DM in any state.
pub fn reviewer_message(id: i64, pr: &PrLine, state: &ReviewState) -> Surface {
    let mut s = Surface::message();
    let answered = state.rating.is_some() && state.guess.is_some();
    s.push(Block::section(&format!(
        "You reviewed {} by *{}*.{}",
        pr.link(),
        escape_and_truncate(&pr.author, 80),
        if answered || state.closes.is_none() {
            ""
        } else {
            " Two quick questions:"
        }
    )));
    if state.opted_out {
        s.push(opted_out_note());
        return s;
    }
    match (&state.closes, answered) {
        (None, false) => {
            s.extend(
                [state
                    .rating
                    .map(|r| Block::section(&format!(":white_check_mark: Quality: *{r}* of 5")))]
                .into_iter()
                .flatten(),
            );
            s.push(Block::context(
                ":lock: This survey closed after 7 days; answers are no longer taken.",
            ));
            return s;
        }
        (Some(closes), false) => {
            s.extend(reviewer_questions(id, state.rating, state.guess));
            s.push(Block::context(&format!(
                "You'll see the answer once the author replies. Open until {closes}."
            )));
        }
        (_, true) => {
            s.extend(reviewer_questions(id, state.rating, state.guess));
            match &state.reveal {
                Some(r) => {
                    s.push(Block::section(&r.text()));
                }
                None => {
                    s.push(Block::context(&format!(
                        "Thanks! You'll see the reveal once {} replies.",
                        escape_and_truncate(&pr.author, 80)
                    )));
                }
            }
        }
    }
    if state.closes.is_some() && state.reveal.is_none() {
        s.push(opt_out_row("reviewer", id));
    }
    s
}

/// The reveal, posted in the reviewer's survey thread.
pub fn reveal_message(pr: &PrLine, reveal: &Reveal) -> Surface {
    Surface::message()
        .with_block(Block::section(&reveal.text()))
        .with_block(Block::context(&format!("About {}.", pr.link())))
}

/// The one reminder, posted in the survey's thread.
pub fn reminder_message(pr: &PrLine, closes: &str) -> Surface {
    Surface::message().with_block(Block::section(&format!(
        ":wave: Quick nudge: one click above answers the survey about {}. It stays open until {closes}.",
        pr.link()
    )))
}

/// A short polite answer (ephemeral), e.g. to a click on a closed survey.
pub fn notice(mrkdwn: &str) -> Surface {
    Surface::message().with_block(Block::section(mrkdwn))
}

/// A survey waiting on App Home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeSurvey {
    /// "Did AI help with this PR?"
    Author {
        /// Survey id.
        id: i64,
        /// The PR.
        pr: PrLine,
    },
    /// Rating and guess.
    Reviewer {
        /// Review survey id.
        id: i64,
        /// The PR.
        pr: PrLine,
        /// Given so far.
        rating: Option<i64>,
        /// Given so far.
        guess: Option<bool>,
    },
}

/// Pending surveys shown on App Home at most.
pub const HOME_SURVEYS_MAX: usize = 3;

/// The viewer's survey section on App Home: pending surveys with their
/// answer buttons, their detective record and the opt-out switch.
pub fn home_section(
    pending: &[HomeSurvey],
    correct_30d: i64,
    revealed_30d: i64,
    opted_out: bool,
) -> Vec<Block> {
    let mut out = vec![Block::header("Your surveys")];
    if pending.is_empty() {
        out.push(Block::section(
            "Nothing waiting. When one of your PRs merges, or a PR you reviewed does, you'll get a one-click question here and in a DM.",
        ));
    }
    for p in pending.iter().take(HOME_SURVEYS_MAX) {
        match p {
            HomeSurvey::Author { id, pr } => {
                out.push(Block::section(&format!(
                    "Your PR {} merged. *Did AI help with it?*",
                    pr.link()
                )));
                out.push(author_buttons(*id));
            }
            HomeSurvey::Reviewer {
                id,
                pr,
                rating,
                guess,
            } => {
                out.push(Block::section(&format!(
                    "You reviewed {} by *{}*.",
                    pr.link(),
                    escape_and_truncate(&pr.author, 80)
                )));
                out.extend(reviewer_questions(*id, *rating, *guess));
            }
        }
    }
    if pending.len() > HOME_SURVEYS_MAX {
        out.push(Block::context(&format!(
            "…and {} more in your DMs with aimpact.",
            pending.len() - HOME_SURVEYS_MAX
        )));
    }
    out.push(Block::section(&format!(
        "*:male-detective: AI Detective* — {}",
        accuracy_line(correct_30d, revealed_30d).replace("Your accuracy", "your accuracy")
    )));
    out.push(Block::section_with_button(
        "Did an AI assistant get something wrong? Tell aimpact: recurring problems become \
         suggested rules for your team's agent config files.",
        crate::feedback::report_button("home"),
    ));
    out.push(if opted_out {
        Block::section_with_button(
            "You turned survey DMs off.",
            Button::new(action::SURVEY_OPT_IN, "Send me surveys again", "home"),
        )
    } else {
        Block::section_with_button(
            "Survey DMs come on weekdays between 08:00 and 20:00 your time.",
            Button::new(action::SURVEY_OPT_OUT, "Stop survey DMs", "home"),
        )
    });
    out
}

/// What the survey settings modal shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsModel {
    /// Surveys on.
    pub enabled: bool,
    /// Reminders on.
    pub reminders: bool,
    /// Tracked repositories: `(id, owner/name)`.
    pub repositories: Vec<(i64, String)>,
    /// Chosen ones (none = all).
    pub chosen: Vec<i64>,
    /// People who can be asked (matched to Slack) and all people.
    pub reachable: (usize, usize),
}

pub(crate) fn on_off(
    block: &str,
    action_id: &str,
    label: &str,
    on: &str,
    off: &str,
    is_on: bool,
) -> Block {
    let yes = OptionObject::new(on, input::ON);
    let no = OptionObject::new(off, input::OFF);
    Block::input(
        block,
        label,
        InputElement::Radio(RadioButtons {
            action_id: action_id.to_string(),
            initial_option: Some(if is_on { yes.clone() } else { no.clone() }),
            options: vec![yes, no],
        }),
        false,
    )
}

/// The admin's survey settings modal.
pub fn settings_modal(model: &SettingsModel) -> Surface {
    let mut s = Surface::modal("Survey settings")
        .with_submit("Save")
        .with_close("Cancel");
    s.push(Block::section(&format!(
        "When a PR merges, its author and reviewers get a one-click question in a DM. \
         *{} of {}* people can be reached in Slack now.",
        model.reachable.0, model.reachable.1
    )));
    s.push(on_off(
        input::SURVEYS_ENABLED,
        input::SURVEYS_ENABLED_VALUE,
        "Surveys",
        "On: ask on every merged PR",
        "Off: ask nobody",
        model.enabled,
    ));
    s.push(on_off(
        input::SURVEYS_REMINDERS,
        input::SURVEYS_REMINDERS_VALUE,
        "Reminder",
        "One reminder after 24 hours",
        "No reminders",
        model.reminders,
    ));
    let options: Vec<OptionObject> = model
        .repositories
        .iter()
        .map(|(id, name)| OptionObject::new(name, id.to_string()))
        .collect();
    let initial: Vec<OptionObject> = options
        .iter()
        .filter(|o| model.chosen.iter().any(|c| c.to_string() == o.value))
        .cloned()
        .collect();
    if !options.is_empty() {
        let mut options = options;
        options.truncate(crate::limits::SELECT_OPTIONS_MAX);
        s.push(Block::input(
            input::SURVEYS_REPOS,
            "Only these repositories (leave empty for all tracked)",
            InputElement::MultiStatic(MultiStaticSelect {
                action_id: input::SURVEYS_REPOS_VALUE.to_string(),
                placeholder: Some(PlainText::new("All tracked repositories")),
                options,
                initial_options: initial,
            }),
            true,
        ));
    }
    s.push(Block::context(
        "No DMs between 20:00 and 08:00 or at weekends in each person's Slack time zone; \
         they wait for the morning. Surveys close after 7 days. Anyone can opt out from any survey DM.",
    ));
    match s.clone().with_callback_id(callback::SURVEY_SETTINGS) {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// What the people modal shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleModel {
    /// Everyone mappable: `(person id, name, excluded)`.
    pub people: Vec<(i64, String, bool)>,
    /// GitHub people not matched to Slack: names.
    pub unmatched: Vec<String>,
    /// People matched to Slack.
    pub matched: usize,
}

/// The admin's modal mapping a GitHub person to a Slack user, or
/// excluding (including) them.
pub fn people_modal(model: &PeopleModel) -> Surface {
    let mut s = Surface::modal("People")
        .with_submit("Save")
        .with_close("Cancel");
    let list = if model.unmatched.is_empty() {
        "Everyone with a GitHub account is matched to Slack. :white_check_mark:".to_string()
    } else {
        let shown: Vec<String> = model
            .unmatched
            .iter()
            .take(20)
            .map(|n| format!("• {}", escape_and_truncate(n, 60)))
            .collect();
        let more = model.unmatched.len().saturating_sub(20);
        format!(
            "*Not matched to Slack ({})* — they get no survey DMs:\n{}{}",
            model.unmatched.len(),
            shown.join("\n"),
            if more > 0 {
                format!("\n…and {more} more")
            } else {
                String::new()
            }
        )
    };
    s.push(Block::section(&format!(
        "*{}* people are matched to Slack by email. Matches you make here are kept when matching runs again.\n\n{list}",
        model.matched
    )));
    let options: Vec<OptionObject> = model
        .people
        .iter()
        .take(crate::limits::SELECT_OPTIONS_MAX)
        .map(|(id, name, excluded)| {
            let label = if *excluded {
                format!("{name} (excluded)")
            } else {
                name.clone()
            };
            OptionObject::new(&label, id.to_string())
        })
        .collect();
    s.push(Block::input(
        input::MAP_PERSON,
        "Person (from GitHub)",
        InputElement::Single(SingleSelect {
            action_id: input::MAP_PERSON_VALUE.to_string(),
            placeholder: Some(PlainText::new("Choose a person")),
            options,
            initial_option: None,
        }),
        false,
    ));
    let map = OptionObject::new("Map to the Slack user below", input::MAP);
    s.push(Block::input(
        input::MAP_ACTION,
        "Action",
        InputElement::Radio(RadioButtons {
            action_id: input::MAP_ACTION_VALUE.to_string(),
            initial_option: Some(map.clone()),
            options: vec![
                map,
                OptionObject::new("Exclude from metrics and surveys", input::EXCLUDE),
                OptionObject::new("Count in metrics again", input::INCLUDE),
            ],
        }),
        false,
    ));
    s.push(Block::input(
        input::MAP_SLACK_USER,
        "Slack user",
        InputElement::Users(UsersSelect {
            action_id: input::MAP_SLACK_USER_VALUE.to_string(),
            placeholder: Some(PlainText::new("Choose a Slack user")),
            initial_user: None,
        }),
        true,
    ));
    match s.clone().with_callback_id(callback::PEOPLE_MAP) {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SurfaceKind;

    fn pr() -> PrLine {
        PrLine {
            number: 123,
            title: "Add retries to <webhook> intake & more".into(),
            repo: "api-gateway".into(),
            url: "https://github.com/acme/api-gateway/pull/123".into(),
            size: 1234,
            cycle: Some("1.9 days".into()),
            author: "Alice Anderson".into(),
        }
    }

    fn json(s: &Surface) -> String {
        serde_json::to_string(&s.blocks()).unwrap()
    }

    fn valid(s: &Surface) {
        crate::validate(&s.blocks(), SurfaceKind::Message).unwrap();
    }

    #[test]
    fn the_author_dm_asks_with_three_buttons_carrying_the_survey_id() {
        let s = author_message(
            8412,
            &pr(),
            &AuthorState::Asking {
                closes: "Fri 4 Dec".into(),
            },
        );
        valid(&s);
        let j = json(&s);
        for v in ["8412:none", "8412:some", "8412:most", "author:8412"] {
            assert!(j.contains(v), "{v} missing in {j}");
        }
        assert!(j.contains("1,234 lines changed · 1.9 days"));
        // The title is escaped inside the link.
        assert!(j.contains("&lt;webhook&gt; intake &amp; more"));
    }

    #[test]
    fn an_answered_author_dm_shows_the_answer_and_only_the_tools_not_yet_named() {
        let s = author_message(
            7,
            &pr(),
            &AuthorState::Answered {
                answer: AiChoice::Some,
                tools: vec!["Copilot".into()],
                closes: Some("Fri 4 Dec".into()),
            },
        );
        valid(&s);
        let j = json(&s);
        assert!(j.contains("recorded: *Some parts*"));
        assert!(!j.contains("7:none"), "answer buttons are gone");
        assert!(j.contains("7:Claude Code") && !j.contains("7:Copilot"));
        // "No AI" offers no tool picker.
        let none = json(&author_message(
            7,
            &pr(),
            &AuthorState::Answered {
                answer: AiChoice::None,
                tools: vec![],
                closes: Some("x".into()),
            },
        ));
        assert!(!none.contains(action::SURVEY_TOOL));
    }

    #[test]
    fn the_reviewer_dm_takes_rating_and_guess_in_one_message_then_reveals() {
        let open = ReviewState {
            rating: None,
            guess: None,
            reveal: None,
            closes: Some("Fri 4 Dec".into()),
            opted_out: false,
        };
        let s = reviewer_message(55, &pr(), &open);
        valid(&s);
        let j = json(&s);
        assert!(j.contains("55:1") && j.contains("55:5") && j.contains("55:yes"));
        let half = ReviewState {
            rating: Some(4),
            ..open.clone()
        };
        let j = json(&reviewer_message(55, &pr(), &half));
        assert!(j.contains("Quality: *4* of 5") && !j.contains("55:1\"") && j.contains("55:no"));
        let revealed = ReviewState {
            rating: Some(4),
            guess: Some(true),
            reveal: Some(Reveal {
                author: "Alice".into(),
                answer: AiChoice::Some,
                guessed_ai: true,
                correct: true,
                correct_30d: 7,
                revealed_30d: 9,
            }),
            ..open
        };
        let s = reviewer_message(55, &pr(), &revealed);
        valid(&s);
        let j = json(&s);
        assert!(j.contains("correct :dart:") && j.contains("*7 of 9* (78%)"));
        assert!(!j.contains("survey_optout"));
    }

    #[test]
    fn closed_and_opted_out_states_have_no_answer_buttons() {
        for s in [
            author_message(1, &pr(), &AuthorState::Closed),
            author_message(1, &pr(), &AuthorState::OptedOut),
            reviewer_message(
                1,
                &pr(),
                &ReviewState {
                    rating: Some(3),
                    guess: None,
                    reveal: None,
                    closes: None,
                    opted_out: false,
                },
            ),
        ] {
            valid(&s);
            let j = json(&s);
            assert!(!j.contains("\"actions\""), "{j}");
        }
    }

    #[test]
    fn modals_and_home_section_are_valid() {
        let m = settings_modal(&SettingsModel {
            enabled: true,
            reminders: false,
            repositories: vec![(1, "acme/api".into()), (2, "acme/web".into())],
            chosen: vec![2],
            reachable: (12, 15),
        });
        crate::validate(&m.blocks(), SurfaceKind::Modal).unwrap();
        assert!(
            serde_json::to_string(&m)
                .unwrap()
                .contains("\"initial_options\"")
        );
        let p = people_modal(&PeopleModel {
            people: vec![(1, "Ann".into(), false), (2, "Bob".into(), true)],
            unmatched: vec!["Bob".into()],
            matched: 1,
        });
        crate::validate(&p.blocks(), SurfaceKind::Modal).unwrap();
        assert!(serde_json::to_string(&p).unwrap().contains("users_select"));
        let pending: Vec<HomeSurvey> = (1..=5)
            .map(|id| HomeSurvey::Author { id, pr: pr() })
            .collect();
        let blocks = home_section(&pending, 3, 4, false);
        crate::validate(&blocks, SurfaceKind::Home).unwrap();
        let j = serde_json::to_string(&blocks).unwrap();
        assert!(j.contains("…and 2 more") && j.contains("*3 of 4* (75%)"));
        assert!(j.contains(action::SURVEY_OPT_OUT));
    }
}
