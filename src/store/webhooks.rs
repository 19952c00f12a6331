//! Webhook and event deliveries, recorded before any work so that a
//! repeated delivery (GitHub redelivery, Slack retry) is a no-op, and so a
//! delivery stored just before a crash is still processed afterwards.

use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::domain::OrgId;

/// Outcome of recording a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// First time seen: process it.
    New(i64),
    /// Seen before: acknowledge and do nothing.
    Duplicate,
}

/// A stored delivery waiting to be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Row id.
    pub id: i64,
    /// `github`, `slack`, …
    pub source: String,
    /// Event name.
    pub event: String,
    /// Raw body.
    pub payload: Vec<u8>,
}

/// Records a delivery once per `(org, source, delivery_id)`.
pub async fn record(
    conn: &mut AnyConnection,
    org: OrgId,
    source: &str,
    delivery_id: &str,
    event: &str,
    payload: &[u8],
) -> StoreResult<Recorded> {
    const SQL: &str =
        "insert into webhook_delivery (org_id, source, delivery_id, event, payload, status,
            received_at, created_at, updated_at)
        values ($1, $2, $3, $4, $5, 'pending', $6, $6, $6)
        on conflict (org_id, source, delivery_id) do nothing
        returning webhook_delivery_id";
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(source)
        .bind(delivery_id)
        .bind(event)
        .bind(payload)
        .bind(unix_now())
        .fetch_optional(conn)
        .await?;
    Ok(id.map_or(Recorded::Duplicate, Recorded::New))
}

/// Marks a delivery done.
pub async fn mark_processed(conn: &mut AnyConnection, org: OrgId, id: i64) -> StoreResult<()> {
    const SQL: &str =
        "update webhook_delivery set status = 'processed', processed_at = $3, updated_at = $3
        where org_id = $1 and webhook_delivery_id = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(id)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Deliveries stored but not yet processed, oldest first.
pub async fn pending(
    conn: &mut AnyConnection,
    org: OrgId,
    limit: i64,
) -> StoreResult<Vec<Pending>> {
    const SQL: &str = "select webhook_delivery_id, source, event, payload from webhook_delivery
        where org_id = $1 and status = 'pending' order by received_at, webhook_delivery_id limit $2";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Pending {
                id: r.try_get("webhook_delivery_id")?,
                source: r.try_get("source")?,
                event: r.try_get("event")?,
                payload: r
                    .try_get::<Option<Vec<u8>>, _>("payload")?
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Forgets processed deliveries received before `before`; returns how many.
pub async fn prune_processed(
    conn: &mut AnyConnection,
    org: OrgId,
    before: i64,
) -> StoreResult<u64> {
    const SQL: &str = "delete from webhook_delivery where org_id = $1 and status = 'processed' and received_at < $2";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// One stored delivery of this org.
pub async fn get(conn: &mut AnyConnection, org: OrgId, id: i64) -> StoreResult<Option<Pending>> {
    const SQL: &str = "select webhook_delivery_id, source, event, payload from webhook_delivery
        where org_id = $1 and webhook_delivery_id = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(id)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Pending {
        id: r.try_get("webhook_delivery_id")?,
        source: r.try_get("source")?,
        event: r.try_get("event")?,
        payload: r
            .try_get::<Option<Vec<u8>>, _>("payload")?
            .unwrap_or_default(),
    }))
}

/// Records a failed processing attempt.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    org: OrgId,
    id: i64,
    error: &str,
) -> StoreResult<()> {
    const SQL: &str =
        "update webhook_delivery set attempts = attempts + 1, last_error = $3, updated_at = $4
        where org_id = $1 and webhook_delivery_id = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(id)
        .bind(error)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}
