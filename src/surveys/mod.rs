//! PR surveys (docs/product.md phase 5, docs/metrics.md "Reviews and the AI Detective
//! game"): a merged PR's author is asked whether AI helped, each human
//! reviewer rates it and guesses; once both answered, the reviewer gets the
//! reveal.
//!
//! - [`plan`]: on the "PR merged" event, who is asked and from when
//!   (inside the webhook's transaction, so a repeated event asks nobody
//!   twice).
//! - [`deliver`]: the `surveys.deliver` job posts due DMs (one lane per
//!   person, Slack's rate limits honoured, a claim per message so racing
//!   workers never double-post), the one reminder, expiry and reveals.
//! - [`answer`]: the button listeners; every click is checked against the
//!   clicker and the survey's state before anything is stored.
//! - [`schedule`]: quiet hours (pure).

pub mod answer;
pub mod deliver;
pub mod plan;
pub mod schedule;
pub mod settings;

use blocks::Surface;
use blocks::survey::{AiChoice, AuthorState, PrLine, Reveal, ReviewState};

use crate::slack::listeners::Listeners;
use crate::store::surveys::{AiAnswer, Item, Kind, SurveyStatus};

/// Registers the surveys' listeners: the answers in survey DMs (with
/// opt-out and opt-in) and the survey settings modal.
pub fn register(l: &mut Listeners) {
    answer::register(l);
    l.action(blocks::ids::action::SURVEY_SETTINGS, settings::open_action);
    l.view(blocks::ids::callback::SURVEY_SETTINGS, settings::save);
}

/// The blocks' spelling of a stored answer.
pub fn choice(a: AiAnswer) -> AiChoice {
    match a {
        AiAnswer::None => AiChoice::None,
        AiAnswer::Some => AiChoice::Some,
        AiAnswer::Most => AiChoice::Most,
    }
}

/// The stored spelling of a clicked answer.
pub fn answer_of(c: AiChoice) -> AiAnswer {
    match c {
        AiChoice::None => AiAnswer::None,
        AiChoice::Some => AiAnswer::Some,
        AiChoice::Most => AiAnswer::Most,
    }
}

/// The PR as a survey message shows it.
pub fn pr_line(item: &Item) -> PrLine {
    PrLine {
        number: item.pr.number,
        title: item.pr.title.clone(),
        repo: item.pr.repo.clone(),
        url: item.pr.url(),
        size: item.pr.size,
        cycle: item
            .pr
            .cycle_time
            .map(|c| blocks::dashboard::format_duration(c as f64)),
        author: item.pr.author_name.clone(),
    }
}

/// "Fri 4 Dec, 14:00" in the person's time zone.
pub fn closes_text(item: &Item) -> String {
    let at = item.expires_at.unwrap_or_default();
    let zone = schedule::zone(item.time_zone.as_deref());
    match chrono::DateTime::from_timestamp(at, 0) {
        Some(t) => t
            .with_timezone(&zone)
            .format("%a %-d %b, %H:%M")
            .to_string(),
        None => "7 days after sending".into(),
    }
}

/// Whether answers are still taken at `now`.
pub fn is_open(item: &Item, now: i64) -> bool {
    matches!(item.status, SurveyStatus::Sent | SurveyStatus::Answered)
        && item.expires_at.is_some_and(|e| e > now)
}

/// The survey message as it should look now. `reveal` is the reviewer's
/// reveal once it happened.
pub fn message(item: &Item, now: i64, reveal: Option<Reveal>) -> Surface {
    let pr = pr_line(item);
    let open = is_open(item, now);
    match item.kind {
        Kind::Author => {
            let state = match (item.ai_answer, item.status) {
                (Some(a), _) => AuthorState::Answered {
                    answer: choice(a),
                    tools: item.ai_tools.clone(),
                    closes: open.then(|| closes_text(item)),
                },
                (None, SurveyStatus::Expired) => AuthorState::Closed,
                (None, _) if !open && item.sent_at.is_some() => AuthorState::Closed,
                (None, _) => AuthorState::Asking {
                    closes: closes_text(item),
                },
            };
            blocks::survey::author_message(item.id, &pr, &state)
        }
        Kind::Reviewer => {
            let closes = (open || item.status.is_unsent()).then(|| closes_text(item));
            blocks::survey::reviewer_message(
                item.id,
                &pr,
                &ReviewState {
                    rating: item.rating,
                    guess: item.guess,
                    reveal,
                    closes: if item.status == SurveyStatus::Expired {
                        None
                    } else {
                        closes
                    },
                    opted_out: false,
                },
            )
        }
    }
}

/// A surface as a `chat.postMessage` / `chat.update` body with its
/// notification text.
pub fn body(surface: &Surface, text: &str) -> serde_json::Value {
    let mut v = serde_json::to_value(surface).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        map.insert("text".into(), serde_json::json!(text));
    }
    v
}

/// The notification text of a survey DM.
pub fn fallback(item: &Item) -> String {
    match item.kind {
        Kind::Author => format!(
            "Your PR #{} was merged. Did AI help with it?",
            item.pr.number
        ),
        Kind::Reviewer => format!(
            "You reviewed #{} by {}. Two quick questions.",
            item.pr.number,
            blocks::limits::escape_mrkdwn(&item.pr.author_name)
        ),
    }
}

/// The survey surfaces `/preview` and `aimpact render` show, by slug:
/// `(label, slug)`.
pub const PREVIEWS: [(&str, &str); 8] = [
    ("Author survey DM", "survey-author"),
    ("Author survey DM, answered", "survey-author-answered"),
    ("Reviewer survey DM", "survey-reviewer"),
    (
        "Reviewer survey DM, answered (waiting for the author)",
        "survey-reviewer-answered",
    ),
    ("Reviewer survey DM with the reveal", "survey-reveal"),
    ("Reveal posted in the thread", "survey-reveal-thread"),
    ("Reminder posted in the thread", "survey-reminder"),
    ("Survey closed after 7 days", "survey-closed"),
];

fn sample(kind: Kind, now: i64) -> Item {
    Item {
        kind,
        id: 1,
        survey: crate::store::surveys::SurveyId(1),
        person: crate::domain::PersonId(1),
        slack_user: Some("U0".into()),
        time_zone: None,
        opted_out: false,
        status: SurveyStatus::Sent,
        channel: None,
        ts: None,
        send_after: Some(now),
        sent_at: Some(now),
        reminded_at: None,
        expires_at: Some(now + schedule::OPEN_FOR),
        answered_at: None,
        pr: crate::store::surveys::PrSummary {
            number: 123,
            title: "Add retries to webhook intake".into(),
            owner: "acme".into(),
            repo: "api-gateway".into(),
            size: 184,
            cycle_time: Some(164_160),
            author_name: "Alice Anderson".into(),
            merged_at: Some(now),
        },
        ai_answer: None,
        ai_tools: Vec::new(),
        rating: None,
        guess: None,
        guess_correct: None,
        revealed_at: None,
    }
}

/// A survey surface for the preview, drawn from the org's newest survey of
/// that kind (or a sample PR in an org without surveys). `None` for a slug
/// that is not a survey surface.
pub async fn preview(
    conn: &mut sqlx::AnyConnection,
    org: crate::domain::OrgId,
    slug: &str,
    now: i64,
) -> Result<Option<Surface>, crate::store::StoreError> {
    let kind = match slug {
        "survey-author" | "survey-author-answered" | "survey-closed" => Kind::Author,
        "survey-reviewer"
        | "survey-reviewer-answered"
        | "survey-reveal"
        | "survey-reveal-thread"
        | "survey-reminder" => Kind::Reviewer,
        _ => return Ok(None),
    };
    let stored = crate::store::surveys::latest(conn, org, kind).await?;
    let base = stored.unwrap_or_else(|| sample(kind, now));
    // Drawn as of the item's sending, whatever its state today.
    let open = Item {
        status: SurveyStatus::Sent,
        sent_at: Some(now),
        expires_at: Some(now + schedule::OPEN_FOR),
        ai_answer: None,
        ai_tools: Vec::new(),
        rating: None,
        guess: None,
        guess_correct: None,
        revealed_at: None,
        ..base.clone()
    };
    let answer = base.ai_answer.unwrap_or(AiAnswer::Some);
    let reveal = Reveal {
        author: base.pr.author_name.clone(),
        answer: choice(answer),
        guessed_ai: answer.is_ai_assisted(),
        correct: true,
        correct_30d: 7,
        revealed_30d: 9,
    };
    let answered_review = Item {
        status: SurveyStatus::Answered,
        rating: Some(4),
        guess: Some(answer.is_ai_assisted()),
        ..open.clone()
    };
    Ok(Some(match slug {
        "survey-author" | "survey-reviewer" => message(&open, now, None),
        "survey-author-answered" => message(
            &Item {
                status: SurveyStatus::Answered,
                ai_answer: Some(answer),
                ai_tools: if base.ai_tools.is_empty() {
                    vec!["Copilot".into()]
                } else {
                    base.ai_tools.clone()
                },
                ..open.clone()
            },
            now,
            None,
        ),
        "survey-reviewer-answered" => message(&answered_review, now, None),
        "survey-reveal" => message(&answered_review, now, Some(reveal)),
        "survey-reveal-thread" => blocks::survey::reveal_message(&pr_line(&open), &reveal),
        "survey-reminder" => blocks::survey::reminder_message(&pr_line(&open), &closes_text(&open)),
        _ => message(
            &Item {
                status: SurveyStatus::Expired,
                ..open
            },
            now,
            None,
        ),
    }))
}
