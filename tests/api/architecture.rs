//! The direction of dependencies between the top-level modules of `src/`
//! (docs/architecture.md): no import cycle, and each layer names only its
//! own layer and the ones below it.

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

/// The Slack transport: routes, verification, Socket Mode, payloads, the
/// listener registry, the org's client, install, roles.
const TRANSPORT: [&str; 1] = ["slack"];

/// The capabilities: they may name each other (without a cycle), the
/// transport and the lower layers, never the screens above them or the root.
const CAPABILITIES: [&str; 7] = [
    "dashboard",
    "feedback",
    "github",
    "jira",
    "leaderboard",
    "people",
    "surveys",
];

/// The Slack screens composing several capabilities, and the listener
/// registrations.
const SCREENS: [&str; 1] = ["slack_ui"];

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
fn no_import_cycle_between_top_level_modules() {
    let found = cycles(&graph());
    assert!(
        found.is_empty(),
        "import cycles: {found:?} (docs/architecture.md says which way each module may depend)"
    );
}

/// Every module that `module` names, outside `allowed`.
fn names_outside(
    graph: &BTreeMap<String, BTreeSet<String>>,
    module: &str,
    allowed: &BTreeSet<&str>,
) -> Vec<String> {
    graph
        .get(module)
        .into_iter()
        .flatten()
        .filter(|m| !allowed.contains(m.as_str()))
        .cloned()
        .collect()
}

#[test]
fn each_layer_names_only_itself_and_the_layers_below() {
    let graph = graph();
    let lower: BTreeSet<&str> = LOWER.iter().copied().collect();
    // Every module is in exactly one layer.
    for module in graph.keys() {
        let layers = [
            lower.contains(module.as_str()),
            TRANSPORT.contains(&module.as_str()),
            CAPABILITIES.contains(&module.as_str()),
            SCREENS.contains(&module.as_str()),
            ROOT.contains(&module.as_str()),
        ];
        assert_eq!(
            layers.iter().filter(|l| **l).count(),
            1,
            "`{module}` must be placed in one layer (docs/architecture.md and this test)"
        );
    }
    for module in LOWER {
        let outside = names_outside(&graph, module, &lower);
        assert!(outside.is_empty(), "`{module}` reaches up to {outside:?}");
    }
    let mut allowed = lower.clone();
    allowed.extend(TRANSPORT);
    for module in TRANSPORT {
        let outside = names_outside(&graph, module, &allowed);
        assert!(
            outside.is_empty(),
            "the transport `{module}` names {outside:?}"
        );
    }
    allowed.extend(CAPABILITIES);
    for module in CAPABILITIES {
        let outside = names_outside(&graph, module, &allowed);
        assert!(
            outside.is_empty(),
            "the capability `{module}` names {outside:?}"
        );
    }
    allowed.extend(SCREENS);
    for module in SCREENS {
        let outside = names_outside(&graph, module, &allowed);
        assert!(
            outside.is_empty(),
            "the screens `{module}` name {outside:?}"
        );
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
