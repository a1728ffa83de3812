#!/usr/bin/env bash
# Makes the bundle a GPU machine without dotnet runs: a self-contained, single-file, compressed `mlseg` for linux-x64 in
# artifacts/gpu/mlseg/, WITHOUT libtorch and without TorchSharp's native library: on the GPU machine
# build/gpu/build-torchsharp-native.sh builds libLibTorchSharp.so from TorchSharp's public source against that machine's
# CUDA PyTorch, whose libtorch the bundle then uses. Invariant globalization: the GPU machine may lack libicu.
# Carry artifacts/gpu to the machine with the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash build/setup.sh >/dev/null
rm -rf artifacts/gpu/mlseg
dotnet publish src/MLNet.Segmentation.Samples -c Release -r linux-x64 --self-contained -p:MLSegExcludeLibTorchNatives=true \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:InvariantGlobalization=true -o artifacts/gpu/mlseg >/dev/null
rm -f artifacts/gpu/mlseg/*.pdb artifacts/gpu/mlseg/*.xml
if ls artifacts/gpu/mlseg | grep -Eq '^lib(torch|c10|LibTorchSharp)'; then
  echo "gpu bundle: libtorch files were not left out" >&2; exit 1
fi
echo "gpu bundle: $(du -sh artifacts/gpu/mlseg | cut -f1) in artifacts/gpu/mlseg"
