#!/usr/bin/env bash
# Runs .ci/run on a fresh clone of HEAD the way careless setups start it: as a background job of
# a non-interactive script (SIGINT and SIGQUIT ignored, inherited by every test and its children)
# with every core kept busy by spin loops beside it (by default two per core). Prints the SigIgn
# mask the job ran with, the load average it met, its duration, its closing line and exit code.
#   bench/ci-under-load.sh [LOOPS_PER_CORE] > bench/results/DATE-ci-under-load.md
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
per_core=${1:-2}
work=$(mktemp -d)
loops=()
cleanup() {
  for pid in "${loops[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
git clone -q "$repo" "$work/clone"
commit=$(git -C "$work/clone" rev-parse --short HEAD)
cores=$(nproc)
for _ in $(seq $((cores * per_core))); do
  ( while :; do :; done ) &
  loops+=($!)
done
export CI=true ILGPU_LSTM_CORPORA="${ILGPU_LSTM_CORPORA:-$repo/../shared/corpora}"
start=$(date +%s)
# The job under test: started with '&' from this non-interactive shell, as a CI script or nohup would.
( grep SigIgn /proc/self/status > "$work/sigign"; exec "$work/clone/.ci/run" ) > "$work/log" 2>&1 &
job=$!
loads=()
while kill -0 "$job" 2>/dev/null; do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  sleep 30
done
status=0
wait "$job" || status=$?
end=$(date +%s)
echo "# .ci/run as a background job on a saturated machine"
echo
echo "- commit $commit, $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores"
echo "- started with '&' from a non-interactive script: $(cat "$work/sigign") (SIGINT and SIGQUIT ignored)"
echo "- beside it: $((cores * per_core)) spin loops; load average every 30 s: min $(printf '%s\n' "${loads[@]}" | sort -n | head -1), max $(printf '%s\n' "${loads[@]}" | sort -n | tail -1)"
echo "- took $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s; exit code $status"
echo "- closing line: \`$(grep -E '^tests: ' "$work/log" | tail -1)\`"
echo
echo "Test runs (dotnet test summaries):"
echo
grep -E "(Passed|Failed)!  - Failed:|Test Run Aborted|\[FAIL\]" "$work/log" | sed 's/^/    /'
exit "$status"
