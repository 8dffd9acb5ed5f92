#!/usr/bin/env bash
# Benchmarks `stackdoctor diagnose` on ECS projects against the reference
# Jsonnet implementation (Google's C++ jsonnet, PyPI `jsonnet`) and jq, in one
# hyperfine run each:
#   1. the largest ECS example (examples/ecs-oom-timeout: config, task and
#      service definitions, an ecspresso deploy log, describe-tasks JSON);
#   2. every config of ecspresso's own test corpus (../shared/corpus/ecspresso).
# The peers only render or extract; stackdoctor also checks and reports.
# Usage: bench/ecs.sh [OUTPUT_DIR]   (writes markdown tables there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench}
mkdir -p "$out"

for tool in hyperfine jq; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
done
python3 -c 'import _jsonnet' 2>/dev/null || python3 -m pip install -q jsonnet==0.22.0 2>/dev/null \
  || python3 -m pip install -q --break-system-packages jsonnet==0.22.0
cargo build --release -p stackdoctor --quiet
sd=$PWD/target/release/stackdoctor

# 1. The largest example, as a person would read it by hand: jq over the
#    stopped tasks and the deploy log's last line, and the definitions parsed.
ex=$PWD/examples/ecs-oom-timeout
hyperfine --warmup 3 --runs 30 -N --ignore-failure \
  --export-markdown "$out/ecs-example.md" \
  -n "stackdoctor diagnose (ecs-oom-timeout)" \
  "$sd diagnose $ex --offline --envfile $ex/prod.env --logs $ex/logs/deploy.log --logs $ex/logs/describe-tasks.json" \
  -n "jq: stopped reasons + definitions (extraction only)" \
  "bash -c 'jq -r \".tasks[] | [.stoppedReason, (.containers[] | .name, .exitCode, .reason)] | @tsv\" $ex/logs/describe-tasks.json >/dev/null && jq empty $ex/ecs-task-def.json $ex/ecs-service-def.json && tail -n 1 $ex/logs/deploy.log >/dev/null'"

# 2. The whole ecspresso corpus: every config, one stackdoctor run each, with
#    the environment and ext vars its files ask for; the peer evaluates every
#    Jsonnet file with the reference implementation and parses every JSON file.
corpus=$PWD/../shared/corpus/ecspresso
export AWS_REGION=ap-northeast-1 PWD_CORPUS=$corpus TAG=v1 SERVICE=svc AWS_ACCOUNT_ID=123456789012 \
  JSON='{"a":1}' OPTION=x DEPLOYMENT_CONTROLLER=ECS
configs=$(grep -lE 'task_definition|service_definition' "$corpus"/tests/*.y*ml "$corpus"/tests/*.json* \
  "$corpus"/tests/ci/*.y*ml "$corpus"/tests/terraform/*.jsonnet "$corpus"/newer/tests/*.y*ml "$corpus"/newer/tests/*.json* | sort)
echo "$configs" > "$out/ecspresso-configs.txt"
count=$(wc -l < "$out/ecspresso-configs.txt")
cat > "$out/render_corpus.py" <<'PY'
import glob, json, os, sys, _jsonnet
root = sys.argv[1]
ext = {"WorkerID": "1", "EphemeralStorage": "25", "DEPLOYMENT_CONTROLLER": "ECS"}
for path in sorted(glob.glob(root + "/**/*.json*", recursive=True)):
    if path.endswith(".jsonnet"):
        try:
            _jsonnet.evaluate_file(path, ext_vars=ext)
        except RuntimeError:
            pass  # std.native('must_env') etc. are ecspresso's, not jsonnet's
    else:
        with open(path) as f:
            try:
                json.load(f)
            except ValueError:
                pass  # templates ({{ … }}) are not JSON until rendered
PY
hyperfine --warmup 1 --runs 10 --ignore-failure \
  --export-markdown "$out/ecspresso-corpus.md" \
  -n "stackdoctor diagnose ($count configs, one run each)" \
  "for c in \$(cat $out/ecspresso-configs.txt); do (cd \$(dirname \$c) && PWD=$corpus $sd diagnose . --offline --config \$c --ext-str WorkerID=1 --ext-str EphemeralStorage=25 --ext-code DEPLOYMENT_CONTROLLER='\"ECS\"' >/dev/null); done" \
  -n "reference jsonnet (C++) + json: render every file (one python run)" \
  "python3 $out/render_corpus.py $corpus"
cat "$out"/ecs-example.md "$out"/ecspresso-corpus.md
