//! App Home views: the admin's setup checklist and the developer's
//! welcome, before dashboards exist.

use crate::ids::action;
use crate::kit::{Block, Button};
use crate::limits::escape_mrkdwn;
use crate::surface::Surface;

/// One checklist step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Done, with a short detail ("acme, 4 repositories").
    Done(String),
    /// Not done yet, with what it brings ("optional: story points, sprints").
    Todo(String),
}

impl Step {
    fn is_done(&self) -> bool {
        matches!(self, Step::Done(_))
    }
}

/// What the admin's App Home shows during setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupChecklist {
    /// Slack user id of the installer, if known.
    pub installed_by: Option<String>,
    /// GitHub connected.
    pub github: Step,
    /// Repositories chosen.
    pub repositories: Step,
    /// Jira connected (optional).
    pub jira: Step,
    /// People matched across tools.
    pub people: Step,
    /// Surveys configured.
    pub surveys: Step,
    /// Leaderboard configured.
    pub leaderboard: Step,
}

impl SetupChecklist {
    /// A fresh install: only Slack is done.
    pub fn fresh(installed_by: Option<String>) -> Self {
        Self {
            installed_by,
            github: Step::Todo("pull requests, reviews and cycle time".into()),
            repositories: Step::Todo("choose which repositories count".into()),
            jira: Step::Todo("optional: story points, sprints, issue cycle time".into()),
            people: Step::Todo("match GitHub accounts to Slack people".into()),
            surveys: Step::Todo("one-click AI questions when a PR merges".into()),
            leaderboard: Step::Todo("a weekly post to a channel of your choice".into()),
        }
    }
}

fn step(label: &str, state: &Step, button: Button) -> Block {
    match state {
        Step::Done(detail) => Block::section_with_button(
            &format!(
                ":white_check_mark: *{label}* — {}",
                escape_mrkdwn(detail)
            ),
            button,
        ),
        Step::Todo(hint) => Block::section_with_button(
            &format!(
                ":white_large_square: *{label}* — {}",
                escape_mrkdwn(hint)
            ),
            button.primary(),
        ),
    }
}

/// The admin's App Home while setup is incomplete.
pub fn admin_setup(model: &SetupChecklist) -> Surface {
    let steps = [
        &model.github,
        &model.repositories,
        &model.jira,
        &model.people,
        &model.surveys,
        &model.leaderboard,
    ];
    // Slack is always done: this view exists because the app is installed.
    let done = 1 + steps.iter().filter(|s| s.is_done()).count();
    let mut s = Surface::home();
    s.push(Block::header(&format!("Set up aimpact · {done} of 7 done")));
    let slack = match &model.installed_by {
        Some(user) => format!(":white_check_mark: *Slack* — installed by <@{user}>"),
        None => ":white_check_mark: *Slack* — installed".to_string(),
    };
    s.push(Block::section(&slack));
    s.push(step(
        "GitHub",
        &model.github,
        Button::new(action::SETUP_GITHUB, "Connect GitHub", "github"),
    ));
    s.push(step(
        "Repositories",
        &model.repositories,
        Button::new(action::SETUP_REPOS, "Choose repos", "repos"),
    ));
    s.push(step(
        "Jira",
        &model.jira,
        Button::new(action::SETUP_JIRA, "Connect Jira", "jira"),
    ));
    s.push(step(
        "People",
        &model.people,
        Button::new(action::SETUP_PEOPLE, "Match people", "people"),
    ));
    s.push(step(
        "Surveys",
        &model.surveys,
        Button::new(action::SETUP_SURVEYS, "Survey settings", "surveys"),
    ));
    s.push(step(
        "Leaderboard",
        &model.leaderboard,
        Button::new(action::SETUP_LEADERBOARD, "Leaderboard settings", "leaderboard"),
    ));
    s.push(Block::divider());
    s.push(Block::context(
        "Dashboards fill in as the import finishes. Nothing is shared with your team until you turn surveys on.",
    ));
    s
}

/// A developer's App Home before there is data to show.
pub fn developer_welcome(workspace: &str) -> Surface {
    let mut s = Surface::home();
    s.push(Block::header("Welcome to aimpact"));
    s.push(Block::section(&format!(
        "aimpact shows *{}* how AI coding assistants change the way you ship: pull requests merged, \
         cycle and review time, and what AI-assisted work looks like next to the rest.",
        escape_mrkdwn(workspace)
    )));
    s.push(Block::section(
        ":hourglass_flowing_sand: *Nothing to show yet.* Your numbers appear here once an admin \
         connects GitHub and the first import finishes — usually within an hour.",
    ));
    s.push(Block::section(
        ":male-detective: When one of your PRs is merged you'll get a one-click question in a DM, \
         and reviewers can guess whether AI helped. Answers only count in team totals.",
    ));
    s.push(Block::divider());
    s.push(Block::context(
        "Only you see your own numbers. Type `/metrics help` to see what you can ask.",
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::SurfaceKind;
    use crate::validate::validate;

    #[test]
    fn a_fresh_install_counts_only_slack_as_done() {
        let view = admin_setup(&SetupChecklist::fresh(Some("U0ALICE".into())));
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["type"], "home");
        assert_eq!(json["blocks"][0]["text"]["text"], "Set up aimpact · 1 of 7 done");
        assert!(validate(&view.blocks(), SurfaceKind::Home).is_ok());
        let ids: Vec<&str> = json["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["accessory"]["action_id"].as_str())
            .collect();
        assert_eq!(ids, action::SETUP);
    }

    #[test]
    fn done_steps_show_their_detail_escaped() {
        let mut model = SetupChecklist::fresh(None);
        model.github = Step::Done("acme <corp> & co".into());
        let json = serde_json::to_string(&admin_setup(&model)).unwrap();
        assert!(json.contains("2 of 7 done"));
        assert!(json.contains("acme &lt;corp&gt; &amp; co"));
    }

    #[test]
    fn the_developer_welcome_fits_and_names_the_workspace() {
        let view = developer_welcome("Acme");
        assert!(validate(&view.blocks(), SurfaceKind::Home).is_ok());
        assert!(serde_json::to_string(&view).unwrap().contains("*Acme*"));
    }
}
