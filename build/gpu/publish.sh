#!/usr/bin/env bash
# Makes the bundle a GPU machine without dotnet runs: a self-contained, single-file, compressed `mlseg` for linux-x64
# (about 40 MB) in artifacts/gpu/mlseg/. The bridge is built on the GPU machine against its PyTorch's CUDA libtorch by
# build/gpu/bench.sh, so the CPU bridge is left out. Invariant globalization: the GPU machine may lack libicu.
# Carry artifacts/gpu to the machine with the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash build/setup.sh >/dev/null
dotnet build src/MLNet.Segmentation.Samples -c Release >/dev/null  # builds the native bridge the publish expects beside it
rm -rf artifacts/gpu/mlseg
dotnet publish src/MLNet.Segmentation.Samples -c Release -r linux-x64 --self-contained -p:SkipNativeBuild=true \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:InvariantGlobalization=true -o artifacts/gpu/mlseg >/dev/null
rm -f artifacts/gpu/mlseg/libmlseg_native.so artifacts/gpu/mlseg/*.pdb artifacts/gpu/mlseg/*.xml
echo "gpu bundle: $(du -sh artifacts/gpu/mlseg | cut -f1) in artifacts/gpu/mlseg"
