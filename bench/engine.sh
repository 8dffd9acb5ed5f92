#!/usr/bin/env bash
# stackdoctor against a live 20-container compose stack on this machine's
# Docker Engine, next to what a person runs to gather the same facts:
# `docker-compose ps`, `docker inspect` of every container and `docker
# network inspect` of every network (each in one call: the peer's best case).
# Then the all-hanging case: an engine socket that accepts and never answers
# must cost stackdoctor one probe timeout.
# No image can be pulled: the app is a static C program `FROM scratch`.
# Usage: bench/engine.sh [SERVICES] [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-20}
out=${2:-target/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release -p stackdoctor --quiet
sd=$PWD/target/release/stackdoctor

work=$(mktemp -d)
project=sdbench$$
image=sd-bench-app-$$:1
stack=$work/$project
cleanup() {
  (cd "$stack" 2>/dev/null && docker-compose down -t 1 >/dev/null 2>&1) || true
  docker image rm -f "$image" >/dev/null 2>&1 || true
  [ -n "${HANG_PID:-}" ] && kill "$HANG_PID" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/image" "$stack"
gcc -static -O2 -o "$work/image/app" crates/dockerengine/tests/live/app.c
printf 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n' > "$work/image/Dockerfile"
docker build -q -t "$image" "$work/image" >/dev/null

# N services on two networks, a Caddyfile with a route to each.
{
  echo "services:"
  for i in $(seq 1 "$services"); do
    net=front; [ $((i % 2)) -eq 0 ] && net=back
    printf '  svc%d:\n    image: %s\n    command: ["serve", "0.0.0.0", "8000"]\n    networks: [%s]\n' "$i" "$image" "$net"
  done
  printf 'networks:\n  front: {}\n  back: {}\n'
} > "$stack/docker-compose.yml"
{
  for i in $(seq 1 "$services"); do
    printf 'svc%d.localhost {\n\treverse_proxy svc%d:8000\n}\n' "$i" "$i"
  done
} > "$stack/Caddyfile"
(cd "$stack" && docker-compose up -d >/dev/null 2>&1)

cat > "$work/by-hand.sh" <<SH
set -e
cd "$stack"
docker-compose ps >/dev/null
docker inspect \$(docker-compose ps -q) >/dev/null
docker network inspect ${project}_front ${project}_back >/dev/null
SH

hyperfine --warmup 2 --runs 20 -N --ignore-failure \
  --export-markdown "$out/engine-live.md" \
  -n "stackdoctor diagnose (files + live engine, $services containers)" \
  "$sd diagnose $stack --probe-timeout 5" \
  -n "docker-compose ps + docker inspect + docker network inspect" \
  "bash $work/by-hand.sh"
cat "$out/engine-live.md"

# The engine socket accepts and never answers.
coproc HANG { exec python3 -u bench/hang.py --unix "$work/silent.sock"; }
read -r _ <&"${HANG[0]}"
DOCKER_HOST=unix://$work/silent.sock hyperfine --warmup 1 --runs 10 -N --ignore-failure \
  --export-markdown "$out/engine-hang.md" \
  -n "stackdoctor diagnose (engine socket hangs, timeout 1s)" \
  "$sd diagnose $stack --probe-timeout 1"
cat "$out/engine-hang.md"
