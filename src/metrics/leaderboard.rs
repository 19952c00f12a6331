//! The weekly leaderboard's rankings (pure): who leads each category over
//! one leaderboard week, with the minimums that keep a lucky week from
//! winning, ties broken the same way every time, and people who opted out
//! of rankings never named (their work still counts in team totals).
//!
//! - **Top AI detectives**: share of right guesses (docs/metrics.md "Detective
//!   accuracy") among guesses revealed in the week; at least
//!   [`MIN_GUESSES`]. Equal shares: more guesses first.
//! - **Most reviews**: reviews that count (docs/metrics.md) submitted in the week.
//! - **Fastest pickup**: median time from a PR being ready for review to
//!   this reviewer's first review of it, over first reviews given in the
//!   week; at least [`MIN_PICKUPS`] (docs/metrics.md's smallest median).
//!   Equal medians: more reviews first.
//! - **Most improved cycle time**: the author's median cycle time over the
//!   last [`IMPROVED_WEEKS`] weeks against the same span before; at least
//!   [`MIN_CYCLES`] merged PRs in each; only improvements are ranked.
//! - **Team AI adoption**: share of the team's PRs merged in the week whose
//!   author said AI helped (self-reported), of those with an answer; at
//!   least [`MIN_ANSWERS`] answers. Equal shares: more answers first.
//!
//! Equal values share a rank (1, 1, 3); within it people are listed by
//! name, then id. The top [`TOP`] ranks are shown, at most [`MAX_LINES`]
//! lines per category.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::aggregate::{MIN_SAMPLE, median};

/// Revealed guesses a detective needs in the week.
pub const MIN_GUESSES: usize = 3;
/// First reviews a reviewer needs for a median pickup.
pub const MIN_PICKUPS: usize = MIN_SAMPLE;
/// Merged PRs an author needs in each window for "most improved".
pub const MIN_CYCLES: usize = MIN_SAMPLE;
/// Answered PRs a team needs for its AI adoption share.
pub const MIN_ANSWERS: usize = MIN_SAMPLE;
/// Weeks in each window of "most improved".
pub const IMPROVED_WEEKS: i64 = 4;
/// Ranks shown per category.
pub const TOP: usize = 3;
/// Lines shown per category (ties may fill more than [`TOP`]).
pub const MAX_LINES: usize = 5;

/// A leaderboard category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Top AI detectives.
    Detectives,
    /// Most reviews.
    Reviews,
    /// Fastest pickup.
    Pickup,
    /// Most improved cycle time.
    Improved,
    /// Team AI adoption.
    Adoption,
}

impl Category {
    /// Every category, in the board's default order.
    pub const ALL: [Category; 5] = [
        Category::Detectives,
        Category::Reviews,
        Category::Pickup,
        Category::Improved,
        Category::Adoption,
    ];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Category::Detectives => "detectives",
            Category::Reviews => "reviews",
            Category::Pickup => "pickup",
            Category::Improved => "improved",
            Category::Adoption => "adoption",
        }
    }

    /// The category of a stored name.
    pub fn parse(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Its title on the board.
    pub fn label(self) -> &'static str {
        match self {
            Category::Detectives => "Top AI detectives",
            Category::Reviews => "Most reviews",
            Category::Pickup => "Fastest pickup",
            Category::Improved => "Most improved cycle time",
            Category::Adoption => "Team AI adoption",
        }
    }
}

/// Someone who may be ranked: a human counted in metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Person id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// False when they opted out of rankings.
    pub ranked: bool,
}

/// A team and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Team id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Member person ids (opted-out people included).
    pub members: Vec<i64>,
}

/// What one leaderboard week is ranked from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Week {
    /// Humans counted in metrics; anyone else in the facts is ignored.
    pub people: Vec<Person>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Guesses revealed in the week: (reviewer, right).
    pub guesses: Vec<(i64, bool)>,
    /// Reviews that count submitted in the week: reviewer.
    pub reviews: Vec<i64>,
    /// First reviews given in the week: (reviewer, seconds since ready).
    pub pickups: Vec<(i64, i64)>,
    /// Cycle times of PRs merged in the last [`IMPROVED_WEEKS`] weeks: (author, seconds).
    pub cycles: Vec<(i64, i64)>,
    /// Cycle times of PRs merged in the [`IMPROVED_WEEKS`] weeks before those.
    pub cycles_before: Vec<(i64, i64)>,
    /// PRs merged in the week with the author's answer: (author, AI-assisted).
    pub answers: Vec<(i64, bool)>,
}

/// A ranked value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Score {
    /// Right guesses of revealed ones.
    Accuracy {
        /// Right.
        correct: usize,
        /// Revealed.
        total: usize,
    },
    /// Reviews given.
    Reviews(usize),
    /// Median pickup in seconds, over this many first reviews.
    Pickup {
        /// Median seconds.
        median: f64,
        /// First reviews.
        reviews: usize,
    },
    /// Median cycle time then and now, seconds.
    Improved {
        /// The earlier window's median.
        before: f64,
        /// The recent window's median.
        now: f64,
    },
    /// AI-assisted PRs of answered ones.
    Adoption {
        /// AI-assisted (self-reported).
        ai: usize,
        /// With an answer.
        answered: usize,
    },
}

/// One line of a category.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// 1-based; equal values share a rank.
    pub rank: usize,
    /// Person or team id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The value.
    pub score: Score,
}

/// Better first; `Equal` means a tie.
fn better(a: &Score, b: &Score) -> Ordering {
    match (a, b) {
        (
            Score::Accuracy {
                correct: c1,
                total: t1,
            },
            Score::Accuracy {
                correct: c2,
                total: t2,
            },
        ) => (c2 * t1).cmp(&(c1 * t2)).then(t2.cmp(t1)),
        (Score::Reviews(a), Score::Reviews(b)) => b.cmp(a),
        (
            Score::Pickup {
                median: m1,
                reviews: r1,
            },
            Score::Pickup {
                median: m2,
                reviews: r2,
            },
        ) => m1.total_cmp(m2).then(r2.cmp(r1)),
        (
            Score::Improved {
                before: b1,
                now: n1,
            },
            Score::Improved {
                before: b2,
                now: n2,
            },
        ) => {
            // Smaller now/before is better: compare n1/b1 with n2/b2.
            (n1 * b2).total_cmp(&(n2 * b1))
        }
        (
            Score::Adoption {
                ai: a1,
                answered: n1,
            },
            Score::Adoption {
                ai: a2,
                answered: n2,
            },
        ) => (a2 * n1).cmp(&(a1 * n2)).then(n2.cmp(n1)),
        _ => Ordering::Equal,
    }
}

/// Sorts best first (ties by name, then id), assigns shared ranks, keeps
/// the top.
fn finish(mut rows: Vec<Ranked>) -> Vec<Ranked> {
    rows.sort_by(|a, b| {
        better(&a.score, &b.score)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then(a.id.cmp(&b.id))
    });
    let mut rank = 0;
    for i in 0..rows.len() {
        if i == 0 || better(&rows[i - 1].score, &rows[i].score) != Ordering::Equal {
            rank = i + 1;
        }
        rows[i].rank = rank;
    }
    rows.retain(|r| r.rank <= TOP);
    rows.truncate(MAX_LINES);
    rows
}

fn by_person<T: Copy>(facts: &[(i64, T)]) -> BTreeMap<i64, Vec<T>> {
    let mut out: BTreeMap<i64, Vec<T>> = BTreeMap::new();
    for &(p, v) in facts {
        out.entry(p).or_default().push(v);
    }
    out
}

/// The category's top lines for the week.
pub fn rank(week: &Week, category: Category) -> Vec<Ranked> {
    let ranked: BTreeMap<i64, &Person> = week
        .people
        .iter()
        .filter(|p| p.ranked)
        .map(|p| (p.id, p))
        .collect();
    let row = |id: i64, score: Score| {
        ranked.get(&id).map(|p| Ranked {
            rank: 0,
            id,
            name: p.name.clone(),
            score,
        })
    };
    let rows: Vec<Ranked> = match category {
        Category::Detectives => by_person(&week.guesses)
            .into_iter()
            .filter(|(_, g)| g.len() >= MIN_GUESSES)
            .filter_map(|(id, g)| {
                let correct = g.iter().filter(|c| **c).count();
                row(
                    id,
                    Score::Accuracy {
                        correct,
                        total: g.len(),
                    },
                )
            })
            .collect(),
        Category::Reviews => {
            let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
            for r in &week.reviews {
                *counts.entry(*r).or_default() += 1;
            }
            counts
                .into_iter()
                .filter_map(|(id, n)| row(id, Score::Reviews(n)))
                .collect()
        }
        Category::Pickup => by_person(&week.pickups)
            .into_iter()
            .filter(|(_, v)| v.len() >= MIN_PICKUPS)
            .filter_map(|(id, v)| {
                let m = median(&v)?;
                row(
                    id,
                    Score::Pickup {
                        median: m,
                        reviews: v.len(),
                    },
                )
            })
            .collect(),
        Category::Improved => {
            let before = by_person(&week.cycles_before);
            by_person(&week.cycles)
                .into_iter()
                .filter(|(_, v)| v.len() >= MIN_CYCLES)
                .filter_map(|(id, v)| {
                    let then = before.get(&id).filter(|b| b.len() >= MIN_CYCLES)?;
                    let (now, then) = (median(&v)?, median(then)?);
                    (now < then && then > 0.0)
                        .then(|| row(id, Score::Improved { before: then, now }))
                        .flatten()
                })
                .collect()
        }
        Category::Adoption => {
            let counted: BTreeSet<i64> = week.people.iter().map(|p| p.id).collect();
            week.teams
                .iter()
                .filter_map(|t| {
                    let members: BTreeSet<i64> = t.members.iter().copied().collect();
                    let answers: Vec<bool> = week
                        .answers
                        .iter()
                        .filter(|(a, _)| members.contains(a) && counted.contains(a))
                        .map(|(_, ai)| *ai)
                        .collect();
                    (answers.len() >= MIN_ANSWERS).then(|| Ranked {
                        rank: 0,
                        id: t.id,
                        name: t.name.clone(),
                        score: Score::Adoption {
                            ai: answers.iter().filter(|a| **a).count(),
                            answered: answers.len(),
                        },
                    })
                })
                .collect()
        }
    };
    finish(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, name: &str) -> Person {
        Person {
            id,
            name: name.into(),
            ranked: true,
        }
    }

    fn names(rows: &[Ranked]) -> Vec<(usize, &str)> {
        rows.iter().map(|r| (r.rank, r.name.as_str())).collect()
    }

    #[test]
    fn detectives_need_three_guesses_and_ties_go_by_guesses_then_name() {
        let week = Week {
            people: vec![
                person(1, "rita"),
                person(2, "Bob"),
                person(3, "ann"),
                person(4, "zed"),
            ],
            guesses: [
                (1, true),
                (1, true),
                (1, false),
                (2, true),
                (2, true),
                (2, false),
                (3, true),
                (3, true),
                (3, true),
                (3, true),
                (3, false),
                (3, false),
                // Two right guesses are not enough to rank.
                (4, true),
                (4, true),
            ]
            .to_vec(),
            ..Week::default()
        };
        let rows = rank(&week, Category::Detectives);
        // ann 4/6 = 67% over 6 guesses beats 2/3 over 3; Bob and rita tie.
        assert_eq!(names(&rows), vec![(1, "ann"), (2, "Bob"), (2, "rita")]);
        assert_eq!(
            rows[0].score,
            Score::Accuracy {
                correct: 4,
                total: 6
            }
        );
    }

    #[test]
    fn opted_out_people_are_never_named_but_count_for_their_team() {
        let mut week = Week {
            people: vec![person(1, "rita"), person(2, "rob"), person(3, "ann")],
            teams: vec![Team {
                id: 9,
                name: "Platform".into(),
                members: vec![1, 2],
            }],
            reviews: vec![1, 1, 1, 2, 2, 3],
            answers: vec![(1, true), (1, true), (1, true), (2, false), (2, true)],
            ..Week::default()
        };
        week.people[0].ranked = false;
        assert_eq!(
            names(&rank(&week, Category::Reviews)),
            vec![(1, "rob"), (2, "ann")]
        );
        let teams = rank(&week, Category::Adoption);
        assert_eq!(
            teams[0].score,
            Score::Adoption { ai: 4, answered: 5 },
            "rita's answers still count"
        );
    }

    #[test]
    fn equal_values_share_ranks_and_only_the_top_three_ranks_show() {
        let week = Week {
            people: (1..=8).map(|i| person(i, &format!("p{i}"))).collect(),
            reviews: vec![1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8],
            ..Week::default()
        };
        let rows = rank(&week, Category::Reviews);
        assert_eq!(names(&rows), vec![(1, "p1"), (1, "p2"), (3, "p3")]);
        // Five people tied third: capped at five lines.
        let week = Week {
            reviews: vec![1, 1, 2, 3, 4, 5, 6, 7],
            ..week
        };
        let rows = rank(&week, Category::Reviews);
        assert_eq!(rows.len(), MAX_LINES);
        assert_eq!(names(&rows)[..2], [(1, "p1"), (2, "p2")]);
    }

    #[test]
    fn pickup_takes_medians_of_at_least_five_and_improvement_only_counts_gains() {
        let week = Week {
            people: vec![person(1, "fast"), person(2, "slow"), person(3, "few")],
            pickups: [
                (1, 60),
                (1, 120),
                (1, 180),
                (1, 240),
                (1, 300),
                (2, 600),
                (2, 600),
                (2, 600),
                (2, 600),
                (2, 600),
                (3, 1),
            ]
            .to_vec(),
            cycles: [(1, 100); 5].into_iter().chain([(2, 500); 5]).collect(),
            cycles_before: [(1, 200); 5].into_iter().chain([(2, 400); 5]).collect(),
            ..Week::default()
        };
        assert_eq!(
            names(&rank(&week, Category::Pickup)),
            vec![(1, "fast"), (2, "slow")]
        );
        let improved = rank(&week, Category::Improved);
        assert_eq!(names(&improved), vec![(1, "fast")], "slow got slower");
        assert_eq!(
            improved[0].score,
            Score::Improved {
                before: 200.0,
                now: 100.0
            }
        );
    }

    #[test]
    fn the_same_week_ranks_the_same_whatever_the_input_order() {
        let week = Week {
            people: vec![person(2, "b"), person(1, "a"), person(3, "a")],
            reviews: vec![3, 2, 1, 1, 2, 3],
            ..Week::default()
        };
        let mut shuffled = week.clone();
        shuffled.people.reverse();
        shuffled.reviews.reverse();
        let rows = rank(&week, Category::Reviews);
        assert_eq!(rows, rank(&shuffled, Category::Reviews));
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![1, 3, 2],
            "same name: by id"
        );
    }

    #[test]
    fn categories_round_trip_their_keys() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(c));
        }
        assert_eq!(Category::parse("nope"), None);
    }
}
