//! Shipping suggested rules to a repository through the org's GitHub
//! connection: read the current agent files, render the new ones
//! (`files.rs`), and open a pull request with exactly the files that change
//! (a branch from the default branch, one commit per file, then the PR).
//! A token that cannot write gets a clear error, and nothing is left half
//! done that a retry would trip over (the branch name is new each time).

use base64::Engine;
use serde_json::{Value, json};

use super::files::{Rule, render};
use crate::github::client::{GithubClient, GithubError};

/// What opening the pull request found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shipped {
    /// Every file already says what the rules say.
    UpToDate,
    /// The pull request, with the files it changes.
    Opened {
        /// Its web address.
        url: String,
        /// Its number.
        number: i64,
        /// The files it commits.
        files: Vec<String>,
    },
}

/// Why shipping failed.
#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    /// The connection may read but not write.
    #[error(
        "the GitHub connection cannot write to {0}: give the App (or the token) contents and pull requests write access"
    )]
    NoWriteAccess(String),
    /// Anything else GitHub said.
    #[error(transparent)]
    Github(#[from] GithubError),
    /// A file GitHub returned could not be read as text.
    #[error("{0} in {1} is not UTF-8 text")]
    NotText(String, String),
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// The current text and blob sha of `path` on `branch`; `None` when absent.
async fn current(
    client: &GithubClient,
    repo: &str,
    path: &str,
    branch: &str,
) -> Result<Option<(String, String)>, ShipError> {
    match client
        .get(&format!("/repos/{repo}/contents/{path}?ref={branch}"), path)
        .await
    {
        Ok((json, _)) => {
            let sha = json["sha"].as_str().unwrap_or_default().to_string();
            let raw: String = json["content"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(raw)
                .map_err(|_| ShipError::NotText(path.into(), repo.into()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| ShipError::NotText(path.into(), repo.into()))?;
            Ok(Some((text, sha)))
        }
        Err(GithubError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The files that would change in `repo` (`owner/name`): `(path, current,
/// new)`, for a preview.
pub async fn preview(
    client: &GithubClient,
    repo: &str,
    rules: &[Rule],
) -> Result<Vec<(String, Option<String>, String)>, ShipError> {
    let (meta, _) = client
        .get(&format!("/repos/{repo}"), "the repository")
        .await?;
    let branch = meta["default_branch"]
        .as_str()
        .unwrap_or("main")
        .to_string();
    let mut now = std::collections::HashMap::new();
    for path in super::files::PATHS {
        if let Some((text, _)) = current(client, repo, path, &branch).await? {
            now.insert(path.to_string(), text);
        }
    }
    Ok(render(|p| now.get(p).cloned(), rules)
        .into_iter()
        .map(|(path, next)| {
            let before = now.get(&path).cloned();
            (path, before, next)
        })
        .collect())
}

/// Opens a pull request in `repo` with the files `rules` change, on a new
/// branch named after `stamp` (e.g. the suggestion's id and time).
pub async fn open_pull_request(
    client: &GithubClient,
    repo: &str,
    rules: &[Rule],
    stamp: &str,
) -> Result<Shipped, ShipError> {
    let (meta, _) = client
        .get(&format!("/repos/{repo}"), "the repository")
        .await?;
    let base = meta["default_branch"]
        .as_str()
        .unwrap_or("main")
        .to_string();
    if meta["permissions"]["push"] == Value::Bool(false) {
        return Err(ShipError::NoWriteAccess(repo.into()));
    }
    let mut now = std::collections::HashMap::new();
    let mut shas = std::collections::HashMap::new();
    for path in super::files::PATHS {
        if let Some((text, sha)) = current(client, repo, path, &base).await? {
            now.insert(path.to_string(), text);
            shas.insert(path.to_string(), sha);
        }
    }
    let changes = render(|p| now.get(p).cloned(), rules);
    if changes.is_empty() {
        return Ok(Shipped::UpToDate);
    }
    let writing = |e: GithubError| match e {
        GithubError::Forbidden(_) | GithubError::NotFound(_) => {
            ShipError::NoWriteAccess(repo.to_string())
        }
        other => ShipError::Github(other),
    };
    let (head, _) = client
        .get(
            &format!("/repos/{repo}/git/ref/heads/{base}"),
            "the default branch",
        )
        .await?;
    let sha = head["object"]["sha"].as_str().unwrap_or_default();
    let branch = format!("{}{stamp}", crate::github::ingest::SHIPPED_RULES_BRANCH);
    client
        .post(
            &format!("/repos/{repo}/git/refs"),
            &json!({ "ref": format!("refs/heads/{branch}"), "sha": sha }),
            "a branch",
        )
        .await
        .map_err(writing)?;
    for (path, text) in &changes {
        let mut body = json!({
            "message": format!("aimpact: update {path} with the suggested rules"),
            "content": b64(text),
            "branch": branch,
        });
        if let Some(sha) = shas.get(path) {
            body["sha"] = json!(sha);
        }
        client
            .put(&format!("/repos/{repo}/contents/{path}"), &body, path)
            .await
            .map_err(writing)?;
    }
    let files: Vec<String> = changes.iter().map(|(p, _)| p.clone()).collect();
    let list: Vec<String> = files.iter().map(|f| format!("- `{f}`")).collect();
    let evidence: Vec<String> = rules.iter().map(|r| format!("- {}", r.evidence)).collect();
    let pr = client
        .post(
            &format!("/repos/{repo}/pulls"),
            &json!({
                "title": "Agent rules from reported AI issues (aimpact)",
                "head": branch,
                "base": base,
                "body": format!(
                    "Rules for AI coding assistants, from problems your team reported in Slack.\n\n{}\n\nFiles:\n{}\n\n`AGENTS.md` holds the rules in a generated section; the other files point each assistant at them.",
                    evidence.join("\n"),
                    list.join("\n")
                ),
            }),
            "a pull request",
        )
        .await
        .map_err(writing)?;
    Ok(Shipped::Opened {
        url: pr["html_url"].as_str().unwrap_or_default().to_string(),
        number: pr["number"].as_i64().unwrap_or_default(),
        files,
    })
}
