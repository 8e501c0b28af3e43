#!/usr/bin/env bash
# Idempotent: make a Docker Engine answer on /var/run/docker.sock and load the images the cluster
# needs offline. Installs Debian's docker.io and busybox-static when missing, starts dockerd when
# nothing answers (PID 1 is no init system here), then runs `minik8s images bootstrap` (needs the
# build). Readiness is probed by talking to the engine, never with pgrep. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[docker] %s\n' "$*" >&2; }

need=()
command -v dockerd >/dev/null || need+=(docker.io)
# busybox-static provides a static /bin/busybox; the dynamically linked `busybox` package would not
# run inside an image with no libc.
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

if ! docker version >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/minik8s-dockerd.log)"
  setsid dockerd >/var/log/minik8s-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 100); do
    docker version >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! docker version >/dev/null 2>&1; then
    log "dockerd did not answer within 20 s; last lines of its log:"
    tail -20 /var/log/minik8s-dockerd.log >&2
    exit 1
  fi
fi

./bin/minik8s images bootstrap >/dev/null
log "engine $(docker version --format '{{.Server.Version}}') ready; images: minik8s/pause:1 busybox:1.36 busybox:latest"
