//! GitHub repositories of an org and whether each is tracked.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, flag, unix_now};
use crate::domain::{OrgId, RepositoryId};

/// A repository as GitHub describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRepository<'a> {
    /// GitHub's repository id.
    pub github_repo_id: &'a str,
    /// Owner login.
    pub owner: &'a str,
    /// Repository name.
    pub name: &'a str,
    /// Default branch.
    pub default_branch: Option<&'a str>,
    /// Private repository.
    pub is_private: bool,
    /// Archived (not tracked by default).
    pub is_archived: bool,
    /// Fork (not tracked by default).
    pub is_fork: bool,
}

/// A stored repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// Id inside the org.
    pub id: RepositoryId,
    /// GitHub's repository id.
    pub github_repo_id: String,
    /// `owner/name`.
    pub full_name: String,
    /// Synced and shown in metrics.
    pub is_tracked: bool,
    /// Archived on GitHub.
    pub is_archived: bool,
    /// A fork.
    pub is_fork: bool,
}

impl Repository {
    /// Tracked by default: neither archived nor a fork.
    pub fn is_active(&self) -> bool {
        !self.is_archived && !self.is_fork
    }
}

/// Inserts or refreshes a repository. New repositories are tracked unless
/// archived or forks; an admin's later choice is never overwritten.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert(
    conn: &mut AnyConnection,
    org: OrgId,
    repo: &NewRepository<'_>,
) -> StoreResult<RepositoryId> {
    const SQL: &str = "insert into repository (org_id, github_repo_id, owner, name, default_branch, is_private,
            is_archived, is_fork, is_tracked, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
        on conflict (org_id, github_repo_id) do update set owner = excluded.owner, name = excluded.name,
            default_branch = excluded.default_branch, is_private = excluded.is_private,
            is_archived = excluded.is_archived, is_fork = excluded.is_fork, updated_at = excluded.updated_at
        returning repository_id";
    let id: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(repo.github_repo_id)
        .bind(repo.owner)
        .bind(repo.name)
        .bind(repo.default_branch)
        .bind(i64::from(repo.is_private))
        .bind(i64::from(repo.is_archived))
        .bind(i64::from(repo.is_fork))
        .bind(i64::from(!repo.is_archived && !repo.is_fork))
        .bind(unix_now())
        .fetch_one(conn)
        .await?;
    Ok(RepositoryId(id))
}

/// The org's repositories by full name.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn list(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Repository>> {
    const SQL: &str =
        "select repository_id, github_repo_id, owner, name, is_tracked, is_archived, is_fork from repository
        where org_id = $1 order by owner, name";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let owner: String = r.try_get("owner")?;
            let name: String = r.try_get("name")?;
            Ok(Repository {
                id: RepositoryId(r.try_get("repository_id")?),
                github_repo_id: r.try_get("github_repo_id")?,
                full_name: format!("{owner}/{name}"),
                is_tracked: flag(r, "is_tracked")?,
                is_archived: flag(r, "is_archived")?,
                is_fork: flag(r, "is_fork")?,
            })
        })
        .collect()
}

/// A repository by GitHub's id.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_github_id(
    conn: &mut AnyConnection,
    org: OrgId,
    github_repo_id: &str,
) -> StoreResult<Option<Repository>> {
    const SQL: &str =
        "select repository_id, github_repo_id, owner, name, is_tracked, is_archived, is_fork from repository
        where org_id = $1 and github_repo_id = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(github_repo_id)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let owner: String = r.try_get("owner")?;
    let name: String = r.try_get("name")?;
    Ok(Some(Repository {
        id: RepositoryId(r.try_get("repository_id")?),
        github_repo_id: r.try_get("github_repo_id")?,
        full_name: format!("{owner}/{name}"),
        is_tracked: flag(&r, "is_tracked")?,
        is_archived: flag(&r, "is_archived")?,
        is_fork: flag(&r, "is_fork")?,
    }))
}

/// Starts or stops tracking a repository of this org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_tracked(
    conn: &mut AnyConnection,
    org: OrgId,
    repo: RepositoryId,
    tracked: bool,
) -> StoreResult<()> {
    const SQL: &str = "update repository set is_tracked = $3, updated_at = $4 where org_id = $1 and repository_id = $2";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(repo.0)
        .bind(i64::from(tracked))
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
