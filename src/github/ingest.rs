//! From GitHub's facts about a pull request (a GraphQL page or a webhook)
//! to stored rows with their metrics: one path for sync and webhooks, so
//! both compute exactly the same numbers.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::domain::{OrgId, PersonId, Provider, PullRequestId, RepositoryId};
use crate::metrics::pr::{CommitInput, PrInput, ReviewInput, compute, is_bot};
use crate::store::StoreResult;
use crate::store::people::{self, LinkSource};
use crate::store::pull_requests::{self, CommitRow, PullRequestRow, ReviewRow};
use crate::store::repositories::{self, NewRepository};

/// A GitHub account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Login.
    pub login: String,
    /// Numeric id, when known.
    pub id: Option<String>,
    /// GitHub reports the account's type as `Bot`.
    pub is_bot: bool,
}

/// A repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoFacts {
    /// GitHub's id.
    pub github_repo_id: String,
    /// Owner login.
    pub owner: String,
    /// Name.
    pub name: String,
    /// Default branch.
    pub default_branch: Option<String>,
    /// Private.
    pub is_private: bool,
    /// Archived.
    pub is_archived: bool,
    /// Fork.
    pub is_fork: bool,
}

/// A review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFacts {
    /// GitHub's review id.
    pub id: String,
    /// Reviewer.
    pub author: Option<Account>,
    /// Review state (any case).
    pub state: String,
    /// When submitted.
    pub submitted_at: Option<i64>,
}

/// A pull request as GitHub reports it. `None` lists mean "not in this
/// report" (webhooks carry no commits): what is stored stays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrFacts {
    /// Its repository.
    pub repo: RepoFacts,
    /// GitHub's node id.
    pub node_id: String,
    /// Number.
    pub number: i64,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// `open`, `closed` or `merged`.
    pub state: String,
    /// Currently a draft.
    pub is_draft: bool,
    /// Opened as a draft (a ready-for-review event exists), when known.
    pub opened_as_draft: Option<bool>,
    /// Opened at.
    pub created_at: i64,
    /// Updated at.
    pub updated_at: i64,
    /// Merged at.
    pub merged_at: Option<i64>,
    /// Closed at.
    pub closed_at: Option<i64>,
    /// Marked ready for review at, when known.
    pub ready_for_review_at: Option<i64>,
    /// Head branch.
    pub head_ref: String,
    /// Base branch.
    pub base_ref: String,
    /// Labels.
    pub labels: Vec<String>,
    /// Lines added.
    pub additions: i64,
    /// Lines deleted.
    pub deletions: i64,
    /// Files changed.
    pub changed_files: i64,
    /// Commit count, when known.
    pub commit_count: Option<i64>,
    /// Author.
    pub author: Option<Account>,
    /// Commits, when reported.
    pub commits: Option<Vec<CommitRow>>,
    /// Reviews, when reported.
    pub reviews: Option<Vec<ReviewFacts>>,
}

/// What an ingest changed that others care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    /// The stored PR.
    pub pr: PullRequestId,
    /// It became merged just now (the "PR merged" domain event).
    pub newly_merged: bool,
}

/// The branch prefix of pull requests that ship suggested agent rules
/// (`feedback::ship`).
pub const SHIPPED_RULES_BRANCH: &str = "aimpact/rules-";

/// Repositories and people already looked up or created inside one
/// transaction, so a page of PRs asks for each only once. Only valid
/// inside the transaction that filled it (a rollback forgets the rows).
#[derive(Debug, Default)]
pub struct Seen {
    repos: HashMap<String, RepositoryId>,
    people: HashMap<String, PersonId>,
}

/// The person behind a GitHub account, created on first sight.
pub async fn person_for(
    conn: &mut AnyConnection,
    org: OrgId,
    account: &Account,
) -> StoreResult<PersonId> {
    person_seen(conn, org, account, &mut Seen::default()).await
}

async fn person_seen(
    conn: &mut AnyConnection,
    org: OrgId,
    account: &Account,
    seen: &mut Seen,
) -> StoreResult<PersonId> {
    let external = account
        .id
        .clone()
        .unwrap_or_else(|| format!("login:{}", account.login.to_lowercase()));
    if let Some(&p) = seen.people.get(&external) {
        return Ok(p);
    }
    let person =
        match people::find_by_identity(&mut *conn, org, Provider::Github, &external).await? {
            Some(p) => p.id,
            None => {
                let bot = is_bot(&account.login, account.is_bot);
                let person = people::create(&mut *conn, org, &account.login, bot).await?;
                people::link_identity(
                    conn,
                    org,
                    person,
                    Provider::Github,
                    &external,
                    Some(&account.login),
                    LinkSource::Auto,
                )
                .await?;
                person
            }
        };
    seen.people.insert(external, person);
    Ok(person)
}

async fn repository_seen(
    conn: &mut AnyConnection,
    org: OrgId,
    r: &RepoFacts,
    seen: &mut Seen,
) -> StoreResult<RepositoryId> {
    if let Some(&id) = seen.repos.get(&r.github_repo_id) {
        return Ok(id);
    }
    let id = match repositories::find_by_github_id(&mut *conn, org, &r.github_repo_id).await? {
        Some(found) => found.id,
        None => {
            repositories::upsert(
                &mut *conn,
                org,
                &NewRepository {
                    github_repo_id: &r.github_repo_id,
                    owner: &r.owner,
                    name: &r.name,
                    default_branch: r.default_branch.as_deref(),
                    is_private: r.is_private,
                    is_archived: r.is_archived,
                    is_fork: r.is_fork,
                },
            )
            .await?
        }
    };
    seen.repos.insert(r.github_repo_id.clone(), id);
    Ok(id)
}

fn review_input(r: &ReviewRow) -> ReviewInput {
    ReviewInput {
        author_login: r.reviewer_login.clone(),
        author_is_bot: r.is_bot,
        state: r.state.clone(),
        submitted_at: r.submitted_at,
    }
}

fn commit_input(c: &CommitRow) -> CommitInput {
    CommitInput {
        authored_at: c.authored_at,
        message: c.message.clone(),
        author_name: c.author_name.clone(),
        author_email: c.author_email.clone(),
    }
}

/// Stores a PR with its reviews and commits and recomputes its metrics.
pub async fn ingest(
    conn: &mut AnyConnection,
    org: OrgId,
    facts: &PrFacts,
    ai_labels: &[String],
) -> StoreResult<Ingested> {
    ingest_seen(conn, org, facts, ai_labels, &mut Seen::default()).await
}

/// [`ingest`] for one of many PRs in one transaction, sharing lookups.
pub async fn ingest_seen(
    conn: &mut AnyConnection,
    org: OrgId,
    facts: &PrFacts,
    ai_labels: &[String],
    seen: &mut Seen,
) -> StoreResult<Ingested> {
    let repo = repository_seen(&mut *conn, org, &facts.repo, seen).await?;
    let author = match &facts.author {
        Some(a) => Some(person_seen(&mut *conn, org, a, seen).await?),
        None => None,
    };
    let existing = pull_requests::find_by_facts(
        &mut *conn,
        org,
        &facts.node_id,
        &facts.repo.github_repo_id,
        facts.number,
    )
    .await?;
    let (old_id, old) = match existing {
        Some((id, row)) => (Some(id), Some(row)),
        None => (None, None),
    };

    // What is stored, updated by what this report says (a review webhook
    // carries one review; a sync page carries them all).
    let mut reviews: Vec<ReviewRow> = match old_id {
        Some(id) => pull_requests::reviews(&mut *conn, org, id).await?,
        None => Vec::new(),
    };
    let mut changed_reviews = Vec::new();
    for r in facts.reviews.iter().flatten() {
        let reviewer = match &r.author {
            Some(a) => Some(person_seen(&mut *conn, org, a, seen).await?),
            None => None,
        };
        let review = ReviewRow {
            github_review_id: r.id.clone(),
            reviewer,
            reviewer_login: r
                .author
                .as_ref()
                .map(|a| a.login.clone())
                .unwrap_or_default(),
            state: r.state.to_uppercase(),
            submitted_at: r.submitted_at,
            is_bot: r
                .author
                .as_ref()
                .is_some_and(|a| is_bot(&a.login, a.is_bot)),
        };
        match reviews
            .iter_mut()
            .find(|x| x.github_review_id == review.github_review_id)
        {
            Some(x) => *x = review.clone(),
            None => reviews.push(review.clone()),
        }
        changed_reviews.push(review);
    }
    let mut commits: Vec<CommitRow> = match old_id {
        Some(id) => pull_requests::commits(&mut *conn, org, id).await?,
        None => Vec::new(),
    };
    for c in facts.commits.iter().flatten() {
        match commits.iter_mut().find(|x| x.sha == c.sha) {
            Some(x) => *x = c.clone(),
            None => commits.push(c.clone()),
        }
    }

    // Webhooks do not say whether a PR started as a draft: keep what a sync
    // learned, and learn it ourselves from a ready_for_review delivery.
    let ready_for_review_at = facts
        .ready_for_review_at
        .or(old.as_ref().and_then(|o| o.ready_for_review_at));
    let opened_as_draft = facts
        .opened_as_draft
        .unwrap_or(ready_for_review_at.is_some() || (facts.is_draft && old.is_none()));
    let author_login = facts.author.as_ref().map(|a| a.login.clone());
    // A merge is final: a report older than it (GitHub delivers webhooks in
    // no particular order; a review delivery can be processed after the
    // merge's) never makes the PR open again.
    let merged_at = facts.merged_at.or(old.as_ref().and_then(|o| o.merged_at));
    let (state, closed_at) = if facts.merged_at.is_none() && merged_at.is_some() {
        (
            "merged".to_string(),
            facts.closed_at.or(old.as_ref().and_then(|o| o.closed_at)),
        )
    } else {
        (facts.state.clone(), facts.closed_at)
    };
    let input = PrInput {
        created_at: facts.created_at,
        ready_for_review_at,
        opened_as_draft,
        merged_at,
        title: facts.title.clone(),
        body: facts.body.clone(),
        head_ref: facts.head_ref.clone(),
        labels: facts.labels.clone(),
        additions: facts.additions,
        deletions: facts.deletions,
        author_login: author_login.clone().unwrap_or_default(),
        author_is_bot: facts.author.as_ref().is_some_and(|a| a.is_bot),
        commits: commits.iter().map(commit_input).collect(),
        reviews: reviews.iter().map(review_input).collect(),
    };
    let m = compute(&input, ai_labels);
    let row = PullRequestRow {
        repository: Some(repo),
        github_pr_id: facts.node_id.clone(),
        number: facts.number,
        title: facts.title.clone(),
        body: facts.body.clone(),
        author,
        author_login,
        state,
        is_draft: facts.is_draft,
        head_ref: facts.head_ref.clone(),
        base_ref: facts.base_ref.clone(),
        labels: serde_json::to_string(&facts.labels).unwrap_or_else(|_| "[]".into()),
        additions: facts.additions,
        deletions: facts.deletions,
        changed_files: facts.changed_files,
        commit_count: facts
            .commit_count
            .unwrap_or(commits.len() as i64)
            .max(commits.len() as i64),
        opened_at: facts.created_at,
        ready_for_review_at,
        merged_at,
        closed_at,
        github_updated_at: facts.updated_at,
        metrics: m,
    };
    let pr = pull_requests::upsert(&mut *conn, org, &row).await?;
    for r in &changed_reviews {
        pull_requests::upsert_review(&mut *conn, org, pr, r).await?;
    }
    for c in facts.commits.iter().flatten() {
        pull_requests::upsert_commit(&mut *conn, org, pr, c).await?;
    }
    let newly_merged =
        facts.merged_at.is_some() && old.as_ref().is_none_or(|o| o.merged_at.is_none());
    if newly_merged && facts.head_ref.starts_with(SHIPPED_RULES_BRANCH) {
        // The pull request that shipped suggested agent rules merged: they
        // are adopted from now.
        crate::store::feedback::adopt_shipped(
            &mut *conn,
            org,
            &facts.repo.owner,
            &facts.repo.name,
            facts.number,
            facts.merged_at.unwrap_or_default(),
        )
        .await?;
    }
    Ok(Ingested { pr, newly_merged })
}
