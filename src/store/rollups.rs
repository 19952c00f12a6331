//! Dashboard facts (narrow rows of merged PRs, reviews and revealed
//! guesses) and the `weekly_rollup` rows computed from them.
//!
//! Facts are read per scope with one indexed range query each; people an
//! admin excluded are left out here, bots by the pure code that knows the
//! agent list.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::domain::OrgId;
use crate::metrics::rollup::{Dist, GuessFact, PrFact, ReviewFact, Scope, WeekValues, week_start};

/// The SQL that narrows a fact query to a scope, and the id to bind as `$4`.
fn pr_filter(scope: Scope) -> (&'static str, i64) {
    match scope {
        Scope::Org => ("", 0),
        Scope::Team(t) => (
            " and p.author_person_id in (select person_id from team_membership where org_id = $1 and team_id = $4)",
            t,
        ),
        Scope::Repo(r) => (" and p.repository_id = $4", r),
        Scope::Person(p) => (" and p.author_person_id = $4", p),
    }
}

fn reviewer_filter(scope: Scope) -> (&'static str, i64) {
    match scope {
        Scope::Org => ("", 0),
        Scope::Team(t) => (
            " and r.reviewer_person_id in (select person_id from team_membership where org_id = $1 and team_id = $4)",
            t,
        ),
        Scope::Repo(id) => (" and p.repository_id = $4", id),
        Scope::Person(id) => (" and r.reviewer_person_id = $4", id),
    }
}

/// Merged PRs of `scope` with `merged_at` in `[from, to)`, oldest first.
///
/// One row per author, with that author's PRs packed by `string_agg`
/// (SQLite 3.44+ and PostgreSQL spell it the same): a period of 8,300 PRs
/// is a few dozen rows instead of 8,300, each of which would cost a hop
/// through the driver. The columns come from the covering index
/// `pull_request_org_merged`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn pr_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    from: i64,
    to: i64,
) -> StoreResult<Vec<PrFact>> {
    read_pr_facts(conn, org, scope, from, to, true).await
}

/// The org's merged PRs in `[from, to)` including people an admin excluded,
/// for packing: readers of packed days apply today's flags.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn all_pr_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<PrFact>> {
    read_pr_facts(conn, org, Scope::Org, from, to, false).await
}

async fn read_pr_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    from: i64,
    to: i64,
    counted_only: bool,
) -> StoreResult<Vec<PrFact>> {
    // Fields per PR in `unpack_pr`'s order; `''` for a missing value.
    const SELECT: &str = "select p.author_person_id, coalesce(p.author_login, '') as author_login,
            coalesce(a.is_bot, 0) as author_is_bot,
            string_agg(cast(p.pull_request_id as text) || ':' || cast(p.repository_id as text)
                || ':' || cast(p.merged_at as text)
                || ':' || coalesce(cast(p.cycle_time as text), '')
                || ':' || coalesce(cast(p.pickup_time as text), '')
                || ':' || coalesce(cast(p.review_time as text), '')
                || ':' || cast(p.size as text) || ':' || cast(p.is_revert as text)
                || ':' || cast(p.is_hotfix as text) || ':' || cast(p.ai_detected as text)
                || ':' || coalesce(s.ai_answer, ''), ',') as prs
        from pull_request p
        left join person a on a.person_id = p.author_person_id and a.org_id = p.org_id
        left join pr_survey s on s.pull_request_id = p.pull_request_id and s.org_id = p.org_id
        where p.org_id = $1 and p.merged_at is not null and p.merged_at >= $2 and p.merged_at < $3";
    let (filter, id) = pr_filter(scope);
    let counted = if counted_only {
        " and coalesce(a.is_excluded, 0) = 0"
    } else {
        ""
    };
    let sql =
        format!("{SELECT}{counted}{filter} group by p.author_person_id, p.author_login, a.is_bot");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.get())
        .bind(from)
        .bind(to);
    if !filter.is_empty() {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    let mut out = unpack_rows(&rows)?;
    out.sort_by_key(|p| (p.merged_at, p.id));
    Ok(out)
}

/// The PRs of packed rows (`author_person_id`, `author_login`,
/// `author_is_bot`, `prs`).
fn unpack_rows(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<PrFact>> {
    let mut out = Vec::new();
    for r in rows {
        let author: Option<i64> = r.try_get("author_person_id")?;
        let author_login: String = r.try_get("author_login")?;
        let author_is_bot = r.try_get::<i64, _>("author_is_bot")? != 0;
        let packed: Option<String> = r.try_get("prs")?;
        for pr in packed.as_deref().unwrap_or_default().split(',') {
            out.push(
                unpack_pr(pr, author, &author_login, author_is_bot).ok_or_else(|| corrupt(pr))?,
            );
        }
    }
    Ok(out)
}

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// 00:00 UTC of the day holding `t`.
pub fn day_start(t: i64) -> i64 {
    t.div_euclid(DAY).saturating_mul(DAY)
}

/// Escapes what separates packed entries out of a login.
fn escape_login(login: &str) -> String {
    login.replace('%', "%25").replace(',', "%2C")
}

fn unescape_login(login: &str) -> String {
    login.replace("%2C", ",").replace("%25", "%")
}

/// `p` as one entry of a packed day: [`pr_facts`]'s fields, then the
/// author's person id and login (last, so it may hold `:`).
fn pack_pr(p: &PrFact) -> String {
    let o = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let answer = match p.ai_reported {
        None => "",
        Some(true) => "some",
        Some(false) => "no",
    };
    format!(
        "{}:{}:{}:{}:{}:{}:{}:{}:{}:{}:{answer}:{}:{}",
        p.id,
        p.repository,
        p.merged_at,
        o(p.cycle),
        o(p.pickup),
        o(p.review),
        p.size,
        i64::from(p.is_revert),
        i64::from(p.is_hotfix),
        i64::from(p.ai_detected),
        o(p.author),
        escape_login(&p.author_login),
    )
}

/// An entry of [`pack_pr`]; the bot flag is the caller's to set.
fn unpack_day_pr(entry: &str) -> Option<PrFact> {
    // The 11 fields of `pr_facts`, the author id, then the login.
    let mut cut = entry.match_indices(':').map(|(i, _)| i);
    let end_of_fields = cut.nth(10)?;
    let end_of_author = cut.next()?;
    let author = &entry[end_of_fields + 1..end_of_author];
    let login = &entry[end_of_author + 1..];
    let author = if author.is_empty() {
        None
    } else {
        Some(author.parse().ok()?)
    };
    unpack_pr(
        &entry[..end_of_fields],
        author,
        &unescape_login(login),
        false,
    )
}

/// One PR of [`pr_facts`]'s packed list.
fn unpack_pr(packed: &str, author: Option<i64>, login: &str, is_bot: bool) -> Option<PrFact> {
    let f: Vec<&str> = packed.split(':').collect();
    let [
        id,
        repo,
        merged,
        cycle,
        pickup,
        review,
        size,
        revert,
        hotfix,
        ai,
        answer,
    ] = f[..]
    else {
        return None;
    };
    let opt = |s: &str| -> Option<Option<i64>> {
        if s.is_empty() {
            Some(None)
        } else {
            s.parse().ok().map(Some)
        }
    };
    let flag = |s: &str| s.parse::<i64>().ok().map(|v| v != 0);
    Some(PrFact {
        id: id.parse().ok()?,
        repository: repo.parse().ok()?,
        author,
        author_login: login.to_string(),
        author_is_bot: is_bot,
        merged_at: merged.parse().ok()?,
        cycle: opt(cycle)?,
        pickup: opt(pickup)?,
        review: opt(review)?,
        size: size.parse().ok()?,
        is_revert: flag(revert)?,
        is_hotfix: flag(hotfix)?,
        ai_detected: flag(ai)?,
        ai_reported: match answer {
            "" => None,
            a => Some(a == "some" || a == "most"),
        },
    })
}

/// Packs `week`'s merged PRs (as [`all_pr_facts`] reads them) one
/// row per day, replacing what was there. Run it in the week's write
/// transaction.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn replace_days(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    prs: &[PrFact],
) -> StoreResult<()> {
    let mut days: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for p in prs {
        days.entry(day_start(p.merged_at))
            .or_default()
            .push(pack_pr(p));
    }
    replace_packed(conn, org, "daily_pr_facts", "prs", week, days).await
}

async fn replace_packed(
    conn: &mut AnyConnection,
    org: OrgId,
    table: &'static str,
    column: &'static str,
    week: i64,
    days: BTreeMap<i64, Vec<String>>,
) -> StoreResult<()> {
    let delete =
        format!("delete from {table} where org_id = $1 and day_start >= $2 and day_start < $3");
    sqlx::query(sqlx::AssertSqlSafe(delete))
        .bind(org.get())
        .bind(week)
        .bind(week.saturating_add(crate::metrics::rollup::WEEK))
        .execute(&mut *conn)
        .await?;
    let insert = format!(
        "insert into {table} (org_id, day_start, {column}, created_at) values ($1, $2, $3, $4)"
    );
    let now = unix_now();
    for (day, entries) in days {
        sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
            .bind(org.get())
            .bind(day)
            .bind(entries.join(","))
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// People flagged as bots or excluded: `(is_bot, is_excluded)` by id.
async fn flagged_people(
    conn: &mut AnyConnection,
    org: OrgId,
) -> StoreResult<std::collections::HashMap<i64, (bool, bool)>> {
    let rows = sqlx::query(
        "select person_id, is_bot, is_excluded from person
        where org_id = $1 and (is_bot <> 0 or is_excluded <> 0)",
    )
    .bind(org.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("person_id")?,
                (super::flag(r, "is_bot")?, super::flag(r, "is_excluded")?),
            ))
        })
        .collect()
}

/// Who `scope` counts by person: a team's members or one person; `None`
/// for everyone.
async fn scope_people(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
) -> StoreResult<Option<BTreeSet<i64>>> {
    Ok(match scope {
        Scope::Team(t) => Some(
            sqlx::query_scalar(
                "select person_id from team_membership where org_id = $1 and team_id = $2",
            )
            .bind(org.get())
            .bind(t)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect(),
        ),
        Scope::Person(p) => Some(BTreeSet::from([p])),
        Scope::Org | Scope::Repo(_) => None,
    })
}

async fn packed_days(
    conn: &mut AnyConnection,
    org: OrgId,
    table: &'static str,
    column: &'static str,
    day_from: i64,
    day_to: i64,
) -> StoreResult<Vec<String>> {
    let sql = format!(
        "select {column} from {table} where org_id = $1 and day_start >= $2 and day_start < $3"
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(org.get())
        .bind(day_from)
        .bind(day_to)
        .fetch_all(&mut *conn)
        .await?)
}

fn corrupt(what: &str) -> super::StoreError {
    super::StoreError::Database(sqlx::Error::Decode(
        format!("unreadable packed facts `{what}`").into(),
    ))
}

/// Merged PRs of `scope` on the packed days in `[day_from, day_to)`, as
/// [`pr_facts`] gives them (people flagged since as bots or excluded are
/// read as they are now).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn packed_pr_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    day_from: i64,
    day_to: i64,
) -> StoreResult<Vec<PrFact>> {
    let flags = flagged_people(conn, org).await?;
    let people = scope_people(conn, org, scope).await?;
    let mut out = Vec::new();
    for day in packed_days(conn, org, "daily_pr_facts", "prs", day_from, day_to).await? {
        for entry in day.split(',').filter(|e| !e.is_empty()) {
            let mut p = unpack_day_pr(entry).ok_or_else(|| corrupt(entry))?;
            let (is_bot, excluded) = p
                .author
                .and_then(|a| flags.get(&a).copied())
                .unwrap_or_default();
            let in_scope = match (&people, scope) {
                (Some(set), _) => p.author.is_some_and(|a| set.contains(&a)),
                (None, Scope::Repo(r)) => p.repository == r,
                (None, _) => true,
            };
            if excluded || !in_scope {
                continue;
            }
            p.author_is_bot = is_bot;
            out.push(p);
        }
    }
    Ok(out)
}

/// Reviews that count (docs/metrics.md: a human other than the author, state
/// approved / changes requested / commented) given by `scope`'s people
/// (or on its repository) with `submitted_at` in `[from, to)`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn review_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    from: i64,
    to: i64,
) -> StoreResult<Vec<ReviewFact>> {
    read_review_facts(conn, org, scope, from, to, true).await
}

/// The org's reviews in `[from, to)` including those of reviewers flagged as
/// bots or excluded, for packing: readers of packed days apply today's flags.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn all_review_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<ReviewFact>> {
    read_review_facts(conn, org, Scope::Org, from, to, false).await
}

async fn read_review_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    from: i64,
    to: i64,
    counted_only: bool,
) -> StoreResult<Vec<ReviewFact>> {
    // One row per reviewer and repository, times packed as in `pr_facts`.
    const SELECT: &str = "select r.reviewer_person_id, p.repository_id,
            string_agg(cast(r.submitted_at as text), ',') as times
        from pr_review r
        join pull_request p on p.pull_request_id = r.pull_request_id and p.org_id = r.org_id
        join person w on w.person_id = r.reviewer_person_id and w.org_id = r.org_id
        where r.org_id = $1 and r.submitted_at >= $2 and r.submitted_at < $3
            and r.is_bot = 0
            and r.state in ('APPROVED', 'CHANGES_REQUESTED', 'COMMENTED')
            and (p.author_person_id is null or p.author_person_id <> r.reviewer_person_id)";
    let (filter, id) = reviewer_filter(scope);
    let counted = if counted_only {
        " and w.is_bot = 0 and w.is_excluded = 0"
    } else {
        ""
    };
    let sql = format!("{SELECT}{counted}{filter} group by r.reviewer_person_id, p.repository_id");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.get())
        .bind(from)
        .bind(to);
    if !filter.is_empty() {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    let mut out = unpack_review_rows(&rows)?;
    out.sort_by_key(|f| (f.submitted_at, f.reviewer, f.repository));
    Ok(out)
}

/// The reviews of packed rows (`reviewer_person_id`, `repository_id`,
/// `times`).
fn unpack_review_rows(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<ReviewFact>> {
    let mut out = Vec::new();
    for r in rows {
        let reviewer: i64 = r.try_get("reviewer_person_id")?;
        let repo: i64 = r.try_get("repository_id")?;
        let times: Option<String> = r.try_get("times")?;
        for t in times.as_deref().unwrap_or_default().split(',') {
            let submitted_at = t.parse().map_err(|_| corrupt(t))?;
            out.push(ReviewFact {
                reviewer,
                repository: repo,
                submitted_at,
            });
        }
    }
    Ok(out)
}

/// Packs `week`'s reviews (as [`all_review_facts`] reads them) one
/// row per day, replacing what was there, in the week's transaction.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn replace_review_days(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    reviews: &[ReviewFact],
) -> StoreResult<()> {
    let mut days: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for r in reviews {
        days.entry(day_start(r.submitted_at))
            .or_default()
            .push(format!(
                "{}:{}:{}",
                r.reviewer, r.repository, r.submitted_at
            ));
    }
    replace_packed(conn, org, "daily_review_facts", "reviews", week, days).await
}

/// Reviews of `scope` on the packed days in `[day_from, day_to)`, as
/// [`review_facts`] gives them.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn packed_review_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    day_from: i64,
    day_to: i64,
) -> StoreResult<Vec<ReviewFact>> {
    let flags = flagged_people(conn, org).await?;
    let people = scope_people(conn, org, scope).await?;
    let mut out = Vec::new();
    for day in packed_days(conn, org, "daily_review_facts", "reviews", day_from, day_to).await? {
        for entry in day.split(',').filter(|e| !e.is_empty()) {
            let mut f = entry.split(':').map(str::parse::<i64>);
            let (Some(Ok(reviewer)), Some(Ok(repository)), Some(Ok(submitted_at)), None) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                return Err(corrupt(entry));
            };
            let (is_bot, excluded) = flags.get(&reviewer).copied().unwrap_or_default();
            let in_scope = match (&people, scope) {
                (Some(set), _) => set.contains(&reviewer),
                (None, Scope::Repo(r)) => repository == r,
                (None, _) => true,
            };
            if is_bot || excluded || !in_scope {
                continue;
            }
            out.push(ReviewFact {
                reviewer,
                repository,
                submitted_at,
            });
        }
    }
    Ok(out)
}

/// AI Detective guesses revealed in `[from, to)` (every scope; the pure
/// code groups them).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn guess_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<GuessFact>> {
    const SQL: &str = "select v.reviewer_person_id, p.repository_id, v.guess_correct
        from survey_review v
        join pr_survey s on s.pr_survey_id = v.pr_survey_id and s.org_id = v.org_id
        join pull_request p on p.pull_request_id = s.pull_request_id and p.org_id = s.org_id
        where v.org_id = $1 and v.revealed_at >= $2 and v.revealed_at < $3
            and v.guess_correct is not null";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(GuessFact {
                reviewer: r.try_get("reviewer_person_id")?,
                repository: r.try_get("repository_id")?,
                correct: r.try_get::<i64, _>("guess_correct")? != 0,
            })
        })
        .collect()
}

/// Each person's teams.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn team_map(
    conn: &mut AnyConnection,
    org: OrgId,
) -> StoreResult<BTreeMap<i64, Vec<i64>>> {
    const SQL: &str = "select person_id, team_id from team_membership where org_id = $1
        order by person_id, team_id";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    let mut map: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for r in rows {
        map.entry(r.try_get("person_id")?)
            .or_default()
            .push(r.try_get("team_id")?);
    }
    Ok(map)
}

/// Weeks holding a merge, review or reveal whose row changed at or after
/// `since` (Unix seconds): the weeks a rollup refresh must recompute.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn dirty_weeks(
    conn: &mut AnyConnection,
    org: OrgId,
    since: i64,
) -> StoreResult<BTreeSet<i64>> {
    Ok(changed_instants(conn, org, since)
        .await?
        .into_iter()
        .map(week_start)
        .collect())
}

/// The days (00:00 UTC) whose PRs, reviews or answers changed at or after
/// `since`: what the last rollup run may not have packed.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn dirty_days(
    conn: &mut AnyConnection,
    org: OrgId,
    since: i64,
) -> StoreResult<BTreeSet<i64>> {
    Ok(changed_instants(conn, org, since)
        .await?
        .into_iter()
        .map(day_start)
        .collect())
}

async fn changed_instants(
    conn: &mut AnyConnection,
    org: OrgId,
    since: i64,
) -> StoreResult<Vec<i64>> {
    const SQL: &str = "select merged_at as at from pull_request
            where org_id = $1 and updated_at >= $2 and merged_at is not null
        union all select r.submitted_at from pr_review r
            where r.org_id = $1 and r.updated_at >= $2 and r.submitted_at is not null
        union all select p.merged_at from pr_survey s
            join pull_request p on p.pull_request_id = s.pull_request_id and p.org_id = s.org_id
            where s.org_id = $1 and s.updated_at >= $2 and p.merged_at is not null
        union all select v.revealed_at from survey_review v
            where v.org_id = $1 and v.updated_at >= $2 and v.revealed_at is not null";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(since)
        .fetch_all(conn)
        .await?)
}

/// Replaces every rollup row of `week` with `rows`, so a scope that lost
/// all its activity loses its row too. Run it inside a write transaction.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn replace_week(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    rows: &[(Scope, WeekValues)],
) -> StoreResult<()> {
    sqlx::query("delete from weekly_rollup where org_id = $1 and week_start = $2")
        .bind(org.get())
        .bind(week)
        .execute(&mut *conn)
        .await?;
    const INSERT: &str = "insert into weekly_rollup (org_id, week_start, scope, scope_id,
            prs_merged, prs_reverted, prs_hotfix,
            cycle_n, cycle_p25, cycle_p50, cycle_p75, cycle_p90,
            pickup_n, pickup_p50, pickup_p75, pickup_p90,
            review_n, review_p50, review_p75, review_p90, size_p50, reviews_given,
            prs_answered, prs_ai_assisted, prs_ai_detected, guesses_revealed, guesses_correct,
            created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
            $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $28)";
    let now = unix_now();
    for (scope, v) in rows {
        let (kind, id) = scope.key();
        sqlx::query(INSERT)
            .bind(org.get())
            .bind(week)
            .bind(kind)
            .bind(id)
            .bind(v.prs_merged)
            .bind(v.prs_reverted)
            .bind(v.prs_hotfix)
            .bind(v.cycle.n)
            .bind(v.cycle.p25)
            .bind(v.cycle.p50.map(super::Float8))
            .bind(v.cycle.p75)
            .bind(v.cycle.p90)
            .bind(v.pickup.n)
            .bind(v.pickup.p50.map(super::Float8))
            .bind(v.pickup.p75)
            .bind(v.pickup.p90)
            .bind(v.review.n)
            .bind(v.review.p50.map(super::Float8))
            .bind(v.review.p75)
            .bind(v.review.p90)
            .bind(v.size_p50.map(super::Float8))
            .bind(v.reviews_given)
            .bind(v.prs_answered)
            .bind(v.prs_ai_assisted)
            .bind(v.prs_ai_detected)
            .bind(v.guesses_revealed)
            .bind(v.guesses_correct)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `scope`'s rollups for the weeks starting in `[from_week, to_week]`,
/// oldest first; weeks without a row are absent.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn read(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    from_week: i64,
    to_week: i64,
) -> StoreResult<Vec<(i64, WeekValues)>> {
    const SQL: &str = "select week_start, prs_merged, prs_reverted, prs_hotfix,
            cycle_n, cycle_p25, cycle_p50, cycle_p75, cycle_p90,
            pickup_n, pickup_p50, pickup_p75, pickup_p90,
            review_n, review_p50, review_p75, review_p90, size_p50, reviews_given,
            prs_answered, prs_ai_assisted, prs_ai_detected, guesses_revealed, guesses_correct
        from weekly_rollup
        where org_id = $1 and scope = $2 and scope_id = $3 and week_start >= $4 and week_start <= $5
        order by week_start";
    let (kind, id) = scope.key();
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(kind)
        .bind(id)
        .bind(from_week)
        .bind(to_week)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let dist = |prefix: &str, p25: bool| -> Result<Dist, sqlx::Error> {
                Ok(Dist {
                    n: r.try_get(format!("{prefix}_n").as_str())?,
                    p25: if p25 {
                        r.try_get(format!("{prefix}_p25").as_str())?
                    } else {
                        None
                    },
                    p50: r.try_get(format!("{prefix}_p50").as_str())?,
                    p75: r.try_get(format!("{prefix}_p75").as_str())?,
                    p90: r.try_get(format!("{prefix}_p90").as_str())?,
                })
            };
            Ok((
                r.try_get("week_start")?,
                WeekValues {
                    prs_merged: r.try_get("prs_merged")?,
                    prs_reverted: r.try_get("prs_reverted")?,
                    prs_hotfix: r.try_get("prs_hotfix")?,
                    cycle: dist("cycle", true)?,
                    pickup: dist("pickup", false)?,
                    review: dist("review", false)?,
                    size_p50: r.try_get("size_p50")?,
                    reviews_given: r.try_get("reviews_given")?,
                    prs_answered: r.try_get("prs_answered")?,
                    prs_ai_assisted: r.try_get("prs_ai_assisted")?,
                    prs_ai_detected: r.try_get("prs_ai_detected")?,
                    guesses_revealed: r.try_get("guesses_revealed")?,
                    guesses_correct: r.try_get("guesses_correct")?,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_pr_reads_back_whole_whatever_its_login() {
        for (login, author, answer) in [
            ("alice", Some(7), Some(true)),
            ("renovate[bot]", None, None),
            ("odd,login:with%signs", Some(1), Some(false)),
            ("", None, None),
        ] {
            let p = PrFact {
                id: 42,
                repository: 3,
                author,
                author_login: login.into(),
                author_is_bot: false,
                merged_at: 1_700_000_000,
                cycle: Some(3600),
                pickup: None,
                review: Some(0),
                size: 120,
                is_revert: true,
                is_hotfix: false,
                ai_detected: true,
                ai_reported: answer,
            };
            let packed = pack_pr(&p);
            assert!(!packed.contains(','), "{packed}");
            assert_eq!(unpack_day_pr(&packed), Some(p), "{packed}");
        }
        assert_eq!(unpack_day_pr("1:2:3"), None);
        assert_eq!(unpack_day_pr("x:2:3:::::0:0:0::7:bob"), None);
    }
}
