use aimpact::crypto::{CryptoError, Keyring};
use aimpact::domain::OrgId;
use aimpact::store::{StoreError, credentials, orgs};
use secrecy::{ExposeSecret, SecretString};

use crate::helpers::{TestDb, key_entry};

const TOKEN: &str = "xoxb-1234567890-TOP-SECRET-bot-token";

async fn org(db: &aimpact::store::Db, team: &str) -> OrgId {
    let mut conn = db.pool().acquire().await.unwrap();
    orgs::upsert_installation(&mut conn, team, "Acme", Some("U1"))
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_stored_tokens_plaintext_appears_nowhere_in_the_sqlite_files() {
    // Always SQLite: this is about the bytes of the embedded database file.
    let test_db = TestDb::sqlite();
    let db = test_db.connect().await;
    let keys = Keyring::parse(&key_entry("k1", 1)).unwrap();
    let org = org(&db, "T1").await;
    let mut conn = db.pool().acquire().await.unwrap();
    credentials::put(
        &mut conn,
        &keys,
        org,
        "slack_bot_token",
        &SecretString::from(TOKEN),
        None,
    )
    .await
    .unwrap();
    let back = credentials::get(&mut conn, &keys, org, "slack_bot_token")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.expose_secret(), TOKEN);
    drop(conn);
    db.close().await;

    let mut found = Vec::new();
    for entry in std::fs::read_dir(test_db.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()) {
            found.push(path);
        }
    }
    assert!(
        test_db.sqlite_path().exists(),
        "the database file was written"
    );
    assert!(found.is_empty(), "plaintext token found in {found:?}");
}

#[tokio::test]
async fn a_tampered_ciphertext_is_refused() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let keys = Keyring::parse(&key_entry("k1", 1)).unwrap();
    let org = org(&db, "T1").await;
    let mut conn = db.pool().acquire().await.unwrap();
    credentials::put(
        &mut conn,
        &keys,
        org,
        "github_token",
        &SecretString::from(TOKEN),
        None,
    )
    .await
    .unwrap();

    let stored: Vec<u8> = sqlx::query_scalar("select ciphertext from credential where org_id = $1")
        .bind(org.get())
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let mut tampered = stored.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    sqlx::query("update credential set ciphertext = $1 where org_id = $2")
        .bind(tampered)
        .bind(org.get())
        .execute(&mut *conn)
        .await
        .unwrap();

    let err = credentials::get(&mut conn, &keys, org, "github_token")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Crypto(CryptoError::Undecryptable(ref id)) if id == "k1"),
        "{err}"
    );
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_org_does_not_open() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let keys = Keyring::parse(&key_entry("k1", 1)).unwrap();
    let a = org(&db, "TA").await;
    let b = org(&db, "TB").await;
    let mut conn = db.pool().acquire().await.unwrap();
    credentials::put(
        &mut conn,
        &keys,
        a,
        "github_token",
        &SecretString::from("a-secret"),
        None,
    )
    .await
    .unwrap();
    credentials::put(
        &mut conn,
        &keys,
        b,
        "github_token",
        &SecretString::from("b-secret"),
        None,
    )
    .await
    .unwrap();
    sqlx::query(
        "update credential set ciphertext = (select ciphertext from credential where org_id = $1) where org_id = $2",
    )
    .bind(a.get())
    .bind(b.get())
    .execute(&mut *conn)
    .await
    .unwrap();
    assert!(
        credentials::get(&mut conn, &keys, b, "github_token")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_missing_key_id_gives_an_error_naming_the_id() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let old = Keyring::parse(&key_entry("old-key", 1)).unwrap();
    let org = org(&db, "T1").await;
    let mut conn = db.pool().acquire().await.unwrap();
    credentials::put(
        &mut conn,
        &old,
        org,
        "jira_token",
        &SecretString::from(TOKEN),
        None,
    )
    .await
    .unwrap();

    let new_only = Keyring::parse(&key_entry("new-key", 2)).unwrap();
    let err = credentials::get(&mut conn, &new_only, org, "jira_token")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`old-key`"), "{err}");
}

#[tokio::test]
async fn rotation_re_encrypts_everything_under_the_newest_key_and_is_safe_twice() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let old = Keyring::parse(&key_entry("old", 1)).unwrap();
    let a = org(&db, "TA").await;
    let b = org(&db, "TB").await;
    let mut conn = db.pool().acquire().await.unwrap();
    for (org, name) in [
        (a, "slack_bot_token"),
        (a, "github_token"),
        (b, "slack_bot_token"),
    ] {
        let secret = SecretString::from(format!("{org}-{name}"));
        credentials::put(&mut conn, &old, org, name, &secret, None)
            .await
            .unwrap();
    }

    let both = Keyring::parse(&format!("{},{}", key_entry("new", 2), key_entry("old", 1))).unwrap();
    assert_eq!(credentials::rotate(&mut conn, &both, a).await.unwrap(), 2);
    assert_eq!(credentials::rotate(&mut conn, &both, b).await.unwrap(), 1);
    assert_eq!(credentials::rotate(&mut conn, &both, a).await.unwrap(), 0);

    let key_ids: Vec<String> = sqlx::query_scalar("select distinct key_id from credential")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    assert_eq!(key_ids, ["new"]);
    let new_only = Keyring::parse(&key_entry("new", 2)).unwrap();
    let token = credentials::get(&mut conn, &new_only, a, "github_token")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.expose_secret(), &format!("{a}-github_token"));
}
