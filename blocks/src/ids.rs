//! Stable ids shared by the views that show a control and the listeners that
//! handle it, so the two cannot drift apart (docs/style.md, convention 3).

/// `action_id`s of buttons and selects.
pub mod action {
    /// App Home checklist: connect GitHub.
    pub const SETUP_GITHUB: &str = "setup_github";
    /// App Home checklist: choose repositories.
    pub const SETUP_REPOS: &str = "setup_repos";
    /// App Home checklist: connect Jira.
    pub const SETUP_JIRA: &str = "setup_jira";
    /// App Home checklist: match people across GitHub, Slack and Jira.
    pub const SETUP_PEOPLE: &str = "setup_people";
    /// App Home checklist: survey settings.
    pub const SETUP_SURVEYS: &str = "setup_surveys";
    /// App Home checklist: leaderboard settings.
    pub const SETUP_LEADERBOARD: &str = "setup_leaderboard";
    /// App Home: sync GitHub now.
    pub const SYNC_GITHUB: &str = "sync_github";
    /// The link button to the GitHub App's install page.
    pub const GITHUB_APP_INSTALL: &str = "github_app_install";
    /// The link button to Atlassian's consent page.
    pub const JIRA_OAUTH: &str = "jira_oauth";
    /// Dashboards: the range picker (`7d`, `30d`, `90d`).
    pub const METRICS_RANGE: &str = "metrics_range";
    /// Dashboards: the team picker (leads and admins).
    pub const METRICS_TEAM: &str = "metrics_team";
    /// `/metrics` answers: post the same view in the channel.
    pub const METRICS_SHARE: &str = "metrics_share";
    /// Author survey: "No AI" (value `"<survey id>:none"`).
    pub const SURVEY_AUTHOR_NONE: &str = "survey_author_none";
    /// Author survey: "Some parts".
    pub const SURVEY_AUTHOR_SOME: &str = "survey_author_some";
    /// Author survey: "Mostly AI".
    pub const SURVEY_AUTHOR_MOST: &str = "survey_author_most";
    /// Author survey: the optional tool picker (option value `"<survey id>:<tool>"`).
    pub const SURVEY_TOOL: &str = "survey_tool";
    /// Reviewer survey: quality 1–5 (value `"<review id>:<n>"`).
    pub const SURVEY_RATING: [&str; 5] =
        ["rating_1", "rating_2", "rating_3", "rating_4", "rating_5"];
    /// Reviewer survey: "Yes, I think so" (value `"<review id>:yes"`).
    pub const SURVEY_GUESS_YES: &str = "guess_yes";
    /// Reviewer survey: "No".
    pub const SURVEY_GUESS_NO: &str = "guess_no";
    /// "Stop these surveys" (value `"author:<id>"` or `"reviewer:<id>"`, or
    /// `"home"` from App Home).
    pub const SURVEY_OPT_OUT: &str = "survey_opt_out";
    /// "Send me surveys again" (App Home).
    pub const SURVEY_OPT_IN: &str = "survey_opt_in";
    /// Admin App Home: open the survey settings.
    pub const SURVEY_SETTINGS: &str = "survey_settings_open";
    /// Admin App Home: open the people mapping.
    pub const PEOPLE_MAP: &str = "people_map_open";
    /// Admin App Home: open the admins modal.
    pub const ADMINS_OPEN: &str = "admins_open";
    /// App Home: leave me out of the leaderboard.
    pub const LEADERBOARD_OPT_OUT: &str = "leaderboard_opt_out";
    /// App Home: rank me on the leaderboard again.
    pub const LEADERBOARD_OPT_IN: &str = "leaderboard_opt_in";
    /// "Report AI issue" on App Home (value `"home"`) and on a survey DM
    /// after an AI answer (value `"author:<survey id>"`).
    pub const FEEDBACK_REPORT: &str = "feedback_report";
    /// `/metrics feedback` (admins): open the pull request for a suggested
    /// rule (value: the suggestion's id).
    pub const FEEDBACK_SHIP: &str = "feedback_ship";
    /// Every setup button, for listener registration.
    pub const SETUP: [&str; 6] = [
        SETUP_GITHUB,
        SETUP_REPOS,
        SETUP_JIRA,
        SETUP_PEOPLE,
        SETUP_SURVEYS,
        SETUP_LEADERBOARD,
    ];
}

/// `callback_id`s of modals and shortcuts.
pub mod callback {
    /// Message shortcut "Report AI issue" (declared in manifest.yml).
    pub const REPORT_AI_ISSUE: &str = "report_ai_issue";
    /// The modal an admin ships a suggested rule from.
    pub const FEEDBACK_SHIP: &str = "feedback_ship";
    /// Modal explaining a setup step that needs an operator.
    pub const SETUP_INFO: &str = "setup_info";
    /// Modal connecting GitHub with an organisation and a token.
    pub const GITHUB_CONNECT: &str = "github_connect";
    /// Modal sending the admin to install the GitHub App.
    pub const GITHUB_APP_INSTALL: &str = "github_app_install";
    /// Modal choosing the tracked repositories.
    pub const REPOS_CHOOSE: &str = "repos_choose";
    /// Modal connecting Jira with a site and a token.
    pub const JIRA_CONNECT: &str = "jira_connect";
    /// Modal sending the admin to Atlassian's consent page.
    pub const JIRA_OAUTH: &str = "jira_oauth";
    /// Modal choosing the synced Jira projects.
    pub const PROJECTS_CHOOSE: &str = "projects_choose";
    /// Modal with the org's survey settings.
    pub const SURVEY_SETTINGS: &str = "survey_settings";
    /// Modal mapping a GitHub person to a Slack user (or excluding them).
    pub const PEOPLE_MAP: &str = "people_map";
    /// Modal with the org's leaderboard settings.
    pub const LEADERBOARD_SETTINGS: &str = "leaderboard_settings";
    /// Modal listing aimpact's admins, adding or removing one.
    pub const ADMINS: &str = "admins";
    /// Informational modal shown after saving with a private channel.
    pub const LEADERBOARD_SAVED: &str = "leaderboard_saved";
}

/// `block_id`s and their inputs' `action_id`s in modals.
pub mod input {
    /// Ship a rule: the repository.
    pub const FEEDBACK_SHIP_REPO: &str = "feedback_ship_repo";
    /// Ship a rule: the repository select (value: the repository's id).
    pub const FEEDBACK_SHIP_REPO_VALUE: &str = "feedback_ship_repo_value";
    /// Report AI issue: what kind of problem.
    pub const FEEDBACK_CATEGORY: &str = "feedback_category";
    /// Report AI issue: the category select.
    pub const FEEDBACK_CATEGORY_VALUE: &str = "feedback_category_value";
    /// Report AI issue: which assistant.
    pub const FEEDBACK_TOOL: &str = "feedback_tool";
    /// Report AI issue: the tool select.
    pub const FEEDBACK_TOOL_VALUE: &str = "feedback_tool_value";
    /// Report AI issue: the pull request.
    pub const FEEDBACK_PR: &str = "feedback_pr";
    /// Report AI issue: the PR search (options URL; option value is the
    /// pull request's id in the org).
    pub const FEEDBACK_PR_VALUE: &str = "feedback_pr_value";
    /// Report AI issue: what happened.
    pub const FEEDBACK_TEXT: &str = "feedback_text";
    /// Report AI issue: the free text.
    pub const FEEDBACK_TEXT_VALUE: &str = "feedback_text_value";
    /// GitHub organisation login (block).
    pub const GITHUB_ORG: &str = "github_org";
    /// GitHub organisation login (input).
    pub const GITHUB_ORG_VALUE: &str = "github_org_value";
    /// GitHub token (block).
    pub const GITHUB_TOKEN: &str = "github_token";
    /// GitHub token (input).
    pub const GITHUB_TOKEN_VALUE: &str = "github_token_value";
    /// Which repositories count: all active ones or a chosen set (block).
    pub const REPOS_MODE: &str = "repos_mode";
    /// Radio buttons of [`REPOS_MODE`].
    pub const REPOS_MODE_VALUE: &str = "repos_mode_value";
    /// The chosen repositories (block).
    pub const REPOS_PICK: &str = "repos_pick";
    /// The multi-select of [`REPOS_PICK`]; also the options-load id when
    /// the org has more repositories than a static select holds.
    pub const REPOS_PICK_VALUE: &str = "repos_pick_value";
    /// Jira site URL (block).
    pub const JIRA_SITE: &str = "jira_site";
    /// Jira site URL (input).
    pub const JIRA_SITE_VALUE: &str = "jira_site_value";
    /// Jira account email (block).
    pub const JIRA_EMAIL: &str = "jira_email";
    /// Jira account email (input).
    pub const JIRA_EMAIL_VALUE: &str = "jira_email_value";
    /// Jira token (block).
    pub const JIRA_TOKEN: &str = "jira_token";
    /// Jira token (input).
    pub const JIRA_TOKEN_VALUE: &str = "jira_token_value";
    /// Which projects sync (block).
    pub const PROJECTS_MODE: &str = "projects_mode";
    /// Radio buttons of [`PROJECTS_MODE`].
    pub const PROJECTS_MODE_VALUE: &str = "projects_mode_value";
    /// The chosen projects (block).
    pub const PROJECTS_PICK: &str = "projects_pick";
    /// The multi-select of [`PROJECTS_PICK`] (and its options-load id).
    pub const PROJECTS_PICK_VALUE: &str = "projects_pick_value";
    /// Story points field override (block).
    pub const JIRA_POINTS: &str = "jira_points";
    /// Story points field override (input).
    pub const JIRA_POINTS_VALUE: &str = "jira_points_value";
    /// [`REPOS_MODE_VALUE`]'s value for "all active repositories".
    pub const REPOS_ALL: &str = "all";
    /// [`REPOS_MODE_VALUE`]'s value for "only the ones I choose".
    pub const REPOS_CHOSEN: &str = "chosen";
    /// Survey settings: on/off.
    pub const SURVEYS_ENABLED: &str = "surveys_enabled";
    /// Its radio buttons.
    pub const SURVEYS_ENABLED_VALUE: &str = "surveys_enabled_value";
    /// Survey settings: reminder on/off.
    pub const SURVEYS_REMINDERS: &str = "surveys_reminders";
    /// Its radio buttons.
    pub const SURVEYS_REMINDERS_VALUE: &str = "surveys_reminders_value";
    /// Survey settings: repositories surveyed (none chosen = all tracked).
    pub const SURVEYS_REPOS: &str = "surveys_repos";
    /// Its multi-select.
    pub const SURVEYS_REPOS_VALUE: &str = "surveys_repos_value";
    /// People modal: the GitHub person.
    pub const MAP_PERSON: &str = "map_person";
    /// Its select.
    pub const MAP_PERSON_VALUE: &str = "map_person_value";
    /// People modal: the Slack user.
    pub const MAP_SLACK_USER: &str = "map_slack_user";
    /// Its users select.
    pub const MAP_SLACK_USER_VALUE: &str = "map_slack_user_value";
    /// People modal: map, exclude or include.
    pub const MAP_ACTION: &str = "map_action";
    /// Its radio buttons.
    pub const MAP_ACTION_VALUE: &str = "map_action_value";
    /// Leaderboard settings: on/off.
    pub const LEADERBOARD_ENABLED: &str = "leaderboard_enabled";
    /// Its radio buttons.
    pub const LEADERBOARD_ENABLED_VALUE: &str = "leaderboard_enabled_value";
    /// Leaderboard settings: the channel.
    pub const LEADERBOARD_CHANNEL: &str = "leaderboard_channel";
    /// Its conversations select.
    pub const LEADERBOARD_CHANNEL_VALUE: &str = "leaderboard_channel_value";
    /// Leaderboard settings: the day of the week.
    pub const LEADERBOARD_DAY: &str = "leaderboard_day";
    /// Its select (values `1` Monday … `7` Sunday).
    pub const LEADERBOARD_DAY_VALUE: &str = "leaderboard_day_value";
    /// Leaderboard settings: the local time.
    pub const LEADERBOARD_TIME: &str = "leaderboard_time";
    /// Its timepicker.
    pub const LEADERBOARD_TIME_VALUE: &str = "leaderboard_time_value";
    /// Leaderboard settings: the org's time zone.
    pub const LEADERBOARD_ZONE: &str = "leaderboard_zone";
    /// Its external select (and options-load id), IANA names as values.
    pub const LEADERBOARD_ZONE_VALUE: &str = "leaderboard_zone_value";
    /// Leaderboard settings: the categories shown.
    pub const LEADERBOARD_CATEGORIES: &str = "leaderboard_categories";
    /// Its checkboxes.
    pub const LEADERBOARD_CATEGORIES_VALUE: &str = "leaderboard_categories_value";
    /// Radio value: on.
    pub const ON: &str = "on";
    /// Radio value: off.
    pub const OFF: &str = "off";
    /// People modal: map to the chosen Slack user.
    pub const MAP: &str = "map";
    /// People modal: exclude from metrics.
    pub const EXCLUDE: &str = "exclude";
    /// People modal: count in metrics again.
    pub const INCLUDE: &str = "include";
    /// Admins modal: the Slack user.
    pub const ADMIN_USER: &str = "admin_user";
    /// Its users select.
    pub const ADMIN_USER_VALUE: &str = "admin_user_value";
    /// Admins modal: add or remove.
    pub const ADMIN_ACTION: &str = "admin_action";
    /// Its radio buttons.
    pub const ADMIN_ACTION_VALUE: &str = "admin_action_value";
    /// Admins modal: make admin.
    pub const GRANT: &str = "grant";
    /// Admins modal: remove as admin.
    pub const REVOKE: &str = "revoke";
}
