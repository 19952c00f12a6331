//! Stored roles of Slack users. Who counts as admin is decided in one place
//! (the Slack module) from these rows plus Slack's own admin flags.

use sqlx::AnyConnection;

use super::{StoreResult, unix_now};
use crate::domain::{OrgId, Role};

/// Sets a Slack user's role in the org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set(
    conn: &mut AnyConnection,
    org: OrgId,
    slack_user_id: &str,
    role: Role,
    granted_by: Option<&str>,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into org_role (org_id, slack_user_id, role, granted_by, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $5)
        on conflict (org_id, slack_user_id) do update set role = excluded.role,
            granted_by = excluded.granted_by, updated_at = excluded.updated_at";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(slack_user_id)
        .bind(role.as_str())
        .bind(granted_by)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// A Slack user's stored role (`Developer` when none is stored) and who
/// granted it: `slack:workspace_admin` for a role implied by Slack's admin
/// flags (it follows Slack), else the granter.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get_granted(
    conn: &mut AnyConnection,
    org: OrgId,
    slack_user_id: &str,
) -> StoreResult<(Role, Option<String>)> {
    const SQL: &str =
        "select role, granted_by from org_role where org_id = $1 and slack_user_id = $2";
    let row: Option<(String, Option<String>)> = sqlx::query_as(SQL)
        .bind(org.get())
        .bind(slack_user_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some((role, by)) => (Role::parse(&role), by),
        None => (Role::Developer, None),
    })
}

/// Removes a Slack user's stored role (they are a developer again).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn remove(conn: &mut AnyConnection, org: OrgId, slack_user_id: &str) -> StoreResult<()> {
    const SQL: &str = "delete from org_role where org_id = $1 and slack_user_id = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(slack_user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stored admins and who granted each, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn admins(
    conn: &mut AnyConnection,
    org: OrgId,
) -> StoreResult<Vec<(String, Option<String>)>> {
    const SQL: &str = "select slack_user_id, granted_by from org_role
        where org_id = $1 and role = 'admin' order by created_at, slack_user_id";
    Ok(sqlx::query_as(SQL).bind(org.get()).fetch_all(conn).await?)
}

/// A Slack user's stored role, `Developer` when none is stored.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get(conn: &mut AnyConnection, org: OrgId, slack_user_id: &str) -> StoreResult<Role> {
    Ok(get_granted(conn, org, slack_user_id).await?.0)
}

/// Teams `slack_user_id` leads.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn teams_led(
    conn: &mut AnyConnection,
    org: OrgId,
    slack_user_id: &str,
) -> StoreResult<Vec<crate::domain::TeamId>> {
    const SQL: &str = "select team_id from team_lead where org_id = $1 and slack_user_id = $2
        order by team_id";
    let ids: Vec<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(slack_user_id)
        .fetch_all(conn)
        .await?;
    Ok(ids.into_iter().map(crate::domain::TeamId).collect())
}

/// Makes `slack_user_id` a lead of `team` (the team must be the org's).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn add_team_lead(
    conn: &mut AnyConnection,
    org: OrgId,
    team: crate::domain::TeamId,
    slack_user_id: &str,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into team_lead (org_id, team_id, slack_user_id, created_at, updated_at)
        select $1, team_id, $3, $4, $4 from team where org_id = $1 and team_id = $2
        on conflict (team_id, slack_user_id) do nothing";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(team.0)
        .bind(slack_user_id)
        .bind(super::unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Some lead of the org (the first promoted), for previews.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn any_lead(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Option<String>> {
    const SQL: &str = "select slack_user_id from team_lead where org_id = $1
        order by team_lead_id limit 1";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .fetch_optional(conn)
        .await?)
}

/// Some developer of the org: a Slack user matched to a person, neither
/// admin nor lead nor the installer, the one with most merged PRs first.
/// For previews.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn any_developer(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Option<String>> {
    const SQL: &str = "select i.external_id from person_identity i
        join person p on p.person_id = i.person_id and p.org_id = i.org_id
        where i.org_id = $1 and i.provider = 'slack' and p.is_bot = 0 and p.is_excluded = 0
            and i.external_id not in (select slack_user_id from org_role where org_id = $1 and role = 'admin')
            and i.external_id not in (select slack_user_id from team_lead where org_id = $1)
            and i.external_id <> coalesce((select installed_by_slack_user_id from org where org_id = $1), '')
        order by (select count(*) from pull_request r
            where r.org_id = $1 and r.author_person_id = p.person_id and r.merged_at is not null) desc,
            i.external_id
        limit 1";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .fetch_optional(conn)
        .await?)
}
