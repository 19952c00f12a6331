//! AI detection from data (docs/metrics.md "AI signals → Detected").
//!
//! Detection must be explainable, so [`detect`] returns the one rule that
//! fired and the text that made it fire, not just a yes/no. Rules are tried
//! in a fixed order and the first hit wins (see [`detect`]).
//!
//! Matching is deliberately conservative: a false "AI" tag on a human's PR
//! costs more trust than a missed one, so names match as whole words only
//! ("precursor" is not Cursor) and assistant names that are also first names
//! (Claude, Devin, Jules, Junie) need more than the bare name in a trailer.

use super::pr::{PrInput, branch_name, is_bot};

/// AI coding assistants, the one list every text rule matches against.
///
/// Matched case-insensitively as whole words; multi-word names must appear
/// as consecutive words ("Amazon Q", not a lone "Q").
pub const AI_ASSISTANTS: &[&str] = &[
    "Copilot",
    "Claude",
    "Cursor",
    "Codex",
    "Devin",
    "Aider",
    "Gemini",
    "Windsurf",
    "Amazon Q",
    "Jules",
    "Codeium",
    "Tabnine",
    "Sourcegraph Cody",
    "OpenHands",
    "OpenDevin",
    "Sweep",
    "Continue",
    "Replit Agent",
    "ChatGPT",
    "Cline",
    "Roo Code",
    "Junie",
    "Amp",
    "Kiro",
    "Augment Code",
    "Qodo",
];

/// GitHub accounts that are AI coding agents: a PR they open is AI-made.
///
/// Compared case-insensitively. GraphQL reports bot logins without the
/// `[bot]` suffix, so for bot accounts the suffix is ignored on both sides.
pub const AI_AGENT_LOGINS: &[&str] = &[
    "Copilot",
    "copilot-swe-agent[bot]",
    "devin-ai-integration[bot]",
    "chatgpt-codex-connector[bot]",
    "cursor[bot]",
    "claude[bot]",
    "google-labs-jules[bot]",
    "sweep-ai[bot]",
    "openhands-agent",
    "amazon-q-developer[bot]",
    "codegen-sh[bot]",
];

/// Head-branch prefixes AI agents use for the branches they push
/// (docs/metrics.md lists exactly these). Compared case-insensitively.
pub const AI_BRANCH_PREFIXES: &[&str] = &["copilot/", "codex/", "claude/", "cursor/", "devin/"];

/// Labels that mark a PR as AI-assisted in every org, before the org's own.
pub const DEFAULT_AI_LABELS: &[&str] = &["ai-assisted", "claude-code-assisted"];

/// Trailer keys (besides `Co-authored-by`) whose value credits a tool,
/// e.g. Cursor's `Made-with: Cursor`. Compared case-insensitively.
pub const ASSISTANT_TRAILER_KEYS: &[&str] = &[
    "Made-with",
    "Assisted-by",
    "Generated-by",
    "Generated-with",
    "AI-assisted-by",
    "AI-tool",
    "AI-assistant",
];

/// Longest `detail` kept, in characters, so one odd commit cannot bloat a row.
pub const MAX_DETAIL_CHARS: usize = 200;

/// Assistant names that are also common first names: a trailer credits them
/// only when the name is the assistant's alone ("Claude", "Claude Opus 4.5")
/// or the email is a bot or no-reply address — never "Claude Monet".
const PERSON_LIKE_ASSISTANTS: &[&str] = &["Claude", "Devin", "Jules", "Junie"];

/// Words that may accompany a person-like assistant name without making it
/// look like a person: products, models, vendors, bot markers.
const NAME_QUALIFIERS: &[&str] = &[
    "ai",
    "agent",
    "anthropic",
    "app",
    "assistant",
    "bot",
    "cli",
    "code",
    "cognition",
    "developer",
    "google",
    "haiku",
    "integration",
    "jetbrains",
    "labs",
    "opus",
    "sonnet",
];

/// Vendor words allowed between "generated with" and the assistant name,
/// as in "Generated with GitHub Copilot".
const VENDOR_WORDS: &[&str] = &[
    "anthropic",
    "github",
    "google",
    "jetbrains",
    "openai",
    "sourcegraph",
];

/// Which detection rule fired. The order of the variants is the precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AiRule {
    /// The PR author is a known AI coding-agent account.
    AgentAccount,
    /// A commit's `Co-authored-by:` trailer names an AI assistant.
    CoAuthorTrailer,
    /// A trailer such as `Made-with: Cursor` names an AI assistant.
    AssistantTrailer,
    /// A line such as `Generated with Claude Code` names an AI assistant.
    GeneratedWithLine,
    /// The head branch starts with an AI agent's prefix.
    AgentBranch,
    /// The PR carries a label marked as AI.
    AiLabel,
}

impl AiRule {
    /// Every rule, in precedence order.
    pub const ALL: [AiRule; 6] = [
        AiRule::AgentAccount,
        AiRule::CoAuthorTrailer,
        AiRule::AssistantTrailer,
        AiRule::GeneratedWithLine,
        AiRule::AgentBranch,
        AiRule::AiLabel,
    ];

    /// Stable name for storage; never change one, stored rows depend on it.
    pub fn as_str(self) -> &'static str {
        match self {
            AiRule::AgentAccount => "agent_account",
            AiRule::CoAuthorTrailer => "co_author_trailer",
            AiRule::AssistantTrailer => "assistant_trailer",
            AiRule::GeneratedWithLine => "generated_with_line",
            AiRule::AgentBranch => "agent_branch",
            AiRule::AiLabel => "ai_label",
        }
    }

    /// Reads a stored name back; `None` for a name this version does not know.
    pub fn parse(stored: &str) -> Option<AiRule> {
        AiRule::ALL.into_iter().find(|rule| rule.as_str() == stored)
    }
}

/// Why a PR counts as AI-detected: the rule and the text that triggered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiDetection {
    /// The rule that fired.
    pub rule: AiRule,
    /// The triggering text (trailer line, login, branch, label), at most
    /// [`MAX_DETAIL_CHARS`] characters.
    pub detail: String,
}

impl AiDetection {
    /// A detection read back from storage, which keeps the rule only (the
    /// triggering text is shown when it is detected, not stored).
    pub fn stored(rule: AiRule) -> AiDetection {
        AiDetection {
            rule,
            detail: String::new(),
        }
    }

    fn new(rule: AiRule, detail: &str) -> AiDetection {
        AiDetection {
            rule,
            detail: detail.trim().chars().take(MAX_DETAIL_CHARS).collect(),
        }
    }

    /// One line telling a person why this PR was counted as AI-assisted.
    pub fn explain(&self) -> String {
        let detail = &self.detail;
        match self.rule {
            AiRule::AgentAccount => {
                format!("Opened by {detail}, a known AI coding-agent account.")
            }
            AiRule::CoAuthorTrailer => {
                format!("A commit credits an AI assistant as co-author: \"{detail}\".")
            }
            AiRule::AssistantTrailer => {
                format!(
                    "A commit or the description names an AI assistant in a trailer: \"{detail}\"."
                )
            }
            AiRule::GeneratedWithLine => {
                format!(
                    "A commit or the description says it was generated with an AI assistant: \"{detail}\"."
                )
            }
            AiRule::AgentBranch => {
                format!("The branch {detail} uses an AI coding agent's naming prefix.")
            }
            AiRule::AiLabel => format!("The PR carries the AI label \"{detail}\"."),
        }
    }
}

/// Detects AI involvement in `pr`; `ai_labels` are the org's own AI labels,
/// used on top of [`DEFAULT_AI_LABELS`].
///
/// Precedence, first hit wins: agent account, co-author trailer, assistant
/// trailer, "generated with" line, agent branch, AI label. Evidence about the
/// whole PR comes first, then evidence written into commits by the tools,
/// then naming conventions and human-applied labels. Within a rule, commits
/// are searched in the given order, then the PR body; lines top to bottom.
pub fn detect(pr: &PrInput, ai_labels: &[String]) -> Option<AiDetection> {
    agent_account(pr)
        .or_else(|| co_author_trailer(pr))
        .or_else(|| assistant_trailer(pr))
        .or_else(|| generated_with_line(pr))
        .or_else(|| agent_branch(pr))
        .or_else(|| ai_label(pr, ai_labels))
}

/// True when a login is a known AI coding-agent account. `typed_bot` is
/// GitHub's `type == "Bot"`; it lets `devin-ai-integration` (GraphQL's
/// spelling) match without letting a human called `claude` match `claude[bot]`.
pub fn is_agent_account(login: &str, typed_bot: bool) -> bool {
    let login = login.trim();
    if is_bot(login, typed_bot) {
        let bare = strip_bot_suffix(login);
        AI_AGENT_LOGINS
            .iter()
            .any(|agent| strip_bot_suffix(agent).eq_ignore_ascii_case(bare))
    } else {
        AI_AGENT_LOGINS
            .iter()
            .any(|agent| agent.eq_ignore_ascii_case(login))
    }
}

fn strip_bot_suffix(login: &str) -> &str {
    login.strip_suffix("[bot]").unwrap_or(login)
}

fn agent_account(pr: &PrInput) -> Option<AiDetection> {
    is_agent_account(&pr.author_login, pr.author_is_bot)
        .then(|| AiDetection::new(AiRule::AgentAccount, &pr.author_login))
}

fn co_author_trailer(pr: &PrInput) -> Option<AiDetection> {
    pr.commits
        .iter()
        .flat_map(|c| c.message.lines())
        .find(|line| {
            parse_trailer(line).is_some_and(|(key, value)| {
                key.eq_ignore_ascii_case("Co-authored-by") && credits_assistant(value)
            })
        })
        .map(|line| AiDetection::new(AiRule::CoAuthorTrailer, line))
}

fn assistant_trailer(pr: &PrInput) -> Option<AiDetection> {
    texts(pr)
        .flat_map(str::lines)
        .find(|line| {
            parse_trailer(line).is_some_and(|(key, value)| {
                ASSISTANT_TRAILER_KEYS
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(key))
                    && credits_assistant(value)
            })
        })
        .map(|line| AiDetection::new(AiRule::AssistantTrailer, line))
}

fn generated_with_line(pr: &PrInput) -> Option<AiDetection> {
    texts(pr)
        .flat_map(str::lines)
        .find(|line| says_generated_with_assistant(line))
        .map(|line| AiDetection::new(AiRule::GeneratedWithLine, line))
}

fn agent_branch(pr: &PrInput) -> Option<AiDetection> {
    let branch = branch_name(&pr.head_ref);
    let lower = branch.to_lowercase();
    AI_BRANCH_PREFIXES
        .iter()
        .any(|prefix| lower.starts_with(prefix))
        .then(|| AiDetection::new(AiRule::AgentBranch, branch))
}

fn ai_label(pr: &PrInput, ai_labels: &[String]) -> Option<AiDetection> {
    let is_ai_label = |label: &str| {
        let label = label.trim();
        !label.is_empty()
            && (DEFAULT_AI_LABELS
                .iter()
                .any(|l| l.eq_ignore_ascii_case(label))
                || ai_labels
                    .iter()
                    .any(|l| l.trim().eq_ignore_ascii_case(label)))
    };
    pr.labels
        .iter()
        .find(|label| is_ai_label(label))
        .map(|label| AiDetection::new(AiRule::AiLabel, label))
}

/// The texts the trailer and line rules read: commit messages, then the body.
fn texts(pr: &PrInput) -> impl Iterator<Item = &str> {
    pr.commits
        .iter()
        .map(|c| c.message.as_str())
        .chain(std::iter::once(pr.body.as_str()))
}

/// Splits `Key: value` when the key looks like a git trailer key
/// (letters, digits and dashes). Indented trailers count, because squash
/// merges often nest the original messages.
fn parse_trailer(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.trim().split_once(':')?;
    let value = value.trim();
    let key_ok = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (key_ok && !value.is_empty()).then_some((key, value))
}

/// True when a trailer value (`Name <email>` or a bare name) credits an
/// AI assistant by its name or its email.
fn credits_assistant(value: &str) -> bool {
    let (name, email) = match value.split_once('<') {
        Some((name, rest)) => (name, Some(rest.split('>').next().unwrap_or(rest))),
        None => (value, None),
    };
    let name_words = words(name);
    AI_ASSISTANTS.iter().any(|assistant| {
        let needle = words(assistant);
        let person_like = PERSON_LIKE_ASSISTANTS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(assistant));
        let by_name = if person_like {
            is_only_assistant_name(&name_words, &needle)
        } else {
            contains_words(&name_words, &needle)
        };
        by_name || email.is_some_and(|e| email_names(e, &needle, person_like))
    })
}

/// A name made only of the assistant and qualifiers ("Claude Opus 4.5",
/// "google-labs-jules[bot]"), so a person sharing the first name is not
/// mistaken for the tool.
fn is_only_assistant_name(name_words: &[String], needle: &[String]) -> bool {
    contains_words(name_words, needle)
        && name_words.iter().all(|w| {
            needle.contains(w)
                || NAME_QUALIFIERS.contains(&w.as_str())
                || w.starts_with(|c: char| c.is_ascii_digit())
        })
}

/// Whether an email names the assistant. The vendor's domain alone is not
/// enough (its employees commit too): the local part must then be a service
/// one (no-reply, bot, agent), as in `noreply@aider.chat`. The assistant in
/// the local part is enough (`…+Copilot@users.noreply.github.com`), except
/// for person-like names, which also need a service marker there
/// (`…+devin-ai-integration[bot]@…`), since `devin@acme.com` is a person.
fn email_names(email: &str, needle: &[String], person_like: bool) -> bool {
    let email = email.trim();
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let local = words(local);
    // Whole words, so "abbott" or "talbot" is not a bot.
    let service = ["noreply", "bot", "agent"]
        .iter()
        .any(|marker| local.iter().any(|w| w == marker))
        || contains_words(&local, &words("no-reply"));
    if contains_words(&local, needle) {
        return !person_like || service;
    }
    service && contains_words(&words(domain), needle)
}

/// A line such as "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
/// or "Made with Cursor": a generation phrase directly followed by an
/// assistant name (vendor words such as "GitHub" may sit between). Requiring
/// the name right after the phrase keeps "generated with a sweep of seeds"
/// or "generated by the script, continue below" from matching.
fn says_generated_with_assistant(line: &str) -> bool {
    let w = words(line);
    (0..w.len()).any(|i| {
        let (Some(verb), Some(prep)) = (w.get(i), w.get(i + 1)) else {
            return false;
        };
        let phrase = match verb.as_str() {
            "generated" => matches!(prep.as_str(), "with" | "by" | "using"),
            // "Made by Devin" may well be a colleague; "made with" is a tool.
            "made" | "created" | "written" | "built" => matches!(prep.as_str(), "with" | "using"),
            _ => false,
        };
        phrase && names_assistant_at_start(w.get(i + 2..).unwrap_or_default())
    })
}

fn names_assistant_at_start(mut rest: &[String]) -> bool {
    loop {
        if AI_ASSISTANTS
            .iter()
            .any(|assistant| rest.starts_with(&words(assistant)))
        {
            return true;
        }
        match rest.split_first() {
            Some((first, tail)) if VENDOR_WORDS.contains(&first.as_str()) => rest = tail,
            _ => return false,
        }
    }
}

/// Lowercased runs of letters and digits: the unit of whole-word matching.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn contains_words(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::pr::CommitInput;

    fn pr() -> PrInput {
        PrInput {
            created_at: 1000,
            title: "Add login page".into(),
            head_ref: "feature/login".into(),
            author_login: "ada".into(),
            ..PrInput::default()
        }
    }

    fn with_commit(message: &str) -> PrInput {
        PrInput {
            commits: vec![CommitInput {
                authored_at: Some(900),
                message: message.into(),
                author_name: "Ada".into(),
                author_email: "ada@example.com".into(),
            }],
            ..pr()
        }
    }

    fn with_body(body: &str) -> PrInput {
        PrInput {
            body: body.into(),
            ..pr()
        }
    }

    fn rule_of(pr: &PrInput) -> Option<AiRule> {
        detect(pr, &[]).map(|d| d.rule)
    }

    #[test]
    fn a_plain_human_pr_is_not_detected() {
        let pr = with_commit("Add login page\n\nCo-authored-by: Jane Doe <jane@example.com>");
        assert_eq!(detect(&pr, &[]), None);
    }

    #[test]
    fn a_claude_code_co_author_trailer_is_detected_with_the_line_as_detail() {
        let pr = with_commit("Add login page\n\nCo-Authored-By: Claude <noreply@anthropic.com>");
        let found = detect(&pr, &[]).expect("detected");
        assert_eq!(found.rule, AiRule::CoAuthorTrailer);
        assert_eq!(
            found.detail,
            "Co-Authored-By: Claude <noreply@anthropic.com>"
        );
    }

    #[test]
    fn co_author_trailers_of_other_assistants_are_detected_by_name_or_email() {
        for trailer in [
            "Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>",
            "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
            "Co-authored-by: aider (gpt-4o) <noreply@aider.chat>",
            // Name says nothing; the no-reply address at the tool's domain does.
            "Co-authored-by: Pair Programmer <noreply@aider.chat>",
            "co-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
            "Co-authored-by: Claude Opus 4.5 <noreply@anthropic.com>",
            "Co-authored-by: Amazon Q Developer <q@example.com>",
            "    Co-authored-by: google-labs-jules[bot] <bot@example.com>",
        ] {
            let pr = with_commit(&format!("Squash\n\n{trailer}"));
            assert_eq!(rule_of(&pr), Some(AiRule::CoAuthorTrailer), "{trailer}");
        }
    }

    #[test]
    fn co_author_trailers_naming_people_are_not_detected() {
        for trailer in [
            "Co-authored-by: Jane Doe <jane@example.com>",
            // First names shared with assistants.
            "Co-authored-by: Claude Monet <claude.monet@example.com>",
            "Co-authored-by: Claude Abbott <claude.abbott@example.com>",
            "Co-authored-by: Claude Monet <12345+claude@users.noreply.github.com>",
            "Co-authored-by: Devin Smith <devin@example.com>",
            "Co-authored-by: Jules Verne <jules@example.com>",
            // A vendor's employee is not the vendor's tool.
            "Co-authored-by: Jane Roe <jane@cursor.com>",
            // "Cursor" only as part of a longer word.
            "Co-authored-by: Pat Precursor <pat@precursors.io>",
            // "Q" alone is not Amazon Q.
            "Co-authored-by: Q Smith <q@example.com>",
        ] {
            let pr = with_commit(&format!("Squash\n\n{trailer}"));
            assert_eq!(detect(&pr, &[]), None, "{trailer}");
        }
    }

    #[test]
    fn a_co_author_trailer_only_counts_in_commits_not_in_the_body() {
        // docs/metrics.md reads co-author trailers from commit messages only.
        let pr = with_body("Co-authored-by: Claude <noreply@anthropic.com>");
        assert_eq!(detect(&pr, &[]), None);
    }

    #[test]
    fn a_generated_with_line_in_the_body_or_a_commit_is_detected() {
        let body = "## Summary\nAdds login.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)";
        let found = detect(&with_body(body), &[]).expect("detected");
        assert_eq!(found.rule, AiRule::GeneratedWithLine);
        assert_eq!(
            found.detail,
            "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
        );
        for line in [
            "Generated with GitHub Copilot",
            "This PR was generated by Devin.",
            "_Made with Cursor_",
            "Written using OpenAI Codex",
        ] {
            assert_eq!(
                rule_of(&with_commit(line)),
                Some(AiRule::GeneratedWithLine),
                "{line}"
            );
        }
    }

    #[test]
    fn lines_that_only_resemble_generated_with_are_not_detected() {
        for line in [
            "Generated with a sweep of random seeds",
            "Generated by the build script; continue with step 2",
            "Fixes cursor position in the precursor editor",
            "Made by Devin and Sam over lunch",
            "Docs about Copilot settings",
        ] {
            assert_eq!(detect(&with_body(line), &[]), None, "{line}");
        }
    }

    #[test]
    fn an_assistant_trailer_is_detected_in_commits_and_the_body() {
        let found = detect(&with_commit("Tidy\n\nMade-with: Cursor"), &[]).expect("detected");
        assert_eq!(found.rule, AiRule::AssistantTrailer);
        assert_eq!(found.detail, "Made-with: Cursor");
        assert_eq!(
            rule_of(&with_body("assisted-by: Claude:claude-3-opus")),
            Some(AiRule::AssistantTrailer)
        );
    }

    #[test]
    fn assistant_trailers_naming_no_assistant_are_not_detected() {
        for line in [
            "Assisted-by: Jane Doe <jane@example.com>",
            "Assisted-by: Claude Monet",
            "Made-with: love",
            "Reviewed-by: Claude <noreply@anthropic.com>",
        ] {
            assert_eq!(detect(&with_commit(line), &[]), None, "{line}");
        }
    }

    #[test]
    fn a_pr_opened_by_an_ai_agent_account_is_detected() {
        let copilot = PrInput {
            author_login: "copilot-swe-agent[bot]".into(),
            author_is_bot: true,
            ..pr()
        };
        let found = detect(&copilot, &[]).expect("detected");
        assert_eq!(found.rule, AiRule::AgentAccount);
        assert_eq!(found.detail, "copilot-swe-agent[bot]");

        // GraphQL spells bot logins without the suffix.
        let devin = PrInput {
            author_login: "devin-ai-integration".into(),
            author_is_bot: true,
            ..pr()
        };
        assert_eq!(rule_of(&devin), Some(AiRule::AgentAccount));
        let copilot_agent = PrInput {
            author_login: "Copilot".into(),
            author_is_bot: true,
            ..pr()
        };
        assert_eq!(rule_of(&copilot_agent), Some(AiRule::AgentAccount));
    }

    #[test]
    fn other_bots_and_humans_with_agent_like_logins_are_not_agent_accounts() {
        assert!(!is_agent_account("dependabot[bot]", true));
        // A human whose login equals a bot's bare name is still a human.
        assert!(!is_agent_account("claude", false));
        assert!(!is_agent_account("ada", false));
        assert!(is_agent_account("OpenHands-Agent", false));
    }

    #[test]
    fn an_agent_branch_prefix_is_detected_in_any_case() {
        for branch in [
            "copilot/fix-login",
            "Codex/add-tests",
            "refs/heads/claude/refactor",
            "cursor/x",
            "devin/1712-fix",
        ] {
            let pr = PrInput {
                head_ref: branch.into(),
                ..pr()
            };
            assert_eq!(rule_of(&pr), Some(AiRule::AgentBranch), "{branch}");
        }
        let pr = PrInput {
            head_ref: "refs/heads/claude/refactor".into(),
            ..pr()
        };
        assert_eq!(
            detect(&pr, &[]).map(|d| d.detail),
            Some("claude/refactor".into())
        );
    }

    #[test]
    fn an_assistant_name_elsewhere_in_the_branch_is_not_a_prefix() {
        for branch in [
            "feature/copilot-docs",
            "copilot-docs",
            "precursor/fix",
            "ada/claude",
        ] {
            let pr = PrInput {
                head_ref: branch.into(),
                ..pr()
            };
            assert_eq!(detect(&pr, &[]), None, "{branch}");
        }
    }

    #[test]
    fn default_and_org_ai_labels_are_detected_case_insensitively() {
        let default = PrInput {
            labels: vec!["bug".into(), "AI-Assisted".into()],
            ..pr()
        };
        let found = detect(&default, &[]).expect("detected");
        assert_eq!(found.rule, AiRule::AiLabel);
        assert_eq!(found.detail, "AI-Assisted");

        let org = PrInput {
            labels: vec!["made-by-robots".into()],
            ..pr()
        };
        assert_eq!(detect(&org, &[]), None);
        assert_eq!(
            detect(&org, &["Made-By-Robots".into()]).map(|d| d.rule),
            Some(AiRule::AiLabel)
        );
    }

    #[test]
    fn labels_that_only_contain_an_ai_label_are_not_detected() {
        let pr = PrInput {
            labels: vec!["not-ai-assisted".into(), "".into()],
            ..pr()
        };
        assert_eq!(detect(&pr, &["".into()]), None);
    }

    #[test]
    fn when_several_rules_fire_the_earliest_in_precedence_wins() {
        let everything = PrInput {
            author_login: "copilot-swe-agent[bot]".into(),
            head_ref: "copilot/fix".into(),
            labels: vec!["ai-assisted".into()],
            body: "Generated with Copilot\nMade-with: Copilot".into(),
            commits: vec![CommitInput {
                message:
                    "Fix\n\nCo-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>"
                        .into(),
                ..CommitInput::default()
            }],
            ..pr()
        };
        assert_eq!(rule_of(&everything), Some(AiRule::AgentAccount));

        let mut rest = everything.clone();
        rest.author_login = "ada".into();
        assert_eq!(rule_of(&rest), Some(AiRule::CoAuthorTrailer));
        rest.commits.clear();
        assert_eq!(rule_of(&rest), Some(AiRule::AssistantTrailer));
        rest.body = "Generated with Copilot".into();
        assert_eq!(rule_of(&rest), Some(AiRule::GeneratedWithLine));
        rest.body.clear();
        assert_eq!(rule_of(&rest), Some(AiRule::AgentBranch));
        rest.head_ref = "fix".into();
        assert_eq!(rule_of(&rest), Some(AiRule::AiLabel));
    }

    #[test]
    fn commits_are_searched_before_the_body() {
        let pr = PrInput {
            body: "Made-with: Cursor".into(),
            ..with_commit("x\n\nAssisted-by: Aider")
        };
        assert_eq!(
            detect(&pr, &[]).map(|d| d.detail),
            Some("Assisted-by: Aider".into())
        );
    }

    #[test]
    fn a_long_detail_is_cut_to_two_hundred_characters() {
        let line = format!("Generated with Claude {}", "é".repeat(500));
        let found = detect(&with_body(&line), &[]).expect("detected");
        assert_eq!(found.detail.chars().count(), MAX_DETAIL_CHARS);
        assert!(line.starts_with(&found.detail));
    }

    #[test]
    fn rule_names_are_stable_and_read_back() {
        let names: Vec<&str> = AiRule::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            [
                "agent_account",
                "co_author_trailer",
                "assistant_trailer",
                "generated_with_line",
                "agent_branch",
                "ai_label"
            ]
        );
        for rule in AiRule::ALL {
            assert_eq!(AiRule::parse(rule.as_str()), Some(rule));
        }
        assert_eq!(AiRule::parse("made_up"), None);
    }

    #[test]
    fn every_rule_explains_itself_in_one_line_quoting_the_detail() {
        for rule in AiRule::ALL {
            let detection = AiDetection {
                rule,
                detail: "X-DETAIL".into(),
            };
            let text = detection.explain();
            assert!(text.contains("X-DETAIL"), "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
        let label = AiDetection {
            rule: AiRule::AiLabel,
            detail: "ai-assisted".into(),
        };
        assert_eq!(
            label.explain(),
            "The PR carries the AI label \"ai-assisted\"."
        );
    }

    #[test]
    fn every_listed_assistant_is_found_as_a_whole_word_in_a_trailer() {
        for assistant in AI_ASSISTANTS {
            let pr = with_commit(&format!("x\n\nMade-with: {assistant}"));
            assert_eq!(rule_of(&pr), Some(AiRule::AssistantTrailer), "{assistant}");
        }
    }
}
