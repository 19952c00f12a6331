//! Processing: the `github.delivery` job ([`ProcessDelivery`]) reads a
//! stored delivery and applies its event in one transaction: pull requests
//! and reviews through the same ingest as sync (a first merge fires the "PR
//! merged" event and plans surveys), members become people, installation
//! changes move the connection and the tracked repositories. A payload of
//! the wrong shape is recorded as failed and not retried; a storage error
//! is recorded and retried.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::OrgId;
use crate::github::ingest::{self, Account, PrFacts, RepoFacts, ReviewFacts};
use crate::jobs::Job;
use crate::store::webhooks;
use crate::store::{StoreError, audit, pull_requests};

/// Job: process one stored GitHub delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessDelivery {
    /// Its org.
    pub org: OrgId,
    /// `webhook_delivery_id`.
    pub delivery: i64,
}

impl Job for ProcessDelivery {
    const QUEUE: &'static str = "github.delivery";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
}

pub(crate) fn instant(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp())
}

fn account(v: &Value) -> Option<Account> {
    let login = v.get("login")?.as_str()?.to_string();
    Some(Account {
        login,
        id: v.get("id").and_then(Value::as_i64).map(|i| i.to_string()),
        is_bot: v.get("type").and_then(Value::as_str) == Some("Bot"),
    })
}

/// A PR from a webhook payload's `pull_request` and `repository`.
pub fn facts_from_payload(payload: &Value) -> Option<PrFacts> {
    let pr = payload.get("pull_request")?;
    let repo = payload.get("repository")?;
    let merged_at = instant(&pr["merged_at"]);
    let state = if merged_at.is_some() {
        "merged"
    } else {
        pr["state"].as_str().unwrap_or("open")
    };
    Some(PrFacts {
        repo: RepoFacts {
            github_repo_id: repo.get("id")?.as_i64()?.to_string(),
            owner: repo.pointer("/owner/login")?.as_str()?.to_string(),
            name: repo.get("name")?.as_str()?.to_string(),
            default_branch: repo["default_branch"].as_str().map(str::to_string),
            is_private: repo["private"].as_bool().unwrap_or(false),
            is_archived: repo["archived"].as_bool().unwrap_or(false),
            is_fork: repo["fork"].as_bool().unwrap_or(false),
        },
        node_id: pr.get("node_id")?.as_str()?.to_string(),
        number: pr.get("number")?.as_i64()?,
        title: pr["title"].as_str().unwrap_or_default().to_string(),
        body: pr["body"].as_str().unwrap_or_default().to_string(),
        state: state.to_string(),
        is_draft: pr["draft"].as_bool().unwrap_or(false),
        opened_as_draft: None,
        created_at: instant(&pr["created_at"])?,
        updated_at: instant(&pr["updated_at"]).or(instant(&pr["created_at"]))?,
        merged_at,
        closed_at: instant(&pr["closed_at"]),
        ready_for_review_at: None,
        head_ref: pr
            .pointer("/head/ref")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        base_ref: pr
            .pointer("/base/ref")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        labels: pr["labels"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| l["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        additions: pr["additions"].as_i64().unwrap_or(0),
        deletions: pr["deletions"].as_i64().unwrap_or(0),
        changed_files: pr["changed_files"].as_i64().unwrap_or(0),
        commit_count: pr["commits"].as_i64(),
        author: account(&pr["user"]),
        commits: None,
        reviews: None,
    })
}

/// Why a delivery could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Storage failed (worth a retry).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The payload lacks what its event needs (never worth a retry).
    #[error("payload of `{0}` is missing required fields")]
    Shape(String),
}

/// Processes one delivery (the `github.delivery` job).
#[tracing::instrument(skip_all, fields(org_id = %job.org, delivery = job.delivery), err(level = "warn"))]
pub async fn run(
    job: ProcessDelivery,
    ctx: crate::state::AppState,
) -> Result<(), apalis::prelude::BoxDynError> {
    let org = job.org;
    let mut conn = ctx.db.pool().acquire().await.map_err(StoreError::from)?;
    let Some(delivery) = webhooks::get(&mut conn, org, job.delivery).await? else {
        return Ok(());
    };
    drop(conn);
    let outcome = process(&ctx, org, &delivery.event, &delivery.payload).await;
    let mut conn = ctx.db.pool().acquire().await.map_err(StoreError::from)?;
    match outcome {
        Ok(()) => webhooks::mark_processed(&mut conn, org, job.delivery).await?,
        Err(DeliveryError::Shape(event)) => {
            // Unusable for good: record why and stop retrying.
            tracing::warn!(event, "GitHub delivery has an unexpected shape; skipped");
            webhooks::mark_failed(&mut conn, org, job.delivery, "unexpected payload shape").await?;
            webhooks::mark_processed(&mut conn, org, job.delivery).await?;
        }
        Err(e) => {
            webhooks::mark_failed(&mut conn, org, job.delivery, &e.to_string()).await?;
            return Err(e.into());
        }
    }
    Ok(())
}

async fn process(
    ctx: &crate::state::AppState,
    org: OrgId,
    event: &str,
    payload: &[u8],
) -> Result<(), DeliveryError> {
    let payload: Value =
        serde_json::from_slice(payload).map_err(|_| DeliveryError::Shape(event.to_string()))?;
    let action = payload["action"].as_str().unwrap_or_default();
    let mut tx = ctx.db.begin_write().await.map_err(StoreError::from)?;
    let mut surveys_planned = None;
    match event {
        "pull_request" => {
            let mut facts =
                facts_from_payload(&payload).ok_or_else(|| DeliveryError::Shape(event.into()))?;
            if action == "ready_for_review" {
                facts.ready_for_review_at = Some(facts.updated_at);
                facts.opened_as_draft = Some(true);
            }
            let done = ingest::ingest(&mut tx, org, &facts, &[]).await?;
            if done.newly_merged && pr_merged(&mut tx, org, &facts).await? {
                surveys_planned = plan_surveys(ctx, &mut tx, org, &facts).await?;
            }
        }
        "pull_request_review" => {
            let mut facts =
                facts_from_payload(&payload).ok_or_else(|| DeliveryError::Shape(event.into()))?;
            // Review payloads carry a short PR without sizes: keep stored ones.
            if payload.pointer("/pull_request/additions").is_none()
                && let Some((_, stored)) = pull_requests::find_by_facts(
                    &mut tx,
                    org,
                    &facts.node_id,
                    &facts.repo.github_repo_id,
                    facts.number,
                )
                .await?
            {
                facts.additions = stored.additions;
                facts.deletions = stored.deletions;
                facts.changed_files = stored.changed_files;
                facts.merged_at = facts.merged_at.or(stored.merged_at);
                facts.state = if facts.merged_at.is_some() {
                    "merged".into()
                } else {
                    facts.state
                };
            }
            let review = &payload["review"];
            let id = review["id"]
                .as_i64()
                .map(|i| i.to_string())
                .or_else(|| review["node_id"].as_str().map(str::to_string))
                .ok_or_else(|| DeliveryError::Shape(event.into()))?;
            facts.reviews = Some(vec![ReviewFacts {
                id,
                author: account(&review["user"]),
                state: review["state"].as_str().unwrap_or("commented").to_string(),
                submitted_at: instant(&review["submitted_at"]),
            }]);
            ingest::ingest(&mut tx, org, &facts, &[]).await?;
        }
        "member" | "membership" | "organization" => {
            let who = payload
                .get("member")
                .or_else(|| payload.pointer("/membership/user"))
                .and_then(account);
            if let Some(who) = who
                && matches!(action, "added" | "member_added")
            {
                ingest::person_for(&mut tx, org, &who).await?;
            }
        }
        // App installation changes: the connection follows the
        // installation's state; repositories follow its selection.
        "installation" | "installation_repositories" => {
            installation_change(&mut tx, org, event, action, &payload).await?;
            audit::record(
                &mut tx,
                org,
                "github",
                &format!("github.{event}.{action}"),
                None,
                &json!({}),
            )
            .await?;
        }
        _ => {}
    }
    tx.commit().await.map_err(StoreError::from)?;
    if let Some(waiting) = surveys_planned {
        // Committed: deliver now rather than at the next minute's tick
        // (which would also pick them up if this enqueue is lost).
        let job = crate::surveys::deliver::DeliverSurveys { org };
        if let Err(e) = ctx.jobs.enqueue(job).await {
            tracing::warn!(error = %e, "could not queue survey delivery; the tick will");
        }
        // People asked but not matched yet: Slack may know their email.
        if let Err(e) = crate::people::match_waiting(ctx, org, &waiting).await {
            tracing::warn!(error = %e, "could not look up unmatched people by email");
        }
    }
    Ok(())
}

/// Plans the merged PR's surveys in the event's transaction; when there is
/// something to deliver, who of those asked is not matched to Slack yet.
async fn plan_surveys(
    ctx: &crate::state::AppState,
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    facts: &PrFacts,
) -> Result<Option<Vec<crate::domain::PersonId>>, StoreError> {
    let Some((pr, _)) = pull_requests::find_by_facts(
        &mut *conn,
        org,
        &facts.node_id,
        &facts.repo.github_repo_id,
        facts.number,
    )
    .await?
    else {
        return Ok(None);
    };
    let now = ctx.clock.now();
    let planned =
        crate::surveys::plan::on_merged(conn, org, pr, facts.merged_at.unwrap_or(now), now).await?;
    tracing::info!(org_id = %org, number = facts.number, ?planned, "surveys planned");
    Ok(match planned {
        crate::surveys::plan::Planned::Created { waiting, .. } => Some(waiting),
        _ => None,
    })
}

async fn installation_change(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    event: &str,
    action: &str,
    payload: &Value,
) -> Result<(), StoreError> {
    use crate::store::{integrations, repositories};
    match (event, action) {
        ("installation", "deleted" | "suspend") => {
            let status = if action == "deleted" {
                "revoked"
            } else {
                "suspended"
            };
            if let Some(current) = integrations::get(&mut *conn, org, "github").await? {
                integrations::upsert(
                    &mut *conn,
                    org,
                    "github",
                    status,
                    current.external_id.as_deref(),
                    None,
                )
                .await?;
            }
        }
        ("installation", "unsuspend") => {
            if let Some(current) = integrations::get(&mut *conn, org, "github").await? {
                integrations::upsert(
                    &mut *conn,
                    org,
                    "github",
                    "connected",
                    current.external_id.as_deref(),
                    None,
                )
                .await?;
            }
        }
        ("installation_repositories", _) => {
            let chosen_only = integrations::get(&mut *conn, org, "github")
                .await?
                .is_some_and(|g| {
                    g.setting(crate::github::connect::REPOS_SETTING)
                        == crate::github::connect::REPOS_CHOSEN
                });
            let list = |key: &str| payload[key].as_array().cloned().unwrap_or_default();
            for r in list("repositories_added") {
                let (Some(id), Some(full)) = (r["id"].as_i64(), r["full_name"].as_str()) else {
                    continue;
                };
                let Some((owner, name)) = full.split_once('/') else {
                    continue;
                };
                if let Some(known) =
                    repositories::find_by_github_id(&mut *conn, org, &id.to_string()).await?
                {
                    // Back in the App's selection: tracked again unless an
                    // admin keeps a chosen set.
                    if !chosen_only && known.is_active() && !known.is_tracked {
                        repositories::set_tracked(&mut *conn, org, known.id, true).await?;
                    }
                    continue;
                }
                let repo = repositories::upsert(
                    &mut *conn,
                    org,
                    &repositories::NewRepository {
                        github_repo_id: &id.to_string(),
                        owner,
                        name,
                        default_branch: None,
                        is_private: r["private"].as_bool().unwrap_or(false),
                        is_archived: false,
                        is_fork: false,
                    },
                )
                .await?;
                if chosen_only {
                    repositories::set_tracked(&mut *conn, org, repo, false).await?;
                }
            }
            for r in list("repositories_removed") {
                let Some(id) = r["id"].as_i64() else { continue };
                if let Some(repo) =
                    repositories::find_by_github_id(&mut *conn, org, &id.to_string()).await?
                {
                    // The App cannot read it any more; its data stays.
                    repositories::set_tracked(&mut *conn, org, repo.id, false).await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The "PR merged" domain event: recorded once, when a PR first becomes
/// merged; survey DMs subscribe to it. True when it fired now.
async fn pr_merged(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    facts: &PrFacts,
) -> Result<bool, StoreError> {
    // Two deliveries of one merge can be processed at once; the unique key
    // of the event record lets exactly one of them fire it.
    let key = format!("pr_merged:{}", facts.node_id);
    let webhooks::Recorded::New(id) =
        webhooks::record(&mut *conn, org, "event", &key, "pr_merged", b"").await?
    else {
        return Ok(false);
    };
    webhooks::mark_processed(&mut *conn, org, id).await?;
    tracing::info!(org_id = %org, repo = %facts.repo.name, number = facts.number, "pull request merged");
    audit::record(
        conn,
        org,
        "github",
        "github.pr_merged",
        Some(&facts.node_id),
        &json!({ "repository": format!("{}/{}", facts.repo.owner, facts.repo.name), "number": facts.number }),
    )
    .await?;
    Ok(true)
}
