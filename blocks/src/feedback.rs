//! The AI feedback loop's screens: the "Report AI issue" modal, the
//! reporter's thank-you, and the button that opens the modal from App Home
//! and from a survey DM.

use crate::ids::{action, callback, input};
use crate::kit::{
    ExternalSelect, InputElement, OptionObject, PlainText, PlainTextInput, SingleSelect,
};
use crate::limits::escape_and_truncate;
use crate::survey::TOOLS;
use crate::{Block, Button, Surface};

/// What went wrong, as stored (`ai_report.category`) and as shown.
pub const CATEGORIES: [(&str, &str); 8] = [
    ("wrong_code", "Wrong code"),
    ("missed_context", "Missed context"),
    ("conventions", "Ignored conventions or style"),
    ("tests", "Missing or wrong tests"),
    ("security", "Security"),
    ("invented_api", "Invented API or dependency"),
    ("performance", "Performance"),
    ("other", "Other"),
];

/// The label of a stored category; the value itself for an unknown one.
pub fn category_label(value: &str) -> &str {
    CATEGORIES
        .iter()
        .find(|(v, _)| *v == value)
        .map_or(value, |(_, label)| label)
}

/// The most characters "What happened" takes (Slack's input limit).
pub const TEXT_MAX: usize = 3_000;

/// A pull request the report is about, as the PR picker shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrChoice {
    /// `owner/repo#123 Title`.
    pub label: String,
    /// The pull request's id in the org.
    pub value: String,
}

/// What the modal opens with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportForm {
    /// The PR, when the message or survey links one.
    pub pr: Option<PrChoice>,
    /// The tool, when the survey answer named one.
    pub tool: Option<String>,
    /// Where the report came from, kept in `private_metadata` (checked
    /// again when the modal is submitted).
    pub metadata: String,
}

/// The "Report AI issue" modal.
pub fn report_modal(form: &ReportForm) -> Surface {
    let mut s = Surface::modal("Report AI issue")
        .with_submit("Report")
        .with_close("Cancel");
    s.push(Block::section(
        "Tell aimpact where an AI assistant went wrong. Recurring problems become suggested \
         rules for your team's agent config files (`AGENTS.md` and friends).",
    ));
    let categories: Vec<OptionObject> = CATEGORIES
        .iter()
        .map(|(value, label)| OptionObject::new(label, *value))
        .collect();
    s.push(Block::input(
        input::FEEDBACK_CATEGORY,
        "What went wrong?",
        InputElement::Single(SingleSelect {
            action_id: input::FEEDBACK_CATEGORY_VALUE.to_string(),
            placeholder: Some(PlainText::new("Choose a category")),
            options: categories,
            initial_option: None,
        }),
        false,
    ));
    let tools: Vec<OptionObject> = TOOLS.iter().map(|t| OptionObject::new(t, *t)).collect();
    let tool = form
        .tool
        .as_deref()
        .and_then(|t| tools.iter().find(|o| o.value == t).cloned());
    s.push(Block::input(
        input::FEEDBACK_TOOL,
        "Which assistant?",
        InputElement::Single(SingleSelect {
            action_id: input::FEEDBACK_TOOL_VALUE.to_string(),
            placeholder: Some(PlainText::new("Choose a tool")),
            options: tools,
            initial_option: tool,
        }),
        true,
    ));
    s.push(Block::input(
        input::FEEDBACK_PR,
        "Pull request",
        InputElement::External(ExternalSelect {
            action_id: input::FEEDBACK_PR_VALUE.to_string(),
            placeholder: Some(PlainText::new("Search recent pull requests")),
            min_query_length: Some(0),
            initial_option: form
                .pr
                .as_ref()
                .map(|p| OptionObject::new(&p.label, p.value.clone())),
        }),
        true,
    ));
    s.push(Block::input(
        input::FEEDBACK_TEXT,
        "What happened?",
        InputElement::Text(PlainTextInput {
            action_id: input::FEEDBACK_TEXT_VALUE.to_string(),
            placeholder: Some(PlainText::new(
                "e.g. It called a retry helper that does not exist in our codebase",
            )),
            initial_value: None,
            multiline: true,
            max_length: Some(TEXT_MAX as u32),
        }),
        false,
    ));
    s.push(Block::context(
        "Your report is stored for your workspace only. Developers see their own reports and \
         team totals; names are shown to the team's leads and aimpact admins.",
    ));
    let with_meta = s
        .clone()
        .with_private_metadata(form.metadata.clone())
        .unwrap_or(s);
    match with_meta
        .clone()
        .with_callback_id(callback::REPORT_AI_ISSUE)
    {
        Ok(with_id) => with_id,
        Err(_) => with_meta,
    }
}

/// The thank-you DM after a report: what was recorded and what happens
/// next. `pr` is the PR's label when one was linked.
pub fn report_thanks(category: &str, tool: Option<&str>, pr: Option<&str>) -> Surface {
    let mut about = format!("*{}*", escape_and_truncate(category_label(category), 100));
    if let Some(tool) = tool {
        about.push_str(&format!(" with {}", escape_and_truncate(tool, 50)));
    }
    if let Some(pr) = pr {
        about.push_str(&format!(" on {}", escape_and_truncate(pr, 200)));
    }
    let mut s = Surface::message();
    s.push(Block::section(&format!(
        ":male-detective: Thanks — your report of {about} is recorded."
    )));
    s.push(Block::context(
        "What happens next: when several reports point at the same problem, aimpact suggests \
         a rule for your agent config files and tells your admins. Reply in this thread to add \
         details to this report.",
    ));
    s
}

/// The "Report AI issue" button; `value` says where it was clicked.
pub fn report_button(value: &str) -> Button {
    Button::new(action::FEEDBACK_REPORT, "Report AI issue", value)
}

/// The nudge sent when someone reacts to a survey DM with
/// [`REPORT_REACTION`]: reactions carry no `trigger_id`, so the modal opens
/// from this message's button.
pub fn reaction_prompt(value: &str) -> Surface {
    let mut s = Surface::message();
    s.push(Block::section_with_button(
        "You reacted with :warning: to a survey. Want to tell aimpact what the AI assistant got \
         wrong on that pull request?",
        report_button(value),
    ));
    s
}

/// The reaction on a survey DM that offers to report an AI issue (named in
/// `/metrics help`).
pub const REPORT_REACTION: &str = "warning";

/// One recurring problem as `/metrics feedback` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProblemLine {
    /// Stored category.
    pub category: String,
    /// Reports describing it.
    pub reports: usize,
    /// The repository most of them are about.
    pub repository: Option<String>,
    /// The language most of them touch.
    pub language: Option<String>,
    /// Its weightiest (stemmed) terms.
    pub terms: Vec<String>,
    /// Example descriptions the viewer may read (none for others' reports).
    pub quotes: Vec<String>,
}

/// One report in a list: who (when the viewer may see names), what, where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportLine {
    /// When, e.g. `Mar 3`.
    pub when: String,
    /// The reporter's name, for admins and the leads of their team.
    pub who: Option<String>,
    /// Stored category.
    pub category: String,
    /// The linked PR's repository (`owner/name`), when one is linked.
    pub pr: Option<String>,
    /// What happened.
    pub text: String,
}

/// A suggested rule as `/metrics feedback` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuggestionLine {
    /// The suggestion's id (the button's value).
    pub id: i64,
    /// Its evidence sentence.
    pub evidence: String,
    /// The rule.
    pub rule: String,
    /// The pull request that ships it, once opened.
    pub pull_request: Option<String>,
    /// That pull request merged: the rule is in use.
    pub adopted: bool,
    /// Whether it helped, once adopted (a sentence).
    pub effect: Option<String>,
}

/// What `/metrics feedback` shows a viewer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackView {
    /// "last 30 days".
    pub period: String,
    /// Reports in the period, org-wide.
    pub total: usize,
    /// Org-wide counts: by category (stored spelling), tool, repository and
    /// language, largest first.
    pub by_category: Vec<(String, usize)>,
    /// By assistant.
    pub by_tool: Vec<(String, usize)>,
    /// By repository.
    pub by_repository: Vec<(String, usize)>,
    /// By language.
    pub by_language: Vec<(String, usize)>,
    /// Top problems this period.
    pub problems: Vec<ProblemLine>,
    /// The list heading ("Your reports", "Your teams' reports", "Recent reports").
    pub list_title: String,
    /// The reports the viewer may read, newest first.
    pub list: Vec<ReportLine>,
    /// Suggested rules, most reports first.
    pub suggestions: Vec<SuggestionLine>,
    /// The viewer may ship rules (admins): each gets an "Open pull request" button.
    pub can_ship: bool,
    /// Reports of one pattern before a rule is suggested.
    pub min_reports: usize,
}

fn count_line(items: &[(String, usize)], label: impl Fn(&str) -> String) -> String {
    if items.is_empty() {
        return "—".into();
    }
    let shown: Vec<String> = items
        .iter()
        .take(4)
        .map(|(k, n)| format!("{} {n}", label(k)))
        .collect();
    let more = items.len().saturating_sub(4);
    if more > 0 {
        format!("{} · +{more} more", shown.join(" · "))
    } else {
        shown.join(" · ")
    }
}

fn quote(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("> _{}_", escape_and_truncate(&one_line, 200))
}

/// `/metrics feedback`: what people reported an AI assistant got wrong.
pub fn feedback_message(v: &FeedbackView) -> Surface {
    let mut s = Surface::message();
    s.push(Block::header(&format!("AI issue reports · {}", v.period)));
    if v.total == 0 {
        s.push(Block::section(
            "No AI issues reported in this period. Anyone can report one with the *Report AI \
             issue* message shortcut, the button on App Home, or a :warning: reaction on a survey DM.",
        ));
        s.push(Block::buttons(None, vec![report_button("home")]));
        return s;
    }
    let esc = |k: &str| escape_and_truncate(k, 60);
    s.push(Block::fields(&[
        format!(
            "*Reports*\n{} · {}",
            v.total,
            count_line(&v.by_category, |k| category_label(k).to_string())
        ),
        format!("*Assistants*\n{}", count_line(&v.by_tool, esc)),
        format!("*Repositories*\n{}", count_line(&v.by_repository, esc)),
        format!("*Languages*\n{}", count_line(&v.by_language, esc)),
    ]));
    s.push(Block::divider());
    if v.problems.is_empty() {
        s.push(Block::context(
            "No recurring problem yet: a problem shows here once two or more reports describe it.",
        ));
    } else {
        s.push(Block::section("*Top problems this period*"));
        for p in v.problems.iter().take(5) {
            let mut line = format!("*{}* · {} reports", category_label(&p.category), p.reports);
            if let Some(r) = &p.repository {
                line.push_str(&format!(" in {}", esc(r)));
            }
            if let Some(l) = &p.language {
                line.push_str(&format!(", {}", esc(l)));
            }
            if !p.terms.is_empty() {
                let terms: Vec<String> = p.terms.iter().map(|t| esc(t)).collect();
                line.push_str(&format!(" — about _{}_", terms.join(", ")));
            }
            for q in &p.quotes {
                line.push('\n');
                line.push_str(&quote(q));
            }
            s.push(Block::section(&line));
        }
    }
    s.push(Block::divider());
    if v.suggestions.is_empty() {
        s.push(Block::context(&format!(
            "No suggested rule yet: aimpact suggests one for your agent config files once {} \
             reports share a category, repository and language.",
            v.min_reports
        )));
    } else {
        s.push(Block::section(&format!(
            "*Suggested rules* (from {} or more reports each)",
            v.min_reports
        )));
        for sug in v.suggestions.iter().take(3) {
            let mut text = format!(
                "{}\n> {}",
                escape_and_truncate(&sug.evidence, 300),
                escape_and_truncate(&sug.rule, 1_200)
            );
            if let Some(url) = &sug.pull_request {
                let url = url.replace(['<', '>', '|'], "");
                if sug.adopted {
                    text.push_str(&format!(
                        "\n:white_check_mark: Adopted: <{url}|its pull request> merged."
                    ));
                    if let Some(effect) = &sug.effect {
                        text.push('\n');
                        text.push_str(&escape_and_truncate(effect, 400));
                    }
                } else {
                    text.push_str(&format!(
                        "\nShipped in <{url}|a pull request>, not merged yet."
                    ));
                }
            }
            if v.can_ship && sug.pull_request.is_none() {
                s.push(Block::section_with_button(
                    &text,
                    Button::new(
                        action::FEEDBACK_SHIP,
                        "Open pull request",
                        sug.id.to_string(),
                    ),
                ));
            } else {
                s.push(Block::section(&text));
            }
        }
    }
    if !v.list.is_empty() {
        s.push(Block::divider());
        let mut text = format!("*{}*", escape_and_truncate(&v.list_title, 80));
        for r in v.list.iter().take(5) {
            text.push_str(&format!(
                "\n• {} · *{}*",
                esc(&r.when),
                category_label(&r.category)
            ));
            if let Some(who) = &r.who {
                text.push_str(&format!(" · {}", esc(who)));
            }
            if let Some(pr) = &r.pr {
                text.push_str(&format!(" · {}", esc(pr)));
            }
            let one_line: String = r.text.split_whitespace().collect::<Vec<_>>().join(" ");
            text.push_str(&format!(" — {}", escape_and_truncate(&one_line, 140)));
        }
        s.push(Block::section(&text));
    }
    s.push(Block::context(
        "Counts are for the whole workspace. Quotes and names are shown only to aimpact admins \
         and the leads of the reporter's team; everyone sees their own reports.",
    ));
    s
}

/// App Home's AI issue reports section: the last 30 days in one line, the
/// top problem, and the viewer's own count; nothing when nobody reported.
pub fn home_section(total: usize, top: Option<&ProblemLine>, mine: usize) -> Vec<Block> {
    if total == 0 {
        return Vec::new();
    }
    let mut line = format!(
        "*:male-detective: AI issue reports* · last 30 days: {total} report{}",
        if total == 1 { "" } else { "s" }
    );
    if mine > 0 {
        line.push_str(&format!(" ({mine} yours)"));
    }
    if let Some(p) = top {
        line.push_str(&format!(
            "\nTop problem: *{}* · {} reports",
            category_label(&p.category),
            p.reports
        ));
        if let Some(r) = &p.repository {
            line.push_str(&format!(" in {}", escape_and_truncate(r, 60)));
        }
    }
    vec![
        Block::section(&line),
        Block::context("`/metrics feedback` shows the patterns."),
    ]
}

/// The DM each admin gets when a new rule is suggested.
pub fn suggestion_dm(evidence: &str, rule: &str) -> Surface {
    let mut s = Surface::message();
    s.push(Block::section(&format!(
        ":bulb: *A new suggested rule for your AI assistants*\n{}",
        escape_and_truncate(evidence, 300)
    )));
    s.push(Block::section(&format!(
        "> {}",
        escape_and_truncate(rule, 1_500)
    )));
    s.push(Block::context(
        "`/metrics feedback` lists every suggestion with its evidence.",
    ));
    s
}

/// The modal an admin ships a rule from: the rule, the repository to open
/// the pull request in, and what will change.
pub fn ship_modal(
    suggestion: i64,
    rule: &str,
    repositories: &[(String, String)],
    chosen: &str,
) -> Surface {
    let mut s = Surface::modal("Ship this rule")
        .with_submit("Open pull request")
        .with_close("Cancel");
    s.push(Block::section(&format!(
        "> {}",
        escape_and_truncate(rule, 1_500)
    )));
    let options: Vec<OptionObject> = repositories
        .iter()
        .map(|(label, value)| OptionObject::new(label, value.clone()))
        .collect();
    let initial = options.iter().find(|o| o.value == chosen).cloned();
    s.push(Block::input(
        input::FEEDBACK_SHIP_REPO,
        "Repository",
        InputElement::Single(SingleSelect {
            action_id: input::FEEDBACK_SHIP_REPO_VALUE.to_string(),
            placeholder: Some(PlainText::new("Choose a repository")),
            options,
            initial_option: initial,
        }),
        false,
    ));
    s.push(Block::context(
        "aimpact opens a pull request on a new branch with `AGENTS.md` (the rules in a generated \
         section; the rest of the file is kept), `CLAUDE.md` importing it, \
         `.cursor/rules/aimpact.mdc`, `.github/copilot-instructions.md` and \
         `.github/instructions/aimpact.instructions.md`. Only files that change are committed.",
    ));
    let with_meta = s
        .clone()
        .with_private_metadata(suggestion.to_string())
        .unwrap_or(s);
    match with_meta.clone().with_callback_id(callback::FEEDBACK_SHIP) {
        Ok(with_id) => with_id,
        Err(_) => with_meta,
    }
}

/// The DM after shipping: the pull request, or why not.
pub fn shipped_dm(text: &str) -> Surface {
    let mut s = Surface::message();
    s.push(Block::section(text));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SurfaceKind;

    fn form() -> ReportForm {
        ReportForm {
            pr: Some(PrChoice {
                label: "acme/api#42 Add retries".into(),
                value: "7".into(),
            }),
            tool: Some("Cursor".into()),
            metadata: r#"{"source":"shortcut","pr":7}"#.into(),
        }
    }

    #[test]
    fn the_report_modal_is_valid_and_prefills_what_it_knows() {
        let modal = report_modal(&form());
        crate::validate(&modal.blocks(), SurfaceKind::Modal).unwrap();
        let json = serde_json::to_value(&modal).unwrap();
        assert_eq!(json["callback_id"], callback::REPORT_AI_ISSUE);
        assert_eq!(json["private_metadata"], r#"{"source":"shortcut","pr":7}"#);
        let pr = &json["blocks"][3]["element"];
        assert_eq!(pr["type"], "external_select");
        assert_eq!(pr["initial_option"]["value"], "7");
        assert_eq!(
            pr["initial_option"]["text"]["text"],
            "acme/api#42 Add retries"
        );
        assert_eq!(
            json["blocks"][2]["element"]["initial_option"]["value"],
            "Cursor"
        );
        let text = &json["blocks"][4]["element"];
        assert_eq!(text["multiline"], true);
        assert_eq!(text["max_length"], 3000);
        insta::assert_json_snapshot!("report_modal", json);
    }

    #[test]
    fn every_category_has_a_label_and_an_unknown_one_shows_as_stored() {
        for (value, label) in CATEGORIES {
            assert_eq!(category_label(value), label);
        }
        assert_eq!(category_label("made_up"), "made_up");
    }

    #[test]
    fn the_thank_you_escapes_what_people_typed() {
        let thanks = report_thanks("tests", Some("Other"), Some("acme/api#1 <!channel> *bold*"));
        crate::validate(&thanks.blocks(), SurfaceKind::Message).unwrap();
        let json = serde_json::to_value(&thanks).unwrap();
        let text = json.to_string();
        assert!(!text.contains("<!channel>"), "{text}");
        assert!(text.contains("Missing or wrong tests"));
        insta::assert_json_snapshot!("report_thanks", json);
    }

    #[test]
    fn the_feedback_view_is_valid_escaped_and_has_an_empty_state() {
        let empty = feedback_message(&FeedbackView {
            period: "last 30 days".into(),
            ..FeedbackView::default()
        });
        crate::validate(&empty.blocks(), SurfaceKind::Message).unwrap();
        assert!(
            serde_json::to_string(&empty)
                .unwrap()
                .contains("No AI issues reported")
        );
        let view = FeedbackView {
            period: "last 30 days".into(),
            total: 12,
            by_category: vec![("tests".into(), 9), ("security".into(), 3)],
            by_tool: vec![("Cursor".into(), 12)],
            by_repository: vec![("acme/payments-core".into(), 12)],
            by_language: vec![("Python".into(), 12)],
            problems: vec![ProblemLine {
                category: "tests".into(),
                reports: 9,
                repository: Some("acme/payments-core".into()),
                language: Some("Python".into()),
                terms: vec!["retry".into(), "tests".into()],
                quotes: vec!["<!channel> tests skip *retries*".into()],
            }],
            list_title: "Recent reports".into(),
            list: vec![ReportLine {
                when: "Mar 3".into(),
                who: Some("Dana <@U1>".into()),
                category: "tests".into(),
                pr: Some("acme/payments-core#7".into()),
                text: "no\ntests".into(),
            }],
            suggestions: vec![SuggestionLine {
                id: 4,
                evidence:
                    "Based on 9 reports about missing or wrong tests in acme/payments-core, Python."
                        .into(),
                rule: "Every behaviour change comes with tests.".into(),
                pull_request: None,
                adopted: false,
                effect: None,
            }],
            can_ship: true,
            min_reports: 5,
        };
        let m = feedback_message(&view);
        crate::validate(&m.blocks(), SurfaceKind::Message).unwrap();
        let text = serde_json::to_string(&m).unwrap();
        assert!(
            !text.contains("<!channel>") && !text.contains("<@U1>"),
            "{text}"
        );
        assert!(
            text.contains("9 reports in acme/payments-core, Python"),
            "{text}"
        );
        insta::assert_json_snapshot!("feedback_message", serde_json::to_value(&m).unwrap());
    }

    #[test]
    fn the_home_section_is_empty_without_reports_and_names_the_top_problem() {
        assert!(home_section(0, None, 0).is_empty());
        let top = ProblemLine {
            category: "tests".into(),
            reports: 9,
            repository: Some("acme/api".into()),
            ..ProblemLine::default()
        };
        let blocks = home_section(12, Some(&top), 2);
        crate::validate(&blocks, SurfaceKind::Home).unwrap();
        let text = serde_json::to_string(&blocks).unwrap();
        assert!(text.contains("12 reports (2 yours)"), "{text}");
        assert!(
            text.contains("Missing or wrong tests* · 9 reports in acme/api"),
            "{text}"
        );
    }

    #[test]
    fn the_suggestion_dm_is_valid_and_escaped() {
        let dm = suggestion_dm("Based on 5 reports <!here>", "Write *tests* <@U1>");
        crate::validate(&dm.blocks(), SurfaceKind::Message).unwrap();
        let text = serde_json::to_string(&dm).unwrap();
        assert!(
            !text.contains("<!here>") && !text.contains("<@U1>"),
            "{text}"
        );
    }

    #[test]
    fn the_ship_modal_is_valid_and_preselects_the_suggestions_repository() {
        let m = ship_modal(
            4,
            "Write tests <!here>",
            &[
                ("acme/api".into(), "1".into()),
                ("acme/web".into(), "2".into()),
            ],
            "2",
        );
        crate::validate(&m.blocks(), SurfaceKind::Modal).unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["callback_id"], callback::FEEDBACK_SHIP);
        assert_eq!(json["private_metadata"], "4");
        assert_eq!(json["blocks"][1]["element"]["initial_option"]["value"], "2");
        assert!(!json.to_string().contains("<!here>"));
    }

    #[test]
    fn the_reaction_prompt_carries_the_report_button() {
        let prompt = reaction_prompt("author:9");
        crate::validate(&prompt.blocks(), SurfaceKind::Message).unwrap();
        let json = serde_json::to_value(prompt).unwrap();
        assert!(json.to_string().contains(action::FEEDBACK_REPORT));
        assert!(json.to_string().contains("author:9"));
    }
}
