#!/usr/bin/env bash
# The whole test suite: system packages, then type check, lint at zero warnings and the web build
# side by side (about 40 s instead of 75 s on the 2-core CI machine), then every test (unit, both databases, end-to-end with the real server and Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh test
[ -d node_modules ] || npm ci --no-audit --no-fund
echo "== typecheck, lint, web build"
npx tsc --noEmit -p tsconfig.json > .check-typecheck.log 2>&1 & typecheck=$!
npx eslint --max-warnings=0 . > .check-lint.log 2>&1 & lint=$!
npx vite build --config web/vite.config.ts --logLevel warn > .check-web.log 2>&1 & web=$!
# The server compiled as `npm start` runs it (build/server): servers the tests start with
# bin/xuncha.mjs then run the production path, and bench:record (whose worker is built here too)
# finds it fresh instead of swapping a new build in mid-run.
node scripts/build-server.mjs bench/lib/record-worker.ts > .check-server.log 2>&1 & server=$!
checks=0
wait $typecheck || { cat .check-typecheck.log; echo "typecheck failed"; checks=1; }
wait $lint || { cat .check-lint.log; echo "lint failed"; checks=1; }
wait $web || { cat .check-web.log; echo "web build failed"; checks=1; }
wait $server || { cat .check-server.log; echo "server build failed"; checks=1; }
cat .check-web.log; rm -f .check-typecheck.log .check-lint.log .check-web.log .check-server.log
[ $checks = 0 ] || exit 1
echo "== tests"
export XUNCHA_TEST_PG=${XUNCHA_TEST_PG:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@" || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(".vitest-results.json", "utf8"));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
