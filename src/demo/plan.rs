//! The plan: every PR and Jira issue of the history, before anything is
//! written. [`plan`] walks the days of the period and asks the [`Planner`]
//! for the PRs opened each day (human, Copilot's agent, Dependabot), the
//! backlog issues, then the reverts, and numbers the PRs; the PRs
//! themselves are made in `prs`.

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::calendar::{DAY, HOUR, MIN, at_local, is_workday, local_day, weekday};
use super::cast::{ADMIN, MEMBERS, PROJECTS, REPOS, TEAMS, Tool};
use super::random::Gen;
use super::text::capitalised;
use super::{DAYS, GITHUB_ORG};
use crate::store::pull_requests::CommitRow;

/// Human PRs opened per working day at the middle of the period.
const PRS_PER_WORKDAY: f64 = 22.0;
/// Fraction of the period after which Copilot's agent starts opening PRs.
pub(super) const AGENT_FROM: f64 = 0.3;

/// How much AI an author really used (the survey's truth).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    None,
    Some,
    Most,
}

/// A review to be submitted.
#[derive(Debug, Clone)]
pub(super) struct ReviewPlan {
    pub(super) reviewer: usize,
    pub(super) state: &'static str,
    pub(super) at: i64,
}

/// A pull request to be stored, with its commits and reviews.
#[derive(Debug, Clone)]
pub(super) struct PrPlan {
    pub(super) repo: usize,
    pub(super) author: usize,
    pub(super) number: i64,
    pub(super) title: String,
    pub(super) body: String,
    pub(super) head_ref: String,
    pub(super) labels: Vec<String>,
    pub(super) additions: i64,
    pub(super) deletions: i64,
    pub(super) changed_files: i64,
    pub(super) created_at: i64,
    pub(super) opened_as_draft: bool,
    pub(super) ready_for_review_at: Option<i64>,
    pub(super) merged_at: Option<i64>,
    pub(super) closed_at: Option<i64>,
    pub(super) commits: Vec<CommitRow>,
    pub(super) reviews: Vec<ReviewPlan>,
    /// What the author really did (the survey's truth).
    pub(super) level: Level,
    pub(super) tool: Option<Tool>,
    pub(super) revert_of: Option<usize>,
    pub(super) reverted_by: Option<usize>,
    pub(super) merge_sha: String,
    pub(super) is_hotfix: bool,
}

impl PrPlan {
    pub(super) fn is_draft(&self) -> bool {
        self.opened_as_draft && self.ready_for_review_at.is_none() && self.merged_at.is_none()
    }

    pub(super) fn state(&self) -> &'static str {
        match (self.merged_at, self.closed_at) {
            (Some(_), _) => "merged",
            (None, Some(_)) => "closed",
            _ => "open",
        }
    }

    pub(super) fn updated_at(&self) -> i64 {
        let mut at = self.created_at;
        for t in [self.ready_for_review_at, self.merged_at, self.closed_at]
            .into_iter()
            .flatten()
        {
            at = at.max(t);
        }
        for r in &self.reviews {
            at = at.max(r.at);
        }
        for c in &self.commits {
            at = at.max(c.committed_at.unwrap_or(0));
        }
        at
    }

    /// Drops what has not happened by `now`.
    fn cut(&mut self, now: i64) {
        if self.ready_for_review_at.is_some_and(|t| t > now) {
            self.ready_for_review_at = None;
        }
        if self.merged_at.is_some_and(|t| t > now) {
            self.merged_at = None;
        }
        if self.closed_at.is_some_and(|t| t > now) {
            self.closed_at = None;
        }
        if self.merged_at.is_some() {
            self.closed_at = self.merged_at;
        }
        self.reviews.retain(|r| r.at <= now);
        self.commits
            .retain(|c| c.authored_at.is_some_and(|t| t <= now));
    }
}

/// How a Jira issue is worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IssueKind {
    /// Worked through PRs.
    Linked,
    /// Waiting in the backlog.
    Backlog,
    /// Closed without work ("Won't Do").
    WontDo,
    /// Worked without a PR (a spike, a doc).
    NoCode,
}

/// A Jira issue to be stored; its history is drawn later.
#[derive(Debug, Clone)]
pub(super) struct IssuePlan {
    pub(super) project: usize,
    pub(super) number: i64,
    pub(super) kind: IssueKind,
    pub(super) issue_type: &'static str,
    pub(super) summary: String,
    pub(super) assignee: Option<usize>,
    pub(super) prs: Vec<usize>,
    pub(super) created_hint: i64,
}

impl IssuePlan {
    pub(super) fn key(&self) -> String {
        format!("{}-{}", PROJECTS[self.project].0, self.number)
    }
}

/// The planning state: the generator and what was planned so far.
pub(super) struct Planner {
    pub(super) g: Gen,
    pub(super) now: i64,
    pub(super) start: i64,
    pub(super) prs: Vec<PrPlan>,
    pub(super) issues: Vec<IssuePlan>,
    /// Next issue number per project.
    pub(super) next_issue: [i64; 2],
    /// Each member's issue in progress.
    pub(super) current_issue: Vec<Option<usize>>,
    pub(super) affinity_mean: f64,
}

impl Planner {
    pub(super) fn t(&self, at: i64) -> f64 {
        ((at - self.start) as f64 / (DAYS * DAY) as f64).clamp(0.0, 1.0)
    }

    fn active(&self, person: usize, at: i64) -> bool {
        self.t(at) >= MEMBERS[person].joined
    }

    /// A teammate of `author` to review, weighted by activity; the admin
    /// reviews rarely.
    pub(super) fn teammate(&mut self, author: usize, not: &[usize], at: i64) -> Option<usize> {
        let team = MEMBERS[author].team;
        let weights: Vec<f64> = (0..MEMBERS.len())
            .map(|p| {
                if p == author || not.contains(&p) || MEMBERS[p].team != team || !self.active(p, at)
                {
                    0.0
                } else if p == ADMIN {
                    0.05
                } else {
                    MEMBERS[p].weight
                }
            })
            .collect();
        if weights.iter().all(|w| *w == 0.0) {
            return None;
        }
        Some(self.g.weighted(&weights))
    }

    fn new_issue(
        &mut self,
        project: usize,
        kind: IssueKind,
        issue_type: &'static str,
        summary: String,
        assignee: Option<usize>,
        at: i64,
    ) -> usize {
        let number = self.next_issue[project];
        self.next_issue[project] += 1;
        self.issues.push(IssuePlan {
            project,
            number,
            kind,
            issue_type,
            summary,
            assignee,
            prs: Vec::new(),
            created_hint: at,
        });
        self.issues.len() - 1
    }

    /// The issue a PR of `author` belongs to: their current one, a new one,
    /// or none.
    pub(super) fn issue_for(
        &mut self,
        author: usize,
        created: i64,
        summary: &str,
        bug: bool,
    ) -> Option<usize> {
        if self.g.chance(if bug { 0.5 } else { 0.25 }) {
            return None;
        }
        if let Some(current) = self.current_issue[author] {
            let issue = &self.issues[current];
            let recent = issue
                .prs
                .first()
                .is_some_and(|&p| created - self.prs[p].created_at < 8 * DAY);
            if !bug && recent && issue.prs.len() < 4 && self.g.chance(0.7) {
                return Some(current);
            }
        }
        let project = TEAMS[MEMBERS[author].team].3;
        let issue_type = if bug {
            "Bug"
        } else if self.g.chance(0.7) {
            "Story"
        } else {
            "Task"
        };
        let id = self.new_issue(
            project,
            IssueKind::Linked,
            issue_type,
            capitalised(summary),
            Some(author),
            created,
        );
        self.current_issue[author] = Some(id);
        Some(id)
    }

    fn backlog_issue(&mut self, project: usize, day: i64) {
        let repos: &[usize] = if project == 0 { &[0, 1, 3] } else { &[2] };
        let repo = *self.g.pick(repos);
        let spec = &REPOS[repo];
        let at = self.g.work_time(day);
        let (kind, issue_type, summary) = match self.g.unit() {
            x if x < 0.6 => (
                IssueKind::Backlog,
                "Story",
                format!("Add {}", self.g.pick(spec.features)),
            ),
            x if x < 0.75 => (
                IssueKind::Backlog,
                "Bug",
                capitalised(self.g.pick::<&str>(spec.bugs)),
            ),
            x if x < 0.88 => (
                IssueKind::WontDo,
                "Task",
                format!("Evaluate alternatives for {}", self.g.pick(spec.parts)),
            ),
            _ => (
                IssueKind::NoCode,
                "Task",
                format!("Spike: rethink {}", self.g.pick(spec.parts)),
            ),
        };
        let members: Vec<usize> = (0..MEMBERS.len())
            .filter(|&p| TEAMS[MEMBERS[p].team].3 == project && p != ADMIN)
            .collect();
        let assignee =
            (kind != IssueKind::Backlog || self.g.chance(0.3)).then(|| *self.g.pick(&members));
        self.new_issue(project, kind, issue_type, summary, assignee, at);
    }

    /// Gives every PR its number (per repository, in opening order) and
    /// writes the texts of reverts, which name the original's number.
    fn number(&mut self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.prs.len()).collect();
        order.sort_by_key(|&i| (self.prs[i].created_at, i));
        let mut next: Vec<i64> = REPOS.iter().map(|r| r.first_number).collect();
        for &i in &order {
            let repo = self.prs[i].repo;
            self.prs[i].number = next[repo];
            next[repo] += 1;
        }
        for &i in &order {
            let Some(orig) = self.prs[i].revert_of else {
                continue;
            };
            let o = &self.prs[orig];
            let title = format!("Revert \"{}\"", o.title);
            let reverts = format!("This reverts commit {}.", o.merge_sha);
            let body = format!(
                "Reverts {GITHUB_ORG}/{}#{}\n\n{reverts}",
                REPOS[o.repo].name, o.number
            );
            let head_ref = format!("revert-{}-{}", o.number, o.head_ref);
            let pr = &mut self.prs[i];
            pr.commits[0].message = format!("{title}\n\n{reverts}");
            pr.title = title;
            pr.body = body;
            pr.head_ref = head_ref;
        }
        order
    }
}

/// The synthetic history, before anything is written.
pub(super) struct Plan {
    pub(super) prs: Vec<PrPlan>,
    /// PR indexes in opening order.
    pub(super) order: Vec<usize>,
    pub(super) issues: Vec<IssuePlan>,
}

/// Plans the whole history from `(now, rng_seed)`, and hands back the
/// generator for the Jira histories and surveys that follow.
pub(super) fn plan(now: i64, rng_seed: u64) -> (Plan, Gen) {
    let start = now - DAYS * DAY;
    let total_weight: f64 = MEMBERS.iter().map(|m| m.weight).sum();
    let affinity_mean = MEMBERS.iter().map(|m| m.weight * m.affinity).sum::<f64>() / total_weight;
    let mut p = Planner {
        g: Gen {
            rng: StdRng::seed_from_u64(rng_seed),
        },
        now,
        start,
        prs: Vec::new(),
        issues: Vec::new(),
        next_issue: [1_204, 377],
        current_issue: vec![None; MEMBERS.len()],
        affinity_mean,
    };
    for day in local_day(start)..=local_day(now) {
        let noon = at_local(day, 12 * HOUR);
        let t = p.t(noon);
        let workday = is_workday(day);
        let rate = PRS_PER_WORKDAY * if workday { 1.0 } else { 0.05 } * (0.82 + 0.36 * t);
        let weights: Vec<f64> = (0..MEMBERS.len())
            .map(|m| {
                if p.active(m, noon) {
                    MEMBERS[m].weight
                } else {
                    0.0
                }
            })
            .collect();
        let active_weight: f64 = weights.iter().sum();
        for _ in 0..p.g.poisson(rate * active_weight / total_weight) {
            let author = p.g.weighted(&weights);
            let created = p.g.work_time(day);
            if created >= start && created <= now - 10 * MIN {
                p.human_pr(author, created);
            }
        }
        if workday && t >= AGENT_FROM {
            let agent_rate = 0.2 + 1.2 * (t - AGENT_FROM) / (1.0 - AGENT_FROM);
            for _ in 0..p.g.poisson(agent_rate) {
                let requester = p.g.weighted(&weights);
                let created = p.g.work_time(day) + p.g.range(0, 2 * HOUR);
                if created <= now - 10 * MIN {
                    p.agent_pr(requester, created);
                }
            }
        }
        if weekday(day) == 0 {
            for repo in 0..REPOS.len() {
                for _ in 0..p.g.poisson(0.9) {
                    let created = at_local(day, 5 * HOUR) + p.g.range(0, HOUR);
                    if created >= start && created <= now - 10 * MIN {
                        p.dependabot_pr(repo, created);
                    }
                }
            }
        }
        if workday {
            for project in 0..PROJECTS.len() {
                for _ in 0..p.g.poisson(0.6) {
                    p.backlog_issue(project, day);
                }
            }
        }
    }
    p.reverts();
    for pr in &mut p.prs {
        pr.cut(now);
    }
    let order = p.number();
    (
        Plan {
            prs: p.prs,
            order,
            issues: p.issues,
        },
        p.g,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_a_function_of_now_and_the_seed() {
        let now = 1_767_225_600; // 2026-01-01
        let (a, _) = plan(now, 7);
        let (b, _) = plan(now, 7);
        let (c, _) = plan(now, 8);
        let titles = |p: &Plan| {
            p.order
                .iter()
                .map(|&i| p.prs[i].title.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(titles(&a), titles(&b));
        assert_ne!(titles(&a), titles(&c));
    }
}
