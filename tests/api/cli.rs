//! The binary as an operator meets it: defaults, help, and bad input that
//! gets one clear line, a non-zero exit and no change.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use aimpact::crypto::Keyring;
use aimpact::store::{credentials, orgs};
use secrecy::SecretString;

use crate::helpers::{TestDb, eventually, key_entry};

fn aimpact(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aimpact"));
    cmd.args(args).env_clear().current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The single `error:` line of a failed run.
fn error_line(out: &Output) -> String {
    assert!(!out.status.success(), "expected failure, got success");
    let text = stderr(out);
    assert!(!text.contains("panicked"), "{text}");
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "exactly one error line in:\n{text}");
    errors[0].to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn version_and_help_describe_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let version = aimpact(dir.path(), &["--version"], &[]);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("aimpact {}", env!("CARGO_PKG_VERSION"))
    );
    let help = String::from_utf8_lossy(&aimpact(dir.path(), &["--help"], &[]).stdout).into_owned();
    for command in ["serve", "worker", "migrate", "keys"] {
        assert!(help.contains(command), "{command} in\n{help}");
    }
    let keys_help =
        String::from_utf8_lossy(&aimpact(dir.path(), &["keys", "--help"], &[]).stdout).into_owned();
    assert!(keys_help.contains("generate") && keys_help.contains("rotate"));
}

#[test]
fn keys_generate_prints_a_usable_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = aimpact(dir.path(), &["keys", "generate"], &[]);
    assert!(out.status.success());
    let entry = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(Keyring::parse(&entry).is_ok(), "{entry}");
    assert!(files_in(dir.path()).is_empty(), "generate writes nothing");
}

#[test]
fn migrate_with_no_configuration_creates_the_sqlite_file_and_can_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = aimpact(dir.path(), &["migrate"], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert!(dir.path().join("aimpact.db").exists());
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn serve_with_no_configuration_starts_on_sqlite_with_a_generated_key() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Only the port is set, so parallel tests do not fight over 3000.
    let mut child = Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .arg("serve")
        .env_clear()
        .env("AIMPACT_BIND", format!("127.0.0.1:{port}"))
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let up = eventually(Duration::from_secs(20), || async {
        matches!(http.get(format!("{base}/readyz")).send().await, Ok(r) if r.status() == 200)
    })
    .await;
    let health = http.get(format!("{base}/healthz")).send().await;
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = tokio::task::spawn_blocking(move || {
        let status = child.wait().unwrap();
        let mut log = String::new();
        if let Some(mut err) = child.stderr.take() {
            use std::io::Read;
            let _ = err.read_to_string(&mut log);
        }
        (status, log)
    })
    .await
    .unwrap();
    assert!(up, "readyz answered 200; log:\n{}", status.1);
    assert_eq!(health.unwrap().status(), 200);
    assert!(
        status.0.success(),
        "clean exit on SIGTERM; log:\n{}",
        status.1
    );
    assert!(
        status.1.contains("generated an encryption key file"),
        "{}",
        status.1
    );
    use std::os::unix::fs::PermissionsExt;
    let key = std::fs::metadata(dir.path().join("aimpact.key")).unwrap();
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    assert!(dir.path().join("aimpact.db").exists());
}

#[test]
fn an_unparsable_database_url_is_one_line_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["mysql://root:hunter2@db/x", "postgres://[::1", "sqlite://"] {
        let out = aimpact(dir.path(), &["serve"], &[("DATABASE_URL", url)]);
        let line = error_line(&out);
        assert!(line.starts_with("error: DATABASE_URL:"), "{line}");
        assert!(!line.contains("hunter2"), "{line}");
        assert_eq!(out.status.code(), Some(2));
    }
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn several_bad_settings_are_each_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = aimpact(
        dir.path(),
        &["serve"],
        &[
            ("AIMPACT_BIND", "everywhere"),
            ("AIMPACT_LOG_FORMAT", "xml"),
        ],
    );
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(text.contains("error: AIMPACT_BIND:"), "{text}");
    assert!(text.contains("error: AIMPACT_LOG_FORMAT:"), "{text}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_malformed_key_list_is_one_line_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for keys in ["not-a-key-list", "k1:c2hvcnQ=", "k1:!!!"] {
        let out = aimpact(dir.path(), &["serve"], &[("AIMPACT_ENCRYPTION_KEYS", keys)]);
        let line = error_line(&out);
        assert!(
            line.starts_with("error: AIMPACT_ENCRYPTION_KEYS:"),
            "{line}"
        );
    }
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn an_unreadable_key_file_is_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the key file should be: unreadable even for root.
    std::fs::create_dir(dir.path().join("aimpact.key")).unwrap();
    let out = aimpact(dir.path(), &["serve"], &[]);
    let line = error_line(&out);
    assert!(
        line.contains("aimpact.key") && line.contains("cannot read"),
        "{line}"
    );
    assert_eq!(files_in(dir.path()), ["aimpact.key"]);

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("aimpact.key"), "garbage\n").unwrap();
    let line = error_line(&aimpact(bad.path(), &["serve"], &[]));
    assert!(
        line.contains("key file") && line.contains("entry 1"),
        "{line}"
    );
    assert_eq!(
        std::fs::read_to_string(bad.path().join("aimpact.key")).unwrap(),
        "garbage\n"
    );
}

#[tokio::test]
async fn an_unreachable_database_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("postgres://aimpact:hunter2@127.0.0.1:{port}/aimpact");
    let out = tokio::task::spawn_blocking({
        let path = dir.path().to_path_buf();
        move || aimpact(&path, &["migrate"], &[("DATABASE_URL", &url)])
    })
    .await
    .unwrap();
    let line = error_line(&out);
    assert!(
        line.starts_with("error: DATABASE_URL: cannot connect"),
        "{line}"
    );
    assert!(!line.contains("hunter2"), "{line}");
}

/// A SQLite database with one org and one secret under `entry`.
async fn database_with_a_secret(entry: &str) -> TestDb {
    let db = TestDb::sqlite();
    let store = db.connect().await;
    let keys = Keyring::parse(entry).unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    let org = orgs::upsert_installation(&mut conn, "T1", "Acme", None)
        .await
        .unwrap()
        .id;
    credentials::put(
        &mut conn,
        &keys,
        org,
        "slack_bot_token",
        &SecretString::from("xoxb-1"),
        None,
    )
    .await
    .unwrap();
    drop(conn);
    store.close().await;
    db
}

async fn stored_ciphertexts(db: &TestDb) -> Vec<(String, Vec<u8>)> {
    let store = db.connect().await;
    let rows = sqlx::query_as("select key_id, ciphertext from credential order by credential_id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    store.close().await;
    rows
}

#[tokio::test]
async fn a_wrong_key_stops_serve_with_one_line_naming_the_key() {
    let db = database_with_a_secret(&key_entry("k1", 1)).await;
    let before = stored_ciphertexts(&db).await;
    let url = db.url.expose().to_string();
    let path = db.dir.path().to_path_buf();
    let wrong = key_entry("k1", 9);
    let missing = key_entry("k2", 1);
    let (wrong_out, missing_out) = tokio::task::spawn_blocking(move || {
        let run = |keys: &str| {
            aimpact(
                &path,
                &["serve"],
                &[
                    ("DATABASE_URL", url.as_str()),
                    ("AIMPACT_ENCRYPTION_KEYS", keys),
                    ("AIMPACT_BIND", "127.0.0.1:0"),
                ],
            )
        };
        (run(&wrong), run(&missing))
    })
    .await
    .unwrap();
    let line = error_line(&wrong_out);
    assert!(
        line.starts_with("error: AIMPACT_ENCRYPTION_KEYS:") && line.contains("`k1`"),
        "{line}"
    );
    let line = error_line(&missing_out);
    assert!(
        line.contains("`k1`") && line.contains("not configured"),
        "{line}"
    );
    assert_eq!(stored_ciphertexts(&db).await, before);
}

#[tokio::test]
async fn keys_rotate_moves_every_secret_to_the_newest_key_and_is_safe_twice() {
    let db = database_with_a_secret(&key_entry("old", 1)).await;
    let url = db.url.expose().to_string();
    let path = db.dir.path().to_path_buf();
    let both = format!("{},{}", key_entry("new", 2), key_entry("old", 1));
    let wrong = key_entry("new", 2);
    let (refused, first, second) = tokio::task::spawn_blocking(move || {
        let run = |keys: &str| {
            aimpact(
                &path,
                &["keys", "rotate"],
                &[
                    ("DATABASE_URL", url.as_str()),
                    ("AIMPACT_ENCRYPTION_KEYS", keys),
                ],
            )
        };
        (run(&wrong), run(&both), run(&both))
    })
    .await
    .unwrap();
    let line = error_line(&refused);
    assert!(
        line.contains("`old`") && line.contains("nothing was changed"),
        "{line}"
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(String::from_utf8_lossy(&first.stdout).contains("re-encrypted 1 secret(s)"));
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(String::from_utf8_lossy(&second.stdout).contains("re-encrypted 0 secret(s)"));
    let stored = stored_ciphertexts(&db).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, "new");
}

#[tokio::test]
async fn csv_exports_never_hand_a_spreadsheet_a_formula() {
    use aimpact::github::ingest;
    use aimpact::github::webhook::facts_from_payload;

    let db = TestDb::new().await;
    let store = db.connect().await;
    let mut conn = store.pool().acquire().await.unwrap();
    let org = aimpact::store::orgs::upsert_installation(&mut conn, "T1", "Acme", None)
        .await
        .unwrap()
        .id;
    let raw = std::fs::read(format!(
        "{}/tests/fixtures/github/pull_request.opened.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let mut facts = facts_from_payload(&payload).unwrap();
    facts.title = "=HYPERLINK(\"https://evil.example\",\"click\")".into();
    ingest::ingest(&mut conn, org, &facts, &[]).await.unwrap();
    drop(conn);
    store.close().await;

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .args(["export", "prs", "--format", "csv"])
        .env_clear()
        .env("DATABASE_URL", db.url.expose())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let title = headers.iter().position(|h| h == "title").unwrap();
    let row = rows.records().next().unwrap().unwrap();
    assert_eq!(
        &row[title], "'=HYPERLINK(\"https://evil.example\",\"click\")",
        "the formula is neutralised"
    );
    for cell in row.iter() {
        assert!(
            !cell.starts_with(['=', '+', '@', '\t', '\r'])
                && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
            "no cell a spreadsheet would run: {cell:?}"
        );
    }
    // JSON keeps the title as it is.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .args(["export", "prs", "--format", "json"])
        .env_clear()
        .env("DATABASE_URL", db.url.expose())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json[0]["title"],
        "=HYPERLINK(\"https://evil.example\",\"click\")"
    );
}
