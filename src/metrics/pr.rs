//! Per-PR metrics: one pull request's rows in, its numbers out.
//!
//! Every number here is defined in docs/metrics.md ("Pull requests"); the doc
//! comment on each field quotes the rule so a reader never has to guess.
//! All instants are Unix seconds UTC and all durations are seconds.

use super::ai::{self, AiDetection};

/// One pull request as the metrics need it, already read from GitHub.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrInput {
    /// When the PR was opened.
    pub created_at: i64,
    /// When a draft PR was marked ready for review; only read for drafts.
    pub ready_for_review_at: Option<i64>,
    /// Whether the PR was opened as a draft.
    pub opened_as_draft: bool,
    /// When the PR was merged; `None` while unmerged (or closed unmerged).
    pub merged_at: Option<i64>,
    /// PR title.
    pub title: String,
    /// PR description (may be empty).
    pub body: String,
    /// Head branch name, e.g. `hotfix/login` (a `refs/heads/` prefix is tolerated).
    pub head_ref: String,
    /// Label names on the PR.
    pub labels: Vec<String>,
    /// Lines added.
    pub additions: i64,
    /// Lines deleted.
    pub deletions: i64,
    /// GitHub login of the PR author.
    pub author_login: String,
    /// Whether GitHub reports the author's type as `Bot`.
    pub author_is_bot: bool,
    /// The PR's commits, in the order GitHub lists them (oldest first).
    pub commits: Vec<CommitInput>,
    /// Every review on the PR; this module decides which ones count.
    pub reviews: Vec<ReviewInput>,
}

/// One commit of a PR.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommitInput {
    /// Git author date; `None` when GitHub did not report one.
    pub authored_at: Option<i64>,
    /// Full commit message, trailers included.
    pub message: String,
    /// Git author name.
    pub author_name: String,
    /// Git author email.
    pub author_email: String,
}

/// One review of a PR, as GitHub reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewInput {
    /// GitHub login of the reviewer.
    pub author_login: String,
    /// Whether GitHub reports the reviewer's type as `Bot`.
    pub author_is_bot: bool,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`;
    /// the lowercase webhook spellings are accepted too.
    pub state: String,
    /// When the review was submitted; `None` for pending reviews.
    pub submitted_at: Option<i64>,
}

/// The numbers docs/metrics.md defines for one PR (stored with it:
/// `store::pull_requests::PullRequestRow::metrics`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrMetrics {
    /// `ready_for_review_at` if opened as draft, else `created_at`.
    pub ready_at: i64,
    /// Earliest commit author date.
    pub first_commit_at: Option<i64>,
    /// Earliest qualifying review submitted at or after `ready_at`.
    pub first_review_at: Option<i64>,
    /// `created_at − first_commit_at`, clamped at 0; null without dated commits.
    pub coding_time: Option<i64>,
    /// `first_review_at − ready_at`; null without a qualifying review.
    pub pickup_time: Option<i64>,
    /// `merged_at − first_review_at`; null if unmerged, unreviewed, or first
    /// reviewed only after the merge.
    pub review_time: Option<i64>,
    /// `merged_at − min(first_commit_at, created_at)`, clamped at 0; null if unmerged.
    pub cycle_time: Option<i64>,
    /// `additions + deletions`.
    pub size: i64,
    /// Title starts with `Revert "` or body contains `This reverts commit`.
    pub is_revert: bool,
    /// Head branch `hotfix/…`, title mentions `hotfix`, or a `hotfix` label.
    pub is_hotfix: bool,
    /// Which AI signal fired, if any (see [`ai::detect`]).
    pub ai: Option<AiDetection>,
}

/// Review states that count as a review; `DISMISSED` and `PENDING` do not,
/// because a dismissed review was withdrawn and a pending one was never sent.
const QUALIFYING_REVIEW_STATES: &[&str] = &["APPROVED", "CHANGES_REQUESTED", "COMMENTED"];

/// True when a GitHub login is an app's bot account (`dependabot[bot]`).
pub fn is_bot_login(login: &str) -> bool {
    login.trim_end().ends_with("[bot]")
}

/// True when an account is a bot per docs/metrics.md: a `[bot]` login or GitHub
/// type `Bot`. Admin exclusions live with people, not here.
pub fn is_bot(login: &str, typed_bot: bool) -> bool {
    typed_bot || is_bot_login(login)
}

/// Computes every docs/metrics.md per-PR number for `pr`.
///
/// `ai_labels` are the org's own AI label names, used on top of the defaults.
pub fn compute(pr: &PrInput, ai_labels: &[String]) -> PrMetrics {
    let ready_at = ready_at(pr);
    let first_commit_at = pr.commits.iter().filter_map(|c| c.authored_at).min();
    let first_review_at = pr
        .reviews
        .iter()
        .filter(|r| is_qualifying_review(r, &pr.author_login))
        .filter_map(|r| r.submitted_at)
        .filter(|&at| at >= ready_at)
        .min();

    // Commits authored after the PR opened (pushed later, or a rebase that
    // rewrote dates) mean no coding happened before it; 0, never negative.
    let coding_time =
        first_commit_at.map(|first| non_negative(pr.created_at.saturating_sub(first)));
    // Never negative by construction: only reviews at or after ready_at count.
    let pickup_time = first_review_at.map(|first| first.saturating_sub(ready_at));
    let review_time = match (pr.merged_at, first_review_at) {
        // A first review after the merge means nothing was reviewed before
        // merging; reporting 0 would flatter the median, so it stays null.
        (Some(merged), Some(first)) if first <= merged => Some(merged.saturating_sub(first)),
        _ => None,
    };
    let cycle_time = pr.merged_at.map(|merged| {
        let start = first_commit_at.map_or(pr.created_at, |first| first.min(pr.created_at));
        // Only clock skew or bad data merges before the start; count it as 0.
        non_negative(merged.saturating_sub(start))
    });

    PrMetrics {
        ready_at,
        first_commit_at,
        first_review_at,
        coding_time,
        pickup_time,
        review_time,
        cycle_time,
        size: non_negative(pr.additions.saturating_add(pr.deletions)),
        is_revert: is_revert(pr),
        is_hotfix: is_hotfix(pr),
        ai: ai::detect(pr, ai_labels),
    }
}

/// True when a merged PR counts in throughput: bot-authored PRs count only
/// when the bot is an AI coding agent (docs/metrics.md "Bot"). People an admin
/// excluded are filtered by the caller, who knows them.
pub fn counts_in_throughput(pr: &PrInput) -> bool {
    pr.merged_at.is_some()
        && (!is_bot(&pr.author_login, pr.author_is_bot)
            || ai::is_agent_account(&pr.author_login, pr.author_is_bot))
}

/// A draft's clock starts when it is marked ready. A draft with no ready
/// instant (still a draft, or the event was lost) falls back to `created_at`
/// so the PR keeps an instant rather than disappearing from every metric.
fn ready_at(pr: &PrInput) -> i64 {
    match (pr.opened_as_draft, pr.ready_for_review_at) {
        (true, Some(ready)) => ready,
        _ => pr.created_at,
    }
}

/// A review counts when a human other than the author sent it with a
/// qualifying state. Logins are compared case-insensitively, as GitHub does.
fn is_qualifying_review(review: &ReviewInput, pr_author: &str) -> bool {
    let state = review.state.trim();
    QUALIFYING_REVIEW_STATES
        .iter()
        .any(|s| state.eq_ignore_ascii_case(s))
        && !is_bot(&review.author_login, review.author_is_bot)
        && !review
            .author_login
            .trim()
            .eq_ignore_ascii_case(pr_author.trim())
}

fn is_revert(pr: &PrInput) -> bool {
    pr.title.trim_start().starts_with("Revert \"") || pr.body.contains("This reverts commit")
}

fn is_hotfix(pr: &PrInput) -> bool {
    let branch = branch_name(&pr.head_ref).to_lowercase();
    branch.starts_with("hotfix/")
        || pr.title.to_lowercase().contains("hotfix")
        || pr
            .labels
            .iter()
            .any(|l| l.trim().eq_ignore_ascii_case("hotfix"))
}

/// The branch name without a `refs/heads/` prefix, which some payloads carry.
pub(crate) fn branch_name(head_ref: &str) -> &str {
    let head_ref = head_ref.trim();
    head_ref.strip_prefix("refs/heads/").unwrap_or(head_ref)
}

fn non_negative(seconds: i64) -> i64 {
    seconds.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    fn commit_at(at: i64) -> CommitInput {
        CommitInput {
            authored_at: Some(at),
            message: "Fix the thing".into(),
            author_name: "Ada".into(),
            author_email: "ada@example.com".into(),
        }
    }

    fn review(login: &str, state: &str, at: i64) -> ReviewInput {
        ReviewInput {
            author_login: login.into(),
            author_is_bot: false,
            state: state.into(),
            submitted_at: Some(at),
        }
    }

    /// An ordinary PR by `ada`, opened at t=1000, not a draft, unmerged.
    fn pr() -> PrInput {
        PrInput {
            created_at: 1000,
            title: "Add login page".into(),
            head_ref: "feature/login".into(),
            author_login: "ada".into(),
            ..PrInput::default()
        }
    }

    #[test]
    fn a_draft_is_ready_when_marked_ready_and_earlier_reviews_do_not_count() {
        let pr = PrInput {
            opened_as_draft: true,
            ready_for_review_at: Some(5000),
            reviews: vec![
                review("bob", "COMMENTED", 4000),
                review("bob", "APPROVED", 9000),
            ],
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.ready_at, 5000);
        assert_eq!(m.first_review_at, Some(9000));
        assert_eq!(m.pickup_time, Some(4000));
    }

    #[test]
    fn a_pr_not_opened_as_draft_is_ready_when_created_even_with_a_ready_instant() {
        // Converted to draft and back later: docs/metrics.md still says created_at.
        let pr = PrInput {
            ready_for_review_at: Some(7000),
            ..pr()
        };
        assert_eq!(compute(&pr, &[]).ready_at, 1000);
    }

    #[test]
    fn a_draft_without_a_ready_instant_falls_back_to_created_at() {
        let pr = PrInput {
            opened_as_draft: true,
            ..pr()
        };
        assert_eq!(compute(&pr, &[]).ready_at, 1000);
    }

    #[test]
    fn bot_reviews_do_not_count_whether_by_login_or_by_type() {
        let typed_bot = ReviewInput {
            author_is_bot: true,
            ..review("sonar", "COMMENTED", 2000)
        };
        let pr = PrInput {
            reviews: vec![
                review("coderabbitai[bot]", "COMMENTED", 1500),
                typed_bot,
                review("bob", "APPROVED", 3000),
            ],
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.first_review_at, Some(3000));
        assert_eq!(m.pickup_time, Some(2000));
    }

    #[test]
    fn the_authors_own_review_does_not_count_whatever_the_login_case() {
        let pr = PrInput {
            reviews: vec![
                review("Ada", "COMMENTED", 1100),
                review("bob", "COMMENTED", 1600),
            ],
            ..pr()
        };
        assert_eq!(compute(&pr, &[]).first_review_at, Some(1600));
    }

    #[test]
    fn dismissed_and_pending_reviews_do_not_count() {
        let pending = ReviewInput {
            submitted_at: None,
            ..review("carol", "PENDING", 0)
        };
        let pr = PrInput {
            reviews: vec![
                review("bob", "DISMISSED", 1200),
                pending,
                review("dan", "dismissed", 1300),
            ],
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.first_review_at, None);
        assert_eq!(m.pickup_time, None);
    }

    #[test]
    fn lowercase_webhook_review_states_count_like_the_api_spellings() {
        for state in [
            "approved",
            "changes_requested",
            "commented",
            "CHANGES_REQUESTED",
        ] {
            let pr = PrInput {
                reviews: vec![review("bob", state, 1500)],
                ..pr()
            };
            assert_eq!(
                compute(&pr, &[]).first_review_at,
                Some(1500),
                "state {state}"
            );
        }
    }

    #[test]
    fn a_review_without_a_submitted_instant_does_not_count() {
        let unsent = ReviewInput {
            submitted_at: None,
            ..review("bob", "APPROVED", 0)
        };
        let pr = PrInput {
            reviews: vec![unsent],
            ..pr()
        };
        assert_eq!(compute(&pr, &[]).first_review_at, None);
    }

    #[test]
    fn the_first_commit_is_the_earliest_author_date_whatever_the_order() {
        let undated = CommitInput {
            authored_at: None,
            ..commit_at(0)
        };
        let pr = PrInput {
            commits: vec![commit_at(800), commit_at(200), undated, commit_at(500)],
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.first_commit_at, Some(200));
        assert_eq!(m.coding_time, Some(800));
    }

    #[test]
    fn coding_time_is_zero_when_every_commit_is_later_than_the_pr() {
        let pr = PrInput {
            commits: vec![commit_at(1500), commit_at(2000)],
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.first_commit_at, Some(1500));
        assert_eq!(m.coding_time, Some(0));
    }

    #[test]
    fn without_commits_coding_time_is_null_and_cycle_time_starts_at_creation() {
        let pr = PrInput {
            merged_at: Some(1000 + 5 * HOUR),
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.first_commit_at, None);
        assert_eq!(m.coding_time, None);
        assert_eq!(m.cycle_time, Some(5 * HOUR));
    }

    #[test]
    fn cycle_time_starts_at_the_first_commit_when_it_predates_the_pr() {
        let pr = PrInput {
            commits: vec![commit_at(1000 - 2 * HOUR)],
            merged_at: Some(1000 + 3 * HOUR),
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.coding_time, Some(2 * HOUR));
        assert_eq!(m.cycle_time, Some(5 * HOUR));
    }

    #[test]
    fn cycle_time_starts_at_creation_when_commits_come_later() {
        let pr = PrInput {
            commits: vec![commit_at(1500)],
            merged_at: Some(4000),
            ..pr()
        };
        assert_eq!(compute(&pr, &[]).cycle_time, Some(3000));
    }

    #[test]
    fn review_time_runs_from_the_first_review_to_the_merge() {
        let pr = PrInput {
            reviews: vec![
                review("bob", "CHANGES_REQUESTED", 2000),
                review("bob", "APPROVED", 6000),
            ],
            merged_at: Some(9000),
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.pickup_time, Some(1000));
        assert_eq!(m.review_time, Some(7000));
        assert_eq!(m.cycle_time, Some(8000));
    }

    #[test]
    fn an_unmerged_pr_has_no_review_or_cycle_time_but_keeps_its_pickup() {
        let pr = PrInput {
            commits: vec![commit_at(500)],
            reviews: vec![review("bob", "APPROVED", 2000)],
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.pickup_time, Some(1000));
        assert_eq!(m.review_time, None);
        assert_eq!(m.cycle_time, None);
    }

    #[test]
    fn a_merged_pr_without_reviews_has_a_cycle_time_but_no_review_time() {
        let pr = PrInput {
            merged_at: Some(3000),
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.review_time, None);
        assert_eq!(m.pickup_time, None);
        assert_eq!(m.cycle_time, Some(2000));
    }

    #[test]
    fn a_first_review_after_the_merge_leaves_review_time_null_not_negative() {
        let pr = PrInput {
            reviews: vec![review("bob", "COMMENTED", 5000)],
            merged_at: Some(3000),
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.pickup_time, Some(4000));
        assert_eq!(m.review_time, None);
    }

    #[test]
    fn a_merge_recorded_before_creation_gives_a_cycle_time_of_zero() {
        let pr = PrInput {
            merged_at: Some(400),
            ..pr()
        };
        assert_eq!(compute(&pr, &[]).cycle_time, Some(0));
    }

    #[test]
    fn size_is_additions_plus_deletions() {
        let pr = PrInput {
            additions: 120,
            deletions: 30,
            ..pr()
        };
        assert_eq!(compute(&pr, &[]).size, 150);
    }

    #[test]
    fn a_revert_is_recognised_by_its_title_or_by_gits_body_line() {
        let by_title = PrInput {
            title: "Revert \"Add login page\"".into(),
            ..pr()
        };
        let by_body = PrInput {
            body: "This reverts commit 0123abcd.\n\nBroke prod.".into(),
            ..pr()
        };
        let lookalike = PrInput {
            title: "Reverting the button colour".into(),
            body: "this reverts nothing".into(),
            ..pr()
        };
        assert!(compute(&by_title, &[]).is_revert);
        assert!(compute(&by_body, &[]).is_revert);
        assert!(!compute(&lookalike, &[]).is_revert);
    }

    #[test]
    fn a_hotfix_is_recognised_by_branch_title_or_label_in_any_case() {
        let by_branch = PrInput {
            head_ref: "HotFix/login-crash".into(),
            ..pr()
        };
        let by_ref = PrInput {
            head_ref: "refs/heads/hotfix/login".into(),
            ..pr()
        };
        let by_title = PrInput {
            title: "HOTFIX: login crash".into(),
            ..pr()
        };
        let by_label = PrInput {
            labels: vec!["bug".into(), "Hotfix".into()],
            ..pr()
        };
        for pr in [by_branch, by_ref, by_title, by_label] {
            assert!(compute(&pr, &[]).is_hotfix, "{pr:?}");
        }
    }

    #[test]
    fn a_hotfix_word_elsewhere_in_the_branch_or_a_longer_label_is_not_a_hotfix() {
        let pr = PrInput {
            head_ref: "feature/hotfix-tooling".into(),
            labels: vec!["hotfix-candidate".into()],
            ..pr()
        };
        assert!(!compute(&pr, &[]).is_hotfix);
    }

    #[test]
    fn bots_are_recognised_by_login_suffix_or_by_type() {
        assert!(is_bot_login("dependabot[bot]"));
        assert!(!is_bot_login("robot-ada"));
        assert!(is_bot("sonar", true));
        assert!(!is_bot("ada", false));
    }

    #[test]
    fn bot_prs_count_in_throughput_only_when_the_bot_is_an_ai_coding_agent() {
        let merged = PrInput {
            merged_at: Some(2000),
            ..pr()
        };
        let dependabot = PrInput {
            author_login: "dependabot[bot]".into(),
            ..merged.clone()
        };
        let copilot = PrInput {
            author_login: "copilot-swe-agent[bot]".into(),
            ..merged.clone()
        };
        assert!(counts_in_throughput(&merged));
        assert!(!counts_in_throughput(&dependabot));
        assert!(counts_in_throughput(&copilot));
        assert!(!counts_in_throughput(&pr()), "unmerged PRs never count");
    }

    #[test]
    fn compute_reports_the_ai_signal() {
        let pr = PrInput {
            head_ref: "copilot/fix-login".into(),
            ..pr()
        };
        let ai = compute(&pr, &[]).ai.expect("branch prefix detected");
        assert_eq!(ai.rule, ai::AiRule::AgentBranch);
    }

    #[test]
    fn extreme_instants_never_overflow_or_go_negative() {
        let pr = PrInput {
            created_at: i64::MAX,
            merged_at: Some(i64::MIN),
            commits: vec![commit_at(i64::MIN)],
            reviews: vec![review("bob", "APPROVED", i64::MAX)],
            additions: i64::MAX,
            deletions: i64::MAX,
            ..pr()
        };
        let m = compute(&pr, &[]);
        assert_eq!(m.coding_time, Some(i64::MAX));
        assert_eq!(m.cycle_time, Some(0));
        assert_eq!(m.pickup_time, Some(0));
        assert_eq!(m.size, i64::MAX);
    }

    #[test]
    fn durations_are_never_negative_across_a_grid_of_orderings() {
        // A hand-rolled sweep standing in for a property test (no proptest
        // dev-dependency): every ordering of the instants on a small grid.
        let instants = [-5, 0, 3, 10, 1_000];
        for &created in &instants {
            for &commit in &instants {
                for &review_at in &instants {
                    for &merged in &instants {
                        for draft in [false, true] {
                            let pr = PrInput {
                                created_at: created,
                                opened_as_draft: draft,
                                ready_for_review_at: Some(commit.max(created)),
                                merged_at: Some(merged),
                                commits: vec![commit_at(commit)],
                                reviews: vec![review("bob", "APPROVED", review_at)],
                                ..pr()
                            };
                            let m = compute(&pr, &[]);
                            for d in [m.coding_time, m.pickup_time, m.review_time, m.cycle_time] {
                                assert!(d.unwrap_or(0) >= 0, "{pr:?} -> {m:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
