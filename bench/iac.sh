#!/usr/bin/env bash
# Infrastructure code: stackdoctor's diagnosis of the whole IaC corpus
# (../shared/corpus/iac: Terraform, CloudFormation, CDK, Copilot) in one run,
# against the peers people run on the same files: cfn-lint (CloudFormation's
# linter, on every template) and checkov (policy scanner, Terraform and
# CloudFormation frameworks, on the whole tree). Then which problems each
# finds: on the corpus, and on the broken examples of this repository
# (one per form, a planted fault each).
# Usage: bench/iac.sh [OUTPUT_DIR]
# cfn-lint comes from PyPI; checkov goes into its own virtualenv
# (target/bench/checkov-venv): its fork of python-hcl2 would replace the
# python-hcl2 the Terraform differential test reads.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench}
mkdir -p "$out"
corpus=${STACKDOCTOR_CORPUS:-$PWD/../shared/corpus}/iac
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
command -v cfn-lint >/dev/null || python3 -m pip install --quiet 'cfn-lint==1.51.0'
venv=$PWD/target/bench/checkov-venv
[ -x "$venv/bin/checkov" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet 'checkov==3.3.30'; }
checkov() { "$venv/bin/checkov" "$@"; }
cargo build --release -p stackdoctor --quiet
sd=$PWD/target/release/stackdoctor
templates=$(find "$corpus/cloudformation" -name '*.yaml' -o -name '*.json' | sort | tr '\n' ' ')

if [ -z "${SKIP_TIMING:-}" ]; then
hyperfine --warmup 1 --runs 5 -N --ignore-failure \
  --export-markdown "$out/iac-time.md" \
  -n "stackdoctor diagnose (whole iac tree: Terraform, CloudFormation, CDK, Copilot)" \
  "$sd diagnose $corpus --offline" \
  -n "cfn-lint (the $(echo $templates | wc -w) CloudFormation templates only)" \
  "cfn-lint -- $templates"
# checkov takes minutes: three runs.
hyperfine --runs 3 -N --ignore-failure \
  --export-markdown "$out/iac-time-checkov.md" \
  -n "checkov -d (whole iac tree, terraform + cloudformation frameworks)" \
  "$venv/bin/checkov -d $corpus --framework terraform cloudformation --quiet --compact"
cat "$out/iac-time.md" "$out/iac-time-checkov.md"
fi

echo
echo "## Problems found on the corpus (errors and warnings)"
"$sd" diagnose "$corpus" --offline --format json | python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
c = collections.Counter((f["severity"], f["cause"]) for f in d["findings"] if f["severity"] != "info")
print("stackdoctor:", dict(c) or "none", "| definitions read:", len(d["inputs"]["ecs_definitions"]))' || true
cfn-lint --format json -- $templates | python3 -c '
import json, sys, collections
c = collections.Counter(f["Rule"]["Id"] for f in json.load(sys.stdin) if f["Level"] == "Error")
print("cfn-lint errors:", dict(c) or "none")' || true
checkov -d "$corpus" --framework terraform cloudformation --quiet --compact -o json 2>/dev/null | python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
d = d if isinstance(d, list) else [d]
c = collections.Counter()
for r in d:
    for x in r["results"]["failed_checks"]:
        c[x["check_id"]] += 1
print("checkov failed checks:", sum(c.values()), "in", len(c), "rules; ECS/IMDS rules:",
      {k: v for k, v in c.items() if k in ("CKV_AWS_65", "CKV_AWS_79", "CKV_AWS_97", "CKV_AWS_224", "CKV_AWS_249", "CKV_AWS_336", "CKV_AWS_341")})' || true

echo
echo "## Planted faults (examples/): found by"
printf '| example | fault | stackdoctor | cfn-lint | checkov |\n|---|---|---|---|---|\n'
for case in ecs-cloudformation-invalid-cpu-memory:ecs-invalid-cpu-memory \
            ecs-terraform-invalid-cpu-memory:ecs-invalid-cpu-memory \
            ecs-cdk-invalid-cpu-memory:ecs-invalid-cpu-memory \
            aws-imds-hop-limit-cloudformation:aws-imds-hop-limit \
            aws-imds-hop-limit-terraform:aws-imds-hop-limit \
            ecs-copilot-secret-untagged:ecs-secrets-pull-failed \
            ecs-terraform-heredoc-lb-mismatch:ecs-lb-container-mismatch; do
  name=${case%%:*}; cause=${case##*:}; dir=examples/$name
  logs=(); [ -d "$dir/logs" ] && for f in "$dir"/logs/*; do logs+=(--logs "$f"); done
  ours=$("$sd" diagnose "$dir" --offline "${logs[@]}" --format json | python3 -c "
import json,sys; d=json.load(sys.stdin); print('yes' if any(f['cause']=='$cause' for f in d['findings']) else 'no')" || true)
  cfn=$(find "$dir" -name '*.yaml' -o -name '*.yml' -o -name '*.json' | xargs -r grep -l AWSTemplateFormatVersion || true)
  if [ -n "$cfn" ]; then
    lint=$(cfn-lint --format json -- $cfn | python3 -c "
import json,sys; e=[f['Rule']['Id'] for f in json.load(sys.stdin) if f['Level']=='Error']; print(', '.join(sorted(set(e))) or 'nothing')" || true)
  else lint="(no template)"; fi
  ck=$( (checkov -d "$dir" --framework terraform cloudformation --quiet --compact -o json 2>/dev/null || true) | python3 -c "
import json,sys
d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]
ids=sorted({x['check_id'] for r in d if isinstance(r,dict) and 'results' in r for x in r['results']['failed_checks']})
print(', '.join(ids) or 'nothing')" 2>/dev/null || echo "nothing")
  echo "| $name | $cause | $ours | $lint | $ck |"
done
