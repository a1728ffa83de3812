#!/usr/bin/env bash
# On a GPU machine with a CUDA PyTorch, cmake, nvcc and a C++ compiler (no dotnet, no network): builds TorchSharp's
# native library (libLibTorchSharp.so) from TorchSharp's public source against that PyTorch's libtorch.
#   build/gpu/build-torchsharp-native.sh TORCHSHARP_SRC OUT_DIR
# TORCHSHARP_SRC is a checkout of dotnet/TorchSharp at the version the package uses (0.107.0), of which src/Native is
# read; it is fetched separately and carried with the run, never committed. The sources are copied to a temporary folder
# (their -Werror is dropped there: a newer libtorch's headers may warn); the original is not touched.
#   PYTHON=python3  the Python whose torch provides libtorch
set -euo pipefail
src=${1:?usage: build-torchsharp-native.sh TORCHSHARP_SRC OUT_DIR}
out=${2:?usage: build-torchsharp-native.sh TORCHSHARP_SRC OUT_DIR}
python=${PYTHON:-python3}
[[ -f "$src/src/Native/LibTorchSharp/CMakeLists.txt" ]] || { echo "build-torchsharp-native: $src/src/Native/LibTorchSharp not found" >&2; exit 1; }
prefix=$("$python" -c "import torch; print(torch.utils.cmake_prefix_path)")
nvcc=$(command -v nvcc || true)
[[ -n "$nvcc" ]] || nvcc="${CUDA_HOME:-/usr/local/cuda}/bin/nvcc"
[[ -x "$nvcc" ]] || { echo "build-torchsharp-native: no nvcc on PATH or under \${CUDA_HOME:-/usr/local/cuda}/bin" >&2; exit 1; }
cuda_root=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/src/Native" "$work/Native"
sed -i 's/add_definitions(-Werror)/# -Werror dropped for a newer libtorch/' "$work/Native/CMakeLists.txt"
mkdir -p "$work/build"
cmake -S "$work/Native" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -DLIBTORCH_PATH="$prefix" \
  -DCUDAToolkit_ROOT="$cuda_root" -DCUDA_TOOLKIT_ROOT_DIR="$cuda_root" -DCMAKE_CUDA_COMPILER="$nvcc" >"$work/cmake.log" 2>&1 \
  || { tail -40 "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/build" --parallel "$(nproc)" --target LibTorchSharp >>"$work/cmake.log" 2>&1 || { tail -40 "$work/cmake.log" >&2; exit 1; }
mkdir -p "$out"
find "$work/build" -name 'libLibTorchSharp.so' -exec cp {} "$out/" \;
[[ -f "$out/libLibTorchSharp.so" ]] || { echo "build-torchsharp-native: no libLibTorchSharp.so was built" >&2; exit 1; }
echo "build-torchsharp-native: $out/libLibTorchSharp.so against $("$python" -c "import torch; print(torch.__version__)")"
