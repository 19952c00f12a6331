//! Writing the planned history: the org, people and identities, teams,
//! roles, integrations, repositories, Jira projects and sprints; PRs through
//! [`ingest::ingest_seen`], the path GitHub sync and webhooks take; PR to
//! issue links; issues with their histories; surveys; sync states.

use serde_json::json;

use super::cast::{
    BOTS, LEAD, MEMBERS, PROJECTS, REPOS, TEAMS, email_of, github_id_of, jira_account_of, login_of,
    slack_of,
};
use super::jira::{IssueOut, Sprint};
use super::plan::{Plan, PrPlan};
use super::surveys::SurveyOut;
use super::{
    ADMIN_SLACK, DEMO_CHANNEL, DEVELOPER_SLACK, DemoError, DemoOrg, GITHUB_ORG, JIRA_SITE,
    LEAD_SLACK, ORG_NAME, SLACK_TEAM_ID, TIME_ZONE,
};
use crate::domain::{PersonId, Provider, PullRequestId, Role, TeamId};
use crate::github::ingest::{self, Account, PrFacts, RepoFacts, ReviewFacts};
use crate::store::jira as jira_store;
use crate::store::people::{self, LinkSource};
use crate::store::repositories::{self, NewRepository};
use crate::store::surveys::{self, SurveyReviewRow, SurveyRow};
use crate::store::sync_state::{self, SyncState};
use crate::store::{Db, integrations, orgs, roles, teams};

fn account(person: usize) -> Account {
    Account {
        login: login_of(person).to_string(),
        id: Some(github_id_of(person).to_string()),
        is_bot: person >= MEMBERS.len(),
    }
}

fn pr_facts(pr: &PrPlan, review_ids: &mut i64) -> PrFacts {
    let spec = &REPOS[pr.repo];
    PrFacts {
        repo: RepoFacts {
            github_repo_id: spec.github_id.to_string(),
            owner: GITHUB_ORG.into(),
            name: spec.name.into(),
            default_branch: Some("main".into()),
            is_private: true,
            is_archived: false,
            is_fork: false,
        },
        node_id: format!("PR_kwDOAcme{:02}{:06}", pr.repo, pr.number),
        number: pr.number,
        title: pr.title.clone(),
        body: pr.body.clone(),
        state: pr.state().into(),
        is_draft: pr.is_draft(),
        opened_as_draft: Some(pr.opened_as_draft),
        created_at: pr.created_at,
        updated_at: pr.updated_at(),
        merged_at: pr.merged_at,
        closed_at: pr.closed_at,
        ready_for_review_at: pr.ready_for_review_at,
        head_ref: pr.head_ref.clone(),
        base_ref: "main".into(),
        labels: pr.labels.clone(),
        additions: pr.additions,
        deletions: pr.deletions,
        changed_files: pr.changed_files,
        commit_count: Some(pr.commits.len() as i64),
        author: Some(account(pr.author)),
        commits: Some(pr.commits.clone()),
        reviews: Some(
            pr.reviews
                .iter()
                .map(|r| {
                    *review_ids += 1;
                    ReviewFacts {
                        id: review_ids.to_string(),
                        author: Some(account(r.reviewer)),
                        state: r.state.into(),
                        submitted_at: Some(r.at),
                    }
                })
                .collect(),
        ),
    }
}

/// Writes the planned history as the demo org. An existing demo org (Slack
/// team [`SLACK_TEAM_ID`]) is deleted first, with everything it holds.
pub(super) async fn write(
    db: &Db,
    now: i64,
    plan: Plan,
    sprint_plan: Vec<Sprint>,
    issues: Vec<IssueOut>,
    survey_plan: Vec<SurveyOut>,
) -> Result<DemoOrg, DemoError> {
    let people_count = MEMBERS.len() + BOTS.len();

    // 1. The org, its people, teams, roles, integrations, repositories,
    //    Jira projects and sprints.
    let mut tx = db.begin_write().await?;
    if let Some(old) = orgs::find_by_slack_team(&mut tx, SLACK_TEAM_ID).await? {
        orgs::delete(&mut tx, old.id).await?;
    }
    let org = orgs::upsert_installation(&mut tx, SLACK_TEAM_ID, ORG_NAME, Some(ADMIN_SLACK))
        .await?
        .id;
    orgs::set_time_zone(&mut tx, org, TIME_ZONE).await?;
    let mut person_ids: Vec<PersonId> = Vec::with_capacity(people_count);
    for (i, m) in MEMBERS.iter().enumerate() {
        let person = people::create(&mut tx, org, m.name, false).await?;
        let github = github_id_of(i).to_string();
        let slack = slack_of(i);
        let jira = jira_account_of(i);
        let email = email_of(i);
        for (provider, external, login) in [
            (Provider::Github, github.as_str(), Some(m.login)),
            (Provider::Slack, slack.as_str(), None),
            (Provider::Jira, jira.as_str(), Some(m.name)),
            (Provider::Email, email.as_str(), None),
        ] {
            people::link_identity(
                &mut tx,
                org,
                person,
                provider,
                external,
                login,
                LinkSource::Auto,
            )
            .await?;
        }
        person_ids.push(person);
    }
    for (login, id) in BOTS {
        let person = people::create(&mut tx, org, login, true).await?;
        let external = id.to_string();
        people::link_identity(
            &mut tx,
            org,
            person,
            Provider::Github,
            &external,
            Some(login),
            LinkSource::Auto,
        )
        .await?;
        person_ids.push(person);
    }
    let mut team_ids: Vec<TeamId> = Vec::new();
    for (slug, name, github_team, _) in TEAMS {
        let github_team = github_team.to_string();
        let team = teams::upsert(&mut tx, org, slug, name, Some(&github_team)).await?;
        team_ids.push(team);
    }
    for (i, m) in MEMBERS.iter().enumerate() {
        teams::add_member(&mut tx, org, team_ids[m.team], person_ids[i]).await?;
    }
    roles::set(&mut tx, org, ADMIN_SLACK, Role::Admin, None).await?;
    roles::set(&mut tx, org, LEAD_SLACK, Role::Lead, Some(ADMIN_SLACK)).await?;
    roles::add_team_lead(&mut tx, org, team_ids[MEMBERS[LEAD].team], LEAD_SLACK).await?;
    integrations::upsert(
        &mut tx,
        org,
        "github",
        "connected",
        Some(GITHUB_ORG),
        Some(ADMIN_SLACK),
    )
    .await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "github",
        &json!({ "mode": "token", "login": GITHUB_ORG, "webhook": "created", "demo": true }),
    )
    .await?;
    integrations::upsert(
        &mut tx,
        org,
        "jira",
        "connected",
        Some(JIRA_SITE),
        Some(ADMIN_SLACK),
    )
    .await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "jira",
        &json!({
            "mode": "token",
            "site_url": JIRA_SITE,
            "site_name": "acme",
            "flavor": "cloud",
            "story_points_field": "customfield_10016",
            "sprint_field": "customfield_10020",
            "demo": true,
        }),
    )
    .await?;
    for spec in &REPOS {
        repositories::upsert(
            &mut tx,
            org,
            &NewRepository {
                github_repo_id: &spec.github_id.to_string(),
                owner: GITHUB_ORG,
                name: spec.name,
                default_branch: Some("main"),
                is_private: true,
                is_archived: false,
                is_fork: false,
            },
        )
        .await?;
    }
    let mut project_ids = Vec::new();
    for (key, name, jira_id, _, _) in PROJECTS {
        let project = jira_store::upsert_project(&mut tx, org, jira_id, key, name).await?;
        jira_store::set_selected(&mut tx, org, project, true).await?;
        project_ids.push(project);
    }
    let mut sprint_ids = Vec::with_capacity(sprint_plan.len());
    for s in &sprint_plan {
        sprint_ids.push(jira_store::upsert_sprint(&mut tx, org, &s.row).await?);
    }
    surveys::save_settings(
        &mut tx,
        org,
        &surveys::Settings {
            enabled: true,
            ..surveys::Settings::default()
        },
    )
    .await?;
    crate::store::leaderboard::save(
        &mut tx,
        org,
        &crate::store::leaderboard::Settings {
            enabled: true,
            channel: Some(DEMO_CHANNEL.into()),
            channel_name: Some("eng-wins".into()),
            time_zone: TIME_ZONE.into(),
            ..crate::store::leaderboard::Settings::default()
        },
        now,
    )
    .await?;
    tx.commit().await?;

    // 2. Pull requests, through the ingest path of sync and webhooks.
    let mut tx = db.begin_write().await?;
    let mut seen = ingest::Seen::default();
    let mut pr_ids: Vec<Option<PullRequestId>> = vec![None; plan.prs.len()];
    let mut review_ids = 2_100_000_000;
    let mut per_repo = vec![0i64; REPOS.len()];
    for &i in &plan.order {
        let facts = pr_facts(&plan.prs[i], &mut review_ids);
        let stored = ingest::ingest_seen(&mut tx, org, &facts, &[], &mut seen).await?;
        pr_ids[i] = Some(stored.pr);
        per_repo[plan.prs[i].repo] += 1;
    }
    for (spec, done) in REPOS.iter().zip(&per_repo) {
        let state = SyncState {
            source: "github".into(),
            scope: format!("repo:{}", spec.github_id),
            status: "done".into(),
            cursor: Some(now.to_string()),
            checkpoint: None,
            items_done: *done,
            items_total: Some(*done),
            last_error: None,
        };
        sync_state::save(&mut tx, org, &state).await?;
    }
    tx.commit().await?;
    crate::jira::sync::link_prs(db, org).await?;

    // 3. Jira issues, their histories and sprints; surveys; sync states.
    let mut tx = db.begin_write().await?;
    let mut per_project = [0i64; PROJECTS.len()];
    for (issue, plan_issue) in issues.iter().zip(&plan.issues) {
        let mut row = issue.row.clone();
        row.assignee_person_id = plan_issue.assignee.map(|p| person_ids[p]);
        let id = jira_store::upsert_issue(&mut tx, org, project_ids[issue.project], &row).await?;
        jira_store::add_transitions(&mut tx, org, id, &issue.transitions).await?;
        for &s in &issue.sprints {
            jira_store::link_sprint(&mut tx, org, id, sprint_ids[s]).await?;
        }
        per_project[issue.project] += 1;
    }
    for ((key, ..), done) in PROJECTS.iter().zip(per_project) {
        let state = SyncState {
            source: "jira".into(),
            scope: format!("project:{key}"),
            status: "done".into(),
            cursor: Some(now.to_string()),
            checkpoint: None,
            items_done: done,
            items_total: Some(done),
            last_error: None,
        };
        sync_state::save(&mut tx, org, &state).await?;
    }
    for s in &survey_plan {
        let Some(pr) = pr_ids[s.pr] else { continue };
        let row = SurveyRow {
            pull_request: Some(pr),
            author: Some(person_ids[s.author]),
            ..s.row.clone()
        };
        let Some(survey) = surveys::create(&mut tx, org, &row).await? else {
            continue;
        };
        for (reviewer, review) in &s.reviews {
            let review = SurveyReviewRow {
                reviewer: Some(person_ids[*reviewer]),
                ..review.clone()
            };
            surveys::create_review(&mut tx, org, survey, &review).await?;
        }
    }
    // The daily syncs count as run: the demo has no credentials to run them.
    for task in [crate::github::job::DAILY, crate::jira::job::DAILY] {
        sync_state::claim_due(&mut tx, org, task, 0, now).await?;
    }
    tx.commit().await?;

    Ok(DemoOrg {
        org,
        admin_slack: ADMIN_SLACK.into(),
        lead_slack: LEAD_SLACK.into(),
        developer_slack: DEVELOPER_SLACK.into(),
        people: people_count,
        prs: plan.prs.len(),
        issues: issues.len(),
        surveys: survey_plan.len(),
        reports: 0,
    })
}
