//! PR surveys (PRODUCT.md phase 5, METRICS.md "Reviews and the AI Detective
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
use blocks::survey::{AiChoice, AuthorState, PrLine, ReviewState, Reveal};

use crate::store::surveys::{ANSWERED, AiAnswer, EXPIRED, Item, Kind, SENT};

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
        Some(t) => t.with_timezone(&zone).format("%a %-d %b, %H:%M").to_string(),
        None => "7 days after sending".into(),
    }
}

/// Whether answers are still taken at `now`.
pub fn is_open(item: &Item, now: i64) -> bool {
    matches!(item.status.as_str(), SENT | ANSWERED) && item.expires_at.is_some_and(|e| e > now)
}

/// The survey message as it should look now. `reveal` is the reviewer's
/// reveal once it happened.
pub fn message(item: &Item, now: i64, reveal: Option<Reveal>) -> Surface {
    let pr = pr_line(item);
    let open = is_open(item, now);
    match item.kind {
        Kind::Author => {
            let state = match (item.ai_answer, item.status.as_str()) {
                (Some(a), _) => AuthorState::Answered {
                    answer: choice(a),
                    tools: item.ai_tools.clone(),
                    closes: open.then(|| closes_text(item)),
                },
                (None, EXPIRED) => AuthorState::Closed,
                (None, _) if !open && item.sent_at.is_some() => AuthorState::Closed,
                (None, _) => AuthorState::Asking {
                    closes: closes_text(item),
                },
            };
            blocks::survey::author_message(item.id, &pr, &state)
        }
        Kind::Reviewer => {
            let closes = (open || item.status == crate::store::surveys::PENDING
                || item.status == crate::store::surveys::SENDING)
                .then(|| closes_text(item));
            blocks::survey::reviewer_message(
                item.id,
                &pr,
                &ReviewState {
                    rating: item.rating,
                    guess: item.guess,
                    reveal,
                    closes: if item.status == EXPIRED { None } else { closes },
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
            item.pr.number, item.pr.author_name
        ),
    }
}
