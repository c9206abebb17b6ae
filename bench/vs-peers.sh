#!/usr/bin/env bash
# Ours (--accelerator cpu) against TorchSharp (LibTorch + MKL, the fastest CPU peer a .NET user
# would pick) and PyTorch (Debian's python3-torch with OpenBLAS) on this machine, side by side:
# each round runs ours, TorchSharp at 1 and 2 threads, PyTorch at 1 and 2 threads, one after the
# other; ROUNDS rounds; medians; each peer at its better thread count; the ratios.
# TorchSharp is a yardstick only, built outside the repository: TSBENCH names its built tsbench.dll
# (the tsbench README says how: cp -r ../shared/tsbench /tmp/tsbench && cd /tmp/tsbench && dotnet build -c Release).
#   TSBENCH=/tmp/tsbench/bin/Release/net10.0/tsbench.dll bench/vs-peers.sh [--isa LEVEL] [ROUNDS]     (default 3; about 15 minutes)
# --isa narrows every program to one instruction-set level of this x86 CPU, so one machine shows each:
#   native  as the CPU is (default)
#   avx2    ours DOTNET_EnableAVX512F=0; TorchSharp MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2;
#           PyTorch OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2
#   128     ours DOTNET_PreferredVectorBitWidth=128 (128-bit vectors with FMA, as on ARM64's NEON);
#           TorchSharp MKL_ENABLE_INSTRUCTIONS=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41; PyTorch
#           OPENBLAS_CORETYPE=Nehalem ATEN_CPU_CAPABILITY=default
set -euo pipefail
cd "$(dirname "$0")/.."
isa=native
if [ "${1:-}" = --isa ]; then isa=${2:?--isa needs native, avx2 or 128}; shift 2; fi
case "$isa" in
  native) our_env=(); ts_env=(); py_env=() ;;
  avx2) our_env=(DOTNET_EnableAVX512F=0); ts_env=(MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2)
    py_env=(OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2) ;;
  128) our_env=(DOTNET_PreferredVectorBitWidth=128); ts_env=(MKL_ENABLE_INSTRUCTIONS=SSE4_2 ONEDNN_MAX_CPU_ISA=SSE41)
    py_env=(OPENBLAS_CORETYPE=Nehalem ATEN_CPU_CAPABILITY=default) ;;
  *) echo "error: --isa takes native, avx2 or 128, not '$isa'" >&2; exit 2 ;;
esac
rounds=${1:-3}
py=/usr/bin/python3
tsbench=${TSBENCH:-/tmp/tsbench/bin/Release/net10.0/tsbench.dll}
[ -f "$tsbench" ] || { echo "error: $tsbench not found: build ../shared/tsbench outside the repository (its README) and set TSBENCH" >&2; exit 1; }
$py -c "import torch" 2>/dev/null || { echo "error: Debian's python3-torch is needed: apt-get install -y python3-torch libopenblas0-openmp" >&2; exit 1; }
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true # nothing else busy beside the benchmark
ours() { env "${our_env[@]}" dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll "$@"; }
torchsharp() { env "${ts_env[@]}" dotnet "$tsbench" "$@"; }
pytorch() { env "${py_env[@]}" "$py" bench/pytorch_lesson.py "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The value of a field: the whole file as JSON (ours: the first of 'results', or 'result'), else its last line (the peers).
field() {
  $py - "$1" "$2" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    d = json.loads(text)
except ValueError:
    d = json.loads(text.strip().splitlines()[-1])
d = d["results"][0] if "results" in d else d.get("result", d)
print(d[sys.argv[2]])
PY
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN {print (a > b ? a : b)}'; }

# name | ours | TorchSharp | PyTorch | our field | TorchSharp field | PyTorch field
cases=(
  "train LSTM 2 x 128, batch 32, seq 50 (tokens/s)|bench train --cell lstm --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --json|train --cell lstm --hidden 128 --layers 2 --batch 32 --seq 50 --dropout 0.5 --steps 40 --warmup 3|train --cell lstm --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --steps 20|tokens_per_second|tokens_per_s|tokens_per_second"
  "train GRU, same shape (tokens/s)|bench train --cell gru --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --json|train --cell gru --hidden 128 --layers 2 --batch 32 --seq 50 --dropout 0.5 --steps 40 --warmup 3|train --cell gru --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --steps 20|tokens_per_second|tokens_per_s|tokens_per_second"
  "train the lesson: LSTM 2 x 512, batch 128, seq 100 (tokens/s)|bench train --cell lstm --hidden-size 512 --num-layers 2 --batch-size 128 --seq-length 100 --dropout 0.5 --json|train --cell lstm --hidden 512 --layers 2 --batch 128 --seq 100 --dropout 0.5 --steps 5 --warmup 2|train --cell lstm --hidden-size 512 --num-layers 2 --batch-size 128 --seq-length 100 --dropout 0.5 --steps 3|tokens_per_second|tokens_per_s|tokens_per_second"
  "sample, LSTM 2 x 128, batch 1 (chars/s)|bench sample --cell lstm --hidden-size 128 --num-layers 2 --length 3000 --json|sample --cell lstm --hidden 128 --layers 2 --length 3000|sample --cell lstm --hidden-size 128 --num-layers 2 --length 3000 --top-k 5|chars_per_second|sample_chars_per_s|chars_per_second"
)

echo "# Ours against TorchSharp and PyTorch, side by side"
echo
echo "$(date -u +%F), commit $(git rev-parse --short HEAD), $(nproc) vCPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" \
  "(family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), model $(grep -m1 '^model\s*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' '))."
echo "ISA level: $isa${our_env:+ (ours: ${our_env[*]}; TorchSharp: ${ts_env[*]}; PyTorch: ${py_env[*]})}; ours runs $(ours devices 2>/dev/null | grep -o 'host code ([^)]*)' | head -n 1)."
echo "Ours: ilgpu-lstm --accelerator cpu (host code). TorchSharp: ../shared/tsbench (the same step). PyTorch $($py -c 'import torch; print(torch.__version__)')"
echo "(Debian, OpenBLAS): bench/pytorch_lesson.py. Each row: median of $rounds rounds, each round ours, then each peer at 1 and 2 threads; a peer's figure is its better thread count."
echo
echo "| work | ours | TorchSharp (threads) | PyTorch (threads) | ours / TorchSharp | ours / PyTorch |"
echo "| --- | --- | --- | --- | --- | --- |"
for case in "${cases[@]}"; do
  IFS='|' read -r name our_args ts_args py_args of tf pf <<<"$case"
  o=(); t1=(); t2=(); p1=(); p2=()
  for ((r = 0; r < rounds; r++)); do
    ours $our_args --accelerator cpu >"$work/o.json"; o+=("$(field "$work/o.json" "$of")")
    for t in 1 2; do
      torchsharp $ts_args --threads "$t" >"$work/t.json"
      if [ "$t" = 1 ]; then t1+=("$(field "$work/t.json" "$tf")"); else t2+=("$(field "$work/t.json" "$tf")"); fi
      pytorch $py_args --threads "$t" >"$work/p.json"
      if [ "$t" = 1 ]; then p1+=("$(field "$work/p.json" "$pf")"); else p2+=("$(field "$work/p.json" "$pf")"); fi
    done
  done
  mo=$(median "${o[@]}"); mt1=$(median "${t1[@]}"); mt2=$(median "${t2[@]}"); mp1=$(median "${p1[@]}"); mp2=$(median "${p2[@]}")
  bt=$(best "$mt1" "$mt2"); bp=$(best "$mp1" "$mp2")
  tt=$(awk -v a="$mt1" -v b="$mt2" 'BEGIN {print (a >= b ? 1 : 2)}'); pt=$(awk -v a="$mp1" -v b="$mp2" 'BEGIN {print (a >= b ? 1 : 2)}')
  printf '| %s | %.0f | %.0f (%s) | %.0f (%s) | %.2f | %.2f |\n' "$name" "$mo" "$bt" "$tt" "$bp" "$pt" \
    "$(awk -v a="$mo" -v b="$bt" 'BEGIN {print a / b}')" "$(awk -v a="$mo" -v b="$bp" 'BEGIN {print a / b}')"
done
