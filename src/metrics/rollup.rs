//! Weekly rollups (docs/metrics.md "Aggregates", weeks as ISO weeks from Monday
//! 00:00): per org, team, repository and person, so dashboards read a few
//! rows per week instead of every PR of a long range.
//!
//! Pure: the store hands over the facts of one week, this module turns them
//! into one [`WeekValues`] per scope.

use std::collections::{BTreeMap, BTreeSet};

use super::aggregate::{MIN_SAMPLE, median, percentile_nearest_rank};
use super::{ai, pr};

/// Seconds in a week.
pub const WEEK: i64 = 604_800;
/// 1970-01-05, the first Monday after the Unix epoch (a Thursday).
const FIRST_MONDAY: i64 = 345_600;

/// Monday 00:00 UTC of the ISO week holding `t` (Unix seconds), for any `t`.
pub fn week_start(t: i64) -> i64 {
    t.saturating_sub(FIRST_MONDAY)
        .div_euclid(WEEK)
        .saturating_mul(WEEK)
        .saturating_add(FIRST_MONDAY)
}

/// What the dashboards need of one merged PR.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrFact {
    /// Row id.
    pub id: i64,
    /// Repository row id.
    pub repository: i64,
    /// Author's person id, when known.
    pub author: Option<i64>,
    /// Author's GitHub login.
    pub author_login: String,
    /// The author is a bot (typed or `[bot]`).
    pub author_is_bot: bool,
    /// When it merged.
    pub merged_at: i64,
    /// `cycle_time`, seconds.
    pub cycle: Option<i64>,
    /// `pickup_time`, seconds.
    pub pickup: Option<i64>,
    /// `review_time`, seconds.
    pub review: Option<i64>,
    /// `size`, lines.
    pub size: i64,
    /// docs/metrics.md `is_revert`.
    pub is_revert: bool,
    /// docs/metrics.md `is_hotfix`.
    pub is_hotfix: bool,
    /// Detected AI signal.
    pub ai_detected: bool,
    /// The author's survey answer: `Some(true)` for `some`/`most`,
    /// `Some(false)` for `none`, `None` unanswered.
    pub ai_reported: Option<bool>,
}

impl PrFact {
    /// True when the PR counts in throughput (docs/metrics.md "Bot"): bots only
    /// when they are AI coding agents.
    pub fn counts(&self) -> bool {
        !pr::is_bot(&self.author_login, self.author_is_bot)
            || ai::is_agent_account(&self.author_login, self.author_is_bot)
    }
}

/// One review given, for review load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewFact {
    /// The reviewer's person id.
    pub reviewer: i64,
    /// The reviewed PR's repository.
    pub repository: i64,
    /// When it was submitted.
    pub submitted_at: i64,
}

/// One revealed AI Detective guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuessFact {
    /// The reviewer who guessed.
    pub reviewer: i64,
    /// The PR's repository.
    pub repository: i64,
    /// Whether the guess was right.
    pub correct: bool,
}

/// Median and nearest-rank percentiles of a duration; all `None` below
/// [`MIN_SAMPLE`] values ("not enough data"), with `n` always set.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Dist {
    /// How many values.
    pub n: i64,
    /// 25th percentile (the low edge of the trend band).
    pub p25: Option<i64>,
    /// Median.
    pub p50: Option<f64>,
    /// 75th percentile.
    pub p75: Option<i64>,
    /// 90th percentile.
    pub p90: Option<i64>,
}

impl Dist {
    /// The distribution of `values`.
    pub fn of(values: &[i64]) -> Self {
        let n = values.len() as i64;
        if values.len() < MIN_SAMPLE {
            return Dist {
                n,
                ..Dist::default()
            };
        }
        Dist {
            n,
            p25: percentile_nearest_rank(values, 0.25),
            p50: median(values),
            p75: percentile_nearest_rank(values, 0.75),
            p90: percentile_nearest_rank(values, 0.9),
        }
    }
}

/// One scope's numbers for one week.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeekValues {
    /// Merged PRs that count in throughput.
    pub prs_merged: i64,
    /// Of those, reverts.
    pub prs_reverted: i64,
    /// Of those, hotfixes.
    pub prs_hotfix: i64,
    /// Cycle time.
    pub cycle: Dist,
    /// Pickup time.
    pub pickup: Dist,
    /// Review time.
    pub review: Dist,
    /// Median size (lines), from 5 PRs up.
    pub size_p50: Option<f64>,
    /// Reviews given by the scope's people (org, team, person) or on the
    /// scope's PRs (repository).
    pub reviews_given: i64,
    /// PRs with an author answer.
    pub prs_answered: i64,
    /// Of those, AI-assisted (self-reported).
    pub prs_ai_assisted: i64,
    /// PRs with a detected AI signal.
    pub prs_ai_detected: i64,
    /// Revealed guesses.
    pub guesses_revealed: i64,
    /// Of those, correct.
    pub guesses_correct: i64,
}

/// Whose numbers a rollup row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The whole org.
    Org,
    /// A team (its members' PRs and reviews).
    Team(i64),
    /// A repository.
    Repo(i64),
    /// One person.
    Person(i64),
}

impl Scope {
    /// The `(scope, scope_id)` pair stored in `weekly_rollup`.
    pub fn key(self) -> (&'static str, i64) {
        match self {
            Scope::Org => ("org", 0),
            Scope::Team(id) => ("team", id),
            Scope::Repo(id) => ("repo", id),
            Scope::Person(id) => ("person", id),
        }
    }

    /// The scope a stored pair names, if it is one.
    pub fn from_key(scope: &str, id: i64) -> Option<Self> {
        match scope {
            "org" => Some(Scope::Org),
            "team" => Some(Scope::Team(id)),
            "repo" => Some(Scope::Repo(id)),
            "person" => Some(Scope::Person(id)),
            _ => None,
        }
    }
}

/// The numbers of one set of PRs (throughput, durations, AI) with its
/// review and guess counts.
pub fn week_values(prs: &[&PrFact], reviews: usize, guesses: &[&GuessFact]) -> WeekValues {
    let counted: Vec<&PrFact> = prs.iter().copied().filter(|p| p.counts()).collect();
    let durations = |f: fn(&PrFact) -> Option<i64>| -> Vec<i64> {
        counted.iter().filter_map(|p| f(p)).collect()
    };
    let sizes: Vec<i64> = counted.iter().map(|p| p.size).collect();
    let count = |f: fn(&PrFact) -> bool| counted.iter().filter(|p| f(p)).count() as i64;
    WeekValues {
        prs_merged: counted.len() as i64,
        prs_reverted: count(|p| p.is_revert),
        prs_hotfix: count(|p| p.is_hotfix),
        cycle: Dist::of(&durations(|p| p.cycle)),
        pickup: Dist::of(&durations(|p| p.pickup)),
        review: Dist::of(&durations(|p| p.review)),
        size_p50: if sizes.len() >= MIN_SAMPLE {
            median(&sizes)
        } else {
            None
        },
        reviews_given: reviews as i64,
        prs_answered: count(|p| p.ai_reported.is_some()),
        prs_ai_assisted: count(|p| p.ai_reported == Some(true)),
        prs_ai_detected: count(|p| p.ai_detected),
        guesses_revealed: guesses.len() as i64,
        guesses_correct: guesses.iter().filter(|g| g.correct).count() as i64,
    }
}

/// Every scope's numbers for one week: the org, each repository, each team
/// (members' PRs and reviews) and each person with activity. `teams` maps
/// a person to the teams they belong to. Scopes without any activity are
/// left out; the caller deletes the week's old rows first.
pub fn rollups_for_week(
    prs: &[PrFact],
    reviews: &[ReviewFact],
    guesses: &[GuessFact],
    teams: &BTreeMap<i64, Vec<i64>>,
) -> Vec<(Scope, WeekValues)> {
    let no_teams = Vec::new();
    let teams_of = |person: Option<i64>| -> &Vec<i64> {
        person.and_then(|p| teams.get(&p)).unwrap_or(&no_teams)
    };
    let mut pr_groups: BTreeMap<Scope, Vec<&PrFact>> = BTreeMap::new();
    for p in prs {
        pr_groups.entry(Scope::Org).or_default().push(p);
        pr_groups
            .entry(Scope::Repo(p.repository))
            .or_default()
            .push(p);
        if let Some(author) = p.author {
            pr_groups.entry(Scope::Person(author)).or_default().push(p);
        }
        for &t in teams_of(p.author) {
            pr_groups.entry(Scope::Team(t)).or_default().push(p);
        }
    }
    let mut review_counts: BTreeMap<Scope, usize> = BTreeMap::new();
    for r in reviews {
        let mut bump = |s| *review_counts.entry(s).or_default() += 1;
        bump(Scope::Org);
        bump(Scope::Repo(r.repository));
        bump(Scope::Person(r.reviewer));
        for &t in teams_of(Some(r.reviewer)) {
            bump(Scope::Team(t));
        }
    }
    let mut guess_groups: BTreeMap<Scope, Vec<&GuessFact>> = BTreeMap::new();
    for g in guesses {
        guess_groups.entry(Scope::Org).or_default().push(g);
        guess_groups
            .entry(Scope::Repo(g.repository))
            .or_default()
            .push(g);
        guess_groups
            .entry(Scope::Person(g.reviewer))
            .or_default()
            .push(g);
        for &t in teams_of(Some(g.reviewer)) {
            guess_groups.entry(Scope::Team(t)).or_default().push(g);
        }
    }
    let scopes: BTreeSet<Scope> = pr_groups
        .keys()
        .chain(review_counts.keys())
        .chain(guess_groups.keys())
        .copied()
        .collect();
    scopes
        .into_iter()
        .map(|scope| {
            let prs = pr_groups.get(&scope).map(Vec::as_slice).unwrap_or(&[]);
            let guesses = guess_groups.get(&scope).map(Vec::as_slice).unwrap_or(&[]);
            let reviews = review_counts.get(&scope).copied().unwrap_or(0);
            (scope, week_values(prs, reviews, guesses))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    fn fact(id: i64, author: i64, repo: i64, cycle: i64) -> PrFact {
        PrFact {
            id,
            repository: repo,
            author: Some(author),
            author_login: format!("dev{author}"),
            merged_at: 1_700_000_000,
            cycle: Some(cycle),
            pickup: Some(cycle / 4),
            review: Some(cycle / 2),
            size: 100 + id,
            ..PrFact::default()
        }
    }

    #[test]
    fn weeks_start_on_monday_midnight_utc_even_before_the_epoch() {
        // 2026-03-04 (a Wednesday) 15:00 UTC → Monday 2026-03-02.
        assert_eq!(week_start(1_772_636_400), 1_772_409_600);
        assert_eq!(week_start(1_772_409_600), 1_772_409_600);
        assert_eq!(week_start(1_772_409_599), 1_772_409_600 - WEEK);
        // 1970-01-01 (Thursday) belongs to the week of Monday 1969-12-29.
        assert_eq!(week_start(0), -259_200);
        // Nonsense instants saturate instead of overflowing.
        assert!(week_start(i64::MIN) < 0 && week_start(i64::MAX) > 0);
    }

    #[test]
    fn a_distribution_needs_five_values() {
        assert_eq!(
            Dist::of(&[1, 2, 3, 4]),
            Dist {
                n: 4,
                ..Dist::default()
            }
        );
        let d = Dist::of(&[10, 20, 30, 40, 50, 60, 70, 80]);
        assert_eq!(d.n, 8);
        assert_eq!(d.p25, Some(20));
        assert_eq!(d.p50, Some(45.0));
        assert_eq!(d.p75, Some(60));
        assert_eq!(d.p90, Some(80));
    }

    #[test]
    fn every_scope_gets_its_own_prs_reviews_and_guesses() {
        let prs: Vec<PrFact> = (1..=6)
            .map(|i| {
                fact(
                    i,
                    if i <= 5 { 1 } else { 2 },
                    if i % 2 == 0 { 10 } else { 11 },
                    i * HOUR,
                )
            })
            .chain([PrFact {
                author_login: "dependabot[bot]".into(),
                author_is_bot: true,
                ..fact(7, 3, 10, HOUR)
            }])
            .collect();
        let reviews = [
            ReviewFact {
                reviewer: 2,
                repository: 10,
                submitted_at: 0,
            },
            ReviewFact {
                reviewer: 2,
                repository: 11,
                submitted_at: 0,
            },
            ReviewFact {
                reviewer: 1,
                repository: 10,
                submitted_at: 0,
            },
        ];
        let guesses = [GuessFact {
            reviewer: 2,
            repository: 11,
            correct: true,
        }];
        let teams = BTreeMap::from([(1, vec![100]), (2, vec![100, 200])]);
        let all: BTreeMap<Scope, WeekValues> = rollups_for_week(&prs, &reviews, &guesses, &teams)
            .into_iter()
            .collect();
        let org = &all[&Scope::Org];
        assert_eq!(org.prs_merged, 6, "the dependabot PR does not count");
        assert_eq!(org.cycle.p50, Some(3.5 * HOUR as f64));
        assert_eq!(org.reviews_given, 3);
        assert_eq!(org.guesses_correct, 1);
        assert_eq!(all[&Scope::Person(1)].prs_merged, 5);
        assert_eq!(all[&Scope::Person(1)].cycle.p50, Some(3.0 * HOUR as f64));
        assert_eq!(all[&Scope::Person(2)].prs_merged, 1);
        assert_eq!(
            all[&Scope::Person(2)].cycle.p50,
            None,
            "one PR is not enough data"
        );
        assert_eq!(all[&Scope::Person(2)].reviews_given, 2);
        assert_eq!(all[&Scope::Team(100)].prs_merged, 6);
        assert_eq!(all[&Scope::Team(100)].reviews_given, 3);
        assert_eq!(all[&Scope::Team(200)].prs_merged, 1);
        assert_eq!(all[&Scope::Team(200)].guesses_revealed, 1);
        assert_eq!(all[&Scope::Repo(10)].prs_merged, 3);
        assert_eq!(all[&Scope::Repo(10)].reviews_given, 2);
        assert!(!all.contains_key(&Scope::Team(300)));
    }

    #[test]
    fn ai_and_survey_counts_follow_the_two_signals_separately() {
        let mut prs: Vec<PrFact> = (1..=5).map(|i| fact(i, 1, 10, HOUR)).collect();
        prs[0].ai_detected = true;
        prs[1].ai_reported = Some(true);
        prs[2].ai_reported = Some(false);
        let refs: Vec<&PrFact> = prs.iter().collect();
        let v = week_values(&refs, 0, &[]);
        assert_eq!(
            (v.prs_ai_detected, v.prs_answered, v.prs_ai_assisted),
            (1, 2, 1)
        );
    }
}
