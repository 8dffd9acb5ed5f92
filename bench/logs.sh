#!/usr/bin/env bash
# `stackdoctor logs` against ripgrep given the same signature patterns, on the
# same generated file: pinned to one core (`taskset -c 0`, both), then on all
# cores, each pair in one hyperfine run (interleaved); `cat FILE > /dev/null`
# beside them for the memory bandwidth; then peak memory of each.
# Usage: bench/logs.sh [SIZE_MB] [OUTPUT_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
out=${2:-target/bench}
runs=${3:-10}
mkdir -p "$out"
for tool in hyperfine rg jq; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "${tool/rg/ripgrep}" >/dev/null; }
done
cargo build --release -p stackdoctor --quiet
cargo build --release -p logscan --example gen_logs --quiet
bin=${CARGO_TARGET_DIR:-target}/release
sd=$(realpath "$bin/stackdoctor")
log=$out/logs-${size}m.log
# Deterministic: the same seed gives the same bytes.
[ -f "$log" ] || "$bin/examples/gen_logs" "$size" "$log" 42
"$sd" signatures --export-patterns "$out/patterns.txt"
echo "$(wc -l < "$out/patterns.txt") patterns, $(du -h "$log" | cut -f1) of logs, $(nproc) cores"

# median wall time, mean user and system time of each command of a hyperfine run
table() {
  jq -r '.results[] | "| `\(.command)` | \(.median | . * 1000 | round) | \(.user | . * 1000 | round) | \(.system | . * 1000 | round) |"' "$1"
}
# stackdoctor exits 1 when it finds errors: that is its answer, not a failure here.
hyperfine -N --warmup 1 --runs "$runs" --ignore-failure --export-json "$out/logs-1core.json" \
  -n "taskset -c 0 stackdoctor logs" "taskset -c 0 $sd logs $log --format json" \
  -n "taskset -c 0 rg -c -f patterns" "taskset -c 0 rg -c -f $out/patterns.txt $log"
hyperfine -N --warmup 1 --runs "$runs" --ignore-failure --export-json "$out/logs-all.json" \
  -n "stackdoctor logs" "$sd logs $log --format json" \
  -n "rg -c -f patterns" "rg -c -f $out/patterns.txt $log" \
  -n "rg --no-mmap -c -f patterns" "rg --no-mmap -c -f $out/patterns.txt $log" \
  -n "cat FILE > /dev/null" "cat $log"
{
  echo "| command | median [ms] | user [ms] | system [ms] |"
  echo "|:---|---:|---:|---:|"
  table "$out/logs-1core.json"
  table "$out/logs-all.json"
} | tee "$out/logs.md"

for cmd in "$sd logs $log --format json" "rg -c -f $out/patterns.txt $log" "rg --no-mmap -c -f $out/patterns.txt $log"; do
  rss=$( { /usr/bin/time -v $cmd >/dev/null || true; } 2>&1 | awk -F': ' '/Maximum resident/ {print $2}')
  echo "peak RSS $((rss / 1024)) MiB: $cmd"
done | tee "$out/logs-rss.txt"
