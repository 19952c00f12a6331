//! The one mrkdwn escaper: its output can neither notify, link nor format.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let out = blocks::limits::escape_mrkdwn(text);
    for live in ['<', '>', '*', '~', '`'] {
        assert!(!out.contains(live));
    }
    let chars: Vec<char> = out.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            assert!(i > 0 && chars[i - 1].is_alphanumeric());
            assert!(chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()));
        }
    }
    let _ = blocks::limits::escape_and_truncate(text, 3000);
});
