//! Suggested agent rules from AI issue reports (docs/metrics.md "AI
//! feedback"). Pure and deterministic: a pattern (category, repository,
//! language) with at least [`MIN_REPORTS`] reports gets one rule, from a
//! template per category with a line per language, and the evidence it
//! rests on.

use crate::metrics::feedback::ReportFact;

/// Reports of one pattern before a rule is suggested.
pub const MIN_REPORTS: usize = 5;

/// What a suggestion is about: the reports' category, the repository of
/// their PRs and the language most of them touch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    /// Stored category.
    pub category: String,
    /// `owner/name`, when the reports link PRs.
    pub repository: Option<String>,
    /// The language most of them touch.
    pub language: Option<String>,
}

impl Scope {
    /// A stable key: one suggestion per scope and org.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.category,
            self.repository.as_deref().unwrap_or(""),
            self.language.as_deref().unwrap_or("")
        )
    }
}

/// A suggested rule and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Its scope.
    pub scope: Scope,
    /// Reports in the scope.
    pub reports: usize,
    /// The rule, one Markdown bullet or short paragraph.
    pub rule: String,
    /// "Based on 12 reports about missing or wrong tests in acme/api, Python."
    pub evidence: String,
}

/// What people called each category, for evidence sentences.
fn about(category: &str) -> &'static str {
    match category {
        "wrong_code" => "wrong code",
        "missed_context" => "missed context",
        "conventions" => "ignored conventions or style",
        "tests" => "missing or wrong tests",
        "security" => "security problems",
        "invented_api" => "invented APIs or dependencies",
        "performance" => "performance problems",
        _ => "other problems",
    }
}

fn template(category: &str) -> &'static str {
    match category {
        "wrong_code" => {
            "Before proposing a change, restate the requirement and check the change against it; \
             run the existing tests and say which ones cover the change."
        }
        "missed_context" => {
            "Read the surrounding module, its callers and the related tests before editing; \
             follow existing helpers instead of adding new ones."
        }
        "conventions" => {
            "Follow this repository's conventions: match the naming, formatting and structure of \
             neighbouring code, and run the project's formatter and linter before finishing."
        }
        "tests" => {
            "Every behaviour change comes with tests that exercise it, including failure and \
             retry paths; never delete or weaken an existing assertion to make a test pass."
        }
        "security" => {
            "Never log secrets or tokens, validate all external input, use parameterised queries, \
             and do not disable TLS or authentication checks."
        }
        "invented_api" => {
            "Use only functions, modules and dependencies that exist in this repository or its \
             lock file; check before calling, and do not add a dependency without saying so."
        }
        "performance" => {
            "Avoid queries or network calls inside loops, keep allocations out of hot paths, and \
             note the complexity of any new algorithm."
        }
        _ => "Explain assumptions before changing code, and keep changes small and reviewable.",
    }
}

fn language_line(language: &str) -> Option<&'static str> {
    Some(match language {
        "Python" => "In Python, use pytest fixtures and type hints as the surrounding code does.",
        "TypeScript" | "JavaScript" => {
            "In TypeScript/JavaScript, keep strict types and the project's existing test runner."
        }
        "Rust" => "In Rust, no `unwrap()` on external input; run `cargo clippy` and `cargo test`.",
        "Go" => "In Go, handle every returned error and use table-driven tests.",
        "Java" | "Kotlin" => "On the JVM, follow the existing dependency-injection and test style.",
        "Ruby" => "In Ruby, follow the existing RSpec or Minitest style.",
        _ => return None,
    })
}

/// The suggestions for `reports`: one per scope with at least `min`
/// reports, largest first (ties by key).
pub fn suggestions(reports: &[ReportFact], min: usize) -> Vec<Suggestion> {
    use std::collections::BTreeMap;
    let mut scopes: BTreeMap<Scope, usize> = BTreeMap::new();
    for r in reports {
        let scope = Scope {
            category: r.category.clone(),
            repository: r.repository.clone(),
            language: r.languages.first().cloned(),
        };
        *scopes.entry(scope).or_default() += 1;
    }
    let mut out: Vec<Suggestion> = scopes
        .into_iter()
        .filter(|(_, n)| *n >= min.max(1))
        .map(|(scope, n)| {
            let mut rule = template(&scope.category).to_string();
            if let Some(line) = scope.language.as_deref().and_then(language_line) {
                rule.push(' ');
                rule.push_str(line);
            }
            let mut evidence = format!("Based on {n} reports about {}", about(&scope.category));
            if let Some(r) = &scope.repository {
                evidence.push_str(&format!(" in {r}"));
            }
            if let Some(l) = &scope.language {
                evidence.push_str(&format!(", {l}"));
            }
            evidence.push('.');
            Suggestion {
                scope,
                reports: n,
                rule,
                evidence,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.reports
            .cmp(&a.reports)
            .then_with(|| a.scope.key().cmp(&b.scope.key()))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: i64, category: &str, repo: Option<&str>, lang: Option<&str>) -> ReportFact {
        ReportFact {
            id,
            category: category.into(),
            tool: None,
            repository: repo.map(str::to_string),
            languages: lang.map(|l| vec![l.to_string()]).unwrap_or_default(),
            week: 0,
            text: String::new(),
        }
    }

    #[test]
    fn a_rule_is_suggested_once_enough_reports_share_a_scope() {
        let mut reports: Vec<ReportFact> = (0..12)
            .map(|i| report(i, "tests", Some("acme/payments-core"), Some("Python")))
            .collect();
        reports.extend((20..24).map(|i| report(i, "security", Some("acme/api"), None)));
        let found = suggestions(&reports, MIN_REPORTS);
        assert_eq!(found.len(), 1, "{found:#?}");
        let s = &found[0];
        assert_eq!(
            s.evidence,
            "Based on 12 reports about missing or wrong tests in acme/payments-core, Python."
        );
        assert!(s.rule.contains("tests that exercise it"));
        assert!(s.rule.contains("pytest"));
        assert_eq!(s.scope.key(), "tests|acme/payments-core|Python");
        // Deterministic: the same reports give the same rule.
        assert_eq!(suggestions(&reports, MIN_REPORTS), found);
        // The security scope has four: below the threshold.
        assert_eq!(suggestions(&reports, 4).len(), 2);
    }

    #[test]
    fn every_category_has_a_template() {
        for c in [
            "wrong_code",
            "missed_context",
            "conventions",
            "tests",
            "security",
            "invented_api",
            "performance",
            "other",
        ] {
            assert!(!template(c).is_empty());
            assert_ne!(about(c), "");
        }
    }
}

/// Whether an adopted rule helped: its pattern's report rate per 100
/// merged PRs in its repository, the same length of time before and after
/// adoption.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// Too few reports or PRs, or too little time since adoption.
    NotEnoughData,
    /// The rate ratio after/before with its 95% interval.
    Measured {
        /// Reports before.
        before: i64,
        /// Reports after.
        after: i64,
        /// After rate / before rate.
        ratio: f64,
        /// 95% interval of the ratio.
        low: f64,
        /// 95% interval of the ratio.
        high: f64,
    },
}

/// Reports before adoption needed for a verdict.
pub const EFFECT_MIN_REPORTS_BEFORE: i64 = 10;
/// Merged PRs needed in each window.
pub const EFFECT_MIN_PRS: i64 = 20;
/// Time after adoption needed for a verdict (two weeks).
pub const EFFECT_MIN_SECS: i64 = 14 * 86_400;

/// The effect from the counts of reports and merged PRs before and after
/// (equal windows of `window` seconds). The interval is the usual one for a
/// ratio of Poisson rates (log scale, SE `sqrt(1/a + 1/b)`; a zero count
/// after adoption counts as 0.5).
pub fn effect(
    reports_before: i64,
    prs_before: i64,
    reports_after: i64,
    prs_after: i64,
    window: i64,
) -> Effect {
    if window < EFFECT_MIN_SECS
        || reports_before < EFFECT_MIN_REPORTS_BEFORE
        || prs_before < EFFECT_MIN_PRS
        || prs_after < EFFECT_MIN_PRS
    {
        return Effect::NotEnoughData;
    }
    let a = (reports_after as f64).max(0.5);
    let b = reports_before as f64;
    let ratio = (a / prs_after as f64) / (b / prs_before as f64);
    let se = (1.0 / a + 1.0 / b).sqrt();
    let z = 1.959_963_984_540_054;
    Effect::Measured {
        before: reports_before,
        after: reports_after,
        ratio,
        low: (ratio.ln() - z * se).exp(),
        high: (ratio.ln() + z * se).exp(),
    }
}

/// The sentence `/metrics feedback` shows for an effect.
pub fn effect_sentence(e: &Effect, weeks: i64) -> String {
    match e {
        Effect::NotEnoughData => {
            "Effect: not enough data yet (a verdict needs 2 weeks, 10 reports before and 20 merged PRs on each side).".into()
        }
        Effect::Measured {
            before,
            after,
            ratio,
            low,
            high,
        } => {
            let pct = |r: f64| ((1.0 - r) * 100.0).round() as i64;
            if *high < 1.0 {
                format!(
                    "Effect: reports fell {}% (95% CI {}% to {}%) in the {weeks} weeks after the rule, {before} before, {after} after.",
                    pct(*ratio),
                    pct(*high),
                    pct(*low)
                )
            } else if *low > 1.0 {
                format!(
                    "Effect: reports rose {}% in the {weeks} weeks after the rule ({before} before, {after} after): refine or remove it.",
                    -pct(*ratio)
                )
            } else {
                format!(
                    "Effect: no clear change in the {weeks} weeks after the rule ({before} before, {after} after; rate ratio {ratio:.2}, 95% CI {low:.2} to {high:.2}): refine it if it stays so."
                )
            }
        }
    }
}

#[cfg(test)]
mod effect_tests {
    use super::*;

    #[test]
    fn a_verdict_needs_enough_data_and_says_how_much_reports_fell() {
        assert_eq!(effect(30, 100, 9, 100, 7 * 86_400), Effect::NotEnoughData);
        assert_eq!(effect(9, 100, 1, 100, 42 * 86_400), Effect::NotEnoughData);
        assert_eq!(effect(30, 100, 9, 10, 42 * 86_400), Effect::NotEnoughData);
        let e = effect(30, 100, 9, 100, 42 * 86_400);
        let Effect::Measured {
            ratio, low, high, ..
        } = e
        else {
            panic!("{e:?}");
        };
        assert!((ratio - 0.3).abs() < 1e-9);
        assert!(low < ratio && ratio < high && high < 1.0, "{low} {high}");
        let s = effect_sentence(&e, 6);
        assert!(s.starts_with("Effect: reports fell 70% (95% CI"), "{s}");
        assert!(s.contains("30 before, 9 after"), "{s}");
        // No change: said so, with the interval.
        let same = effect(20, 100, 20, 100, 42 * 86_400);
        assert!(effect_sentence(&same, 6).contains("no clear change"));
        // Worse: flagged for refinement.
        let worse = effect(10, 100, 40, 100, 42 * 86_400);
        assert!(effect_sentence(&worse, 6).contains("refine or remove"));
        assert!(effect_sentence(&Effect::NotEnoughData, 1).contains("not enough data yet"));
    }
}
