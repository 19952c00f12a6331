//! Rendered chart images by content hash: served at an unguessable URL or
//! uploaded to Slack once per org.

use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::domain::OrgId;

/// A stored chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChart {
    /// Random capability in the public URL.
    pub token: String,
    /// Slack file id once uploaded.
    pub slack_file_id: Option<String>,
}

/// The chart with this content hash, marked as used now.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find(
    conn: &mut AnyConnection,
    org: OrgId,
    content_hash: &str,
) -> StoreResult<Option<StoredChart>> {
    const SQL: &str = "update chart_image set last_used_at = $3
        where org_id = $1 and content_hash = $2 returning token, slack_file_id";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(content_hash)
        .bind(unix_now())
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(StoredChart {
            token: r.try_get("token")?,
            slack_file_id: r.try_get("slack_file_id")?,
        })
    })
    .transpose()
}

/// Stores a rendered chart; when another request stored the same content
/// first, theirs wins and is returned.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn insert(
    conn: &mut AnyConnection,
    org: OrgId,
    content_hash: &str,
    token: &str,
    png: &[u8],
) -> StoreResult<StoredChart> {
    const SQL: &str =
        "insert into chart_image (org_id, content_hash, token, png, created_at, last_used_at)
        values ($1, $2, $3, $4, $5, $5)
        on conflict (org_id, content_hash) do update set last_used_at = excluded.last_used_at
        returning token, slack_file_id";
    let r = sqlx::query(SQL)
        .bind(org.get())
        .bind(content_hash)
        .bind(token)
        .bind(png)
        .bind(unix_now())
        .fetch_one(conn)
        .await?;
    Ok(StoredChart {
        token: r.try_get("token")?,
        slack_file_id: r.try_get("slack_file_id")?,
    })
}

/// Records the Slack file a chart was uploaded as.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_slack_file(
    conn: &mut AnyConnection,
    org: OrgId,
    content_hash: &str,
    file_id: &str,
) -> StoreResult<()> {
    sqlx::query(
        "update chart_image set slack_file_id = $3 where org_id = $1 and content_hash = $2",
    )
    .bind(org.get())
    .bind(content_hash)
    .bind(file_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The PNG behind a public token.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn png_by_token(
    conn: &mut AnyConnection,
    org: OrgId,
    token: &str,
) -> StoreResult<Option<Vec<u8>>> {
    const SQL: &str = "select png from chart_image where org_id = $1 and token = $2";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(token)
        .fetch_optional(conn)
        .await?)
}

/// Deletes charts unused since `before`; returns how many.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn prune(conn: &mut AnyConnection, org: OrgId, before: i64) -> StoreResult<u64> {
    let done = sqlx::query("delete from chart_image where org_id = $1 and last_used_at < $2")
        .bind(org.get())
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
