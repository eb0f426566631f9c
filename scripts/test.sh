#!/usr/bin/env bash
# The whole test suite: system packages, type check, lint at zero warnings, web build, then every
# test (unit, both databases, end-to-end with the real server and Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh test
[ -d node_modules ] || npm ci --no-audit --no-fund
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== lint"; npx eslint --max-warnings=0 .
echo "== web build"; npx vite build --config web/vite.config.ts --logLevel warn
echo "== tests"
export XUNCHA_TEST_PG=${XUNCHA_TEST_PG:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@" || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(".vitest-results.json", "utf8"));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
