#!/usr/bin/env bash
# e2e.sh: runs the browser tests in tests/e2e against build/carecircle (built first if missing).
#   scripts/e2e.sh              every page type (axe, vnu, screenshots) and every flow
#   E2E_LIGHTHOUSE=0 scripts/e2e.sh   skip the Lighthouse scores
# Screenshots, page HTML and the server log go to tests/e2e/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x build/carecircle ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "${JOBS:-2}"
fi
cd tests/e2e
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  # No install scripts: chromium and Java come from Debian, nothing is downloaded at install.
  npm ci --no-audit --no-fund --prefer-offline --ignore-scripts
fi
export CARECIRCLE_BIN=${CARECIRCLE_BIN:-$PWD/../../build/carecircle}
exec node --test --test-concurrency=1 e2e.test.mjs
