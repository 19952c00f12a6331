//! The two migration sets describe one schema.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use sqlx::Connection;

use crate::helpers::TestDb;

fn migration_files(dir: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut names: Vec<String> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_migrations_with_the_same_versions_and_names() {
    let sqlite = migration_files("migrations/sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_files("migrations/postgres"));
}

type Column = (String, String, String, bool);

/// Maps each backend's declared type to one family, so INTEGER/BIGINT or
/// BLOB/BYTEA count as the same column type.
fn family(declared: &str) -> String {
    let t = declared.to_lowercase();
    match t.as_str() {
        "integer" | "bigint" => "integer",
        "text" => "text",
        "blob" | "bytea" => "bytes",
        "double precision" | "real" => "float",
        other => other,
    }
    .to_string()
}

fn migrate_with_the_cli(database_url: &str, dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", database_url)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "aimpact migrate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn sqlite_columns(db: &TestDb) -> BTreeSet<Column> {
    let mut conn = sqlx::SqliteConnection::connect(db.url.expose())
        .await
        .unwrap();
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "select m.name, p.name, p.type, p.\"notnull\" + p.pk from sqlite_master m, pragma_table_info(m.name) p
         where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like '\\_%' escape '\\'
           and m.name not in ('Jobs', 'Workers')",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(t, c, ty, not_null)| (t, c, family(&ty), not_null > 0))
        .collect()
}

async fn postgres_columns(db: &TestDb) -> BTreeSet<Column> {
    let mut conn = sqlx::PgConnection::connect(db.url.expose()).await.unwrap();
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text, data_type::text, is_nullable::text
         from information_schema.columns where table_schema = 'public' and table_name not like '\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(t, c, ty, nullable)| (t, c, family(&ty), nullable == "NO"))
        .collect()
}

#[tokio::test]
async fn migrate_gives_the_same_tables_and_columns_on_sqlite_and_postgres() {
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("TEST_DATABASE_URL is not set: comparing against PostgreSQL runs in .ci/run");
        return;
    };
    let sqlite = TestDb::sqlite();
    migrate_with_the_cli(sqlite.url.expose(), sqlite.dir.path());
    let postgres = TestDb::postgres(&base).await;
    migrate_with_the_cli(postgres.url.expose(), postgres.dir.path());

    let lite = sqlite_columns(&sqlite).await;
    let pg = postgres_columns(&postgres).await;
    assert!(
        lite.len() > 200,
        "the schema covers phases 0–7: {} columns",
        lite.len()
    );
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_postgres:#?}"
    );
}
