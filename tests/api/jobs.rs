use std::time::Duration;

use aimpact::domain::OrgId;
use aimpact::slack::respond::Respond;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{PATIENCE, TestDb, eventually, spawn_app, spawn_app_with};

fn respond_to(server: &MockServer, text: &str) -> Respond {
    Respond {
        org: OrgId::from_db(1),
        response_url: format!("{}/commands/T1/123/abc", server.uri()),
        message: serde_json::json!({ "response_type": "ephemeral", "text": text }),
    }
}

async fn hits(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn a_job_enqueued_before_a_restart_runs_after_it() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/commands/T1/123/abc"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;

    // First process: web only, enqueues and stops before any worker runs.
    let web_only = spawn_app_with(&db, &[], false).await;
    web_only
        .state
        .jobs
        .enqueue(respond_to(&slack, "later"))
        .await
        .unwrap();
    web_only.stop().await;
    assert_eq!(hits(&slack).await, 0);

    // Second process on the same database: the worker picks it up.
    let restarted = spawn_app(&db).await;
    assert!(
        eventually(PATIENCE, || async { hits(&slack).await == 1 }).await,
        "the queued job ran after the restart"
    );
    let sent: serde_json::Value =
        serde_json::from_slice(&slack.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(sent["text"], "later");
    restarted.stop().await;
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_until_it_succeeds() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;

    app.state
        .jobs
        .enqueue(respond_to(&slack, "flaky"))
        .await
        .unwrap();
    assert!(eventually(PATIENCE, || async { hits(&slack).await >= 3 }).await);
    let times: Vec<_> = slack.received_requests().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hits(&slack).await, 3, "no attempt after the success");
    assert_eq!(times.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_message_is_not_retried() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_string("expired_url"))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;

    app.state
        .jobs
        .enqueue(respond_to(&slack, "too late"))
        .await
        .unwrap();
    assert!(eventually(PATIENCE, || async { hits(&slack).await >= 1 }).await);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(hits(&slack).await, 1, "a 404 is final");
    app.stop().await;
}

/// Waits until `/readyz` says every queue has a live worker.
async fn ready(app: &crate::helpers::TestApp) -> bool {
    eventually(PATIENCE, || async {
        matches!(app.http.get(app.url("/readyz")).send().await, Ok(r) if r.status() == 200)
    })
    .await
}

#[tokio::test]
async fn an_idle_worker_starts_a_new_job_within_two_seconds_whoever_enqueues_it() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;
    // A second process that only serves the web: its enqueues cannot wake
    // the first process's workers, which must notice them by polling.
    let web_only = spawn_app_with(&db, &[], false).await;
    assert!(ready(&app).await, "every queue has a live worker");

    for round in 1..=4 {
        // Idle past a heartbeat: the case that used to wait for the next one.
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let enqueuer = if round % 2 == 0 { &web_only } else { &app };
        let started = std::time::Instant::now();
        enqueuer
            .state
            .jobs
            .enqueue(respond_to(&slack, &format!("round {round}")))
            .await
            .unwrap();
        let ran = eventually(Duration::from_secs(2), || async {
            hits(&slack).await == round
        })
        .await;
        assert!(
            ran,
            "round {round}: job started within 2 s of its enqueue (waited {:?})",
            started.elapsed()
        );
    }
    web_only.stop().await;
    app.stop().await;
}

/// Takes the database away from the app for `hold`: on SQLite another
/// connection holds the write lock (the app's busy timeout is 5 s, so its
/// workers' fetches and heartbeats fail with "database is locked"); on
/// PostgreSQL every connection of the app is cut, again and again.
async fn take_the_database_away(db: &TestDb, hold: Duration) {
    use sqlx::Connection;
    if db.url.is_sqlite() {
        let mut conn = sqlx::SqliteConnection::connect(db.url.expose())
            .await
            .unwrap();
        sqlx::query("begin immediate")
            .execute(&mut conn)
            .await
            .unwrap();
        tokio::time::sleep(hold).await;
        sqlx::query("commit").execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::PgConnection::connect(db.url.expose()).await.unwrap();
        let until = std::time::Instant::now() + hold;
        while std::time::Instant::now() < until {
            sqlx::query(
                "select pg_terminate_backend(pid) from pg_stat_activity
                 where datname = current_database() and pid <> pg_backend_pid()",
            )
            .execute(&mut conn)
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test]
async fn every_queue_works_again_after_the_database_was_away_for_ten_seconds() {
    use aimpact::dashboard::rollups::RefreshRollups;
    use aimpact::github::job::SyncGithub;
    use aimpact::github::webhook::ProcessDelivery;
    use aimpact::jira::job::SyncJira;
    use aimpact::jobs::Job;
    use aimpact::leaderboard::post::PostLeaderboard;
    use aimpact::people::MatchSlackPeople;
    use aimpact::surveys::deliver::DeliverSurveys;

    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;
    assert!(ready(&app).await);

    take_the_database_away(&db, Duration::from_secs(10)).await;

    let restarts: usize = app.state.jobs.restarts().iter().map(|(_, n)| n).sum();
    assert!(restarts > 0, "workers failed while the database was away");
    assert!(ready(&app).await, "every queue has a live worker again");

    // One job for every queue; each must be started (none left waiting).
    let org = OrgId::from_db(424_242);
    let jobs = &app.state.jobs;
    jobs.enqueue(respond_to(&slack, "after the lock"))
        .await
        .unwrap();
    jobs.enqueue(ProcessDelivery { org, delivery: 1 })
        .await
        .unwrap();
    jobs.enqueue(SyncGithub {
        org,
        full: false,
        discover: false,
    })
    .await
    .unwrap();
    jobs.enqueue(SyncJira {
        org,
        full: false,
        discover: false,
    })
    .await
    .unwrap();
    jobs.enqueue(DeliverSurveys { org }).await.unwrap();
    jobs.enqueue(MatchSlackPeople { org }).await.unwrap();
    jobs.enqueue(PostLeaderboard { org, week: 0 })
        .await
        .unwrap();
    jobs.enqueue(RefreshRollups { org, full: false })
        .await
        .unwrap();
    for queue in [
        aimpact::slack::respond::Respond::QUEUE,
        ProcessDelivery::QUEUE,
        SyncGithub::QUEUE,
        SyncJira::QUEUE,
        DeliverSurveys::QUEUE,
        MatchSlackPeople::QUEUE,
        PostLeaderboard::QUEUE,
        RefreshRollups::QUEUE,
    ] {
        let started = eventually(PATIENCE, || async {
            jobs.depth(queue).await.is_ok_and(|n| n == 0)
        })
        .await;
        assert!(started, "{queue}: its job was started after the lock");
    }
    assert!(
        eventually(PATIENCE, || async { hits(&slack).await >= 1 }).await,
        "the response job ran"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_second_sync_request_joins_the_one_queued_or_running_and_nothing_asked_is_lost() {
    use aimpact::github::job::SyncGithub;
    use aimpact::jobs::Job;
    use aimpact::store::job_state;

    let db = TestDb::new().await;
    // Web only: what is queued stays queued.
    let app = spawn_app_with(&db, &[], false).await;
    let org = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        aimpact::store::orgs::upsert_installation(&mut conn, "T1", "Acme", None)
            .await
            .unwrap()
            .id
    };
    let sync = || SyncGithub {
        org,
        full: false,
        discover: false,
    };
    let jobs = &app.state.jobs;
    assert!(jobs.enqueue_single(&app.state.db, sync()).await.unwrap());
    // "Sync now" again, and the daily run: both join the queued one.
    assert!(!jobs.enqueue_single(&app.state.db, sync()).await.unwrap());
    assert!(!jobs.enqueue_single(&app.state.db, sync()).await.unwrap());
    assert_eq!(jobs.depth(SyncGithub::QUEUE).await.unwrap(), 1);

    // While it runs, a request joins it and the run goes once more after.
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let now = aimpact::store::unix_now();
    assert!(
        job_state::start_run(&mut conn, org, SyncGithub::QUEUE, "task-a", now)
            .await
            .unwrap()
    );
    assert!(
        !job_state::start_run(&mut conn, org, SyncGithub::QUEUE, "task-b", now)
            .await
            .unwrap(),
        "a second task joins the running one"
    );
    assert!(
        job_state::start_run(&mut conn, org, SyncGithub::QUEUE, "task-a", now)
            .await
            .unwrap(),
        "a retry of the running task keeps its run"
    );
    drop(conn);
    assert!(!jobs.enqueue_single(&app.state.db, sync()).await.unwrap());
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert!(
        job_state::finish_run(&mut conn, org, SyncGithub::QUEUE, "task-a")
            .await
            .unwrap(),
        "the request that joined it runs once more"
    );
    assert!(
        job_state::start_run(&mut conn, org, SyncGithub::QUEUE, "task-c", now)
            .await
            .unwrap()
    );
    assert!(
        !job_state::finish_run(&mut conn, org, SyncGithub::QUEUE, "task-c")
            .await
            .unwrap(),
        "nothing joined this one"
    );
    // A run that went silent (its process died) is taken over.
    assert!(
        job_state::start_run(&mut conn, org, SyncGithub::QUEUE, "task-d", now)
            .await
            .unwrap()
    );
    assert!(
        job_state::start_run(
            &mut conn,
            org,
            SyncGithub::QUEUE,
            "task-e",
            now + job_state::RUNNING_STALE_SECS + 1
        )
        .await
        .unwrap()
    );
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn a_job_that_used_up_its_retries_shows_on_the_admins_app_home_until_one_succeeds() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/commands/T1/123/abc"))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(2)
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;
    let org = crate::helpers::install_org(&app, "T1", "UADMIN").await;
    let mut failing = respond_to(&slack, "never");
    failing.org = org;
    app.state.jobs.enqueue(failing).await.unwrap();
    // fast_workers: 3 retries after the first attempt.
    assert!(eventually(PATIENCE, || async { hits(&slack).await >= 4 }).await);
    let failed = eventually(PATIENCE, || async {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        !aimpact::store::job_state::failures(&mut conn, org)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(failed, "the failure is kept");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        hits(&slack).await,
        4,
        "the first run and 3 retries, none beyond the policy"
    );
    let home = |app: &crate::helpers::TestApp| {
        let state = app.state.clone();
        async move {
            let ctx = aimpact::slack::listeners::Ctx {
                org: {
                    let mut conn = state.db.pool().acquire().await.unwrap();
                    aimpact::store::orgs::get(&mut conn, org).await.unwrap()
                },
                state,
            };
            let view = aimpact::slack_ui::home::home_view(
                &ctx,
                "UADMIN",
                aimpact::slack_ui::dashboards::HomeState::default(),
            )
            .await
            .unwrap();
            serde_json::to_string(&view).unwrap()
        }
    };
    let shown = home(&app).await;
    assert!(
        shown.contains("Needs attention")
            && shown.contains("Answering a /metrics request stopped after its retries"),
        "{shown}"
    );
    assert!(shown.contains("503"), "the last error is shown: {shown}");

    // The next one of that kind succeeds: the notice goes.
    Mock::given(method("POST"))
        .and(path("/commands/T1/123/ok"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    let mut fine = respond_to(&slack, "fine");
    fine.org = org;
    fine.response_url = format!("{}/commands/T1/123/ok", slack.uri());
    app.state.jobs.enqueue(fine).await.unwrap();
    let cleared = eventually(PATIENCE, || async {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        aimpact::store::job_state::failures(&mut conn, org)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(cleared, "a success clears it");
    assert!(!home(&app).await.contains("Needs attention"));
    app.stop().await;
}
