//! People matching: Slack workspace members (paged `users.list`) are linked
//! to people by email, bots, deactivated members and guests left out; an
//! admin maps the rest by hand in the People modal (or excludes them).
//! Automatic matching never touches a person who already has a Slack
//! account, so a manual mapping survives every later run.

use std::collections::HashMap;

use apalis::prelude::BoxDynError;

use crate::domain::{OrgId, PersonId, Provider, Role};
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Interaction;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::orgs;
use crate::store::people::{self, LinkSource};

/// Registers the People modal's listeners (App Home's "People" button and
/// the modal's submission).
pub fn register(l: &mut Listeners) {
    l.action(blocks::ids::action::PEOPLE_MAP, open_action);
    l.view(blocks::ids::callback::PEOPLE_MAP, save);
}

pub use crate::jobs::kinds::{MATCH_PEOPLE_TASK as TASK, MatchSlackPeople, request_match};

/// What a matching run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Matched {
    /// Members looked at.
    pub members: usize,
    /// Bots, deactivated members and guests left out.
    pub ignored: usize,
    /// Newly linked by email.
    pub linked: usize,
    /// Already linked (by an earlier run or by hand).
    pub known: usize,
}

/// The job handler.
#[tracing::instrument(skip_all, fields(org_id = %job.org), err(level = "warn"))]
pub async fn run(job: MatchSlackPeople, ctx: crate::state::AppState) -> Result<(), BoxDynError> {
    let found = match_people(&ctx, job.org).await?;
    tracing::info!(?found, "Slack people matched");
    deliver_if_linked(&ctx, job.org, found.linked).await;
    Ok(())
}

/// Surveys that waited for a match can go out once someone was linked.
async fn deliver_if_linked(state: &AppState, org: OrgId, linked: usize) {
    if linked == 0 {
        return;
    }
    let job = crate::jobs::kinds::DeliverSurveys { org };
    if let Err(e) = state.jobs.enqueue(job).await {
        tracing::warn!(org_id = %org, error = %e, "could not queue survey delivery; the tick will");
    }
}

/// What linking one member did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Linked {
    /// Bot, deactivated or guest.
    Ignored,
    /// Already linked to someone.
    Known,
    /// Newly linked by email.
    New,
    /// Nobody unlinked has their email.
    NoMatch,
}

/// Links `m` to the unlinked person with their email, never touching a
/// person who already has a Slack account (a manual mapping survives).
async fn link_member(
    conn: &mut sqlx::AnyConnection,
    org_id: OrgId,
    m: &crate::slack::client::SlackMember,
    by_email: &HashMap<String, (PersonId, bool)>,
) -> Result<Linked, StoreError> {
    if m.is_bot || m.deleted || m.is_guest {
        return Ok(Linked::Ignored);
    }
    if let Some(p) = people::find_by_identity(&mut *conn, org_id, Provider::Slack, &m.id).await? {
        people::set_time_zone(&mut *conn, org_id, p.id, m.tz.as_deref()).await?;
        return Ok(Linked::Known);
    }
    let Some((person, linked)) = m.email.as_ref().and_then(|e| by_email.get(e)) else {
        return Ok(Linked::NoMatch);
    };
    if *linked {
        return Ok(Linked::NoMatch);
    }
    people::link_identity(
        &mut *conn,
        org_id,
        *person,
        Provider::Slack,
        &m.id,
        Some(&m.name),
        LinkSource::Auto,
    )
    .await?;
    people::set_time_zone(&mut *conn, org_id, *person, m.tz.as_deref()).await?;
    Ok(Linked::New)
}

async fn emails_by_person(
    state: &AppState,
    org_id: OrgId,
) -> Result<HashMap<String, (PersonId, bool)>, StoreError> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(people::emails(&mut conn, org_id)
        .await?
        .into_iter()
        .map(|(email, person, linked)| (email, (person, linked)))
        .collect())
}

/// One member as a Slack event (`team_join`, `user_change`) describes
/// them: linked by email like a matching run would, at once. True when
/// they were newly linked (waiting surveys are then delivered).
pub async fn match_member(
    state: &AppState,
    org_id: OrgId,
    member: &crate::slack::client::SlackMember,
) -> Result<bool, StoreError> {
    let by_email = emails_by_person(state, org_id).await?;
    let mut tx = state.db.begin_write().await?;
    let linked = link_member(&mut tx, org_id, member, &by_email).await?;
    tx.commit().await?;
    let new = linked == Linked::New;
    if new {
        tracing::info!(org_id = %org_id, "a Slack member was matched as they joined or changed");
        deliver_if_linked(state, org_id, 1).await;
    }
    Ok(new)
}

/// People whose surveys wait for a Slack match: each is looked up by
/// their known emails (`users.lookupByEmail`) and linked when Slack knows
/// them. Returns how many were linked; who stays unmatched is logged.
pub async fn match_waiting(
    state: &AppState,
    org_id: OrgId,
    waiting: &[PersonId],
) -> Result<usize, ListenerError> {
    if waiting.is_empty() {
        return Ok(0);
    }
    let Some(slack) = org_slack(state, org_id).await? else {
        return Ok(0);
    };
    let by_email = emails_by_person(state, org_id).await?;
    let mut linked = 0;
    for person in waiting {
        let emails = {
            let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
            people::emails_of(&mut conn, org_id, *person).await?
        };
        let mut matched = false;
        for email in &emails {
            let Some(member) = slack.users_lookup_by_email(email).await? else {
                continue;
            };
            let mut tx = state.db.begin_write().await.map_err(StoreError::from)?;
            let done = link_member(&mut tx, org_id, &member, &by_email).await?;
            tx.commit().await.map_err(StoreError::from)?;
            if done == Linked::New {
                linked += 1;
                matched = true;
                break;
            }
        }
        if !matched {
            tracing::info!(
                org_id = %org_id,
                person = person.0,
                emails = emails.len(),
                "survey waits: person not matched to Slack (no Slack member has their email); an admin can map them in the People modal"
            );
        }
    }
    deliver_if_linked(state, org_id, linked).await;
    Ok(linked)
}

/// The org's Slack client; `None` while it has no bot token.
async fn org_slack(
    state: &AppState,
    org_id: OrgId,
) -> Result<Option<crate::slack::client::OrgSlack>, ListenerError> {
    let org = {
        let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
        orgs::get(&mut conn, org_id).await?
    };
    crate::slack::client::for_org_if_installed(state, &org).await
}

/// Pages through the workspace's members and links them by email.
pub async fn match_people(state: &AppState, org_id: OrgId) -> Result<Matched, ListenerError> {
    let Some(slack) = org_slack(state, org_id).await? else {
        return Ok(Matched::default());
    };
    let by_email = emails_by_person(state, org_id).await?;
    let mut found = Matched::default();
    let mut cursor: Option<String> = None;
    // 200 members a page: a million members.
    let mut pages = crate::bounds::Pages::new("Slack's member list", 5_000);
    loop {
        let (members, next) = slack.users_list(cursor.as_deref()).await?;
        let more = pages
            .follow(members.len(), next.as_deref())
            .map_err(|e| ListenerError::Other(e.to_string()))?;
        let mut tx = state.db.begin_write().await.map_err(StoreError::from)?;
        for m in members {
            found.members += 1;
            match link_member(&mut tx, org_id, &m, &by_email).await? {
                Linked::Ignored => found.ignored += 1,
                Linked::Known => found.known += 1,
                Linked::New => found.linked += 1,
                Linked::NoMatch => {}
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        if !more {
            break;
        }
        cursor = next;
    }
    Ok(found)
}

pub(crate) async fn model(ctx: &Ctx) -> Result<blocks::survey::PeopleModel, StoreError> {
    let mut conn = ctx.state.db.pool().acquire().await?;
    let everyone = people::list(&mut conn, ctx.org.id).await?;
    let unmatched = people::without_slack(&mut conn, ctx.org.id).await?;
    let mut matched = 0;
    for p in &everyone {
        if people::has_identity(&mut conn, ctx.org.id, p.id, Provider::Slack).await? {
            matched += 1;
        }
    }
    // Unmatched people first: they are who the admin came for.
    let mut listed: Vec<(i64, String, bool)> = unmatched
        .iter()
        .map(|p| (p.id.0, p.display_name.clone(), p.is_excluded))
        .collect();
    listed.extend(
        everyone
            .iter()
            .filter(|p| !p.is_bot && !unmatched.iter().any(|u| u.id == p.id))
            .map(|p| (p.id.0, p.display_name.clone(), p.is_excluded)),
    );
    Ok(blocks::survey::PeopleModel {
        people: listed,
        unmatched: unmatched.into_iter().map(|p| p.display_name).collect(),
        matched,
    })
}

/// The People modal (admins): also starts a matching run so the next
/// opening shows fresh matches.
pub async fn open(ctx: &Ctx, i: &Interaction) -> Result<(), ListenerError> {
    let Some(trigger) = crate::slack::modal::admin_trigger(ctx, i).await? else {
        return Ok(());
    };
    crate::slack::modal::open(
        ctx,
        &trigger,
        &blocks::survey::people_modal(&model(ctx).await?),
    )
    .await?;
    if let Err(e) = ctx
        .state
        .jobs
        .enqueue(MatchSlackPeople { org: ctx.org.id })
        .await
    {
        tracing::warn!(error = %e, "could not queue Slack people matching");
    }
    Ok(())
}

/// The App Home "People" button.
pub async fn open_action(ctx: Ctx, i: Interaction) -> ListenerResult {
    open(&ctx, &i).await?;
    Ok(Ack::Empty)
}

/// Saves the People modal: map, exclude or include one person.
pub async fn save(ctx: Ctx, i: Interaction) -> ListenerResult {
    use blocks::ids::input;
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::MAP_PERSON,
            "Only aimpact admins can map people.",
        ));
    }
    let values = |block: &str, action: &str, leaf: &str| {
        i.raw
            .pointer(&format!("/view/state/values/{block}/{action}/{leaf}"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let person = values(
        input::MAP_PERSON,
        input::MAP_PERSON_VALUE,
        "selected_option/value",
    )
    .and_then(|v| v.parse::<i64>().ok())
    .map(PersonId);
    let Some(person) = person else {
        return Ok(Ack::field_error(input::MAP_PERSON, "Choose a person."));
    };
    let what = values(
        input::MAP_ACTION,
        input::MAP_ACTION_VALUE,
        "selected_option/value",
    )
    .unwrap_or_else(|| input::MAP.to_string());
    let slack_user = values(
        input::MAP_SLACK_USER,
        input::MAP_SLACK_USER_VALUE,
        "selected_user",
    )
    .filter(|u| u.starts_with('U') || u.starts_with('W'));
    let mut tx = ctx.state.db.begin_write().await.map_err(StoreError::from)?;
    let done = match what.as_str() {
        input::EXCLUDE => people::set_excluded(&mut tx, ctx.org.id, person, true).await,
        input::INCLUDE => people::set_excluded(&mut tx, ctx.org.id, person, false).await,
        _ => {
            let Some(user) = slack_user.as_deref() else {
                return Ok(Ack::field_error(
                    input::MAP_SLACK_USER,
                    "Choose the Slack user this person is.",
                ));
            };
            people::map_slack_manually(&mut tx, ctx.org.id, person, user).await
        }
    };
    match done {
        Ok(()) => {}
        Err(StoreError::NotFound) => {
            return Ok(Ack::field_error(
                input::MAP_PERSON,
                "That person isn't in this workspace any more.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    crate::store::audit::record(
        &mut tx,
        ctx.org.id,
        "slack",
        &format!("people.{what}"),
        None,
        &serde_json::json!({ "person_id": person.0 }),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(org_id = %ctx.org.id, action = %what, "person mapping changed by an admin");
    // The next run picks up the mapped person's time zone.
    if let Err(e) = ctx
        .state
        .jobs
        .enqueue(MatchSlackPeople { org: ctx.org.id })
        .await
    {
        tracing::warn!(error = %e, "could not queue Slack people matching");
    }
    Ok(Ack::Empty)
}
