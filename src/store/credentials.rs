//! Encrypted credentials (Slack, GitHub, Jira tokens) per org. Plaintext
//! only exists in memory, wrapped in `SecretString`, while it is used.

use secrecy::{ExposeSecret, SecretString};
use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::crypto::{Keyring, Sealed};
use crate::domain::OrgId;

/// Binds a ciphertext to its org and name, so a ciphertext copied into
/// another org's row (or renamed) does not decrypt.
fn aad(org: OrgId, name: &str) -> Vec<u8> {
    format!("aimpact/credential/{org}/{name}").into_bytes()
}

/// Stores (or replaces) a secret, sealed under the current key.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn put(
    conn: &mut AnyConnection,
    keys: &Keyring,
    org: OrgId,
    name: &str,
    secret: &SecretString,
    expires_at: Option<i64>,
) -> StoreResult<()> {
    const SQL: &str = "insert into credential (org_id, name, key_id, ciphertext, expires_at, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $6)
        on conflict (org_id, name) do update set key_id = excluded.key_id, ciphertext = excluded.ciphertext,
            expires_at = excluded.expires_at, updated_at = excluded.updated_at";
    let sealed = keys.seal(secret.expose_secret().as_bytes(), &aad(org, name));
    sqlx::query(SQL)
        .bind(org.get())
        .bind(name)
        .bind(sealed.key_id)
        .bind(sealed.bytes)
        .bind(expires_at)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Opens a stored secret; `None` when there is none.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get(
    conn: &mut AnyConnection,
    keys: &Keyring,
    org: OrgId,
    name: &str,
) -> StoreResult<Option<SecretString>> {
    const SQL: &str = "select key_id, ciphertext from credential where org_id = $1 and name = $2";
    let Some(row) = sqlx::query(SQL)
        .bind(org.get())
        .bind(name)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    let sealed = Sealed {
        key_id: row.try_get("key_id")?,
        bytes: row.try_get("ciphertext")?,
    };
    Ok(Some(keys.open_text(&sealed, &aad(org, name))?))
}

/// Whether a secret is stored (without decrypting it).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn exists(conn: &mut AnyConnection, org: OrgId, name: &str) -> StoreResult<bool> {
    const SQL: &str = "select count(*) from credential where org_id = $1 and name = $2";
    let n: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(name)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// When a stored secret expires (rotating tokens), if it does.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn expires_at(
    conn: &mut AnyConnection,
    org: OrgId,
    name: &str,
) -> StoreResult<Option<i64>> {
    const SQL: &str = "select expires_at from credential where org_id = $1 and name = $2";
    let at: Option<Option<i64>> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(at.flatten())
}

/// Deletes secrets whose name starts with `prefix` (e.g. `slack_` on
/// uninstall); returns how many went.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn delete_prefixed(
    conn: &mut AnyConnection,
    org: OrgId,
    prefix: &str,
) -> StoreResult<u64> {
    const SQL: &str =
        "delete from credential where org_id = $1 and substr(name, 1, length($2)) = $2";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(prefix)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Re-seals every secret of the org that is not under the current key.
/// Returns how many were re-encrypted; a second run returns 0.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn rotate(conn: &mut AnyConnection, keys: &Keyring, org: OrgId) -> StoreResult<u64> {
    const SELECT: &str = "select credential_id, name, key_id, ciphertext from credential where org_id = $1 and key_id <> $2";
    const UPDATE: &str = "update credential set key_id = $3, ciphertext = $4, updated_at = $5
        where org_id = $1 and credential_id = $2";
    let rows = sqlx::query(SELECT)
        .bind(org.get())
        .bind(keys.current_id())
        .fetch_all(&mut *conn)
        .await?;
    let mut count = 0;
    for row in rows {
        let name: String = row.try_get("name")?;
        let sealed = Sealed {
            key_id: row.try_get("key_id")?,
            bytes: row.try_get("ciphertext")?,
        };
        let plain = keys.open(&sealed, &aad(org, &name))?;
        let fresh = keys.seal(&plain, &aad(org, &name));
        sqlx::query(UPDATE)
            .bind(org.get())
            .bind(row.try_get::<i64, _>("credential_id")?)
            .bind(fresh.key_id)
            .bind(fresh.bytes)
            .bind(unix_now())
            .execute(&mut *conn)
            .await?;
        count += 1;
    }
    Ok(count)
}

/// Opens one secret per key id in use, so a wrong or missing key is found
/// at start-up rather than at the first Slack request.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn verify(conn: &mut AnyConnection, keys: &Keyring, org: OrgId) -> StoreResult<()> {
    const SQL: &str = "select name, key_id, ciphertext from credential c where org_id = $1
        and credential_id = (select min(credential_id) from credential d where d.org_id = c.org_id and d.key_id = c.key_id)";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    for row in rows {
        let name: String = row.try_get("name")?;
        let sealed = Sealed {
            key_id: row.try_get("key_id")?,
            bytes: row.try_get("ciphertext")?,
        };
        keys.open(&sealed, &aad(org, &name))?;
    }
    Ok(())
}
