//! The local preview (development only): every Slack surface of an org,
//! rendered from the real code path as HTML that looks like Slack, with
//! the real chart images. On only with `AIMPACT_PREVIEW=1` (which config
//! allows only on a loopback bind) or in `aimpact demo`.
//!
//! `GET /preview` lists the surfaces; `GET /preview/{surface}` shows one
//! (`?org=ID&user=SLACK_ID&range=30d` optional); `{surface}.json` gives
//! its Block Kit. `aimpact render` prints the same JSON.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use preview::PreviewKind;
use serde::Deserialize;
use serde_json::Value;

use crate::dashboard::Delivery;
use crate::dashboard::grammar::{self, Range};
use crate::domain::{OrgId, Role};
use crate::slack::listeners::Ctx;
use crate::slack_ui::dashboards::HomeState;
use crate::state::AppState;
use crate::store::orgs::{self, Org};
use crate::store::{StoreError, repositories, roles, teams};
use crate::web::AppError;

/// The preview routes, when the preview is on.
pub fn router(state: &AppState) -> Router<AppState> {
    if !state.config.preview {
        return Router::new();
    }
    Router::new()
        .route("/preview", axum::routing::get(index))
        .route("/preview/{surface}", axum::routing::get(show))
        .route_layer(axum::middleware::from_fn(loopback_host_only))
}

/// The preview binds to loopback only, but a browser can still be made to
/// send it requests for another name that resolves to 127.0.0.1 (DNS
/// rebinding): a page on that name could then read every org's dashboards.
/// Only loopback host names are answered.
async fn loopback_host_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if is_loopback_host(host) {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            "the preview answers only for localhost, 127.0.0.1 or [::1]\n",
        )
            .into_response()
    }
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// One previewable surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Heading it is listed under.
    pub group: &'static str,
    /// What it is.
    pub label: String,
    /// Its name in URLs and `aimpact render`.
    pub slug: String,
}

/// The surfaces of `org` worth looking at, in reading order.
pub async fn catalogue(state: &AppState, org: &Org) -> Result<Vec<Entry>, StoreError> {
    let mut conn = state.db.pool().acquire().await?;
    let teams = teams::list(&mut conn, org.id).await?;
    let repos = repositories::list(&mut conn, org.id).await?;
    let e = |group, label: &str, slug: &str| Entry {
        group,
        label: label.to_string(),
        slug: slug.to_string(),
    };
    let mut out = vec![
        e("App Home", "App Home as an admin", "home-admin"),
        e("App Home", "App Home as a lead", "home-lead"),
        e("App Home", "App Home as a developer", "home-developer"),
        e("/metrics", "/metrics (overview)", "metrics"),
        e("/metrics", "/metrics me", "metrics-me"),
        e("/metrics", "/metrics ai", "metrics-ai"),
        e("/metrics", "/metrics jira", "metrics-jira"),
        e("/metrics", "/metrics feedback", "metrics-feedback"),
        e(
            "/metrics",
            "/metrics leaderboard (this week so far)",
            "metrics-leaderboard",
        ),
        e("/metrics", "/metrics 7d", "metrics-7d"),
        e("/metrics", "/metrics 90d", "metrics-90d"),
        e("/metrics", "/metrics help", "metrics-help"),
    ];
    for t in teams.iter().take(5) {
        out.push(e(
            "/metrics",
            &format!("/metrics team {}", t.slug),
            &format!("metrics-team-{}", t.slug),
        ));
    }
    for r in repos.iter().filter(|r| r.is_tracked).take(5) {
        let name = r.full_name.rsplit('/').next().unwrap_or(&r.full_name);
        out.push(e(
            "/metrics",
            &format!("/metrics repo {name}"),
            &format!("metrics-repo-{name}"),
        ));
    }
    out.extend([
        e(
            "Corrections",
            "/metrics frobnicate (unknown input)",
            "metrics-unknown",
        ),
        e("Corrections", "/metrics team nosuchteam", "metrics-no-team"),
        e(
            "Corrections",
            "/metrics 2999-01-01..2999-02-01 (future)",
            "metrics-future",
        ),
        e(
            "Corrections",
            "/metrics 2026-03-01..2026-01-01 (backwards)",
            "metrics-backwards",
        ),
        e("Modals", "Connect GitHub (token)", "modal-github-connect"),
        e("Modals", "Survey settings", "modal-survey-settings"),
        e(
            "Modals",
            "Leaderboard settings",
            "modal-leaderboard-settings",
        ),
        e(
            "Modals",
            "People (map GitHub people to Slack)",
            "modal-people",
        ),
        e("Modals", "Admins (add or remove)", "modal-admins"),
        e("Modals", "Connect Jira", "modal-jira-connect"),
        e("Modals", "Report AI issue", "modal-report-ai-issue"),
        e(
            "Messages",
            "Report AI issue: the thank-you DM",
            "message-report-thanks",
        ),
        e(
            "Messages",
            "A new suggested rule (admins' DM)",
            "message-rule-suggestion",
        ),
    ]);
    for (label, slug) in crate::surveys::PREVIEWS {
        out.push(e("Surveys", label, slug));
    }
    out.push(e(
        "Leaderboard",
        "Weekly leaderboard post (last week)",
        "leaderboard-post",
    ));
    out.push(e(
        "Leaderboard",
        "Leaderboard saved with a private channel",
        "leaderboard-private-channel",
    ));
    Ok(out)
}

/// The Slack user a preview shows a role's view as: the installer for
/// admins, the first lead for leads, and for developers someone matched
/// to a person with neither role.
pub async fn user_for(
    state: &AppState,
    org: &Org,
    role: Role,
) -> Result<Option<String>, StoreError> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(match role {
        Role::Admin => org.installed_by_slack_user_id.clone(),
        Role::Lead => roles::any_lead(&mut conn, org.id).await?,
        Role::Developer => roles::any_developer(&mut conn, org.id).await?,
    })
}

/// A stored role without asking Slack (see `slack::roles::without_slack`).
pub async fn offline_role(state: &AppState, org: &Org, user: &str) -> Result<Role, StoreError> {
    crate::slack::roles::without_slack(&state.db, org, user).await
}

/// Why a surface could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No such surface.
    #[error("unknown surface `{0}`; `aimpact render --list` shows them")]
    Unknown(String),
    /// Nobody to show it as.
    #[error("no Slack user to show `{0}` as; pass --user")]
    NoUser(String),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Building it.
    #[error("{0}")]
    Build(String),
}

/// Renders `surface` of `org` as Block Kit JSON and says how it is shown.
pub async fn render(
    state: &AppState,
    org: &Org,
    surface: &str,
    user: Option<&str>,
    range: Option<Range>,
    delivery: &Delivery<'_>,
) -> Result<(Value, PreviewKind), RenderError> {
    let ctx = Ctx {
        state: state.clone(),
        org: org.clone(),
    };
    let ctx = &ctx;
    let to_json = |s: &blocks::Surface| {
        serde_json::to_value(s).map_err(|e| RenderError::Build(e.to_string()))
    };
    let pick = |role: Role| async move {
        match user {
            Some(u) => Ok::<_, RenderError>(Some(u.to_string())),
            None => Ok(user_for(state, org, role).await?),
        }
    };
    let home = |role: Role| async move {
        let who = pick(role)
            .await?
            .ok_or_else(|| RenderError::NoUser(surface.to_string()))?;
        let role = offline_role(state, org, &who).await?;
        let home_state = HomeState {
            range: range.unwrap_or_default(),
            team: None,
        };
        let view = crate::slack_ui::home::home_view_as(ctx, &who, role, home_state, delivery)
            .await
            .map_err(|e| RenderError::Build(e.to_string()))?;
        Ok::<_, RenderError>((to_json(&view)?, PreviewKind::Home))
    };
    match surface {
        "home-admin" => return home(Role::Admin).await,
        "home-lead" => return home(Role::Lead).await,
        "home-developer" | "home" => return home(Role::Developer).await,
        "modal-github-connect" => {
            return Ok((
                to_json(&blocks::home::github_connect())?,
                PreviewKind::Modal,
            ));
        }
        "modal-survey-settings" => {
            let model = crate::surveys::settings::model(ctx).await?;
            return Ok((
                to_json(&blocks::survey::settings_modal(&model))?,
                PreviewKind::Modal,
            ));
        }
        "modal-leaderboard-settings" => {
            let model = crate::leaderboard::settings::model(ctx, false)
                .await
                .map_err(|e| RenderError::Build(e.to_string()))?;
            return Ok((
                to_json(&blocks::leaderboard::settings_modal(&model))?,
                PreviewKind::Modal,
            ));
        }
        "leaderboard-private-channel" => {
            return Ok((
                to_json(&blocks::leaderboard::private_channel_saved("C0PRIVATE"))?,
                PreviewKind::Modal,
            ));
        }
        "leaderboard-post" => {
            let board = crate::leaderboard::last_week(state, org.id, delivery)
                .await
                .map_err(|e| RenderError::Build(e.to_string()))?;
            return Ok((
                to_json(&blocks::leaderboard::board_message(&board))?,
                PreviewKind::Message { ephemeral: false },
            ));
        }
        "modal-people" => {
            let model = crate::people::model(ctx).await?;
            return Ok((
                to_json(&blocks::survey::people_modal(&model))?,
                PreviewKind::Modal,
            ));
        }
        "modal-admins" => {
            let admins = crate::slack_ui::admins::listed(ctx).await?;
            return Ok((
                to_json(&blocks::home::admins_modal(&admins))?,
                PreviewKind::Modal,
            ));
        }
        "modal-jira-connect" => {
            return Ok((to_json(&blocks::home::jira_connect())?, PreviewKind::Modal));
        }
        "message-rule-suggestion" => {
            let stored = {
                let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
                crate::store::feedback::suggestions(&mut conn, org.id).await?
            };
            let (evidence, rule) = stored
                .first()
                .map(|s| (s.evidence.clone(), s.rule.clone()))
                .unwrap_or_else(|| {
                    (
                        "Based on 5 reports about missing or wrong tests in acme/api.".into(),
                        "Every behaviour change comes with tests that exercise it.".into(),
                    )
                });
            return Ok((
                to_json(&blocks::feedback::suggestion_dm(&evidence, &rule))?,
                PreviewKind::Message { ephemeral: false },
            ));
        }
        "modal-report-ai-issue" | "message-report-thanks" => {
            // The newest PR, as if the reported message linked it.
            let pr = {
                let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
                crate::store::pull_requests::search(&mut conn, org.id, "", 1)
                    .await?
                    .pop()
            };
            if surface == "message-report-thanks" {
                let thanks = blocks::feedback::report_thanks(
                    "tests",
                    Some("Cursor"),
                    pr.as_ref().map(|p| p.label()).as_deref(),
                );
                return Ok((to_json(&thanks)?, PreviewKind::Message { ephemeral: false }));
            }
            let form = blocks::feedback::ReportForm {
                pr: pr.map(|p| blocks::feedback::PrChoice {
                    label: p.label(),
                    value: p.id.0.to_string(),
                }),
                tool: Some("Cursor".into()),
                metadata: r#"{"source":"shortcut"}"#.into(),
            };
            return Ok((
                to_json(&blocks::feedback::report_modal(&form))?,
                PreviewKind::Modal,
            ));
        }
        _ => {}
    }
    let drawn = {
        let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
        crate::surveys::preview(&mut conn, org.id, surface, state.clock.now()).await?
    };
    if let Some(s) = drawn {
        return Ok((to_json(&s)?, PreviewKind::Message { ephemeral: false }));
    }
    let text = match surface {
        "metrics" => String::new(),
        "metrics-unknown" => "frobnicate".into(),
        "metrics-no-team" => "team nosuchteam".into(),
        "metrics-future" => "2999-01-01..2999-02-01".into(),
        "metrics-backwards" => "2026-03-01..2026-01-01".into(),
        other => match other.strip_prefix("metrics-") {
            Some(rest) => match rest.split_once('-') {
                Some((view @ ("team" | "repo"), name)) => format!("{view} {name}"),
                _ => rest.to_string(),
            },
            None => return Err(RenderError::Unknown(other.to_string())),
        },
    };
    let who = pick(Role::Admin)
        .await?
        .ok_or_else(|| RenderError::NoUser(surface.to_string()))?;
    let role = offline_role(state, org, &who).await?;
    let message = match grammar::parse(&text) {
        Ok(mut q) => {
            if let Some(r) = range {
                q.range = r;
            }
            if q.view == grammar::View::Help {
                to_json(&blocks::help::metrics_help(None))?
            } else {
                crate::slack_ui::dashboards::message_as(state, org, &who, role, &q, delivery)
                    .await
                    .map_err(|e| RenderError::Build(e.to_string()))?
            }
        }
        Err(e) => to_json(&blocks::help::metrics_help(Some(&format!(
            "{e} Here's what I understand:"
        ))))?,
    };
    Ok((message, PreviewKind::Message { ephemeral: true }))
}

/// Marks the page once loaded with whether every image arrived, so a
/// headless browser test can read it from the DOM.
const IMAGE_CHECK: &str = "<script>window.addEventListener('load', function () {\
var imgs = Array.prototype.slice.call(document.images);\
var ok = imgs.every(function (i) { return i.complete && i.naturalWidth > 0; });\
document.body.setAttribute('data-images', ok ? 'ok' : 'broken');\
document.body.setAttribute('data-image-count', String(imgs.length));\
});</script></body>";

#[derive(Debug, Deserialize)]
struct Params {
    org: Option<i64>,
    user: Option<String>,
    range: Option<String>,
}

async fn pick_org(state: &AppState, org: Option<i64>) -> Result<Option<Org>, StoreError> {
    let mut conn = state.db.pool().acquire().await?;
    let id = match org {
        Some(id) => OrgId::from_db(id),
        None => match orgs::list_ids(&mut conn).await?.first() {
            Some(id) => *id,
            None => return Ok(None),
        },
    };
    match orgs::get(&mut conn, id).await {
        Ok(org) => Ok(Some(org)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

impl From<RenderError> for AppError {
    fn from(e: RenderError) -> AppError {
        match e {
            RenderError::Unknown(s) => AppError::NotFound(format!("unknown surface `{s}`")),
            RenderError::NoUser(_) => AppError::Invalid(e.to_string()),
            other => AppError::internal(other, "rendering the preview"),
        }
    }
}

async fn index(State(state): State<AppState>, Query(p): Query<Params>) -> Response {
    let org = match pick_org(&state, p.org).await {
        Ok(Some(org)) => org,
        Ok(None) => {
            return Html(preview::index("aimpact preview — no workspace yet", &[])).into_response();
        }
        Err(e) => return AppError::internal(e, "reading the workspace").into_response(),
    };
    let entries = match catalogue(&state, &org).await {
        Ok(e) => e,
        Err(e) => return AppError::internal(e, "listing the surfaces").into_response(),
    };
    let suffix = p.org.map(|o| format!("?org={o}")).unwrap_or_default();
    let links: Vec<(String, String, String)> = entries
        .into_iter()
        .map(|e| {
            (
                e.group.to_string(),
                e.label,
                format!("/preview/{}{suffix}", e.slug),
            )
        })
        .collect();
    Html(preview::index(
        &format!("aimpact preview — {}", org.name),
        &links,
    ))
    .into_response()
}

async fn show(
    State(state): State<AppState>,
    Path(surface): Path<String>,
    Query(p): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (surface, json) = match surface.strip_suffix(".json") {
        Some(s) => (s.to_string(), true),
        None => (surface, false),
    };
    let org = pick_org(&state, p.org)
        .await
        .map_err(|e| AppError::internal(e, "reading the workspace"))?
        .ok_or_else(|| AppError::NotFound("no workspace yet".into()))?;
    let range = match p.range.as_deref().map(grammar::parse) {
        Some(Ok(q)) => Some(q.range),
        Some(Err(e)) => return Err(AppError::Invalid(e.to_string())),
        None => None,
    };
    // Charts load from this same server, as the browser reached it.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = url::Url::parse(&format!("http://{host}/"))
        .map_err(|_| AppError::Invalid("bad Host header".into()))?;
    let delivery = Delivery::Public(base);
    let (value, kind) = render(&state, &org, &surface, p.user.as_deref(), range, &delivery).await?;
    Ok(if json {
        (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string_pretty(&value).unwrap_or_default(),
        )
            .into_response()
    } else {
        let page = preview::page(&surface, &value, kind);
        Html(page.replacen("</body>", IMAGE_CHECK, 1)).into_response()
    })
}
