//! The AI feedback loop: people report where an AI assistant went wrong
//! (`slack.rs` opens the form from the message shortcut, App Home, a survey
//! DM's button or a reaction on one, and stores what is submitted); the
//! report keeps the PR's repository and the languages of its changed files,
//! fetched once from GitHub. Patterns, rule suggestions and their effect
//! build on these reports.

pub mod files; // AGENTS.md and its wrappers for suggested rules (pure)
pub mod ship; // previewing and opening the pull request with those files
pub mod slack;
pub mod view;

use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::feedback::{self as store, ReportId};
use crate::store::pull_requests::{self, PrRef};

/// Where the form was opened from (stored with the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The message shortcut.
    Shortcut,
    /// App Home's button.
    Home,
    /// A survey DM's button.
    Survey,
    /// A reaction on a survey DM.
    Reaction,
}

impl Source {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Shortcut => "shortcut",
            Source::Home => "home",
            Source::Survey => "survey",
            Source::Reaction => "reaction",
        }
    }

    /// Reads a stored or round-tripped source.
    pub fn parse(s: &str) -> Option<Source> {
        [
            Source::Shortcut,
            Source::Home,
            Source::Survey,
            Source::Reaction,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// The first GitHub pull request link in `text`
/// (`https://github.com/owner/name/pull/123`, also inside Slack's `<…|…>`
/// link markup): `(owner, name, number)`.
pub fn pr_link(text: &str) -> Option<(String, String, i64)> {
    let mut rest = text;
    while let Some(at) = rest.find("github.com/") {
        rest = &rest[at + "github.com/".len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '>' | '|' | ')' | '"' | '\''))
            .unwrap_or(rest.len());
        let mut parts = rest[..end].split('/');
        let (Some(owner), Some(name), Some("pull"), Some(number)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
        let valid = |s: &str| {
            !s.is_empty()
                && s.len() <= 100
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if valid(owner)
            && valid(name)
            && let Ok(n) = digits.parse::<i64>()
            && n > 0
        {
            return Some((owner.to_string(), name.to_string(), n));
        }
    }
    None
}

/// The language of a changed file, by its name; `None` for files that are
/// not code (docs, lock files, images).
pub fn language_of(path: &str) -> Option<&'static str> {
    let file = path.rsplit('/').next().unwrap_or(path);
    if file == "Dockerfile" {
        return Some("Dockerfile");
    }
    let ext = file.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "rs" => "Rust",
        "py" | "pyi" => "Python",
        "ts" | "tsx" | "mts" | "cts" => "TypeScript",
        "js" | "jsx" | "mjs" | "cjs" => "JavaScript",
        "go" => "Go",
        "java" => "Java",
        "kt" | "kts" => "Kotlin",
        "swift" => "Swift",
        "rb" => "Ruby",
        "php" => "PHP",
        "cs" => "C#",
        "c" | "h" => "C",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" => "C++",
        "scala" => "Scala",
        "ex" | "exs" => "Elixir",
        "erl" => "Erlang",
        "hs" => "Haskell",
        "clj" | "cljs" => "Clojure",
        "dart" => "Dart",
        "lua" => "Lua",
        "r" => "R",
        "sql" => "SQL",
        "sh" | "bash" | "zsh" => "Shell",
        "tf" | "hcl" => "HCL",
        "vue" => "Vue",
        "svelte" => "Svelte",
        "css" | "scss" | "sass" | "less" => "CSS",
        "html" | "htm" => "HTML",
        "yml" | "yaml" => "YAML",
        "proto" => "Protocol Buffers",
        _ => return None,
    })
}

/// The languages of `paths`, most files first (ties by name).
pub fn languages(paths: &[String]) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in paths {
        if let Some(l) = language_of(p) {
            *counts.entry(l).or_default() += 1;
        }
    }
    let mut out: Vec<(&str, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out.into_iter().map(|(l, _)| l.to_string()).collect()
}

/// Changed files read per report (three pages of GitHub's 100).
const FILES_MAX_PAGES: usize = 3;

/// Fetches the changed files of the report's PR once and records their
/// languages; nothing when the report has no PR, GitHub is not connected,
/// or they were fetched already. A failure is logged and leaves the
/// languages unknown (the report itself is kept).
pub async fn fetch_languages(state: &AppState, org: OrgId, report: ReportId, pr: &PrRef) {
    let client = match crate::github::connect::client_for(
        &state.db,
        &state.keys,
        &state.config.github,
        org,
    )
    .await
    {
        Ok(Some((client, _))) => client,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(org_id = %org, error = %e, "no GitHub client for a report's languages");
            return;
        }
    };
    let mut paths = Vec::new();
    let mut next = Some(format!(
        "/repos/{}/pulls/{}/files?per_page=100",
        pr.repository, pr.number
    ));
    let mut pages = 0;
    while let Some(path) = next.take() {
        pages += 1;
        match client.get(&path, "the pull request's files").await {
            Ok((json, more)) => {
                for f in json.as_array().into_iter().flatten() {
                    if let Some(name) = f["filename"].as_str() {
                        paths.push(name.to_string());
                    }
                }
                if pages < FILES_MAX_PAGES {
                    next = more;
                }
            }
            Err(e) => {
                tracing::warn!(org_id = %org, error = %e, "could not read a reported PR's files");
                return;
            }
        }
    }
    let found = languages(&paths);
    match state.db.pool().acquire().await {
        Ok(mut conn) => {
            if let Err(e) = store::set_languages(&mut conn, org, report, &found).await {
                tracing::warn!(org_id = %org, error = %e, "could not store a report's languages");
            }
        }
        Err(e) => tracing::warn!(org_id = %org, error = %e, "could not store a report's languages"),
    }
}

/// Reports looked at for rule suggestions.
const SUGGEST_WINDOW_SECS: i64 = 90 * 86_400;

/// Re-counts the patterns of the last 90 days' reports and records a rule
/// suggestion for each with at least `metrics::rules::MIN_REPORTS`; the
/// admins (the installer and stored admins) get one DM per new suggestion.
/// Returns how many were new.
pub async fn refresh_suggestions(
    state: &AppState,
    org: &crate::store::orgs::Org,
) -> Result<usize, crate::store::StoreError> {
    use crate::metrics::rules::{MIN_REPORTS, suggestions};
    let now = state.clock.now();
    let mut conn = state.db.pool().acquire().await?;
    let reports = store::since(&mut conn, org.id, now - SUGGEST_WINDOW_SECS).await?;
    let facts: Vec<_> = reports.iter().map(view::fact).collect();
    let mut new = Vec::new();
    for s in suggestions(&facts, MIN_REPORTS) {
        if store::suggest(&mut conn, org.id, &s).await? {
            new.push(s);
        }
    }
    if new.is_empty() {
        return Ok(0);
    }
    let mut admins: Vec<String> = org.installed_by_slack_user_id.iter().cloned().collect();
    for (user, _) in crate::store::roles::admins(&mut conn, org.id).await? {
        if !admins.contains(&user) {
            admins.push(user);
        }
    }
    drop(conn);
    let slack = match crate::slack::client::for_org_if_installed(state, org).await {
        Ok(Some(slack)) => slack,
        Ok(None) => return Ok(new.len()),
        Err(e) => {
            tracing::warn!(org_id = %org.id, error = %e, "no Slack client to announce a rule suggestion");
            return Ok(new.len());
        }
    };
    for s in &new {
        let message = crate::surveys::body(
            &blocks::feedback::suggestion_dm(&s.evidence, &s.rule),
            "A new suggested rule for your AI assistants",
        );
        for admin in &admins {
            if let Err(e) = slack.post_message(admin, &message).await {
                tracing::warn!(org_id = %org.id, error = %e, "could not tell an admin about a rule suggestion");
            }
        }
    }
    tracing::info!(org_id = %org.id, new = new.len(), "rule suggestions ready");
    Ok(new.len())
}

/// The org's PR a message links to, if any.
pub async fn linked_pr(
    state: &AppState,
    org: OrgId,
    text: &str,
) -> Result<Option<PrRef>, crate::store::StoreError> {
    let Some((owner, name, number)) = pr_link(text) else {
        return Ok(None);
    };
    let mut conn = state.db.pool().acquire().await?;
    pull_requests::by_link(&mut conn, org, &owner, &name, number).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pr_link_is_found_in_plain_text_and_in_slack_markup() {
        assert_eq!(
            pr_link("see https://github.com/acme/api/pull/42 please"),
            Some(("acme".into(), "api".into(), 42))
        );
        assert_eq!(
            pr_link("<https://github.com/acme/payments-core/pull/7|acme/payments-core#7>"),
            Some(("acme".into(), "payments-core".into(), 7))
        );
        assert_eq!(
            pr_link("https://github.com/acme/api/pull/12/files#diff-1"),
            Some(("acme".into(), "api".into(), 12))
        );
        // The first valid link wins; issues and repositories are not PRs.
        assert_eq!(
            pr_link("https://github.com/acme/api/issues/3 and https://github.com/acme/web/pull/9"),
            Some(("acme".into(), "web".into(), 9))
        );
        assert_eq!(pr_link("https://github.com/acme/api"), None);
        assert_eq!(pr_link("https://github.com/acme/api/pull/0"), None);
        assert_eq!(pr_link("https://github.com/ac me/api/pull/4"), None);
        assert_eq!(pr_link(""), None);
    }

    #[test]
    fn languages_count_code_files_most_first() {
        let paths: Vec<String> = [
            "src/a.py",
            "src/b.py",
            "web/app.tsx",
            "README.md",
            "Cargo.lock",
            "deploy/Dockerfile",
            "logo.png",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(languages(&paths), ["Python", "Dockerfile", "TypeScript"]);
        assert!(languages(&[]).is_empty());
    }

    #[test]
    fn sources_round_trip() {
        for s in [
            Source::Shortcut,
            Source::Home,
            Source::Survey,
            Source::Reaction,
        ] {
            assert_eq!(Source::parse(s.as_str()), Some(s));
        }
        assert_eq!(Source::parse("forged"), None);
    }
}
