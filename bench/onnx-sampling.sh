#!/usr/bin/env bash
# Sampling speed at batch 1 (top-k 5, the lesson's 2 x 128 LSTM, 83 symbols): ours
# (--accelerator cpu) against the same model exported to ONNX and stepped one character a call
# through ONNX Runtime (bench/onnx-sampling, at 1 and 2 intra-op threads), alternated ROUNDS times,
# medians and the ratio. Prints a Markdown table.   bench/onnx-sampling.sh [ROUNDS] [LENGTH]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
length=${2:-3000}
export ILGPU_LSTM_CORPORA="${ILGPU_LSTM_CORPORA:-$(cd .. && pwd)/shared/corpora}"
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet build bench/onnx-sampling -c Release -v quiet -nologo >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true # nothing else busy beside the benchmark
ours() { dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
value() { sed -nE 's/.*"chars_per_second": ?([0-9.eE+-]+).*/\1/p' "$1" | head -n 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]}'; }

# A 2 x 128 LSTM over anna's 83 symbols (one training step: the speed does not depend on the weights).
ours train --corpus anna --accelerator cpu --max-steps 1 --checkpoint-dir "$work/run" --sample-length 0 >/dev/null
ours export --checkpoint "$work/run/latest.safetensors" --out "$work/m.onnx" >/dev/null

o=(); x1=(); x2=()
for ((r = 0; r < rounds; r++)); do
  ours bench sample --cell lstm --hidden-size 128 --num-layers 2 --length "$length" --accelerator cpu --json >"$work/o.json"
  o+=("$(value "$work/o.json")")
  for t in 1 2; do
    dotnet bench/onnx-sampling/bin/Release/net10.0/OnnxSampling.dll "$work/m.onnx" "$length" "$t" >"$work/x$t.json"
    [ "$t" = 1 ] && x1+=("$(value "$work/x$t.json")") || x2+=("$(value "$work/x$t.json")")
  done
done
mo=$(median "${o[@]}"); m1=$(median "${x1[@]}"); m2=$(median "${x2[@]}")
best=$(( m1 > m2 ? m1 : m2 ))
echo "# Sampling: ours against ONNX Runtime on the exported model"
echo
echo "$(date -u +%F), commit $(git rev-parse --short HEAD), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
echo "LSTM 2 x 128, 83 symbols, batch 1, top-k 5, $length characters; median of $rounds alternated rounds."
echo
echo "| sampler | chars/s |"
echo "| --- | --- |"
echo "| ours (\`--accelerator cpu\`) | $mo |"
echo "| ONNX Runtime $(sed -nE 's/.*Include="Microsoft.ML.OnnxRuntime" Version="([^"]+)".*/\1/p' Directory.Packages.props), 1 thread | $m1 |"
echo "| ONNX Runtime, 2 threads | $m2 |"
echo
echo "ours / best ONNX Runtime: $(awk -v a="$mo" -v b="$best" 'BEGIN {printf "%.2f", a / b}')"
