//! People and their identities (GitHub, Slack, Jira accounts, emails).

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, flag, unix_now};
use crate::domain::{OrgId, PersonId, Provider};

/// One human in an org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Id inside the org.
    pub id: PersonId,
    /// Name to show.
    pub display_name: String,
    /// A bot account (never counted as a reviewer).
    pub is_bot: bool,
    /// Excluded by an admin (ex-employee, shared account).
    pub is_excluded: bool,
    /// Asked not to be named in rankings.
    pub rank_opt_out: bool,
    /// Asked not to receive survey DMs.
    pub survey_opt_out: bool,
}

/// How an identity was linked: automatic matches never undo manual ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSource {
    /// Found by sync or email match.
    Auto,
    /// Set by an admin in the mapping modal.
    Manual,
}

impl LinkSource {
    fn as_str(self) -> &'static str {
        match self {
            LinkSource::Auto => "auto",
            LinkSource::Manual => "manual",
        }
    }
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Person, sqlx::Error> {
    Ok(Person {
        id: PersonId(row.try_get("person_id")?),
        display_name: row.try_get("display_name")?,
        is_bot: flag(row, "is_bot")?,
        is_excluded: flag(row, "is_excluded")?,
        rank_opt_out: flag(row, "rank_opt_out")?,
        survey_opt_out: flag(row, "survey_opt_out")?,
    })
}

/// Creates a person.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn create(
    conn: &mut AnyConnection,
    org: OrgId,
    display_name: &str,
    is_bot: bool,
) -> StoreResult<PersonId> {
    const SQL: &str = "insert into person (org_id, display_name, is_bot, created_at, updated_at)
        values ($1, $2, $3, $4, $4) returning person_id";
    let id: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(display_name)
        .bind(i64::from(is_bot))
        .bind(unix_now())
        .fetch_one(conn)
        .await?;
    Ok(PersonId(id))
}

/// Loads a person of this org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get(conn: &mut AnyConnection, org: OrgId, person: PersonId) -> StoreResult<Person> {
    const SQL: &str =
        "select person_id, display_name, is_bot, is_excluded, rank_opt_out, survey_opt_out
        from person where org_id = $1 and person_id = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(from_row(&row)?)
}

/// Everyone in the org, by name.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn list(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Person>> {
    const SQL: &str =
        "select person_id, display_name, is_bot, is_excluded, rank_opt_out, survey_opt_out
        from person where org_id = $1 order by display_name, person_id";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Links an account or email to a person of this org. Relinking an
/// automatic identity moves it; a manual link is only changed by another
/// manual link. A person of another org is refused as not found.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn link_identity(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    provider: Provider,
    external_id: &str,
    login: Option<&str>,
    source: LinkSource,
) -> StoreResult<()> {
    // insert … select … where guards the person's org; SQLite needs the
    // where clause to parse "select … on conflict".
    const SQL: &str = "insert into person_identity (org_id, person_id, provider, external_id, login, source, created_at, updated_at)
        select $1, p.person_id, $3, $4, $5, $6, $7, $7 from person p where p.person_id = $2 and p.org_id = $1
        on conflict (org_id, provider, external_id) do update set
            person_id = case when person_identity.source = 'manual' and excluded.source <> 'manual'
                             then person_identity.person_id else excluded.person_id end,
            source = case when person_identity.source = 'manual' then 'manual' else excluded.source end,
            login = coalesce(excluded.login, person_identity.login),
            updated_at = excluded.updated_at";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(provider.as_str())
        .bind(external_id)
        .bind(login)
        .bind(source.as_str())
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The person behind an account or (case-folded) email in this org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_identity(
    conn: &mut AnyConnection,
    org: OrgId,
    provider: Provider,
    external_id: &str,
) -> StoreResult<Option<Person>> {
    const SQL: &str = "select p.person_id, p.display_name, p.is_bot, p.is_excluded, p.rank_opt_out, p.survey_opt_out
        from person_identity i join person p on p.person_id = i.person_id and p.org_id = i.org_id
        where i.org_id = $1 and i.provider = $2 and i.external_id = $3";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(provider.as_str())
        .bind(external_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Excludes a person from metrics (or includes them again).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_excluded(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    excluded: bool,
) -> StoreResult<()> {
    const SQL: &str =
        "update person set is_excluded = $3, updated_at = $4 where org_id = $1 and person_id = $2";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(i64::from(excluded))
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Gives a person an email identity unless that email already belongs to
/// someone in the org (never moves it). True when it was added.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn add_email_if_free(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    email: &str,
) -> StoreResult<bool> {
    const SQL: &str = "insert into person_identity (org_id, person_id, provider, external_id, login, source, created_at, updated_at)
        select $1, p.person_id, 'email', $3, null, 'auto', $4, $4 from person p where p.person_id = $2 and p.org_id = $1
        on conflict (org_id, provider, external_id) do nothing";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(email.trim().to_lowercase())
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Shows a person under their profile name (instead of their login).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_display_name(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    name: &str,
) -> StoreResult<()> {
    const SQL: &str = "update person set display_name = $3, updated_at = $4
        where org_id = $1 and person_id = $2 and display_name <> $3";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(name)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Emails of people who have a GitHub account but no email yet, taken
/// from the commits they authored (GitHub's no-reply addresses skipped):
/// `(person, email)`, the most used address first per person.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn commit_emails_for_people_without_email(
    conn: &mut AnyConnection,
    org: OrgId,
) -> StoreResult<Vec<(PersonId, String)>> {
    const SQL: &str = "select i.person_id, lower(c.author_email) as email, count(*) as n
        from person_identity i
        join pr_commit c on c.org_id = i.org_id and lower(c.author_login) = lower(i.login)
        where i.org_id = $1 and i.provider = 'github' and c.author_email is not null
            and c.author_email like '%@%' and lower(c.author_email) not like '%noreply%'
            and not exists (select 1 from person_identity e
                where e.org_id = i.org_id and e.person_id = i.person_id and e.provider = 'email')
        group by i.person_id, lower(c.author_email)
        order by i.person_id, n desc, email";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    let mut out: Vec<(PersonId, String)> = Vec::new();
    for r in rows {
        let person = PersonId(r.try_get("person_id")?);
        if out.last().is_some_and(|(p, _)| *p == person) {
            continue;
        }
        out.push((person, r.try_get("email")?));
    }
    Ok(out)
}

/// Whether the person already has an identity with this provider.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn has_identity(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    provider: Provider,
) -> StoreResult<bool> {
    const SQL: &str = "select count(*) from person_identity
        where org_id = $1 and person_id = $2 and provider = $3";
    let n: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(provider.as_str())
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// The one person named exactly `name`, when they have no `provider`
/// identity yet; `None` when nobody or several people have that name.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn unique_by_name_without(
    conn: &mut AnyConnection,
    org: OrgId,
    name: &str,
    provider: Provider,
) -> StoreResult<Option<PersonId>> {
    // Unique among everyone of that name, and still free for `provider`.
    const SQL: &str = "select p.person_id, (select count(*) from person_identity i
                where i.org_id = p.org_id and i.person_id = p.person_id and i.provider = $3) as taken
        from person p where p.org_id = $1 and p.display_name = $2 and p.is_bot = 0
        limit 2";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(name)
        .bind(provider.as_str())
        .fetch_all(conn)
        .await?;
    Ok(match rows.as_slice() {
        [only] if only.try_get::<i64, _>("taken")? == 0 => {
            Some(PersonId(only.try_get("person_id")?))
        }
        _ => None,
    })
}

/// Turns a person's survey DMs off (or on again).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_survey_opt_out(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    opted_out: bool,
) -> StoreResult<()> {
    const SQL: &str = "update person set survey_opt_out = $3, updated_at = $4
        where org_id = $1 and person_id = $2";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(i64::from(opted_out))
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records a person's Slack time zone (IANA name).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_time_zone(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    tz: Option<&str>,
) -> StoreResult<()> {
    const SQL: &str = "update person set slack_time_zone = $3, updated_at = $4
        where org_id = $1 and person_id = $2 and coalesce(slack_time_zone, '') <> coalesce($3, '')";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(tz)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// A person's known emails (lower-cased), oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn emails_of(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
) -> StoreResult<Vec<String>> {
    const SQL: &str = "select external_id from person_identity
        where org_id = $1 and person_id = $2 and provider = 'email' order by person_identity_id";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(person.0)
        .fetch_all(conn)
        .await?)
}

/// `(email, person)` for every email identity in the org, and whether the
/// person already has a Slack account linked.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn emails(
    conn: &mut AnyConnection,
    org: OrgId,
) -> StoreResult<Vec<(String, PersonId, bool)>> {
    const SQL: &str = "select i.external_id, i.person_id,
            (select count(*) from person_identity s where s.org_id = i.org_id
                and s.person_id = i.person_id and s.provider = 'slack') as linked
        from person_identity i where i.org_id = $1 and i.provider = 'email'
        order by i.person_identity_id";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("external_id")?,
                PersonId(r.try_get("person_id")?),
                r.try_get::<i64, _>("linked")? > 0,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// People with a GitHub account and no Slack account (bots left out):
/// who the admin still has to map by hand.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn without_slack(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Person>> {
    const SQL: &str =
        "select p.person_id, p.display_name, p.is_bot, p.is_excluded, p.rank_opt_out, p.survey_opt_out
        from person p where p.org_id = $1 and p.is_bot = 0
            and exists (select 1 from person_identity g where g.org_id = p.org_id
                and g.person_id = p.person_id and g.provider = 'github')
            and not exists (select 1 from person_identity s where s.org_id = p.org_id
                and s.person_id = p.person_id and s.provider = 'slack')
        order by p.display_name, p.person_id";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Links a Slack user to a person by hand: any other person's link to that
/// Slack user, and this person's other Slack links, are removed first, so
/// one Slack user is one person.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn map_slack_manually(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    slack_user: &str,
) -> StoreResult<()> {
    // The person must be the org's before anything is removed.
    get(&mut *conn, org, person).await?;
    const DROP: &str = "delete from person_identity where org_id = $1 and provider = 'slack'
        and (person_id = $2 or external_id = $3)";
    sqlx::query(DROP)
        .bind(org.get())
        .bind(person.0)
        .bind(slack_user)
        .execute(&mut *conn)
        .await?;
    link_identity(
        conn,
        org,
        person,
        Provider::Slack,
        slack_user,
        None,
        LinkSource::Manual,
    )
    .await
}
