//! Teams (usually GitHub teams) and their members.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, unix_now};
use crate::domain::{OrgId, PersonId, TeamId};

/// A group of people inside an org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Id inside the org.
    pub id: TeamId,
    /// Stable short name (`platform`), unique per org.
    pub slug: String,
    /// Name to show.
    pub name: String,
}

/// Creates or renames a team by slug.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert(
    conn: &mut AnyConnection,
    org: OrgId,
    slug: &str,
    name: &str,
    github_team_id: Option<&str>,
) -> StoreResult<TeamId> {
    const SQL: &str = "insert into team (org_id, slug, name, github_team_id, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $5)
        on conflict (org_id, slug) do update set name = excluded.name,
            github_team_id = coalesce(excluded.github_team_id, team.github_team_id), updated_at = excluded.updated_at
        returning team_id";
    let id: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(slug)
        .bind(name)
        .bind(github_team_id)
        .bind(unix_now())
        .fetch_one(conn)
        .await?;
    Ok(TeamId(id))
}

/// The org's teams by name.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn list(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Team>> {
    const SQL: &str =
        "select team_id, slug, name from team where org_id = $1 order by name, team_id";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Team {
                id: TeamId(r.try_get("team_id")?),
                slug: r.try_get("slug")?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}

/// Adds a person to a team; both must belong to the org (else not found).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn add_member(
    conn: &mut AnyConnection,
    org: OrgId,
    team: TeamId,
    person: PersonId,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into team_membership (org_id, team_id, person_id, created_at, updated_at)
        select $1, t.team_id, p.person_id, $4, $4 from team t join person p on p.org_id = t.org_id
        where t.org_id = $1 and t.team_id = $2 and p.person_id = $3
        on conflict (team_id, person_id) do nothing";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(team.0)
        .bind(person.0)
        .bind(unix_now())
        .execute(&mut *conn)
        .await?;
    // "do nothing" also reports 0 rows for an existing membership, so check
    // membership rather than the row count.
    if !members(conn, org, team).await?.contains(&person) {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// People in a team of this org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn members(
    conn: &mut AnyConnection,
    org: OrgId,
    team: TeamId,
) -> StoreResult<Vec<PersonId>> {
    const SQL: &str = "select person_id from team_membership where org_id = $1 and team_id = $2 order by person_id";
    let ids: Vec<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(team.0)
        .fetch_all(conn)
        .await?;
    Ok(ids.into_iter().map(PersonId).collect())
}
