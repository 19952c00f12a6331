//! Property tests: no input, however long or strange, yields text over a
//! Slack limit, a cut character or entity, or a panic.

#![allow(clippy::unwrap_used)]

use blocks::limits::{
    SECTION_FIELD_TEXT_MAX, char_count, escape_and_truncate, escape_mrkdwn, join_lines_within,
    truncate, truncate_mrkdwn,
};
use blocks::{
    BetterWhen, Block, Button, Change, StatCard, SurfaceKind, fit_blocks, stat_cards, validate,
};
use proptest::prelude::*;

/// Strings mixing arbitrary Unicode with the characters our helpers treat
/// specially (`&`, `<`, `>`, `;`, `|`, whitespace, multi-byte and emoji).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z&<>;|* \n`_é日🎉👩‍💻]{0,80}",
        // Long enough to cross the 2000/3000 limits.
        ("[a-z&<> é🎉]{1,8}", 0usize..800).prop_map(|(s, n)| s.repeat(n)),
    ]
}

/// Every `&` must begin one of Slack's three entities.
fn entities_whole(s: &str) -> bool {
    s.match_indices('&').all(|(i, _)| {
        let rest = &s[i..];
        rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;")
    })
}

fn change() -> impl Strategy<Value = Option<Change>> {
    proptest::option::of(
        (
            prop_oneof![any::<f64>(), -200.0f64..200.0],
            prop_oneof![Just(BetterWhen::Lower), Just(BetterWhen::Higher)],
            proptest::option::of(text()),
        )
            .prop_map(|(percent, better_when, compared_to)| Change {
                percent,
                better_when,
                compared_to,
            }),
    )
}

fn card() -> impl Strategy<Value = StatCard> {
    (
        text(),
        proptest::option::of(text()),
        change(),
        proptest::option::of(text()),
    )
        .prop_map(|(label, value, change, hint)| StatCard {
            label,
            value,
            change,
            hint,
        })
}

/// Reverses [`escape_mrkdwn`] (for text without the look-alikes).
fn unescape(s: &str) -> String {
    s.replace('\u{2217}', "*")
        .replace('\u{02CD}', "_")
        .replace('\u{223C}', "~")
        .replace('\u{2035}', "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

proptest! {
    #[test]
    fn escaped_text_can_neither_notify_link_nor_format_and_reads_back(
        s in prop_oneof![
            text(),
            "(<!channel>|<!here>|<@U0ADMIN>|<#C1>|<http://x\\|y>|&amp;|&|\\*|_|~|`|a| ){0,30}",
        ]
    ) {
        let out = escape_mrkdwn(&s);
        for live in ['<', '>', '*', '~', '`'] {
            prop_assert!(!out.contains(live), "{:?} left in {:?}", live, out);
        }
        // An underscore is left only inside a word, where it cannot format.
        let chars: Vec<char> = out.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c == '_' {
                prop_assert!(
                    i > 0 && chars[i - 1].is_alphanumeric()
                        && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()),
                    "an edge underscore in {:?}", out
                );
            }
        }
        prop_assert!(entities_whole(&out));
        if !s.contains(['\u{2217}', '\u{02CD}', '\u{223C}', '\u{2035}']) {
            prop_assert_eq!(unescape(&out), s);
        }
    }

    #[test]
    fn truncate_fits_and_is_a_prefix(s in text(), max in 0usize..64) {
        let out = truncate(&s, max);
        prop_assert!(char_count(&out) <= max);
        if char_count(&s) <= max {
            prop_assert_eq!(out.as_ref(), s.as_str());
        } else if max > 0 {
            let kept = out.strip_suffix('…').unwrap();
            prop_assert!(s.starts_with(kept));
        }
    }

    #[test]
    fn escape_and_truncate_fits_and_keeps_entities(s in text(), max in 0usize..64) {
        let out = escape_and_truncate(&s, max);
        prop_assert!(char_count(&out) <= max);
        prop_assert!(!out.contains(['<', '>']));
        prop_assert!(entities_whole(&out));
        if char_count(&escape_mrkdwn(&s)) <= max {
            prop_assert_eq!(out, escape_mrkdwn(&s).into_owned());
        }
    }

    #[test]
    fn truncate_mrkdwn_fits_and_keeps_entities(s in text(), max in 0usize..64) {
        let escaped = escape_mrkdwn(&s);
        let out = truncate_mrkdwn(&escaped, max);
        prop_assert!(char_count(&out) <= max);
        prop_assert!(entities_whole(&out));
        // Arbitrary (unescaped) input must not panic either.
        prop_assert!(char_count(&truncate_mrkdwn(&s, max)) <= max);
    }

    #[test]
    fn truncate_mrkdwn_never_leaves_half_a_link(
        parts in proptest::collection::vec((text(), "[a-z0-9/?=&]{0,20}", any::<bool>()), 0..6),
        max in 0usize..120,
    ) {
        // Our composed mrkdwn: escaped user text and links whose URLs may hold `&`.
        let composed: String = parts
            .iter()
            .map(|(t, url, link)| {
                if *link {
                    format!("<https://x.example/{url}|{}>", escape_mrkdwn(t))
                } else {
                    escape_mrkdwn(t).into_owned()
                }
            })
            .collect();
        let out = truncate_mrkdwn(&composed, max);
        prop_assert!(char_count(&out) <= max);
        let opens = out.matches('<').count();
        let closes = out.matches('>').count();
        prop_assert_eq!(opens, closes, "unbalanced link in {:?}", out);
    }

    #[test]
    fn join_lines_fits(lines in proptest::collection::vec(text(), 0..20), max in 0usize..200) {
        prop_assert!(char_count(&join_lines_within(&lines, max)) <= max);
    }

    #[test]
    fn any_stat_card_passes_slack_limits(cards in proptest::collection::vec(card(), 0..25)) {
        let blocks = stat_cards(&cards);
        prop_assert_eq!(blocks.len(), cards.len().div_ceil(10));
        prop_assert_eq!(validate(&blocks, SurfaceKind::Message), Ok(()));
        for c in &cards {
            prop_assert!(char_count(&c.to_mrkdwn(SECTION_FIELD_TEXT_MAX)) <= SECTION_FIELD_TEXT_MAX);
            prop_assert_eq!(validate(&c.blocks(), SurfaceKind::Message), Ok(()));
        }
    }

    #[test]
    fn built_blocks_pass_slack_limits(s in text().prop_filter("non-empty", |s| !s.is_empty())) {
        let blocks = vec![
            Block::header(&s),
            Block::section(&s),
            Block::fields(&vec![s.clone(); 12]),
            Block::context(&s),
            Block::buttons(None, vec![Button::new("a", &s, "v")]),
        ];
        prop_assert_eq!(validate(&blocks, SurfaceKind::Message), Ok(()));
    }

    #[test]
    fn fitted_blocks_pass_block_count(n in 0usize..260) {
        for kind in [SurfaceKind::Message, SurfaceKind::Home, SurfaceKind::Modal] {
            let out = fit_blocks(vec![Block::divider(); n], kind);
            prop_assert_eq!(out.len(), n.min(kind.max_blocks()));
            prop_assert_eq!(validate(&out, kind), Ok(()));
        }
    }
}
