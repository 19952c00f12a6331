//! The one mrkdwn escaper: its output can neither notify, link nor format.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let out = blocks::limits::escape_mrkdwn(text);
    for live in ['<', '>', '*', '_', '~', '`'] {
        assert!(!out.contains(live));
    }
    let _ = blocks::limits::escape_and_truncate(text, 3000);
});
