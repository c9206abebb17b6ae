#!/usr/bin/env bash
# Registers and shared memory per kernel for sm_80 and sm_90, from NVIDIA's ptxas (fetched into a cache).
set -euo pipefail
cd "$(dirname "$0")/.."
ILGPU_LSTM_PTXAS="${ILGPU_LSTM_PTXAS:-$(.ci/fetch-ptxas)}"
export ILGPU_LSTM_PTXAS
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll bench kernels --ptx "$@"
