#!/usr/bin/env bash
# Runs on the lent GPU machine (from the repository root): unpacks the bundle made by pack.sh and
# writes, under $OUT, one file per step: the GPU and driver, devices, selftest, kernel and
# training benchmarks, the lesson step's per-phase profile, and PyTorch's cuDNN LSTM at the same
# shape (TF32 off and on) where the machine's python3 has torch with CUDA. Every step runs under a
# time limit with ILGPU_LSTM_DEBUG=1 (stack traces and ILGPU's trace on stderr); the script goes on
# after a failed step, lists every step's exit code and time in steps.md, and exits non-zero
# naming the failed steps. Commit the tables under bench/results/ with the device name and date.
#   bench/gpu/on-device.sh [ACCELERATOR]   (cuda; the rehearsal without a GPU passes cpu)
set -uo pipefail
accelerator=${1:-cuda}
out="${OUT:-/tmp/out}"
mkdir -p "$out" /tmp/ilgpu-lstm
app=/tmp/ilgpu-lstm/app/ilgpu-lstm
export ILGPU_LSTM_CORPORA="$(pwd)/../shared/corpora" ILGPU_LSTM_DEBUG=1
failed=()
echo "| step | limit (s) | exit | seconds |" > "$out/steps.md"
echo "| --- | --- | --- | --- |" >> "$out/steps.md"

# step NAME LIMIT_S COMMAND...: stdout and stderr to $OUT/NAME.md, killed at the limit.
step() {
  local name=$1 limit=$2
  shift 2
  local start end rc
  start=$(date +%s.%N)
  timeout --kill-after=10 "$limit" "$@" > "$out/$name.md" 2>&1
  rc=$?
  end=$(date +%s.%N)
  [ "$rc" -eq 124 ] && echo "(killed after the ${limit} s limit)" >> "$out/$name.md"
  [ "$rc" -ne 0 ] && failed+=("$name (exit $rc)")
  printf '| %s | %s | %s | %.1f |\n' "$name" "$limit" "$rc" "$(echo "$end - $start" | bc)" >> "$out/steps.md"
  echo "$name: exit $rc"
}

step unpack 60 tar xJf .gpu/app.txz -C /tmp/ilgpu-lstm
if [ "$accelerator" = cuda ]; then
  step nvidia-smi 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv
fi
step devices 60 "$app" devices
step selftest 120 "$app" selftest --accelerator "$accelerator"
step kernels 120 "$app" bench kernels --accelerator "$accelerator" --shapes auto
step train 150 "$app" bench train --accelerator "$accelerator" --shapes auto
step profile 120 "$app" bench train --accelerator "$accelerator" --shapes lesson --profile
if [ "$accelerator" = cuda ]; then
  step cudnn 120 python3 bench/gpu/cudnn_lesson.py
fi

{ echo; echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), accelerator $accelerator"; } >> "$out/steps.md"
cat "$out/steps.md"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}" | tee -a "$out/steps.md"
  exit 1
fi
