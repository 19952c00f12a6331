//! `aimpact render`: a surface's Block Kit JSON on stdout, as Slack would
//! receive it: a named surface from the preview's catalogue, or the answer
//! to the words of a `/metrics` command.

use anyhow::Context;

use super::pick_org;
use crate::app::App;
use crate::config::Config;
use crate::http::preview;
use crate::store::orgs;

/// `aimpact render`: one surface's Block Kit JSON on stdout.
pub(super) async fn render(
    config: Config,
    surface: Option<String>,
    org: Option<&str>,
    user: Option<&str>,
    range: Option<&str>,
    list: bool,
) -> anyhow::Result<()> {
    let range = range
        .map(crate::dashboard::grammar::parse)
        .transpose()
        .context("--range")?
        .map(|q| q.range);
    let base = config
        .public_url
        .clone()
        .or_else(|| url::Url::parse(&format!("http://{}/", config.bind)).ok())
        .context("AIMPACT_BIND: not an address charts can be served from")?;
    let state = App::offline_state(config).await?;
    let org_id = pick_org(&state.db, org).await?;
    let org = {
        let mut conn = state.db.pool().acquire().await.context("DATABASE_URL")?;
        orgs::get(&mut conn, org_id).await?
    };
    if list {
        for e in preview::catalogue(&state, &org).await? {
            println!("{:<32} {}", e.slug, e.label);
        }
        return Ok(());
    }
    let surface = surface.unwrap_or_default();
    let known = preview::catalogue(&state, &org)
        .await?
        .into_iter()
        .any(|e| e.slug == surface)
        || surface.starts_with("home");
    // Anything else is read as the words of a /metrics command.
    let named = known || surface.starts_with("metrics-") || surface.starts_with("modal-");
    if !named && surface != "metrics" {
        return render_text(&state, &org, &surface, user, range, base).await;
    }
    let slug = surface;
    let delivery = crate::dashboard::Delivery::Public(base);
    let (value, _) = preview::render(&state, &org, &slug, user, range, &delivery).await?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

/// Renders the answer to `/metrics <text>`.
async fn render_text(
    state: &crate::app::AppState,
    org: &orgs::Org,
    text: &str,
    user: Option<&str>,
    range: Option<crate::dashboard::grammar::Range>,
    base: url::Url,
) -> anyhow::Result<()> {
    let who = match user {
        Some(u) => u.to_string(),
        None => preview::user_for(state, org, crate::domain::Role::Admin)
            .await?
            .context("no Slack user to answer as; pass --user")?,
    };
    let role = preview::offline_role(state, org, &who).await?;
    let value = match crate::dashboard::grammar::parse(text) {
        Ok(mut q) => {
            if let Some(r) = range {
                q.range = r;
            }
            let delivery = crate::dashboard::Delivery::Public(base);
            crate::slack_ui::dashboards::message_as(state, org, &who, role, &q, &delivery).await?
        }
        Err(e) => serde_json::to_value(blocks::help::metrics_help(Some(&format!(
            "{e} Here's what I understand:"
        ))))?,
    };
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}
