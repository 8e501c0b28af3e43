#!/usr/bin/env bash
# `npm run lab -- up --nodes 3 [--image IMG]...` / `npm run lab -- down`: several simulated nodes on
# this machine (network namespaces, a dockerd and an agent each, one control plane on the host).
# Builds first when dist/ is missing; the work is `minik8s lab` (src/lab/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f dist/src/cmd/main.js ]; then
  [ -d node_modules ] || bash scripts/setup.sh >&2
  npx tsc -p tsconfig.json >&2 || true
fi
docker version >/dev/null 2>&1 || bash scripts/docker.sh >&2
exec ./bin/minik8s lab "$@"
