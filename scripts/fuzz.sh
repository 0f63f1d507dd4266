#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets (clang, ASan+UBSan; tests/fuzz) and runs each for N
# seconds (default 30) from its seed corpus in tests/fuzz/corpus/<target>/.
#   scripts/fuzz.sh [seconds] [target…]
# New interesting inputs go to build-fuzz/corpus/<target>/ (not into the repository). A crash
# leaves its input in build-fuzz/crashes/ and fails the run: fix the bug, then copy the input
# into the seed corpus so it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
jobs=${JOBS:-2}

cmake -S tests/fuzz -B build-fuzz -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-fuzz -j "$jobs" >/dev/null

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for f in tests/fuzz/fuzz_*.c; do
    t=$(basename "$f" .c)
    targets+=("${t#fuzz_}")
  done
fi

export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p build-fuzz/crashes
failed=0
passed=0
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$t
  work=build-fuzz/corpus/$t
  mkdir -p "$work" "$seeds"
  log=build-fuzz/$t.log
  # The seeds (and earlier crashers kept there) always run first, then fuzzing for $secs.
  if build-fuzz/fuzz_"$t" "$work" "$seeds" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -max_len=8192 -print_final_stats=1 -artifact_prefix=build-fuzz/crashes/"$t"- >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $t: ok ($execs runs in ${secs}s)"
    passed=$((passed + 1))
  else
    echo "fuzz $t: FAILED (log $log)"
    grep -E 'ERROR|SUMMARY|fuzz check failed|Test unit written' "$log" | head -10 || true
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
