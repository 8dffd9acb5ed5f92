//! Embeds every data file: `data/causes/*.toml` and `data/signatures/*.toml`
//! become `(family, text)` tables, so adding a file needs no code change.
//! The cause files are also cut into one piece per cause (`CAUSE_PIECES`,
//! with each cause's severity and priority) and the shared texts
//! (`COMMON_PIECES`), so a run parses only the causes it reports instead
//! of the whole 300 KiB catalogue.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn table(files: &[PathBuf], name: &str, out: &mut String) {
    writeln!(out, "pub const {name}: &[(&str, &str)] = &[").unwrap();
    for file in files {
        let family = file.file_stem().unwrap().to_string_lossy();
        writeln!(
            out,
            "    ({family:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
}

/// A byte range of one file of the table: `(file index, start, end)`.
type Piece = (usize, usize, usize);

/// What a table header line opens: `Some(Some(id))` for `[causes.<id>…]`,
/// `Some(None)` for `[common.<name>]`, `None` for a line that is no header.
fn header_owner(line: &str, file: &Path) -> Option<Option<String>> {
    let header = line.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let mut parts = header.split('.');
    let owner = match (parts.next(), parts.next()) {
        (Some("causes"), Some(id)) => Some(id.to_string()),
        (Some("common"), Some(_)) => None,
        _ => panic!(
            "{}: `{line}`: a cause file holds only [causes.<id>…] and [common.<name>] tables",
            file.display()
        ),
    };
    if let Some(id) = &owner {
        assert!(
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: `{line}`: a cause ID is lower-case words joined by `-`",
            file.display()
        );
    }
    Some(owner)
}

/// What a run needs of every cause it meets, read without parsing it: the
/// `severity` and `priority` lines of its `[causes.<id>]` table.
#[derive(Default)]
struct Rank {
    severity: Option<String>,
    priority: Option<u32>,
}

impl Rank {
    fn read(&mut self, line: &str) {
        let Some((key, value)) = line.split_once('=') else {
            return;
        };
        let value = value.split('#').next().unwrap_or_default().trim();
        match key.trim() {
            "severity" => self.severity = Some(value.trim_matches('"').to_string()),
            "priority" => self.priority = value.parse().ok(),
            _ => {}
        }
    }
}

type Causes = BTreeMap<String, (Rank, Vec<Piece>)>;

/// Cuts the cause files at their table headers (outside multi-line strings).
fn pieces(files: &[PathBuf]) -> (Causes, Vec<Piece>) {
    let mut causes = Causes::new();
    let mut common = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).unwrap();
        let mut open: Option<(Option<String>, usize)> = None;
        let mut in_multiline: Option<&str> = None;
        let mut offset = 0;
        // The cause whose own table (not a sub-table) is open.
        let mut ranked: Option<String> = None;
        let mut close =
            |causes: &mut Causes, owner: Option<String>, start: usize, end: usize| match owner {
                Some(id) => causes.entry(id).or_default().1.push((index, start, end)),
                None => common.push((index, start, end)),
            };
        for line in text.split_inclusive('\n') {
            let owner = match in_multiline {
                None => header_owner(line, file),
                Some(_) => None,
            };
            if let Some(owner) = owner {
                ranked = owner
                    .clone()
                    .filter(|id| line.trim_end() == format!("[causes.{id}]"));
                if let Some((previous, start)) = open.take() {
                    close(&mut causes, previous, start, offset);
                }
                open = Some((owner, offset));
            } else if let (Some(id), None) = (&ranked, in_multiline) {
                causes.entry(id.clone()).or_default().0.read(line);
            } else if open.is_none() && in_multiline.is_none() {
                let content = line.trim();
                assert!(
                    content.is_empty() || content.starts_with('#'),
                    "{}: `{content}` before the first table",
                    file.display()
                );
            }
            for quote in ["\"\"\"", "'''"] {
                if in_multiline.is_none_or(|q| q == quote) && line.matches(quote).count() % 2 == 1 {
                    in_multiline = match in_multiline {
                        None => Some(quote),
                        Some(_) => None,
                    };
                }
            }
            offset += line.len();
        }
        if let Some((previous, start)) = open {
            close(&mut causes, previous, start, offset);
        }
    }
    (causes, common)
}

fn piece_list(pieces: &[Piece]) -> String {
    let items: Vec<String> = pieces
        .iter()
        .map(|(file, start, end)| format!("({file}, {start}, {end})"))
        .collect();
    format!("&[{}]", items.join(", "))
}

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    println!("cargo:rerun-if-changed={}", data.display());
    let cause_files = toml_files(&data.join("causes"));
    let signature_files = toml_files(&data.join("signatures"));
    println!("cargo:rerun-if-changed={}", data.join("causes").display());
    println!(
        "cargo:rerun-if-changed={}",
        data.join("signatures").display()
    );
    for file in cause_files.iter().chain(&signature_files) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let mut out = String::new();
    table(&cause_files, "CAUSES", &mut out);
    table(&signature_files, "SIGNATURES", &mut out);
    let (causes, common) = pieces(&cause_files);
    writeln!(
        out,
        "/// A byte range of one file of `CAUSES`: `(file, start, end)`.\npub type Piece = (usize, usize, usize);\n/// A cause's ID, severity, priority and pieces.\npub type CauseEntry = (&'static str, &'static str, u32, &'static [Piece]);\n/// Every cause, sorted by ID.\npub const CAUSE_PIECES: &[CauseEntry] = &["
    )
    .unwrap();
    for (id, (rank, pieces)) in &causes {
        let (Some(severity), Some(priority)) = (&rank.severity, rank.priority) else {
            panic!("cause {id}: no `severity` or no `priority` line in [causes.{id}]");
        };
        writeln!(
            out,
            "    ({id:?}, {severity:?}, {priority}, {}),",
            piece_list(pieces)
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
    writeln!(
        out,
        "/// The `[common.<name>]` tables of `CAUSES`.\npub const COMMON_PIECES: &[Piece] = {};",
        piece_list(&common)
    )
    .unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("data_files.rs");
    std::fs::write(dest, out).unwrap();
}
