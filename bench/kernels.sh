#!/usr/bin/env bash
# Kernel benchmarks (see bench/README.md); extra flags go to `ilgpu-lstm bench kernels`.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Cli -c Release -v quiet -nologo >/dev/null
dotnet Cli/bin/Release/net10.0/ilgpu-lstm.dll bench kernels "$@"
