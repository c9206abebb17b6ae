#!/usr/bin/env bash
# kill -9 at random moments: N times, start (or resume) a small training run that saves every
# step, kill it with SIGKILL after a random 0.3-3 s, and check that every checkpoint in the
# directory still loads (inspect), that the next start removes the killed runs' temporary files,
# and at the end that the run resumes and finishes and its metrics.jsonl reads (plot). Not in CI.
# Prints a Markdown report.   bench/soak.sh [N]   (default 50; about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true
cli() { dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll "$@"; }
# The training process itself in the background (not a subshell around it), so kill -9 reaches it.
train_bg() { dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll train "$@" >"$work/out.txt" 2>&1 & pid=$!; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c "import random; random.seed(1); print(''.join(random.choice('abcdefgh ij.\n') for _ in range(60000)))" >"$work/corpus.txt"
dir="$work/run"
flags=(--corpus "$work/corpus.txt" --accelerator cpu --hidden-size 32 --batch-size 8 --seq-length 20 --print-every 1
  --save-every 1 --val-batches 2 --epochs 1000 --sample-length 0 --keep 2 --checkpoint-dir "$dir")
RANDOM=7
# Temporary files in the run directory, except those named in $1 (a find -name pattern to spare).
count_tmp() { if [ -d "$dir" ]; then find "$dir" -maxdepth 1 -name '.*.tmp' ! -name "${1:-none}" | wc -l; else echo 0; fi; }
loads=0 failed_loads=0 fresh=0 resumed=0 debris_seen=0 debris_left=0
for ((i = 1; i <= n; i++)); do
  tmp_before=$(count_tmp)
  if [ -f "$dir/resume.safetensors" ]; then
    train_bg --resume "$dir" --accelerator cpu --sample-length 0
    resumed=$((resumed + 1))
  else
    train_bg "${flags[@]}" --overwrite
    fresh=$((fresh + 1))
  fi
  sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.2f", 0.3 + 2.7 * r / 32767}')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  debris_seen=$((debris_seen + tmp_before))
  # Temporary files of killed runs that the start above did not remove (it ran long enough to lock).
  if grep -q "^device:" "$work/out.txt"; then
    left=$(count_tmp ".*.${pid}.tmp")
    debris_left=$((debris_left + left))
  fi
  for f in "$dir"/*.safetensors; do
    [ -e "$f" ] || continue
    if cli inspect --checkpoint "$f" >/dev/null 2>"$work/err.txt"; then
      loads=$((loads + 1))
    else
      failed_loads=$((failed_loads + 1)); echo "kill $i: $(cat "$work/err.txt")" >&2
    fi
  done
done
step=$(cli inspect --checkpoint "$dir/resume.safetensors" --json | sed -nE 's/.*"step": "?([0-9]+).*/\1/p' | head -n 1)
if cli train --resume "$dir" --accelerator cpu --sample-length 0 --max-steps $((step + 5)) >"$work/final.txt" 2>&1; then final=ok; else final="failed: $(tail -n 1 "$work/final.txt")"; fi
plot=$(cli plot "$dir" --out "$work/loss.png" >/dev/null 2>&1 && echo ok || echo failed)
leftover=$(count_tmp)
echo "# kill -9 soak"
echo
echo "$(date -u +%F), commit $(git rev-parse --short HEAD), $(nproc) cores. LSTM 32 x 2, batch 8 x seq 20, a save every step."
echo
echo "| check | result |"
echo "| --- | --- |"
echo "| kills (SIGKILL after 0.3-3 s) | $n ($fresh fresh starts, $resumed resumes) |"
echo "| checkpoint loads after a kill | $loads ok, $failed_loads failed |"
echo "| temporary files of killed runs found at a start | $debris_seen |"
echo "| of those left after a start that got going | $debris_left |"
echo "| final resume from step $step to $((step + 5)) | $final |"
echo "| plot of metrics.jsonl | $plot |"
echo "| temporary files at the end | $leftover |"
[ "$failed_loads" = 0 ] && [ "$final" = ok ] && [ "$plot" = ok ] && [ "$debris_left" = 0 ] && [ "$leftover" = 0 ]
