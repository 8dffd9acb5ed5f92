#!/usr/bin/env bash
# A live diagnosis where every endpoint hangs (the instance metadata service
# and the app both accept connections and never answer): stackdoctor runs its
# probes at once under one deadline; the seed's diagnose.sh runs its checks
# one after another. The seed's curls have no timeout at all (they would hang
# for ever on a black-holed IMDS), so here each gets the same timeout as
# stackdoctor's probes: `curl -m T`.
# Usage: bench/live.sh [TIMEOUT_SECONDS] [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
timeout=${1:-1}
out=${2:-target/bench}
mkdir -p "$out"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release -p stackdoctor --quiet
sd=$PWD/target/release/stackdoctor

coproc HANG { exec python3 -u bench/hang.py; }
trap 'kill $HANG_PID 2>/dev/null || true' EXIT
read -r imds_port app_port <&"${HANG[0]}"
imds=http://127.0.0.1:$imds_port
app=http://127.0.0.1:$app_port

AWS_EC2_METADATA_SERVICE_ENDPOINT=$imds/ hyperfine --warmup 1 --runs 10 -N --ignore-failure \
  --export-markdown "$out/live-hang.md" \
  -n "stackdoctor diagnose --url (IMDS and app hang, timeout ${timeout}s)" \
  "$sd diagnose examples/bedrock-ui --logs examples/bedrock-ui/logs/backend.log --url $app --probe-timeout $timeout" \
  -n "seed diagnose.sh checks one after another (curl -m ${timeout})" \
  "bash -c 'cd examples/bedrock-ui && ../../bench/seed_checks.sh $imds $app $timeout'"
cat "$out/live-hang.md"
