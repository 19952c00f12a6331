//! Slash command listeners: `/metrics`.

use blocks::help::metrics_help;

use super::grammar::{self, View};
use super::listeners::{Ack, Ctx, ListenerResult, Listeners};
use super::payload::Command;

/// The slash command declared in manifest.yml.
pub const METRICS: &str = "/metrics";

/// Registers this module's listeners.
pub fn register(l: &mut Listeners) {
    l.command(METRICS, metrics);
}

/// What the named view will show once its data exists.
fn promise(view: &View) -> String {
    match view {
        View::Overview => {
            "the engineering overview (PRs merged, cycle, pickup and review time)".into()
        }
        View::Me => "your own numbers".into(),
        View::Team(name) => format!("team *{}*", blocks::limits::escape_mrkdwn(name)),
        View::Repo(name) => format!("repository *{}*", blocks::limits::escape_mrkdwn(name)),
        View::Ai => "AI impact (AI-assisted share, quality, AI vs non-AI)".into(),
        View::Jira => "Jira velocity and issue cycle time".into(),
        View::Copilot => "GitHub Copilot usage".into(),
        View::Leaderboard | View::LeaderboardOptOut(_) => "the weekly leaderboard".into(),
        View::Help => String::new(),
    }
}

/// `/metrics …`: help on request; anything else says what exists so far,
/// followed by the help. Never an error.
async fn metrics(_ctx: Ctx, cmd: Command) -> ListenerResult {
    let lead = match grammar::parse(&cmd.text) {
        Ok(q) if q.view == View::Help => None,
        Ok(q) => Some(format!(
            ":hourglass_flowing_sand: {} for the {} appears here once GitHub is connected and the \
             first import has finished. An admin can connect it from the aimpact *Home* tab.",
            capitalise(&promise(&q.view)),
            q.range.describe()
        )),
        Err(e) => Some(format!("{e} Here's what I understand:")),
    };
    Ok(Ack::ephemeral(
        &metrics_help(lead.as_deref()),
        "aimpact /metrics help",
    ))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
