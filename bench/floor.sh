#!/usr/bin/env bash
# What any process costs on this machine before stackdoctor does any work:
# /bin/true, an empty Rust program with and without the allocator
# stackdoctor uses, stackdoctor --version and an empty-folder diagnosis
# (dynamic and, as packaging/build-image.sh ships it, static), and the cost
# of one `cpuid` instruction (glibc and libgcc run a few dozen at start).
# Usage: bench/floor.sh [OUTPUT_DIR] [PROJECT_DIR...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench}
shift || true
mkdir -p "$out"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release -p stackdoctor --quiet
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --release -p stackdoctor --quiet --target "$host" --target-dir target/static
dynamic=$root/target/release/stackdoctor
static=$root/target/static/$host/release/stackdoctor

# An empty Rust program, once with the system allocator and once with mimalloc.
mimalloc_req=$(sed -n 's/^mimalloc = //p' crates/stackdoctor/Cargo.toml)
mkdir -p "$work/empty-rust/src" "$work/empty-folder"
cat >"$work/empty-rust/Cargo.toml" <<EOF
[package]
name = "empty-rust"
version = "0.1.0"
edition = "2021"
[workspace]
[dependencies]
mimalloc = $mimalloc_req
[features]
mi = []
[profile.release]
strip = "symbols"
EOF
cat >"$work/empty-rust/src/main.rs" <<'EOF'
#[cfg(feature = "mi")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("{}", args.len());
}
EOF
(cd "$work/empty-rust" && cargo build --release --quiet && cp target/release/empty-rust ../empty-rust-system \
  && cargo build --release --quiet --features mi && cp target/release/empty-rust ../empty-rust-mimalloc)

cat >"$work/cpuid.c" <<'EOF'
#include <cpuid.h>
#include <stdio.h>
#include <time.h>
int main(void) {
  unsigned a, b, c, d;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < 1000; i++) __cpuid_count(7, 0, a, b, c, d);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.2f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1000 / 1000.0);
  return 0;
}
EOF
gcc -O2 -o "$work/cpuid" "$work/cpuid.c"
echo "one cpuid instruction: $("$work/cpuid") µs" >"$out/floor.md"

commands=(/bin/true "$work/empty-rust-system" "$work/empty-rust-mimalloc"
  "$dynamic --version" "$static --version"
  "$dynamic diagnose --offline $work/empty-folder" "$static diagnose --offline $work/empty-folder")
for project in "$@"; do
  commands+=("$dynamic diagnose --offline $project" "$static diagnose --offline $project")
done
hyperfine -N --ignore-failure --warmup 30 --runs 300 --export-json "$out/floor.json" "${commands[@]}" >/dev/null
python3 - "$out/floor.json" "$root/" "$work/" >>"$out/floor.md" <<'EOF'
import json, sys
print("\n| command | median [ms] |\n|---|---:|")
for result in json.load(open(sys.argv[1]))["results"]:
    command = result["command"].replace(sys.argv[2], "").replace(sys.argv[3], "")
    print(f"| `{command}` | {result['median'] * 1000:.2f} |")
EOF
cat "$out/floor.md"
