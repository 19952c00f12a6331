//! The weekly leaderboard: the org's settings (`leaderboard_setting`),
//! one row per posted week (`leaderboard_post`, unique per org and week,
//! which is what makes the post happen once), and the pickup facts the
//! rankings need beyond the dashboard's.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, flag};
use crate::domain::OrgId;

/// An org's leaderboard settings; without a row it is off, Mondays 10:00.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Posting is on.
    pub enabled: bool,
    /// The channel (`C…`).
    pub channel: Option<String>,
    /// The channel's name when Slack told us (public channels).
    pub channel_name: Option<String>,
    /// ISO weekday, 1 Monday … 7 Sunday.
    pub day: u32,
    /// Minutes after local midnight.
    pub minute: u32,
    /// IANA time zone.
    pub time_zone: String,
    /// Category keys shown, in order (empty: every category).
    pub categories: Vec<String>,
    /// Why posting stopped, for admins.
    pub problem: Option<String>,
    /// When posting was last switched on (Unix seconds).
    pub active_from: i64,
    /// A row exists (an admin saved the settings once).
    pub saved: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: false,
            channel: None,
            channel_name: None,
            day: 1,
            minute: 600,
            time_zone: "UTC".into(),
            categories: Vec::new(),
            problem: None,
            active_from: 0,
            saved: false,
        }
    }
}

/// The columns [`read_settings`] reads.
pub(crate) const SETTINGS_COLUMNS: &str = "is_enabled, slack_channel_id, channel_name, day_of_week,
    minute_of_day, time_zone, categories, problem, active_from";

/// The org's settings (the defaults when never saved).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn settings(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Settings> {
    let sql = format!("select {SETTINGS_COLUMNS} from leaderboard_setting where org_id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.get())
        .fetch_optional(conn)
        .await?
    else {
        return Ok(Settings::default());
    };
    Ok(read_settings(&row)?)
}

/// A settings row (see [`SETTINGS_COLUMNS`]).
pub(crate) fn read_settings(row: &sqlx::any::AnyRow) -> Result<Settings, sqlx::Error> {
    let categories: String = row.try_get("categories")?;
    Ok(Settings {
        enabled: flag(row, "is_enabled")?,
        channel: row.try_get("slack_channel_id")?,
        channel_name: row.try_get("channel_name")?,
        day: u32::try_from(row.try_get::<i64, _>("day_of_week")?).unwrap_or(1),
        minute: u32::try_from(row.try_get::<i64, _>("minute_of_day")?).unwrap_or(600),
        time_zone: row.try_get("time_zone")?,
        categories: serde_json::from_str(&categories).unwrap_or_default(),
        problem: row.try_get("problem")?,
        active_from: row.try_get("active_from")?,
        saved: true,
    })
}

/// Saves the settings an admin submitted and clears any problem. Switching
/// posting on (from off, or to another channel) starts it from `now`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn save(conn: &mut AnyConnection, org: OrgId, s: &Settings, now: i64) -> StoreResult<()> {
    const SQL: &str = "insert into leaderboard_setting (org_id, is_enabled, slack_channel_id,
            channel_name, day_of_week, minute_of_day, time_zone, categories, problem,
            active_from, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, null, $9, $9, $9)
        on conflict (org_id) do update set is_enabled = excluded.is_enabled,
            slack_channel_id = excluded.slack_channel_id,
            channel_name = excluded.channel_name,
            day_of_week = excluded.day_of_week, minute_of_day = excluded.minute_of_day,
            time_zone = excluded.time_zone, categories = excluded.categories, problem = null,
            active_from = case
                when leaderboard_setting.is_enabled = 0 and excluded.is_enabled = 1 then excluded.active_from
                when coalesce(leaderboard_setting.slack_channel_id, '') <> coalesce(excluded.slack_channel_id, '')
                    then excluded.active_from
                else leaderboard_setting.active_from end,
            updated_at = excluded.updated_at";
    let categories = serde_json::to_string(&s.categories).unwrap_or_else(|_| "[]".into());
    sqlx::query(SQL)
        .bind(org.get())
        .bind(i64::from(s.enabled))
        .bind(s.channel.as_deref())
        .bind(s.channel_name.as_deref())
        .bind(i64::from(s.day))
        .bind(i64::from(s.minute))
        .bind(s.time_zone.as_str())
        .bind(categories)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops posting to `channel` because of `problem` (shown to admins);
/// nothing changes if an admin already picked another channel.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn pause(
    conn: &mut AnyConnection,
    org: OrgId,
    channel: &str,
    problem: &str,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "update leaderboard_setting set is_enabled = 0, problem = $3, updated_at = $4
        where org_id = $1 and slack_channel_id = $2 and is_enabled = 1";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(channel)
        .bind(problem)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A week's post row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The week key (see `leaderboard::schedule::Slot::week`).
    pub week: i64,
    /// queued, building, sending, posted, failed, skipped.
    pub status: String,
    /// The slot's instant.
    pub due_at: i64,
    /// The channel it goes (went) to.
    pub channel: Option<String>,
    /// The message's ts once posted.
    pub ts: Option<String>,
    /// When it was posted.
    pub posted_at: Option<i64>,
    /// Attempts so far.
    pub attempts: i64,
    /// The last failure.
    pub last_error: Option<String>,
    /// Last change.
    pub updated_at: i64,
}

/// Queued.
pub const QUEUED: &str = "queued";
/// A worker is building the board.
pub const BUILDING: &str = "building";
/// The message is on its way to Slack (never retried).
pub const SENDING: &str = "sending";
/// Posted.
pub const POSTED: &str = "posted";
/// Slack refused the channel for good.
pub const FAILED: &str = "failed";
/// The day passed before it could go out.
pub const SKIPPED: &str = "skipped";

/// A queued post whose job has not started for this long is queued again
/// (its job was lost, or Slack failed and it waits for a retry).
pub const REQUEUE_AFTER: i64 = 300;
/// A building claim this old belongs to a worker that died.
pub const CLAIM_TIMEOUT: i64 = 600;

/// What [`claim_week`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This call created the week's row: enqueue its job.
    New,
    /// The row was queued long enough ago that its job is presumed lost
    /// (or a retry is due): this call re-armed it, enqueue again.
    Again,
    /// Someone else has it, or it is done.
    Taken,
}

/// The scheduler's claim of a week's post: only one caller per week (and
/// per stale retry) gets [`Claim::New`] or [`Claim::Again`].
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn claim_week(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    due_at: i64,
    channel: &str,
    now: i64,
) -> StoreResult<Claim> {
    const INSERT: &str = "insert into leaderboard_post (org_id, week_start, status,
            slack_channel_id, due_at, created_at, updated_at)
        values ($1, $2, 'queued', $3, $4, $5, $5)
        on conflict (org_id, week_start) do nothing";
    let done = sqlx::query(INSERT)
        .bind(org.get())
        .bind(week)
        .bind(channel)
        .bind(due_at)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 {
        return Ok(Claim::New);
    }
    const REARM: &str = "update leaderboard_post set updated_at = $3, slack_channel_id = $5
        where org_id = $1 and week_start = $2
            and ((status = 'queued' and updated_at <= $4)
                or (status = 'building' and claimed_at <= $6 and updated_at <= $4))";
    let done = sqlx::query(REARM)
        .bind(org.get())
        .bind(week)
        .bind(now)
        .bind(now - REQUEUE_AFTER)
        .bind(channel)
        .bind(now - CLAIM_TIMEOUT)
        .execute(conn)
        .await?;
    Ok(if done.rows_affected() == 1 {
        Claim::Again
    } else {
        Claim::Taken
    })
}

/// A worker's claim to build the week's post; false when another worker
/// has it or it is done.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn claim_build(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "update leaderboard_post set status = 'building', claimed_at = $3,
            attempts = attempts + 1, updated_at = $3
        where org_id = $1 and week_start = $2
            and (status = 'queued' or (status = 'building' and claimed_at <= $4))";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(week)
        .bind(now)
        .bind(now - CLAIM_TIMEOUT)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the post as being sent; false when this worker lost its claim
/// (it was slow past the timeout and another took over).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn mark_sending(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    claimed_at: i64,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "update leaderboard_post set status = 'sending', updated_at = $4
        where org_id = $1 and week_start = $2 and status = 'building' and claimed_at = $3";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(week)
        .bind(claimed_at)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the posted message.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn mark_posted(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    channel: &str,
    ts: &str,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "update leaderboard_post set status = 'posted', slack_channel_id = $3,
            slack_message_ts = $4, posted_at = $5, last_error = null, updated_at = $5
        where org_id = $1 and week_start = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(week)
        .bind(channel)
        .bind(ts)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the week's post with `status` (queued again for a retry, failed,
/// skipped) and why.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_status(
    conn: &mut AnyConnection,
    org: OrgId,
    week: i64,
    status: &str,
    why: &str,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "update leaderboard_post set status = $3, last_error = $4, updated_at = $5
        where org_id = $1 and week_start = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(week)
        .bind(status)
        .bind(why)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The week's post row.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn post(conn: &mut AnyConnection, org: OrgId, week: i64) -> StoreResult<Option<Post>> {
    const SQL: &str = "select week_start, status, due_at, slack_channel_id, slack_message_ts,
            posted_at, attempts, last_error, updated_at
        from leaderboard_post where org_id = $1 and week_start = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(week)
        .fetch_optional(conn)
        .await?;
    row.map(|r| read_post(&r)).transpose().map_err(Into::into)
}

/// The org's posts, newest week first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn posts(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Post>> {
    const SQL: &str = "select week_start, status, due_at, slack_channel_id, slack_message_ts,
            posted_at, attempts, last_error, updated_at
        from leaderboard_post where org_id = $1 order by week_start desc";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(read_post)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

fn read_post(r: &sqlx::any::AnyRow) -> Result<Post, sqlx::Error> {
    Ok(Post {
        week: r.try_get("week_start")?,
        status: r.try_get("status")?,
        due_at: r.try_get("due_at")?,
        channel: r.try_get("slack_channel_id")?,
        ts: r.try_get("slack_message_ts")?,
        posted_at: r.try_get("posted_at")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// First reviews given in `[from, to)`: for every PR and reviewer whose
/// first review that counts (a human other than the author; approved,
/// changes requested or commented) falls in the window, the reviewer and
/// the seconds from the PR being ready for review to it.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn pickups(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<(i64, i64)>> {
    const SQL: &str = "select r.reviewer_person_id, min(r.submitted_at) as first_at, p.ready_at
        from pr_review r
        join pull_request p on p.pull_request_id = r.pull_request_id and p.org_id = r.org_id
        where r.org_id = $1 and r.submitted_at is not null and r.is_bot = 0
            and r.reviewer_person_id is not null
            and r.state in ('APPROVED', 'CHANGES_REQUESTED', 'COMMENTED')
            and (p.author_person_id is null or p.author_person_id <> r.reviewer_person_id)
            and r.submitted_at < $3
            and r.pull_request_id in (select w.pull_request_id from pr_review w
                where w.org_id = $1 and w.submitted_at >= $2 and w.submitted_at < $3)
        group by r.reviewer_person_id, r.pull_request_id, p.ready_at
        having min(r.submitted_at) >= $2";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let first: i64 = r.try_get("first_at")?;
            let ready: i64 = r.try_get("ready_at")?;
            Ok((r.try_get("reviewer_person_id")?, (first - ready).max(0)))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Sets whether a person is left out of rankings.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_rank_opt_out(
    conn: &mut AnyConnection,
    org: OrgId,
    person: crate::domain::PersonId,
    out: bool,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "update person set rank_opt_out = $3, updated_at = $4
        where org_id = $1 and person_id = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(i64::from(out))
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
