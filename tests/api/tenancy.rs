//! Two orgs whose GitHub, Jira and Slack ids overlap: no store function
//! called for one org returns or changes the other org's rows.

use aimpact::crypto::Keyring;
use aimpact::domain::{OrgId, PersonId, Provider, PullRequestId, RepositoryId, Role, TeamId};
use aimpact::metrics::pr::PrMetrics;
use aimpact::store::jira::{self, IssueRow, ProjectId};
use aimpact::store::people::{self, LinkSource};
use aimpact::store::pull_requests::{self, PullRequestRow};
use aimpact::store::repositories;
use aimpact::store::sync_state::{self, SyncState};
use aimpact::store::webhooks::{self, Recorded};
use aimpact::store::{StoreError, audit, credentials, orgs, roles, teams};
use secrecy::{ExposeSecret, SecretString};
use sqlx::AnyConnection;

use crate::helpers::{TestDb, key_entry, seed};

/// Everything one org has, created with the same external ids in both orgs.
struct Seeded {
    org: OrgId,
    person: PersonId,
    team: TeamId,
    repo: RepositoryId,
    pr: PullRequestId,
    project: ProjectId,
    delivery: i64,
}

async fn seed(conn: &mut AnyConnection, keys: &Keyring, team_id: &str, label: &str) -> Seeded {
    let org = orgs::upsert_installation(conn, team_id, label, Some("U_ADMIN"))
        .await
        .unwrap()
        .id;
    let person = people::create(conn, org, &format!("Dev {label}"), false)
        .await
        .unwrap();
    for (provider, id) in [
        (Provider::Github, "1001"),
        (Provider::Slack, "U1"),
        (Provider::Jira, "acc-1"),
        (Provider::Email, "dev@example.com"),
    ] {
        people::link_identity(
            conn,
            org,
            person,
            provider,
            id,
            Some("dev"),
            LinkSource::Auto,
        )
        .await
        .unwrap();
    }
    roles::set(conn, org, "U1", Role::Admin, None)
        .await
        .unwrap();
    let team = teams::upsert(
        conn,
        org,
        "platform",
        &format!("Platform {label}"),
        Some("77"),
    )
    .await
    .unwrap();
    teams::add_member(conn, org, team, person).await.unwrap();
    let repo = seed::repo(conn, org).await;
    let pr = pull_requests::upsert(
        conn,
        org,
        &PullRequestRow {
            repository: Some(repo),
            github_pr_id: "PR_1".into(),
            number: 1,
            title: format!("Fix {label}"),
            author: Some(person),
            state: "merged".into(),
            opened_at: 1_000,
            merged_at: Some(5_000),
            github_updated_at: 5_000,
            metrics: PrMetrics {
                ready_at: 1_000,
                cycle_time: Some(4_000),
                ..PrMetrics::default()
            },
            ..PullRequestRow::default()
        },
    )
    .await
    .unwrap();
    let project = jira::upsert_project(conn, org, "10000", "PROJ", "Project")
        .await
        .unwrap();
    jira::upsert_issue(
        conn,
        org,
        project,
        &IssueRow {
            jira_id: "20000".into(),
            issue_key: "PROJ-1".into(),
            summary: format!("Issue {label}"),
            jira_created_at: 1,
            jira_updated_at: 2,
            ..IssueRow::default()
        },
    )
    .await
    .unwrap();
    credentials::put(
        conn,
        keys,
        org,
        "github_token",
        &SecretString::from(format!("token-{label}")),
        None,
    )
    .await
    .unwrap();
    let Recorded::New(delivery) =
        webhooks::record(conn, org, "github", "delivery-1", "pull_request", b"{}")
            .await
            .unwrap()
    else {
        panic!("first delivery is new");
    };
    sync_state::save(
        conn,
        org,
        &SyncState {
            source: "github".into(),
            scope: "repo:R1".into(),
            status: "running".into(),
            cursor: Some(format!("cursor-{label}")),
            ..SyncState::default()
        },
    )
    .await
    .unwrap();
    audit::record(
        conn,
        org,
        "U1",
        "github.connected",
        None,
        &serde_json::json!({ "label": label }),
    )
    .await
    .unwrap();
    Seeded {
        org,
        person,
        team,
        repo,
        pr,
        project,
        delivery,
    }
}

#[tokio::test]
async fn no_store_function_crosses_from_one_org_to_another() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let keys = Keyring::parse(&key_entry("k1", 1)).unwrap();
    let mut conn = db.pool().acquire().await.unwrap();
    let c = &mut *conn;
    let a = seed(c, &keys, "T_A", "A").await;
    let b = seed(c, &keys, "T_B", "B").await;
    assert_ne!(a.org, b.org);

    // Reads with overlapping external ids find each org's own rows.
    let found_b = people::find_by_identity(c, b.org, Provider::Github, "1001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found_b.id, b.person);
    assert_eq!(found_b.display_name, "Dev B");
    for provider in [Provider::Slack, Provider::Jira, Provider::Email] {
        let id = match provider {
            Provider::Slack => "U1",
            Provider::Jira => "acc-1",
            _ => "dev@example.com",
        };
        let p = people::find_by_identity(c, a.org, provider, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.id, a.person);
    }
    assert_eq!(
        people::list(c, b.org)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [b.person]
    );
    assert_eq!(
        teams::list(c, b.org)
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        [b.team]
    );
    assert_eq!(teams::members(c, b.org, a.team).await.unwrap(), []);
    assert_eq!(
        repositories::list(c, b.org)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        [b.repo]
    );
    let merged_b = pull_requests::merged_between(c, b.org, 0, i64::MAX)
        .await
        .unwrap();
    assert_eq!(
        merged_b.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [b.pr]
    );
    assert!(
        pull_requests::find_by_number(c, b.org, a.repo, 1)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        jira::find_issue_by_key(c, b.org, "PROJ-1")
            .await
            .unwrap()
            .unwrap()
            .summary,
        "Issue B"
    );
    assert_eq!(
        credentials::get(c, &keys, b.org, "github_token")
            .await
            .unwrap()
            .unwrap()
            .expose_secret(),
        "token-B"
    );
    assert_eq!(
        sync_state::get(c, b.org, "github", "repo:R1")
            .await
            .unwrap()
            .unwrap()
            .cursor
            .as_deref(),
        Some("cursor-B")
    );
    let audit_b = audit::recent(c, b.org, 10).await.unwrap();
    assert_eq!(audit_b.len(), 1);
    assert!(audit_b[0].detail.contains("\"B\""));
    assert!(matches!(
        people::get(c, b.org, a.person).await,
        Err(StoreError::NotFound)
    ));

    // Writes naming the other org's rows are refused and change nothing.
    assert!(matches!(
        people::set_excluded(c, b.org, a.person, true).await,
        Err(StoreError::NotFound)
    ));
    assert!(!people::get(c, a.org, a.person).await.unwrap().is_excluded);
    assert!(matches!(
        people::link_identity(
            c,
            b.org,
            a.person,
            Provider::Github,
            "9999",
            None,
            LinkSource::Manual
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        people::find_by_identity(c, a.org, Provider::Github, "9999")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        teams::add_member(c, b.org, a.team, b.person).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        teams::add_member(c, b.org, b.team, a.person).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(teams::members(c, a.org, a.team).await.unwrap(), [a.person]);
    assert!(matches!(
        repositories::set_tracked(c, b.org, a.repo, false).await,
        Err(StoreError::NotFound)
    ));
    assert!(repositories::list(c, a.org).await.unwrap()[0].is_tracked);
    let hijack = PullRequestRow {
        repository: Some(a.repo),
        github_pr_id: "PR_X".into(),
        number: 2,
        title: "sneaky".into(),
        state: "open".into(),
        ..PullRequestRow::default()
    };
    assert!(matches!(
        pull_requests::upsert(c, b.org, &hijack).await,
        Err(StoreError::NotFound)
    ));
    let foreign_author = PullRequestRow {
        repository: Some(b.repo),
        author: Some(a.person),
        ..hijack.clone()
    };
    assert!(matches!(
        pull_requests::upsert(c, b.org, &foreign_author).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        pull_requests::merged_between(c, a.org, 0, i64::MAX)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        jira::upsert_issue(
            c,
            b.org,
            a.project,
            &IssueRow {
                jira_id: "30000".into(),
                issue_key: "PROJ-2".into(),
                ..IssueRow::default()
            }
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        jira::find_issue_by_key(c, a.org, "PROJ-2")
            .await
            .unwrap()
            .is_none()
    );
    webhooks::mark_processed(c, b.org, a.delivery)
        .await
        .unwrap();
    assert_eq!(
        webhooks::pending(c, a.org, 10)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [a.delivery]
    );
    assert_eq!(
        webhooks::prune_processed(c, b.org, i64::MAX).await.unwrap(),
        0
    );
    webhooks::mark_processed(c, b.org, b.delivery)
        .await
        .unwrap();
    assert_eq!(
        webhooks::prune_processed(c, b.org, i64::MAX).await.unwrap(),
        1
    );
    assert_eq!(webhooks::pending(c, a.org, 10).await.unwrap().len(), 1);
    assert_eq!(
        webhooks::record(c, a.org, "github", "delivery-1", "pull_request", b"{}")
            .await
            .unwrap(),
        Recorded::Duplicate
    );
    roles::set(c, b.org, "U1", Role::Developer, Some("U_ADMIN"))
        .await
        .unwrap();
    assert_eq!(roles::get(c, a.org, "U1").await.unwrap(), Role::Admin);
    assert_eq!(roles::get(c, b.org, "U1").await.unwrap(), Role::Developer);
    credentials::delete_prefixed(c, b.org, "github_")
        .await
        .unwrap();
    assert!(
        credentials::get(c, &keys, a.org, "github_token")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        credentials::get(c, &keys, b.org, "github_token")
            .await
            .unwrap()
            .is_none()
    );
    orgs::mark_uninstalled(c, b.org).await.unwrap();
    assert!(orgs::get(c, a.org).await.unwrap().uninstalled_at.is_none());
}

#[tokio::test]
async fn an_automatic_match_never_undoes_a_manual_mapping() {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let mut conn = db.pool().acquire().await.unwrap();
    let c = &mut *conn;
    let org = orgs::upsert_installation(c, "T1", "Acme", None)
        .await
        .unwrap()
        .id;
    let right = people::create(c, org, "Right", false).await.unwrap();
    let wrong = people::create(c, org, "Wrong", false).await.unwrap();
    people::link_identity(
        c,
        org,
        right,
        Provider::Slack,
        "U9",
        None,
        LinkSource::Manual,
    )
    .await
    .unwrap();
    people::link_identity(c, org, wrong, Provider::Slack, "U9", None, LinkSource::Auto)
        .await
        .unwrap();
    let who = people::find_by_identity(c, org, Provider::Slack, "U9")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.id, right);
}
