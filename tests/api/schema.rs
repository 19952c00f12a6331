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

/// Runs `sql` with no bound values.
async fn exec(pool: &sqlx::AnyPool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn surveys_asked_before_the_delivery_table_keep_their_state_after_the_upgrade() {
    use aimpact::domain::PersonId;
    use aimpact::store::surveys::{self, Kind, SurveyStatus};

    let test = TestDb::new().await;
    let db = aimpact::store::Db::connect(&test.url, 2, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    let dir = match db.backend() {
        aimpact::store::Backend::Sqlite => "migrations/sqlite",
        aimpact::store::Backend::Postgres => "migrations/postgres",
    };
    // The schema as it was before `survey_delivery` (migrations 1–6).
    let mut before = sqlx::migrate::Migrator::new(Path::new(dir)).await.unwrap();
    before.dangerous_set_table_name(aimpact::store::MIGRATIONS_TABLE);
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 7)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(db.pool()).await.unwrap();
    let pool = db.pool();
    for sql in [
        "insert into org (org_id, slack_team_id, name, created_at, updated_at) values (1, 'T1', 'Acme', 1, 1)",
        "insert into person (person_id, org_id, display_name, created_at, updated_at)
            values (10, 1, 'Ann', 1, 1), (11, 1, 'Rob', 1, 1)",
        "insert into repository (repository_id, org_id, github_repo_id, owner, name, created_at, updated_at)
            values (20, 1, 'R1', 'acme', 'api', 1, 1)",
        "insert into pull_request (pull_request_id, org_id, repository_id, github_pr_id, number, title, state,
            opened_at, merged_at, github_updated_at, ready_at, created_at, updated_at)
            values (30, 1, 20, 'PR1', 7, 'Fix it', 'merged', 100, 200, 200, 100, 1, 1)",
        "insert into pr_survey (pr_survey_id, org_id, pull_request_id, author_person_id, status,
            slack_channel_id, slack_message_ts, send_after, sent_at, reminded_at, expires_at, ai_answer,
            ai_tools, answered_at, created_at, updated_at)
            values (40, 1, 30, 10, 'answered', 'DANN', '1.1', 260, 300, null, 900, 'some', '[\"Copilot\"]',
                400, 1, 1)",
        "insert into survey_review (survey_review_id, org_id, pr_survey_id, reviewer_person_id, status,
            slack_channel_id, slack_message_ts, send_after, sent_at, reminded_at, expires_at, quality_rating,
            ai_guess, answered_at, created_at, updated_at, failure)
            values (50, 1, 40, 11, 'sent', 'DROB', '2.2', 260, 310, 390, 910, 4, null, null, 1, 1, null)",
    ] {
        exec(pool, sql).await;
    }

    db.migrate().await.unwrap();

    let org = aimpact::domain::OrgId::from_db(1);
    let mut conn = pool.acquire().await.unwrap();
    let author = surveys::item(&mut conn, org, Kind::Author, 40)
        .await
        .unwrap()
        .expect("the author survey survives");
    assert_eq!(
        (
            author.status,
            author.person,
            author.channel.as_deref(),
            author.ts.as_deref(),
            author.sent_at,
            author.expires_at,
            author.ai_answer,
            author.ai_tools.clone(),
            author.answered_at,
        ),
        (
            SurveyStatus::Answered,
            PersonId(10),
            Some("DANN"),
            Some("1.1"),
            Some(300),
            Some(900),
            Some(surveys::AiAnswer::Some),
            vec!["Copilot".to_string()],
            Some(400),
        )
    );
    let review = surveys::item(&mut conn, org, Kind::Reviewer, 50)
        .await
        .unwrap()
        .expect("the reviewer survey survives");
    assert_eq!(
        (
            review.status,
            review.person,
            review.survey.0,
            review.channel.as_deref(),
            review.sent_at,
            review.reminded_at,
            review.expires_at,
            review.rating,
            review.guess,
        ),
        (
            SurveyStatus::Sent,
            PersonId(11),
            40,
            Some("DROB"),
            Some(310),
            Some(390),
            Some(910),
            Some(4),
            None,
        )
    );
    // The reviewer can still finish answering the question they were sent.
    let done = surveys::answer_review(&mut conn, org, 50, PersonId(11), None, Some(true), 500)
        .await
        .unwrap();
    assert!(
        matches!(&done, surveys::Answered::Recorded(i) if i.status == SurveyStatus::Answered),
        "{done:?}"
    );
}
