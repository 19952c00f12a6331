//! A minimal typed Block Kit model that serialises to exactly Slack's JSON.
//!
//! Types make the shapes Slack insists on impossible to get wrong (a header is
//! always `plain_text`, an image has exactly one source), and the
//! constructors cut text to Slack's limits through [`crate::limits`]. Fields
//! are public so later issues can build unusual shapes; anything built by
//! hand should be checked with [`crate::validate::validate`].
//!
//! Identifiers (`block_id`, `action_id`) and button values are never cut:
//! a shortened id would route a click to the wrong handler or record, so an
//! over-long one is reported by `validate` instead.

use serde::{Deserialize, Serialize};

use crate::limits::{
    ACTIONS_ELEMENTS_MAX, BUTTON_TEXT_MAX, HEADER_TEXT_MAX, IMAGE_ALT_TEXT_MAX, IMAGE_TITLE_MAX,
    SECTION_FIELD_TEXT_MAX, SECTION_FIELDS_MAX, SECTION_TEXT_MAX, TEXT_OBJECT_MAX, and_more,
    truncate, truncate_mrkdwn,
};

/// A `plain_text` object: shown literally, required by headers and buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "plain_text", from = "PlainTextRepr")]
pub struct PlainText {
    /// The text, shown as is (no escaping needed).
    pub text: String,
    /// Whether Slack turns `:shortcodes:` into emoji; Slack's default is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<bool>,
}

impl PlainText {
    /// Wraps text without cutting it; the block constructors cut to their own limit.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            emoji: None,
        }
    }
}

/// A `mrkdwn` object: Slack's markdown, where user text must be escaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "mrkdwn", from = "MrkdwnRepr")]
pub struct Mrkdwn {
    /// The markup; raw user text in it must have passed through
    /// [`crate::limits::escape_mrkdwn`].
    pub text: String,
    /// When true Slack does not auto-link URLs, channel names or mentions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verbatim: Option<bool>,
}

impl Mrkdwn {
    /// Wraps markup without cutting it; the block constructors cut to their own limit.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            verbatim: None,
        }
    }
}

// Serde checks a struct's `tag` only when serialising; reading goes through
// these one-variant enums so that `{"type": "mrkdwn"}` is never accepted as
// plain text (which would also make the untagged `Text` pick the wrong kind).

#[derive(Deserialize)]
#[serde(tag = "type")]
enum PlainTextRepr {
    #[serde(rename = "plain_text")]
    PlainText {
        text: String,
        #[serde(default)]
        emoji: Option<bool>,
    },
}

impl From<PlainTextRepr> for PlainText {
    fn from(r: PlainTextRepr) -> Self {
        let PlainTextRepr::PlainText { text, emoji } = r;
        Self { text, emoji }
    }
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum MrkdwnRepr {
    #[serde(rename = "mrkdwn")]
    Mrkdwn {
        text: String,
        #[serde(default)]
        verbatim: Option<bool>,
    },
}

impl From<MrkdwnRepr> for Mrkdwn {
    fn from(r: MrkdwnRepr) -> Self {
        let MrkdwnRepr::Mrkdwn { text, verbatim } = r;
        Self { text, verbatim }
    }
}

/// Either kind of text object, for the places Slack accepts both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    /// Literal text.
    Plain(PlainText),
    /// Slack markdown.
    Mrkdwn(Mrkdwn),
}

impl Text {
    /// The characters Slack measures, whichever the kind.
    pub fn as_str(&self) -> &str {
        match self {
            Text::Plain(t) => &t.text,
            Text::Mrkdwn(t) => &t.text,
        }
    }

    /// Mrkdwn text cut to `max` characters without breaking links or
    /// entities; the common case for our own composed messages.
    pub fn mrkdwn(text: &str, max: usize) -> Self {
        Text::Mrkdwn(Mrkdwn::new(truncate_mrkdwn(text, max)))
    }
}

/// Button colour; Slack allows only these two besides the default grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonStyle {
    /// Green: the one recommended next step on a surface.
    Primary,
    /// Red: destructive actions only.
    Danger,
}

/// A button element; the building block of one-click surveys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "button")]
pub struct Button {
    /// Stable constant naming the handler (see docs/surfaces.md principle 8).
    pub action_id: String,
    /// The label, at most [`BUTTON_TEXT_MAX`] characters.
    pub text: PlainText,
    /// Sent back on click; carries the record id so a click is self-contained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Opens this link in the browser on click (Slack still sends the action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Colour; `None` is Slack's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<ButtonStyle>,
}

impl Button {
    /// A button whose label is cut to fit; `action_id` and `value` are kept
    /// whole because a cut id or value would misroute the click.
    pub fn new(action_id: impl Into<String>, label: &str, value: impl Into<String>) -> Self {
        Self {
            action_id: action_id.into(),
            text: PlainText::new(truncate(label, BUTTON_TEXT_MAX)),
            value: Some(value.into()),
            url: None,
            style: None,
        }
    }

    /// Marks the button as the surface's recommended next step.
    pub fn primary(mut self) -> Self {
        self.style = Some(ButtonStyle::Primary);
        self
    }

    /// Marks the button as destructive.
    pub fn danger(mut self) -> Self {
        self.style = Some(ButtonStyle::Danger);
        self
    }

    /// Makes the button also open a link (kept whole; `validate` checks length).
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }
}

/// A small image element, usable in context blocks and as a section accessory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "image")]
pub struct ImageElement {
    /// Public URL Slack downloads the image from.
    pub image_url: String,
    /// Screen-reader text; required by Slack.
    pub alt_text: String,
}

/// What may sit at the right of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Accessory {
    /// A button, e.g. "Connect Jira" beside a setup step.
    Button(Button),
    /// A thumbnail image.
    Image(ImageElement),
}

/// What an actions block may hold (more element kinds arrive with later issues).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ActionElement {
    /// A button.
    Button(Button),
    /// A single-choice menu, e.g. the dashboard's range picker.
    Select(StaticSelect),
}

impl ActionElement {
    /// The element's `action_id`.
    pub fn action_id(&self) -> &str {
        match self {
            ActionElement::Button(b) => &b.action_id,
            ActionElement::Select(s) => &s.action_id,
        }
    }
}

/// A single-choice menu over options given in the view; choosing one sends
/// a `block_actions` payload at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "static_select")]
pub struct StaticSelect {
    /// Stable id from `ids`.
    pub action_id: String,
    /// Grey text shown while nothing is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// At most [`crate::limits::SELECT_OPTIONS_MAX`] options.
    pub options: Vec<OptionObject>,
    /// The option shown as chosen (one of `options`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_option: Option<OptionObject>,
}

impl StaticSelect {
    /// A menu with `options`, `selected` (a value) shown as chosen when it
    /// is one of them. Options beyond Slack's limit are dropped.
    pub fn new(
        action_id: &str,
        placeholder: &str,
        options: Vec<OptionObject>,
        selected: &str,
    ) -> Self {
        let mut options = options;
        options.truncate(crate::limits::SELECT_OPTIONS_MAX);
        let initial_option = options.iter().find(|o| o.value == selected).cloned();
        Self {
            action_id: action_id.to_owned(),
            placeholder: Some(PlainText::new(truncate(
                placeholder,
                crate::limits::PLACEHOLDER_MAX,
            ))),
            options,
            initial_option,
        }
    }
}

/// What a context block may hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ContextElement {
    /// Small grey text.
    Text(Text),
    /// A small icon-sized image.
    Image(ImageElement),
}

/// A section: the main text block, with optional two-column fields and an accessory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Section {
    /// Up to [`SECTION_TEXT_MAX`] characters; Slack needs `text` or `fields`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// Up to [`SECTION_FIELDS_MAX`] short texts of [`SECTION_FIELD_TEXT_MAX`] each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Text>,
    /// Element shown at the right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessory: Option<Accessory>,
    /// Stable id for updating this block or reading its actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

/// A large bold title line; Slack only accepts `plain_text` here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Up to [`HEADER_TEXT_MAX`] characters.
    pub text: PlainText,
    /// Stable id for this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

/// Small grey text and icons: definitions, sample sizes, "synced 6 min ago".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Up to [`crate::limits::CONTEXT_ELEMENTS_MAX`] elements.
    pub elements: Vec<ContextElement>,
    /// Stable id for this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

/// A horizontal rule between groups of blocks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Divider {
    /// Stable id for this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

/// A row of interactive elements, e.g. survey answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actions {
    /// Up to [`ACTIONS_ELEMENTS_MAX`] elements.
    pub elements: Vec<ActionElement>,
    /// Stable id; ours carry the record id (`survey_author:8412`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

/// A reference to a file already uploaded to Slack (see docs/platform.md A3 for
/// who can see it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SlackFile {
    /// By file id (`F…`), the usual case after `files.completeUploadExternal`.
    Id {
        /// The file id; must match `^F[A-Z0-9]{8,}$`.
        id: String,
    },
    /// By `url_private` or permalink.
    Url {
        /// The file's private URL or permalink.
        url: String,
    },
}

/// Where an image block gets its picture; Slack rejects both or neither.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ImageSource {
    /// A public HTTPS URL Slack can download.
    Url {
        /// Up to [`crate::limits::IMAGE_URL_MAX`] characters.
        image_url: String,
    },
    /// A file uploaded to Slack.
    SlackFile {
        /// The file reference.
        slack_file: SlackFile,
    },
}

/// A full-width picture, used for charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The picture's source.
    #[serde(flatten)]
    pub source: ImageSource,
    /// States the data the chart shows, for screen readers and failed loads.
    pub alt_text: String,
    /// Shown above the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<PlainText>,
    /// Stable id for this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

impl Image {
    /// A chart from a public URL; the alt text is cut to fit, the URL is not
    /// (a cut URL would silently show nothing).
    pub fn from_url(image_url: impl Into<String>, alt_text: &str) -> Self {
        Self {
            source: ImageSource::Url {
                image_url: image_url.into(),
            },
            alt_text: truncate(alt_text, IMAGE_ALT_TEXT_MAX).into_owned(),
            title: None,
            block_id: None,
        }
    }

    /// A chart uploaded to Slack, referenced by file id.
    pub fn from_slack_file(id: impl Into<String>, alt_text: &str) -> Self {
        Self {
            source: ImageSource::SlackFile {
                slack_file: SlackFile::Id { id: id.into() },
            },
            alt_text: truncate(alt_text, IMAGE_ALT_TEXT_MAX).into_owned(),
            title: None,
            block_id: None,
        }
    }

    /// Adds a title, cut to fit.
    pub fn with_title(mut self, title: &str) -> Self {
        self.title = Some(PlainText::new(truncate(title, IMAGE_TITLE_MAX)));
        self
    }
}

/// A single-line or multi-line text input (modals only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainTextInput {
    /// Stable id from `ids`; the submitted value arrives under it.
    pub action_id: String,
    /// Grey text shown while empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// Prefilled value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_value: Option<String>,
    /// A box of several lines instead of one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiline: bool,
    /// The most characters Slack lets people type (at most 3,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
}

/// One choice of a select or radio group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionObject {
    /// What people see, at most [`crate::limits::OPTION_TEXT_MAX`] characters.
    pub text: PlainText,
    /// What is submitted (kept whole; `validate` checks its length).
    pub value: String,
}

impl OptionObject {
    /// An option whose label is cut to Slack's limit.
    pub fn new(label: &str, value: impl Into<String>) -> Self {
        Self {
            text: PlainText::new(truncate(label, crate::limits::OPTION_TEXT_MAX)),
            value: value.into(),
        }
    }
}

/// A multi-select over options given in the view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiStaticSelect {
    /// Stable id from `ids`.
    pub action_id: String,
    /// Grey text shown while empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// At most [`crate::limits::SELECT_OPTIONS_MAX`] options.
    pub options: Vec<OptionObject>,
    /// Preselected options (each one of `options`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initial_options: Vec<OptionObject>,
}

/// A multi-select whose options load from the options URL as people type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiExternalSelect {
    /// Stable id from `ids`; the options listener is registered under it.
    pub action_id: String,
    /// Grey text shown while empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// Characters typed before Slack asks for options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_query_length: Option<u32>,
    /// Preselected options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initial_options: Vec<OptionObject>,
}

/// A group of radio buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadioButtons {
    /// Stable id from `ids`.
    pub action_id: String,
    /// At most [`crate::limits::RADIO_OPTIONS_MAX`] options.
    pub options: Vec<OptionObject>,
    /// The option chosen at first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_option: Option<OptionObject>,
}

/// A single choice in a modal's input block (the `static_select` of
/// [`StaticSelect`] without its own tag, which the input enum adds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleSelect {
    /// Stable id from `ids`.
    pub action_id: String,
    /// Grey text shown while nothing is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// At most [`crate::limits::SELECT_OPTIONS_MAX`] options.
    pub options: Vec<OptionObject>,
    /// The option chosen at first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_option: Option<OptionObject>,
}

/// Slack's own people picker: one workspace member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersSelect {
    /// Stable id from `ids`.
    pub action_id: String,
    /// Grey text shown while nobody is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// The member chosen at first (`U…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_user: Option<String>,
}

/// Slack's conversation picker: one channel (public or private) the
/// person choosing can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationsSelect {
    /// Stable id from `ids`.
    pub action_id: String,
    /// Grey text shown while nothing is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// The conversation chosen at first (`C…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_conversation: Option<String>,
    /// Which conversations are offered, e.g.
    /// `{"include": ["public", "private"], "exclude_bot_users": true}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<serde_json::Value>,
}

/// A single choice whose options load from the options URL as people type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalSelect {
    /// Stable id from `ids`; the options listener is registered under it.
    pub action_id: String,
    /// Grey text shown while nothing is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<PlainText>,
    /// Characters typed before Slack asks for options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_query_length: Option<u32>,
    /// The option chosen at first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_option: Option<OptionObject>,
}

/// A group of checkboxes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkboxes {
    /// Stable id from `ids`.
    pub action_id: String,
    /// At most [`crate::limits::CHECKBOX_OPTIONS_MAX`] options.
    pub options: Vec<OptionObject>,
    /// The options ticked at first (each one of `options`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initial_options: Vec<OptionObject>,
}

/// A time of day picker (`HH:mm`, 24-hour).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timepicker {
    /// Stable id from `ids`.
    pub action_id: String,
    /// The time shown at first, `HH:mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_time: Option<String>,
}

/// What an input block may hold, tagged with Slack's element `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum InputElement {
    /// Free text.
    #[serde(rename = "plain_text_input")]
    Text(PlainTextInput),
    /// Several of a given list.
    #[serde(rename = "multi_static_select")]
    MultiStatic(MultiStaticSelect),
    /// Several, searched through the options URL.
    #[serde(rename = "multi_external_select")]
    MultiExternal(MultiExternalSelect),
    /// One of a few.
    #[serde(rename = "radio_buttons")]
    Radio(RadioButtons),
    /// One of a list.
    #[serde(rename = "static_select")]
    Single(SingleSelect),
    /// One workspace member.
    #[serde(rename = "users_select")]
    Users(UsersSelect),
    /// One channel.
    #[serde(rename = "conversations_select")]
    Conversations(ConversationsSelect),
    /// One, searched through the options URL.
    #[serde(rename = "external_select")]
    External(ExternalSelect),
    /// Any of a few.
    #[serde(rename = "checkboxes")]
    Checkboxes(Checkboxes),
    /// A time of day.
    #[serde(rename = "timepicker")]
    Time(Timepicker),
}

impl InputElement {
    /// The element's `action_id`.
    pub fn action_id(&self) -> &str {
        match self {
            InputElement::Text(e) => &e.action_id,
            InputElement::MultiStatic(e) => &e.action_id,
            InputElement::MultiExternal(e) => &e.action_id,
            InputElement::Radio(e) => &e.action_id,
            InputElement::Single(e) => &e.action_id,
            InputElement::Users(e) => &e.action_id,
            InputElement::Conversations(e) => &e.action_id,
            InputElement::External(e) => &e.action_id,
            InputElement::Checkboxes(e) => &e.action_id,
            InputElement::Time(e) => &e.action_id,
        }
    }
}

/// An input block: a label and one input element. `block_id` is required
/// because `response_action: errors` names the block that gets the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// The label above the input.
    pub label: PlainText,
    /// The input.
    pub element: InputElement,
    /// Whether the view may be submitted with this input empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// Small text under the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<PlainText>,
    /// Stable id from `ids`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
}

/// One Block Kit layout block, serialised with its `"type"` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// See [`Section`].
    Section(Section),
    /// See [`Header`].
    Header(Header),
    /// See [`Context`].
    Context(Context),
    /// See [`Divider`].
    Divider(Divider),
    /// See [`Actions`].
    Actions(Actions),
    /// See [`Image`].
    Image(Image),
    /// See [`Input`].
    Input(Input),
}

impl Block {
    /// A text input for modals; label and hint are cut to Slack's limits.
    pub fn text_input(
        block_id: &str,
        action_id: &str,
        label: &str,
        placeholder: Option<&str>,
        hint: Option<&str>,
    ) -> Self {
        Block::Input(Input {
            label: PlainText::new(truncate(label, TEXT_OBJECT_MAX)),
            element: InputElement::Text(PlainTextInput {
                action_id: action_id.to_string(),
                placeholder: placeholder.map(|p| PlainText::new(truncate(p, 150))),
                initial_value: None,
                multiline: false,
                max_length: None,
            }),
            optional: false,
            hint: hint.map(|h| PlainText::new(truncate(h, TEXT_OBJECT_MAX))),
            block_id: Some(block_id.to_string()),
        })
    }

    /// An input block around any element; the label is cut to fit.
    pub fn input(block_id: &str, label: &str, element: InputElement, optional: bool) -> Self {
        Block::Input(Input {
            label: PlainText::new(truncate(label, TEXT_OBJECT_MAX)),
            element,
            optional,
            hint: None,
            block_id: Some(block_id.to_string()),
        })
    }

    /// A header, cut to [`HEADER_TEXT_MAX`] characters.
    pub fn header(text: &str) -> Self {
        Block::Header(Header {
            text: PlainText::new(truncate(text, HEADER_TEXT_MAX)),
            block_id: None,
        })
    }

    /// A section of composed mrkdwn, cut to [`SECTION_TEXT_MAX`] characters
    /// without breaking links or entities. Escape user text before composing.
    pub fn section(mrkdwn: &str) -> Self {
        Block::Section(Section {
            text: Some(Text::mrkdwn(mrkdwn, SECTION_TEXT_MAX)),
            ..Section::default()
        })
    }

    /// A section with a button at its right, as on the setup checklist.
    pub fn section_with_button(mrkdwn: &str, button: Button) -> Self {
        Block::Section(Section {
            text: Some(Text::mrkdwn(mrkdwn, SECTION_TEXT_MAX)),
            accessory: Some(Accessory::Button(button)),
            ..Section::default()
        })
    }

    /// A section of two-column mrkdwn fields, each cut to
    /// [`SECTION_FIELD_TEXT_MAX`]; past [`SECTION_FIELDS_MAX`] the last field
    /// becomes "…and N more". To show every field, split across sections
    /// instead (as [`crate::stat_card::stat_cards`] does).
    pub fn fields<S: AsRef<str>>(fields: &[S]) -> Self {
        let mut out: Vec<Text> = Vec::with_capacity(fields.len().min(SECTION_FIELDS_MAX));
        let keep = if fields.len() > SECTION_FIELDS_MAX {
            SECTION_FIELDS_MAX - 1
        } else {
            fields.len()
        };
        for f in fields.iter().take(keep) {
            out.push(Text::mrkdwn(f.as_ref(), SECTION_FIELD_TEXT_MAX));
        }
        if keep < fields.len() {
            out.push(Text::Mrkdwn(Mrkdwn::new(and_more(fields.len() - keep))));
        }
        Block::Section(Section {
            fields: out,
            ..Section::default()
        })
    }

    /// A context line of composed mrkdwn, cut to [`TEXT_OBJECT_MAX`].
    pub fn context(mrkdwn: &str) -> Self {
        Block::Context(Context {
            elements: vec![ContextElement::Text(Text::mrkdwn(mrkdwn, TEXT_OBJECT_MAX))],
            block_id: None,
        })
    }

    /// A divider.
    pub fn divider() -> Self {
        Block::Divider(Divider::default())
    }

    /// A row of buttons; past [`ACTIONS_ELEMENTS_MAX`] the extra buttons are
    /// dropped (a count cannot be shown inside an actions block), so keep
    /// rows short by design.
    pub fn buttons(block_id: Option<String>, buttons: Vec<Button>) -> Self {
        Block::Actions(Actions {
            elements: buttons
                .into_iter()
                .take(ACTIONS_ELEMENTS_MAX)
                .map(ActionElement::Button)
                .collect(),
            block_id,
        })
    }

    /// An image block.
    pub fn image(image: Image) -> Self {
        Block::Image(image)
    }

    /// Sets the block's `block_id` (kept whole; `validate` checks its length).
    pub fn with_block_id(mut self, id: impl Into<String>) -> Self {
        let id = Some(id.into());
        match &mut self {
            Block::Section(b) => b.block_id = id,
            Block::Header(b) => b.block_id = id,
            Block::Context(b) => b.block_id = id,
            Block::Divider(b) => b.block_id = id,
            Block::Actions(b) => b.block_id = id,
            Block::Image(b) => b.block_id = id,
            Block::Input(b) => b.block_id = id,
        }
        self
    }

    /// The block's `block_id`, if set; used to catch duplicates.
    pub fn block_id(&self) -> Option<&str> {
        match self {
            Block::Section(b) => b.block_id.as_deref(),
            Block::Header(b) => b.block_id.as_deref(),
            Block::Context(b) => b.block_id.as_deref(),
            Block::Divider(b) => b.block_id.as_deref(),
            Block::Actions(b) => b.block_id.as_deref(),
            Block::Image(b) => b.block_id.as_deref(),
            Block::Input(b) => b.block_id.as_deref(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn to_json(b: &Block) -> serde_json::Value {
        serde_json::to_value(b).unwrap()
    }

    #[test]
    fn header_is_plain_text() {
        assert_eq!(
            to_json(&Block::header("Engineering overview")),
            json!({"type": "header", "text": {"type": "plain_text", "text": "Engineering overview"}})
        );
    }

    #[test]
    fn section_skips_absent_fields() {
        assert_eq!(
            to_json(&Block::section("*Did AI help?*")),
            json!({"type": "section", "text": {"type": "mrkdwn", "text": "*Did AI help?*"}})
        );
    }

    #[test]
    fn section_with_button_matches_surfaces_md() {
        let b = Block::section_with_button(
            ":white_large_square: *Jira* — optional",
            Button::new("setup_jira", "Connect Jira", "jira").primary(),
        );
        assert_eq!(
            to_json(&b),
            json!({
                "type": "section",
                "text": {"type": "mrkdwn", "text": ":white_large_square: *Jira* — optional"},
                "accessory": {
                    "type": "button",
                    "action_id": "setup_jira",
                    "text": {"type": "plain_text", "text": "Connect Jira"},
                    "value": "jira",
                    "style": "primary"
                }
            })
        );
    }

    #[test]
    fn actions_and_context_and_divider() {
        let b = Block::buttons(
            Some("survey_author:8412".into()),
            vec![Button::new("survey_author_none", "No AI", "8412:none")],
        );
        assert_eq!(
            to_json(&b),
            json!({
                "type": "actions",
                "elements": [{
                    "type": "button",
                    "action_id": "survey_author_none",
                    "text": {"type": "plain_text", "text": "No AI"},
                    "value": "8412:none"
                }],
                "block_id": "survey_author:8412"
            })
        );
        assert_eq!(
            to_json(&Block::context("One click.")),
            json!({"type": "context", "elements": [{"type": "mrkdwn", "text": "One click."}]})
        );
        assert_eq!(to_json(&Block::divider()), json!({"type": "divider"}));
    }

    #[test]
    fn image_sources() {
        let url = Image::from_url("https://x.example/c.png", "Bars rising from 31 to 44")
            .with_title("Merged PRs per week");
        assert_eq!(
            to_json(&Block::image(url)),
            json!({
                "type": "image",
                "image_url": "https://x.example/c.png",
                "alt_text": "Bars rising from 31 to 44",
                "title": {"type": "plain_text", "text": "Merged PRs per week"}
            })
        );
        let file = Image::from_slack_file("F0123ABCDE", "chart");
        assert_eq!(
            to_json(&Block::image(file)),
            json!({"type": "image", "slack_file": {"id": "F0123ABCDE"}, "alt_text": "chart"})
        );
    }

    #[test]
    fn blocks_round_trip_through_json() {
        let blocks = vec![
            Block::header("h"),
            Block::section("s").with_block_id("b1"),
            Block::fields(&["a", "b"]),
            Block::context("c"),
            Block::divider(),
            Block::buttons(None, vec![Button::new("a", "b", "c").danger()]),
            Block::image(Image::from_slack_file("F0123ABCDE", "alt")),
            Block::image(Image::from_url("https://x.example/c.png", "alt")),
        ];
        let json = serde_json::to_string(&blocks).unwrap();
        let back: Vec<Block> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, blocks);
    }

    #[test]
    fn headers_refuse_mrkdwn() {
        let bad = json!({"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}});
        assert!(serde_json::from_value::<Block>(bad).is_err());
        let plain: Text =
            serde_json::from_value(json!({"type": "plain_text", "text": "p"})).unwrap();
        assert_eq!(plain, Text::Plain(PlainText::new("p")));
    }

    #[test]
    fn constructors_cut_text() {
        let long = "x".repeat(5000);
        let Block::Header(h) = Block::header(&long) else {
            panic!("not a header")
        };
        assert_eq!(h.text.text.chars().count(), HEADER_TEXT_MAX);
        let Block::Section(s) = Block::section(&long) else {
            panic!("not a section")
        };
        assert_eq!(s.text.unwrap().as_str().chars().count(), SECTION_TEXT_MAX);
        let b = Button::new("id", &long, "v");
        assert_eq!(b.text.text.chars().count(), BUTTON_TEXT_MAX);
    }

    #[test]
    fn too_many_fields_end_in_and_more() {
        let fields: Vec<String> = (1..=13).map(|i| format!("f{i}")).collect();
        let Block::Section(s) = Block::fields(&fields) else {
            panic!("not a section")
        };
        assert_eq!(s.fields.len(), SECTION_FIELDS_MAX);
        assert_eq!(s.fields[9].as_str(), "…and 4 more");
        assert_eq!(s.fields[8].as_str(), "f9");
    }

    #[test]
    fn too_many_buttons_are_dropped() {
        let buttons = (0..30)
            .map(|i| Button::new(format!("a{i}"), "b", "v"))
            .collect();
        let Block::Actions(a) = Block::buttons(None, buttons) else {
            panic!("not actions")
        };
        assert_eq!(a.elements.len(), ACTIONS_ELEMENTS_MAX);
    }
}
