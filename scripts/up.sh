#!/usr/bin/env bash
# `npm run up`: set up (npm packages, Docker Engine, offline images), then start a single-node
# cluster (API server, scheduler and node agent in one `minik8s server` process) in the
# background on the default data dir. Idempotent: an already running server is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DATA_DIR=${MINIK8S_DATA_DIR:-/var/lib/minik8s}
PORT=${MINIK8S_PORT:-6443}
mkdir -p "$DATA_DIR"
LOG="$DATA_DIR/server.log"
PIDFILE="$DATA_DIR/server.pid"

healthy() { curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; }

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && healthy; then
  echo "minik8s server already running (pid $(cat "$PIDFILE"))"
else
  setsid ./bin/minik8s server --data-dir "$DATA_DIR" --port "$PORT" >>"$LOG" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 100); do
    healthy && break
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "minik8s server failed to start; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; fi
    sleep 0.1
  done
  healthy || { echo "minik8s server did not become ready; see $LOG" >&2; exit 1; }
  echo "minik8s server started (pid $(cat "$PIDFILE")), log: $LOG"
fi
echo "admin kubeconfig: $DATA_DIR/admin.kubeconfig"
echo "try: KUBECONFIG=$DATA_DIR/admin.kubeconfig kubectl get nodes"
