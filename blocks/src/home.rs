//! App Home views: the admin's setup checklist and the developer's
//! welcome, before dashboards exist.

use crate::ids::action;
use crate::kit::{Block, Button};
use crate::limits::escape_mrkdwn;
use crate::surface::Surface;

/// One checklist step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Done, with a short detail ("acme, 4 repositories"), in mrkdwn:
    /// user text in it is escaped by whoever composed it.
    Done(String),
    /// Not done yet, with what it brings ("optional: story points,
    /// sprints"), in mrkdwn like [`Step::Done`].
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
    /// GitHub is connected, so a "Sync now" button makes sense.
    pub can_sync: bool,
    /// What stopped working and needs an admin (a job that failed for
    /// good, the Socket Mode link disabled), one line each, newest first.
    pub problems: Vec<String>,
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
            can_sync: false,
            problems: Vec::new(),
        }
    }
}

/// A step's detail is mrkdwn the caller composed (a progress bar in a code
/// span, an emoji); any user or third-party text in it was escaped with
/// [`escape_mrkdwn`] where it was put in.
fn step(label: &str, state: &Step, button: Button) -> Block {
    match state {
        Step::Done(detail) => {
            Block::section_with_button(&format!(":white_check_mark: *{label}* — {detail}"), button)
        }
        Step::Todo(hint) => Block::section_with_button(
            &format!(":white_large_square: *{label}* — {hint}"),
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
    for problem in &model.problems {
        s.push(Block::section(&format!(
            ":warning: *Needs attention* — {}",
            escape_mrkdwn(problem)
        )));
    }
    let slack = match &model.installed_by {
        Some(user) => format!(":white_check_mark: *Slack* — installed by <@{user}>"),
        None => ":white_check_mark: *Slack* — installed".to_string(),
    };
    s.push(Block::section_with_button(
        &slack,
        Button::new(action::ADMINS_OPEN, "Admins", "admins"),
    ));
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
        Button::new(
            action::SETUP_LEADERBOARD,
            "Leaderboard settings",
            "leaderboard",
        ),
    ));
    if model.can_sync {
        s.push(Block::buttons(
            None,
            vec![Button::new(action::SYNC_GITHUB, "Sync now", "github")],
        ));
    }
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

/// The setup steps a checklist button opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupTopic {
    /// Connect GitHub.
    Github,
    /// Choose repositories.
    Repositories,
    /// Connect Jira.
    Jira,
    /// Match people.
    People,
    /// Survey settings.
    Surveys,
    /// Leaderboard settings.
    Leaderboard,
}

impl SetupTopic {
    /// The topic a checklist button's action id opens.
    pub fn from_action(action_id: &str) -> Option<Self> {
        Some(match action_id {
            action::SETUP_GITHUB => Self::Github,
            action::SETUP_REPOS => Self::Repositories,
            action::SETUP_JIRA => Self::Jira,
            action::SETUP_PEOPLE => Self::People,
            action::SETUP_SURVEYS => Self::Surveys,
            action::SETUP_LEADERBOARD => Self::Leaderboard,
            _ => return None,
        })
    }

    fn title_and_text(self) -> (&'static str, &'static str) {
        match self {
            Self::Github => (
                "GitHub",
                "GitHub is connected. aimpact syncs it daily, on webhooks and when you press \
                 \"Sync now\"; \"Choose repos\" decides which repositories count.",
            ),
            Self::Repositories => (
                "Choose repositories",
                "Once GitHub is connected, every active repository is tracked by default and you \
                 can narrow the set here.",
            ),
            Self::Jira => (
                "Connect Jira",
                "Jira is optional: it adds story points, sprints and issue cycle time. Connect it \
                 with Atlassian sign-in or an API token, then choose the projects.",
            ),
            Self::People => (
                "Match people",
                "After GitHub is connected, aimpact matches GitHub accounts to Slack people by \
                 email and lists anyone it could not match here.",
            ),
            Self::Surveys => (
                "Surveys",
                "One-click survey DMs start after GitHub is connected and people are matched. \
                 Nothing is sent to your team before you turn them on here.",
            ),
            Self::Leaderboard => (
                "Leaderboard",
                "The weekly leaderboard needs survey answers and a week of data; you'll choose \
                 the channel, day and time here.",
            ),
        }
    }
}

/// The modal a setup button opens while that step cannot be done from Slack.
pub fn setup_info(topic: SetupTopic) -> Surface {
    let (title, text) = topic.title_and_text();
    let mut s = Surface::modal(title).with_close("Close");
    s.push(Block::section(text));
    s.push(Block::context(
        "Questions? Your aimpact operator can check the service's README for the current setup steps.",
    ));
    match s.clone().with_callback_id(crate::ids::callback::SETUP_INFO) {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// The modal that connects GitHub with an organisation and a token.
pub fn github_connect() -> Surface {
    use crate::ids::input;
    let mut s = Surface::modal("Connect GitHub")
        .with_submit("Connect")
        .with_close("Cancel");
    s.push(Block::section(
        "aimpact reads pull requests, reviews, commits, members and teams. The token is checked \
         against GitHub now and stored encrypted.",
    ));
    s.push(Block::text_input(
        input::GITHUB_ORG,
        input::GITHUB_ORG_VALUE,
        "GitHub organisation",
        Some("acme"),
        Some("The login in github.com/<organisation>"),
    ));
    s.push(Block::text_input(
        input::GITHUB_TOKEN,
        input::GITHUB_TOKEN_VALUE,
        "Token",
        Some("github_pat_…"),
        Some("Fine-grained token with read access to members, metadata and pull requests"),
    ));
    match s
        .clone()
        .with_callback_id(crate::ids::callback::GITHUB_CONNECT)
    {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// The modal that sends the admin to GitHub to install the App.
pub fn github_app_install(install_url: &str) -> Surface {
    let mut s = Surface::modal("Connect GitHub").with_close("Close");
    s.push(Block::section(
        "Install the aimpact GitHub App on your organisation. It reads pull requests, reviews, \
         commits, members and teams, and GitHub sends its webhooks here on its own. You can \
         pick which repositories it sees on GitHub's page.",
    ));
    s.push(Block::buttons(
        None,
        vec![
            Button::new(action::GITHUB_APP_INSTALL, "Install on GitHub", "github")
                .primary()
                .with_url(install_url),
        ],
    ));
    s.push(Block::context(
        "The link works once, for an hour. After installing, GitHub brings you back and the import starts.",
    ));
    match s
        .clone()
        .with_callback_id(crate::ids::callback::GITHUB_APP_INSTALL)
    {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// A repository offered in the chooser: its `owner/name` and our id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoChoice {
    /// `owner/name`.
    pub full_name: String,
    /// Submitted value (the repository id).
    pub value: String,
}

/// What the repository chooser shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoChooser {
    /// Every repository of the org; the modal lists them inline when they
    /// fit a static select, and searches through the options URL otherwise.
    pub all: Vec<RepoChoice>,
    /// The tracked ones.
    pub tracked: Vec<RepoChoice>,
    /// Whether "all active repositories" is the current choice.
    pub all_active: bool,
}

/// A multi-select of `model.all` with the chosen ones preselected: inline
/// when they fit a static select, searched through the options URL
/// (registered under `action_id`) otherwise.
fn pick_element(
    action_id: &str,
    placeholder: &str,
    model: &RepoChooser,
) -> crate::kit::InputElement {
    use crate::kit::{
        InputElement, MultiExternalSelect, MultiStaticSelect, OptionObject, PlainText,
    };
    use crate::limits::SELECT_OPTIONS_MAX;
    let option = |r: &RepoChoice| OptionObject::new(&r.full_name, r.value.clone());
    let initial: Vec<OptionObject> = if model.all_active {
        Vec::new()
    } else {
        model.tracked.iter().map(option).collect()
    };
    let placeholder = Some(PlainText::new(placeholder));
    if model.all.len() <= SELECT_OPTIONS_MAX {
        InputElement::MultiStatic(MultiStaticSelect {
            action_id: action_id.to_string(),
            placeholder,
            options: model.all.iter().map(option).collect(),
            initial_options: initial,
        })
    } else {
        InputElement::MultiExternal(MultiExternalSelect {
            action_id: action_id.to_string(),
            placeholder,
            min_query_length: Some(0),
            initial_options: initial,
        })
    }
}

/// The modal that narrows or widens the tracked repositories.
pub fn repo_chooser(model: &RepoChooser) -> Surface {
    use crate::ids::input;
    use crate::kit::{InputElement, OptionObject, RadioButtons};
    let mut s = Surface::modal("Choose repositories")
        .with_submit("Save")
        .with_close("Cancel");
    s.push(Block::section(&format!(
        "aimpact tracks *{} of {}* repositories. Untracked repositories keep their data but stop \
         syncing; tracking one again imports its history.",
        model.tracked.len(),
        model.all.len()
    )));
    let all = OptionObject::new(
        "All active repositories (not archived, not forks)",
        input::REPOS_ALL,
    );
    let chosen = OptionObject::new("Only the repositories I choose below", input::REPOS_CHOSEN);
    s.push(Block::input(
        input::REPOS_MODE,
        "Track",
        InputElement::Radio(RadioButtons {
            action_id: input::REPOS_MODE_VALUE.to_string(),
            initial_option: Some(if model.all_active {
                all.clone()
            } else {
                chosen.clone()
            }),
            options: vec![all, chosen],
        }),
        false,
    ));
    s.push(Block::input(
        input::REPOS_PICK,
        "Repositories",
        pick_element(input::REPOS_PICK_VALUE, "Search repositories", model),
        true,
    ));
    s.push(Block::context(
        "With \"All active repositories\", new repositories are tracked as they appear.",
    ));
    match s
        .clone()
        .with_callback_id(crate::ids::callback::REPOS_CHOOSE)
    {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// The modal that connects Jira with a site and a token (self-hosting).
pub fn jira_connect() -> Surface {
    use crate::ids::input;
    let mut s = Surface::modal("Connect Jira")
        .with_submit("Connect")
        .with_close("Cancel");
    s.push(Block::section(
        "aimpact reads issues, their status history, story points and sprints of the projects \
         you choose. The token is checked against Jira now and stored encrypted.",
    ));
    s.push(Block::text_input(
        input::JIRA_SITE,
        input::JIRA_SITE_VALUE,
        "Jira site",
        Some("https://acme.atlassian.net"),
        None,
    ));
    let mut email = Block::text_input(
        input::JIRA_EMAIL,
        input::JIRA_EMAIL_VALUE,
        "Account email",
        Some("you@acme.com"),
        Some(
            "Jira Cloud: the account the API token belongs to. Leave empty for a Data Center personal access token.",
        ),
    );
    if let Block::Input(i) = &mut email {
        i.optional = true;
    }
    s.push(email);
    s.push(Block::text_input(
        input::JIRA_TOKEN,
        input::JIRA_TOKEN_VALUE,
        "API token",
        None,
        Some("id.atlassian.com → Security → API tokens (Cloud), or a personal access token (Data Center)"),
    ));
    match s
        .clone()
        .with_callback_id(crate::ids::callback::JIRA_CONNECT)
    {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// The modal that sends the admin to Atlassian's consent page.
pub fn jira_oauth(consent_url: &str) -> Surface {
    let mut s = Surface::modal("Connect Jira").with_close("Close");
    s.push(Block::section(
        "Sign in with Atlassian and allow aimpact to read your Jira site: issues, status \
         history, story points and sprints. You choose the projects afterwards.",
    ));
    s.push(Block::buttons(
        None,
        vec![
            Button::new(action::JIRA_OAUTH, "Sign in with Atlassian", "jira")
                .primary()
                .with_url(consent_url),
        ],
    ));
    s.push(Block::context(
        "The link works once, for half an hour. Atlassian brings you back and the import starts.",
    ));
    match s.clone().with_callback_id(crate::ids::callback::JIRA_OAUTH) {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// What the project chooser shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectChooser {
    /// Projects (label `KEY · Name`) and which are chosen.
    pub projects: RepoChooser,
    /// The story points field in use (discovered or set by an admin).
    pub story_points_field: Option<String>,
}

/// The modal that chooses which Jira projects sync.
pub fn project_chooser(model: &ProjectChooser) -> Surface {
    use crate::ids::input;
    use crate::kit::{InputElement, OptionObject, RadioButtons};
    let mut s = Surface::modal("Choose Jira projects")
        .with_submit("Save")
        .with_close("Cancel");
    s.push(Block::section(&format!(
        "aimpact syncs *{} of {}* projects. Projects you stop syncing keep their issues; \
         choosing one again imports its history.",
        model.projects.tracked.len(),
        model.projects.all.len()
    )));
    let all = OptionObject::new("All projects", input::REPOS_ALL);
    let chosen = OptionObject::new("Only the projects I choose below", input::REPOS_CHOSEN);
    s.push(Block::input(
        input::PROJECTS_MODE,
        "Sync",
        InputElement::Radio(RadioButtons {
            action_id: input::PROJECTS_MODE_VALUE.to_string(),
            initial_option: Some(if model.projects.all_active {
                all.clone()
            } else {
                chosen.clone()
            }),
            options: vec![all, chosen],
        }),
        false,
    ));
    s.push(Block::input(
        input::PROJECTS_PICK,
        "Projects",
        pick_element(
            input::PROJECTS_PICK_VALUE,
            "Search projects",
            &model.projects,
        ),
        true,
    ));
    let mut points = Block::text_input(
        input::JIRA_POINTS,
        input::JIRA_POINTS_VALUE,
        "Story points field",
        Some("customfield_10016"),
        Some(
            "Found from your site's field list; change it if your teams estimate in another field.",
        ),
    );
    if let Block::Input(i) = &mut points {
        i.optional = true;
        if let crate::kit::InputElement::Text(t) = &mut i.element {
            t.initial_value = model.story_points_field.clone();
        }
    }
    s.push(points);
    match s
        .clone()
        .with_callback_id(crate::ids::callback::PROJECTS_CHOOSE)
    {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}

/// A progress line for long work, e.g. "`▓▓▓▓░░░░░░` 1,240 of ~5,000 PRs imported".
pub fn progress_line(done: i64, total: Option<i64>, what: &str) -> String {
    let thousands = |n: i64| {
        let digits = n.abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    };
    match total.filter(|t| *t > 0) {
        Some(total) => {
            let filled = ((done.clamp(0, total) * 10) / total) as usize;
            format!(
                "`{}{}` {} of ~{} {what}",
                "▓".repeat(filled),
                "░".repeat(10 - filled),
                thousands(done),
                thousands(total)
            )
        }
        None => format!("{} {what}", thousands(done)),
    }
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
        assert_eq!(
            json["blocks"][0]["text"]["text"],
            "Set up aimpact · 1 of 7 done"
        );
        assert!(validate(&view.blocks(), SurfaceKind::Home).is_ok());
        let ids: Vec<&str> = json["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["accessory"]["action_id"].as_str())
            .collect();
        let mut expected = vec![action::ADMINS_OPEN];
        expected.extend(action::SETUP);
        assert_eq!(ids, expected);
    }

    #[test]
    fn done_steps_show_their_detail_as_composed() {
        let mut model = SetupChecklist::fresh(None);
        model.github = Step::Done(format!(
            "connected to {}\n{}",
            escape_mrkdwn("acme <corp> & co"),
            progress_line(3, Some(10), "PRs imported")
        ));
        let json = serde_json::to_string(&admin_setup(&model)).unwrap();
        assert!(json.contains("2 of 7 done"));
        assert!(json.contains("acme &lt;corp&gt; &amp; co"));
        assert!(
            json.contains("`▓▓▓░░░░░░░` 3 of ~10 PRs imported"),
            "{json}"
        );
    }

    #[test]
    fn every_setup_button_opens_a_modal_that_fits() {
        for id in action::SETUP {
            let topic = SetupTopic::from_action(id).unwrap();
            let json = serde_json::to_value(setup_info(topic)).unwrap();
            assert_eq!(json["type"], "modal");
            assert_eq!(json["callback_id"], crate::ids::callback::SETUP_INFO);
            assert!(json["title"]["text"].as_str().unwrap().chars().count() <= 24);
        }
        assert_eq!(SetupTopic::from_action("nope"), None);
    }

    #[test]
    fn progress_reads_like_a_person_would_say_it() {
        assert_eq!(
            progress_line(2_610, Some(4_300), "PRs imported"),
            "`▓▓▓▓▓▓░░░░` 2,610 of ~4,300 PRs imported"
        );
        assert_eq!(progress_line(12, None, "PRs imported"), "12 PRs imported");
        assert_eq!(
            progress_line(9_000, Some(5_000), "PRs"),
            "`▓▓▓▓▓▓▓▓▓▓` 9,000 of ~5,000 PRs"
        );
    }

    #[test]
    fn the_github_modal_fits_and_names_its_inputs() {
        let view = github_connect();
        assert!(validate(&view.blocks(), SurfaceKind::Modal).is_ok());
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["callback_id"], crate::ids::callback::GITHUB_CONNECT);
        assert_eq!(json["blocks"][1]["block_id"], crate::ids::input::GITHUB_ORG);
        assert_eq!(
            json["blocks"][2]["element"]["action_id"],
            crate::ids::input::GITHUB_TOKEN_VALUE
        );
    }

    #[test]
    fn the_developer_welcome_fits_and_names_the_workspace() {
        let view = developer_welcome("Acme");
        assert!(validate(&view.blocks(), SurfaceKind::Home).is_ok());
        assert!(serde_json::to_string(&view).unwrap().contains("*Acme*"));
    }
}

/// Why someone is an aimpact admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminSource {
    /// They installed aimpact.
    Installer,
    /// Slack says they are a workspace admin or owner; it follows Slack.
    Slack,
    /// Another admin added them (that admin's Slack id, when known).
    Added(Option<String>),
}

/// The admins modal: who is an admin and why, and a form to add or
/// remove one.
pub fn admins_modal(admins: &[(String, AdminSource)]) -> Surface {
    use crate::ids::{callback, input};
    use crate::kit::{InputElement, OptionObject, PlainText, RadioButtons, UsersSelect};
    let mut s = Surface::modal("Admins")
        .with_submit("Save")
        .with_close("Cancel");
    let lines: Vec<String> = admins
        .iter()
        .take(50)
        .map(|(user, source)| {
            let why = match source {
                AdminSource::Installer => "installed aimpact".to_string(),
                AdminSource::Slack => "Slack workspace admin (follows Slack)".to_string(),
                AdminSource::Added(Some(by)) => format!("added by <@{by}>"),
                AdminSource::Added(None) => "added in aimpact".to_string(),
            };
            format!("• <@{user}> — {why}")
        })
        .collect();
    let list = if lines.is_empty() {
        "No one is an admin yet besides Slack's workspace admins.".to_string()
    } else {
        lines.join("\n")
    };
    s.push(Block::section(&format!(
        "*Admins see everyone's numbers and change settings.*\n{list}"
    )));
    s.push(Block::input(
        input::ADMIN_USER,
        "Person",
        InputElement::Users(UsersSelect {
            action_id: input::ADMIN_USER_VALUE.to_string(),
            placeholder: Some(PlainText::new("Choose a Slack user")),
            initial_user: None,
        }),
        false,
    ));
    let grant = OptionObject::new("Make admin", input::GRANT);
    s.push(Block::input(
        input::ADMIN_ACTION,
        "Action",
        InputElement::Radio(RadioButtons {
            action_id: input::ADMIN_ACTION_VALUE.to_string(),
            initial_option: Some(grant.clone()),
            options: vec![grant, OptionObject::new("Remove as admin", input::REVOKE)],
        }),
        false,
    ));
    s.push(Block::context(
        "Slack's workspace admins and owners are aimpact admins for as long as Slack says so; \
         change that in Slack. You cannot remove yourself.",
    ));
    match s.clone().with_callback_id(callback::ADMINS) {
        Ok(with_id) => with_id,
        Err(_) => s,
    }
}
