//! `/metrics help`: the command grammar of docs/product.md, as a message.

use crate::kit::Block;
use crate::surface::Surface;

/// One line per command form, in the order people need them.
pub const COMMANDS: [(&str, &str); 10] = [
    ("/metrics", "engineering overview for the org"),
    ("/metrics me", "your own numbers"),
    ("/metrics team <name>", "one team's numbers"),
    ("/metrics repo <name>", "one repository's numbers"),
    (
        "/metrics ai [me | team <name>]",
        "AI impact: AI-assisted share, quality, AI vs non-AI",
    ),
    ("/metrics jira", "Jira: velocity, issue cycle time"),
    ("/metrics copilot", "GitHub Copilot usage"),
    (
        "/metrics feedback",
        "AI issue reports: what assistants got wrong, recurring problems",
    ),
    (
        "/metrics leaderboard [optout | optin]",
        "this week's leaderboard so far; leave or rejoin the rankings",
    ),
    ("/metrics help", "this help"),
];

/// The help text as mrkdwn lines.
pub fn grammar_mrkdwn() -> String {
    let mut text = String::from("*Commands*\n");
    for (form, what) in COMMANDS {
        // `<name>` is a placeholder, not a link: entities in mrkdwn.
        let form = form.replace('<', "&lt;").replace('>', "&gt;");
        text.push_str(&format!("`{form}` — {what}\n"));
    }
    text.push_str(
        "\n*Ranges* — add one to any command: `7d`, `30d` (default), `90d`, or dates `2026-01-01..2026-03-31`.\n\
         Example: `/metrics team platform 90d`",
    );
    text
}

/// The `/metrics help` answer. `lead` is an optional first line, e.g. why
/// the help is shown instead of an answer.
pub fn metrics_help(lead: Option<&str>) -> Surface {
    let mut s = Surface::message();
    if let Some(lead) = lead {
        s.push(Block::section(lead));
    }
    s.push(Block::section(&grammar_mrkdwn()));
    s.push(Block::context(
        "Answers are private to you; each has a *Share in channel* button. To report what an AI \
         assistant got wrong: the *Report AI issue* message shortcut, or react with :warning: \
         to a survey DM.",
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::SurfaceKind;
    use crate::validate::validate;

    #[test]
    fn the_help_lists_every_command_and_the_ranges() {
        let text = grammar_mrkdwn();
        for (form, _) in COMMANDS {
            let shown = form.replace('<', "&lt;").replace('>', "&gt;");
            assert!(text.contains(&shown), "{form}");
        }
        assert!(
            !text.contains("<name>"),
            "a placeholder Slack would read as a link"
        );
        for range in ["7d", "30d", "90d", ".."] {
            assert!(text.contains(range));
        }
        let blocks = metrics_help(Some("Unknown command `foo`.")).blocks();
        assert!(validate(&blocks, SurfaceKind::Message).is_ok());
        assert_eq!(blocks.len(), 3);
    }
}
