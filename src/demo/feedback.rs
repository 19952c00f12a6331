//! AI issue reports in the demo org: a few dozen over the last 60 days,
//! each about a PR someone merged, with the languages of its repository,
//! and one pattern (missing tests in payments-core, Java) past the suggestion
//! threshold, so `/metrics feedback` shows problems and a suggested rule.
//! Drawn from their own generator, so the rest of the demo stays as it was.

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::DemoError;
use super::calendar::DAY;
use super::cast::{MEMBERS, slack_of};
use super::random::Gen;
use crate::domain::{OrgId, Provider};
use crate::metrics::rules::{MIN_REPORTS, suggestions};
use crate::store::feedback::{self as store, NewReport};
use crate::store::{Db, people, pull_requests};

/// The language of each demo repository's code.
fn language_of(repository: &str) -> &'static str {
    match repository.rsplit('/').next().unwrap_or(repository) {
        "web-app" => "TypeScript",
        "mobile-app" => "Kotlin",
        "payments-core" => "Java",
        _ => "Rust",
    }
}

/// What people wrote, per category.
const TEXTS: [(&str, &[&str]); 5] = [
    (
        "tests",
        &[
            "The generated tests never exercise the retry path",
            "It wrote tests that only cover the happy path, no retries or timeouts",
            "No tests for the new refund branch; the suggestion skipped them",
            "Tests it added mock the thing under test, so they cannot fail",
            "Missing tests for the error handling it introduced",
        ],
    ),
    (
        "invented_api",
        &[
            "It called a client method that does not exist in our SDK",
            "Suggested importing a package we do not depend on",
        ],
    ),
    (
        "conventions",
        &[
            "Used camelCase names in a module that is snake_case everywhere",
            "Ignored our error wrapping convention and returned bare errors",
        ],
    ),
    (
        "missed_context",
        &[
            "Re-implemented a helper that already exists in the shared utils",
            "Did not notice the feature flag and changed the default path",
        ],
    ),
    (
        "security",
        &["Logged the full request including the auth header"],
    ),
];

/// Writes the reports and the suggestions they lead to (no DMs: the demo
/// has no Slack). Returns how many reports.
pub(super) async fn write(
    db: &Db,
    org: OrgId,
    now: i64,
    rng_seed: u64,
) -> Result<usize, DemoError> {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(rng_seed ^ 0x00fe_edba_c0de),
    };
    let mut conn = db.pool().acquire().await?;
    let prs = pull_requests::search(&mut conn, org, "", 400).await?;
    if prs.is_empty() {
        return Ok(0);
    }
    let payments: Vec<_> = prs
        .iter()
        .filter(|p| p.repository.ends_with("/payments-core"))
        .collect();
    let mut written = 0;
    // The pattern: missing tests in payments-core, past the threshold.
    let mut plan: Vec<(&str, usize)> = (0..MIN_REPORTS + 3).map(|i| ("tests", i)).collect();
    // And a spread of other reports, anywhere.
    for _ in 0..18 {
        let (category, texts) = g.pick(&TEXTS);
        plan.push((category, g.index(texts.len())));
    }
    for (n, (category, text_index)) in plan.into_iter().enumerate() {
        let in_pattern = n < MIN_REPORTS + 3;
        let pr = if in_pattern && !payments.is_empty() {
            *g.pick(&payments)
        } else {
            g.pick(&prs)
        };
        let texts = TEXTS
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, t)| *t)
            .unwrap_or(&[]);
        let Some(text) = texts.get(text_index % texts.len().max(1)) else {
            continue;
        };
        let who = g.index(MEMBERS.len());
        let slack = slack_of(who);
        let reporter = people::find_by_identity(&mut conn, org, Provider::Slack, &slack)
            .await?
            .map(|p| p.id);
        let at = now - g.range(DAY, 60 * DAY);
        let tool = *g.pick(&["Copilot", "Cursor", "Claude Code"]);
        let id = store::create(
            &mut conn,
            org,
            &NewReport {
                reporter_slack_user_id: slack,
                reporter,
                category: category.into(),
                tool: Some(tool.into()),
                pull_request: Some(pr.id),
                description: (*text).into(),
                source: "shortcut".into(),
                at: Some(at),
            },
        )
        .await?;
        store::set_languages(
            &mut conn,
            org,
            id,
            &[language_of(&pr.repository).to_string()],
        )
        .await?;
        written += 1;
    }
    let reports = store::since(&mut conn, org, now - 90 * DAY).await?;
    let facts: Vec<_> = reports.iter().map(crate::feedback::view::fact).collect();
    for s in suggestions(&facts, MIN_REPORTS) {
        store::suggest(&mut conn, org, &s).await?;
    }
    Ok(written)
}
