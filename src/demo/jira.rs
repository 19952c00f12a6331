//! Jira histories and sprints: two-week sprints per board, each issue's
//! status changes (from its PRs' commits, reviews, merges and reverts, or
//! on its own for backlog, "Won't Do" and no-code issues), story points
//! and the sprints it sat in.

use super::DAYS;
use super::calendar::{DAY, HOUR, MIN, at_local, local_day, weekday};
use super::cast::{PROJECTS, jira_account_of};
use super::plan::{IssueKind, IssuePlan, Plan, PrPlan};
use super::random::Gen;
use crate::metrics::jira::{self as jira_metrics, StatusCategory, Transition};
use crate::store::jira::{IssueRow, SprintRow, TransitionRow};

/// A sprint of a project's board.
pub(super) struct Sprint {
    pub(super) project: usize,
    pub(super) row: SprintRow,
}

/// Two-week sprints of each board over the period, the last one active.
pub(super) fn sprints(now: i64) -> Vec<Sprint> {
    let start = now - DAYS * DAY;
    let mut first = local_day(start);
    while weekday(first) != 0 {
        first -= 1;
    }
    let mut out = Vec::new();
    for (project, (key, _, _, board, first_number)) in PROJECTS.iter().enumerate() {
        // The boards' cadences are a week apart.
        let mut day = first - 7 * project as i64;
        let mut k = 0;
        loop {
            let start_at = at_local(day, 9 * HOUR);
            let end_at = at_local(day + 14, 9 * HOUR);
            if start_at > now {
                break;
            }
            let closed = end_at <= now;
            let jira_id = (100 * (project as i64 + 1) + k).to_string();
            out.push(Sprint {
                project,
                row: SprintRow {
                    jira_id,
                    board_id: Some(board.to_string()),
                    name: format!("{key} Sprint {}", first_number + k),
                    state: if closed { "closed" } else { "active" }.into(),
                    start_at: Some(start_at),
                    end_at: Some(end_at),
                    complete_at: closed.then_some(end_at - 20 * MIN),
                },
            });
            day += 14;
            k += 1;
        }
    }
    out
}

/// The sprint of `project` that holds `at`.
fn sprint_at(sprints: &[Sprint], project: usize, at: i64) -> Option<usize> {
    sprints.iter().position(|s| {
        s.project == project
            && s.row.start_at.is_some_and(|a| a <= at)
            && s.row.end_at.is_some_and(|e| at < e)
    })
}

/// An issue ready to store: row, status changes, sprints (indexes).
pub(super) struct IssueOut {
    pub(super) project: usize,
    pub(super) row: IssueRow,
    pub(super) transitions: Vec<TransitionRow>,
    pub(super) sprints: Vec<usize>,
}

fn status_step(
    rows: &mut Vec<TransitionRow>,
    changelog: &mut i64,
    to: &str,
    category: StatusCategory,
    at: i64,
) {
    let from = rows
        .last()
        .map(|r| r.to_status.clone())
        .unwrap_or_else(|| "To Do".into());
    *changelog += 1;
    rows.push(TransitionRow {
        changelog_id: changelog.to_string(),
        from_status: Some(from),
        to_status: to.into(),
        to_category: category.as_str().into(),
        at,
    });
}

fn story_points(g: &mut Gen, issue: &IssuePlan, prs: &[PrPlan]) -> Option<f64> {
    if issue.issue_type == "Task" && g.chance(0.2) {
        return None;
    }
    const SCALE: [f64; 6] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0];
    let step = if issue.prs.is_empty() {
        g.index(5)
    } else {
        let size: i64 = issue
            .prs
            .iter()
            .map(|&p| prs[p].additions + prs[p].deletions)
            .sum();
        let by_size = match size {
            s if s < 60 => 0,
            s if s < 160 => 1,
            s if s < 400 => 2,
            s if s < 900 => 3,
            s if s < 2_000 => 4,
            _ => 5,
        };
        let jitter = g.range(-1, 2);
        (by_size + jitter).clamp(0, 5) as usize
    };
    let step = if issue.issue_type == "Bug" {
        step.min(2)
    } else {
        step
    };
    Some(SCALE[step])
}

/// Each planned issue's status history, story points and sprints.
pub(super) fn jira_history(
    g: &mut Gen,
    plan: &Plan,
    sprints: &[Sprint],
    now: i64,
) -> Vec<IssueOut> {
    let mut changelog = 20_000;
    let mut out = Vec::with_capacity(plan.issues.len());
    for (i, issue) in plan.issues.iter().enumerate() {
        let mut rows: Vec<TransitionRow> = Vec::new();
        let created;
        match issue.kind {
            IssueKind::Linked => {
                let prs: Vec<&PrPlan> = issue.prs.iter().map(|&p| &plan.prs[p]).collect();
                let first_commit = prs
                    .iter()
                    .filter_map(|p| p.commits.iter().filter_map(|c| c.authored_at).min())
                    .chain(prs.iter().map(|p| p.created_at))
                    .min()
                    .unwrap_or(issue.created_hint);
                let started = first_commit - g.secs(40.0 * MIN as f64, 0.8);
                created = started - g.secs(3.0 * DAY as f64, 1.0);
                status_step(
                    &mut rows,
                    &mut changelog,
                    "In Progress",
                    StatusCategory::InProgress,
                    started,
                );
                if let Some(ready) = prs
                    .iter()
                    .map(|p| p.ready_for_review_at.unwrap_or(p.created_at))
                    .min()
                    .filter(|&t| t > started && t <= now)
                {
                    status_step(
                        &mut rows,
                        &mut changelog,
                        "In Review",
                        StatusCategory::InProgress,
                        ready,
                    );
                }
                let finished = prs
                    .iter()
                    .all(|p| p.merged_at.is_some() || p.closed_at.is_some());
                let last_merge = prs.iter().filter_map(|p| p.merged_at).max();
                if let (true, Some(last)) = (finished, last_merge) {
                    let wait = g.secs(3.0 * HOUR as f64, 1.0);
                    let done = g.snap(last + wait);
                    if done <= now {
                        status_step(
                            &mut rows,
                            &mut changelog,
                            "Done",
                            StatusCategory::Done,
                            done,
                        );
                        // A revert, or a bug found later, reopens it.
                        let revert = prs
                            .iter()
                            .filter_map(|p| p.reverted_by)
                            .filter_map(|r| plan.prs[r].merged_at)
                            .max();
                        let reopen = match revert {
                            Some(at) => Some(at.max(done + HOUR)),
                            None if g.chance(0.04) => {
                                let wait = g.secs(2.0 * DAY as f64, 0.8);
                                Some(g.snap(done + wait))
                            }
                            None => None,
                        };
                        if let Some(reopen) = reopen.filter(|&t| t <= now) {
                            status_step(
                                &mut rows,
                                &mut changelog,
                                "In Progress",
                                StatusCategory::InProgress,
                                reopen,
                            );
                            let wait = g.secs(1.5 * DAY as f64, 0.8);
                            let again = g.snap(reopen + wait);
                            if again <= now {
                                status_step(
                                    &mut rows,
                                    &mut changelog,
                                    "Done",
                                    StatusCategory::Done,
                                    again,
                                );
                            }
                        }
                    }
                }
            }
            IssueKind::Backlog => created = issue.created_hint,
            IssueKind::WontDo => {
                created = issue.created_hint;
                let wait = g.secs(10.0 * DAY as f64, 1.0);
                let at = g.snap(created + wait);
                if at <= now {
                    status_step(
                        &mut rows,
                        &mut changelog,
                        "Won't Do",
                        StatusCategory::Done,
                        at,
                    );
                }
            }
            IssueKind::NoCode => {
                created = issue.created_hint;
                let wait = g.secs(2.0 * DAY as f64, 1.0);
                let started = g.snap(created + wait);
                if started <= now {
                    status_step(
                        &mut rows,
                        &mut changelog,
                        "In Progress",
                        StatusCategory::InProgress,
                        started,
                    );
                    let wait = g.secs(2.0 * DAY as f64, 0.8);
                    let done = g.snap(started + wait);
                    if done <= now {
                        status_step(
                            &mut rows,
                            &mut changelog,
                            "Done",
                            StatusCategory::Done,
                            done,
                        );
                    }
                }
            }
        }
        let cycle = jira_metrics::cycle(
            &rows
                .iter()
                .map(|r| Transition {
                    at: r.at,
                    to: match r.to_category.as_str() {
                        "done" => StatusCategory::Done,
                        "in_progress" => StatusCategory::InProgress,
                        _ => StatusCategory::ToDo,
                    },
                })
                .collect::<Vec<_>>(),
        );
        let (status, category) = rows
            .last()
            .map(|r| (r.to_status.clone(), r.to_category.clone()))
            .unwrap_or_else(|| ("To Do".into(), StatusCategory::ToDo.as_str().into()));
        let updated = rows.last().map_or(created, |r| r.at);

        // Sprints: where work started, carried over until done (or now).
        let mut in_sprints = Vec::new();
        let active = sprint_at(sprints, issue.project, now);
        match cycle.started_at {
            Some(started) => {
                let first = sprint_at(sprints, issue.project, started);
                let last = sprint_at(sprints, issue.project, cycle.done_at.unwrap_or(now));
                if let (Some(a), Some(b)) = (first.or(last), last) {
                    in_sprints.extend(a.min(b)..=b);
                }
            }
            None if issue.kind == IssueKind::Backlog && g.chance(0.3) => in_sprints.extend(active),
            None => {}
        }
        in_sprints.retain(|&s| sprints[s].project == issue.project);
        let points = story_points(g, issue, &plan.prs);
        out.push(IssueOut {
            project: issue.project,
            row: IssueRow {
                jira_id: (30_000 + i).to_string(),
                issue_key: issue.key(),
                summary: issue.summary.clone(),
                status_category: Some(category),
                story_points: points,
                jira_created_at: created,
                jira_updated_at: updated,
                started_at: cycle.started_at,
                done_at: cycle.done_at,
                status: Some(status),
                issue_type: Some(issue.issue_type.into()),
                assignee_account_id: issue.assignee.map(jira_account_of),
                assignee_person_id: None,
            },
            transitions: rows,
            sprints: in_sprints,
        });
    }
    out
}
