//! Discovery (projects, fields) and the issue sync: JQL on `updated`
//! through `/rest/api/3/search/jql` with `nextPageToken` (Cloud), the bulk
//! changelog for status histories, sprints from the Agile API, people
//! matched by email or a unique name, and issue keys linked to PRs.
//!
//! Frugal by design (docs/platform.md D3): only the stored fields are asked
//! for, histories come in one bulk call per page, and a checkpoint per
//! project lets a restart continue where it stopped.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::client::{Flavor, JiraClient, JiraError};
use crate::domain::{OrgId, PersonId, Provider};
use crate::metrics::jira::{self as m, FieldInfo, StatusCategory, Transition};
use crate::store::jira::{self as store, IssueRow, SprintRow, TransitionRow};
use crate::store::people::{self, LinkSource};
use crate::store::sync_state::{self, SyncState};
use crate::store::{Db, StoreError, integrations, unix_now};

/// The integration setting saying whether an admin chose the projects.
pub const PROJECTS_SETTING: &str = "projects";
/// [`PROJECTS_SETTING`]: only the chosen ones sync.
pub const PROJECTS_CHOSEN: &str = "chosen";

/// Issues per search page.
pub const PAGE: u64 = 100;
/// Overlap of incremental windows: JQL dates have minute precision and the
/// site's time zone; upserts make the overlap harmless.
const OVERLAP_SECS: i64 = 86_400;

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Jira refused or failed.
    #[error(transparent)]
    Jira(#[from] JiraError),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Store(e.into())
    }
}

/// Full window or since the last cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The last `days` days.
    Full {
        /// Window.
        days: u32,
    },
    /// Since the last run (or the window on the first).
    Incremental {
        /// Window for a first run.
        days: u32,
    },
}

/// Progress of one project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Issues stored in this run.
    pub done: i64,
    /// Issues the JQL matches, when Jira says.
    pub total: Option<i64>,
}

/// Imports projects and finds the story points and sprint fields.
pub async fn discover(client: &JiraClient, db: &Db, org: OrgId) -> Result<usize, SyncError> {
    let mut projects = Vec::new();
    match client.flavor() {
        Flavor::Cloud => {
            let mut start = 0;
            let mut pages = crate::bounds::Pages::new("Jira's projects", 2_000);
            loop {
                let page = client
                    .get(
                        &client.api(&format!("project/search?maxResults=50&startAt={start}")),
                        50,
                        "the projects",
                    )
                    .await?;
                let values = page["values"].as_array().cloned().unwrap_or_default();
                start += values.len();
                let n = values.len();
                projects.extend(values);
                let next = start.to_string();
                let more = page["isLast"].as_bool() == Some(false);
                if !pages
                    .follow(n, more.then_some(next.as_str()))
                    .map_err(JiraError::from)?
                {
                    break;
                }
            }
        }
        Flavor::DataCenter => {
            let page = client
                .get(&client.api("project"), 50, "the projects")
                .await?;
            projects.extend(page.as_array().cloned().unwrap_or_default());
        }
    }
    let fields = client.get(&client.api("field"), 50, "the fields").await?;
    let infos: Vec<FieldInfo> = fields
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            Some(FieldInfo {
                id: f["id"].as_str()?.to_string(),
                name: f["name"].as_str()?.to_string(),
                custom: f
                    .pointer("/schema/custom")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
        })
        .collect();
    let mut tx = db.begin_write().await?;
    // Like repositories: every project counts until an admin chooses a set;
    // after that, new projects wait to be chosen.
    let chosen_only = integrations::get(&mut tx, org, "jira")
        .await?
        .is_some_and(|i| i.setting(PROJECTS_SETTING) == PROJECTS_CHOSEN);
    let known: std::collections::HashSet<String> = store::projects(&mut tx, org)
        .await?
        .into_iter()
        .map(|p| p.jira_id)
        .collect();
    for p in &projects {
        let (Some(id), Some(key), Some(name)) =
            (p["id"].as_str(), p["key"].as_str(), p["name"].as_str())
        else {
            continue;
        };
        let project = store::upsert_project(&mut tx, org, id, key, name).await?;
        if !known.contains(id) {
            store::set_selected(&mut tx, org, project, !chosen_only).await?;
        }
    }
    integrations::merge_settings(
        &mut tx,
        org,
        "jira",
        &json!({
            "story_points_field": m::story_points_field(&infos),
            "sprint_field": m::sprint_field(&infos),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(projects.len())
}

/// A Jira timestamp (`2024-01-02T03:04:05.000+0000` and RFC 3339) as
/// Unix seconds; `None` for anything else.
pub fn instant(v: &Value) -> Option<i64> {
    let s = v.as_str()?;
    chrono::DateTime::parse_from_rfc3339(s)
        .or_else(|_| chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.timestamp())
}

/// Status id → category, for changelog entries (which name the status).
async fn status_categories(
    client: &JiraClient,
) -> Result<HashMap<String, StatusCategory>, SyncError> {
    let all = client
        .get(&client.api("status"), 50, "the statuses")
        .await?;
    Ok(all
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let id = s["id"].as_str()?.to_string();
            let cat = StatusCategory::from_jira_key(s.pointer("/statusCategory/key")?.as_str()?)?;
            Some((id, cat))
        })
        .collect())
}

/// The person behind a Jira user: their linked account, else the person
/// with their (visible) email, else the one person with exactly their
/// name; nobody gets a second Jira account. Others become a person of
/// their own, listed for the admin's mapping.
async fn person_for(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    user: &Value,
    seen: &mut HashMap<String, PersonId>,
) -> Result<Option<PersonId>, StoreError> {
    let Some(account) = user["accountId"].as_str().or(user["key"].as_str()) else {
        return Ok(None);
    };
    if let Some(p) = seen.get(account) {
        return Ok(Some(*p));
    }
    let name = user["displayName"].as_str().unwrap_or(account).to_string();
    let found = match people::find_by_identity(&mut *conn, org, Provider::Jira, account).await? {
        Some(p) => Some(p.id),
        None => {
            let by_email = match user["emailAddress"].as_str().filter(|e| e.contains('@')) {
                Some(email) => {
                    match people::find_by_identity(
                        &mut *conn,
                        org,
                        Provider::Email,
                        &email.to_lowercase(),
                    )
                    .await?
                    {
                        Some(p)
                            if !people::has_identity(&mut *conn, org, p.id, Provider::Jira)
                                .await? =>
                        {
                            Some(p.id)
                        }
                        _ => None,
                    }
                }
                None => None,
            };
            let matched = match by_email {
                Some(p) => Some(p),
                None => {
                    people::unique_by_name_without(&mut *conn, org, &name, Provider::Jira).await?
                }
            };
            let person = match matched {
                Some(p) => p,
                None => people::create(&mut *conn, org, &name, false).await?,
            };
            people::link_identity(
                &mut *conn,
                org,
                person,
                Provider::Jira,
                account,
                Some(&name),
                LinkSource::Auto,
            )
            .await?;
            if let Some(email) = user["emailAddress"].as_str().filter(|e| e.contains('@')) {
                people::add_email_if_free(&mut *conn, org, person, email).await?;
            }
            Some(person)
        }
    };
    if let Some(p) = found {
        seen.insert(account.to_string(), p);
    }
    Ok(found)
}

/// Histories of a page's issues: issue id → status transitions.
async fn histories(
    client: &JiraClient,
    ids: &[String],
    statuses: &HashMap<String, StatusCategory>,
) -> Result<HashMap<String, Vec<TransitionRow>>, SyncError> {
    let mut out: HashMap<String, Vec<TransitionRow>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut token: Option<String> = None;
    let mut pages = crate::bounds::Pages::new("Jira's changelogs", 10_000);
    loop {
        let mut body = json!({ "issueIdsOrKeys": ids, "fieldIds": ["status"], "maxResults": 1000 });
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let page = client
            .post(
                &client.api("changelog/bulkfetch"),
                &body,
                ids.len() as u64,
                "the changelogs",
            )
            .await?;
        let logs = page["issueChangeLogs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for log in &logs {
            let Some(issue) = log["issueId"].as_str() else {
                continue;
            };
            let rows = out.entry(issue.to_string()).or_default();
            rows.extend(transitions_of(&log["changeHistories"], statuses));
        }
        token = page["nextPageToken"].as_str().map(str::to_string);
        if !pages
            .follow(logs.len(), token.as_deref())
            .map_err(JiraError::from)?
        {
            break;
        }
    }
    Ok(out)
}

/// Status transitions in a changelog's `histories` (Jira's JSON), for
/// statuses whose category is known; anything malformed is skipped.
pub fn transitions_of(
    histories: &Value,
    statuses: &HashMap<String, StatusCategory>,
) -> Vec<TransitionRow> {
    let mut rows = Vec::new();
    for h in histories.as_array().into_iter().flatten() {
        let (Some(id), Some(at)) = (h["id"].as_str(), instant(&h["created"])) else {
            continue;
        };
        for item in h["items"].as_array().into_iter().flatten() {
            let is_status = item["fieldId"] == "status" || item["field"] == "status";
            let Some(to) = item["to"].as_str().filter(|_| is_status) else {
                continue;
            };
            let Some(category) = statuses.get(to) else {
                continue;
            };
            rows.push(TransitionRow {
                changelog_id: id.to_string(),
                from_status: item["fromString"].as_str().map(str::to_string),
                to_status: item["toString"].as_str().unwrap_or(to).to_string(),
                to_category: category.as_str().to_string(),
                at,
            });
        }
    }
    rows
}

fn category_of(s: &str) -> Option<StatusCategory> {
    match s {
        "todo" => Some(StatusCategory::ToDo),
        "in_progress" => Some(StatusCategory::InProgress),
        "done" => Some(StatusCategory::Done),
        _ => None,
    }
}

fn jql_date(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// What one project sync needs to know about the site.
struct Site {
    statuses: HashMap<String, StatusCategory>,
    story_points: Option<String>,
    sprint: Option<String>,
}

fn scope(key: &str) -> String {
    format!("project:{key}")
}

/// Syncs one project; resumable from its checkpoint.
async fn sync_project(
    client: &JiraClient,
    db: &Db,
    org: OrgId,
    project: &store::Project,
    site: &Site,
    mode: Mode,
    progress: &(dyn Fn(&str, Progress) + Sync),
) -> Result<i64, SyncError> {
    let mut conn = db.pool().acquire().await?;
    let previous = sync_state::get(&mut conn, org, "jira", &scope(&project.key)).await?;
    drop(conn);
    let started = unix_now();
    let days = match mode {
        Mode::Full { days } | Mode::Incremental { days } => i64::from(days),
    };
    let window = started - days * 86_400;
    let resuming = previous
        .as_ref()
        .filter(|s| s.status == "running" && s.checkpoint.is_some());
    let checkpoint: Value = resuming
        .and_then(|s| s.checkpoint.as_deref())
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or(Value::Null);
    let since = match checkpoint["since"].as_i64() {
        Some(since) => since,
        None => match (mode, previous.as_ref().and_then(|s| s.cursor.as_deref())) {
            (Mode::Incremental { .. }, Some(c)) => {
                c.parse::<i64>().map(|c| c - OVERLAP_SECS).unwrap_or(window)
            }
            _ => window,
        },
    };
    let run_started = checkpoint["run_started"].as_i64().unwrap_or(started);
    let mut token = checkpoint["next"].as_str().map(str::to_string);
    let mut done = if token.is_some() {
        resuming.map_or(0, |s| s.items_done)
    } else {
        0
    };
    let jql = format!(
        "project = \"{}\" AND updated >= \"{}\" ORDER BY updated ASC",
        project.key.replace('"', ""),
        jql_date(since)
    );
    let mut fields = vec![
        "summary",
        "status",
        "issuetype",
        "assignee",
        "created",
        "updated",
    ];
    if let Some(sp) = &site.story_points {
        fields.push(sp);
    }
    if let Some(sprint) = &site.sprint {
        fields.push(sprint);
    }
    let total = if client.flavor() == Flavor::Cloud && token.is_none() {
        client
            .post(
                &client.api("search/approximate-count"),
                &json!({ "jql": jql }),
                0,
                "the issue count",
            )
            .await
            .ok()
            .and_then(|v| v["count"].as_i64())
    } else {
        resuming.and_then(|s| s.items_total)
    };
    let save = |status: &str, next: Option<&str>, done: i64, cursor: Option<String>| SyncState {
        source: "jira".into(),
        scope: scope(&project.key),
        status: status.into(),
        cursor,
        checkpoint: next
            .map(|n| json!({ "next": n, "since": since, "run_started": run_started }).to_string()),
        items_done: done,
        items_total: total,
        last_error: None,
    };
    let old_cursor = previous.as_ref().and_then(|s| s.cursor.clone());
    {
        let mut conn = db.begin_write().await?;
        sync_state::save(
            &mut conn,
            org,
            &save("running", token.as_deref(), done, old_cursor.clone()),
        )
        .await?;
        conn.commit().await?;
    }
    let mut people_seen: HashMap<String, PersonId> = HashMap::new();
    let mut start_at = 0u64;
    // 100 issues a page: a million issues in one project.
    let mut pages = crate::bounds::Pages::new("a Jira project's issues", 10_000);
    loop {
        let page = match client.flavor() {
            Flavor::Cloud => {
                let mut body = json!({ "jql": jql, "fields": fields, "maxResults": PAGE });
                if let Some(t) = &token {
                    body["nextPageToken"] = json!(t);
                }
                client
                    .post(&client.api("search/jql"), &body, PAGE, "the issues")
                    .await?
            }
            Flavor::DataCenter => {
                let path = format!(
                    "{}?jql={}&startAt={start_at}&maxResults={PAGE}&fields={}&expand=changelog",
                    client.api("search"),
                    url::form_urlencoded::byte_serialize(jql.as_bytes()).collect::<String>(),
                    fields.join(",")
                );
                client.get(&path, PAGE, "the issues").await?
            }
        };
        let issues = page["issues"].as_array().cloned().unwrap_or_default();
        let ids: Vec<String> = issues
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_string))
            .collect();
        let mut history = match client.flavor() {
            Flavor::Cloud => histories(client, &ids, &site.statuses).await?,
            Flavor::DataCenter => issues
                .iter()
                .filter_map(|i| {
                    Some((
                        i["id"].as_str()?.to_string(),
                        transitions_of(&i["changelog"]["histories"], &site.statuses),
                    ))
                })
                .collect(),
        };
        let mut tx = db.begin_write().await?;
        for issue in &issues {
            let (Some(id), Some(key)) = (issue["id"].as_str(), issue["key"].as_str()) else {
                continue;
            };
            let f = &issue["fields"];
            let rows = history.remove(id).unwrap_or_default();
            let assignee = match f["assignee"].is_object() {
                true => person_for(&mut tx, org, &f["assignee"], &mut people_seen).await?,
                false => None,
            };
            let mut row = IssueRow {
                jira_id: id.to_string(),
                issue_key: key.to_string(),
                summary: f["summary"].as_str().unwrap_or_default().to_string(),
                status_category: f
                    .pointer("/status/statusCategory/key")
                    .and_then(Value::as_str)
                    .and_then(StatusCategory::from_jira_key)
                    .map(|c| c.as_str().to_string()),
                story_points: site
                    .story_points
                    .as_ref()
                    .and_then(|sp| f[sp.as_str()].as_f64()),
                jira_created_at: instant(&f["created"]).unwrap_or(0),
                jira_updated_at: instant(&f["updated"]).unwrap_or(0),
                status: f
                    .pointer("/status/name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                issue_type: f
                    .pointer("/issuetype/name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                assignee_account_id: f
                    .pointer("/assignee/accountId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                assignee_person_id: assignee,
                ..IssueRow::default()
            };
            let issue_id = store::upsert_issue(&mut tx, org, project.id, &row).await?;
            store::add_transitions(&mut tx, org, issue_id, &rows).await?;
            // Cycle from every stored transition (a history is complete,
            // but an earlier run may have kept entries a page missed).
            let all = store::transitions(&mut tx, org, issue_id).await?;
            let cycle = m::cycle(
                &all.iter()
                    .filter_map(|t| {
                        Some(Transition {
                            at: t.at,
                            to: category_of(&t.to_category)?,
                        })
                    })
                    .collect::<Vec<_>>(),
            );
            if cycle.started_at.is_some() || cycle.done_at.is_some() {
                row.started_at = cycle.started_at;
                row.done_at = cycle.done_at;
                store::upsert_issue(&mut tx, org, project.id, &row).await?;
            }
            if let Some(sprint_field) = &site.sprint {
                for s in f[sprint_field.as_str()].as_array().into_iter().flatten() {
                    let Some(sid) = s["id"]
                        .as_i64()
                        .map(|i| i.to_string())
                        .or(s["id"].as_str().map(str::to_string))
                    else {
                        continue;
                    };
                    let sprint = store::upsert_sprint(
                        &mut tx,
                        org,
                        &SprintRow {
                            jira_id: sid,
                            board_id: s["boardId"].as_i64().map(|b| b.to_string()),
                            name: s["name"].as_str().unwrap_or("Sprint").to_string(),
                            state: s["state"].as_str().unwrap_or("closed").to_lowercase(),
                            start_at: instant(&s["startDate"]),
                            end_at: instant(&s["endDate"]),
                            complete_at: instant(&s["completeDate"]),
                        },
                    )
                    .await?;
                    store::link_sprint(&mut tx, org, issue_id, sprint).await?;
                }
            }
            done += 1;
        }
        start_at += issues.len() as u64;
        token = match client.flavor() {
            Flavor::Cloud => page["nextPageToken"].as_str().map(str::to_string),
            Flavor::DataCenter => {
                let total = page["total"].as_u64().unwrap_or(0);
                (start_at < total && !issues.is_empty()).then(|| start_at.to_string())
            }
        };
        // Before storing the cursor: a page that would not end is an error,
        // not a checkpoint to resume from.
        pages
            .follow(issues.len(), token.as_deref())
            .map_err(JiraError::from)?;
        let finished = token.is_none();
        let state = if finished {
            save("done", None, done, Some(run_started.to_string()))
        } else {
            save("running", token.as_deref(), done, old_cursor.clone())
        };
        sync_state::save(&mut tx, org, &state).await?;
        tx.commit().await?;
        progress(&project.key, Progress { done, total });
        if finished {
            break;
        }
    }
    Ok(done)
}

/// Sprints of the project's boards (Agile API), so sprints without
/// issues in the window still show with their dates.
async fn board_sprints(
    client: &JiraClient,
    db: &Db,
    org: OrgId,
    key: &str,
) -> Result<(), SyncError> {
    let boards = client
        .get(
            &format!("rest/agile/1.0/board?projectKeyOrId={key}"),
            50,
            "the boards",
        )
        .await?;
    for board in boards["values"].as_array().into_iter().flatten() {
        let Some(board_id) = board["id"].as_i64() else {
            continue;
        };
        let mut start = 0;
        let mut pages = crate::bounds::Pages::new("a Jira board's sprints", 2_000);
        loop {
            let page = client
                .get(
                    &format!(
                        "rest/agile/1.0/board/{board_id}/sprint?state=active,closed&startAt={start}"
                    ),
                    50,
                    "the sprints",
                )
                .await?;
            let values = page["values"].as_array().cloned().unwrap_or_default();
            let mut tx = db.begin_write().await?;
            for s in &values {
                let Some(id) = s["id"].as_i64() else { continue };
                store::upsert_sprint(
                    &mut tx,
                    org,
                    &SprintRow {
                        jira_id: id.to_string(),
                        board_id: Some(board_id.to_string()),
                        name: s["name"].as_str().unwrap_or("Sprint").to_string(),
                        state: s["state"].as_str().unwrap_or("closed").to_string(),
                        start_at: instant(&s["startDate"]),
                        end_at: instant(&s["endDate"]),
                        complete_at: instant(&s["completeDate"]),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            start += values.len();
            let next = start.to_string();
            let more = page["isLast"].as_bool() == Some(false);
            if !pages
                .follow(values.len(), more.then_some(next.as_str()))
                .map_err(JiraError::from)?
            {
                break;
            }
        }
    }
    Ok(())
}

/// Links PRs to the issue keys their title, branch or body mention.
pub async fn link_prs(db: &Db, org: OrgId) -> Result<usize, SyncError> {
    let mut tx = db.begin_write().await?;
    let projects = store::projects(&mut tx, org).await?;
    let keys: Vec<&str> = projects.iter().map(|p| p.key.as_str()).collect();
    if keys.is_empty() {
        return Ok(0);
    }
    let mut links = 0;
    for (id, title, branch, body) in store::pr_texts(&mut tx, org).await? {
        for key in m::pr_issue_keys(&title, &branch, &body, &keys) {
            store::link_pr(&mut tx, org, id, &key).await?;
            links += 1;
        }
    }
    tx.commit().await?;
    Ok(links)
}

/// Syncs every chosen project, then sprints and PR links. Returns the
/// issues stored.
pub async fn sync_org(
    client: &JiraClient,
    db: &Db,
    org: OrgId,
    mode: Mode,
    progress: &(dyn Fn(&str, Progress) + Sync),
) -> Result<i64, SyncError> {
    let mut conn = db.pool().acquire().await?;
    let integration = integrations::get(&mut conn, org, "jira").await?;
    let projects: Vec<_> = store::projects(&mut conn, org)
        .await?
        .into_iter()
        .filter(|p| p.is_selected)
        .collect();
    drop(conn);
    let setting = |k: &str| {
        integration
            .as_ref()
            .and_then(|i| i.setting(k).as_str().map(str::to_string))
    };
    let site = Site {
        statuses: status_categories(client).await?,
        story_points: setting("story_points_override").or_else(|| setting("story_points_field")),
        sprint: setting("sprint_field"),
    };
    let mut stored = 0;
    for project in &projects {
        stored += sync_project(client, db, org, project, &site, mode, progress).await?;
        if client.flavor() == Flavor::Cloud {
            // Boards need Jira Software; a site without it still syncs.
            if let Err(e) = board_sprints(client, db, org, &project.key).await {
                tracing::info!(project = %project.key, error = %e, "no sprints from the Agile API");
            }
        }
    }
    link_prs(db, org).await?;
    Ok(stored)
}
