#!/usr/bin/env bash
# The seed guide's diagnose.sh (section クイック診断スクリプト), its five checks in
# order, with the IMDS and app addresses as arguments and every curl bounded by
# `-m TIMEOUT` (the original has no timeout: a black-holed IMDS hangs it for ever).
# Usage: bench/seed_checks.sh IMDS_URL APP_URL TIMEOUT   (run in the project folder)
imds=$1 app=$2 t=$3
echo "1. AWS_REGION: $(source .env 2>/dev/null; echo "${AWS_REGION:-ap-northeast-1}")"
role=$(curl -s -m "$t" "$imds/latest/meta-data/iam/security-credentials/")
[ -z "$role" ] && echo "2. no IAM role" || echo "2. role $role"
curl -s -f -m "$t" "$app/health" >/dev/null && echo "3. backend up" || echo "3. backend down"
client=$(curl -s -m "$t" "$app/" | grep -o '"bedrock_client":"[^"]*"' | cut -d'"' -f4)
[ "$client" = "initialized" ] && echo "4. client initialized" || echo "4. client not initialized"
echo "5. recent errors:"; tail -n 10 logs/backend.log | grep -E "(ERROR|Exception)"
exit 0
