#!/usr/bin/env bash
# Trains the forecaster on the two real series beside the checkout (README's commands) and prints
# a Markdown table of the test split's MAE and RMSE against persistence and seasonal naive, with
# the figures copied next to the table. Usage: bench/forecast-real.sh OUT_PREFIX (e.g.
# bench/results/2026-12-07-forecast); needs a Release build (dotnet build -c Release).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$1
series=${ILGPU_LSTM_TIMESERIES:-$(cd .. && pwd)/shared/timeseries}
cli=(dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
  local name=$1; shift
  local start=$(date +%s.%N)
  "${cli[@]}" timeseries --accelerator cpu --checkpoint-dir "$work/$name" --json "$@" > "$work/$name.json"
  local end=$(date +%s.%N)
  cp "$work/$name/forecast.png" "$prefix-$name-forecast.png"
  cp "$work/$name/loss.png" "$prefix-$name-loss.png"
  python3 - "$work/$name.json" "$name" "$(echo "$end - $start" | bc)" "$*" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = lambda v: "n/a" if v is None else f"{v:.3f}"
print(f"| {sys.argv[2]} | {r['origins']} x {r['horizon']} | **{f(r['test_mae'])}** | {f(r['persistence_mae'])} | {f(r['seasonal_naive_mae'])} | "
      f"{f(r['test_rmse'])} | {f(r['persistence_rmse'])} | {f(r['seasonal_naive_rmse'])} | {r['best_epoch']} / {r['epochs']} | {float(sys.argv[3]):.0f} s |")
print(f"<!-- {sys.argv[2]}: timeseries {sys.argv[4]} -->")
PY
}
echo "| series | origins x steps | model MAE | persistence MAE | seasonal naive MAE | model RMSE | persistence RMSE | seasonal naive RMSE | best epoch / epochs | wall |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
run co2 --csv "$series/co2-concentration.csv" --target CO2 --horizon 12 --season 12 --no-level --test-frac 0.081 --val-frac 0.1 --window 24
run seattle --csv "$series/seattle-weather.csv" --target temp_max --inputs precipitation,temp_min,wind --horizon 7 --season 365 --window 28
