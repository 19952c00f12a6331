//! Slack's Block Kit limits and the only code that shortens text to fit them.
//!
//! Slack rejects a whole message or view (`invalid_blocks`) when one string is
//! one character too long, so every builder in this crate routes text through
//! the helpers here instead of trusting its input. Lengths are counted the way
//! Slack counts them: in Unicode scalar values (`char`s), not bytes.
//!
//! Sources for each number are in `shared/docs/platform.md`, section A2.

use std::borrow::Cow;

// ---------------------------------------------------------------------------
// Block counts
// ---------------------------------------------------------------------------

/// Most blocks one message may carry; a 51st makes `chat.postMessage` fail.
pub const MESSAGE_BLOCKS_MAX: usize = 50;

/// Most blocks a modal or the App Home tab may carry (twice a message's).
pub const VIEW_BLOCKS_MAX: usize = 100;

// ---------------------------------------------------------------------------
// Block contents
// ---------------------------------------------------------------------------

/// Longest `text` of a section block, in characters.
pub const SECTION_TEXT_MAX: usize = 3000;

/// Most `fields` one section block may hold; more need another section.
pub const SECTION_FIELDS_MAX: usize = 10;

/// Longest text of one section field, in characters (shorter than section text).
pub const SECTION_FIELD_TEXT_MAX: usize = 2000;

/// Longest header text, in characters; headers also accept only `plain_text`.
pub const HEADER_TEXT_MAX: usize = 150;

/// Most elements one context block may hold.
pub const CONTEXT_ELEMENTS_MAX: usize = 10;

/// Most interactive elements one actions block may hold.
pub const ACTIONS_ELEMENTS_MAX: usize = 25;

/// Longest text object where the block reference names no tighter limit (we
/// use it for context elements).
///
/// Not in docs/platform.md A2: it is Slack's general text-object maximum, applied
/// here as a conservative bound so that context text is never unbounded.
pub const TEXT_OBJECT_MAX: usize = 3000;

/// Longest text of a `markdown` block (documented by Slack; this crate does
/// not build that block yet).
pub const MARKDOWN_BLOCK_TEXT_MAX: usize = 12_000;

/// Longest top-level `text` of a message (the notification fallback).
pub const MESSAGE_TEXT_MAX: usize = 40_000;

// ---------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------

/// Longest `block_id`; ours carry a prefix and a record id, so this bounds both.
pub const BLOCK_ID_MAX: usize = 255;

/// Longest `action_id` of an interactive element.
pub const ACTION_ID_MAX: usize = 255;

/// Longest `callback_id` of a modal or Home view.
pub const CALLBACK_ID_MAX: usize = 255;

/// Longest `external_id` of a modal or Home view.
pub const EXTERNAL_ID_MAX: usize = 255;

// ---------------------------------------------------------------------------
// Elements
// ---------------------------------------------------------------------------

/// Longest button label: short, because Slack draws buttons in a row.
pub const BUTTON_TEXT_MAX: usize = 75;

/// Longest button `value`, the payload a click sends back to us.
pub const BUTTON_VALUE_MAX: usize = 2000;

/// Longest button `url`.
pub const BUTTON_URL_MAX: usize = 3000;

/// Longest `image_url` of an image block.
pub const IMAGE_URL_MAX: usize = 3000;

/// Longest `alt_text` of an image block; ours states the chart's data.
pub const IMAGE_ALT_TEXT_MAX: usize = 2000;

/// Longest `title` of an image block.
pub const IMAGE_TITLE_MAX: usize = 2000;

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/// Longest modal title; tiny, so titles must be written short.
pub const MODAL_TITLE_MAX: usize = 24;

/// Longest label of a modal's submit button.
pub const MODAL_SUBMIT_MAX: usize = 24;

/// Longest label of a modal's close button.
pub const MODAL_CLOSE_MAX: usize = 24;

/// Longest `private_metadata` of a modal or Home view.
pub const PRIVATE_METADATA_MAX: usize = 3000;

/// Biggest serialised view before `views.open`/`views.publish` answer
/// `view_too_large` ("above 250 kB"; we read kB as 1000 bytes to stay safe).
pub const VIEW_PAYLOAD_MAX_BYTES: usize = 250_000;

/// Deepest modal stack; `views.push` on a fourth view fails with `push_limit_reached`.
pub const MODAL_STACK_MAX: usize = 3;

// ---------------------------------------------------------------------------
// Truncation helpers
// ---------------------------------------------------------------------------

/// The single character appended when text is cut, so readers see that it was.
pub const ELLIPSIS: char = '…';

/// Counts characters as Slack does (Unicode scalar values), because byte
/// length overstates non-ASCII text and would cut it needlessly.
pub fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// Byte index just after the first `n` chars of `s` (or `s.len()`), so that
/// slicing there can never split a character.
fn byte_index_after_chars(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Appends the ellipsis to a cut prefix, dropping trailing whitespace first so
/// the result reads "word…" rather than "word …".
fn with_ellipsis(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + ELLIPSIS.len_utf8());
    out.push_str(prefix.trim_end());
    out.push(ELLIPSIS);
    out
}

/// Shortens plain text to at most `max` characters, ending in "…" when cut.
///
/// Use it for `plain_text` objects (headers, button labels, alt text), where
/// no markup can be broken. Text that already fits is borrowed unchanged.
/// Never panics: `max == 0` gives an empty string (which Slack would reject
/// as empty, but never as too long), `max == 1` gives just "…".
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    // Fast path avoids counting chars when even the byte length fits.
    if s.len() <= max || char_count(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let cut = byte_index_after_chars(s, max - 1);
    Cow::Owned(with_ellipsis(&s[..cut]))
}

/// The one escaper for user and third-party text (PR titles, names,
/// repository names, report texts, what someone typed) that goes into
/// mrkdwn: it shows literally and can neither notify (`<!channel>`,
/// `<@U…>`), link (`<http://x|y>`) nor format.
///
/// `&`, `<` and `>` become Slack's entities. Slack has no escape for its
/// formatting marks, so `*`, `_`, `~` and backticks become look-alikes that
/// do not format (`∗`, `ˍ`, `∼`, `‵`): a title like `*WIP*` or `fix_a_b`
/// reads the same and is neither bold nor italic.
///
/// Apply it exactly once, to raw user text only; text we compose ourselves
/// (links like `<url|label>`, our own `*bold*`) must not pass through it.
pub fn escape_mrkdwn(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '*', '_', '~', '`']) {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match escaped_at(&chars, i) {
            Some(entity) => out.push_str(entity),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What `chars[i]` becomes, if anything: like [`escaped`], except that an
/// underscore inside a word (`New_York`, `SLACK_APP_TOKEN`) stays, since
/// Slack only reads `_` as italics at a word's edge.
fn escaped_at(chars: &[char], i: usize) -> Option<&'static str> {
    let c = chars[i];
    if c == '_' {
        let word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        if word(i.checked_sub(1)) && word(Some(i + 1)) {
            return None;
        }
    }
    escaped(c)
}

/// What a char that must not reach mrkdwn as it is becomes, if anything.
fn escaped(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '*' => Some("\u{2217}"),
        '_' => Some("\u{02CD}"),
        '~' => Some("\u{223C}"),
        '`' => Some("\u{2035}"),
        _ => None,
    }
}

/// Escapes raw user text for mrkdwn and shortens it so the *escaped* result
/// is at most `max` characters, cutting only between whole source characters.
///
/// Because the cut happens on the raw text, an entity such as `&amp;` is
/// either kept whole or dropped whole — never left as a dangling `&am`.
pub fn escape_and_truncate(s: &str, max: usize) -> String {
    let escaped_len = |c: char| escaped(c).map_or(1, |e| e.chars().count());
    let total: usize = s.chars().map(escaped_len).sum();
    if total <= max {
        return escape_mrkdwn(s).into_owned();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let mut used = 0;
    let mut cut = 0;
    for (i, c) in s.char_indices() {
        let len = escaped_len(c);
        if used + len > budget {
            break;
        }
        used += len;
        cut = i + c.len_utf8();
    }
    // Trim on the raw text first, so escaping afterwards cannot grow past `used`.
    let mut out = escape_mrkdwn(s[..cut].trim_end()).into_owned();
    out.push(ELLIPSIS);
    out
}

/// Shortens text that is already mrkdwn (escaped user text plus our own
/// links and mentions) to at most `max` characters, ending in "…" when cut.
///
/// The cut moves back so that it never lands inside an entity (`&amp;`) or an
/// angle-bracket sequence (`<https://…|label>`, `<@U123>`): half of either
/// would render as garbage or leak a raw URL. Emphasis markers (`*`, `_`) may
/// be left unbalanced, which Slack shows as plain characters.
pub fn truncate_mrkdwn(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max || char_count(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut prefix = &s[..byte_index_after_chars(s, max - 1)];
    // An opening `<` with no `>` after it means we are inside a link or mention.
    if let Some(open) = prefix.rfind('<')
        && !prefix[open..].contains('>')
    {
        prefix = &prefix[..open];
    }
    // An `&` followed only by what could begin an entity (`&`, `&am`, `&#6`)
    // is a cut entity. A longer tail is not: link URLs may hold a raw `&`.
    if let Some(amp) = prefix.rfind('&') {
        let tail = &prefix[amp + 1..];
        if tail.len() <= 4 && tail.chars().all(|c| c.is_ascii_alphanumeric() || c == '#') {
            prefix = &prefix[..amp];
        }
    }
    Cow::Owned(with_ellipsis(prefix))
}

/// The wording for items that did not fit ("…and 7 more"), shared by every
/// list this crate cuts so the app speaks with one voice.
pub fn and_more(n: usize) -> String {
    format!("{ELLIPSIS}and {n} more")
}

/// Joins lines with `\n` into one text of at most `max` characters; lines
/// that do not fit are replaced by a final "…and N more" line.
///
/// Lists (repositories, people, PRs) read better cut at a line than mid-word,
/// and the count tells the reader how much is hidden. Lines are taken as
/// given (escape user text first). A single line longer than `max` is cut with
/// [`truncate_mrkdwn`] so the result always fits.
pub fn join_lines_within<S: AsRef<str>>(lines: &[S], max: usize) -> String {
    let total = lines.len();
    let joined_chars =
        lines.iter().map(|l| char_count(l.as_ref())).sum::<usize>() + total.saturating_sub(1);
    if joined_chars <= max {
        return lines
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<&str>>()
            .join("\n");
    }
    let mut out = String::new();
    let mut out_chars = 0;
    for (i, line) in lines.iter().enumerate() {
        let line = line.as_ref();
        let sep = usize::from(i > 0);
        let rest = total - i - 1;
        // Room the "\n…and N more" line needs if the lines after this one are dropped.
        let tail = if rest == 0 {
            0
        } else {
            1 + char_count(&and_more(rest))
        };
        if out_chars + sep + char_count(line) + tail <= max {
            if sep == 1 {
                out.push('\n');
            }
            out.push_str(line);
            out_chars += sep + char_count(line);
            continue;
        }
        if i == 0 {
            // Nothing shown yet: a cut first line says more than a bare count,
            // so keep as much of it as leaves room for the count, if any.
            if rest > 0 && max > tail + 1 {
                let mut first = truncate_mrkdwn(line, max - tail).into_owned();
                first.push('\n');
                first.push_str(&and_more(rest));
                return first;
            }
            return truncate_mrkdwn(line, max).into_owned();
        }
        // The previous line reserved room for exactly this tail.
        let more = and_more(total - i);
        if out_chars + 1 + char_count(&more) <= max {
            out.push('\n');
            out.push_str(&more);
        }
        return out;
    }
    out
}

/// Characters in an option's text.
pub const OPTION_TEXT_MAX: usize = 75;
/// Characters in an option's value.
pub const OPTION_VALUE_MAX: usize = 150;
/// Options in a static select.
pub const SELECT_OPTIONS_MAX: usize = 100;
/// Options in a radio group.
pub const RADIO_OPTIONS_MAX: usize = 10;
/// Options in a checkbox group.
pub const CHECKBOX_OPTIONS_MAX: usize = 10;
/// Characters in a select's placeholder.
pub const PLACEHOLDER_MAX: usize = 150;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn truncate_keeps_text_that_fits() {
        assert_eq!(truncate("", 0), "");
        assert_eq!(truncate("", 5), "");
        assert_eq!(truncate("abc", 3), "abc");
        assert!(matches!(truncate("abc", 3), Cow::Borrowed(_)));
    }

    #[test]
    fn truncate_limit_plus_one() {
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(char_count(&truncate("abcd", 3)), 3);
    }

    #[test]
    fn truncate_tiny_limits() {
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate("abc", 2), "a…");
    }

    #[test]
    fn truncate_counts_chars_not_bytes() {
        // 4 chars, 8 bytes: fits a limit of 4 even though the bytes do not.
        assert_eq!(truncate("éééé", 4), "éééé");
        assert_eq!(truncate("ééééé", 4), "ééé…");
    }

    #[test]
    fn truncate_never_splits_emoji() {
        // Each emoji is 4 bytes and one char.
        assert_eq!(truncate("🎉🎉🎉", 3), "🎉🎉🎉");
        assert_eq!(truncate("🎉🎉🎉🎉", 3), "🎉🎉…");
        // CJK: 3 bytes each.
        assert_eq!(truncate("日本語のテキスト", 4), "日本語…");
    }

    #[test]
    fn truncate_trims_space_before_ellipsis() {
        assert_eq!(truncate("ab   cdef", 5), "ab…");
        assert_eq!(truncate("     x", 3), "…");
    }

    /// No `_` at a word's edge (where Slack would read it as italics).
    fn no_edge_underscore(s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        chars.iter().enumerate().all(|(i, &c)| {
            c != '_'
                || (i > 0
                    && chars[i - 1].is_alphanumeric()
                    && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()))
        })
    }

    #[test]
    fn escaped_text_can_neither_notify_link_nor_format() {
        let hostile = "<!channel> <@U0ADMIN> <http://x|y> & *bold* _it_ ~no~ `code`";
        let out = escape_mrkdwn(hostile);
        for live in ['<', '>', '*', '_', '~', '`'] {
            assert!(!out.contains(live), "{live} left in {out}");
        }
        assert!(no_edge_underscore(&out));
        assert!(
            !out.replace("&amp;", "")
                .replace("&lt;", "")
                .replace("&gt;", "")
                .contains('&')
        );
        assert_eq!(
            out,
            "&lt;!channel&gt; &lt;@U0ADMIN&gt; &lt;http://x|y&gt; &amp; \u{2217}bold\u{2217} \
             \u{02CD}it\u{02CD} \u{223C}no\u{223C} \u{2035}code\u{2035}"
        );
        // An underscore inside a word cannot format and stays.
        assert_eq!(
            escape_mrkdwn("America/New_York SLACK_APP_TOKEN"),
            "America/New_York SLACK_APP_TOKEN"
        );
        assert_eq!(escape_mrkdwn("_a_b_"), "\u{02CD}a_b\u{02CD}");
        // Look-alikes count as one character each when truncating.
        assert_eq!(escape_and_truncate("*a*", 3), "\u{2217}a\u{2217}");
    }

    #[test]
    fn escape_replaces_the_three_characters() {
        assert_eq!(escape_mrkdwn("a & b < c > d"), "a &amp; b &lt; c &gt; d");
        assert_eq!(escape_mrkdwn("plain"), "plain");
        assert!(matches!(escape_mrkdwn("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_mrkdwn(""), "");
        // Already-escaped text is escaped again: escape raw text exactly once.
        assert_eq!(escape_mrkdwn("&amp;"), "&amp;amp;");
    }

    #[test]
    fn escape_and_truncate_fits_and_keeps_entities_whole() {
        assert_eq!(escape_and_truncate("R&D", 7), "R&amp;D");
        // "R&amp;D" is 7 chars; with 6, one goes to "…" and the entity cannot
        // be half-kept, so it is dropped whole.
        assert_eq!(escape_and_truncate("R&D", 6), "R…");
        assert_eq!(escape_and_truncate("R&DX", 7), "R&amp;…");
        assert_eq!(escape_and_truncate("R&D", 5), "R…");
        assert_eq!(escape_and_truncate("R&D", 2), "R…");
        assert_eq!(escape_and_truncate("R&D", 1), "…");
        assert_eq!(escape_and_truncate("R&D", 0), "");
        assert_eq!(escape_and_truncate("", 0), "");
        assert_eq!(escape_and_truncate("<<<<", 9), "&lt;&lt;…");
    }

    #[test]
    fn escape_and_truncate_exact_length_is_not_cut() {
        let s = "a<b"; // escapes to "a&lt;b", 6 chars
        assert_eq!(escape_and_truncate(s, 6), "a&lt;b");
        assert_eq!(escape_and_truncate(s, 5), "a…");
    }

    #[test]
    fn escape_and_truncate_multibyte() {
        assert_eq!(escape_and_truncate("🎉&🎉", 7), "🎉&amp;🎉");
        assert_eq!(escape_and_truncate("🎉&🎉", 6), "🎉…");
        assert_eq!(escape_and_truncate("🎉&🎉🎉", 7), "🎉&amp;…");
    }

    #[test]
    fn truncate_mrkdwn_does_not_cut_entities() {
        let s = "Tom &amp; Jerry";
        assert_eq!(truncate_mrkdwn(s, 15), s);
        assert_eq!(truncate_mrkdwn(s, 8), "Tom…"); // would end in "&am"
        assert_eq!(truncate_mrkdwn(s, 10), "Tom &amp;…");
    }

    #[test]
    fn truncate_mrkdwn_does_not_cut_links() {
        let s = "See <https://example.com/a/long/path|the docs> now";
        assert_eq!(truncate_mrkdwn(s, 20), "See…");
        let whole_link = "See <https://example.com/a/long/path|the docs>";
        assert_eq!(
            truncate_mrkdwn(s, char_count(whole_link) + 1),
            format!("{whole_link}…")
        );
        assert_eq!(truncate_mrkdwn("<@U0ALICE001> said hi", 8), "…");
        // A raw `&` inside a complete link's URL is not a cut entity.
        let s = "<https://x.example/?a=1&b=2|PR> merged today";
        assert_eq!(
            truncate_mrkdwn(s, 39),
            "<https://x.example/?a=1&b=2|PR> merged…"
        );
    }

    #[test]
    fn truncate_mrkdwn_edges() {
        assert_eq!(truncate_mrkdwn("", 0), "");
        assert_eq!(truncate_mrkdwn("abc", 0), "");
        assert_eq!(truncate_mrkdwn("abc", 1), "…");
        assert_eq!(truncate_mrkdwn("abc", 3), "abc");
        assert_eq!(truncate_mrkdwn("abcd", 3), "ab…");
        assert_eq!(truncate_mrkdwn("🎉🎉🎉🎉", 2), "🎉…");
    }

    #[test]
    fn and_more_wording() {
        assert_eq!(and_more(7), "…and 7 more");
    }

    #[test]
    fn join_lines_all_fit() {
        assert_eq!(join_lines_within(&["a", "b", "c"], 5), "a\nb\nc");
        assert_eq!(join_lines_within::<&str>(&[], 5), "");
        assert_eq!(join_lines_within(&[""], 0), "");
    }

    #[test]
    fn join_lines_adds_and_more() {
        let lines = ["alpha", "beta", "gamma", "delta", "epsilon"];
        // "alpha\n…and 4 more" is 17 chars.
        assert_eq!(join_lines_within(&lines, 17), "alpha\n…and 4 more");
        assert_eq!(join_lines_within(&lines, 21), "alpha\n…and 4 more");
        assert_eq!(join_lines_within(&lines, 22), "alpha\nbeta\n…and 3 more");
        // Exactly the full length: nothing is dropped.
        assert_eq!(
            join_lines_within(&lines, 30),
            "alpha\nbeta\ngamma\ndelta\nepsilon"
        );
        assert_eq!(
            join_lines_within(&lines, 29),
            "alpha\nbeta\ngamma\n…and 2 more"
        );
    }

    #[test]
    fn join_lines_cuts_a_long_first_line() {
        let lines = ["a very long first line", "b"];
        let out = join_lines_within(&lines, 20);
        assert_eq!(out, "a very…\n…and 1 more");
        assert!(char_count(&out) <= 20);
        assert_eq!(join_lines_within(&["abcdef"], 4), "abc…");
        assert_eq!(join_lines_within(&["abcdef", "x"], 3), "ab…");
        assert_eq!(join_lines_within(&["abcdef", "x"], 0), "");
    }
}
