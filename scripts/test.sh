#!/usr/bin/env bash
# The whole test suite: setup, type check, lint, every vitest file. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

mkdir -p .tmp
status=0
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit || status=1
echo "== lint"; npx biome lint . || status=1
echo "== tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@" || status=1

node -e '
const fs = require("node:fs");
let passed = 0, failed = 0, skipped = 0;
try {
  const r = JSON.parse(fs.readFileSync(".tmp/vitest.json", "utf8"));
  passed = r.numPassedTests; failed = r.numFailedTests + (r.numRuntimeErrors ?? 0);
  skipped = r.numPendingTests + r.numTodoTests;
  for (const f of r.testResults) if (f.status === "failed" && f.assertionResults.length === 0) failed++;
} catch (e) { failed = 1; console.error("no vitest results:", e.message); }
if (process.argv[1] === "1" && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$status"
exit $status
