#!/usr/bin/env bash
# API contract and client checks at scale: a generated project of N source
# files (half TypeScript fetch wrappers with retry loops, half Python
# `requests` clients; bench/gen_api_project.py) plus an error catalogue, and
# the seed's own client (examples/api-retry-unreachable). Reference rows on
# the same files: ripgrep finding the text `response.json()` (a search, not
# an analysis), and CPython compiling the Python half (parsing only).
# Usage: bench/api.sh [FILES] [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-2000}
out=${2:-target/bench}
mkdir -p "$out"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
command -v rg >/dev/null || { apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null; }
cargo build --release -p stackdoctor --quiet
sd=$PWD/target/release/stackdoctor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_api_project.py "$work/project" "$files"

hyperfine --warmup 2 --runs 15 -N --ignore-failure \
  --export-markdown "$out/api-scale.md" \
  -n "stackdoctor diagnose ($files files: contract, TS and Python clients)" \
  "$sd diagnose $work/project --offline" \
  -n "rg -c 'response\.json\(\)' (text search only)" \
  "rg -c 'response\.json\(\)' $work/project" \
  -n "python3 -m compileall (the Python half, parse + compile only)" \
  "env PYTHONPYCACHEPREFIX=$work/pycache python3 -m compileall -q -f $work/project/src" \
  -n "stackdoctor diagnose (examples/api-retry-unreachable, the seed's client)" \
  "$sd diagnose examples/api-retry-unreachable --offline"
cat "$out/api-scale.md"
