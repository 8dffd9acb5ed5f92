#!/usr/bin/env bash
# Deploys notes behind Caddy on the VPS (no compose there).
set -euo pipefail
cd "$(dirname "$0")"

APP_IMAGE=ghcr.io/acme/notes:2.3.1

docker network create notes-net 2>/dev/null || true
docker network create proxy-net 2>/dev/null || true

docker pull "$APP_IMAGE"
docker rm -f notes-app notes-caddy >/dev/null 2>&1 || true

docker run -d \
  --name notes-app \
  --restart unless-stopped \
  --network notes-net \
  --env-file ./app.env \
  -e PORT=8000 \
  "$APP_IMAGE"

docker run -d --name notes-caddy --restart unless-stopped \
  --network proxy-net \
  -p 80:80 -p 443:443 \
  -v "$PWD/Caddyfile:/etc/caddy/Caddyfile:ro" \
  -v caddy_data:/data \
  caddy:2.8-alpine

echo "deployed $APP_IMAGE"
