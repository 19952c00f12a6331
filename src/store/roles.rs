//! Stored roles of Slack users. Who counts as admin is decided in one place
//! (the Slack module) from these rows plus Slack's own admin flags.

use sqlx::AnyConnection;

use super::{StoreResult, unix_now};
use crate::domain::{OrgId, Role};

/// Sets a Slack user's role in the org.
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

/// A Slack user's stored role, `Developer` when none is stored.
pub async fn get(conn: &mut AnyConnection, org: OrgId, slack_user_id: &str) -> StoreResult<Role> {
    const SQL: &str = "select role from org_role where org_id = $1 and slack_user_id = $2";
    let role: Option<String> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(slack_user_id)
        .fetch_optional(conn)
        .await?;
    Ok(role.as_deref().map(Role::parse).unwrap_or(Role::Developer))
}
