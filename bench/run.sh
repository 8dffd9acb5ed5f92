#!/usr/bin/env bash
# Benchmarks stackdoctor against the tools a person runs by hand for the same
# files (docker-compose config, caddy adapt), in one hyperfine run each.
# Usage: bench/run.sh [OUTPUT_DIR]   (writes markdown tables there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench}
mkdir -p "$out"

for tool in hyperfine caddy docker-compose; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
done
cargo build --release -p stackdoctor --quiet
sd=$PWD/target/release/stackdoctor

# 1. The largest example: the seed's toybox layout (two projects, a Caddyfile, a log).
toybox=$PWD/examples/toybox
hyperfine --warmup 3 --runs 30 -N --ignore-failure \
  --export-markdown "$out/toybox.md" \
  -n "stackdoctor diagnose (toybox)" \
  "$sd diagnose $toybox -f $toybox/docker-compose.yml -f $toybox/docker-compose.prod.yml --logs $toybox/logs/caddy.log" \
  -n "docker-compose config x2 + caddy adapt (parsing only)" \
  "bash -c 'docker-compose -f $toybox/docker-compose.yml -f $toybox/docker-compose.prod.yml config -q && docker-compose -f $toybox/backend/docker-compose.yml config -q && caddy adapt --config $toybox/Caddyfile >/dev/null 2>&1'"

# 2. The whole awesome-compose corpus (39 projects). docker-compose v1 refuses
#    build contexts that do not exist, and the corpus has no code, so a scratch
#    copy gets empty build folders.
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp -r ../shared/corpus/awesome-compose/. "$corpus/"
for dir in "$corpus"/*/; do
  for file in "$dir"compose.y*ml; do
    { grep -hoP '^\s*(build|context):\s*\K[^\s#]+' "$file" || true; } | tr -d '"'"'" | while read -r ctx; do
      [ "$ctx" = "build:" ] || mkdir -p "$dir/$ctx"
    done
  done
done
hyperfine --warmup 1 --runs 10 --ignore-failure \
  --export-markdown "$out/awesome-compose.md" \
  -n "stackdoctor diagnose (one run, all 39 projects)" \
  "$sd diagnose $corpus >/dev/null" \
  -n "stackdoctor diagnose (39 runs, one per project)" \
  "for d in $corpus/*/; do $sd diagnose \$d >/dev/null; done" \
  -n "docker-compose config -q (39 runs)" \
  "for d in $corpus/*/; do docker-compose -f \$d/compose.y*ml --project-directory \$d config -q >/dev/null 2>&1; done"
cat "$out"/*.md
