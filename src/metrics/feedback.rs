//! AI issue reports → patterns (docs/metrics.md "AI feedback"). Pure: the
//! reports come in, the groupings and the recurring problems go out.
//!
//! Recurring problems are found across descriptions: each text is cut into
//! lower-case words, stop words dropped, the rest stemmed (Snowball English,
//! `rust-stemmers`), weighted by TF-IDF over the reports of the period, and
//! two reports belong to one problem when the cosine similarity of their
//! vectors reaches [`SIMILARITY`] (single link: a chain of similar reports
//! is one problem).

use std::collections::{BTreeMap, HashMap};

use rust_stemmers::{Algorithm, Stemmer};

/// Two reports describe the same problem from this cosine similarity on.
pub const SIMILARITY: f64 = 0.3;

/// A recurring problem needs at least this many reports.
pub const RECURRING_MIN: usize = 2;

/// One report, as the patterns need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFact {
    /// Its id.
    pub id: i64,
    /// Its category (stored spelling).
    pub category: String,
    /// The assistant, when named.
    pub tool: Option<String>,
    /// `owner/name` of the PR's repository.
    pub repository: Option<String>,
    /// Languages of the PR's changed files.
    pub languages: Vec<String>,
    /// Monday 00:00 UTC of its week.
    pub week: i64,
    /// What happened (and the details added in its thread).
    pub text: String,
}

/// Counts of reports by a key, largest first (ties by key).
pub type Counts = Vec<(String, usize)>;

/// Reports grouped every way the dashboards show them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Breakdown {
    /// Reports counted.
    pub total: usize,
    /// By category.
    pub by_category: Counts,
    /// By assistant (`unknown` when not named).
    pub by_tool: Counts,
    /// By repository (`no PR` when none was linked).
    pub by_repository: Counts,
    /// By language (a report counts once per language it touches).
    pub by_language: Counts,
    /// By week, oldest first: `(week start, reports)`.
    pub by_week: Vec<(i64, usize)>,
}

fn counted<'a>(keys: impl Iterator<Item = &'a str>) -> Counts {
    let mut map: BTreeMap<&str, usize> = BTreeMap::new();
    for k in keys {
        *map.entry(k).or_default() += 1;
    }
    let mut out: Counts = map.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Groups `reports` by category, tool, repository, language and week.
pub fn breakdown(reports: &[ReportFact]) -> Breakdown {
    let mut weeks: BTreeMap<i64, usize> = BTreeMap::new();
    for r in reports {
        *weeks.entry(r.week).or_default() += 1;
    }
    Breakdown {
        total: reports.len(),
        by_category: counted(reports.iter().map(|r| r.category.as_str())),
        by_tool: counted(
            reports
                .iter()
                .map(|r| r.tool.as_deref().unwrap_or("unknown")),
        ),
        by_repository: counted(
            reports
                .iter()
                .map(|r| r.repository.as_deref().unwrap_or("no PR")),
        ),
        by_language: counted(
            reports
                .iter()
                .flat_map(|r| r.languages.iter().map(String::as_str)),
        ),
        by_week: weeks.into_iter().collect(),
    }
}

/// Words that say nothing about the problem.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "me",
    "more",
    "my",
    "no",
    "not",
    "of",
    "on",
    "once",
    "only",
    "or",
    "our",
    "out",
    "she",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "to",
    "too",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "ai",
    "assistant",
    "copilot",
    "cursor",
    "claude",
    "code",
    "again",
    "pr",
    "pull",
    "request",
];

/// The stemmed, normalised terms of a text.
pub fn terms(text: &str) -> Vec<String> {
    words(text).into_iter().map(|(stem, _)| stem).collect()
}

/// Each term of a text with the word it came from: `(stem, word)`.
fn words(text: &str) -> Vec<(String, String)> {
    let stemmer = Stemmer::create(Algorithm::English);
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| (stemmer.stem(&w).into_owned(), w))
        .collect()
}

type Vector = HashMap<String, f64>;

fn tf_idf(docs: &[Vec<String>]) -> Vec<Vector> {
    let n = docs.len() as f64;
    let mut df: HashMap<&str, usize> = HashMap::new();
    for d in docs {
        let mut seen: Vec<&str> = d.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            *df.entry(t).or_default() += 1;
        }
    }
    docs.iter()
        .map(|d| {
            let mut tf: HashMap<&str, f64> = HashMap::new();
            for t in d {
                *tf.entry(t.as_str()).or_default() += 1.0;
            }
            let len = d.len().max(1) as f64;
            let mut v: Vector = tf
                .into_iter()
                .map(|(t, c)| {
                    // Smoothed IDF: a term in every report still counts a little.
                    let idf = ((1.0 + n) / (1.0 + df[t] as f64)).ln() + 1.0;
                    (t.to_string(), c / len * idf)
                })
                .collect();
            let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                for x in v.values_mut() {
                    *x /= norm;
                }
            }
            v
        })
        .collect()
}

fn cosine(a: &Vector, b: &Vector) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(t, x)| large.get(t).map(|y| x * y))
        .sum()
}

/// A problem several reports describe.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The reports, oldest first.
    pub reports: Vec<i64>,
    /// The category most of them chose.
    pub category: String,
    /// The terms that weigh most across them, at most five, each as the
    /// word people wrote most often for it (`retry` for the stem `retri`).
    pub terms: Vec<String>,
    /// The repository most of them are about, when any.
    pub repository: Option<String>,
    /// The language most of them touch, when any.
    pub language: Option<String>,
    /// Up to two descriptions, shortest first, as examples.
    pub quotes: Vec<String>,
}

fn most<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    counted(values).into_iter().next().map(|(k, _)| k)
}

/// The recurring problems among `reports` (at least [`RECURRING_MIN`]
/// similar descriptions each), largest first.
pub fn recurring(reports: &[ReportFact]) -> Vec<Pattern> {
    let docs: Vec<Vec<String>> = reports.iter().map(|r| terms(&r.text)).collect();
    let vectors = tf_idf(&docs);
    // Union-find over pairs at or above the threshold.
    let mut parent: Vec<usize> = (0..reports.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..reports.len() {
        for j in i + 1..reports.len() {
            if cosine(&vectors[i], &vectors[j]) >= SIMILARITY {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a != b {
                    parent[b] = a;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..reports.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Pattern> = groups
        .into_values()
        .filter(|g| g.len() >= RECURRING_MIN)
        .map(|g| {
            let mut weight: HashMap<&str, f64> = HashMap::new();
            for &i in &g {
                for (t, x) in &vectors[i] {
                    *weight.entry(t.as_str()).or_default() += x;
                }
            }
            let mut top: Vec<(&str, f64)> = weight.into_iter().collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            // How each stem was written, most often first.
            let mut written: HashMap<String, Vec<String>> = HashMap::new();
            for &i in &g {
                for (stem, word) in words(&reports[i].text) {
                    written.entry(stem).or_default().push(word);
                }
            }
            let shown = |stem: &str| {
                written
                    .get(stem)
                    .and_then(|ws| most(ws.iter().map(String::as_str)))
                    .unwrap_or_else(|| stem.to_string())
            };
            let mut quotes: Vec<&str> = g.iter().map(|&i| reports[i].text.as_str()).collect();
            quotes.sort_by_key(|q| (q.chars().count(), *q));
            quotes.dedup();
            let repository = most(g.iter().filter_map(|&i| reports[i].repository.as_deref()));
            // The language of the reports about that repository (all when none).
            let language = most(
                g.iter()
                    .filter(|&&i| repository.is_none() || reports[i].repository == repository)
                    .flat_map(|&i| reports[i].languages.iter().map(String::as_str)),
            );
            Pattern {
                reports: g.iter().map(|&i| reports[i].id).collect(),
                category: most(g.iter().map(|&i| reports[i].category.as_str())).unwrap_or_default(),
                terms: top.into_iter().take(5).map(|(t, _)| shown(t)).collect(),
                repository,
                language,
                quotes: quotes.into_iter().take(2).map(str::to_string).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.reports
            .len()
            .cmp(&a.reports.len())
            .then_with(|| a.reports.cmp(&b.reports))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: i64, category: &str, text: &str) -> ReportFact {
        ReportFact {
            id,
            category: category.into(),
            tool: Some("Cursor".into()),
            repository: Some("acme/payments-core".into()),
            languages: vec!["Python".into()],
            week: 0,
            text: text.into(),
        }
    }

    #[test]
    fn terms_are_normalised_stemmed_and_free_of_stop_words() {
        assert_eq!(
            terms("The tests were MISSING for the retries; it retried twice!"),
            ["test", "miss", "retri", "retri", "twice"]
        );
        assert!(terms("the and of 123").is_empty());
    }

    #[test]
    fn similar_descriptions_form_one_recurring_problem_and_others_do_not() {
        let reports = [
            report(1, "tests", "Generated tests never exercise the retry path"),
            report(
                2,
                "tests",
                "The tests it wrote skip the retry path entirely",
            ),
            report(3, "tests", "No tests for retry logic were generated"),
            report(
                4,
                "invented_api",
                "It called payments.refund_all which does not exist",
            ),
            report(
                5,
                "conventions",
                "Used camelCase names in a snake_case module",
            ),
        ];
        let found = recurring(&reports);
        assert_eq!(found.len(), 1, "{found:#?}");
        let p = &found[0];
        assert_eq!(p.reports, [1, 2, 3]);
        assert_eq!(p.category, "tests");
        assert!(p.terms.contains(&"retry".to_string()), "{:?}", p.terms);
        assert!(p.terms.contains(&"tests".to_string()), "{:?}", p.terms);
        assert_eq!(p.repository.as_deref(), Some("acme/payments-core"));
        assert_eq!(p.language.as_deref(), Some("Python"));
        assert_eq!(p.quotes.len(), 2);
        assert!(p.quotes[0].chars().count() <= p.quotes[1].chars().count());
    }

    #[test]
    fn the_same_words_twice_are_quoted_once_with_their_repository_language() {
        let mut a = report(1, "tests", "No tests for the refund branch");
        a.repository = Some("acme/mobile-app".into());
        a.languages = vec!["Kotlin".into()];
        let b = report(2, "tests", "No tests for the refund branch");
        let c = report(3, "tests", "No tests for the refund branch");
        let found = recurring(&[a, b, c]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].quotes, ["No tests for the refund branch"]);
        assert_eq!(found[0].repository.as_deref(), Some("acme/payments-core"));
        assert_eq!(found[0].language.as_deref(), Some("Python"));
    }

    #[test]
    fn nothing_recurs_in_one_report_or_none() {
        assert!(recurring(&[]).is_empty());
        assert!(recurring(&[report(1, "other", "x y z")]).is_empty());
    }

    #[test]
    fn the_breakdown_counts_every_way_largest_first() {
        let mut a = report(1, "tests", "a");
        a.week = 7;
        let mut b = report(2, "tests", "b");
        b.tool = None;
        b.repository = None;
        b.languages = vec!["Python".into(), "SQL".into()];
        let c = report(3, "security", "c");
        let d = breakdown(&[a, b, c]);
        assert_eq!(d.total, 3);
        assert_eq!(
            d.by_category,
            [("tests".to_string(), 2), ("security".to_string(), 1)]
        );
        assert_eq!(
            d.by_tool,
            [("Cursor".to_string(), 2), ("unknown".to_string(), 1)]
        );
        assert_eq!(
            d.by_repository,
            [
                ("acme/payments-core".to_string(), 2),
                ("no PR".to_string(), 1)
            ]
        );
        assert_eq!(
            d.by_language,
            [("Python".to_string(), 3), ("SQL".to_string(), 1)]
        );
        assert_eq!(d.by_week, [(0, 2), (7, 1)]);
    }
}
