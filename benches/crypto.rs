//! Sealing and opening a token: the cost every stored credential pays.
//! Run with `cargo bench --bench crypto`.

use aimpact::crypto::{Keyring, Sealed};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn seal_and_open(c: &mut Criterion) {
    let keys = Keyring::parse(&Keyring::generate_entry()).expect("generated key parses");
    let token = b"xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx";
    let aad = b"aimpact/credential/1/slack_bot_token";
    c.bench_function("seal a bot token", |b| {
        b.iter(|| keys.seal(black_box(token), black_box(aad)))
    });
    let sealed: Sealed = keys.seal(token, aad);
    c.bench_function("open a bot token", |b| {
        b.iter(|| keys.open(black_box(&sealed), black_box(aad)))
    });
}

criterion_group!(benches, seal_and_open);
criterion_main!(benches);
