//! Embeds every data file: `data/causes/*.toml` and `data/signatures/*.toml`
//! become `(family, text)` tables, so adding a file needs no code change.

use std::fmt::Write;
use std::path::Path;

fn table(dir: &Path, name: &str, out: &mut String) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
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

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    println!("cargo:rerun-if-changed={}", data.display());
    println!("cargo:rerun-if-changed={}", data.join("causes").display());
    println!(
        "cargo:rerun-if-changed={}",
        data.join("signatures").display()
    );
    let mut out = String::new();
    table(&data.join("causes"), "CAUSES", &mut out);
    table(&data.join("signatures"), "SIGNATURES", &mut out);
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("data_files.rs");
    std::fs::write(dest, out).unwrap();
}
