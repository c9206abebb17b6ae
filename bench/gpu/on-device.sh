#!/usr/bin/env bash
# Runs on the lent GPU machine (from the repository root): unpacks the bundle made by pack.sh and
# writes selftest and benchmark tables under $OUT (copied back by the device tool). Commit the
# tables under bench/results/ with the device name and date.
set -uo pipefail
out="${OUT:-/tmp/out}"
mkdir -p "$out" /tmp/ilgpu-lstm
tar xJf .gpu/app.txz -C /tmp/ilgpu-lstm
app=/tmp/ilgpu-lstm/app/ilgpu-lstm
export ILGPU_LSTM_CORPORA="$(pwd)/../shared/corpora"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/nvidia-smi.csv" 2>&1
"$app" devices > "$out/devices.md" 2>&1
"$app" selftest --accelerator cuda > "$out/selftest.md" 2>&1; echo "selftest exit $?" >> "$out/selftest.md"
"$app" bench kernels --accelerator cuda --shapes all > "$out/kernels.md" 2>&1
"$app" bench train --accelerator cuda --shapes all > "$out/train.md" 2>&1
tail -n 3 "$out"/*.md
