#!/usr/bin/env bash
# `npm test`: set up what the suite needs, build, and run every test (unit, contract,
# property and end-to-end) with node's test runner. Tests start the daemons they use
# (etcd, API servers) from test/support and stop them by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.tools:$PATH"
npx eslint . --max-warnings=0
mapfile -t files < <(find dist/src dist/test -name '*.test.js' | sort)
exec node --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
