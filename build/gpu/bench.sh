#!/usr/bin/env bash
# On a GPU machine with a CUDA PyTorch (no dotnet): builds TorchSharp's native library against that PyTorch
# (build-torchsharp-native.sh), puts it beside the bundle from build/gpu/publish.sh, points the loader at PyTorch's
# libtorch, checks that `mlseg info` sees CUDA, then runs `mlseg bench` against PyTorch eager (both with AMP +
# channels-last where the side supports it) at the issue's shapes and a CUDA memory soak. Results go to
# ${OUT:-artifacts/gpu/results}.
#   TORCHSHARP_SRC=path   a checkout of dotnet/TorchSharp 0.107 (carried with the run, never committed)
#   PYTHON=python3  ARCHS=unet,deeplabv3plus  BATCH=16  SIZE=512  PRECISION=bf16  REPEATS=20  WARMUP=5  SOAK_STEPS=2000
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
out=${OUT:-artifacts/gpu/results}
mkdir -p "$out"
archs=${ARCHS:-unet,deeplabv3plus}; batch=${BATCH:-16}; size=${SIZE:-512}; precision=${PRECISION:-bf16}
repeats=${REPEATS:-20}; warmup=${WARMUP:-5}; soak=${SOAK_STEPS:-2000}
[[ -x artifacts/gpu/mlseg/mlseg ]] || { echo "gpu bench: artifacts/gpu/mlseg/mlseg missing: run build/gpu/publish.sh and carry artifacts/gpu" >&2; exit 1; }
[[ -n "${TORCHSHARP_SRC:-}" ]] || { echo "gpu bench: set TORCHSHARP_SRC to a carried TorchSharp checkout" >&2; exit 1; }
"$python" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))" | tee "$out/peer.txt"

bundle=artifacts/gpu/run
rm -rf "$bundle"; mkdir -p "$bundle"
bash build/gpu/build-torchsharp-native.sh "$TORCHSHARP_SRC" "$bundle" | tee "$out/native.txt"
cp artifacts/gpu/mlseg/mlseg "$bundle/"
torch_lib=$("$python" -c "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
mlseg="$bundle/mlseg"

"$mlseg" info | tee "$out/info.txt"
grep -q "CUDA available:    yes" "$out/info.txt" || { echo "gpu bench: TorchSharp does not see CUDA through $torch_lib" >&2; exit 1; }

common=(--arch "$archs" --batch "$batch" --size "$size" --device cuda --precision "$precision" --warmup "$warmup" --repeats "$repeats" --python "$python")
"$mlseg" bench "${common[@]}" --json | tee "$out/bench.jsonl"
"$mlseg" bench-memory --arch "$archs" --device cuda --steps "$soak" --warmup 200 --every 100 --batch 4 --size 256 --json \
  | tee "$out/bench_memory.jsonl"
