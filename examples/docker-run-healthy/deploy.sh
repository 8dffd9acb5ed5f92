#!/usr/bin/env bash
# Deploys notes behind Caddy on one user-defined network.
set -euo pipefail
cd "$(dirname "$0")"

APP_IMAGE=ghcr.io/acme/notes:2.3.1
NETWORK=notes-net

docker network inspect "$NETWORK" >/dev/null 2>&1 || docker network create "$NETWORK"
docker rm -f notes-app notes-caddy >/dev/null 2>&1 || true

docker run -d \
  --name notes-app \
  --restart unless-stopped \
  --network "$NETWORK" \
  --env-file ./app.env \
  "$APP_IMAGE" \
  gunicorn --bind 0.0.0.0:8000 --workers 3 notes.wsgi:application

docker run -d --name notes-caddy --restart unless-stopped \
  --network "$NETWORK" \
  -p 80:80 -p 443:443 \
  -v "$PWD/Caddyfile:/etc/caddy/Caddyfile:ro" \
  -v caddy_data:/data \
  caddy:2.8-alpine
