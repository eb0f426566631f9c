#!/usr/bin/env bash
# The whole test suite: system packages, the web and server builds, then every test (unit, both
# databases, end-to-end with the real server and Chromium) with the type check and lint at zero
# warnings running beside them at the lowest priority.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh test
[ -d node_modules ] || npm ci --no-audit --no-fund
echo "== web and server builds"
# What the tests run: the console (web/dist) and the server compiled as `npm start` runs it
# (build/server), with the recording benchmark's worker and the live tests' server entry, so the
# servers the tests start run the production path instead of transpiling the app through tsx each
# time; bench:record finds it fresh instead of swapping a new build in mid-run.
npx vite build --config web/vite.config.ts --logLevel warn > .check-web.log 2>&1 & web=$!
node scripts/build-server.mjs bench/lib/record-worker.ts test/live/helpers/live-main.ts > .check-server.log 2>&1 & server=$!
builds=0
wait $web || { cat .check-web.log; echo "web build failed"; builds=1; }
wait $server || { cat .check-server.log; echo "server build failed"; builds=1; }
cat .check-web.log; rm -f .check-web.log .check-server.log
[ $builds = 0 ] || exit 1
# Type check and lint (≈ 140 s of CPU, ESLint's typed rules as much as tsc again) run beside the
# tests at the lowest priority: they take the CPU the tests leave idle while waiting on real time
# (recordings, timeouts, the browser), instead of 70 s of wall time before the first test. Their
# result is awaited and reported after the tests; either failing fails the run.
nice -n 19 npx tsc --noEmit -p tsconfig.json > .check-typecheck.log 2>&1 & typecheck=$!
nice -n 19 npx eslint --max-warnings=0 . > .check-lint.log 2>&1 & lint=$!
echo "== tests"
export XUNCHA_TEST_PG=${XUNCHA_TEST_PG:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@" || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(".vitest-results.json", "utf8"));
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
checks=0
wait $typecheck || { cat .check-typecheck.log; echo "typecheck failed"; checks=1; }
wait $lint || { cat .check-lint.log; echo "lint failed"; checks=1; }
rm -f .check-typecheck.log .check-lint.log
[ $checks = 0 ] && echo "typecheck and lint: clean"
[ $status = 0 ] && [ $checks = 0 ] || exit 1
