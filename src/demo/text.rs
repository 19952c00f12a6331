//! The words of the synthetic history: what PRs do to a part of the code,
//! follow-up commits, the "why" and "testing" of PR bodies, the traces AI
//! tools leave in commits, and the small text helpers titles and branches
//! are made with.

/// What a PR does to a part of the code: `(verb, branch kind)`.
pub(super) const PART_VERBS: [(&str, &str); 7] = [
    ("Refactor", "refactor"),
    ("Simplify", "refactor"),
    ("Add tests for", "test"),
    ("Speed up", "perf"),
    ("Clean up", "chore"),
    ("Document", "docs"),
    ("Harden", "fix"),
];

/// Messages of commits after the first.
pub(super) const FOLLOW_UPS: [&str; 12] = [
    "Add tests",
    "Fix lint",
    "Handle the empty case",
    "Rename for clarity",
    "Update snapshots",
    "Clean up",
    "Fix flaky test",
    "Extract helper",
    "Update docs",
    "Tighten error messages",
    "Log the failure path",
    "Bump timeout in test",
];

/// The "Why" of a PR body.
pub(super) const WHY: [&str; 8] = [
    "Customers hit this in production last week.",
    "Follow-up from the incident review.",
    "Needed for the next milestone.",
    "Reduces noise in our alerts.",
    "Requested by support.",
    "Makes the next change smaller.",
    "The old behaviour surprised people.",
    "Part of the quarterly reliability goals.",
];

/// The "Testing" of a PR body.
pub(super) const TESTING: [&str; 6] = [
    "Unit tests added",
    "Ran the integration suite locally",
    "Tested on staging",
    "Manual test with a seeded account",
    "Existing tests cover this",
    "Added a regression test",
];

/// What Claude Code adds to PR bodies and commits.
pub(super) const CLAUDE_LINE: &str =
    "🤖 Generated with [Claude Code](https://claude.com/claude-code)";
/// Claude Code's commit trailer.
pub(super) const CLAUDE_TRAILER: &str = "Co-Authored-By: Claude <noreply@anthropic.com>";
/// Copilot's commit trailer.
pub(super) const COPILOT_TRAILER: &str =
    "Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>";
/// Cursor's commit trailer.
pub(super) const CURSOR_TRAILER: &str = "Made-with: Cursor";
/// Cursor's agent's commit trailer.
pub(super) const CURSOR_AGENT_TRAILER: &str =
    "Co-authored-by: Cursor Agent <cursoragent@cursor.com>";

/// `text` with its first letter in upper case.
pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Lower-case words joined by `-`, at most about 40 characters (for
/// branch names).
pub(super) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}
