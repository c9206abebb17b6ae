#!/usr/bin/env bash
# Registers, shared memory, occupancy and the SASS instruction mix per kernel for sm_80 and sm_90, from NVIDIA's
# ptxas and cuobjdump (fetched into a cache), then the model of the lesson's step on an H100 and an A100.
# Extra arguments go to bench kernels --ptx (--out DIR keeps each kernel's PTX, cubin and SASS).
set -euo pipefail
cd "$(dirname "$0")/.."
ILGPU_LSTM_PTXAS="${ILGPU_LSTM_PTXAS:-$(.ci/fetch-ptxas)}"
export ILGPU_LSTM_PTXAS
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll bench kernels --ptx "$@"
