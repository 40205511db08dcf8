//! The library's floors, checked from the source.
//!
//! `src/lib.rs` states which floor each top-level module stands on (the lines of its doc that
//! read `//! floor N: a, b, c`). A module may use the modules of its own floor and of the
//! floors below, never those above; and the modules of one floor may not use each other in a
//! circle. Test-only code (`#[cfg(test)]` modules and files) may use anything, as may the
//! binary (`src/bin/`), which stands on top.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The floor of each top-level module, from `src/lib.rs`.
fn floors(lib: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("//! floor ") else {
            continue;
        };
        let Some((number, modules)) = rest.split_once(':') else {
            continue;
        };
        let floor: usize = number.trim().parse().expect("a floor number");
        for m in modules.split(',') {
            let m = m.trim().trim_matches('`');
            if !m.is_empty() {
                assert!(
                    out.insert(m.to_string(), floor).is_none(),
                    "{m} on two floors"
                );
            }
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`family` for src/family/gamma.rs).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("a file under src");
    let first = rel.components().next().expect("a path");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

/// The files that only exist under `#[cfg(test)]`: `#[cfg(test)] mod name;` declarations.
fn test_only_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(file).expect("readable source");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0] != "#[cfg(test)]" {
                continue;
            }
            let decl = pair[1]
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            if let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';')) {
                let dir = if file
                    .file_name()
                    .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
                {
                    file.parent().expect("a folder").to_path_buf()
                } else {
                    file.with_extension("")
                };
                out.insert(dir.join(format!("{name}.rs")));
                out.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    out
}

/// The code of a file without comments and without its `#[cfg(test)] mod … { … }` blocks.
fn production_code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.contains("mod ") && next.trim_end().ends_with('{'))
        {
            // Skip the block by counting braces (format strings keep theirs balanced).
            let mut depth = 0i64;
            for inner in lines.by_ref() {
                depth += inner.matches('{').count() as i64 - inner.matches('}').count() as i64;
                if depth <= 0 && inner.contains('}') {
                    break;
                }
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let code = match trimmed.find(" //") {
            Some(at) if !trimmed[..at].contains('"') => &trimmed[..at],
            _ => trimmed,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The top-level modules a piece of code names as `crate::X`.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && code[..at].ends_with('$') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            out.insert(name);
        }
    }
    out
}

#[test]
fn no_module_uses_a_higher_floor_and_no_floor_has_a_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let floor = floors(&lib);
    assert!(
        floor.len() >= 10,
        "src/lib.rs lists too few modules: {floor:?}"
    );

    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let test_only = test_only_files(&files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        if rel.starts_with("bin") || rel == Path::new("lib.rs") || test_only.contains(file) {
            continue;
        }
        let module = module_of(&src, file);
        let Some(&own) = floor.get(&module) else {
            wrong.push(format!(
                "{}: module {module} is on no floor in src/lib.rs",
                rel.display()
            ));
            continue;
        };
        let code = production_code(&fs::read_to_string(file).expect("readable source"));
        for used in uses(&code) {
            if used == module {
                continue;
            }
            match floor.get(&used) {
                None => wrong.push(format!(
                    "{}: uses crate::{used}, which is on no floor",
                    rel.display()
                )),
                Some(&theirs) if theirs > own => wrong.push(format!(
                    "{}: {module} (floor {own}) uses crate::{used} (floor {theirs})",
                    rel.display()
                )),
                Some(_) => {
                    edges.entry(module.clone()).or_default().insert(used);
                }
            }
        }
    }
    assert!(wrong.is_empty(), "layer violations:\n{}", wrong.join("\n"));

    // No circle among the modules (every edge now points down or sideways): depth-first
    // search for a back edge.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(1) => {
                let start = path.iter().position(|p| p == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, &edges, &mut state, &mut Vec::new()) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_checker_sees_violations_and_ignores_tests_and_comments() {
    let lib = "//! floor 1: `error`, optim\n//! floor 2: data\n";
    assert_eq!(
        floors(lib),
        BTreeMap::from([
            ("error".to_string(), 1),
            ("optim".to_string(), 1),
            ("data".to_string(), 2)
        ])
    );
    let text = "use crate::error::Result;\n// crate::report in a comment\nfn f() { crate::fit::fit(); }\n\
                #[cfg(test)]\nmod tests {\n    use crate::report::x;\n    fn g() { let s = format!(\"{x}\"); }\n}\n";
    let code = production_code(text);
    assert_eq!(
        uses(&code),
        BTreeSet::from(["error".to_string(), "fit".to_string()])
    );
}
