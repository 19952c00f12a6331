//! AI impact computation alone: every comparison (6 metrics × 2 signals,
//! medians with 2,000-resample bootstrap intervals, relative differences
//! with intervals, Mann–Whitney tests) for 50,000 merged PRs in the period.
//!
//! `cargo run --release --example ai_bench [prs] [rounds]`

use std::time::{Duration, Instant};

use aimpact::metrics::impact::{ImpactPr, compare_all};

fn main() {
    let mut args = std::env::args().skip(1);
    let prs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    // A deterministic mix: 40% answered, half of those AI-assisted; 45%
    // detected; AI-assisted PRs somewhat faster; most PRs rated.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let data: Vec<ImpactPr> = (0..prs)
        .map(|i| {
            let ai = next() % 2 == 0;
            let cycle = 3_600 + (next() % 400_000) as i64 * if ai { 8 } else { 10 } / 10;
            ImpactPr {
                id: i as i64,
                author: Some((i % 300) as i64),
                merged_at: i as i64,
                cycle: Some(cycle),
                pickup: Some(cycle / 5),
                review: Some(cycle / 3),
                size: (next() % 900) as i64,
                is_revert: next() % 50 == 0,
                ai_detected: ai && next() % 10 < 9,
                ai_reported: (next() % 10 < 4).then_some(ai),
                quality: (next() % 10 < 7).then(|| 1.0 + (next() % 9) as f64 / 2.0),
            }
        })
        .collect();
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    let mut made = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let all = compare_all(std::hint::black_box(&data));
        times.push(t.elapsed());
        made = all.len();
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{made} comparisons of {prs} PRs: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({rounds} rounds)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}
