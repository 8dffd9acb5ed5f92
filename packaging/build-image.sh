#!/usr/bin/env bash
# Builds the stackdoctor container image from this repository without
# pulling anything: a statically linked release binary (glibc, crt-static)
# for this machine's target, copied into `FROM scratch` (see ../Dockerfile).
#
#   packaging/build-image.sh [TAG]          # default tag: stackdoctor
#
# The binary is built in target/static so it does not disturb the usual
# build; the build context is target/image, which holds only the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-stackdoctor}
host=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --release --locked -p stackdoctor --target "$host" --target-dir target/static
binary=target/static/$host/release/stackdoctor
# A static binary has no program interpreter; refuse to ship one that does.
if command -v readelf >/dev/null 2>&1 && readelf -l "$binary" | grep -q 'program interpreter'; then
  echo "build-image: $binary is not statically linked" >&2
  exit 1
fi
rm -rf target/image
mkdir -p target/image
cp "$binary" target/image/stackdoctor
docker build --quiet -f Dockerfile -t "$tag" target/image
