//! Messages, App Home views and modals: the one place the block-count rule lives.
//!
//! Every screen is assembled into a [`Surface`], which on output keeps the
//! first blocks that fit and replaces the rest with a "…and N more" context
//! line, so a long list can never make Slack reject the whole screen.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::kit::{Block, PlainText};
use crate::limits::{
    CALLBACK_ID_MAX, EXTERNAL_ID_MAX, MESSAGE_BLOCKS_MAX, MODAL_CLOSE_MAX, MODAL_SUBMIT_MAX,
    MODAL_TITLE_MAX, PRIVATE_METADATA_MAX, VIEW_BLOCKS_MAX, and_more, char_count, truncate,
};
use crate::validate::LimitError;

/// Where blocks are shown, because Slack allows twice as many blocks in
/// views as in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurfaceKind {
    /// A channel message, DM or ephemeral reply (`chat.postMessage` and friends).
    Message,
    /// The App Home tab (`views.publish`).
    Home,
    /// A modal (`views.open` / `views.push` / `views.update`).
    Modal,
}

impl SurfaceKind {
    /// Most blocks this surface accepts.
    pub const fn max_blocks(self) -> usize {
        match self {
            SurfaceKind::Message => MESSAGE_BLOCKS_MAX,
            SurfaceKind::Home | SurfaceKind::Modal => VIEW_BLOCKS_MAX,
        }
    }
}

impl fmt::Display for SurfaceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SurfaceKind::Message => "message",
            SurfaceKind::Home => "Home tab",
            SurfaceKind::Modal => "modal",
        })
    }
}

/// Cuts a block list to what `kind` accepts: when over, keeps the first
/// `max - 1` blocks and appends a context block "…and N more", N being the
/// number of blocks hidden, so the reader knows the list goes on.
///
/// This is the last-resort safety net and counts blocks, not items: a screen
/// whose list items span several blocks should cut its list by item first
/// (see [`crate::limits::join_lines_within`] and [`crate::limits::and_more`]).
pub fn fit_blocks(mut blocks: Vec<Block>, kind: SurfaceKind) -> Vec<Block> {
    let max = kind.max_blocks();
    if blocks.len() <= max {
        return blocks;
    }
    let keep = max.saturating_sub(1);
    let hidden = blocks.len() - keep;
    blocks.truncate(keep);
    blocks.push(Block::context(&and_more(hidden)));
    blocks
}

/// A screen being built: blocks plus, for views, the view's own fields.
///
/// Serialising it (`serde_json::to_value(&surface)`) gives the payload Slack
/// expects for its kind — `{"blocks": […]}` for a message, a `home` or
/// `modal` view object otherwise — with the block list already fitted.
/// View-only fields are left out of messages; submit/close are left out of
/// Home views, which have no such buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Surface {
    kind: SurfaceKind,
    blocks: Vec<Block>,
    title: Option<PlainText>,
    submit: Option<PlainText>,
    close: Option<PlainText>,
    callback_id: Option<String>,
    private_metadata: Option<String>,
    external_id: Option<String>,
}

impl Surface {
    fn new(kind: SurfaceKind) -> Self {
        Self {
            kind,
            blocks: Vec::new(),
            title: None,
            submit: None,
            close: None,
            callback_id: None,
            private_metadata: None,
            external_id: None,
        }
    }

    /// Starts a message (at most 50 blocks).
    pub fn message() -> Self {
        Self::new(SurfaceKind::Message)
    }

    /// Starts an App Home view (at most 100 blocks).
    pub fn home() -> Self {
        Self::new(SurfaceKind::Home)
    }

    /// Starts a modal (at most 100 blocks); the title is cut to 24 characters,
    /// so write it short.
    pub fn modal(title: &str) -> Self {
        let mut s = Self::new(SurfaceKind::Modal);
        s.title = Some(PlainText::new(truncate(title, MODAL_TITLE_MAX)));
        s
    }

    /// Which surface this is, for [`crate::validate::validate`].
    pub fn kind(&self) -> SurfaceKind {
        self.kind
    }

    /// Appends a block; nothing is cut until output, so order is what counts.
    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    /// Appends blocks, e.g. the output of [`crate::stat_card::stat_cards`].
    pub fn extend(&mut self, blocks: impl IntoIterator<Item = Block>) -> &mut Self {
        self.blocks.extend(blocks);
        self
    }

    /// Builder form of [`Surface::push`].
    pub fn with_block(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }

    /// Builder form of [`Surface::extend`].
    pub fn with_blocks(mut self, blocks: impl IntoIterator<Item = Block>) -> Self {
        self.blocks.extend(blocks);
        self
    }

    /// Label of a modal's submit button, cut to 24 characters.
    pub fn with_submit(mut self, label: &str) -> Self {
        self.submit = Some(PlainText::new(truncate(label, MODAL_SUBMIT_MAX)));
        self
    }

    /// Label of a modal's close button, cut to 24 characters.
    pub fn with_close(mut self, label: &str) -> Self {
        self.close = Some(PlainText::new(truncate(label, MODAL_CLOSE_MAX)));
        self
    }

    /// Routes submissions to a handler. Fails rather than cuts when too long,
    /// because a cut id would route to nothing.
    pub fn with_callback_id(mut self, id: impl Into<String>) -> Result<Self, LimitError> {
        self.callback_id = Some(checked("callback_id", id.into(), CALLBACK_ID_MAX)?);
        Ok(self)
    }

    /// State carried through the view round trip. Fails rather than cuts when
    /// too long, because cut state would be corrupt.
    pub fn with_private_metadata(mut self, data: impl Into<String>) -> Result<Self, LimitError> {
        self.private_metadata = Some(checked(
            "private_metadata",
            data.into(),
            PRIVATE_METADATA_MAX,
        )?);
        Ok(self)
    }

    /// Our own id for the view, for updating it later. Fails rather than cuts
    /// when too long.
    pub fn with_external_id(mut self, id: impl Into<String>) -> Result<Self, LimitError> {
        self.external_id = Some(checked("external_id", id.into(), EXTERNAL_ID_MAX)?);
        Ok(self)
    }

    /// The blocks as they will be sent, already fitted to the block limit.
    pub fn blocks(&self) -> Vec<Block> {
        fit_blocks(self.blocks.clone(), self.kind)
    }

    /// Like [`Surface::blocks`] without the copy, for handing to a Slack client.
    pub fn into_blocks(self) -> Vec<Block> {
        fit_blocks(self.blocks, self.kind)
    }
}

/// Returns `value` if it fits in `max` characters, else the error naming `field`.
fn checked(field: &str, value: String, max: usize) -> Result<String, LimitError> {
    let len = char_count(&value);
    if len > max {
        return Err(LimitError::TooLong {
            path: field.to_owned(),
            len,
            max,
        });
    }
    Ok(value)
}

/// The JSON shape of a surface; borrowed so serialising does not copy fields.
#[derive(Serialize)]
struct SurfaceJson<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a PlainText>,
    blocks: Vec<Block>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submit: Option<&'a PlainText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    close: Option<&'a PlainText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_metadata: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
}

impl Serialize for Surface {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let blocks = self.blocks();
        let json = match self.kind {
            SurfaceKind::Message => SurfaceJson {
                kind: None,
                title: None,
                blocks,
                submit: None,
                close: None,
                callback_id: None,
                private_metadata: None,
                external_id: None,
            },
            SurfaceKind::Home | SurfaceKind::Modal => {
                let modal = self.kind == SurfaceKind::Modal;
                SurfaceJson {
                    kind: Some(if modal { "modal" } else { "home" }),
                    title: self.title.as_ref().filter(|_| modal),
                    blocks,
                    submit: self.submit.as_ref().filter(|_| modal),
                    close: self.close.as_ref().filter(|_| modal),
                    callback_id: self.callback_id.as_deref(),
                    private_metadata: self.private_metadata.as_deref(),
                    external_id: self.external_id.as_deref(),
                }
            }
        };
        json.serialize(serializer)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sections(n: usize) -> Vec<Block> {
        (1..=n)
            .map(|i| Block::section(&format!("Row {i}")))
            .collect()
    }

    #[test]
    fn under_and_at_the_limit_are_untouched() {
        assert_eq!(fit_blocks(Vec::new(), SurfaceKind::Message), Vec::new());
        assert_eq!(fit_blocks(sections(50), SurfaceKind::Message), sections(50));
        assert_eq!(fit_blocks(sections(100), SurfaceKind::Home), sections(100));
    }

    #[test]
    fn one_over_the_limit_hides_two() {
        let out = fit_blocks(sections(51), SurfaceKind::Message);
        assert_eq!(out.len(), 50);
        assert_eq!(out[48], Block::section("Row 49"));
        assert_eq!(out[49], Block::context("…and 2 more"));
    }

    #[test]
    fn views_allow_one_hundred() {
        let out = fit_blocks(sections(250), SurfaceKind::Modal);
        assert_eq!(out.len(), 100);
        assert_eq!(out[99], Block::context("…and 151 more"));
    }

    #[test]
    fn message_json_is_just_blocks() {
        let s = Surface::message()
            .with_block(Block::divider())
            .with_submit("ignored");
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"blocks": [{"type": "divider"}]})
        );
    }

    #[test]
    fn home_json_has_type_and_no_modal_fields() {
        let s = Surface::home()
            .with_block(Block::divider())
            .with_close("ignored")
            .with_callback_id("home_admin")
            .unwrap();
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"type": "home", "blocks": [{"type": "divider"}], "callback_id": "home_admin"})
        );
    }

    #[test]
    fn modal_json_cuts_titles() {
        let s = Surface::modal("Choose which repositories to import")
            .with_submit("Save")
            .with_close("Cancel")
            .with_private_metadata("T0:42")
            .unwrap()
            .with_block(Block::divider());
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({
                "type": "modal",
                "title": {"type": "plain_text", "text": "Choose which repositori…"},
                "blocks": [{"type": "divider"}],
                "submit": {"type": "plain_text", "text": "Save"},
                "close": {"type": "plain_text", "text": "Cancel"},
                "private_metadata": "T0:42"
            })
        );
    }

    #[test]
    fn over_long_ids_are_refused_not_cut() {
        let err = Surface::home()
            .with_callback_id("x".repeat(256))
            .unwrap_err();
        assert_eq!(
            err,
            LimitError::TooLong {
                path: "callback_id".into(),
                len: 256,
                max: 255
            }
        );
        assert!(Surface::home().with_external_id("x".repeat(255)).is_ok());
        assert!(
            Surface::home()
                .with_private_metadata("é".repeat(3001))
                .is_err()
        );
    }

    #[test]
    fn push_and_extend() {
        let mut s = Surface::message();
        s.push(Block::divider()).extend(sections(60));
        assert_eq!(s.kind(), SurfaceKind::Message);
        assert_eq!(s.blocks().len(), 50);
        assert_eq!(s.clone().into_blocks(), s.blocks());
    }
}
