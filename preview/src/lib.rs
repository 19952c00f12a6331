//! A local, Slack-like HTML preview of Block Kit JSON, for judging layout
//! during development (the app serves it under `GET /preview/...`).
//!
//! Everything is rendered generically from the JSON, not from the typed
//! model, so the preview shows exactly what would be sent — including
//! shapes this crate does not build. Anything the renderer does not know,
//! or that is malformed (wrong types, missing required fields), becomes a
//! visible dashed "unsupported" box rather than disappearing.
//!
//! The output is one self-contained page: embedded CSS, no scripts, no
//! external assets other than the images the blocks point at. All text is
//! HTML-escaped; links are made only for `http(s)://` and `slack://`
//! targets, and images load only from `http(s)://`, `data:image/` or a
//! same-origin path, so no input can inject markup or script.
//!
//! Hooks for tests: every block is a `div` with `data-block-type` (and
//! `data-block-id` when the block has one), every interactive element has
//! `data-action-id`, and the `<img>` of an image block has `data-chart`.

use serde_json::{Map, Value};

/// Which Slack frame a surface is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewKind {
    /// A message posted by the app; `ephemeral` adds Slack's
    /// "Only visible to you" line.
    Message {
        /// Whether only the viewer can see the message.
        ephemeral: bool,
    },
    /// The App Home tab, under the app's "Home" tab header.
    Home,
    /// A modal dialog with the view's title, submit and close buttons.
    Modal,
}

impl PreviewKind {
    fn label(self) -> &'static str {
        match self {
            PreviewKind::Message { ephemeral: true } => "Ephemeral message",
            PreviewKind::Message { ephemeral: false } => "Message",
            PreviewKind::Home => "App Home",
            PreviewKind::Modal => "Modal",
        }
    }
}

/// The app's display name, as Slack shows it above its messages.
const APP_NAME: &str = "aimpact";

/// How deep rich text lists may nest before the rest is cut off.
const MAX_DEPTH: usize = 8;

/// A whole HTML page showing `surface` the way Slack would draw it as `kind`.
///
/// `surface` is what would be sent to Slack: `{"blocks": [...]}` for a
/// message or a view object (`{"type": "home" | "modal", "blocks": [...],
/// "title": ...}`); a bare array of blocks is accepted too. `title` names
/// the page (its `<title>` and the bar at the top). Never panics.
pub fn page(title: &str, surface: &Value, kind: PreviewKind) -> String {
    let blocks = surface_blocks(surface, kind);
    let body = match kind {
        PreviewKind::Message { ephemeral } => message_frame(&blocks, ephemeral),
        PreviewKind::Home => home_frame(&blocks),
        PreviewKind::Modal => modal_frame(surface, &blocks),
    };
    let mut out = String::with_capacity(body.len() + CSS.len() + 512);
    document_start(&mut out, title);
    out.push_str("<div class=\"preview-bar\"><b>");
    push_escaped(&mut out, title);
    out.push_str("</b> <span class=\"preview-kind\">");
    out.push_str(kind.label());
    out.push_str("</span></div>\n");
    let stage = match kind {
        PreviewKind::Modal => "stage modal-overlay",
        _ => "stage",
    };
    out.push_str("<main class=\"");
    out.push_str(stage);
    out.push_str("\">\n");
    out.push_str(&body);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A list page of preview links, grouped under a heading per group in
/// order of first appearance. Each entry is `(group, label, href)`; hrefs
/// may be relative paths or `http(s)://` URLs, anything else is shown as
/// text without a link.
pub fn index(title: &str, links: &[(String, String, String)]) -> String {
    let mut groups: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for (group, label, href) in links {
        match groups.iter_mut().find(|(g, _)| *g == group.as_str()) {
            Some((_, items)) => items.push((label, href)),
            None => groups.push((group, vec![(label, href)])),
        }
    }
    let mut out = String::new();
    document_start(&mut out, title);
    out.push_str("<main class=\"stage index\">\n<h1>");
    push_escaped(&mut out, title);
    out.push_str("</h1>\n");
    if groups.is_empty() {
        out.push_str("<p class=\"empty\">Nothing to preview.</p>\n");
    }
    for (group, items) in groups {
        out.push_str("<section class=\"group\">\n<h2>");
        push_escaped(&mut out, group);
        out.push_str("</h2>\n<ul>\n");
        for (label, href) in items {
            out.push_str("<li>");
            if safe_index_href(href) {
                out.push_str("<a href=\"");
                push_escaped(&mut out, href);
                out.push_str("\">");
                push_escaped(&mut out, label);
                out.push_str("</a>");
            } else {
                out.push_str("<span class=\"badlink\">");
                push_escaped(&mut out, label);
                out.push_str("</span> <span class=\"missing\">(link not shown: ");
                push_escaped(&mut out, href);
                out.push_str(")</span>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Slack mrkdwn as an HTML fragment: `*bold*`, `_italic_`, `~strike~`,
/// `` `code` ``, ```` ```pre``` ````, `>` quotes, `<url|label>` links,
/// `<@U…>`/`<#C…>`/`<!here>` mentions, emoji shortcodes, and newlines.
///
/// Slack's entities (`&amp;`, `&lt;`, `&gt;`) are decoded once and the
/// result HTML-escaped, so the fragment contains no markup but the tags
/// made here (`b i s code pre blockquote br a span`).
pub fn mrkdwn_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    loop {
        let Some(start) = rest.find("```") else {
            lines_html(rest, &mut out);
            break;
        };
        let after = &rest[start + 3..];
        let Some(len) = after.find("```") else {
            lines_html(rest, &mut out);
            break;
        };
        let before = &rest[..start];
        lines_html(before.strip_suffix('\n').unwrap_or(before), &mut out);
        let body = &after[..len];
        out.push_str("<pre>");
        push_literal(body.strip_prefix('\n').unwrap_or(body), &mut out);
        out.push_str("</pre>");
        let tail = &after[len + 3..];
        rest = tail.strip_prefix('\n').unwrap_or(tail);
        if rest.is_empty() {
            break;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Frames
// ---------------------------------------------------------------------------

fn document_start(out: &mut String, title: &str) {
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
    );
    push_escaped(out, title);
    out.push_str(" · aimpact preview</title>\n<style>\n");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n");
}

fn avatar(class: &str) -> String {
    format!("<div class=\"avatar {class}\" aria-hidden=\"true\">ai</div>")
}

fn message_frame(blocks: &str, ephemeral: bool) -> String {
    let mut out = String::from("<div class=\"frame message\" data-surface=\"message\">\n");
    if ephemeral {
        out.push_str(
            "<div class=\"ephemeral\"><span class=\"eye\">\u{1F441}\u{FE0F}</span> \
             Only visible to you</div>\n",
        );
    }
    out.push_str("<div class=\"msg\">");
    out.push_str(&avatar("avatar-msg"));
    out.push_str("<div class=\"msg-body\"><div class=\"msg-head\"><span class=\"app-name\">");
    out.push_str(APP_NAME);
    out.push_str(
        "</span><span class=\"app-badge\">APP</span><span class=\"time\">10:42 AM</span></div>\n\
         <div class=\"blocks\">\n",
    );
    out.push_str(blocks);
    out.push_str("</div></div></div>\n</div>\n");
    out
}

fn home_frame(blocks: &str) -> String {
    let mut out =
        String::from("<div class=\"frame home\" data-surface=\"home\">\n<div class=\"home-head\">");
    out.push_str(&avatar("avatar-home"));
    out.push_str("<span class=\"app-name\">");
    out.push_str(APP_NAME);
    out.push_str(
        "</span></div>\n<nav class=\"tabs\"><span class=\"tab active\">Home</span>\
         <span class=\"tab\">Messages</span><span class=\"tab\">About</span></nav>\n\
         <div class=\"blocks home-body\">\n",
    );
    out.push_str(blocks);
    out.push_str("</div>\n</div>\n");
    out
}

fn modal_frame(surface: &Value, blocks: &str) -> String {
    let mut out = String::from(
        "<div class=\"frame modal\" data-surface=\"modal\" role=\"dialog\">\n<div class=\"modal-head\">",
    );
    out.push_str(&avatar("avatar-modal"));
    out.push_str("<span class=\"modal-title\">");
    match surface.get("title").and_then(text_object) {
        Some(t) => out.push_str(&t),
        None => out.push_str("<span class=\"missing\">(missing title)</span>"),
    }
    out.push_str("</span><span class=\"modal-x\" aria-hidden=\"true\">\u{00D7}</span></div>\n<div class=\"blocks modal-body\">\n");
    out.push_str(blocks);
    out.push_str("</div>\n<div class=\"modal-foot\">");
    let close = surface
        .get("close")
        .and_then(text_object)
        .unwrap_or_else(|| "Cancel".to_owned());
    out.push_str("<button type=\"button\" class=\"btn modal-close\">");
    out.push_str(&close);
    out.push_str("</button>");
    if let Some(submit) = surface.get("submit").and_then(text_object) {
        out.push_str("<button type=\"button\" class=\"btn primary modal-submit\">");
        out.push_str(&submit);
        out.push_str("</button>");
    }
    out.push_str("</div>\n</div>\n");
    out
}

/// The blocks of a surface as HTML, or a visible note when there are none.
fn surface_blocks(surface: &Value, kind: PreviewKind) -> String {
    let mut out = String::new();
    let blocks = match surface {
        Value::Array(list) => Some(list),
        Value::Object(map) => map.get("blocks").and_then(Value::as_array),
        _ => None,
    };
    match blocks {
        Some(list) => {
            for block in list {
                block_html(block, &mut out);
            }
        }
        None => match surface.get("text").and_then(Value::as_str) {
            // A message may be text only; Slack shows it as mrkdwn.
            Some(text) if matches!(kind, PreviewKind::Message { .. }) => {
                out.push_str("<div class=\"block b-text\" data-block-type=\"text\">");
                out.push_str(&mrkdwn_html(text));
                out.push_str("</div>\n");
            }
            _ => unsupported_box(&mut out, "surface", None, "no blocks array"),
        },
    }
    if let Some(list) = surface.get("attachments").and_then(Value::as_array)
        && !list.is_empty()
    {
        unsupported_box(
            &mut out,
            "attachments",
            None,
            "legacy attachments are not previewed",
        );
    }
    out
}

// ---------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------

/// A reason a block or element could not be drawn.
type Drawn = Result<String, String>;

fn block_html(block: &Value, out: &mut String) {
    let Some(map) = block.as_object() else {
        unsupported_box(out, "(not an object)", None, "");
        return;
    };
    let id = map.get("block_id").and_then(Value::as_str);
    let Some(ty) = map.get("type").and_then(Value::as_str) else {
        unsupported_box(out, "(no type)", id, "");
        return;
    };
    let drawn = match ty {
        "header" => header_block(map),
        "section" => section_block(map),
        "context" => context_block(map),
        "divider" => Ok("<hr class=\"divider\">".to_owned()),
        "image" => image_block(map),
        "actions" => actions_block(map),
        "input" => input_block(map),
        "rich_text" => rich_text_block(map),
        _ => Err(String::new()),
    };
    match drawn {
        Ok(html) => {
            out.push_str("<div class=\"block b-");
            out.push_str(ty);
            out.push_str("\" data-block-type=\"");
            out.push_str(ty);
            out.push('"');
            push_block_id(out, id);
            out.push('>');
            out.push_str(&html);
            out.push_str("</div>\n");
        }
        Err(reason) => unsupported_box(out, ty, id, &reason),
    }
}

fn push_block_id(out: &mut String, id: Option<&str>) {
    if let Some(id) = id {
        out.push_str(" data-block-id=\"");
        push_escaped(out, id);
        out.push('"');
    }
}

/// The dashed box that makes an unknown or malformed block impossible to miss.
fn unsupported_box(out: &mut String, ty: &str, id: Option<&str>, reason: &str) {
    out.push_str("<div class=\"block unsupported\" data-block-type=\"");
    push_escaped(out, ty);
    out.push('"');
    push_block_id(out, id);
    out.push_str(">unsupported block: ");
    push_escaped(out, ty);
    if !reason.is_empty() {
        out.push_str(" \u{2014} ");
        push_escaped(out, reason);
    }
    out.push_str("</div>\n");
}

fn unsupported_element(ty: &str, reason: &str) -> String {
    let mut out = String::from("<span class=\"unsupported el\" data-element-type=\"");
    push_escaped(&mut out, ty);
    out.push_str("\">unsupported element: ");
    push_escaped(&mut out, ty);
    if !reason.is_empty() {
        out.push_str(" \u{2014} ");
        push_escaped(&mut out, reason);
    }
    out.push_str("</span>");
    out
}

fn required_text(map: &Map<String, Value>, key: &str) -> Drawn {
    match map.get(key) {
        None | Some(Value::Null) => Err(format!("missing {key}")),
        Some(v) => text_object(v).ok_or_else(|| format!("{key} is not a text object")),
    }
}

fn header_block(map: &Map<String, Value>) -> Drawn {
    let text = required_text(map, "text")?;
    Ok(format!("<h3 class=\"header\">{text}</h3>"))
}

fn section_block(map: &Map<String, Value>) -> Drawn {
    let text = match map.get("text") {
        None | Some(Value::Null) => None,
        Some(_) => Some(required_text(map, "text")?),
    };
    let fields = match map.get("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|f| text_object(f).ok_or_else(|| "a field is not a text object".to_owned()))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err("fields is not an array".into()),
    };
    if text.is_none() && fields.is_empty() {
        return Err("needs text or fields".into());
    }
    let mut out = String::from("<div class=\"section\"><div class=\"section-main\">");
    if let Some(text) = text {
        out.push_str("<div class=\"s-text\">");
        out.push_str(&text);
        out.push_str("</div>");
    }
    if !fields.is_empty() {
        out.push_str("<div class=\"fields\">");
        for f in fields {
            out.push_str("<div class=\"field\">");
            out.push_str(&f);
            out.push_str("</div>");
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
    match map.get("accessory") {
        None | Some(Value::Null) => {}
        Some(acc) => {
            out.push_str("<div class=\"accessory\">");
            out.push_str(&element_html(acc, Place::Accessory));
            out.push_str("</div>");
        }
    }
    out.push_str("</div>");
    Ok(out)
}

fn context_block(map: &Map<String, Value>) -> Drawn {
    let Some(elements) = map.get("elements").and_then(Value::as_array) else {
        return Err("elements is not an array".into());
    };
    let mut out = String::from("<div class=\"context\">");
    for el in elements {
        match el.get("type").and_then(Value::as_str) {
            Some("image") => out.push_str(&element_html(el, Place::Context)),
            _ => match text_object(el) {
                Some(t) => {
                    out.push_str("<span class=\"ctx-text\">");
                    out.push_str(&t);
                    out.push_str("</span>");
                }
                None => out.push_str(&unsupported_element(element_type(el), "not text or image")),
            },
        }
    }
    out.push_str("</div>");
    Ok(out)
}

fn image_block(map: &Map<String, Value>) -> Drawn {
    let alt = map.get("alt_text").and_then(Value::as_str).unwrap_or("");
    let mut out = String::new();
    match map.get("title") {
        None | Some(Value::Null) => {}
        Some(_) => {
            let title = required_text(map, "title")?;
            out.push_str("<div class=\"image-title\">");
            out.push_str(&title);
            out.push_str(" <span class=\"caret\">\u{25BE}</span></div>");
        }
    }
    if let Some(url) = map.get("image_url") {
        let url = url.as_str().ok_or("image_url is not a string")?;
        if safe_src(url) {
            out.push_str("<img class=\"chart\" data-chart src=\"");
            push_escaped(&mut out, url);
            out.push_str("\" alt=\"");
            push_escaped(&mut out, alt);
            out.push_str("\">");
        } else {
            out.push_str("<div class=\"img-placeholder missing\" role=\"img\" aria-label=\"");
            push_escaped(&mut out, alt);
            out.push_str("\">image not loaded (only http(s) URLs are shown): ");
            push_escaped(&mut out, url);
            out.push_str("</div>");
        }
    } else if let Some(file) = map.get("slack_file") {
        let reference = file
            .get("id")
            .and_then(Value::as_str)
            .or_else(|| file.get("url").and_then(Value::as_str))
            .ok_or("slack_file has neither id nor url")?;
        out.push_str("<div class=\"img-placeholder slack-file\" role=\"img\" aria-label=\"");
        push_escaped(&mut out, alt);
        out.push_str("\" data-slack-file=\"");
        push_escaped(&mut out, reference);
        out.push_str("\"><span class=\"slack-file-id\">slack_file ");
        push_escaped(&mut out, reference);
        out.push_str("</span><span class=\"slack-file-alt\">");
        push_escaped(&mut out, alt);
        out.push_str("</span></div>");
    } else {
        return Err("needs image_url or slack_file".into());
    }
    Ok(out)
}

fn actions_block(map: &Map<String, Value>) -> Drawn {
    let Some(elements) = map.get("elements").and_then(Value::as_array) else {
        return Err("elements is not an array".into());
    };
    let mut out = String::from("<div class=\"actions\">");
    for el in elements {
        out.push_str(&element_html(el, Place::Actions));
    }
    out.push_str("</div>");
    Ok(out)
}

fn input_block(map: &Map<String, Value>) -> Drawn {
    let label = required_text(map, "label")?;
    let Some(element) = map.get("element").filter(|e| e.is_object()) else {
        return Err("missing element".into());
    };
    let mut out = String::from("<div class=\"input-label\">");
    out.push_str(&label);
    if map.get("optional").and_then(Value::as_bool) == Some(true) {
        out.push_str(" <span class=\"optional\">(optional)</span>");
    }
    out.push_str("</div><div class=\"input-el\">");
    out.push_str(&element_html(element, Place::Input));
    out.push_str("</div>");
    if let Some(hint) = map.get("hint").and_then(text_object) {
        out.push_str("<div class=\"hint\">");
        out.push_str(&hint);
        out.push_str("</div>");
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Elements
// ---------------------------------------------------------------------------

/// Where an element sits, which changes how some of them look.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Accessory,
    Actions,
    Context,
    Input,
}

fn element_type(el: &Value) -> &str {
    match el {
        Value::Object(map) => map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("(no type)"),
        _ => "(not an object)",
    }
}

fn element_html(el: &Value, place: Place) -> String {
    let Some(map) = el.as_object() else {
        return unsupported_element("(not an object)", "");
    };
    let ty = element_type(el);
    let drawn = match ty {
        "button" => button(map),
        "overflow" => Ok(format!(
            "<button type=\"button\" class=\"btn overflow\"{}>\u{22EF}</button>",
            action_attr(map)
        )),
        "static_select" | "external_select" => {
            single_select(map, option_label(map.get("initial_option")))
        }
        "users_select" => single_select(map, id_label(map.get("initial_user"), '@')),
        "conversations_select" => {
            single_select(map, id_label(map.get("initial_conversation"), '#'))
        }
        "channels_select" => single_select(map, id_label(map.get("initial_channel"), '#')),
        "multi_static_select" | "multi_external_select" => multi_select(
            map,
            list(map.get("initial_options"))
                .iter()
                .filter_map(|o| option_label(Some(o)))
                .collect(),
        ),
        "multi_users_select" => multi_select(map, ids(map.get("initial_users"), '@')),
        "multi_conversations_select" => {
            multi_select(map, ids(map.get("initial_conversations"), '#'))
        }
        "multi_channels_select" => multi_select(map, ids(map.get("initial_channels"), '#')),
        "radio_buttons" => choices(map, false),
        "checkboxes" => choices(map, true),
        "datepicker" => picker(map, "initial_date", "\u{1F4C5}", "Select a date"),
        "timepicker" => picker(map, "initial_time", "\u{1F552}", "Select time"),
        "datetimepicker" => {
            let value = map.get("initial_date_time").map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            Ok(picker_html(map, value, "\u{1F4C5}", "Select date and time"))
        }
        "plain_text_input" | "email_text_input" | "url_text_input" | "number_input" => {
            Ok(text_input(map, ty))
        }
        "image" => image_element(map, place),
        _ => Err(String::new()),
    };
    match drawn {
        Ok(html) => html,
        Err(reason) => unsupported_element(ty, &reason),
    }
}

fn action_attr(map: &Map<String, Value>) -> String {
    let mut out = String::new();
    if let Some(id) = map.get("action_id").and_then(Value::as_str) {
        out.push_str(" data-action-id=\"");
        push_escaped(&mut out, id);
        out.push('"');
    }
    out
}

fn button(map: &Map<String, Value>) -> Drawn {
    let label = required_text(map, "text")?;
    let style = match map.get("style").and_then(Value::as_str) {
        Some("primary") => " primary",
        Some("danger") => " danger",
        _ => "",
    };
    let attrs = action_attr(map);
    match map
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| safe_href(u))
    {
        Some(url) => {
            let mut out = format!("<a class=\"btn{style}\"{attrs} href=\"");
            push_escaped(&mut out, url);
            out.push_str("\">");
            out.push_str(&label);
            out.push_str("</a>");
            Ok(out)
        }
        None => Ok(format!(
            "<button type=\"button\" class=\"btn{style}\"{attrs}>{label}</button>"
        )),
    }
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn option_label(option: Option<&Value>) -> Option<String> {
    option.and_then(|o| o.get("text")).and_then(text_object)
}

fn id_label(id: Option<&Value>, sigil: char) -> Option<String> {
    let id = id.and_then(Value::as_str)?;
    let mut out = String::from("<span class=\"mention\">");
    out.push(sigil);
    push_escaped(&mut out, id);
    out.push_str("</span>");
    Some(out)
}

fn ids(v: Option<&Value>, sigil: char) -> Vec<String> {
    list(v)
        .iter()
        .filter_map(|id| id_label(Some(id), sigil))
        .collect()
}

fn placeholder(map: &Map<String, Value>, default: &str) -> String {
    let text = map
        .get("placeholder")
        .and_then(text_object)
        .unwrap_or_else(|| escape(default));
    format!("<span class=\"ph\">{text}</span>")
}

fn single_select(map: &Map<String, Value>, chosen: Option<String>) -> Drawn {
    let shown = match chosen {
        Some(label) => format!("<span class=\"sel-val\">{label}</span>"),
        None => placeholder(map, "Select an item"),
    };
    Ok(format!(
        "<span class=\"select\" data-element-type=\"{}\"{}>{shown}<span class=\"caret\">\u{25BE}</span></span>",
        escape(element_type_of(map)),
        action_attr(map)
    ))
}

fn multi_select(map: &Map<String, Value>, chosen: Vec<String>) -> Drawn {
    let shown = if chosen.is_empty() {
        placeholder(map, "Select items")
    } else {
        chosen
            .iter()
            .map(|c| {
                format!("<span class=\"chip\">{c} <span class=\"chip-x\">\u{00D7}</span></span>")
            })
            .collect()
    };
    Ok(format!(
        "<span class=\"select multi\" data-element-type=\"{}\"{}>{shown}<span class=\"caret\">\u{25BE}</span></span>",
        escape(element_type_of(map)),
        action_attr(map)
    ))
}

fn element_type_of(map: &Map<String, Value>) -> &str {
    map.get("type").and_then(Value::as_str).unwrap_or("")
}

fn choices(map: &Map<String, Value>, multiple: bool) -> Drawn {
    let Some(options) = map.get("options").and_then(Value::as_array) else {
        return Err("options is not an array".into());
    };
    let chosen_values: Vec<&str> = if multiple {
        list(map.get("initial_options"))
            .iter()
            .filter_map(|o| o.get("value").and_then(Value::as_str))
            .collect()
    } else {
        map.get("initial_option")
            .and_then(|o| o.get("value"))
            .and_then(Value::as_str)
            .into_iter()
            .collect()
    };
    let (class, on, off) = if multiple {
        ("checkboxes", "\u{2611}", "\u{2610}")
    } else {
        ("radios", "\u{25C9}", "\u{25CB}")
    };
    let mut out = format!("<div class=\"{class}\"{}>", action_attr(map));
    for option in options {
        let Some(label) = option_label(Some(option)) else {
            out.push_str(&unsupported_element("option", "missing text"));
            continue;
        };
        let value = option.get("value").and_then(Value::as_str);
        let checked = value.is_some_and(|v| chosen_values.contains(&v));
        out.push_str(if checked {
            "<div class=\"choice checked\"><span class=\"mark\">"
        } else {
            "<div class=\"choice\"><span class=\"mark\">"
        });
        out.push_str(if checked { on } else { off });
        out.push_str("</span><span class=\"choice-text\">");
        out.push_str(&label);
        if let Some(desc) = option.get("description").and_then(text_object) {
            out.push_str("<span class=\"choice-desc\">");
            out.push_str(&desc);
            out.push_str("</span>");
        }
        out.push_str("</span></div>");
    }
    out.push_str("</div>");
    Ok(out)
}

fn picker(map: &Map<String, Value>, key: &str, icon: &str, default: &str) -> Drawn {
    let value = map.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(picker_html(map, value, icon, default))
}

fn picker_html(
    map: &Map<String, Value>,
    value: Option<String>,
    icon: &str,
    default: &str,
) -> String {
    let shown = match value {
        Some(v) => format!("<span class=\"sel-val\">{}</span>", escape(&v)),
        None => placeholder(map, default),
    };
    format!(
        "<span class=\"select picker\" data-element-type=\"{}\"{}><span class=\"picker-icon\">{icon}</span>{shown}</span>",
        escape(element_type_of(map)),
        action_attr(map)
    )
}

fn text_input(map: &Map<String, Value>, ty: &str) -> String {
    let value = match map.get("initial_value") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let placeholder = map
        .get("placeholder")
        .and_then(|p| p.get("text"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let attrs = action_attr(map);
    if ty == "plain_text_input" && map.get("multiline").and_then(Value::as_bool) == Some(true) {
        let mut out =
            format!("<textarea class=\"textinput\" rows=\"4\" readonly{attrs} placeholder=\"");
        push_escaped(&mut out, placeholder);
        out.push_str("\">");
        push_escaped(&mut out, &value);
        out.push_str("</textarea>");
        out
    } else {
        let mut out = format!(
            "<input class=\"textinput\" type=\"text\" readonly{attrs} data-element-type=\"{ty}\" value=\""
        );
        push_escaped(&mut out, &value);
        out.push_str("\" placeholder=\"");
        push_escaped(&mut out, placeholder);
        out.push_str("\">");
        out
    }
}

fn image_element(map: &Map<String, Value>, place: Place) -> Drawn {
    let alt = map.get("alt_text").and_then(Value::as_str).unwrap_or("");
    let url = map
        .get("image_url")
        .and_then(Value::as_str)
        .ok_or("missing image_url")?;
    let class = if place == Place::Context {
        "ctx-img"
    } else {
        "thumb"
    };
    if !safe_src(url) {
        return Err(format!("image_url not shown: {url}"));
    }
    let mut out = format!("<img class=\"{class}\" src=\"");
    push_escaped(&mut out, url);
    out.push_str("\" alt=\"");
    push_escaped(&mut out, alt);
    out.push_str("\">");
    Ok(out)
}

// ---------------------------------------------------------------------------
// Rich text
// ---------------------------------------------------------------------------

fn rich_text_block(map: &Map<String, Value>) -> Drawn {
    let Some(elements) = map.get("elements").and_then(Value::as_array) else {
        return Err("elements is not an array".into());
    };
    let mut out = String::from("<div class=\"rich-text\">");
    for el in elements {
        rich_part(el, 0, &mut out);
    }
    out.push_str("</div>");
    Ok(out)
}

/// One of a rich text block's parts: a section, list, quote or code block.
fn rich_part(el: &Value, depth: usize, out: &mut String) {
    let ty = element_type(el);
    let elements = list(el.get("elements"));
    if depth >= MAX_DEPTH {
        out.push_str(&unsupported_element(ty, "nested too deep"));
        return;
    }
    match ty {
        "rich_text_section" => {
            out.push_str("<div class=\"rt-section\">");
            rich_inline(elements, out);
            out.push_str("</div>");
        }
        "rich_text_quote" => {
            out.push_str("<blockquote>");
            rich_inline(elements, out);
            out.push_str("</blockquote>");
        }
        "rich_text_preformatted" => {
            out.push_str("<pre>");
            rich_inline(elements, out);
            out.push_str("</pre>");
        }
        "rich_text_list" => {
            let ordered = el.get("style").and_then(Value::as_str) == Some("ordered");
            let indent = el.get("indent").and_then(Value::as_u64).unwrap_or(0).min(6);
            let tag = if ordered { "ol" } else { "ul" };
            out.push_str(&format!(
                "<{tag} class=\"rt-list\" style=\"margin-left:{}px\">",
                indent * 24
            ));
            for item in elements {
                out.push_str("<li>");
                rich_part(item, depth + 1, out);
                out.push_str("</li>");
            }
            out.push_str(&format!("</{tag}>"));
        }
        _ => out.push_str(&unsupported_element(ty, "")),
    }
}

/// The runs of text, links, mentions and emoji inside a rich text part.
fn rich_inline(elements: &[Value], out: &mut String) {
    for el in elements {
        let ty = element_type(el);
        let style = el.get("style");
        let flag =
            |name: &str| style.and_then(|s| s.get(name)).and_then(Value::as_bool) == Some(true);
        let mut tags: Vec<&str> = Vec::new();
        for (name, tag) in [
            ("bold", "b"),
            ("italic", "i"),
            ("strike", "s"),
            ("code", "code"),
        ] {
            if flag(name) {
                tags.push(tag);
            }
        }
        let str_of = |key: &str| el.get(key).and_then(Value::as_str);
        let inner = match ty {
            "text" => {
                let mut s = String::new();
                push_plain(str_of("text").unwrap_or(""), false, &mut s);
                s
            }
            "link" => {
                let url = str_of("url").unwrap_or("");
                let label = str_of("text").filter(|t| !t.is_empty()).unwrap_or(url);
                link_html(url, &escape(label))
            }
            "emoji" => {
                let name = str_of("name").unwrap_or("");
                match emoji(name) {
                    Some(e) => e.to_owned(),
                    None => match str_of("unicode").and_then(unicode_emoji) {
                        Some(e) => e,
                        None => escape(&format!(":{name}:")),
                    },
                }
            }
            "user" => id_label(el.get("user_id"), '@').unwrap_or_default(),
            "channel" => id_label(el.get("channel_id"), '#').unwrap_or_default(),
            "usergroup" => id_label(el.get("usergroup_id"), '@').unwrap_or_default(),
            "broadcast" => {
                let range = str_of("range").unwrap_or("here");
                format!("<span class=\"mention\">@{}</span>", escape(range))
            }
            "date" => escape(
                str_of("fallback")
                    .map(str::to_owned)
                    .or_else(|| el.get("timestamp").map(Value::to_string))
                    .unwrap_or_default()
                    .as_str(),
            ),
            "color" => escape(str_of("value").unwrap_or("")),
            _ => unsupported_element(ty, ""),
        };
        for tag in &tags {
            out.push('<');
            out.push_str(tag);
            out.push('>');
        }
        out.push_str(&inner);
        for tag in tags.iter().rev() {
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
    }
}

/// Emoji from Slack's `unicode` field, e.g. `1f575-fe0f-200d-2642-fe0f`.
fn unicode_emoji(code: &str) -> Option<String> {
    code.split('-')
        .map(|part| u32::from_str_radix(part, 16).ok().and_then(char::from_u32))
        .collect::<Option<String>>()
        .filter(|s| !s.is_empty() && s.chars().all(|c| !c.is_control() && c != '<' && c != '&'))
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/// A `plain_text` or `mrkdwn` object as HTML; `None` when it is neither.
fn text_object(v: &Value) -> Option<String> {
    let text = v.get("text")?.as_str()?;
    match v.get("type")?.as_str()? {
        "mrkdwn" => Some(mrkdwn_html(text)),
        "plain_text" => {
            let emoji = v.get("emoji").and_then(Value::as_bool) != Some(false);
            let mut out = String::with_capacity(text.len());
            push_plain(text, emoji, &mut out);
            Some(out)
        }
        _ => None,
    }
}

/// Literal text with newlines kept and, when `emoji`, shortcodes drawn.
fn push_plain(text: &str, emoji_codes: bool, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ':'
            && emoji_codes
            && let Some((end, e)) = emoji_at(&chars, i)
        {
            out.push_str(e);
            i = end + 1;
            continue;
        }
        if c == '\n' {
            out.push_str("<br>");
        } else {
            push_escaped_char(out, c);
        }
        i += 1;
    }
}

/// Consecutive lines, with `>` lines grouped into quotes.
fn lines_html(segment: &str, out: &mut String) {
    let mut need_br = false;
    let mut quote: Vec<&str> = Vec::new();
    let flush = |quote: &mut Vec<&str>, out: &mut String| {
        if quote.is_empty() {
            return;
        }
        out.push_str("<blockquote>");
        for (n, line) in quote.iter().enumerate() {
            if n > 0 {
                out.push_str("<br>");
            }
            inline_html(&line.chars().collect::<Vec<_>>(), 0, out);
        }
        out.push_str("</blockquote>");
        quote.clear();
    };
    for line in segment.split('\n') {
        let quoted = line
            .strip_prefix('>')
            .or_else(|| line.strip_prefix("&gt;"))
            .map(|rest| rest.strip_prefix(' ').unwrap_or(rest));
        match quoted {
            Some(rest) => quote.push(rest),
            None => {
                if !quote.is_empty() {
                    flush(&mut quote, out);
                    need_br = false;
                }
                if need_br {
                    out.push_str("<br>");
                }
                inline_html(&line.chars().collect::<Vec<_>>(), 0, out);
                need_br = true;
            }
        }
    }
    flush(&mut quote, out);
}

/// One line of mrkdwn: links, code, emphasis, emoji and entities.
fn inline_html(s: &[char], depth: usize, out: &mut String) {
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            '<' => {
                if let Some(end) = find(s, i + 1, '>') {
                    angle_html(&s[i + 1..end], out);
                    i = end + 1;
                    continue;
                }
            }
            '`' => {
                if let Some(end) = find(s, i + 1, '`').filter(|&end| end > i + 1) {
                    out.push_str("<code>");
                    push_literal(&s[i + 1..end].iter().collect::<String>(), out);
                    out.push_str("</code>");
                    i = end + 1;
                    continue;
                }
            }
            '*' | '_' | '~' if depth < 4 && opens(s, i) => {
                if let Some(end) = closing(s, i) {
                    let tag = match c {
                        '*' => "b",
                        '_' => "i",
                        _ => "s",
                    };
                    out.push('<');
                    out.push_str(tag);
                    out.push('>');
                    inline_html(&s[i + 1..end], depth + 1, out);
                    out.push_str("</");
                    out.push_str(tag);
                    out.push('>');
                    i = end + 1;
                    continue;
                }
            }
            ':' => {
                if let Some((end, e)) = emoji_at(s, i) {
                    out.push_str(e);
                    i = end + 1;
                    continue;
                }
                if let Some(end) = shortcode_end(s, i) {
                    // Unknown shortcodes stay as typed, whole.
                    for &ch in &s[i..=end] {
                        push_escaped_char(out, ch);
                    }
                    i = end + 1;
                    continue;
                }
            }
            '&' => {
                if let Some((len, ch)) = entity_at(s, i) {
                    push_escaped_char(out, ch);
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        push_escaped_char(out, c);
        i += 1;
    }
}

fn find(s: &[char], from: usize, target: char) -> Option<usize> {
    s.get(from..)?
        .iter()
        .position(|&c| c == target)
        .map(|p| p + from)
}

/// Whether the marker at `i` may open emphasis: after a non-word character
/// and before a non-space.
fn opens(s: &[char], i: usize) -> bool {
    let marker = s[i];
    let before_ok = i == 0 || !(s[i - 1].is_alphanumeric() || s[i - 1] == marker);
    let after_ok = s
        .get(i + 1)
        .is_some_and(|&n| !n.is_whitespace() && n != marker);
    before_ok && after_ok
}

/// The matching closing marker for the one at `open`, skipping `<…>` tokens.
fn closing(s: &[char], open: usize) -> Option<usize> {
    let marker = s[open];
    let mut j = open + 2;
    while j < s.len() {
        let c = s[j];
        if c == '<'
            && let Some(end) = find(s, j + 1, '>')
        {
            j = end + 1;
            continue;
        }
        if c == marker
            && !s[j - 1].is_whitespace()
            && s.get(j + 1).is_none_or(|n| !n.is_alphanumeric())
        {
            return Some(j);
        }
        j += 1;
    }
    None
}

/// End index of a `:shortcode:` starting at `i`, known or not.
fn shortcode_end(s: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < s.len() && j - i <= 64 {
        let c = s[j];
        if c == ':' {
            return (j > i + 1).then_some(j);
        }
        if !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '\'')) {
            return None;
        }
        j += 1;
    }
    None
}

fn emoji_at(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    let end = shortcode_end(s, i)?;
    let name: String = s[i + 1..end].iter().collect();
    emoji(&name).map(|e| (end, e))
}

/// Slack's three entities, decoded; returns the entity's length and char.
fn entity_at(s: &[char], i: usize) -> Option<(usize, char)> {
    let rest = s.get(i..)?;
    for (entity, ch) in [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>')] {
        let n = entity.chars().count();
        if rest.len() >= n && rest[..n].iter().copied().eq(entity.chars()) {
            return Some((n, ch));
        }
    }
    None
}

/// Text with Slack's entities decoded and HTML-escaped, nothing else.
fn push_literal(text: &str, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some((len, ch)) = entity_at(&chars, i) {
            push_escaped_char(out, ch);
            i += len;
        } else {
            push_escaped_char(out, chars[i]);
            i += 1;
        }
    }
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A `<…>` token: a link, a user/channel mention or a special mention.
fn angle_html(inner: &[char], out: &mut String) {
    let inner: String = inner.iter().collect();
    if inner.is_empty() {
        out.push_str("&lt;&gt;");
        return;
    }
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(l).filter(|l| !l.is_empty())),
        None => (inner.as_str(), None),
    };
    let mention = |sigil: &str, shown: &str, out: &mut String| {
        out.push_str("<span class=\"mention\">");
        out.push_str(sigil);
        push_literal(shown, out);
        out.push_str("</span>");
    };
    if let Some(id) = target.strip_prefix('@') {
        mention("@", label.unwrap_or(id), out);
    } else if let Some(id) = target.strip_prefix('#') {
        mention("#", label.unwrap_or(id), out);
    } else if let Some(special) = target.strip_prefix('!') {
        match special {
            "here" | "channel" | "everyone" => mention("@", special, out),
            _ if special.starts_with("subteam^") => match label {
                Some(l) => mention("", l, out),
                None => mention("@", special.trim_start_matches("subteam^"), out),
            },
            _ if special.starts_with("date^") => {
                push_literal(label.unwrap_or(special), out);
            }
            _ => push_literal(label.unwrap_or(target), out),
        }
    } else {
        let url = decode_entities(target);
        let mut text = String::new();
        push_literal(label.unwrap_or(target), &mut text);
        out.push_str(&link_html(&url, &text));
    }
}

/// A link when `url` is safe to follow, else the label as plain text.
fn link_html(url: &str, label_html: &str) -> String {
    if safe_href(url) {
        let mut out = String::from("<a href=\"");
        push_escaped(&mut out, url);
        out.push_str("\" target=\"_blank\" rel=\"noopener noreferrer\">");
        out.push_str(label_html);
        out.push_str("</a>");
        out
    } else {
        format!("<span class=\"badlink\">{label_html}</span>")
    }
}

fn has_scheme(url: &str, schemes: &[&str]) -> bool {
    schemes.iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
    })
}

fn no_odd_chars(url: &str) -> bool {
    !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Links are followed only to the web and to Slack itself.
fn safe_href(url: &str) -> bool {
    no_odd_chars(url) && has_scheme(url, &["http://", "https://", "slack://"])
}

/// Images load from the web, from inline data, or from the preview's own
/// server; the quoted, escaped attribute makes spaces harmless here.
fn safe_src(url: &str) -> bool {
    !url.chars().any(char::is_control)
        && (has_scheme(url, &["http://", "https://", "data:image/"])
            || (url.starts_with('/') && !url.starts_with("//") && !url.contains('\\')))
}

/// Index links may also be relative paths (no scheme at all).
fn safe_index_href(href: &str) -> bool {
    safe_href(href)
        || (no_odd_chars(href)
            && !href.is_empty()
            && !href.starts_with("//")
            && !href.contains('\\')
            && !href
                .split(['/', '?', '#'])
                .next()
                .unwrap_or("")
                .contains(':'))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        push_escaped_char(out, c);
    }
}

fn push_escaped_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        _ => out.push(c),
    }
}

/// Unicode for the shortcodes the app uses, and a few common ones.
fn emoji(name: &str) -> Option<&'static str> {
    Some(match name {
        "dart" => "\u{1F3AF}",
        "no_bell" => "\u{1F515}",
        "tada" => "\u{1F389}",
        "white_check_mark" => "\u{2705}",
        "heavy_check_mark" => "\u{2714}\u{FE0F}",
        "white_large_square" => "\u{2B1C}",
        "black_large_square" => "\u{2B1B}",
        "warning" => "\u{26A0}\u{FE0F}",
        "hourglass_flowing_sand" => "\u{23F3}",
        "hourglass" => "\u{231B}",
        "male-detective" => "\u{1F575}\u{FE0F}\u{200D}\u{2642}\u{FE0F}",
        "female-detective" => "\u{1F575}\u{FE0F}\u{200D}\u{2640}\u{FE0F}",
        "sleuth_or_spy" => "\u{1F575}\u{FE0F}",
        "chart_with_upwards_trend" => "\u{1F4C8}",
        "chart_with_downwards_trend" => "\u{1F4C9}",
        "bar_chart" => "\u{1F4CA}",
        "wave" => "\u{1F44B}",
        "x" => "\u{274C}",
        "heavy_multiplication_x" => "\u{2716}\u{FE0F}",
        "arrows_counterclockwise" => "\u{1F504}",
        "lock" => "\u{1F512}",
        "unlock" => "\u{1F513}",
        "key" => "\u{1F511}",
        "bulb" => "\u{1F4A1}",
        "rocket" => "\u{1F680}",
        "trophy" => "\u{1F3C6}",
        "first_place_medal" => "\u{1F947}",
        "second_place_medal" => "\u{1F948}",
        "third_place_medal" => "\u{1F949}",
        "sports_medal" => "\u{1F3C5}",
        "fire" => "\u{1F525}",
        "thumbsup" | "+1" => "\u{1F44D}",
        "thumbsdown" | "-1" => "\u{1F44E}",
        "eyes" => "\u{1F440}",
        "jigsaw" => "\u{1F9E9}",
        "sparkles" => "\u{2728}",
        "star" => "\u{2B50}",
        "zap" => "\u{26A1}",
        "robot_face" => "\u{1F916}",
        "memo" => "\u{1F4DD}",
        "clipboard" => "\u{1F4CB}",
        "calendar" => "\u{1F4C6}",
        "date" => "\u{1F4C5}",
        "stopwatch" => "\u{23F1}\u{FE0F}",
        "gear" => "\u{2699}\u{FE0F}",
        "mag" => "\u{1F50D}",
        "link" => "\u{1F517}",
        "bell" => "\u{1F514}",
        "pushpin" => "\u{1F4CC}",
        "package" => "\u{1F4E6}",
        "construction" => "\u{1F6A7}",
        "no_entry" => "\u{26D4}",
        "no_entry_sign" => "\u{1F6AB}",
        "information_source" => "\u{2139}\u{FE0F}",
        "question" => "\u{2753}",
        "exclamation" => "\u{2757}",
        "speech_balloon" => "\u{1F4AC}",
        "busts_in_silhouette" => "\u{1F465}",
        "bust_in_silhouette" => "\u{1F464}",
        "raised_hands" => "\u{1F64C}",
        "clap" => "\u{1F44F}",
        "muscle" => "\u{1F4AA}",
        "pray" => "\u{1F64F}",
        "100" => "\u{1F4AF}",
        "smile" => "\u{1F604}",
        "slightly_smiling_face" => "\u{1F642}",
        "thinking_face" => "\u{1F914}",
        "arrow_up" => "\u{2B06}\u{FE0F}",
        "arrow_down" => "\u{2B07}\u{FE0F}",
        "arrow_right" => "\u{27A1}\u{FE0F}",
        "arrow_left" => "\u{2B05}\u{FE0F}",
        "small_red_triangle" => "\u{1F53A}",
        "small_red_triangle_down" => "\u{1F53B}",
        "heavy_plus_sign" => "\u{2795}",
        "heavy_minus_sign" => "\u{2796}",
        "red_circle" => "\u{1F534}",
        "large_green_circle" => "\u{1F7E2}",
        "large_yellow_circle" => "\u{1F7E1}",
        "large_blue_circle" => "\u{1F535}",
        "white_circle" => "\u{26AA}",
        "black_circle" => "\u{26AB}",
        "hammer_and_wrench" => "\u{1F6E0}\u{FE0F}",
        "inbox_tray" => "\u{1F4E5}",
        "outbox_tray" => "\u{1F4E4}",
        "recycle" => "\u{267B}\u{FE0F}",
        "heart" => "\u{2764}\u{FE0F}",
        "computer" => "\u{1F4BB}",
        "technologist" => "\u{1F9D1}\u{200D}\u{1F4BB}",
        _ => return None,
    })
}

/// Slack-like styles; no `<` or `>` so the page stays easy to check.
const CSS: &str = r#"*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4ede4;color:#1d1c1d;font-family:Lato,"Slack-Lato","Helvetica Neue",Helvetica,"Segoe UI",Roboto,Arial,sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji";font-size:15px;line-height:1.46668;-webkit-font-smoothing:antialiased}
.preview-bar{background:#3f0e40;color:#fff;padding:8px 20px;font-size:13px}
.preview-kind{opacity:.75;margin-left:8px}
.stage{padding:24px 20px}
.frame{background:#fff;border-radius:8px;box-shadow:0 0 0 1px rgba(29,28,29,.13),0 4px 12px rgba(0,0,0,.06);margin:0 auto}
.message{max-width:600px;padding:8px 0}
.msg{display:flex;gap:8px;padding:8px 20px}
.msg-body{flex:1;min-width:0}
.msg-head{display:flex;align-items:baseline;line-height:1.3}
.avatar{flex:none;width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:900;font-size:15px;display:flex;align-items:center;justify-content:center;letter-spacing:-.5px}
.avatar-modal{width:24px;height:24px;font-size:11px;border-radius:4px}
.app-name{font-weight:900}
.app-badge{display:inline-block;background:rgba(29,28,29,.13);color:rgba(29,28,29,.7);font-size:10px;font-weight:700;line-height:1;padding:3px 3px 2px;border-radius:2px;margin-left:4px;position:relative;top:-1px}
.time{color:#616061;font-size:12px;margin-left:8px}
.ephemeral{color:#616061;font-size:13px;padding:0 20px 0 64px}
.eye{font-size:12px}
.blocks{overflow-wrap:anywhere}
.block{margin:4px 0}
.header{font-size:18px;font-weight:900;line-height:1.33;margin:8px 0 2px}
.section{display:flex;gap:12px;align-items:flex-start}
.section-main{flex:1;min-width:0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin-top:4px}
.s-text + .fields{margin-top:8px}
.accessory{flex:none;max-width:50%}
.thumb{display:block;width:88px;height:88px;object-fit:cover;border-radius:8px}
.context{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px;color:#616061;font-size:13px;line-height:1.38}
.ctx-img{width:20px;height:20px;border-radius:4px;object-fit:cover}
.divider{border:0;border-top:1px solid #dddddd;margin:12px 0}
.image-title{font-size:13px;color:#616061;margin-bottom:4px}
.caret{color:#616061;font-size:12px;margin-left:8px}
.chart{display:block;max-width:100%;height:auto;border-radius:8px;border:1px solid rgba(29,28,29,.1)}
.img-placeholder{border:1px dashed #b8b8b8;border-radius:8px;background:#f8f8f8;color:#616061;padding:32px 16px;text-align:center;font-size:13px;display:flex;flex-direction:column;gap:4px}
.slack-file-id{font-family:Monaco,Menlo,Consolas,"Courier New",monospace;color:#1d1c1d}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.btn{font:inherit;font-size:15px;font-weight:700;height:36px;min-width:36px;padding:0 12px;border:1px solid rgba(29,28,29,.3);border-radius:4px;background:#fff;color:#1d1c1d;display:inline-flex;align-items:center;justify-content:center;white-space:nowrap;text-decoration:none;cursor:pointer}
.btn:hover{background:#f8f8f8;text-decoration:none}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.btn.overflow{padding:0;width:36px;font-size:18px}
.select{display:inline-flex;align-items:center;gap:6px;min-width:180px;max-width:100%;min-height:36px;padding:4px 12px;border:1px solid rgba(29,28,29,.3);border-radius:4px;background:#fff}
.select .caret{margin-left:auto;padding-left:12px}
.select.multi{flex-wrap:wrap;min-width:240px}
.ph{color:#616061}
.chip{background:rgba(29,155,209,.1);color:#1264a3;border-radius:4px;padding:0 6px;font-size:14px}
.chip-x{color:#616061}
.picker-icon{font-size:14px}
.input-label{font-weight:700;margin:12px 0 8px}
.optional{font-weight:400;color:#616061}
.textinput{display:block;width:100%;font:inherit;color:#1d1c1d;padding:8px 12px;border:1px solid rgba(29,28,29,.3);border-radius:4px;background:#fff;resize:vertical}
textarea.textinput{min-height:88px}
.hint{font-size:13px;color:#616061;margin-top:6px}
.radios,.checkboxes{display:flex;flex-direction:column;gap:8px}
.choice{display:flex;gap:8px;align-items:flex-start}
.mark{flex:none;width:18px;text-align:center;color:#616061;font-size:17px;line-height:1.2}
.checked .mark{color:#1264a3}
.choice-text{display:flex;flex-direction:column}
.choice-desc{color:#616061;font-size:13px}
.rich-text ul,.rich-text ol{margin:4px 0;padding-left:24px}
a{color:#1264a3;text-decoration:none}
a:hover{text-decoration:underline}
code{color:#e01e5a;background:rgba(29,28,29,.04);border:1px solid rgba(29,28,29,.13);border-radius:3px;padding:2px 3px 1px;font-family:Monaco,Menlo,Consolas,"Courier New",monospace;font-size:12px}
pre{background:rgba(29,28,29,.04);border:1px solid rgba(29,28,29,.13);border-radius:4px;padding:8px;margin:4px 0;font-family:Monaco,Menlo,Consolas,"Courier New",monospace;font-size:12px;line-height:1.5;white-space:pre-wrap;overflow-wrap:anywhere}
blockquote{margin:4px 0;padding-left:16px;border-left:4px solid #dddddd}
.mention{color:#1264a3;background:rgba(29,155,209,.1);border-radius:3px;padding:0 2px}
.badlink{color:#616061;text-decoration:underline dotted}
.missing{color:#e01e5a}
.unsupported{border:2px dashed #e01e5a;border-radius:4px;color:#e01e5a;background:#fff5f8;padding:8px 12px;font-family:Monaco,Menlo,Consolas,"Courier New",monospace;font-size:13px}
.unsupported.el{display:inline-block;padding:2px 6px}
.home{max-width:800px;overflow:hidden}
.home-head{display:flex;align-items:center;gap:10px;padding:12px 20px;font-size:18px}
.tabs{display:flex;gap:24px;padding:0 20px;border-bottom:1px solid rgba(29,28,29,.13);font-size:14px}
.tab{padding:6px 0 8px;color:#616061;font-weight:700}
.tab.active{color:#1d1c1d;box-shadow:inset 0 -2px 0 #1264a3}
.home-body{padding:12px 20px 20px}
.modal-overlay{background:rgba(0,0,0,.45);min-height:calc(100vh - 34px);padding:48px 16px}
.modal{max-width:520px;border-radius:8px;box-shadow:0 18px 48px rgba(0,0,0,.35);display:flex;flex-direction:column}
.modal-head{display:flex;align-items:center;gap:12px;padding:20px 28px 16px;border-bottom:1px solid rgba(29,28,29,.13)}
.modal-title{font-size:22px;font-weight:900;line-height:1.2;flex:1}
.modal-x{color:#616061;font-size:24px;line-height:1}
.modal-body{padding:8px 28px 20px}
.modal-foot{display:flex;justify-content:flex-end;gap:12px;padding:20px 28px;border-top:1px solid rgba(29,28,29,.13)}
.index{max-width:800px;margin:0 auto}
.index h1{font-size:24px;font-weight:900}
.group{background:#fff;border-radius:8px;padding:4px 20px 12px;margin:16px 0;box-shadow:0 0 0 1px rgba(29,28,29,.13)}
.group h2{font-size:17px;font-weight:900;margin:12px 0 4px}
.group ul{margin:0;padding-left:20px}
.group li{margin:4px 0}
.empty{color:#616061}
"#;
