//! Jira issue metrics: changelog, field list and PR text in, numbers out.
//!
//! Every rule here is defined in docs/metrics.md ("Jira issues"). Instants are
//! Unix seconds UTC and durations are seconds. Status *names* differ per site
//! and per workflow, so only Jira's status *category* is ever read.

use super::pr::branch_name;

/// Jira's status category, the only part of a status this module trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusCategory {
    /// Jira key `new` ("To Do").
    ToDo,
    /// Jira key `indeterminate` ("In Progress").
    InProgress,
    /// Jira key `done` ("Done").
    Done,
}

impl StatusCategory {
    /// Parses Jira's `statusCategory.key`; `None` for anything else (Jira's
    /// `undefined` category included), so unknown statuses start no clock.
    pub fn from_jira_key(key: &str) -> Option<Self> {
        match key.trim().to_ascii_lowercase().as_str() {
            "new" => Some(Self::ToDo),
            "indeterminate" => Some(Self::InProgress),
            "done" => Some(Self::Done),
            _ => None,
        }
    }

    /// Our stable spelling for storage and exports: `todo`, `in_progress`, `done`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToDo => "todo",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }
}

/// One changelog entry that changed an issue's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// When the status changed.
    pub at: i64,
    /// The category of the status the issue moved into.
    pub to: StatusCategory,
}

/// When work on an issue started and finished, per docs/metrics.md.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cycle {
    /// First transition into an In Progress-category status.
    pub started_at: Option<i64>,
    /// First transition into a Done-category status after `started_at`.
    pub done_at: Option<i64>,
    /// `done_at − started_at`; null unless both exist; never negative.
    pub cycle_time: Option<i64>,
}

/// Computes `started_at`, `done_at` and `issue_cycle_time` from an issue's
/// status transitions, in any order (they are stably sorted by time first, so
/// same-second entries keep their changelog order).
///
/// Reopened issues: In Progress → Done → In Progress → Done keeps the *first*
/// In Progress and the *first* Done after it, as docs/metrics.md says "first";
/// later rework is not folded in. An issue closed without ever being In
/// Progress (To Do → Done, e.g. "won't do") has no cycle at all — a 0 would
/// flatter the median — and if it is later reopened and worked, its cycle runs
/// from that first In Progress to the next Done.
pub fn cycle(transitions: &[Transition]) -> Cycle {
    let mut sorted = transitions.to_vec();
    sorted.sort_by_key(|t| t.at); // stable
    let Some(start) = sorted
        .iter()
        .position(|t| t.to == StatusCategory::InProgress)
    else {
        return Cycle::default();
    };
    let started_at = sorted[start].at;
    let done_at = sorted[start + 1..]
        .iter()
        .find(|t| t.to == StatusCategory::Done)
        .map(|t| t.at);
    Cycle {
        started_at: Some(started_at),
        done_at,
        // Sorted, so done_at >= started_at; the max only guards overflow.
        cycle_time: done_at.map(|done| done.saturating_sub(started_at).max(0)),
    }
}

/// One entry of Jira's field list (`GET /rest/api/3/field`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldInfo {
    /// Field id, e.g. `customfield_10016`.
    pub id: String,
    /// Display name, e.g. `Story point estimate`.
    pub name: String,
    /// `schema.custom`, e.g. `com.pyxis.greenhopper.jira:jsw-story-points`.
    pub custom: Option<String>,
}

/// `schema.custom` of Jira Software's sprint field.
pub const SPRINT_FIELD_TYPE: &str = "com.pyxis.greenhopper.jira:gh-sprint";

/// Finds the site's story points field id (admins may override the choice).
///
/// Candidates are named "Story Points" or "Story point estimate" (any case)
/// and have a numeric type: `schema.custom` containing `story-points` or a
/// `:float` number field; a text field with that name cannot be summed.
/// Preference: a `jsw-story-points` type (what Jira Software itself writes
/// estimates to), then the name "Story Points", then "Story point
/// estimate"; ties go to the first in Jira's list.
pub fn story_points_field(fields: &[FieldInfo]) -> Option<String> {
    fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| story_points_rank(f).map(|rank| (rank, i, f)))
        .min_by_key(|&(rank, i, _)| (rank, i))
        .map(|(_, _, f)| f.id.clone())
}

/// Lower is better; `None` when the field is not a story points candidate.
fn story_points_rank(field: &FieldInfo) -> Option<u8> {
    let custom = field.custom.as_deref()?.trim().to_ascii_lowercase();
    let name = field.name.trim();
    let story_points = name.eq_ignore_ascii_case("Story Points");
    let estimate = name.eq_ignore_ascii_case("Story point estimate");
    let numeric = custom.contains("story-points") || custom.ends_with(":float");
    if !(story_points || estimate) || !numeric {
        None
    } else if custom.ends_with("jsw-story-points") {
        Some(0)
    } else if story_points {
        Some(1)
    } else {
        Some(2)
    }
}

/// Finds the sprint field id: the first field of type [`SPRINT_FIELD_TYPE`].
pub fn sprint_field(fields: &[FieldInfo]) -> Option<String> {
    fields
        .iter()
        .find(|f| f.custom.as_deref().map(str::trim) == Some(SPRINT_FIELD_TYPE))
        .map(|f| f.id.clone())
}

/// Jira issue keys (`PROJ-123`) in `text`, for the org's known projects only,
/// upper-cased, deduplicated, in order of first appearance.
///
/// Matching is case-insensitive, so branch `feature/proj-123-login` yields
/// `PROJ-123`. A key is a whole word: `XPROJ-1` is not `PROJ-1`, and
/// `PROJ-12a` (a hash or version, not a key) yields nothing. Letters, digits
/// and `_` join words; `-`, `/`, `.`, spaces and the like separate them. The
/// number has no leading zero, as Jira never issues one.
pub fn issue_keys(text: &str, known_projects: &[&str]) -> Vec<String> {
    let known: Vec<String> = known_projects
        .iter()
        .map(|p| p.trim().to_ascii_uppercase())
        .collect();
    let chars: Vec<char> = text.chars().collect();
    let mut keys: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at_word_start = i == 0 || !is_word_char(chars[i - 1]);
        if !(at_word_start && chars[i].is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let project_end = i + chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .count();
        if let Some(number) = key_number(&chars, project_end) {
            let project: String = chars[i..project_end].iter().collect();
            let project = project.to_ascii_uppercase();
            let key = format!("{project}-{number}");
            if known.contains(&project) && !keys.contains(&key) {
                keys.push(key);
            }
        }
        // Nothing inside the project run can start a key.
        i = project_end.max(i + 1);
    }
    keys
}

/// The issue number after a project run ending at `at`: `-`, then digits
/// without a leading zero, then a word boundary.
fn key_number(chars: &[char], at: usize) -> Option<String> {
    if chars.get(at) != Some(&'-') {
        return None;
    }
    let digits: String = chars[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let after = chars.get(at + 1 + digits.len());
    let whole = after.is_none_or(|c| !is_word_char(*c));
    (!digits.is_empty() && !digits.starts_with('0') && whole).then_some(digits)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Issue keys a PR links to: those in its title, head branch (a `refs/heads/`
/// prefix is ignored) and body, in that order, deduplicated.
pub fn pr_issue_keys(title: &str, head_branch: &str, body: &str, known: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for text in [title, branch_name(head_branch), body] {
        for key in issue_keys(text, known) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// A finished issue as velocity needs it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DoneIssue {
    /// The issue's `done_at` (see [`cycle`]).
    pub done_at: i64,
    /// Story points; `None` when unestimated.
    pub points: Option<f64>,
}

/// One sprint of one board, as Jira's agile API reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SprintWindow {
    /// `startDate`.
    pub start: i64,
    /// `endDate`, the planned end.
    pub end: i64,
    /// `completeDate`, when the sprint was actually closed; ends the window
    /// instead of `end` when present.
    pub complete_at: Option<i64>,
}

impl SprintWindow {
    /// True when `at` is in `[start, complete_at or end)`.
    pub fn contains(&self, at: i64) -> bool {
        self.start <= at && at < self.complete_at.unwrap_or(self.end)
    }
}

/// Story points finished in one sprint or week.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Velocity {
    /// Sum of the estimated issues' points.
    pub points: f64,
    /// Issues finished, estimated or not.
    pub issues: usize,
    /// Of those, issues without usable points (they count 0 points).
    pub unestimated: usize,
}

impl Velocity {
    fn add(&mut self, points: Option<f64>) {
        self.issues += 1;
        // Negative or non-finite estimates are data errors that would poison
        // the sum; they count like a missing estimate.
        match points.filter(|p| p.is_finite() && *p >= 0.0) {
            Some(p) => self.points += p,
            None => self.unestimated += 1,
        }
    }
}

/// Velocity per sprint, one entry per `sprints` entry in the same order
/// (empty sprints included, so a chart shows their zero).
///
/// Pass one board's sprints. When windows overlap (a sprint closed late, after
/// the next one started), an issue counts once, in the earliest-starting
/// sprint containing it (ties: the first listed): the team was still closing
/// that sprint out, and per-sprint totals then never double count. Issues
/// done outside every sprint count nowhere.
pub fn sprint_velocity(done: &[DoneIssue], sprints: &[SprintWindow]) -> Vec<Velocity> {
    let mut velocities = vec![Velocity::default(); sprints.len()];
    for issue in done {
        let sprint = sprints
            .iter()
            .enumerate()
            .filter(|(_, s)| s.contains(issue.done_at))
            .min_by_key(|&(i, s)| (s.start, i));
        if let Some((i, _)) = sprint {
            velocities[i].add(issue.points);
        }
    }
    velocities
}

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;
/// 1970-01-01 was a Thursday; the first Monday is four days later.
const FIRST_MONDAY: i64 = 4 * DAY;

/// Monday 00:00 UTC of the ISO week containing `at`. Saturates at the
/// `i64` floor rather than overflow.
pub fn week_start(at: i64) -> i64 {
    let since_monday = (at.rem_euclid(WEEK) - FIRST_MONDAY).rem_euclid(WEEK);
    at.saturating_sub(since_monday)
}

/// Velocity per ISO week (Monday 00:00 UTC), for orgs without sprints:
/// `(week_start, velocity)` for every week with a finished issue, oldest
/// first. Empty weeks are left for the caller to fill, as only it knows the
/// range being shown.
pub fn weekly_velocity(done: &[DoneIssue]) -> Vec<(i64, Velocity)> {
    let mut weeks: Vec<(i64, Velocity)> = Vec::new();
    for issue in done {
        let week = week_start(issue.done_at);
        let slot = match weeks.binary_search_by_key(&week, |(w, _)| *w) {
            Ok(slot) => slot,
            Err(slot) => {
                weeks.insert(slot, (week, Velocity::default()));
                slot
            }
        };
        weeks[slot].1.add(issue.points);
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::StatusCategory::{Done, InProgress, ToDo};
    use super::*;

    fn t(at: i64, to: StatusCategory) -> Transition {
        Transition { at, to }
    }

    /// A cycle that started and finished.
    fn worked(started_at: i64, done_at: i64) -> Cycle {
        let cycle_time = Some(done_at - started_at);
        Cycle {
            started_at: Some(started_at),
            done_at: Some(done_at),
            cycle_time,
        }
    }

    fn vel(points: f64, issues: usize, unestimated: usize) -> Velocity {
        Velocity {
            points,
            issues,
            unestimated,
        }
    }

    fn field(id: &str, name: &str, custom: Option<&str>) -> FieldInfo {
        FieldInfo {
            id: id.into(),
            name: name.into(),
            custom: custom.map(Into::into),
        }
    }

    fn done(done_at: i64, points: Option<f64>) -> DoneIssue {
        DoneIssue { done_at, points }
    }

    fn sprint(start: i64, end: i64, complete_at: Option<i64>) -> SprintWindow {
        SprintWindow {
            start,
            end,
            complete_at,
        }
    }

    const PROJECTS: &[&str] = &["PROJ", "web"];

    #[test]
    fn status_categories_come_from_jiras_keys_and_round_trip_our_spelling() {
        assert_eq!(StatusCategory::from_jira_key("new"), Some(ToDo));
        assert_eq!(
            StatusCategory::from_jira_key("indeterminate"),
            Some(InProgress)
        );
        assert_eq!(StatusCategory::from_jira_key(" Done "), Some(Done));
        assert_eq!(StatusCategory::from_jira_key("undefined"), None);
        assert_eq!(
            StatusCategory::from_jira_key("In Progress"),
            None,
            "names are not keys"
        );
        let spelled: Vec<_> = [ToDo, InProgress, Done].map(StatusCategory::as_str).into();
        assert_eq!(spelled, ["todo", "in_progress", "done"]);
    }

    #[test]
    fn a_simple_issue_runs_from_in_progress_to_done() {
        let c = cycle(&[t(100, ToDo), t(400, InProgress), t(1_000, Done)]);
        assert_eq!(c, worked(400, 1_000));
    }

    #[test]
    fn unsorted_transitions_are_sorted_by_time_first() {
        let c = cycle(&[
            t(1_000, Done),
            t(100, ToDo),
            t(400, InProgress),
            t(700, InProgress),
        ]);
        assert_eq!(c, worked(400, 1_000));
    }

    #[test]
    fn a_reopened_issue_keeps_its_first_start_and_the_first_done_after_it() {
        let c = cycle(&[
            t(100, InProgress),
            t(300, Done),
            t(500, InProgress), // reopened
            t(900, Done),
        ]);
        assert_eq!(c, worked(100, 300));
    }

    #[test]
    fn an_issue_closed_without_being_worked_has_no_cycle() {
        assert_eq!(cycle(&[t(100, ToDo), t(200, Done)]), Cycle::default());
        assert_eq!(cycle(&[]), Cycle::default());
    }

    #[test]
    fn a_done_before_any_in_progress_is_skipped_when_the_issue_is_reopened_and_worked() {
        let c = cycle(&[t(100, Done), t(200, ToDo), t(300, InProgress), t(800, Done)]);
        assert_eq!(c, worked(300, 800));
    }

    #[test]
    fn an_issue_still_in_progress_has_a_start_but_no_done_or_cycle() {
        let c = cycle(&[t(100, InProgress), t(200, ToDo), t(300, InProgress)]);
        assert_eq!(
            c,
            Cycle {
                started_at: Some(100),
                done_at: None,
                cycle_time: None
            }
        );
    }

    #[test]
    fn same_second_transitions_keep_changelog_order() {
        // Started and finished in one second: a cycle of 0.
        assert_eq!(cycle(&[t(50, InProgress), t(50, Done)]).cycle_time, Some(0));
        // Done listed first in the same second is before the start: no done yet.
        assert_eq!(cycle(&[t(50, Done), t(50, InProgress)]).done_at, None);
    }

    #[test]
    fn extreme_instants_saturate_rather_than_overflow() {
        let c = cycle(&[t(i64::MIN, InProgress), t(i64::MAX, Done)]);
        assert_eq!(c.cycle_time, Some(i64::MAX));
    }

    #[test]
    fn the_story_points_field_prefers_jsw_type_then_story_points_then_estimate() {
        let float = Some("com.atlassian.jira.plugin.system.customfieldtypes:float");
        let jsw = Some("com.pyxis.greenhopper.jira:jsw-story-points");
        let legacy = field("customfield_10002", "Story Points", float);
        let estimate = field("customfield_10016", "Story point estimate", jsw);
        let estimate_float = field("customfield_10030", "story point estimate", float);
        assert_eq!(
            story_points_field(&[legacy.clone(), estimate.clone()]).as_deref(),
            Some("customfield_10016")
        );
        assert_eq!(
            story_points_field(&[estimate_float.clone(), legacy.clone()]).as_deref(),
            Some("customfield_10002")
        );
        assert_eq!(
            story_points_field(&[estimate_float]).as_deref(),
            Some("customfield_10030")
        );
    }

    #[test]
    fn story_points_need_the_right_name_and_a_numeric_type() {
        let text = Some("com.atlassian.jira.plugin.system.customfieldtypes:textfield");
        let float = Some("com.atlassian.jira.plugin.system.customfieldtypes:float");
        let fields = [
            field("customfield_1", "Story Points", text),
            field("customfield_2", "Story Points (old)", float),
            field("timeestimate", "Story Points", None),
        ];
        assert_eq!(story_points_field(&fields), None);
        let tie = [
            field("customfield_7", "STORY POINTS", float),
            field("customfield_8", "Story Points", float),
        ];
        assert_eq!(story_points_field(&tie).as_deref(), Some("customfield_7"));
    }

    #[test]
    fn the_sprint_field_is_found_by_its_type_not_its_name() {
        let fields = [
            field(
                "customfield_1",
                "Sprint",
                Some("com.atlassian.jira.plugin.system.customfieldtypes:textfield"),
            ),
            field("customfield_10020", "Iteration", Some(SPRINT_FIELD_TYPE)),
        ];
        assert_eq!(sprint_field(&fields).as_deref(), Some("customfield_10020"));
        assert_eq!(sprint_field(&fields[..1]), None);
    }

    #[test]
    fn keys_are_found_in_titles_branches_and_links_in_any_case() {
        assert_eq!(
            issue_keys("PROJ-12: fix login (see WEB-3)", PROJECTS),
            ["PROJ-12", "WEB-3"]
        );
        assert_eq!(issue_keys("feature/proj-123-login", PROJECTS), ["PROJ-123"]);
        assert_eq!(
            issue_keys("https://acme.atlassian.net/browse/PROJ-7.", PROJECTS),
            ["PROJ-7"]
        );
    }

    #[test]
    fn only_known_projects_count_and_keys_are_deduplicated_in_order() {
        assert_eq!(
            issue_keys("OTHER-1 web-9 PROJ-2 proj-2 WEB-9 UTF-8", PROJECTS),
            ["WEB-9", "PROJ-2"]
        );
        assert!(issue_keys("PROJ-1", &[]).is_empty());
    }

    #[test]
    fn keys_inside_longer_tokens_do_not_match() {
        for text in [
            "XPROJ-1",
            "PROJ-12a",
            "PROJ-12_x",
            "1PROJ-2",
            "éPROJ-3",
            "PROJ-0",
            "PROJ-012",
            "PROJ-",
            "PROJ_-4",
        ] {
            assert!(issue_keys(text, PROJECTS).is_empty(), "{text}");
        }
        // `-` separates words, so a key after a prefix or before a slug counts.
        assert_eq!(
            issue_keys("fix-PROJ-5-crash PROJ-6-7", PROJECTS),
            ["PROJ-5", "PROJ-6"]
        );
    }

    #[test]
    fn a_pr_links_keys_from_title_then_branch_then_body() {
        let keys = pr_issue_keys(
            "Login page",
            "refs/heads/feature/web-40-login",
            "Closes PROJ-8, follow-up to WEB-40 and proj-9",
            PROJECTS,
        );
        assert_eq!(keys, ["WEB-40", "PROJ-8", "PROJ-9"]);
        assert!(pr_issue_keys("Bump deps", "main", "", PROJECTS).is_empty());
    }

    #[test]
    fn sprint_velocity_sums_points_and_counts_unestimated_issues() {
        let sprints = [
            sprint(0, 100, None),
            sprint(100, 200, None),
            sprint(200, 300, None),
        ];
        let issues = [
            done(10, Some(3.0)),
            done(99, None),
            done(100, Some(5.0)), // the end is exclusive: next sprint
            done(150, Some(0.5)),
            done(300, Some(8.0)), // after every sprint
            done(-1, Some(2.0)),  // before every sprint
        ];
        let v = sprint_velocity(&issues, &sprints);
        assert_eq!(v, [vel(3.0, 2, 1), vel(5.5, 2, 0), Velocity::default()]);
    }

    #[test]
    fn a_sprint_ends_when_completed_and_overlaps_count_once_in_the_earlier_sprint() {
        // Listed out of order. `early` was planned to end at 100 but closed at
        // 130, after `late` started at 100; `short` closed at 220, before its
        // planned end at 300.
        let late = sprint(100, 200, None);
        let early = sprint(0, 100, Some(130));
        let short = sprint(200, 300, Some(220));
        let sprints = [late, early, short];
        let issues = [
            done(120, Some(2.0)),  // in `early` and `late`: the earlier-starting one
            done(130, Some(4.0)),  // `early` closed at 130 (exclusive): `late`
            done(230, Some(1.0)),  // after `short` was completed: nowhere
            done(210, Some(-3.0)), // a negative estimate counts as unestimated
        ];
        // [late, early, short]
        let v = sprint_velocity(&issues, &sprints);
        assert_eq!(v, [vel(4.0, 1, 0), vel(2.0, 1, 0), vel(0.0, 1, 1)]);
    }

    #[test]
    fn weeks_start_on_monday_midnight_utc() {
        // 2024-01-01 00:00 UTC was a Monday: 1_704_067_200.
        let monday = 1_704_067_200;
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday + WEEK - 1), monday, "Sunday 23:59:59");
        assert_eq!(week_start(monday - 1), monday - WEEK);
        assert_eq!(week_start(0), -3 * DAY, "1970-01-01 was a Thursday");
        assert_eq!(week_start(-DAY), -3 * DAY);
        assert_eq!(week_start(i64::MIN), i64::MIN, "saturates");
    }

    #[test]
    fn weekly_velocity_buckets_by_iso_week_oldest_first() {
        let monday = 1_704_067_200;
        let issues = [
            done(monday + WEEK + 5, Some(1.0)),
            done(monday + 3 * DAY, Some(2.0)),
            done(monday, None),
            done(monday + 3 * WEEK, Some(f64::NAN)),
        ];
        let expected = [
            (monday, vel(2.0, 2, 1)),
            (monday + WEEK, vel(1.0, 1, 0)),
            (monday + 3 * WEEK, vel(0.0, 1, 1)),
        ];
        assert_eq!(weekly_velocity(&issues), expected);
    }

    #[test]
    fn cycles_are_consistent_for_every_short_changelog() {
        // An exhaustive sweep standing in for a property test (the crate has
        // no proptest dev-dependency): every changelog of up to four
        // transitions over three instants and three categories.
        let steps: Vec<Transition> = [-7, 0, 5]
            .into_iter()
            .flat_map(|at| [ToDo, InProgress, Done].map(|to| t(at, to)))
            .collect();
        let mut logs: Vec<Vec<Transition>> = vec![vec![]];
        for _ in 0..4 {
            let longer: Vec<_> = logs
                .iter()
                .filter(|l| l.len() == logs.last().map_or(0, Vec::len))
                .flat_map(|l| steps.iter().map(move |s| [l.as_slice(), &[*s]].concat()))
                .collect();
            logs.extend(longer);
        }
        assert_eq!(logs.len(), 1 + 9 + 81 + 729 + 6561);
        for log in &logs {
            let c = cycle(log);
            let first_start = log
                .iter()
                .filter(|t| t.to == InProgress)
                .map(|t| t.at)
                .min();
            assert_eq!(c.started_at, first_start, "{log:?}");
            if let Some(done_at) = c.done_at {
                let started = c.started_at.expect("done implies started");
                assert!(started <= done_at, "{log:?}");
                assert_eq!(c.cycle_time, Some(done_at - started), "{log:?}");
                assert!(log.iter().any(|t| t.to == Done && t.at == done_at));
            } else {
                assert_eq!(c.cycle_time, None, "{log:?}");
            }
            let mut reversed = log.clone();
            reversed.reverse();
            let r = cycle(&reversed);
            assert_eq!(
                r.started_at, c.started_at,
                "input order never moves the start"
            );
        }
    }
}
