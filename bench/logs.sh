#!/usr/bin/env bash
# `stackdoctor logs` against ripgrep given the same signature patterns, on the
# same generated file, in one hyperfine run; then peak memory of each.
# Usage: bench/logs.sh [SIZE_MB] [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
out=${2:-target/bench}
mkdir -p "$out"
for tool in hyperfine rg; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "${tool/rg/ripgrep}" >/dev/null; }
done
cargo build --release -p stackdoctor --quiet
cargo build --release -p logscan --example gen_logs --quiet
sd=$PWD/target/release/stackdoctor
log=$out/logs-${size}m.log
# Deterministic: the same seed gives the same bytes.
[ -f "$log" ] || target/release/examples/gen_logs "$size" "$log" 42
"$sd" signatures --export-patterns "$out/patterns.txt"
echo "$(wc -l < "$out/patterns.txt") patterns, $(du -h "$log" | cut -f1) of logs, $(nproc) cores"

hyperfine --warmup 1 --runs 5 --ignore-failure --export-markdown "$out/logs.md" \
  -n "stackdoctor logs" "$sd logs $log --format json" \
  -n "rg -c -f patterns" "rg -c -f $out/patterns.txt $log" \
  -n "rg --no-mmap -c -f patterns" "rg --no-mmap -c -f $out/patterns.txt $log"

for cmd in "$sd logs $log --format json" "rg -c -f $out/patterns.txt $log" "rg --no-mmap -c -f $out/patterns.txt $log"; do
  # stackdoctor exits 1 when it finds errors: that is its answer, not a failure here.
  rss=$( { /usr/bin/time -v $cmd >/dev/null || true; } 2>&1 | awk -F': ' '/Maximum resident/ {print $2}')
  echo "peak RSS $((rss / 1024)) MiB: $cmd"
done | tee "$out/logs-rss.txt"
cat "$out/logs.md"
