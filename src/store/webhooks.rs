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

/// Stored form of a payload: large bodies gzip-compressed (fast level),
/// which cuts the bytes the single SQLite writer must put down several
/// times over; JSON never starts with gzip's magic, so reading can tell.
pub fn pack(payload: &[u8]) -> Vec<u8> {
    use std::io::Write;
    if payload.len() < PACK_FROM {
        return payload.to_vec();
    }
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(payload.len() / 4),
        flate2::Compression::fast(),
    );
    match gz.write_all(payload).and_then(|()| gz.finish()) {
        Ok(packed) => packed,
        Err(_) => payload.to_vec(),
    }
}

/// Bodies at least this long are stored compressed.
const PACK_FROM: usize = 2048;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The payload as received, from its stored form.
fn unpack(stored: Vec<u8>) -> Vec<u8> {
    use std::io::Read;
    if !stored.starts_with(&GZIP_MAGIC) {
        return stored;
    }
    let mut out = Vec::with_capacity(stored.len() * 6);
    match flate2::read::GzDecoder::new(stored.as_slice()).read_to_end(&mut out) {
        Ok(_) => out,
        Err(_) => stored,
    }
}

/// Records a delivery once per `(org, source, delivery_id)`.
/// `payload` is stored as given: pass large bodies through [`pack`].
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
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

/// Records an event (Slack's `event_id`) to be processed, or takes back
/// one recorded before that was never processed: its handler failed (it has
/// an error), or it stopped without an outcome (a crash) more than
/// `stale_secs` ago. Only an event processed already, or being processed
/// right now, is a duplicate: success is what counts, not arrival.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn record_or_retry(
    conn: &mut AnyConnection,
    org: OrgId,
    source: &str,
    delivery_id: &str,
    event: &str,
    payload: &[u8],
    stale_secs: i64,
) -> StoreResult<Recorded> {
    if let Recorded::New(id) = record(&mut *conn, org, source, delivery_id, event, payload).await? {
        return Ok(Recorded::New(id));
    }
    // Clearing the error and moving `received_at` is the claim: of two
    // retries racing here, only one still matches.
    const RETAKE: &str =
        "update webhook_delivery set last_error = null, received_at = $4, updated_at = $4
        where org_id = $1 and source = $2 and delivery_id = $3 and status <> 'processed'
            and (last_error is not null or received_at < $4 - $5)
        returning webhook_delivery_id";
    let id: Option<i64> = sqlx::query_scalar(RETAKE)
        .bind(org.get())
        .bind(source)
        .bind(delivery_id)
        .bind(unix_now())
        .bind(stale_secs)
        .fetch_optional(conn)
        .await?;
    Ok(id.map_or(Recorded::Duplicate, Recorded::New))
}

/// Marks a delivery done.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
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
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
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
                payload: unpack(
                    r.try_get::<Option<Vec<u8>>, _>("payload")?
                        .unwrap_or_default(),
                ),
            })
        })
        .collect()
}

/// Forgets processed deliveries received before `before`; returns how many.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
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
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
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
        payload: unpack(
            r.try_get::<Option<Vec<u8>>, _>("payload")?
                .unwrap_or_default(),
        ),
    }))
}

/// Records a failed processing attempt.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_payloads_come_back_byte_for_byte_and_small_ones_are_left_alone() {
        let big = format!(
            "{{\"action\":\"opened\",\"pad\":\"{}\"}}",
            "x".repeat(30_000)
        );
        let packed = pack(big.as_bytes());
        assert!(packed.len() < big.len() / 10);
        assert_eq!(unpack(packed), big.as_bytes());
        let small = br#"{"zen":"Keep it logically awesome."}"#;
        assert_eq!(pack(small), small);
        assert_eq!(unpack(small.to_vec()), small);
    }
}
