//! Surveys of the last [`SURVEY_DAYS`](super::SURVEY_DAYS) days: for each
//! merged human PR, the author's question and answer (what they really did,
//! mostly told truthfully) and each human reviewer's rating and AI Detective
//! guess, with reminders, expiry and reveals.

use super::SURVEY_DAYS;
use super::calendar::{DAY, HOUR, MIN};
use super::cast::{MEMBERS, Tool, slack_of};
use super::plan::{Level, Plan};
use super::random::Gen;
use crate::store::surveys::{AiAnswer, Delivery, SurveyReviewRow, SurveyRow, SurveyStatus};

/// An author survey and its reviewer surveys, ready to store.
pub(super) struct SurveyOut {
    pub(super) pr: usize,
    pub(super) author: usize,
    pub(super) row: SurveyRow,
    pub(super) reviews: Vec<(usize, SurveyReviewRow)>,
}

/// docs/metrics.md: the guess is correct when it equals "the author's answer is
/// `some` or `most`"; only once both answered.
fn guess_correct(answer: Option<AiAnswer>, guess: Option<bool>) -> Option<bool> {
    Some(guess? == answer?.is_ai_assisted())
}

/// The surveys of the human PRs merged in the last [`SURVEY_DAYS`] days.
pub(super) fn surveys_of(g: &mut Gen, plan: &Plan, now: i64) -> Vec<SurveyOut> {
    let from = now - SURVEY_DAYS * DAY;
    let mut ts = 0u32;
    let mut message_ts = |at: i64| {
        ts += 1;
        format!("{at}.{:06}", 100 + ts % 900_000)
    };
    let mut out = Vec::new();
    for &i in &plan.order {
        let pr = &plan.prs[i];
        let Some(merged) = pr.merged_at.filter(|&m| m >= from) else {
            continue;
        };
        if pr.author >= MEMBERS.len() {
            continue;
        }
        let sent = merged + g.range(60, 180);
        let expires = sent + 7 * DAY;
        let wait = g.secs(90.0 * MIN as f64, 1.2);
        let answered_at =
            Some(g.snap(sent + wait)).filter(|&t| g.chance(0.68) && t <= now && t < expires);
        let answer = answered_at.map(|_| match (pr.level, g.unit()) {
            (Level::None, x) if x < 0.97 => AiAnswer::None,
            (Level::None, _) => AiAnswer::Some,
            (Level::Some, x) if x < 0.85 => AiAnswer::Some,
            (Level::Some, x) if x < 0.9 => AiAnswer::Most,
            (Level::Some, _) => AiAnswer::None,
            (Level::Most, x) if x < 0.8 => AiAnswer::Most,
            (Level::Most, _) => AiAnswer::Some,
        });
        let tools = match answer {
            Some(AiAnswer::Some | AiAnswer::Most) => {
                let tool = pr.tool.unwrap_or(MEMBERS[pr.author].tool);
                let mut tools = vec![tool.name().to_string()];
                if tool != Tool::ChatGpt && g.chance(0.15) {
                    tools.push(Tool::ChatGpt.name().to_string());
                }
                tools
            }
            _ => Vec::new(),
        };
        let reminded =
            (answered_at.is_none_or(|a| a > sent + DAY) && sent + DAY <= now).then_some(sent + DAY);
        let status = match (answered_at, expires <= now) {
            (Some(_), _) => SurveyStatus::Answered,
            (None, true) => SurveyStatus::Expired,
            (None, false) => SurveyStatus::Sent,
        };
        let channel = format!("D{}", &slack_of(pr.author)[1..]);
        let row = SurveyRow {
            pull_request: None,
            author: None,
            delivery: Delivery {
                status,
                slack_channel_id: Some(channel),
                slack_message_ts: Some(message_ts(sent)),
                send_after: Some(merged + 60),
                sent_at: Some(sent),
                reminded_at: reminded,
                expires_at: Some(expires),
            },
            ai_answer: answer,
            ai_tools: tools,
            answered_at,
        };

        // Every human who reviewed it, once.
        let mut reviewers: Vec<usize> = Vec::new();
        for r in &pr.reviews {
            let counts = matches!(r.state, "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED");
            if counts
                && r.reviewer < MEMBERS.len()
                && r.reviewer != pr.author
                && !reviewers.contains(&r.reviewer)
            {
                reviewers.push(r.reviewer);
            }
        }
        let truth = answer.map_or(pr.level != Level::None, AiAnswer::is_ai_assisted);
        let progress = ((merged - from) as f64 / (SURVEY_DAYS * DAY) as f64).clamp(0.0, 1.0);
        let mut reviews = Vec::new();
        for reviewer in reviewers {
            let wait = g.secs(2.5 * HOUR as f64, 1.2);
            let at =
                Some(g.snap(sent + wait)).filter(|&t| g.chance(0.72) && t <= now && t < expires);
            let (quality, guess) = match at {
                Some(_) => {
                    let mean = match pr.level {
                        Level::None => 4.0,
                        Level::Some => 3.75,
                        Level::Most => 3.55,
                    };
                    let quality = (mean + 0.8 * g.normal()).round().clamp(1.0, 5.0) as i64;
                    let right = g.chance(0.64 + 0.12 * progress);
                    (Some(quality), Some(if right { truth } else { !truth }))
                }
                None => (None, None),
            };
            let correct = guess_correct(answer, guess);
            let revealed = match (answered_at, at) {
                (Some(a), Some(b)) if correct.is_some() => Some(a.max(b)),
                _ => None,
            };
            let status = match (at, expires <= now) {
                (Some(_), _) => SurveyStatus::Answered,
                (None, true) => SurveyStatus::Expired,
                (None, false) => SurveyStatus::Sent,
            };
            let reminded =
                (at.is_none_or(|a| a > sent + DAY) && sent + DAY <= now).then_some(sent + DAY);
            reviews.push((
                reviewer,
                SurveyReviewRow {
                    reviewer: None,
                    delivery: Delivery {
                        status,
                        slack_channel_id: Some(format!("D{}", &slack_of(reviewer)[1..])),
                        slack_message_ts: Some(message_ts(sent)),
                        send_after: Some(merged + 60),
                        sent_at: Some(sent),
                        reminded_at: reminded,
                        expires_at: Some(expires),
                    },
                    quality_rating: quality,
                    ai_guess: guess,
                    answered_at: at,
                    guess_correct: correct,
                    revealed_at: revealed,
                },
            ));
        }
        out.push(SurveyOut {
            pr: i,
            author: pr.author,
            row,
            reviews,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_are_correct_as_metrics_md_says() {
        assert_eq!(guess_correct(Some(AiAnswer::Some), Some(true)), Some(true));
        assert_eq!(
            guess_correct(Some(AiAnswer::Most), Some(false)),
            Some(false)
        );
        assert_eq!(guess_correct(Some(AiAnswer::None), Some(false)), Some(true));
        assert_eq!(guess_correct(None, Some(true)), None);
        assert_eq!(guess_correct(Some(AiAnswer::None), None), None);
    }
}
