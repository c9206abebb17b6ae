#!/usr/bin/env bash
# Corpus scale on this machine: a 1 GB corpus (anna.txt repeated) trained for 3 steps of a 64 x 1
# LSTM: resident memory per corpus byte and the time to the first step; then vocabularies of about
# 20,000 symbols (Zipf-distributed Han characters with punctuation, Latin and emoji) and of 65,536
# (every symbol a 16-bit id holds) trained at cpu-default's shape: tokens per second. Needs about
# 1 GB of free disk in TMPDIR and 5 GB of memory. Prints a Markdown report.   bench/corpus-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpora="${ILGPU_LSTM_CORPORA:-$(cd .. && pwd)/shared/corpora}"
anna="${corpora%%:*}/anna.txt"
[ -f "$anna" ] || { echo "error: $anna not found: point ILGPU_LSTM_CORPORA at the directory holding anna.txt" >&2; exit 1; }
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet build-server shutdown >/dev/null 2>&1 || true
cli=(dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$anna" "$work" <<'PY'
import random, sys
anna, work = sys.argv[1], sys.argv[2]
data = open(anna, 'rb').read()
with open(f'{work}/big.txt', 'wb') as f:
    for _ in range(505): f.write(data)
random.seed(1)
han = [chr(c) for c in range(0x4E00, 0x4E00 + 20000)]
emoji = [chr(c) for c in range(0x1F600, 0x1F650)]
out = []
for ch in random.choices(han, [1.0 / (i + 1) for i in range(len(han))], k=2_000_000):
    out.append(ch)
    r = random.random()
    out.append('，' if r < 0.05 else '。\n' if r < 0.07 else random.choice(emoji) if r < 0.075 else ' Anna ' if r < 0.08 else '')
open(f'{work}/han.txt', 'w', encoding='utf-8').write(''.join(out))
cps = (list(range(0x20, 0xD800)) + list(range(0xE000, 0xFFFE)) + list(range(0x20000, 0x30000)))[:65536]
seq = cps + random.choices(cps, k=3_000_000)
random.shuffle(seq)
open(f'{work}/max.txt', 'w', encoding='utf-8').write(''.join(chr(c) for c in seq))
PY
cat "$work/big.txt" >/dev/null # in the page cache, as a corpus read a second time is

bytes=$(stat -c %s "$work/big.txt")
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" "${cli[@]}" train --corpus "$work/big.txt" --accelerator cpu --hidden-size 64 --num-layers 1 \
  --max-steps 3 --print-every 1 --val-batches 2 --sample-length 0 --checkpoint-dir "$work/ck-big" |
  while IFS= read -r line; do
    case $line in Epoch:*Step:\ 1...*) echo "$(echo "$(date +%s.%N) - $start" | bc)" >"$work/first" ;; esac
  done
rss_kib=$(cat "$work/rss")
speed() { # corpus -> median tokens/s of the reports after the first
  "${cli[@]}" train --corpus "$1" --accelerator cpu --max-steps 40 --print-every 10 --val-batches 2 --sample-length 0 \
    --checkpoint-dir "$work/ck-$(basename "$1" .txt)" | sed -nE 's/.*, ([0-9,]+) tok\/s.*/\1/p' | tr -d , | tail -n 3 | sort -g | sed -n 2p
}
han=$(speed "$work/han.txt"); max=$(speed "$work/max.txt")
vocab() { "${cli[@]}" inspect --checkpoint "$work/ck-$1/latest.safetensors" | sed -nE 's/^vocabulary \(([0-9]+) symbols.*/\1/p'; }
echo "# Corpus scale"
echo
echo "$(date -u +%F), commit $(git rev-parse --short HEAD), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), --accelerator cpu."
echo
echo "| work | result |"
echo "| --- | --- |"
echo "| 1 GB corpus ($bytes bytes, anna.txt x 505), LSTM 64 x 1, 3 steps: peak resident memory | $((rss_kib / 1024)) MiB, $(awk -v r="$rss_kib" -v b="$bytes" 'BEGIN {printf "%.2f", r * 1024 / b}') bytes per corpus byte (model and runtime included) |"
echo "| same: time from start to the first step's line (read, checksum, encode, first step) | $(printf '%.1f' "$(cat "$work/first")") s |"
echo "| $(vocab han) symbols (Han, punctuation, Latin, emoji; 2.2 M characters), LSTM 128 x 2, batch 32 x seq 50 | $han tokens/s |"
echo "| $(vocab max) symbols (every 16-bit id; 3.1 M characters), same shape | $max tokens/s |"
