#!/usr/bin/env bash
# On a GPU machine with a CUDA PyTorch, cmake and a C++ compiler (no dotnet): builds the bridge against that PyTorch's
# libtorch, puts it beside the bundle from build/gpu/publish.sh, and runs `mlseg bench` there against PyTorch eager
# (both sides: AMP + channels-last) at the issue's shapes, then a CUDA memory soak. Results (JSON lines and tables) go
# to ${OUT:-artifacts/gpu/results}.
#   PYTHON=python3  the Python whose torch is the peer and whose libtorch the bridge links
#   ARCHS=unet,deeplabv3plus  BATCH=16  SIZE=512  PRECISION=bf16  REPEATS=20  WARMUP=5  SOAK_STEPS=2000
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
out=${OUT:-artifacts/gpu/results}
mkdir -p "$out"
archs=${ARCHS:-unet,deeplabv3plus}; batch=${BATCH:-16}; size=${SIZE:-512}; precision=${PRECISION:-bf16}
repeats=${REPEATS:-20}; warmup=${WARMUP:-5}; soak=${SOAK_STEPS:-2000}

[[ -x artifacts/gpu/mlseg/mlseg ]] || { echo "gpu bench: artifacts/gpu/mlseg/mlseg missing: run build/gpu/publish.sh and carry artifacts/gpu" >&2; exit 1; }
prefix=$("$python" -c "import torch; print(torch.utils.cmake_prefix_path)")
"$python" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))" | tee "$out/peer.txt"

# The bridge, against this PyTorch's libtorch (MLSEG_WITH_CUDA comes from its TorchConfig). A CUDA wheel's CMake config
# looks for a CUDA toolkit (nvcc) and stops without one; point it at the one on PATH or under CUDA_HOME.
nvcc=$(command -v nvcc || true)
[[ -n "$nvcc" ]] || nvcc="${CUDA_HOME:-/usr/local/cuda}/bin/nvcc"
[[ -x "$nvcc" ]] || { echo "gpu bench: no nvcc on PATH or under \${CUDA_HOME:-/usr/local/cuda}/bin: the CUDA libtorch's CMake config needs a CUDA toolkit" >&2; exit 1; }
cuda_root=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
"$nvcc" --version | tail -1 | tee "$out/nvcc.txt"
build=artifacts/gpu/native
cmake -S src/MLNet.Segmentation.Native -B "$build" -DCMAKE_BUILD_TYPE=Release -DLIBTORCH_DIR="$prefix" \
  -DCUDAToolkit_ROOT="$cuda_root" -DCUDA_TOOLKIT_ROOT_DIR="$cuda_root" -DCMAKE_CUDA_COMPILER="$nvcc" > "$out/cmake.log" 2>&1 \
  || { tail -30 "$out/cmake.log" >&2; exit 1; }
cmake --build "$build" --parallel "$(nproc)" >> "$out/cmake.log" 2>&1 || { tail -30 "$out/cmake.log" >&2; exit 1; }
bundle=artifacts/gpu/run
rm -rf "$bundle"; mkdir -p "$bundle"
cp artifacts/gpu/mlseg/mlseg "$build/libmlseg_native.so" "$bundle/"
mlseg="$bundle/mlseg"

"$mlseg" info | tee "$out/info.txt"
grep -q "CUDA in bridge:    yes" "$out/info.txt" || { echo "gpu bench: the bridge was built without CUDA" >&2; exit 1; }

common=(--arch "$archs" --batch "$batch" --size "$size" --device cuda --precision "$precision" --channels-last
        --warmup "$warmup" --repeats "$repeats" --python "$python")
"$mlseg" bench "${common[@]}" --json | tee "$out/bench_eager.jsonl"
"$mlseg" bench "${common[@]}" --cuda-graphs --phases infer --json | tee "$out/bench_graphs.jsonl"
"$mlseg" bench "${common[@]}" --cuda-graphs --cudnn-benchmark --json | tee "$out/bench_graphs_cudnn_benchmark.jsonl"
# The Adam step alone: ours (multi-tensor on CUDA by default, and one parameter at a time) against torch.optim.Adam.
for f in auto off; do "$mlseg" bench-optimizer --arch "$archs" --device cuda --foreach "$f" --repeats 50; done | tee "$out/optimizer.jsonl"
(cd build/bench && "$python" optimizer.py --arch "$archs" --device cuda --repeats 50) | tee -a "$out/optimizer.jsonl"
"$mlseg" bench-memory --arch "$archs" --device cuda --steps "$soak" --warmup 200 --every 100 --batch 4 --size 256 --json \
  | tee "$out/bench_memory.jsonl"
