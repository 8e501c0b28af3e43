#!/usr/bin/env bash
# `npm run down`: stop the server `npm run up` started (by its PID file). Pods' containers keep
# running while the server is down and are adopted when it starts again; delete pods first to
# remove them.
set -euo pipefail
DATA_DIR=${MINIK8S_DATA_DIR:-/var/lib/minik8s}
PIDFILE="$DATA_DIR/server.pid"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  pid=$(cat "$PIDFILE")
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PIDFILE"
  echo "minik8s server stopped (pid $pid)"
else
  echo "minik8s server is not running"
fi
