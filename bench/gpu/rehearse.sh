#!/usr/bin/env bash
# Rehearses the device run here: packs the bundle, then runs bench/gpu/on-device.sh in a private
# mount namespace where the .NET SDK is hidden (as on the GPU machine) with the CPU's host path in
# place of CUDA, writing its files to the directory given (e.g. bench/results/DATE-gpu-rehearsal).
# Needs root (unshare -m).
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=$(realpath -m "$1")
mkdir -p "$dest"
bench/gpu/pack.sh
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
unshare -m bash -c "
  mount -t tmpfs none '$dotnet_root'
  if dotnet --version > /dev/null 2>&1; then echo 'the SDK is still visible' >&2; exit 3; fi
  echo 'the .NET SDK is hidden: dotnet --version fails here'
  OUT='$dest' bench/gpu/on-device.sh cpu
"
