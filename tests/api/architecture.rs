//! The direction of dependencies between the top-level modules of `src/`
//! (docs/architecture.md): the lower layers never reach up, and no new
//! import cycle appears. The one cycle left from before is pinned: it may
//! shrink (then shrink the list below), never grow.

use std::collections::{BTreeMap, BTreeSet};

/// Top-level module → the top-level modules it names (`crate::x`, `super`
/// from a top-level file does not leave the module).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .to_string();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let edges = graph.entry(module.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            // Not `aimpact_crate::` or a word ending in "crate".
            if i > 0 {
                let before = text.as_bytes()[i - 1];
                if before.is_ascii_alphanumeric() || before == b'_' {
                    continue;
                }
            }
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty()
                && name != module
                && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            {
                edges.insert(name);
            }
        }
    }
    // Only edges to modules that exist (not `crate::Foo` items at the root).
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for edges in graph.values_mut() {
        edges.retain(|e| known.contains(e));
    }
    graph
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        on: BTreeSet<&'a str>,
        stack: Vec<&'a str>,
        next: usize,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let low = t.low[v].min(t.low[w]);
                t.low.insert(v, low);
            } else if t.on.contains(w) {
                let low = t.low[v].min(t.index[w]);
                t.low.insert(v, low);
            }
        }
        if t.low[v] == t.index[v] {
            let mut scc = BTreeSet::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                scc.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                t.out.push(scc);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

/// The cycle still being untied (issue 18). Remove a module from this list
/// when it leaves the cycle; the test then keeps it out.
const KNOT: [&str; 4] = ["github", "leaderboard", "slack", "surveys"];

/// The composition root and the router: above everything else, named by
/// nothing below them.
const ROOT: [&str; 4] = ["app", "cli", "demo", "http"];

/// Modules below the capabilities: they never name a capability, the
/// Slack transport, the router or the root.
const LOWER: [&str; 14] = [
    "bounds",
    "clock",
    "config",
    "crypto",
    "domain",
    "egress",
    "jobs",
    "metrics",
    "signed_state",
    "slack_api",
    "state",
    "store",
    "telemetry",
    "web",
];

#[test]
fn no_new_import_cycle_between_top_level_modules() {
    let graph = graph();
    let knot: BTreeSet<String> = KNOT.iter().map(|s| s.to_string()).collect();
    for scc in cycles(&graph) {
        assert!(
            scc.is_subset(&knot),
            "a new import cycle: {scc:?} (docs/architecture.md says which way each module may depend)"
        );
    }
}

#[test]
fn lower_layers_never_reach_up() {
    let graph = graph();
    let upper: BTreeSet<&str> = KNOT.iter().chain(ROOT.iter()).copied().collect();
    for module in LOWER {
        let reaches: Vec<&String> = graph
            .get(module)
            .into_iter()
            .flatten()
            .filter(|m| upper.contains(m.as_str()))
            .collect();
        assert!(reaches.is_empty(), "`{module}` reaches up to {reaches:?}");
    }
    // Nothing but the root names the root (the CLI, the demo and the
    // composition root may name each other).
    for (module, names) in &graph {
        if ROOT.contains(&module.as_str()) {
            continue;
        }
        let root: Vec<&String> = names
            .iter()
            .filter(|m| ROOT.contains(&m.as_str()))
            .collect();
        assert!(root.is_empty(), "`{module}` names the root: {root:?}");
    }
    // The pure layers do no I/O: `metrics` names nothing but `domain`.
    let metrics = &graph["metrics"];
    assert!(
        metrics.iter().all(|m| m == "domain"),
        "`metrics` must stay pure, but names {metrics:?}"
    );
}

#[test]
fn the_checker_sees_a_cycle_when_there_is_one() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    g.entry("d".into()).or_default().insert("a".into());
    let found = cycles(&g);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0],
        ["a", "b", "c"].iter().map(|s| s.to_string()).collect()
    );
    // And the real graph is read: `store` exists and names `domain`.
    assert!(graph()["store"].contains("domain"));
}
