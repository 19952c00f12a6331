//! A checker that tells whether blocks would pass Slack's limits, for tests.
//!
//! The builders in this crate already cut text to fit; this module exists so
//! app tests can assert that a whole screen (including blocks built by hand
//! through the public fields) will not be rejected with `invalid_blocks`.
//! It checks the A2 limits of docs/platform.md plus the empty-text, duplicate-id
//! and `slack_file` id rules that make Slack refuse a payload.

use std::collections::HashSet;

use crate::kit::{
    Accessory, ActionElement, Block, Button, ContextElement, ImageElement, ImageSource, SlackFile,
    Text,
};
use crate::limits::{
    ACTION_ID_MAX, ACTIONS_ELEMENTS_MAX, BLOCK_ID_MAX, BUTTON_TEXT_MAX, BUTTON_URL_MAX,
    BUTTON_VALUE_MAX, CONTEXT_ELEMENTS_MAX, HEADER_TEXT_MAX, IMAGE_ALT_TEXT_MAX, IMAGE_TITLE_MAX,
    IMAGE_URL_MAX, SECTION_FIELD_TEXT_MAX, SECTION_FIELDS_MAX, SECTION_TEXT_MAX, TEXT_OBJECT_MAX,
    VIEW_PAYLOAD_MAX_BYTES, char_count,
};
use crate::surface::SurfaceKind;

/// Why Slack would reject a payload, with a path (`blocks[3].fields[1]`) so
/// a failing test points at the offending block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// More blocks than the surface allows; use [`crate::surface::fit_blocks`].
    #[error("{count} blocks, but a {kind} allows at most {max}")]
    TooManyBlocks {
        /// The surface checked against.
        kind: SurfaceKind,
        /// Blocks found.
        count: usize,
        /// Slack's limit for that surface.
        max: usize,
    },
    /// A string longer than Slack accepts.
    #[error("{path} is {len} characters, over Slack's limit of {max}")]
    TooLong {
        /// Where the string is.
        path: String,
        /// Its length in chars.
        len: usize,
        /// Slack's limit.
        max: usize,
    },
    /// A list with more items than Slack accepts.
    #[error("{path} has {count} items, over Slack's limit of {max}")]
    TooMany {
        /// Where the list is.
        path: String,
        /// Items found.
        count: usize,
        /// Slack's limit.
        max: usize,
    },
    /// A required text or list that is empty; Slack rejects those too.
    #[error("{path} is empty, and Slack requires at least one character or item")]
    Empty {
        /// Where the empty value is.
        path: String,
    },
    /// Two blocks with the same `block_id`; Slack needs them unique per surface.
    #[error("block_id {id:?} is used more than once")]
    DuplicateBlockId {
        /// The repeated id.
        id: String,
    },
    /// Two elements of one block with the same `action_id`.
    #[error("{path}: action_id {id:?} is used more than once in the block")]
    DuplicateActionId {
        /// The block holding them.
        path: String,
        /// The repeated id.
        id: String,
    },
    /// A `slack_file.id` Slack would not accept (`^F[A-Z0-9]{8,}$`).
    #[error("{path}: {id:?} is not a Slack file id (F then 8 or more capitals or digits)")]
    InvalidSlackFileId {
        /// Where the id is.
        path: String,
        /// The id found.
        id: String,
    },
    /// A view whose blocks alone exceed Slack's `view_too_large` threshold.
    #[error("the view's blocks serialise to {bytes} bytes, over Slack's limit of {max}")]
    PayloadTooLarge {
        /// Serialised size of the blocks.
        bytes: usize,
        /// Slack's limit.
        max: usize,
    },
}

/// Checks `blocks` against Slack's limits for `kind`, returning the first
/// problem; use in tests as `validate(&blocks, kind).unwrap()`.
pub fn validate(blocks: &[Block], kind: SurfaceKind) -> Result<(), LimitError> {
    match violations(blocks, kind).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every problem [`validate`] would report, in block order, for when one
/// failure at a time is too slow to fix.
pub fn violations(blocks: &[Block], kind: SurfaceKind) -> Vec<LimitError> {
    let mut c = Checker { errors: Vec::new() };
    let max = kind.max_blocks();
    if blocks.len() > max {
        c.errors.push(LimitError::TooManyBlocks {
            kind,
            count: blocks.len(),
            max,
        });
    }
    let mut seen = HashSet::new();
    for (i, block) in blocks.iter().enumerate() {
        if let Some(id) = block.block_id()
            && !seen.insert(id)
        {
            c.errors
                .push(LimitError::DuplicateBlockId { id: id.to_owned() });
        }
        c.block(&format!("blocks[{i}]"), block);
    }
    if kind != SurfaceKind::Message {
        let bytes = serde_json::to_vec(blocks).map_or(0, |v| v.len());
        if bytes > VIEW_PAYLOAD_MAX_BYTES {
            c.errors.push(LimitError::PayloadTooLarge {
                bytes,
                max: VIEW_PAYLOAD_MAX_BYTES,
            });
        }
    }
    c.errors
}

/// Collects errors while walking the blocks.
struct Checker {
    errors: Vec<LimitError>,
}

impl Checker {
    fn len(&mut self, path: &str, s: &str, max: usize) {
        let len = char_count(s);
        if len > max {
            self.errors.push(LimitError::TooLong {
                path: path.to_owned(),
                len,
                max,
            });
        }
    }

    fn text(&mut self, path: &str, s: &str, max: usize) {
        if s.is_empty() {
            self.errors.push(LimitError::Empty {
                path: path.to_owned(),
            });
        }
        self.len(path, s, max);
    }

    fn count(&mut self, path: &str, count: usize, max: usize) {
        if count == 0 {
            self.errors.push(LimitError::Empty {
                path: path.to_owned(),
            });
        }
        if count > max {
            self.errors.push(LimitError::TooMany {
                path: path.to_owned(),
                count,
                max,
            });
        }
    }

    fn block(&mut self, path: &str, block: &Block) {
        if let Some(id) = block.block_id() {
            self.len(&format!("{path}.block_id"), id, BLOCK_ID_MAX);
        }
        match block {
            Block::Section(s) => {
                if s.text.is_none() && s.fields.is_empty() {
                    self.errors.push(LimitError::Empty {
                        path: format!("{path}.text"),
                    });
                }
                if let Some(t) = &s.text {
                    self.text(&format!("{path}.text"), t.as_str(), SECTION_TEXT_MAX);
                }
                if !s.fields.is_empty() {
                    self.count(
                        &format!("{path}.fields"),
                        s.fields.len(),
                        SECTION_FIELDS_MAX,
                    );
                }
                for (j, f) in s.fields.iter().enumerate() {
                    self.text(
                        &format!("{path}.fields[{j}]"),
                        f.as_str(),
                        SECTION_FIELD_TEXT_MAX,
                    );
                }
                match &s.accessory {
                    Some(Accessory::Button(b)) => self.button(&format!("{path}.accessory"), b),
                    Some(Accessory::Image(img)) => {
                        self.image_element(&format!("{path}.accessory"), img);
                    }
                    None => {}
                }
            }
            Block::Header(h) => self.text(&format!("{path}.text"), &h.text.text, HEADER_TEXT_MAX),
            Block::Context(ctx) => {
                self.count(
                    &format!("{path}.elements"),
                    ctx.elements.len(),
                    CONTEXT_ELEMENTS_MAX,
                );
                for (j, e) in ctx.elements.iter().enumerate() {
                    let p = format!("{path}.elements[{j}]");
                    match e {
                        ContextElement::Text(Text::Plain(t)) => {
                            self.text(&p, &t.text, TEXT_OBJECT_MAX);
                        }
                        ContextElement::Text(Text::Mrkdwn(t)) => {
                            self.text(&p, &t.text, TEXT_OBJECT_MAX);
                        }
                        ContextElement::Image(img) => self.image_element(&p, img),
                    }
                }
            }
            Block::Divider(_) => {}
            Block::Input(input) => {
                self.text(&format!("{path}.label"), &input.label.text, TEXT_OBJECT_MAX);
                self.len(
                    &format!("{path}.element.action_id"),
                    input.element.action_id(),
                    ACTION_ID_MAX,
                );
                let (options, max): (Vec<&crate::kit::OptionObject>, usize) = match &input.element {
                    crate::kit::InputElement::Text(_) => (Vec::new(), usize::MAX),
                    crate::kit::InputElement::MultiStatic(e) => (
                        e.options.iter().collect(),
                        crate::limits::SELECT_OPTIONS_MAX,
                    ),
                    crate::kit::InputElement::MultiExternal(e) => {
                        (e.initial_options.iter().collect(), usize::MAX)
                    }
                    crate::kit::InputElement::Radio(e) => {
                        (e.options.iter().collect(), crate::limits::RADIO_OPTIONS_MAX)
                    }
                    crate::kit::InputElement::Single(e) => (
                        e.options.iter().collect(),
                        crate::limits::SELECT_OPTIONS_MAX,
                    ),
                    crate::kit::InputElement::Users(_)
                    | crate::kit::InputElement::Conversations(_)
                    | crate::kit::InputElement::Time(_) => (Vec::new(), usize::MAX),
                    crate::kit::InputElement::External(e) => {
                        (e.initial_option.iter().collect(), usize::MAX)
                    }
                    crate::kit::InputElement::Checkboxes(e) => (
                        e.options.iter().collect(),
                        crate::limits::CHECKBOX_OPTIONS_MAX,
                    ),
                };
                if max != usize::MAX {
                    self.count(&format!("{path}.element.options"), options.len(), max);
                }
                for (j, o) in options.iter().enumerate() {
                    let p = format!("{path}.element.options[{j}]");
                    self.text(
                        &format!("{p}.text"),
                        &o.text.text,
                        crate::limits::OPTION_TEXT_MAX,
                    );
                    self.len(
                        &format!("{p}.value"),
                        &o.value,
                        crate::limits::OPTION_VALUE_MAX,
                    );
                }
                if let Some(h) = &input.hint {
                    self.text(&format!("{path}.hint"), &h.text, TEXT_OBJECT_MAX);
                }
            }
            Block::Actions(a) => {
                self.count(
                    &format!("{path}.elements"),
                    a.elements.len(),
                    ACTIONS_ELEMENTS_MAX,
                );
                let mut ids = HashSet::new();
                for (j, e) in a.elements.iter().enumerate() {
                    let p = format!("{path}.elements[{j}]");
                    match e {
                        ActionElement::Button(b) => self.button(&p, b),
                        ActionElement::Select(sel) => {
                            self.len(&format!("{p}.action_id"), &sel.action_id, ACTION_ID_MAX);
                            self.count(
                                &format!("{p}.options"),
                                sel.options.len(),
                                crate::limits::SELECT_OPTIONS_MAX,
                            );
                            for (k, o) in sel.options.iter().enumerate() {
                                let p = format!("{p}.options[{k}]");
                                self.text(
                                    &format!("{p}.text"),
                                    &o.text.text,
                                    crate::limits::OPTION_TEXT_MAX,
                                );
                                self.len(
                                    &format!("{p}.value"),
                                    &o.value,
                                    crate::limits::OPTION_VALUE_MAX,
                                );
                            }
                        }
                    }
                    if !ids.insert(e.action_id()) {
                        self.errors.push(LimitError::DuplicateActionId {
                            path: path.to_owned(),
                            id: e.action_id().to_owned(),
                        });
                    }
                }
            }
            Block::Image(img) => {
                match &img.source {
                    ImageSource::Url { image_url } => {
                        self.text(&format!("{path}.image_url"), image_url, IMAGE_URL_MAX);
                    }
                    ImageSource::SlackFile {
                        slack_file: SlackFile::Id { id },
                    } => {
                        if !is_slack_file_id(id) {
                            self.errors.push(LimitError::InvalidSlackFileId {
                                path: format!("{path}.slack_file.id"),
                                id: id.clone(),
                            });
                        }
                    }
                    ImageSource::SlackFile {
                        slack_file: SlackFile::Url { url },
                    } => self.text(&format!("{path}.slack_file.url"), url, IMAGE_URL_MAX),
                }
                self.text(
                    &format!("{path}.alt_text"),
                    &img.alt_text,
                    IMAGE_ALT_TEXT_MAX,
                );
                if let Some(t) = &img.title {
                    self.text(&format!("{path}.title"), &t.text, IMAGE_TITLE_MAX);
                }
            }
        }
    }

    fn button(&mut self, path: &str, b: &Button) {
        self.text(&format!("{path}.action_id"), &b.action_id, ACTION_ID_MAX);
        self.text(&format!("{path}.text"), &b.text.text, BUTTON_TEXT_MAX);
        if let Some(v) = &b.value {
            self.len(&format!("{path}.value"), v, BUTTON_VALUE_MAX);
        }
        if let Some(u) = &b.url {
            self.text(&format!("{path}.url"), u, BUTTON_URL_MAX);
        }
    }

    fn image_element(&mut self, path: &str, img: &ImageElement) {
        self.text(&format!("{path}.image_url"), &img.image_url, IMAGE_URL_MAX);
        self.text(
            &format!("{path}.alt_text"),
            &img.alt_text,
            IMAGE_ALT_TEXT_MAX,
        );
    }
}

/// Slack's file-id shape: `F` then at least eight capitals or digits.
fn is_slack_file_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next() == Some('F')
        && id.len() >= 9
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kit::{Actions, Context, Header, Image, PlainText, Section};

    fn first(blocks: &[Block], kind: SurfaceKind) -> LimitError {
        validate(blocks, kind).unwrap_err()
    }

    #[test]
    fn built_blocks_pass() {
        let blocks = vec![
            Block::header(&"h".repeat(1000)),
            Block::section(&"s".repeat(10_000)).with_block_id("a"),
            Block::fields(&vec!["f".repeat(5000); 30]),
            Block::context(&"c".repeat(10_000)),
            Block::divider().with_block_id("b"),
            Block::buttons(
                Some("survey:1".into()),
                vec![
                    Button::new("yes", &"y".repeat(200), "1:yes"),
                    Button::new("no", "No", "1:no"),
                ],
            ),
            Block::image(Image::from_slack_file("F0123ABCDE", &"a".repeat(9000)).with_title("t")),
        ];
        assert_eq!(validate(&blocks, SurfaceKind::Message), Ok(()));
    }

    #[test]
    fn too_many_blocks() {
        let blocks = vec![Block::divider(); 51];
        assert_eq!(
            first(&blocks, SurfaceKind::Message),
            LimitError::TooManyBlocks {
                kind: SurfaceKind::Message,
                count: 51,
                max: 50
            }
        );
        assert_eq!(validate(&blocks, SurfaceKind::Home), Ok(()));
        assert!(validate(&vec![Block::divider(); 101], SurfaceKind::Modal).is_err());
    }

    #[test]
    fn hand_built_long_texts_are_caught() {
        let header = Block::Header(Header {
            text: PlainText::new("h".repeat(151)),
            block_id: None,
        });
        assert_eq!(
            first(&[header], SurfaceKind::Message),
            LimitError::TooLong {
                path: "blocks[0].text".into(),
                len: 151,
                max: 150
            }
        );
        let section = Block::Section(Section {
            fields: vec![Text::Mrkdwn(crate::kit::Mrkdwn::new("f")); 11],
            ..Section::default()
        });
        assert_eq!(
            first(&[Block::divider(), section], SurfaceKind::Message),
            LimitError::TooMany {
                path: "blocks[1].fields".into(),
                count: 11,
                max: 10
            }
        );
    }

    #[test]
    fn ids_over_255_are_caught() {
        let long = "i".repeat(256);
        let errs = violations(
            &[
                Block::divider().with_block_id(long.clone()),
                Block::buttons(None, vec![Button::new(long.clone(), "ok", "v")]),
            ],
            SurfaceKind::Message,
        );
        assert_eq!(
            errs,
            vec![
                LimitError::TooLong {
                    path: "blocks[0].block_id".into(),
                    len: 256,
                    max: 255
                },
                LimitError::TooLong {
                    path: "blocks[1].elements[0].action_id".into(),
                    len: 256,
                    max: 255
                },
            ]
        );
        assert_eq!(
            validate(
                &[Block::divider().with_block_id("i".repeat(255))],
                SurfaceKind::Message
            ),
            Ok(())
        );
    }

    #[test]
    fn button_limits() {
        let mut b = Button::new("a", "ok", "v".repeat(2001)).with_url("u".repeat(3001));
        b.text.text = "t".repeat(76);
        let errs = violations(&[Block::buttons(None, vec![b])], SurfaceKind::Message);
        let paths: Vec<String> = errs
            .iter()
            .map(|e| match e {
                LimitError::TooLong { path, .. } => path.clone(),
                other => panic!("unexpected {other}"),
            })
            .collect();
        assert_eq!(
            paths,
            [
                "blocks[0].elements[0].text",
                "blocks[0].elements[0].value",
                "blocks[0].elements[0].url"
            ]
        );
    }

    #[test]
    fn empty_things_are_caught() {
        let errs = violations(
            &[
                Block::section(""),
                Block::Section(Section::default()),
                Block::header(""),
                Block::Context(Context {
                    elements: vec![],
                    block_id: None,
                }),
                Block::Actions(Actions {
                    elements: vec![],
                    block_id: None,
                }),
            ],
            SurfaceKind::Message,
        );
        let expected: Vec<LimitError> = [
            "blocks[0].text",
            "blocks[1].text",
            "blocks[2].text",
            "blocks[3].elements",
            "blocks[4].elements",
        ]
        .into_iter()
        .map(|p| LimitError::Empty { path: p.into() })
        .collect();
        assert_eq!(errs, expected);
    }

    #[test]
    fn duplicate_ids_are_caught() {
        let errs = violations(
            &[
                Block::divider().with_block_id("x"),
                Block::divider().with_block_id("x"),
                Block::buttons(
                    None,
                    vec![Button::new("a", "1", "1"), Button::new("a", "2", "2")],
                ),
            ],
            SurfaceKind::Message,
        );
        assert_eq!(
            errs,
            vec![
                LimitError::DuplicateBlockId { id: "x".into() },
                LimitError::DuplicateActionId {
                    path: "blocks[2]".into(),
                    id: "a".into()
                },
            ]
        );
    }

    #[test]
    fn slack_file_ids() {
        assert!(is_slack_file_id("F01234567"));
        assert!(is_slack_file_id("F0123ABCDEFG"));
        assert!(!is_slack_file_id("F0123456")); // too short
        assert!(!is_slack_file_id("f01234567"));
        assert!(!is_slack_file_id("F0123abcd"));
        assert!(!is_slack_file_id(""));
        assert!(!is_slack_file_id("FÉÉÉÉÉÉÉÉ"));
        let err = first(
            &[Block::image(Image::from_slack_file("nope", "alt"))],
            SurfaceKind::Home,
        );
        assert_eq!(
            err,
            LimitError::InvalidSlackFileId {
                path: "blocks[0].slack_file.id".into(),
                id: "nope".into()
            }
        );
    }

    #[test]
    fn large_views_are_caught() {
        let blocks = vec![Block::section(&"x".repeat(3000)); 100];
        assert!(matches!(
            first(&blocks, SurfaceKind::Home),
            LimitError::PayloadTooLarge { max: 250_000, .. }
        ));
    }

    #[test]
    fn errors_read_well() {
        let e = LimitError::TooManyBlocks {
            kind: SurfaceKind::Message,
            count: 51,
            max: 50,
        };
        assert_eq!(e.to_string(), "51 blocks, but a message allows at most 50");
    }
}
