#!/usr/bin/env bash
# Benchmarks stackdoctor on nginx configurations against `crossplane parse`
# (PyPI crossplane, the nginx authors' parser) of the same files, in one
# hyperfine run each. The SWAG samples are GPL-3.0 and stay in the corpus:
# they are copied into a scratch folder only for the run.
# Usage: bench/nginx.sh [OUTPUT_DIR]   (writes markdown tables there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench}
mkdir -p "$out"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
command -v crossplane >/dev/null || python3 -m pip install --quiet 'crossplane==0.5.8' \
  || python3 -m pip install --quiet --break-system-packages 'crossplane==0.5.8'
target=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release -p stackdoctor --quiet
sd=$target/release/stackdoctor

# 1. The largest nginx example: SWAG with two proxy-confs and their includes.
swag=$PWD/examples/nginx-swag-typo
hyperfine --warmup 3 --runs 30 -N --ignore-failure \
  --export-markdown "$out/nginx-example.md" \
  -n "stackdoctor diagnose (nginx-swag-typo)" "$sd diagnose --offline $swag" \
  -n "crossplane parse x2 (parsing only)" \
  "bash -c 'crossplane parse $swag/config/nginx/proxy-confs/nextcloud.subdomain.conf >/dev/null && crossplane parse $swag/config/nginx/proxy-confs/jellyfin.subdomain.conf >/dev/null'"

# 2. Every SWAG sample in one run: a scratch SWAG project whose proxy-confs
#    are all the samples, included by one nginx.conf (so crossplane reads
#    them in one process, like stackdoctor).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/config/nginx/proxy-confs"
for sample in ../shared/corpus/swag-proxy-confs/*.conf.sample; do
  cp "$sample" "$scratch/config/nginx/proxy-confs/$(basename "$sample" .sample)"
done
printf 'events {}\nhttp {\n    include /config/nginx/proxy-confs/*.conf;\n}\n' > "$scratch/config/nginx/nginx.conf"
printf 'services:\n  swag:\n    image: lscr.io/linuxserver/swag\n    volumes:\n      - ./config:/config\n' > "$scratch/compose.yaml"
sed "s#/config/nginx#$scratch/config/nginx#" "$scratch/config/nginx/nginx.conf" > "$scratch/crossplane.conf"
echo "SWAG samples: $(ls "$scratch/config/nginx/proxy-confs" | wc -l)" | tee "$out/nginx-swag-count.txt"
hyperfine --warmup 2 --runs 20 -N --ignore-failure \
  --export-markdown "$out/nginx-swag.md" \
  -n "stackdoctor diagnose (one run, every SWAG sample)" "$sd diagnose --offline $scratch" \
  -n "crossplane parse (one run, every SWAG sample)" "crossplane parse $scratch/crossplane.conf -o /dev/null"
