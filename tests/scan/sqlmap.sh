#!/usr/bin/env bash
# sqlmap.sh: scans the running site with sqlmap (Debian package) for SQL injection in the
# search box, the ask form and the login form, each form with a fresh CSRF token. Any
# injection point, or a heuristic hint of one or of reflected XSS, fails the test.
#   tests/scan/sqlmap.sh [path/to/carecircle]
# The quick scan (make test) uses boolean, error and UNION techniques at level 2 / risk 1;
# CARECIRCLE_SQLMAP_FULL=1 adds time-based and stacked queries at level 3 / risk 2.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${CARECIRCLE_BIN:-$here/build/carecircle}}
if ! command -v sqlmap >/dev/null; then
  echo "skipped: sqlmap is not installed (scripts/deps.sh test installs it)"
  exit 77
fi
if [[ "${CARECIRCLE_TEST_ENGINE:-sqlite}" != sqlite ]]; then
  echo "skipped: the scan runs once, on SQLite"
  exit 77
fi

work=$(mktemp -d /tmp/carecircle-sqlmap.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
pid=
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [[ -z "${CARECIRCLE_TEST_KEEP:-}" ]]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

"$bin" demo --db="$work/site.db" --secret=sqlmap-secret >"$work/demo.log" 2>&1
"$bin" serve --listen="127.0.0.1:$port" --db="$work/site.db" --secret=sqlmap-secret \
  --mail-dir="$work/mail" --login-fails-account=1000000 --login-fails-address=1000000 \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -sf "$base/healthz" >/dev/null && break
  sleep 0.1
done
curl -sf "$base/healthz" >/dev/null

if [[ -n "${CARECIRCLE_SQLMAP_FULL:-}" ]]; then
  opts=(--level=3 --risk=2 --technique=BEUST --time-sec=2)
else
  opts=(--level=2 --risk=1 --technique=BEU)
fi
common=(--batch --disable-coloring --flush-session --output-dir="$work/out" --timeout=30
  --retries=1 --answers="follow=N,keep testing=N" -v 1 "${opts[@]}")

# A guest's CSRF token is bound to the server secret, not to a cookie: start from a valid one
# (sqlmap refreshes it from --csrf-url as it goes).
tok=$(curl -sf "$base/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[[ -n "$tok" ]]

findings=0
scan() {
  local name=$1
  shift
  local log="$work/$name.log"
  local t0=$SECONDS
  sqlmap "${common[@]}" "$@" >"$log" 2>&1 || true
  if grep -Eiq "identified the following injection point|is vulnerable|might be injectable|might be vulnerable to cross-site scripting" "$log"; then
    echo "sqlmap $name: FINDING"
    grep -Ei "injectable|injection point|vulnerable|Parameter:|Payload:" "$log" | head -20
    findings=$((findings + 1))
  elif ! grep -q "all tested parameters do not appear to be injectable" "$log"; then
    echo "sqlmap $name: did not finish a scan"
    tail -20 "$log"
    findings=$((findings + 1))
  else
    local sent
    sent=$(grep -c "^\[" "$log" || true)
    echo "sqlmap $name: no injection ($((SECONDS - t0)) s)"
  fi
}

scan search -u "$base/search?q=twitching&topic=hemifacial-spasm" -p q,topic
scan ask -u "$base/hemifacial-spasm/ask" --method=POST \
  --data="csrf=$tok&title=Is+this+twitch+related+to+stress&body=My+eyelid+twitches+when+I+am+stressed+at+work.&guest_name=Sam&action=post" \
  --csrf-token=csrf --csrf-url="$base/hemifacial-spasm/ask" -p title,body,guest_name
# A wrong password answers 401, which sqlmap must be told is the normal answer.
scan login -u "$base/login" --method=POST --data="csrf=$tok&login=zoe_m&password=wrong-password-1" \
  --csrf-token=csrf --csrf-url="$base/login" -p login,password --ignore-code=401

kill "$pid"
wait "$pid" || { echo "server exited non-zero after the scan:"; tail -30 "$work/server.log"; findings=$((findings + 1)); }
pid=
if [[ $findings -ne 0 ]]; then
  echo "sqlmap: 0 passed, $findings failed"
  exit 1
fi
echo "sqlmap: 3 passed, 0 failed"
