//! Orgs (Slack workspace installations): the only store module that may
//! query across tenants, because it is how a request finds its tenant.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, unix_now};
use crate::domain::OrgId;

/// One Slack workspace installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// The tenant id.
    pub id: OrgId,
    /// Slack's `team_id` (`T…`).
    pub slack_team_id: String,
    /// Workspace name as Slack reported it at install.
    pub name: String,
    /// IANA time zone used for weekly buckets and schedules.
    pub time_zone: String,
    /// Slack user who installed the app, the org's first admin.
    pub installed_by_slack_user_id: Option<String>,
    /// Set when the app was uninstalled; data is kept for a reinstall.
    pub uninstalled_at: Option<i64>,
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Org, sqlx::Error> {
    Ok(Org {
        id: OrgId::from_db(row.try_get("org_id")?),
        slack_team_id: row.try_get("slack_team_id")?,
        name: row.try_get("name")?,
        time_zone: row.try_get("time_zone")?,
        installed_by_slack_user_id: row.try_get("installed_by_slack_user_id")?,
        uninstalled_at: row.try_get("uninstalled_at")?,
    })
}

/// Creates the org for a Slack workspace, or refreshes its name and marks it
/// installed again after an uninstall. The first installer stays recorded.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn upsert_installation(
    conn: &mut AnyConnection,
    slack_team_id: &str,
    name: &str,
    installed_by: Option<&str>,
) -> StoreResult<Org> {
    const SQL: &str = "insert into org (slack_team_id, name, installed_by_slack_user_id, installed_at, created_at, updated_at)
        values ($1, $2, $3, $4, $4, $4)
        on conflict (slack_team_id) do update set
            name = excluded.name,
            installed_by_slack_user_id = coalesce(org.installed_by_slack_user_id, excluded.installed_by_slack_user_id),
            installed_at = excluded.installed_at,
            uninstalled_at = null,
            updated_at = excluded.updated_at
        returning org_id, slack_team_id, name, time_zone, installed_by_slack_user_id, uninstalled_at";
    let row = sqlx::query(SQL)
        .bind(slack_team_id)
        .bind(name)
        .bind(installed_by)
        .bind(unix_now())
        .fetch_one(conn)
        .await?;
    Ok(from_row(&row)?)
}

/// Finds the org of a Slack workspace.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_by_slack_team(
    conn: &mut AnyConnection,
    slack_team_id: &str,
) -> StoreResult<Option<Org>> {
    const SQL: &str =
        "select org_id, slack_team_id, name, time_zone, installed_by_slack_user_id, uninstalled_at
        from org where slack_team_id = $1";
    let row = sqlx::query(SQL)
        .bind(slack_team_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Loads one org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Org> {
    const SQL: &str =
        "select org_id, slack_team_id, name, time_zone, installed_by_slack_user_id, uninstalled_at
        from org where org_id = $1";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(from_row(&row)?)
}

/// Every org id, installed or not: for maintenance that visits each tenant
/// in turn (key rotation, sweeps), never for serving a request.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list_ids(conn: &mut AnyConnection) -> StoreResult<Vec<OrgId>> {
    const SQL: &str = "select org_id from org order by org_id";
    let ids: Vec<i64> = sqlx::query_scalar(SQL).fetch_all(conn).await?;
    Ok(ids.into_iter().map(OrgId::from_db).collect())
}

/// Installed orgs whose `kind` integration is connected (schedulers).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn with_connected(conn: &mut AnyConnection, kind: &str) -> StoreResult<Vec<OrgId>> {
    const SQL: &str = "select o.org_id from org o join integration i on i.org_id = o.org_id
        where i.kind = $1 and i.status = 'connected' and o.uninstalled_at is null
        order by o.org_id";
    let ids: Vec<i64> = sqlx::query_scalar(SQL).bind(kind).fetch_all(conn).await?;
    Ok(ids.into_iter().map(OrgId::from_db).collect())
}

/// Installed orgs with the weekly leaderboard switched on, with their
/// settings, in one query (the scheduler reads them every minute).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn with_leaderboard(
    conn: &mut AnyConnection,
) -> StoreResult<Vec<(OrgId, super::leaderboard::Settings)>> {
    let sql = format!(
        "select o.org_id, {} from org o join leaderboard_setting l on l.org_id = o.org_id
        where l.is_enabled = 1 and l.slack_channel_id is not null and o.uninstalled_at is null
        order by o.org_id",
        super::leaderboard::SETTINGS_COLUMNS
            .split(',')
            .map(|c| format!("l.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                OrgId::from_db(r.try_get("org_id")?),
                super::leaderboard::read_settings(r)?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The org whose Jira webhook token hashes to `token_hash`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_by_jira_webhook(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> StoreResult<Option<OrgId>> {
    // Few orgs have Jira; the settings are small JSON. A LIKE narrows the
    // rows and the exact check happens on the parsed value.
    const SQL: &str = "select org_id, settings from integration
        where kind = 'jira' and status = 'connected' and settings like $1";
    let rows = sqlx::query(SQL)
        .bind(format!("%{token_hash}%"))
        .fetch_all(conn)
        .await?;
    for r in rows {
        let settings: String = r.try_get("settings")?;
        let value: serde_json::Value = serde_json::from_str(&settings).unwrap_or_default();
        if value
            .pointer("/webhook/token_hash")
            .and_then(|v| v.as_str())
            == Some(token_hash)
        {
            return Ok(Some(OrgId::from_db(r.try_get("org_id")?)));
        }
    }
    Ok(None)
}

/// Marks an org uninstalled; its data stays for a reinstall.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn mark_uninstalled(conn: &mut AnyConnection, org: OrgId) -> StoreResult<()> {
    const SQL: &str = "update org set uninstalled_at = $2, updated_at = $2 where org_id = $1";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Takes the installer's admin role away: the org no longer names an
/// installer (an admin removed them).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn clear_installer(conn: &mut AnyConnection, org: OrgId) -> StoreResult<()> {
    const SQL: &str =
        "update org set installed_by_slack_user_id = null, updated_at = $2 where org_id = $1";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the org's IANA time zone (validated by the caller).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_time_zone(conn: &mut AnyConnection, org: OrgId, tz: &str) -> StoreResult<()> {
    const SQL: &str = "update org set time_zone = $2, updated_at = $3 where org_id = $1";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(tz)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a new OAuth `state` (its SHA-256, never the state itself) for a
/// flow that has no org yet, such as a Slack install.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create_oauth_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    purpose: &str,
    expires_at: i64,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into oauth_state (state_hash, purpose, expires_at, created_at, updated_at)
        values ($1, $2, $3, $4, $4)";
    sqlx::query(SQL)
        .bind(state_hash)
        .bind(purpose)
        .bind(expires_at)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes OAuth states that expired before `before` (the scheduler's tick:
/// states from abandoned installs must not pile up).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn prune_oauth_states(conn: &mut AnyConnection, before: i64) -> StoreResult<u64> {
    const SQL: &str = "delete from oauth_state where expires_at < $1";
    Ok(sqlx::query(SQL)
        .bind(before)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Uses up an OAuth `state`: true only the first time, before it expires,
/// for the same purpose. Expired states are deleted on the way.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn consume_oauth_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    purpose: &str,
) -> StoreResult<bool> {
    const CONSUME: &str = "update oauth_state set used_at = $3, updated_at = $3
        where state_hash = $1 and purpose = $2 and used_at is null and expires_at > $3";
    const SWEEP: &str = "delete from oauth_state where expires_at < $1";
    let now = unix_now();
    let done = sqlx::query(CONSUME)
        .bind(state_hash)
        .bind(purpose)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    // Keep the used row until it expires so a replay is still recognised.
    sqlx::query(SWEEP).bind(now - 86_400).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Records an OAuth-like `state` for a flow started by a user of an org
/// (connecting GitHub or Jira): the callback learns the org from it.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn create_org_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    purpose: &str,
    org: OrgId,
    slack_user_id: &str,
    expires_at: i64,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into oauth_state (state_hash, purpose, org_id, slack_user_id, expires_at,
            created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $6)";
    sqlx::query(SQL)
        .bind(state_hash)
        .bind(purpose)
        .bind(org.get())
        .bind(slack_user_id)
        .bind(expires_at)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Uses up an org's `state`: its org and user the first time, before it
/// expires, for the same purpose; `None` otherwise.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn consume_org_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    purpose: &str,
) -> StoreResult<Option<(OrgId, String)>> {
    const CONSUME: &str = "update oauth_state set used_at = $3, updated_at = $3
        where state_hash = $1 and purpose = $2 and used_at is null and expires_at > $3
            and org_id is not null
        returning org_id, slack_user_id";
    let row = sqlx::query(CONSUME)
        .bind(state_hash)
        .bind(purpose)
        .bind(unix_now())
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let org: i64 = row.try_get("org_id")?;
    let user: Option<String> = row.try_get("slack_user_id")?;
    Ok(Some((OrgId::from_db(org), user.unwrap_or_default())))
}

/// The org and admin of a state that is still usable, without using it up.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn peek_org_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    purpose: &str,
) -> StoreResult<Option<(OrgId, String)>> {
    const PEEK: &str = "select org_id, slack_user_id from oauth_state
        where state_hash = $1 and purpose = $2 and used_at is null and expires_at > $3
            and org_id is not null";
    let row = sqlx::query(PEEK)
        .bind(state_hash)
        .bind(purpose)
        .bind(unix_now())
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let org: i64 = row.try_get("org_id")?;
    let user: Option<String> = row.try_get("slack_user_id")?;
    Ok(Some((OrgId::from_db(org), user.unwrap_or_default())))
}

/// The org whose `kind` integration has this outside id (e.g. the GitHub
/// organisation a webhook delivery names): how a webhook finds its tenant.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_by_integration(
    conn: &mut AnyConnection,
    kind: &str,
    external_id: &str,
) -> StoreResult<Option<OrgId>> {
    const SQL: &str =
        "select org_id from integration where kind = $1 and lower(external_id) = lower($2)
        order by org_id limit 1";
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(kind)
        .bind(external_id)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(OrgId::from_db))
}

/// The org whose *linked* `kind` integration has this outside id: how a
/// webhook delivery finds its tenant. A disconnected or revoked link
/// receives nothing.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_linked(
    conn: &mut AnyConnection,
    kind: &str,
    external_id: &str,
) -> StoreResult<Option<OrgId>> {
    // A live link, or a suspended App installation (so its `unsuspend`
    // arrives).
    const SQL: &str = "select org_id from integration where kind = $1
        and lower(external_id) = lower($2) and status in ('connected', 'suspended')
        order by org_id limit 1";
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(kind)
        .bind(external_id)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(OrgId::from_db))
}

/// The org whose linked GitHub integration reads the organisation `login`,
/// by token (its external id) or as an App installation (the login in its
/// settings). One GitHub organisation belongs to one workspace.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn github_login_holder(
    conn: &mut AnyConnection,
    login: &str,
) -> StoreResult<Option<OrgId>> {
    const SQL: &str = "select org_id, external_id, settings from integration
        where kind = 'github' and status in ('connected', 'suspended') order by org_id";
    let rows = sqlx::query(SQL).fetch_all(conn).await?;
    for row in rows {
        let external: Option<String> = row.try_get("external_id")?;
        let settings: String = row.try_get("settings")?;
        let named = serde_json::from_str::<serde_json::Value>(&settings)
            .ok()
            .and_then(|v| v["login"].as_str().map(str::to_string));
        let holds = [external, named]
            .into_iter()
            .flatten()
            .any(|l| l.eq_ignore_ascii_case(login));
        if holds {
            return Ok(Some(OrgId::from_db(row.try_get("org_id")?)));
        }
    }
    Ok(None)
}

/// Deletes an org and everything it owns (every tenant table cascades
/// from `org`). The big tables are emptied first, by their org index, so
/// the cascade has little left to look for. For rebuilding the demo org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn delete(conn: &mut AnyConnection, org: OrgId) -> StoreResult<()> {
    const CHILDREN_FIRST: [&str; 20] = [
        "delete from rule_suggestion where org_id = $1",
        "delete from ai_report_note where org_id = $1",
        "delete from ai_report where org_id = $1",
        "delete from survey_review where org_id = $1",
        "delete from pr_survey where org_id = $1",
        "delete from pr_jira_link where org_id = $1",
        "delete from pr_commit where org_id = $1",
        "delete from pr_review where org_id = $1",
        "delete from pull_request where org_id = $1",
        "delete from jira_issue_sprint where org_id = $1",
        "delete from jira_status_transition where org_id = $1",
        "delete from jira_issue where org_id = $1",
        "delete from jira_sprint where org_id = $1",
        "delete from jira_project where org_id = $1",
        "delete from team_membership where org_id = $1",
        "delete from team_lead where org_id = $1",
        "delete from person_identity where org_id = $1",
        "delete from person where org_id = $1",
        "delete from team where org_id = $1",
        "delete from repository where org_id = $1",
    ];
    for sql in CHILDREN_FIRST {
        sqlx::query(sql).bind(org.get()).execute(&mut *conn).await?;
    }
    let done = sqlx::query("delete from org where org_id = $1")
        .bind(org.get())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
