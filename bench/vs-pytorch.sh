#!/usr/bin/env bash
# Ours (--accelerator cpu, the host path) against the PyTorch lesson's model on this machine, side
# by side: each measurement alternates ours, PyTorch at 1 thread and PyTorch at 2 threads, ROUNDS
# times, and reports medians, so the machine's drift lands on both sides alike. Then the wall-clock
# race: 240 s of training each (the better PyTorch thread count), then the whole validation split.
# Needs Debian's python3-torch and libopenblas0-openmp (apt-get install); prints a Markdown table.
#   bench/vs-pytorch.sh [ROUNDS] [RACE_SECONDS]      (defaults 3 and 240; about 25 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
race=${2:-240}
py=/usr/bin/python3
$py -c "import torch" 2>/dev/null || { echo "error: Debian's python3-torch is needed: apt-get install -y python3-torch libopenblas0-openmp" >&2; exit 1; }
corpus="${ILGPU_LSTM_CORPORA:-$(cd .. && pwd)/shared/corpora}"
corpus="${corpus%%:*}/anna.txt"
[ -f "$corpus" ] || { echo "error: $corpus not found: point ILGPU_LSTM_CORPORA at the directory holding anna.txt" >&2; exit 1; }
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true # nothing else busy beside the benchmark
ours() { dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
field() { $py -c "import json,sys; d=json.load(open('$1')); d=d.get('results',[d])[0] if 'results' in d else d.get('result',d); print(d['$2'])"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# name | our bench arguments | PyTorch arguments | metric (ours / PyTorch's JSON field)
cases=(
  "train LSTM 128x2, batch 32, seq 50, dropout 0.5 (tokens/s)|bench train --cell lstm --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --repeats 15|train --cell lstm --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --steps 15|tokens_per_second"
  "train GRU, same shape (tokens/s)|bench train --cell gru --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --repeats 15|train --cell gru --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --dropout 0.5 --steps 15|tokens_per_second"
  "train the lesson's shape, LSTM 512x2, batch 128, seq 100 (tokens/s)|bench train --cell lstm --hidden-size 512 --num-layers 2 --batch-size 128 --seq-length 100 --dropout 0.5 --repeats 3|train --cell lstm --hidden-size 512 --num-layers 2 --batch-size 128 --seq-length 100 --dropout 0.5 --steps 3|tokens_per_second"
  "sample, H 128, batch 1, top-k 5 (chars/s)|bench sample --cell lstm --hidden-size 128 --num-layers 2 --length 3000|sample --cell lstm --hidden-size 128 --num-layers 2 --length 3000 --top-k 5|chars_per_second"
)

echo "# Ours against PyTorch, side by side"
echo
echo "$(date -u +%F), commit $(git rev-parse --short HEAD), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
echo "Ours: ilgpu-lstm --accelerator cpu (host code). PyTorch $($py -c 'import torch; print(torch.__version__)') (Debian python3-torch, OpenBLAS),"
echo "the lesson's CharRNN (Tests/Fixtures/lesson.py). Each row: median of $rounds rounds, each round ours, PyTorch 1 thread, PyTorch 2 threads."
echo
echo "| work | ours | PyTorch 1 thread | PyTorch 2 threads | ours / best PyTorch | peak RSS ours / PyTorch (MiB) |"
echo "| --- | --- | --- | --- | --- | --- |"
best_threads=1
for case in "${cases[@]}"; do
  IFS='|' read -r name our_args py_args metric <<<"$case"
  o=(); p1=(); p2=(); ro=(); rp=()
  for ((r = 0; r < rounds; r++)); do
    ours $our_args --accelerator cpu --json >"$work/o.json"
    o+=("$(field "$work/o.json" "$metric")")
    [[ $metric == tokens_per_second ]] && ro+=("$(field "$work/o.json" peak_rss_mib)")
    for t in 1 2; do
      $py bench/pytorch_lesson.py $py_args --threads "$t" >"$work/p$t.json"
      if [ "$t" = 1 ]; then p1+=("$(field "$work/p1.json" "$metric")"); else p2+=("$(field "$work/p2.json" "$metric")"); fi
      [[ $metric == tokens_per_second && $t == 2 ]] && rp+=("$(field "$work/p2.json" peak_rss_mib)")
    done
  done
  mo=$(median "${o[@]}"); m1=$(median "${p1[@]}"); m2=$(median "${p2[@]}")
  best=$(awk -v a="$m1" -v b="$m2" 'BEGIN {print (a > b ? a : b)}')
  [[ $name == train\ LSTM* ]] && best_threads=$(awk -v a="$m1" -v b="$m2" 'BEGIN {print (a >= b ? 1 : 2)}')
  rss=""
  [ ${#ro[@]} -gt 0 ] && rss="$(printf '%.0f / %.0f' "$(median "${ro[@]}")" "$(median "${rp[@]}")")"
  printf '| %s | %.0f | %.0f | %.0f | %.2f | %s |\n' "$name" "$mo" "$m1" "$m2" "$(awk -v a="$mo" -v b="$best" 'BEGIN {print a / b}')" "$rss"
done

# The race: the same model and hyperparameters, $race s of training each, then the whole validation split.
flags=(--hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --lr 2e-3 --dropout 0.2 --grad-clip 5)
ck="$work/race"
ours train --corpus "$corpus" "${flags[@]}" --accelerator cpu --epochs 100 --time-limit "${race}s" --print-every 500 \
  --val-batches 1 --sample-length 0 --checkpoint-dir "$ck" >"$work/race.log"
our_steps=$(grep -oE 'Step: [0-9]+' "$work/race.log" | tail -1 | grep -oE '[0-9]+' || echo "?")
our_val=$(ours eval --checkpoint "$ck/latest.safetensors" --corpus "$corpus" --batch-size 32 --seq-length 50 --batches 0 --accelerator cpu | grep -oE 'loss [0-9.]+' | head -1 | cut -d' ' -f2)
$py bench/pytorch_lesson.py wallclock --corpus "$corpus" --seconds "$race" --threads "$best_threads" \
  --hidden-size 128 --num-layers 2 --batch-size 32 --seq-length 50 --lr 2e-3 --dropout 0.2 >"$work/race.json"
py_val=$(field "$work/race.json" val_loss)
py_steps=$(field "$work/race.json" steps)
echo
echo "Wall clock to validation loss ($race s of training each; 128x2, batch 32, seq 50, lr 2e-3, dropout 0.2, clip 5;"
echo "loss over the whole validation split afterwards; PyTorch at $best_threads thread(s)):"
echo
echo "| | ours | PyTorch |"
echo "| --- | --- | --- |"
printf '| validation loss after %s s | %.4f (%s steps) | %.4f (%s steps) |\n' "$race" "$our_val" "$our_steps" "$py_val" "$py_steps"
