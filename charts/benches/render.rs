//! Render time per chart kind at the default 800×400 (1600×800 pixels).
//!
//! `cargo bench -p charts --bench render`. The target is under 20 ms each.

use criterion::{Criterion, black_box, criterion_group, criterion_main};

#[path = "support/specs.rs"]
mod specs;

fn render_each_kind(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    for (name, chart) in specs::all() {
        group.bench_function(name, |b| b.iter(|| charts::render(black_box(&chart))));
    }
    group.bench_function("scatter_50k", |b| {
        let chart = specs::scatter(50_000);
        b.iter(|| charts::render(black_box(&chart)));
    });
    group.finish();
}

criterion_group!(benches, render_each_kind);
criterion_main!(benches);
