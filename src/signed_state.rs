//! The `state` of a browser round trip started by an admin in Slack
//! (installing the GitHub App, Atlassian consent): a random nonce, signed
//! with HMAC-SHA256 for its purpose, stored hashed with the org and admin,
//! single use and expiring.

use secrecy::{ExposeSecret, SecretString};

use crate::domain::OrgId;
use crate::store::{Db, StoreError, orgs, unix_now};

fn mac(secret: &SecretString, purpose: &str, nonce: &str) -> Option<hmac::Hmac<sha2::Sha256>> {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.expose_secret().as_bytes()).ok()?;
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(nonce.as_bytes());
    Some(mac)
}

fn hash(nonce: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(nonce.as_bytes()))
}

/// A new `nonce.tag` state for `org` and `slack_user`, valid `ttl_secs`.
pub async fn issue(
    db: &Db,
    secret: &SecretString,
    purpose: &str,
    org: OrgId,
    slack_user: &str,
    ttl_secs: i64,
) -> Result<String, StoreError> {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    let tag = mac(secret, purpose, &nonce)
        .map(|m| hex::encode(hmac::Mac::finalize(m).into_bytes()))
        .unwrap_or_default();
    let mut conn = db.pool().acquire().await?;
    orgs::create_org_state(
        &mut conn,
        &hash(&nonce),
        purpose,
        org,
        slack_user,
        unix_now() + ttl_secs,
    )
    .await?;
    Ok(format!("{nonce}.{tag}"))
}

/// The nonce of a state whose tag verifies for this purpose (in constant
/// time), without using it up: for binding it to a browser before the
/// round trip.
pub fn verify(secret: &SecretString, purpose: &str, state: &str) -> Option<String> {
    let (nonce, tag) = state.split_once('.')?;
    let tag = hex::decode(tag).ok()?;
    mac(secret, purpose, nonce)
        .and_then(|m| hmac::Mac::verify_slice(m, &tag).ok())
        .map(|()| nonce.to_string())
}

/// The org and admin of a state that verifies and is still usable, without
/// using it up (a page that asks before going on).
pub async fn peek(
    db: &Db,
    secret: &SecretString,
    purpose: &str,
    state: &str,
) -> Result<Option<(OrgId, String)>, StoreError> {
    let Some(nonce) = verify(secret, purpose, state) else {
        return Ok(None);
    };
    let mut conn = db.pool().acquire().await?;
    orgs::peek_org_state(&mut conn, &hash(&nonce), purpose).await
}

/// The org and admin of a state: only when its tag verifies (in constant
/// time), for this purpose, the first time and before it expires.
pub async fn consume(
    db: &Db,
    secret: &SecretString,
    purpose: &str,
    state: &str,
) -> Result<Option<(OrgId, String)>, StoreError> {
    let Some((nonce, tag)) = state.split_once('.') else {
        return Ok(None);
    };
    let Ok(tag) = hex::decode(tag) else {
        return Ok(None);
    };
    if mac(secret, purpose, nonce)
        .and_then(|m| hmac::Mac::verify_slice(m, &tag).ok())
        .is_none()
    {
        return Ok(None);
    }
    let mut conn = db.pool().acquire().await?;
    orgs::consume_org_state(&mut conn, &hash(nonce), purpose).await
}
