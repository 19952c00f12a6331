//! The admin's leaderboard settings modal (open, time zone search, save
//! with the channel joined or explained) and the ranking opt-out, from
//! App Home buttons and `/metrics leaderboard optout|optin`.

use blocks::ids::{action, input};
use blocks::leaderboard::SettingsModel;
use chrono::{Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::schedule::{format_time, parse_time};
use crate::domain::{PersonId, Provider, Role};
use crate::metrics::leaderboard::Category;
use crate::slack::client::SlackApiError;
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Interaction;
use crate::store::leaderboard::{self as store, Settings};
use crate::store::{StoreError, audit, orgs, people};

/// Time zones offered per search.
const ZONE_OPTIONS_MAX: usize = 100;

/// Registers the modal, its options and the opt-out buttons.
pub fn register(l: &mut Listeners) {
    l.view(blocks::ids::callback::LEADERBOARD_SETTINGS, save);
    l.view(blocks::ids::callback::LEADERBOARD_SAVED, |_ctx, _i| async {
        Ok(Ack::Empty)
    });
    l.options(input::LEADERBOARD_ZONE_VALUE, zone_options);
    l.action(action::LEADERBOARD_OPT_OUT, opt_out_clicked);
    l.action(action::LEADERBOARD_OPT_IN, opt_in_clicked);
    for event in super::post::CHANNEL_EVENTS {
        l.event(event, channel_event);
    }
}

/// The leaderboard channel was archived or deleted, or the app was removed
/// from it: posting pauses now, and admins see why on App Home (rather than
/// finding out when the next post fails).
async fn channel_event(ctx: Ctx, event: crate::slack::payload::Event) -> ListenerResult {
    let Some(channel) = event.event.get("channel").and_then(Value::as_str) else {
        return Ok(Ack::Empty);
    };
    let paused = super::post::pause_for_event(
        &ctx.state.db,
        ctx.org.id,
        &event.event_type,
        channel,
        ctx.state.clock.now(),
    )
    .await?;
    if paused {
        tracing::info!(org_id = %ctx.org.id, event = %event.event_type, "leaderboard channel gone; paused");
    }
    Ok(Ack::Empty)
}

/// "Europe/Berlin (UTC+01:00)" at `now`.
pub fn zone_label(zone: Tz, now: i64) -> String {
    let offset = Utc
        .timestamp_opt(now, 0)
        .single()
        .map(|t| t.with_timezone(&zone).offset().fix().to_string())
        .unwrap_or_default();
    format!("{} (UTC{offset})", zone.name())
}

/// The modal's model. Before an admin ever saved, the time zone is the
/// org's, or the installer's Slack time zone when `ask_slack` and the org
/// has none yet.
pub async fn model(ctx: &Ctx, ask_slack: bool) -> Result<SettingsModel, ListenerError> {
    let mut settings = super::effective_settings(&ctx.state.db, ctx.org.id).await?;
    if !settings.saved
        && ask_slack
        && settings.time_zone == "UTC"
        && let Some(installer) = &ctx.org.installed_by_slack_user_id
    {
        match ctx.slack().await?.users_info(installer).await {
            Ok(info) => {
                if let Some(tz) = info.tz.filter(|t| t.parse::<Tz>().is_ok()) {
                    settings.time_zone = tz;
                }
            }
            Err(e) => tracing::warn!(error = %e, "installer's time zone unknown; UTC it is"),
        }
    }
    let now = ctx.state.clock.now();
    let zone = super::zone(&settings.time_zone);
    let shown = super::categories(&settings);
    Ok(SettingsModel {
        enabled: settings.enabled,
        channel: settings.channel.clone(),
        day: settings.day,
        time: format_time(settings.minute),
        zone: zone.name().to_string(),
        zone_label: zone_label(zone, now),
        categories: Category::ALL
            .iter()
            .map(|c| (c.key().into(), c.label().into(), shown.contains(c)))
            .collect(),
        problem: settings.problem.clone(),
        next_post: (settings.enabled && settings.channel.is_some()).then(|| {
            let w = super::when(&settings);
            super::local_words(w.next_slot(now).at, w.zone)
        }),
    })
}

/// Opens the modal (admins only); from the App Home checklist.
pub async fn open(ctx: &Ctx, i: &Interaction) -> Result<(), ListenerError> {
    let Some(trigger) = crate::slack::modal::admin_trigger(ctx, i).await? else {
        return Ok(());
    };
    let modal = blocks::leaderboard::settings_modal(&model(ctx, true).await?);
    crate::slack::modal::open(ctx, &trigger, &modal).await
}

/// Time zones matching what the admin typed ("berl", "new york", "utc").
async fn zone_options(ctx: Ctx, i: Interaction) -> ListenerResult {
    let typed = i
        .action
        .as_ref()
        .and_then(|a| a.value.clone())
        .unwrap_or_default();
    let now = ctx.state.clock.now();
    let options: Vec<Value> = matching_zones(&typed)
        .into_iter()
        .take(ZONE_OPTIONS_MAX)
        .map(|z| {
            serde_json::to_value(blocks::kit::OptionObject::new(
                &zone_label(z, now),
                z.name(),
            ))
            .unwrap_or(Value::Null)
        })
        .collect();
    Ok(Ack::Json(json!({ "options": options })))
}

/// Zones whose name contains every word typed (spaces match `_`).
pub fn matching_zones(typed: &str) -> Vec<Tz> {
    let words: Vec<String> = typed.split_whitespace().map(|w| w.to_lowercase()).collect();
    chrono_tz::TZ_VARIANTS
        .iter()
        .copied()
        .filter(|z| {
            let name = z.name().to_lowercase().replace('_', " ");
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .collect()
}

fn selected<'a>(
    values: Option<&'a Value>,
    block: &str,
    action: &str,
    field: &str,
) -> Option<&'a Value> {
    values.and_then(|v| v.pointer(&format!("/{block}/{action}/{field}")))
}

fn selected_str(values: Option<&Value>, block: &str, action: &str, field: &str) -> Option<String> {
    selected(values, block, action, field)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Saves the modal. Field errors keep it open; a private channel saves and
/// says how to invite the app.
pub async fn save(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::LEADERBOARD_ENABLED,
            "Only aimpact admins can change the leaderboard.",
        ));
    }
    let values = i.raw.pointer("/view/state/values");
    let enabled = selected_str(
        values,
        input::LEADERBOARD_ENABLED,
        input::LEADERBOARD_ENABLED_VALUE,
        "selected_option/value",
    )
    .map(|v| v == input::ON)
    .unwrap_or(false);
    let channel = selected_str(
        values,
        input::LEADERBOARD_CHANNEL,
        input::LEADERBOARD_CHANNEL_VALUE,
        "selected_conversation",
    )
    .filter(|c| !c.is_empty());
    let day = selected_str(
        values,
        input::LEADERBOARD_DAY,
        input::LEADERBOARD_DAY_VALUE,
        "selected_option/value",
    )
    .and_then(|d| d.parse::<u32>().ok())
    .filter(|d| (1..=7).contains(d));
    let Some(day) = day else {
        return Ok(Ack::field_error(input::LEADERBOARD_DAY, "Pick a day."));
    };
    let time = selected_str(
        values,
        input::LEADERBOARD_TIME,
        input::LEADERBOARD_TIME_VALUE,
        "selected_time",
    )
    .unwrap_or_default();
    let Some(minute) = parse_time(&time) else {
        return Ok(Ack::field_error(
            input::LEADERBOARD_TIME,
            "Pick a time of day, e.g. 10:00.",
        ));
    };
    let zone = selected_str(
        values,
        input::LEADERBOARD_ZONE,
        input::LEADERBOARD_ZONE_VALUE,
        "selected_option/value",
    )
    .unwrap_or_default();
    let Ok(zone) = zone.parse::<Tz>() else {
        return Ok(Ack::field_error(
            input::LEADERBOARD_ZONE,
            "Pick a time zone from the list, e.g. Europe/Berlin.",
        ));
    };
    let categories: Vec<String> = selected(
        values,
        input::LEADERBOARD_CATEGORIES,
        input::LEADERBOARD_CATEGORIES_VALUE,
        "selected_options",
    )
    .and_then(Value::as_array)
    .map(|a| {
        a.iter()
            .filter_map(|o| o.get("value")?.as_str())
            .filter_map(Category::parse)
            .map(|c| c.key().to_string())
            .collect()
    })
    .unwrap_or_default();
    if categories.is_empty() {
        return Ok(Ack::field_error(
            input::LEADERBOARD_CATEGORIES,
            "Pick at least one category.",
        ));
    }
    if enabled && channel.is_none() {
        return Ok(Ack::field_error(
            input::LEADERBOARD_CHANNEL,
            "Pick the channel the leaderboard goes to.",
        ));
    }
    // Join the channel now, so a problem shows while the admin is here.
    let mut channel_name = None;
    let mut private = false;
    if let Some(c) = channel.as_deref().filter(|_| enabled) {
        match ctx.slack().await?.conversations_join(c).await {
            Ok(name) => channel_name = name,
            Err(SlackApiError::Api(code))
                if code == "method_not_supported_for_channel_type"
                    || code == "channel_not_found" =>
            {
                private = true;
            }
            Err(SlackApiError::Api(code)) if code == "is_archived" => {
                return Ok(Ack::field_error(
                    input::LEADERBOARD_CHANNEL,
                    "That channel is archived. Pick another one.",
                ));
            }
            Err(e) => {
                return Ok(Ack::field_error(
                    input::LEADERBOARD_CHANNEL,
                    &format!(
                        "aimpact couldn't join that channel ({e}). Try again, or pick another one."
                    ),
                ));
            }
        }
    }
    let now = ctx.state.clock.now();
    let settings = Settings {
        enabled,
        channel: channel.clone(),
        channel_name,
        day,
        minute,
        time_zone: zone.name().to_string(),
        categories,
        ..Settings::default()
    };
    {
        let mut tx = ctx.state.db.begin_write().await.map_err(StoreError::from)?;
        store::save(&mut tx, ctx.org.id, &settings, now).await?;
        orgs::set_time_zone(&mut tx, ctx.org.id, zone.name()).await?;
        audit::record(
            &mut tx,
            ctx.org.id,
            "slack",
            "leaderboard.settings",
            channel.as_deref(),
            &json!({
                "enabled": enabled,
                "day": day,
                "time": format_time(minute),
                "time_zone": zone.name(),
                "categories": settings.categories,
            }),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
    }
    tracing::info!(org_id = %ctx.org.id, enabled, "leaderboard settings saved");
    let (user, home) = (i.user_id.clone(), ctx.clone());
    tokio::spawn(async move {
        if let Err(e) = crate::slack::listeners::refresh_home(&home, &user).await {
            tracing::warn!(error = %e, "App Home not refreshed after leaderboard settings");
        }
    });
    if private && let Some(c) = channel {
        let view = serde_json::to_value(blocks::leaderboard::private_channel_saved(&c))
            .map_err(|e| ListenerError::Other(e.to_string()))?;
        return Ok(Ack::Json(
            json!({ "response_action": "update", "view": view }),
        ));
    }
    Ok(Ack::Empty)
}

/// The person behind a Slack user, if matched.
async fn person_of(ctx: &Ctx, user: &str) -> Result<Option<PersonId>, StoreError> {
    let mut conn = ctx.state.db.pool().acquire().await?;
    Ok(
        people::find_by_identity(&mut conn, ctx.org.id, Provider::Slack, user)
            .await?
            .map(|p| p.id),
    )
}

/// Sets the opt-out of `user`; `None` when they are not matched to a person.
pub async fn set_opt_out(ctx: &Ctx, user: &str, out: bool) -> Result<Option<()>, StoreError> {
    let Some(person) = person_of(ctx, user).await? else {
        return Ok(None);
    };
    let mut conn = ctx.state.db.pool().acquire().await?;
    store::set_rank_opt_out(&mut conn, ctx.org.id, person, out, ctx.state.clock.now()).await?;
    tracing::info!(org_id = %ctx.org.id, out, "ranking opt-out changed");
    Ok(Some(()))
}

async fn opt_out_clicked(ctx: Ctx, i: Interaction) -> ListenerResult {
    set_opt_out(&ctx, &i.user_id, true).await?;
    crate::slack::listeners::refresh_home(&ctx, &i.user_id).await?;
    Ok(Ack::Empty)
}

async fn opt_in_clicked(ctx: Ctx, i: Interaction) -> ListenerResult {
    set_opt_out(&ctx, &i.user_id, false).await?;
    crate::slack::listeners::refresh_home(&ctx, &i.user_id).await?;
    Ok(Ack::Empty)
}

/// `/metrics leaderboard optout|optin`.
pub async fn opt_out_command(ctx: &Ctx, user: &str, out: bool) -> Result<Ack, ListenerError> {
    let surface = match set_opt_out(ctx, user, out).await? {
        Some(()) => blocks::leaderboard::opt_out_done(out),
        None => blocks::leaderboard::not_matched(),
    };
    Ok(Ack::ephemeral(
        &surface,
        if out {
            "You won't be named on the leaderboard."
        } else {
            "You may be named on the leaderboard again."
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_found_by_any_words_of_their_name() {
        let found = matching_zones("new york");
        assert_eq!(found, vec![Tz::America__New_York]);
        assert!(matching_zones("berl").contains(&Tz::Europe__Berlin));
        assert!(matching_zones("").len() > 400);
        assert!(matching_zones("nowhere at all").is_empty());
    }

    #[test]
    fn labels_show_the_offset_now() {
        // 2026-11-25: Berlin is on CET, New York on EST.
        assert_eq!(
            zone_label(Tz::Europe__Berlin, 1_795_600_800),
            "Europe/Berlin (UTC+01:00)"
        );
        assert_eq!(
            zone_label(Tz::America__New_York, 1_795_600_800),
            "America/New_York (UTC-05:00)"
        );
    }
}
