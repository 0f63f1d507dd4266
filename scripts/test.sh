#!/usr/bin/env bash
# test.sh: builds carecircle twice (warnings as errors; ASan+UBSan) and runs the whole ctest
# suite on the sanitized build, against SQLite and against a private PostgreSQL cluster, after
# running every libFuzzer target for CARECIRCLE_FUZZ_SECONDS (15) seconds, then the browser tests
# (scripts/e2e.sh). ctest includes the crash test (CARECIRCLE_CRASH_ROUNDS, 20) and the sqlmap
# scan (CARECIRCLE_SQLMAP_FULL=1 for the long one).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCC_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"

# libFuzzer targets (clang), each for a short bounded time; `make fuzz` runs them longer.
scripts/fuzz.sh "${CARECIRCLE_FUZZ_SECONDS:-15}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pgdir=$(mktemp -d /tmp/carecircle-pg.XXXXXX)
chmod 755 "$pgdir"
rmdir "$pgdir"
cleanup() { scripts/pg-cluster.sh stop "$pgdir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
CARECIRCLE_TEST_PG=$(scripts/pg-cluster.sh start "$pgdir")
export CARECIRCLE_TEST_PG
echo "PostgreSQL for tests: $CARECIRCLE_TEST_PG"

(cd build-asan && ctest --output-on-failure -j "$jobs")

# Browser tests (tests/e2e): Playwright driving Debian's chromium, axe-core, the Nu HTML
# checker. They start build/carecircle themselves on a free port with a fresh SQLite file.
scripts/e2e.sh
