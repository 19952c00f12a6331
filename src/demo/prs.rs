//! How each kind of PR is made: a human's (title, size, linked issue,
//! timing, commits, reviews, and the traces their AI tool leaves), one by
//! Copilot's coding agent, a Dependabot bump, and the reverts of merged PRs.

use super::calendar::{DAY, HOUR, MIN};
use super::cast::{
    ADMIN, AGENT, AGENT_EMAIL, BOTS, DEPENDABOT, LEAD, MEMBERS, REPOS, TEAM_REPOS, Tool, email_of,
    github_id_of, login_of,
};
use super::plan::{AGENT_FROM, Level, Planner, PrPlan, ReviewPlan};
use super::random::Gen;
use super::text::{
    CLAUDE_LINE, CLAUDE_TRAILER, COPILOT_TRAILER, CURSOR_AGENT_TRAILER, CURSOR_TRAILER, FOLLOW_UPS,
    PART_VERBS, TESTING, WHY, slug,
};
use crate::store::pull_requests::CommitRow;

impl Planner {
    fn commit(&mut self, person: usize, at: i64, message: String) -> CommitRow {
        let (name, email) = match person {
            DEPENDABOT => (
                BOTS[0].0.to_string(),
                "49699333+dependabot[bot]@users.noreply.github.com".to_string(),
            ),
            AGENT => (BOTS[1].0.to_string(), AGENT_EMAIL.to_string()),
            p => (MEMBERS[p].name.to_string(), email_of(p)),
        };
        CommitRow {
            sha: self.g.sha(),
            author_login: Some(login_of(person).to_string()),
            author_name: name,
            author_email: email,
            authored_at: Some(at),
            committed_at: Some(at + self.g.range(0, 90)),
            message,
        }
    }

    /// A PR title for `repo`: `(title, branch kind, is a bug fix)`.
    fn title(&mut self, repo: usize, hotfix: bool) -> (String, &'static str, bool) {
        let spec = &REPOS[repo];
        let x = self.g.unit();
        if hotfix || x < 0.3 {
            let kind = if hotfix { "hotfix" } else { "fix" };
            (format!("Fix {}", self.g.pick(spec.bugs)), kind, true)
        } else if x < 0.7 {
            (
                format!("Add {}", self.g.pick(spec.features)),
                "feature",
                false,
            )
        } else {
            let (verb, kind) = *self.g.pick(&PART_VERBS);
            (format!("{verb} {}", self.g.pick(spec.parts)), kind, false)
        }
    }

    pub(super) fn human_pr(&mut self, author: usize, created: i64) {
        let t = self.t(created);
        let m = &MEMBERS[author];
        let team = m.team;
        let repo_weights: Vec<f64> = TEAM_REPOS[team].iter().map(|(_, w)| *w).collect();
        let repo = TEAM_REPOS[team][self.g.weighted(&repo_weights)].0;

        // What the author really did.
        let p_ai = ((0.21 + 0.37 * t) * m.affinity / self.affinity_mean).clamp(0.0, 0.95);
        let level = if self.g.chance(p_ai) {
            if self.g.chance(0.2 + 0.2 * t) {
                Level::Most
            } else {
                Level::Some
            }
        } else {
            Level::None
        };
        let tool = (level != Level::None).then(|| {
            if self.g.chance(0.35 * t) {
                Tool::Claude
            } else {
                m.tool
            }
        });
        let hotfix = self.g.chance(0.04);

        let mut size = self.g.lognormal(120.0, 1.0);
        size *= match level {
            Level::None => 1.0,
            Level::Some => 1.1,
            Level::Most => 1.3,
        };
        if hotfix {
            size *= 0.3;
        }
        let size = (size.round() as i64).clamp(1, 6_000);
        let additions = ((size as f64) * self.g.between(0.5, 0.9)).round() as i64;
        let deletions = size - additions;
        let changed_files = (1 + size / 45 + self.g.range(0, 3)).min(150);

        // Words.
        let (plain, kind, bug) = self.title(repo, hotfix);
        let issue = self.issue_for(author, created, &plain, bug);
        let key = issue.map(|i| self.issues[i].key());
        let mut title = if hotfix && self.g.chance(0.5) {
            format!("Hotfix: {}", plain.to_lowercase())
        } else {
            plain.clone()
        };
        let mut key_elsewhere = false;
        if let Some(key) = &key {
            match self.g.unit() {
                x if x < 0.45 => title = format!("{key}: {title}"),
                x if x < 0.6 => title = format!("[{key}] {title}"),
                _ => key_elsewhere = true,
            }
        }
        let words = slug(&plain);
        let prefix = if hotfix || !author.is_multiple_of(3) {
            kind
        } else {
            m.login
        };
        let mut head_ref = match (&key, key_elsewhere) {
            (Some(key), true) => format!("{prefix}/{}-{words}", key.to_lowercase()),
            _ => format!("{prefix}/{words}"),
        };
        let mut body = format!(
            "## What\n{plain}.\n\n## Why\n{}\n\n## Testing\n- {}",
            self.g.pick(&WHY),
            self.g.pick(&TESTING)
        );
        if let (Some(key), true) = (&key, key_elsewhere || self.g.chance(0.3)) {
            body.push_str(&format!("\n\nCloses {key}"));
        }
        let mut labels: Vec<String> = Vec::new();
        if hotfix && self.g.chance(0.3) {
            labels.push("hotfix".into());
        } else if bug && self.g.chance(0.4) {
            labels.push("bug".into());
        } else if self.g.chance(0.15) {
            labels.push(
                self.g
                    .pick(&["enhancement", "tech-debt", "performance"])
                    .to_string(),
            );
        }

        // Times. AI mostly shortens the coding before the PR and a little
        // of the review; bigger PRs wait and take longer.
        let (coding_factor, review_factor) = match level {
            Level::None => (1.0, 1.0),
            Level::Some => (0.5, 0.8),
            Level::Most => (0.4, 0.75),
        };
        let size_factor = (size as f64 / 120.0).powf(0.3).clamp(0.5, 3.0);
        let urgency = if hotfix { 0.15 } else { 1.0 };
        let coding = self
            .g
            .secs(10.0 * HOUR as f64 * coding_factor * urgency, 1.1);
        let first_commit = created - coding;
        let draft = !hotfix && self.g.chance(0.12);
        let ready = draft.then(|| {
            let wait = self.g.secs(5.0 * HOUR as f64, 1.0);
            self.g.snap(created + wait)
        });
        let ready_at = ready.unwrap_or(created);
        let pickup = self
            .g
            .secs(2.5 * HOUR as f64 * size_factor.sqrt() * urgency, 1.0);
        let first_review = if hotfix {
            ready_at + pickup
        } else {
            self.g.snap(ready_at + pickup)
        };
        let review_time = self.g.secs(
            5.0 * HOUR as f64 * size_factor * review_factor * urgency,
            1.1,
        );
        let merged = if hotfix {
            first_review + review_time
        } else {
            self.g.snap(first_review + review_time)
        };
        let outcome = self.g.unit();
        let (merged_at, closed_at) = if outcome < 0.05 {
            let wait = self.g.secs(3.0 * DAY as f64, 0.8);
            (None, Some(self.g.snap(ready_at + wait)))
        } else if outcome < 0.065 {
            (None, None) // abandoned, still open
        } else {
            (Some(merged), Some(merged))
        };

        // Commits.
        let n_commits = (1 + self.g.poisson(1.0 + size as f64 / 300.0)).min(15);
        let mut commits = Vec::with_capacity(n_commits + 1);
        for i in 0..n_commits {
            let at = if i == 0 {
                first_commit
            } else {
                first_commit + self.g.range(0, (created - first_commit).max(1))
            };
            let message = if i == 0 {
                plain.clone()
            } else {
                self.g.pick(&FOLLOW_UPS).to_string()
            };
            commits.push(self.commit(author, at, message));
        }
        commits.sort_by_key(|c| c.authored_at);

        // Reviews.
        let mut reviews = Vec::new();
        if draft
            && self.g.chance(0.25)
            && let Some(r) = self.teammate(author, &[], created)
        {
            let at = created + ((ready_at - created) as f64 * self.g.between(0.2, 0.8)) as i64;
            reviews.push(ReviewPlan {
                reviewer: r,
                state: "COMMENTED",
                at,
            });
        }
        if t > AGENT_FROM && self.g.chance(0.08) {
            let at = ready_at + self.g.range(2 * MIN, 6 * MIN);
            reviews.push(ReviewPlan {
                reviewer: AGENT,
                state: "COMMENTED",
                at,
            });
        }
        let end = merged_at.or(closed_at).unwrap_or(self.now);
        let reviewed = merged_at.is_none() || !self.g.chance(0.04);
        if reviewed
            && first_review <= end
            && let Some(r1) = self.teammate(author, &[], first_review)
        {
            let state = match self.g.unit() {
                x if x < 0.55 => "APPROVED",
                x if x < 0.75 => "CHANGES_REQUESTED",
                _ => "COMMENTED",
            };
            reviews.push(ReviewPlan {
                reviewer: r1,
                state,
                at: first_review,
            });
            let span = (end - first_review).max(1) as f64;
            if state != "APPROVED" {
                let fix_at = first_review + (span * self.g.between(0.1, 0.5)) as i64;
                let message = if self.g.chance(0.6) {
                    "Address review comments".to_string()
                } else {
                    self.g.pick(&FOLLOW_UPS).to_string()
                };
                commits.push(self.commit(author, fix_at, message));
                if merged_at.is_some() {
                    let at = first_review + (span * self.g.between(0.55, 0.98)) as i64;
                    reviews.push(ReviewPlan {
                        reviewer: r1,
                        state: "APPROVED",
                        at,
                    });
                }
            }
            if self.g.chance(0.3)
                && let Some(r2) = self.teammate(author, &[r1], first_review)
            {
                let at = first_review + (span * self.g.between(0.05, 0.95)) as i64;
                let state = if merged_at.is_some() && self.g.chance(0.7) {
                    "APPROVED"
                } else {
                    "COMMENTED"
                };
                reviews.push(ReviewPlan {
                    reviewer: r2,
                    state,
                    at,
                });
            }
        }
        let merged_reviewless = merged_at.is_some() && !reviewed;
        let merged_at = if merged_reviewless {
            let wait = self.g.secs(2.0 * HOUR as f64, 0.8);
            Some(self.g.snap(ready_at + wait))
        } else {
            merged_at
        };
        let closed_at = if merged_reviewless {
            merged_at
        } else {
            closed_at
        };

        // AI traces.
        if let Some(tool) = tool {
            let rate = tool.trace_rate()
                + match level {
                    Level::Most => 0.08,
                    _ => -0.05,
                };
            if tool != Tool::ChatGpt && self.g.chance(rate) {
                let every = level == Level::Most;
                let mut mark = |trailer: &str, g: &mut Gen| {
                    let n = commits.len();
                    for (i, c) in commits.iter_mut().enumerate() {
                        if every || i == n - 1 || g.chance(0.4) {
                            c.message.push_str(&format!("\n\n{trailer}"));
                        }
                    }
                };
                let how = self.g.unit();
                match tool {
                    Tool::Claude if how < 0.7 => {
                        mark(&format!("{CLAUDE_LINE}\n\n{CLAUDE_TRAILER}"), &mut self.g);
                        body.push_str(&format!("\n\n{CLAUDE_LINE}"));
                    }
                    Tool::Claude if how < 0.85 => body.push_str(&format!("\n\n{CLAUDE_LINE}")),
                    Tool::Claude => {
                        let suffix: String = self.g.sha().chars().take(5).collect();
                        head_ref = format!("claude/{words}-{suffix}");
                    }
                    Tool::Copilot => mark(COPILOT_TRAILER, &mut self.g),
                    Tool::Cursor if how < 0.5 => mark(CURSOR_TRAILER, &mut self.g),
                    Tool::Cursor if how < 0.8 => mark(CURSOR_AGENT_TRAILER, &mut self.g),
                    Tool::Cursor => head_ref = format!("cursor/{words}"),
                    Tool::ChatGpt => {}
                }
            } else if self.g.chance(0.12) {
                labels.push("ai-assisted".into());
            }
        }

        let index = self.prs.len();
        if let Some(i) = issue {
            self.issues[i].prs.push(index);
        }
        let merge_sha = self.g.sha();
        self.prs.push(PrPlan {
            repo,
            author,
            number: 0,
            title,
            body,
            head_ref,
            labels,
            additions,
            deletions,
            changed_files,
            created_at: created,
            opened_as_draft: draft,
            ready_for_review_at: ready,
            merged_at,
            closed_at,
            commits,
            reviews,
            level,
            tool,
            revert_of: None,
            reverted_by: None,
            merge_sha,
            is_hotfix: hotfix,
        });
    }

    /// A PR by Copilot's coding agent, asked for by `requester`.
    pub(super) fn agent_pr(&mut self, requester: usize, created: i64) {
        let team = MEMBERS[requester].team;
        let repo_weights: Vec<f64> = TEAM_REPOS[team].iter().map(|(_, w)| *w).collect();
        let repo = TEAM_REPOS[team][self.g.weighted(&repo_weights)].0;
        let (plain, _, bug) = self.title(repo, false);
        let issue = if self.g.chance(0.6) {
            self.issue_for(requester, created, &plain, bug)
        } else {
            None
        };
        let mut body = format!(
            "This PR was opened by Copilot at the request of @{}.\n\n- {plain}\n- Tests updated",
            MEMBERS[requester].login
        );
        if let Some(i) = issue {
            body.push_str(&format!("\n\nFixes {}", self.issues[i].key()));
        }
        let size = (self.g.lognormal(90.0, 0.9).round() as i64).clamp(2, 2_000);
        let additions = ((size as f64) * self.g.between(0.6, 0.95)).round() as i64;
        let ready = created + self.g.secs(30.0 * MIN as f64, 0.4);
        let co_author = format!(
            "Co-authored-by: {} <{}+{}@users.noreply.github.com>",
            MEMBERS[requester].name,
            github_id_of(requester),
            MEMBERS[requester].login
        );
        let mut commits = vec![self.commit(AGENT, created - 2 * MIN, "Initial plan".into())];
        for i in 0..self.g.range(1, 4) {
            let at = created + (ready - created) * (i + 1) / 4;
            let message = format!("{plain}\n\n{co_author}");
            commits.push(self.commit(AGENT, at, message));
        }
        let pickup = self.g.secs(3.0 * HOUR as f64, 1.0);
        let first_review = self.g.snap(ready + pickup);
        let review_time = self.g.secs(4.0 * HOUR as f64, 1.0);
        let done = self.g.snap(first_review + review_time);
        let outcome = self.g.unit();
        let (merged_at, closed_at) = match outcome {
            x if x < 0.72 => (Some(done), Some(done)),
            x if x < 0.94 => (None, Some(done)),
            _ => (None, None),
        };
        let mut reviews = Vec::new();
        if self.g.chance(0.4) {
            reviews.push(ReviewPlan {
                reviewer: requester,
                state: "CHANGES_REQUESTED",
                at: first_review,
            });
            let at = first_review + (done - first_review) / 2;
            commits.push(self.commit(AGENT, at, format!("Address review feedback\n\n{co_author}")));
            if merged_at.is_some() {
                reviews.push(ReviewPlan {
                    reviewer: requester,
                    state: "APPROVED",
                    at: done - MIN,
                });
            }
        } else {
            let state = if merged_at.is_some() {
                "APPROVED"
            } else {
                "COMMENTED"
            };
            reviews.push(ReviewPlan {
                reviewer: requester,
                state,
                at: first_review,
            });
        }
        let index = self.prs.len();
        if let Some(i) = issue {
            self.issues[i].prs.push(index);
        }
        let merge_sha = self.g.sha();
        self.prs.push(PrPlan {
            repo,
            author: AGENT,
            number: 0,
            title: plain.clone(),
            body,
            head_ref: format!("copilot/{}", slug(&plain)),
            labels: Vec::new(),
            additions,
            deletions: size - additions,
            changed_files: 1 + size / 60,
            created_at: created,
            opened_as_draft: true,
            ready_for_review_at: Some(ready),
            merged_at,
            closed_at,
            commits,
            reviews,
            level: Level::Most,
            tool: None,
            revert_of: None,
            reverted_by: None,
            merge_sha,
            is_hotfix: false,
        });
    }

    /// A weekly dependency bump.
    pub(super) fn dependabot_pr(&mut self, repo: usize, created: i64) {
        let spec = &REPOS[repo];
        let package = *self.g.pick(spec.packages);
        let (major, minor, patch) = (self.g.range(0, 5), self.g.range(0, 30), self.g.range(0, 20));
        let to = if self.g.chance(0.75) {
            format!("{major}.{minor}.{}", patch + self.g.range(1, 4))
        } else {
            format!("{major}.{}.0", minor + 1)
        };
        let from = format!("{major}.{minor}.{patch}");
        let title = format!("Bump {package} from {from} to {to}");
        let body = format!(
            "Bumps [{package}](https://github.com/{package}) from {from} to {to}.\n\n\
             Dependabot will resolve any conflicts with this PR as long as you don't alter it yourself."
        );
        let message = format!(
            "{title}\n\nBumps [{package}](https://github.com/{package}) from {from} to {to}.\n\n---\n\
             updated-dependencies:\n- dependency-name: {package}\n  dependency-type: direct:production\n\n\
             Signed-off-by: dependabot[bot] <support@github.com>"
        );
        let commits = vec![self.commit(DEPENDABOT, created - MIN, message)];
        let lines = self.g.range(2, 40);
        let team = TEAM_REPOS
            .iter()
            .position(|repos| repos[0].0 == repo)
            .unwrap_or(0);
        let owner = (0..MEMBERS.len())
            .find(|&p| MEMBERS[p].team == team && p != ADMIN)
            .unwrap_or(LEAD);
        let reviewer = self.teammate(owner, &[], created).unwrap_or(owner);
        let review_at = {
            let wait = self.g.secs(DAY as f64, 0.8);
            self.g.snap(created + wait)
        };
        let outcome = self.g.unit();
        let (merged_at, closed_at, reviews) = if outcome < 0.78 {
            let merged = review_at + self.g.range(MIN, 30 * MIN);
            (
                Some(merged),
                Some(merged),
                vec![ReviewPlan {
                    reviewer,
                    state: "APPROVED",
                    at: review_at,
                }],
            )
        } else if outcome < 0.95 {
            let closed = created + self.g.range(7 * DAY, 14 * DAY);
            (None, Some(closed), Vec::new())
        } else {
            (None, None, Vec::new())
        };
        let merge_sha = self.g.sha();
        self.prs.push(PrPlan {
            repo,
            author: DEPENDABOT,
            number: 0,
            title,
            body,
            head_ref: format!(
                "dependabot/{}/{}-{to}",
                spec.ecosystem,
                package.replace(':', "-")
            ),
            labels: vec!["dependencies".into()],
            additions: lines,
            deletions: lines,
            changed_files: 1 + lines / 20,
            created_at: created,
            opened_as_draft: false,
            ready_for_review_at: None,
            merged_at,
            closed_at,
            commits,
            reviews,
            level: Level::None,
            tool: None,
            revert_of: None,
            reverted_by: None,
            merge_sha,
            is_hotfix: false,
        });
    }

    /// Reverts of merged human PRs: AI-assisted ones a little more often.
    pub(super) fn reverts(&mut self) {
        for orig in 0..self.prs.len() {
            let p = &self.prs[orig];
            let Some(merged) = p.merged_at else { continue };
            if p.author >= MEMBERS.len() || p.is_hotfix || merged > self.now {
                continue;
            }
            let rate = if p.level == Level::None { 0.024 } else { 0.036 };
            if !self.g.chance(rate) {
                continue;
            }
            let (repo, orig_author) = (p.repo, p.author);
            let created = merged + self.g.secs(18.0 * HOUR as f64, 1.0);
            if created > self.now - 30 * MIN {
                continue;
            }
            let author = if self.g.chance(0.6) {
                orig_author
            } else {
                self.teammate(orig_author, &[], created)
                    .unwrap_or(orig_author)
            };
            let Some(reviewer) = self.teammate(author, &[], created) else {
                continue;
            };
            let review_at = created + self.g.secs(40.0 * MIN as f64, 0.8);
            let merged_at = review_at + self.g.secs(10.0 * MIN as f64, 0.5);
            let commit_at = created - self.g.range(2 * MIN, 10 * MIN);
            // Texts need the original's number: filled in after numbering.
            let commits = vec![self.commit(author, commit_at, String::new())];
            let merge_sha = self.g.sha();
            let (additions, deletions) = (self.prs[orig].deletions, self.prs[orig].additions);
            let index = self.prs.len();
            self.prs[orig].reverted_by = Some(index);
            self.prs.push(PrPlan {
                repo,
                author,
                number: 0,
                title: String::new(),
                body: String::new(),
                head_ref: String::new(),
                labels: Vec::new(),
                additions,
                deletions,
                changed_files: self.prs[orig].changed_files,
                created_at: created,
                opened_as_draft: false,
                ready_for_review_at: None,
                merged_at: Some(merged_at),
                closed_at: Some(merged_at),
                commits,
                reviews: vec![ReviewPlan {
                    reviewer,
                    state: "APPROVED",
                    at: review_at,
                }],
                level: Level::None,
                tool: None,
                revert_of: Some(orig),
                reverted_by: None,
                merge_sha,
                is_hotfix: false,
            });
        }
    }
}
