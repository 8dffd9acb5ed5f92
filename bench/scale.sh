#!/usr/bin/env bash
# Diagnosis time and memory against the number of services: generated
# projects of N services (crates/stackdoctor/examples/gen_project.rs: compose +
# override + .env + a Caddyfile with N sites, four planted faults), one
# hyperfine run per size with the peers on the same files.
# Usage: bench/scale.sh [OUTPUT_DIR] [SIZES...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50 500 1000 2000 5000)
mkdir -p "$out"
for tool in hyperfine caddy docker-compose; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
done
cargo build --release -p stackdoctor --quiet
cargo build --release -p stackdoctor --example gen_project --quiet
sd=$PWD/target/release/stackdoctor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "| services | stackdoctor [ms] | per service [µs] | peak RSS [MiB] | docker-compose config + caddy adapt [ms] |" >"$out/scale.md"
echo "|---:|---:|---:|---:|---:|" >>"$out/scale.md"
for n in "${sizes[@]}"; do
  dir=$work/p$n
  target/release/examples/gen_project "$n" "$dir"
  runs=$(( n >= 2000 ? 5 : 10 ))
  hyperfine --warmup 1 --runs "$runs" -N --ignore-failure --export-json "$out/scale-$n.json" \
    -n "stackdoctor diagnose --offline ($n services)" "$sd diagnose --offline $dir" \
    -n "docker-compose config + caddy adapt ($n services)" \
    "bash -c 'cd $dir && docker-compose config -q && caddy adapt --config Caddyfile >/dev/null 2>&1'"
  rss=$( { /usr/bin/time -v "$sd" diagnose --offline "$dir" >/dev/null || true; } 2>&1 | awk -F': ' '/Maximum resident/ {print $2}')
  python3 - "$out/scale-$n.json" "$n" "$rss" >>"$out/scale.md" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
n, rss = int(sys.argv[2]), int(sys.argv[3])
ours, peer = (r["median"] * 1000 for r in results)
print(f"| {n} | {ours:.1f} | {ours * 1000 / n:.0f} | {rss / 1024:.0f} | {peer:.0f} |")
EOF
done
cat "$out/scale.md"
