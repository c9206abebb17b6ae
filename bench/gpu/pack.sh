#!/usr/bin/env bash
# Packs a self-contained ilgpu-lstm (the GPU machines have no .NET SDK) into .gpu/app.txz for the
# device tool: carry ".gpu" and run bench/gpu/on-device.sh there. Keep /.gpu/ in .git/info/exclude.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .gpu
dotnet publish Cli -c Release -r linux-x64 --self-contained -o .gpu/app -v quiet -nologo
tar cJf .gpu/app.txz -C .gpu app
rm -rf .gpu/app
ls -lh .gpu/app.txz
