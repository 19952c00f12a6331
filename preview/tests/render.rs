//! The HTML preview: every block type draws its distinctive content, mrkdwn
//! becomes the right markup, hostile input stays text, and the crate's real
//! surfaces render without an "unsupported" box.

#![allow(clippy::unwrap_used)]

use blocks::home::{self, ProjectChooser, RepoChoice, RepoChooser, SetupChecklist, SetupTopic};
use blocks::kit::Image;
use blocks::{BetterWhen, Block, Button, Change, StatCard, Surface};
use preview::{PreviewKind, index, mrkdwn_html, page};
use proptest::prelude::*;
use serde_json::{Value, json};

const MESSAGE: PreviewKind = PreviewKind::Message { ephemeral: false };

/// Tags the preview may emit; anything else after a `<` is an injection.
const KNOWN_TAGS: &[&str] = &[
    "!DOCTYPE",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "nav",
    "section",
    "div",
    "span",
    "p",
    "h1",
    "h2",
    "h3",
    "hr",
    "br",
    "b",
    "i",
    "s",
    "code",
    "pre",
    "blockquote",
    "a",
    "img",
    "button",
    "input",
    "textarea",
    "ul",
    "ol",
    "li",
];

const KNOWN_ATTRS: &[&str] = &[
    "class",
    "href",
    "src",
    "alt",
    "type",
    "role",
    "lang",
    "charset",
    "name",
    "content",
    "style",
    "target",
    "rel",
    "rows",
    "readonly",
    "placeholder",
    "value",
];

/// Every `<…>` tag in `html`, from `<` to the next `>`.
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open..];
        let close = after.find('>').expect("a `<` with no `>` after it");
        out.push(&after[..=close]);
        rest = &after[close + 1..];
    }
    out
}

/// The tag's name, without `<`, `/` and attributes.
fn tag_name(tag: &str) -> &str {
    let inner = tag.trim_start_matches('<').trim_start_matches('/');
    let end = inner
        .find(|c: char| c.is_whitespace() || c == '>')
        .unwrap_or(inner.len());
    &inner[..end]
}

/// `(name, value)` of every attribute of a tag whose values are all quoted.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let body = tag
        .trim_start_matches('<')
        .trim_start_matches('/')
        .trim_end_matches('>');
    let name_len = tag_name(tag).len();
    let mut rest = body[name_len..].trim_start();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = rest[..end].to_owned();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix("=\"") {
            let close = after.find('"').expect("unterminated attribute value");
            value = after[..close].to_owned();
            rest = &after[close + 1..];
        } else {
            assert!(!rest.starts_with('='), "unquoted attribute value in {tag}");
        }
        out.push((name, value));
        rest = rest.trim_start();
    }
    out
}

/// Only known tags and attributes, no event handlers, no script, and links
/// only to the web or Slack.
fn assert_safe(html: &str) {
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    for tag in tags(html) {
        let name = tag_name(tag);
        assert!(KNOWN_TAGS.contains(&name), "unknown tag {tag} in {html}");
        if name == "!DOCTYPE" {
            assert_eq!(tag, "<!DOCTYPE html>");
            continue;
        }
        for (attr, value) in attributes(tag) {
            assert!(
                KNOWN_ATTRS.contains(&attr.as_str())
                    || attr.starts_with("data-")
                    || attr.starts_with("aria-"),
                "unexpected attribute {attr} in {tag}"
            );
            assert!(!attr.starts_with("on"), "{tag}");
            let lower = value.to_ascii_lowercase();
            if attr == "href" {
                let scheme_part = lower.split(['/', '?', '#']).next().unwrap_or("");
                assert!(
                    lower.starts_with("http://")
                        || lower.starts_with("https://")
                        || lower.starts_with("slack://")
                        || !scheme_part.contains(':'),
                    "unsafe href in {tag}"
                );
            }
            if attr == "src" {
                assert!(
                    lower.starts_with("http://")
                        || lower.starts_with("https://")
                        || lower.starts_with("data:image/")
                        || lower.starts_with('/'),
                    "unsafe src in {tag}"
                );
            }
            assert!(
                !(attr == "href" && lower.starts_with("javascript:")),
                "{tag}"
            );
        }
    }
}

/// Tags open and close in order (`br`, `hr`, `img`, `input`, `meta` are void).
fn assert_balanced(html: &str) {
    let mut stack: Vec<&str> = Vec::new();
    for tag in tags(html) {
        let name = tag_name(tag);
        if ["br", "hr", "img", "input", "meta", "!DOCTYPE"].contains(&name) {
            continue;
        }
        if tag.starts_with("</") {
            assert_eq!(stack.pop(), Some(name), "unbalanced {tag} in {html}");
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?} in {html}");
}

fn no_unsupported(html: &str) {
    assert!(!html.contains("unsupported block"), "{html}");
    assert!(!html.contains("unsupported element"), "{html}");
}

fn message(blocks: Value) -> String {
    let html = page("Test", &json!({ "blocks": blocks }), MESSAGE);
    assert_safe(&html);
    assert_balanced(&html);
    html
}

fn json_of(surface: &Surface) -> Value {
    serde_json::to_value(surface).unwrap()
}

// ---------------------------------------------------------------------------
// Page frames
// ---------------------------------------------------------------------------

#[test]
fn message_frame_shows_the_app_and_escapes_the_title() {
    let html = page("<Dash> & co", &json!({"blocks": []}), MESSAGE);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta name=\"viewport\""));
    assert!(html.contains("<title>&lt;Dash&gt; &amp; co · aimpact preview</title>"));
    assert!(html.contains("<span class=\"app-name\">aimpact</span>"));
    assert!(html.contains(">APP</span>"));
    assert!(html.contains("data-surface=\"message\""));
    assert!(!html.contains("Only visible to you"));
    assert!(!html.contains("<script"));
    assert_safe(&html);
    assert_balanced(&html);
}

#[test]
fn ephemeral_messages_say_only_visible_to_you() {
    let html = page(
        "t",
        &json!({"blocks": [{"type": "divider"}]}),
        PreviewKind::Message { ephemeral: true },
    );
    assert!(html.contains("Only visible to you"));
    assert!(html.contains("data-block-type=\"divider\""));
}

#[test]
fn home_frame_has_the_home_tab() {
    let html = page(
        "Home",
        &json!({"type": "home", "blocks": [{"type": "divider"}]}),
        PreviewKind::Home,
    );
    assert!(html.contains("data-surface=\"home\""));
    assert!(html.contains("<span class=\"tab active\">Home</span>"));
    assert!(html.contains("App Home"));
    assert_balanced(&html);
}

#[test]
fn modal_frame_shows_title_submit_and_close() {
    let view = Surface::modal("Choose repos")
        .with_submit("Save")
        .with_close("Not now")
        .with_block(Block::section("Pick some"));
    let html = page("Modal", &json_of(&view), PreviewKind::Modal);
    assert!(html.contains("<span class=\"modal-title\">Choose repos</span>"));
    assert!(
        html.contains("<button type=\"button\" class=\"btn primary modal-submit\">Save</button>")
    );
    assert!(html.contains("<button type=\"button\" class=\"btn modal-close\">Not now</button>"));
    assert!(html.contains("Pick some"));
    assert_safe(&html);
    assert_balanced(&html);
}

#[test]
fn modal_without_submit_or_title_still_renders_and_says_so() {
    let html = page(
        "m",
        &json!({"type": "modal", "blocks": []}),
        PreviewKind::Modal,
    );
    assert!(html.contains("(missing title)"));
    assert!(html.contains(">Cancel</button>"));
    assert!(!html.contains("modal-submit"));
}

#[test]
fn surfaces_without_blocks_are_flagged() {
    let html = page("x", &json!({"type": "home"}), PreviewKind::Home);
    assert!(html.contains("unsupported block: surface"));
    let html = page("x", &json!("just a string"), MESSAGE);
    assert!(html.contains("unsupported block: surface"));
    // A text-only message shows its text.
    let html = page("x", &json!({"text": "*hi* there"}), MESSAGE);
    assert!(html.contains("<b>hi</b> there"));
    // A bare block list is accepted.
    let html = page("x", &json!([{"type": "divider"}]), MESSAGE);
    assert!(html.contains("data-block-type=\"divider\""));
}

// ---------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------

#[test]
fn header_block() {
    let html = message(json!([{
        "type": "header", "block_id": "h1",
        "text": {"type": "plain_text", "text": "Engineering overview :bar_chart:", "emoji": true}
    }]));
    assert!(html.contains("data-block-type=\"header\" data-block-id=\"h1\""));
    assert!(html.contains("<h3 class=\"header\">Engineering overview \u{1F4CA}</h3>"));
}

#[test]
fn plain_text_without_emoji_keeps_shortcodes() {
    let html = message(json!([{
        "type": "header",
        "text": {"type": "plain_text", "text": "Hi :wave: *not bold*", "emoji": false}
    }]));
    assert!(html.contains("Hi :wave: *not bold*"));
}

#[test]
fn section_with_text_fields_and_button_accessory() {
    let html = message(json!([{
        "type": "section", "block_id": "s1",
        "text": {"type": "mrkdwn", "text": "*PRs merged*"},
        "fields": [
            {"type": "mrkdwn", "text": "*Who*"},
            {"type": "mrkdwn", "text": "*How many*"},
            {"type": "plain_text", "text": "alice"},
            {"type": "plain_text", "text": "12"}
        ],
        "accessory": {"type": "button", "action_id": "connect", "text": {"type": "plain_text", "text": "Connect GitHub"}, "style": "primary", "value": "x"}
    }]));
    assert!(html.contains("data-block-type=\"section\" data-block-id=\"s1\""));
    assert!(html.contains("<div class=\"s-text\"><b>PRs merged</b></div>"));
    assert!(html.contains("<div class=\"fields\"><div class=\"field\"><b>Who</b></div>"));
    assert_eq!(html.matches("class=\"field\"").count(), 4);
    assert!(html.contains(
        "<div class=\"accessory\"><button type=\"button\" class=\"btn primary\" data-action-id=\"connect\">Connect GitHub</button></div>"
    ));
}

#[test]
fn section_accessories_image_select_and_overflow() {
    let html = message(json!([
        {"type": "section", "text": {"type": "mrkdwn", "text": "a"},
         "accessory": {"type": "image", "image_url": "https://img.test/a.png", "alt_text": "avatar"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "b"},
         "accessory": {"type": "static_select", "action_id": "pick",
                       "placeholder": {"type": "plain_text", "text": "Choose"},
                       "options": [{"text": {"type": "plain_text", "text": "One"}, "value": "1"}]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "c"},
         "accessory": {"type": "overflow", "action_id": "more",
                       "options": [{"text": {"type": "plain_text", "text": "Edit"}, "value": "e"}]}}
    ]));
    assert!(html.contains("<img class=\"thumb\" src=\"https://img.test/a.png\" alt=\"avatar\">"));
    assert!(html.contains("data-action-id=\"pick\"><span class=\"ph\">Choose</span>"));
    assert!(html.contains("data-action-id=\"more\">\u{22EF}</button>"));
    no_unsupported(&html);
}

#[test]
fn section_needs_text_or_fields() {
    let html = message(json!([{"type": "section", "block_id": "bad"}]));
    assert!(html.contains("unsupported block: section"));
    assert!(html.contains("data-block-id=\"bad\""));
}

#[test]
fn context_block_with_text_and_image() {
    let html = message(json!([{
        "type": "context",
        "elements": [
            {"type": "image", "image_url": "https://img.test/i.png", "alt_text": "icon"},
            {"type": "mrkdwn", "text": "Synced _6 min_ ago"},
            {"type": "plain_text", "text": "212 PRs"}
        ]
    }]));
    assert!(html.contains("data-block-type=\"context\""));
    assert!(html.contains("<img class=\"ctx-img\" src=\"https://img.test/i.png\" alt=\"icon\">"));
    assert!(html.contains("<span class=\"ctx-text\">Synced <i>6 min</i> ago</span>"));
    assert!(html.contains("<span class=\"ctx-text\">212 PRs</span>"));
}

#[test]
fn divider_block() {
    let html = message(json!([{"type": "divider", "block_id": "d"}]));
    assert!(
        html.contains("data-block-type=\"divider\" data-block-id=\"d\"><hr class=\"divider\">")
    );
}

#[test]
fn image_block_from_url_has_data_chart_src_and_alt() {
    let image = Image::from_url(
        "https://charts.test/c.png?a=1&b=2",
        "PRs merged per week: 10, 12, 15",
    )
    .with_title("PRs merged");
    let surface = Surface::message().with_block(Block::image(image).with_block_id("chart_1"));
    let html = page("c", &json_of(&surface), MESSAGE);
    assert!(html.contains("data-block-type=\"image\" data-block-id=\"chart_1\""));
    assert!(html.contains("<div class=\"image-title\">PRs merged"));
    assert!(html.contains(
        "<img class=\"chart\" data-chart src=\"https://charts.test/c.png?a=1&amp;b=2\" alt=\"PRs merged per week: 10, 12, 15\">"
    ));
    for tag in tags(&html).into_iter().filter(|t| t.starts_with("<img")) {
        assert!(tag.contains(" data-chart "), "{tag}");
    }
    assert_safe(&html);
}

#[test]
fn image_block_from_slack_file_is_a_placeholder() {
    let image = Image::from_slack_file("F0123ABCDEF", "Cycle time trend");
    let surface = Surface::message().with_block(Block::image(image));
    let html = page("c", &json_of(&surface), MESSAGE);
    assert!(html.contains("slack_file F0123ABCDEF"));
    assert!(html.contains("aria-label=\"Cycle time trend\""));
    assert!(!html.contains("<img"));
    no_unsupported(&html);
}

#[test]
fn image_block_local_and_data_urls_load_but_javascript_does_not() {
    let html = message(json!([
        {"type": "image", "image_url": "/preview/charts/1.png", "alt_text": "local"},
        {"type": "image", "image_url": "data:image/png;base64,AAAA", "alt_text": "inline"},
        {"type": "image", "image_url": "javascript:alert(1)", "alt_text": "bad"}
    ]));
    assert!(html.contains("src=\"/preview/charts/1.png\""));
    assert!(html.contains("src=\"data:image/png;base64,AAAA\""));
    assert_eq!(html.matches("<img").count(), 2);
    assert!(html.contains("image not loaded"));
}

#[test]
fn actions_block_buttons_and_selects() {
    let html = message(json!([{
        "type": "actions", "block_id": "controls",
        "elements": [
            {"type": "button", "action_id": "yes", "text": {"type": "plain_text", "text": "Yes"}, "style": "primary"},
            {"type": "button", "action_id": "del", "text": {"type": "plain_text", "text": "Delete"}, "style": "danger"},
            {"type": "button", "action_id": "open", "text": {"type": "plain_text", "text": "Open"}, "url": "https://github.com/acme"},
            {"type": "static_select", "action_id": "range",
             "placeholder": {"type": "plain_text", "text": "Range"},
             "options": [{"text": {"type": "plain_text", "text": "Last 30 days"}, "value": "30d"}],
             "initial_option": {"text": {"type": "plain_text", "text": "Last 30 days"}, "value": "30d"}},
            {"type": "external_select", "action_id": "ext", "placeholder": {"type": "plain_text", "text": "Search repos"}},
            {"type": "multi_static_select", "action_id": "multi",
             "options": [{"text": {"type": "plain_text", "text": "api"}, "value": "1"}, {"text": {"type": "plain_text", "text": "web"}, "value": "2"}],
             "initial_options": [{"text": {"type": "plain_text", "text": "web"}, "value": "2"}]},
            {"type": "users_select", "action_id": "who", "initial_user": "U0ALICE"},
            {"type": "conversations_select", "action_id": "where", "placeholder": {"type": "plain_text", "text": "Pick a channel"}},
            {"type": "datepicker", "action_id": "day", "initial_date": "2025-01-31"},
            {"type": "timepicker", "action_id": "at", "initial_time": "09:30"},
            {"type": "overflow", "action_id": "more", "options": []}
        ]
    }]));
    assert!(html.contains("data-block-type=\"actions\" data-block-id=\"controls\""));
    assert!(html.contains("class=\"btn primary\" data-action-id=\"yes\">Yes</button>"));
    assert!(html.contains("class=\"btn danger\" data-action-id=\"del\">Delete</button>"));
    assert!(html.contains(
        "<a class=\"btn\" data-action-id=\"open\" href=\"https://github.com/acme\">Open</a>"
    ));
    assert!(html.contains("data-action-id=\"range\"><span class=\"sel-val\">Last 30 days</span>"));
    assert!(html.contains("data-action-id=\"ext\"><span class=\"ph\">Search repos</span>"));
    assert!(html.contains("<span class=\"chip\">web "));
    assert!(!html.contains("<span class=\"chip\">api"));
    assert!(html.contains("<span class=\"mention\">@U0ALICE</span>"));
    assert!(html.contains("<span class=\"ph\">Pick a channel</span>"));
    assert!(html.contains("<span class=\"sel-val\">2025-01-31</span>"));
    assert!(html.contains("<span class=\"sel-val\">09:30</span>"));
    assert!(html.contains("\u{22EF}"));
    no_unsupported(&html);
}

#[test]
fn radio_buttons_and_checkboxes_mark_the_chosen() {
    let opt = |label: &str, value: &str| json!({"text": {"type": "plain_text", "text": label}, "value": value});
    let html = message(json!([{
        "type": "actions",
        "elements": [
            {"type": "radio_buttons", "action_id": "r", "options": [opt("All", "all"), opt("Chosen", "some")], "initial_option": opt("Chosen", "some")},
            {"type": "checkboxes", "action_id": "c", "options": [opt("Weekly", "w"), opt("Daily", "d")], "initial_options": [opt("Weekly", "w")]}
        ]
    }]));
    assert!(html.contains("<div class=\"choice\"><span class=\"mark\">\u{25CB}</span><span class=\"choice-text\">All</span></div>"));
    assert!(html.contains("<div class=\"choice checked\"><span class=\"mark\">\u{25C9}</span><span class=\"choice-text\">Chosen</span></div>"));
    assert!(html.contains("<div class=\"choice checked\"><span class=\"mark\">\u{2611}</span><span class=\"choice-text\">Weekly</span></div>"));
    assert!(html.contains("<div class=\"choice\"><span class=\"mark\">\u{2610}</span><span class=\"choice-text\">Daily</span></div>"));
}

#[test]
fn input_blocks_label_optional_hint_and_elements() {
    let html = message(json!([
        {"type": "input", "block_id": "token", "label": {"type": "plain_text", "text": "API token"},
         "hint": {"type": "plain_text", "text": "From id.atlassian.com"},
         "element": {"type": "plain_text_input", "action_id": "t", "placeholder": {"type": "plain_text", "text": "Paste it"}}},
        {"type": "input", "block_id": "notes", "optional": true, "label": {"type": "plain_text", "text": "Notes"},
         "element": {"type": "plain_text_input", "action_id": "n", "multiline": true, "initial_value": "a <b>"}},
        {"type": "input", "block_id": "pick", "label": {"type": "plain_text", "text": "Repos"},
         "element": {"type": "multi_external_select", "action_id": "m", "placeholder": {"type": "plain_text", "text": "Search"}}},
        {"type": "input", "block_id": "radio", "label": {"type": "plain_text", "text": "Which"},
         "element": {"type": "radio_buttons", "action_id": "w", "options": [{"text": {"type": "mrkdwn", "text": "*All*"}, "value": "a", "description": {"type": "plain_text", "text": "every repo"}}]}},
        {"type": "input", "block_id": "boxes", "label": {"type": "plain_text", "text": "Days"},
         "element": {"type": "checkboxes", "action_id": "d", "options": [{"text": {"type": "plain_text", "text": "Mon"}, "value": "1"}]}}
    ]));
    assert!(html.contains("data-block-type=\"input\" data-block-id=\"token\""));
    assert!(html.contains("<div class=\"input-label\">API token</div>"));
    assert!(html.contains("<div class=\"hint\">From id.atlassian.com</div>"));
    assert!(
        html.contains("<input class=\"textinput\" type=\"text\" readonly data-action-id=\"t\"")
    );
    assert!(html.contains("placeholder=\"Paste it\""));
    assert!(html.contains("Notes <span class=\"optional\">(optional)</span>"));
    assert!(html.contains(">a &lt;b&gt;</textarea>"));
    assert!(html.contains("<span class=\"ph\">Search</span>"));
    assert!(html.contains("<b>All</b><span class=\"choice-desc\">every repo</span>"));
    assert!(html.contains("\u{2610}</span><span class=\"choice-text\">Mon</span>"));
    no_unsupported(&html);
}

#[test]
fn input_without_element_is_flagged() {
    let html = message(json!([{"type": "input", "label": {"type": "plain_text", "text": "x"}}]));
    assert!(html.contains("unsupported block: input \u{2014} missing element"));
}

#[test]
fn rich_text_block() {
    let html = message(json!([{
        "type": "rich_text",
        "elements": [
            {"type": "rich_text_section", "elements": [
                {"type": "text", "text": "Hello "},
                {"type": "text", "text": "world", "style": {"bold": true}},
                {"type": "emoji", "name": "tada"},
                {"type": "user", "user_id": "U1"},
                {"type": "link", "url": "https://x.test", "text": "site"}
            ]},
            {"type": "rich_text_list", "style": "bullet", "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "item one"}]}
            ]},
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
            {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "let x = 1;"}]}
        ]
    }]));
    assert!(html.contains("data-block-type=\"rich_text\""));
    assert!(html.contains("Hello <b>world</b>\u{1F389}<span class=\"mention\">@U1</span>"));
    assert!(html.contains(">site</a>"));
    assert!(html.contains("<li><div class=\"rt-section\">item one</div></li>"));
    assert!(html.contains("<blockquote>quoted</blockquote>"));
    assert!(html.contains("<pre>let x = 1;</pre>"));
    no_unsupported(&html);
}

#[test]
fn unknown_and_malformed_blocks_show_a_dashed_box() {
    let html = message(json!([
        {"type": "video", "block_id": "v1"},
        {"type": "header"},
        {"type": "header", "text": {"type": "mrkdwn"}},
        {"type": "image", "alt_text": "x"},
        {"type": "context", "elements": "nope"},
        {"type": "actions", "elements": [{"type": "workflow_button"}, 7]},
        {"no": "type"},
        null,
        42
    ]));
    assert!(html.contains("unsupported block: video"));
    assert!(html.contains("data-block-id=\"v1\""));
    assert!(html.contains("unsupported block: header \u{2014} missing text"));
    assert!(html.contains("unsupported block: header \u{2014} text is not a text object"));
    assert!(html.contains("unsupported block: image \u{2014} needs image_url or slack_file"));
    assert!(html.contains("unsupported block: context"));
    assert!(html.contains("unsupported element: workflow_button"));
    assert!(html.contains("unsupported element: (not an object)"));
    assert!(html.contains("unsupported block: (no type)"));
    assert_eq!(
        html.matches("unsupported block: (not an object)").count(),
        2
    );
}

#[test]
fn every_block_carries_its_type() {
    let html = message(json!([
        {"type": "header", "text": {"type": "plain_text", "text": "h"}},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn", "text": "s"}}
    ]));
    let types: Vec<&str> = html
        .match_indices("data-block-type=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(types, ["header", "divider", "section"]);
}

// ---------------------------------------------------------------------------
// mrkdwn
// ---------------------------------------------------------------------------

const LINK_ATTRS: &str = "target=\"_blank\" rel=\"noopener noreferrer\"";

#[test]
fn mrkdwn_formatting_table() {
    let link = |href: &str, label: &str| format!("<a href=\"{href}\" {LINK_ATTRS}>{label}</a>");
    let cases: Vec<(&str, String)> = vec![
        ("plain", "plain".into()),
        ("*bold*", "<b>bold</b>".into()),
        ("_italic_", "<i>italic</i>".into()),
        ("~strike~", "<s>strike</s>".into()),
        ("`code`", "<code>code</code>".into()),
        ("`a &lt; b`", "<code>a &lt; b</code>".into()),
        ("`*not bold*`", "<code>*not bold*</code>".into()),
        (
            "```let x = 1;\nlet y = 2;```",
            "<pre>let x = 1;\nlet y = 2;</pre>".into(),
        ),
        (
            "before\n```\npre\n```\nafter",
            "before<pre>pre\n</pre>after".into(),
        ),
        ("> quoted\nnot", "<blockquote>quoted</blockquote>not".into()),
        ("> one\n> two", "<blockquote>one<br>two</blockquote>".into()),
        (
            "&gt; escaped quote",
            "<blockquote>escaped quote</blockquote>".into(),
        ),
        ("a\nb", "a<br>b".into()),
        ("a\n\nb", "a<br><br>b".into()),
        (
            "*bold _and italic_*",
            "<b>bold <i>and italic</i></b>".into(),
        ),
        (
            "*bold* and _it_ and ~s~",
            "<b>bold</b> and <i>it</i> and <s>s</s>".into(),
        ),
        ("2 * 3 * 4", "2 * 3 * 4".into()),
        ("snake_case_name", "snake_case_name".into()),
        ("**", "**".into()),
        ("*unclosed", "*unclosed".into()),
        ("<https://x.test|label>", link("https://x.test", "label")),
        ("<https://x.test>", link("https://x.test", "https://x.test")),
        (
            "<https://x.test/?a=1&amp;b=2|q&amp;a>",
            link("https://x.test/?a=1&amp;b=2", "q&amp;a"),
        ),
        (
            "<slack://open|Open Slack>",
            link("slack://open", "Open Slack"),
        ),
        (
            "*<https://x.test|Bold link>*",
            format!("<b>{}</b>", link("https://x.test", "Bold link")),
        ),
        (
            "<https://x.test/a_b_c|x>",
            link("https://x.test/a_b_c", "x"),
        ),
        ("<@U123>", "<span class=\"mention\">@U123</span>".into()),
        (
            "<@U123|alice>",
            "<span class=\"mention\">@alice</span>".into(),
        ),
        ("<#C123>", "<span class=\"mention\">#C123</span>".into()),
        (
            "<#C123|general>",
            "<span class=\"mention\">#general</span>".into(),
        ),
        ("<!here>", "<span class=\"mention\">@here</span>".into()),
        (
            "<!channel>",
            "<span class=\"mention\">@channel</span>".into(),
        ),
        (
            "<!subteam^S1|@devs>",
            "<span class=\"mention\">@devs</span>".into(),
        ),
        ("<!date^1700000000^{date}|Nov 14>", "Nov 14".into()),
        (
            "<javascript:alert(1)|click>",
            "<span class=\"badlink\">click</span>".into(),
        ),
        (
            "<ftp://x.test>",
            "<span class=\"badlink\">ftp://x.test</span>".into(),
        ),
        ("A &amp; B &lt;C&gt;", "A &amp; B &lt;C&gt;".into()),
        ("&amp;lt;", "&amp;lt;".into()),
        ("R&D", "R&amp;D".into()),
        ("it's \"quoted\"", "it&#39;s &quot;quoted&quot;".into()),
        ("a < b", "a &lt; b".into()),
        ("<>", "&lt;&gt;".into()),
        (":tada: done", "\u{1F389} done".into()),
        (":white_check_mark: *Slack*", "\u{2705} <b>Slack</b>".into()),
        (":white_large_square:", "\u{2B1C}".into()),
        (":warning:", "\u{26A0}\u{FE0F}".into()),
        (":hourglass_flowing_sand:", "\u{23F3}".into()),
        (
            ":male-detective:",
            "\u{1F575}\u{FE0F}\u{200D}\u{2642}\u{FE0F}".into(),
        ),
        (":chart_with_upwards_trend:", "\u{1F4C8}".into()),
        (
            ":first_place_medal::second_place_medal::third_place_medal:",
            "\u{1F947}\u{1F948}\u{1F949}".into(),
        ),
        (
            ":thumbsup: :eyes: :fire: :trophy: :rocket:",
            "\u{1F44D} \u{1F440} \u{1F525} \u{1F3C6} \u{1F680}".into(),
        ),
        (":not_an_emoji:", ":not_an_emoji:".into()),
        (":nope:tada:", ":nope:tada:".into()),
        ("10:30:45", "10:30:45".into()),
    ];
    for (input, expected) in cases {
        assert_eq!(mrkdwn_html(input), expected, "input: {input:?}");
    }
}

#[test]
fn every_required_emoji_maps_to_unicode() {
    for name in [
        "tada",
        "white_check_mark",
        "white_large_square",
        "warning",
        "hourglass_flowing_sand",
        "male-detective",
        "chart_with_upwards_trend",
        "bar_chart",
        "wave",
        "x",
        "arrows_counterclockwise",
        "lock",
        "bulb",
        "rocket",
        "trophy",
        "first_place_medal",
        "second_place_medal",
        "third_place_medal",
        "fire",
        "thumbsup",
        "eyes",
    ] {
        let html = mrkdwn_html(&format!(":{name}:"));
        assert!(!html.contains(':'), "{name} stayed a shortcode: {html}");
        assert!(html.chars().all(|c| !c.is_ascii()), "{name}: {html}");
    }
}

// ---------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\"><img src=x onerror=alert(1)>",
    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "<javascript:alert(1)|click me>",
    "<JavaScript:alert(1)>",
    "<https://x.test\" onmouseover=\"alert(1)|x>",
    "<https://x.test/\"><script>alert(1)</script>|x>",
    "<data:text/html;base64,PHNjcmlwdD4=|x>",
    "<@U1\"><script>|x>",
    "*<script>*",
    "`<script>`",
    "```</pre><script>```",
    "> <img onerror=x>",
    "' onload='alert(1)",
    "</div></main><script>",
];

#[test]
fn hostile_mrkdwn_stays_text() {
    for input in HOSTILE {
        let html = mrkdwn_html(input);
        assert_safe(&html);
        assert_balanced(&html);
        assert!(!html.contains("<script"), "{input}: {html}");
        assert!(!html.contains("<img"), "{input}: {html}");
    }
}

#[test]
fn hostile_strings_everywhere_stay_text() {
    for input in HOSTILE {
        let t = |kind: &str| json!({"type": kind, "text": input});
        let surface = json!({
            "type": "modal",
            "title": t("plain_text"),
            "submit": t("plain_text"),
            "close": t("plain_text"),
            "blocks": [
                {"type": input, "block_id": input},
                {"type": "header", "block_id": input, "text": t("plain_text")},
                {"type": "section", "text": t("mrkdwn"), "fields": [t("mrkdwn"), t("plain_text")],
                 "accessory": {"type": "button", "action_id": input, "text": t("plain_text"), "url": input}},
                {"type": "context", "elements": [t("mrkdwn"), {"type": "image", "image_url": input, "alt_text": input}]},
                {"type": "image", "image_url": input, "alt_text": input, "title": t("plain_text")},
                {"type": "image", "slack_file": {"id": input}, "alt_text": input},
                {"type": "actions", "elements": [
                    {"type": "button", "action_id": input, "text": t("plain_text"), "url": "javascript:alert(1)"},
                    {"type": "static_select", "action_id": input, "placeholder": t("plain_text"), "initial_option": {"text": t("mrkdwn"), "value": input}},
                    {"type": "users_select", "initial_user": input},
                    {"type": "datepicker", "initial_date": input},
                    {"type": input}
                ]},
                {"type": "input", "label": t("plain_text"), "hint": t("plain_text"),
                 "element": {"type": "plain_text_input", "action_id": input, "initial_value": input, "placeholder": t("plain_text")}},
                {"type": "input", "label": t("plain_text"),
                 "element": {"type": "plain_text_input", "multiline": true, "initial_value": input}},
                {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
                    {"type": "text", "text": input},
                    {"type": "link", "url": input, "text": input},
                    {"type": "emoji", "name": input, "unicode": input},
                    {"type": "user", "user_id": input},
                    {"type": input}
                ]}]}
            ]
        });
        for kind in [MESSAGE, PreviewKind::Home, PreviewKind::Modal] {
            let html = page(input, &surface, kind);
            assert_safe(&html);
            assert_balanced(&html);
            assert!(!html.contains("<script"), "{input}");
            assert!(!html.contains("href=\"javascript"), "{input}");
        }
    }
}

#[test]
fn index_lists_links_grouped_in_first_seen_order() {
    let link = |g: &str, l: &str, h: &str| (g.to_owned(), l.to_owned(), h.to_owned());
    let html = index(
        "Previews",
        &[
            link("App Home", "Admin setup", "/preview/home/admin"),
            link("Modals", "Choose repos", "/preview/modal/repos"),
            link("App Home", "Developer welcome", "/preview/home/dev?x=1&y=2"),
            link("Modals", "Evil", "javascript:alert(1)"),
            link("<b>Group</b>", "<script>", "https://example.test/"),
        ],
    );
    assert_safe(&html);
    assert_balanced(&html);
    assert!(html.contains("<title>Previews · aimpact preview</title>"));
    assert!(html.contains("<h1>Previews</h1>"));
    let home = html.find("<h2>App Home</h2>").unwrap();
    let admin = html.find(">Admin setup</a>").unwrap();
    let dev = html.find(">Developer welcome</a>").unwrap();
    let modals = html.find("<h2>Modals</h2>").unwrap();
    let repos = html.find(">Choose repos</a>").unwrap();
    assert!(home < admin && admin < dev && dev < modals && modals < repos);
    assert_eq!(html.matches("<h2>").count(), 3);
    assert!(html.contains("<a href=\"/preview/home/dev?x=1&amp;y=2\">Developer welcome</a>"));
    assert!(html.contains("<span class=\"badlink\">Evil</span>"));
    assert!(!html.contains("href=\"javascript"));
    assert!(html.contains("<h2>&lt;b&gt;Group&lt;/b&gt;</h2>"));
    assert!(html.contains(">&lt;script&gt;</a>"));
    assert!(index("Empty", &[]).contains("Nothing to preview."));
}

// ---------------------------------------------------------------------------
// The crate's real surfaces
// ---------------------------------------------------------------------------

fn repos(n: usize) -> Vec<RepoChoice> {
    (0..n)
        .map(|i| RepoChoice {
            full_name: format!("acme/service-{i:03}"),
            value: (100 + i).to_string(),
        })
        .collect()
}

fn dashboard() -> blocks::dashboard::Dashboard {
    use blocks::dashboard::{Dashboard, Table};
    Dashboard {
        title: "Engineering overview · last 30 days".into(),
        context: "acme · 4 repositories · synced 6 min ago".into(),
        headline: "Cycle time is *down 14%* :chart_with_upwards_trend: while PRs merged is up."
            .into(),
        cards: vec![
            StatCard::new("PRs merged")
                .with_value("212")
                .with_change(Change::new(9.0, BetterWhen::Higher).compared_to("previous 30 days")),
            StatCard::new("Median cycle time")
                .with_value("3h 20m")
                .with_change(Change::new(-14.0, BetterWhen::Lower)),
        ],
        charts: vec![
            Image::from_url("https://charts.test/weekly.png", "PRs merged per week")
                .with_title("PRs merged per week"),
            Image::from_slack_file("F0123ABCDEF", "Cycle time trend"),
        ],
        notes: vec!["*Review load* is even across the team.".into()],
        tables: vec![Table {
            title: "Top reviewers".into(),
            columns: ("Who".into(), "Reviews".into()),
            rows: vec![
                ("alice".into(), "31".into()),
                ("bob <&>".into(), "12".into()),
            ],
        }],
        definition: "_Cycle time_: first commit → merge, median.".into(),
        range: "30d".into(),
        teams: vec![
            ("All teams".into(), "all".into()),
            ("Platform".into(), "t1".into()),
        ],
        team: "all".into(),
        share: Some("share:30d".into()),
        empty: None,
    }
}

fn real_surfaces() -> Vec<(&'static str, Surface, PreviewKind)> {
    let all = repos(3);
    let chooser = RepoChooser {
        tracked: vec![all[1].clone()],
        all,
        all_active: false,
    };
    let mut done = SetupChecklist::fresh(Some("U0ALICE001".into()));
    done.github = home::Step::Done("acme, 4 repositories".into());
    done.can_sync = true;
    let mut out = vec![
        (
            "admin setup",
            home::admin_setup(&SetupChecklist::fresh(Some("U1".into()))),
            PreviewKind::Home,
        ),
        (
            "admin setup, github done",
            home::admin_setup(&done),
            PreviewKind::Home,
        ),
        (
            "developer welcome",
            home::developer_welcome("Acme"),
            PreviewKind::Home,
        ),
        (
            "metrics help",
            blocks::help::metrics_help(None),
            PreviewKind::Message { ephemeral: true },
        ),
        ("github connect", home::github_connect(), PreviewKind::Modal),
        (
            "github app install",
            home::github_app_install("https://github.com/apps/aimpact/installations/new?state=a.b"),
            PreviewKind::Modal,
        ),
        (
            "repo chooser",
            home::repo_chooser(&chooser),
            PreviewKind::Modal,
        ),
        (
            "repo chooser, searched",
            home::repo_chooser(&RepoChooser {
                tracked: repos(101)[..90].to_vec(),
                all: repos(101),
                all_active: true,
            }),
            PreviewKind::Modal,
        ),
        ("jira connect", home::jira_connect(), PreviewKind::Modal),
        (
            "jira oauth",
            home::jira_oauth("https://auth.atlassian.com/authorize?a=1&b=2"),
            PreviewKind::Modal,
        ),
        (
            "project chooser",
            home::project_chooser(&ProjectChooser {
                projects: chooser.clone(),
                story_points_field: Some("customfield_10016".into()),
            }),
            PreviewKind::Modal,
        ),
        (
            "report ai issue",
            blocks::feedback::report_modal(&blocks::feedback::ReportForm {
                pr: Some(blocks::feedback::PrChoice {
                    label: "acme/api#42 Add retries".into(),
                    value: "7".into(),
                }),
                tool: Some("Cursor".into()),
                metadata: "{}".into(),
            }),
            PreviewKind::Modal,
        ),
        (
            "dashboard",
            blocks::dashboard::dashboard_message(&dashboard()),
            PreviewKind::Message { ephemeral: true },
        ),
        (
            "shared dashboard",
            blocks::dashboard::shared_message(&dashboard(), "U0BOB"),
            MESSAGE,
        ),
        (
            "home dashboard",
            blocks::dashboard::dashboard_home(
                vec![Block::section(":warning: Sync is behind")],
                &dashboard(),
                home::admin_setup(&done).into_blocks(),
            ),
            PreviewKind::Home,
        ),
    ];
    for topic in [
        SetupTopic::Github,
        SetupTopic::Repositories,
        SetupTopic::Jira,
        SetupTopic::People,
        SetupTopic::Surveys,
        SetupTopic::Leaderboard,
    ] {
        out.push(("setup info", home::setup_info(topic), PreviewKind::Modal));
    }
    out
}

#[test]
fn the_crates_surfaces_render_without_unsupported_boxes() {
    for (name, surface, kind) in real_surfaces() {
        let json = json_of(&surface);
        let html = page(name, &json, kind);
        no_unsupported(&html);
        assert_safe(&html);
        assert_balanced(&html);
        let blocks = json["blocks"].as_array().unwrap();
        assert_eq!(
            html.matches("data-block-type=").count(),
            blocks.len(),
            "{name}: one element per block"
        );
        // Shortcodes the app uses are drawn, not left as text.
        assert!(!html.contains(":white_check_mark:"), "{name}");
        assert!(!html.contains(":white_large_square:"), "{name}");
        assert!(!html.contains(":warning:"), "{name}");
    }
}

#[test]
fn admin_setup_checklist_looks_like_a_checklist() {
    let view = home::admin_setup(&SetupChecklist::fresh(Some("U1".into())));
    let html = page("Admin setup", &json_of(&view), PreviewKind::Home);
    assert!(html.contains("<h3 class=\"header\">Set up aimpact · 1 of 7 done</h3>"));
    assert!(
        html.contains("\u{2705} <b>Slack</b> — installed by <span class=\"mention\">@U1</span>")
    );
    assert!(html.contains("data-action-id=\"setup_github\">Connect GitHub</button>"));
    assert!(html.contains("class=\"btn primary\""));
}

#[test]
fn dashboard_shows_chart_images_and_controls() {
    let surface = blocks::dashboard::dashboard_message(&dashboard());
    let html = page("Dashboard", &json_of(&surface), MESSAGE);
    assert!(
        html.contains(
            "data-chart src=\"https://charts.test/weekly.png\" alt=\"PRs merged per week\""
        )
    );
    assert!(html.contains("slack_file F0123ABCDEF"));
    assert!(html.contains("data-block-id=\"metrics_controls\""));
    assert!(html.contains("<span class=\"sel-val\">Last 30 days</span>"));
    assert!(html.contains("<span class=\"sel-val\">All teams</span>"));
    assert!(html.contains(">Share in channel</button>"));
    assert!(html.contains("bob &lt;&amp;&gt;"));
}

/// Writes every real surface and an index page into `PREVIEW_SAMPLE_DIR`
/// when it is set, for looking at them in a browser.
#[test]
fn write_all_samples_when_asked() {
    let Some(dir) = std::env::var_os("PREVIEW_SAMPLE_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut links = Vec::new();
    for (n, (name, surface, kind)) in real_surfaces().into_iter().enumerate() {
        let file = format!("{n:02}.html");
        std::fs::write(dir.join(&file), page(name, &json_of(&surface), kind)).unwrap();
        let group = match kind {
            PreviewKind::Message { .. } => "Messages",
            PreviewKind::Home => "App Home",
            PreviewKind::Modal => "Modals",
        };
        links.push((group.to_owned(), name.to_owned(), file));
    }
    std::fs::write(dir.join("index.html"), index("Previews", &links)).unwrap();
}

/// Writes a sample page when `PREVIEW_SAMPLE` names a file, for looking at
/// the result in a browser: `PREVIEW_SAMPLE=/tmp/preview-sample.html cargo
/// test -p blocks --test preview write_sample`.
#[test]
fn write_sample_when_asked() {
    let Some(path) = std::env::var_os("PREVIEW_SAMPLE") else {
        return;
    };
    let chart = "data:image/svg+xml;utf8,%3Csvg xmlns='http://www.w3.org/2000/svg' width='560' height='240'%3E%3Crect width='560' height='240' fill='%23fff'/%3E%3Cpolyline fill='none' stroke='%231264a3' stroke-width='3' points='20,200 100,170 180,180 260,120 340,130 420,80 540,40'/%3E%3C/svg%3E";
    let mut d = dashboard();
    d.charts[0] = Image::from_url(chart, "PRs merged per week: rising from 10 to 31")
        .with_title("PRs merged per week");
    let mut surface = blocks::dashboard::dashboard_message(&d);
    surface.push(Block::section_with_button(
        "> Quoted _note_ with `code`, a <https://example.com|link> and <#C123|general>",
        Button::new("danger_demo", "Remove", "x").danger(),
    ));
    let html = page(
        "/metrics dashboard",
        &json_of(&surface),
        PreviewKind::Message { ephemeral: true },
    );
    std::fs::write(path, html).unwrap();
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z<>&;|*_~`:>@#!/ \n\"'=]{0,60}",
        proptest::collection::vec(
            prop_oneof![
                Just("<".to_owned()),
                Just(">".to_owned()),
                Just("*".to_owned()),
                Just("_".to_owned()),
                Just("~".to_owned()),
                Just("`".to_owned()),
                Just("```".to_owned()),
                Just("\n> ".to_owned()),
                Just("&amp;".to_owned()),
                Just("&lt;".to_owned()),
                Just("|".to_owned()),
                Just(":tada:".to_owned()),
                Just("https://x.test".to_owned()),
                Just("javascript:".to_owned()),
                Just("@U1".to_owned()),
                Just("\"".to_owned()),
                Just(" onerror=".to_owned()),
                Just("script".to_owned()),
                "[a-z ]{0,4}",
            ],
            0..24
        )
        .prop_map(|parts| parts.concat()),
    ]
}

/// Arbitrary JSON biased towards Block Kit's keys and type names.
fn value() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("type"),
        Just("text"),
        Just("blocks"),
        Just("elements"),
        Just("fields"),
        Just("accessory"),
        Just("element"),
        Just("label"),
        Just("options"),
        Just("initial_option"),
        Just("initial_options"),
        Just("image_url"),
        Just("slack_file"),
        Just("alt_text"),
        Just("title"),
        Just("style"),
        Just("url"),
        Just("placeholder"),
        Just("block_id"),
        Just("id"),
    ];
    let types = prop_oneof![
        Just("header"),
        Just("section"),
        Just("context"),
        Just("divider"),
        Just("image"),
        Just("actions"),
        Just("input"),
        Just("rich_text"),
        Just("rich_text_section"),
        Just("rich_text_list"),
        Just("mrkdwn"),
        Just("plain_text"),
        Just("button"),
        Just("static_select"),
        Just("radio_buttons"),
        Just("checkboxes"),
        Just("plain_text_input"),
        Just("text"),
        Just("emoji"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        types.prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((names.clone(), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

proptest! {
    // Failures print their minimal input; no regression file is written.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mrkdwn_never_injects_or_unbalances(s in text()) {
        let html = mrkdwn_html(&s);
        assert_safe(&html);
        assert_balanced(&html);
    }

    #[test]
    fn arbitrary_json_never_panics_or_injects(v in value(), title in text()) {
        for kind in [MESSAGE, PreviewKind::Home, PreviewKind::Modal] {
            let html = page(&title, &v, kind);
            assert_safe(&html);
            assert_balanced(&html);
            let wrapped = page(&title, &json!({"blocks": [v.clone()], "title": v.clone()}), kind);
            assert_safe(&wrapped);
            assert_balanced(&wrapped);
        }
    }

    #[test]
    fn arbitrary_index_never_injects(
        links in proptest::collection::vec((text(), text(), text()), 0..8)
    ) {
        let html = index("Previews", &links);
        assert_safe(&html);
        assert_balanced(&html);
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    let mut list =
        json!({"type": "rich_text_section", "elements": [{"type": "text", "text": "deep"}]});
    for _ in 0..500 {
        list = json!({"type": "rich_text_list", "elements": [list]});
    }
    let mut junk = json!("x");
    for _ in 0..500 {
        junk = json!({"type": "section", "text": {"type": "mrkdwn", "text": junk}});
    }
    let html = message(json!([{"type": "rich_text", "elements": [list]}, junk]));
    assert!(html.contains("nested too deep"));
}
