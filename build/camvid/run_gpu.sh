#!/usr/bin/env bash
# The GPU variant of the CamVid recipe (README.md; not yet run): the same network, loss, optimizer, augmentation and
# epoch orders as run.sh, but on whole 360x480 images (--crop 360x480 after the 0.75..1.25 scale jitter, so smaller
# scales are padded with the ignore id) and a fixed, longer schedule (EPOCHS, default 300, with validation every 10).
# mlseg first, then the PyTorch twin on the same GPU, then compare.py. For a lent GPU machine, set up as for
# build/gpu/bench.sh: the bundle from build/gpu/publish.sh carried in artifacts/gpu, a TorchSharp 0.107 checkout in
# TORCHSHARP_SRC, and a CUDA PyTorch; CamVid must be on that machine (MLSEG_DATASETS; it is not in the repository).
#   MLSEG_DATASETS=DIR TORCHSHARP_SRC=DIR [PYTHON=python3 EPOCHS=300 BATCH=8 DIVISOR=4 PRECISION=fp32 OUT=...] build/camvid/run_gpu.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
out=${OUT:-artifacts/camvid-gpu}
epochs=${EPOCHS:-300}; batch=${BATCH:-8}; divisor=${DIVISOR:-4}; precision=${PRECISION:-fp32}
data="${MLSEG_DATASETS:?set MLSEG_DATASETS to the folder holding camvid/}/camvid"
[[ -d "$data/train" && -d "$data/valannot" ]] || { echo "run_gpu.sh: CamVid not found at $data" >&2; exit 1; }
[[ -x artifacts/gpu/mlseg/mlseg ]] || { echo "run_gpu.sh: artifacts/gpu/mlseg/mlseg missing: run build/gpu/publish.sh and carry artifacts/gpu" >&2; exit 1; }
[[ -n "${TORCHSHARP_SRC:-}" ]] || { echo "run_gpu.sh: set TORCHSHARP_SRC to a carried TorchSharp checkout" >&2; exit 1; }
mkdir -p "$out"
"$python" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))" | tee "$out/peer.txt"

# TorchSharp's native library against this machine's CUDA libtorch, as build/gpu/bench.sh does.
bundle=artifacts/gpu/run
rm -rf "$bundle"; mkdir -p "$bundle"
bash build/gpu/build-torchsharp-native.sh "$TORCHSHARP_SRC" "$bundle" > "$out/native.txt"
cp artifacts/gpu/mlseg/mlseg "$bundle/"
torch_lib=$("$python" -c "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
mlseg="$bundle/mlseg"
"$mlseg" info | tee "$out/info.txt"
grep -q "CUDA available:    yes" "$out/info.txt" || { echo "run_gpu.sh: TorchSharp does not see CUDA through $torch_lib" >&2; exit 1; }

here=build/camvid
"$python" "$here/make_orders.py" --count "$(ls "$data/train" | grep -c '\.png$')" --epochs "$epochs" --seed 1 --out "$out/orders.txt"
rm -rf "$out/mlseg" "$out/pytorch"
"$mlseg" train --layout camvid --data "$data" --arch unet --width-divisor "$divisor" --crop 360x480 --batch "$batch" --augment full \
  --normalize imagenet --loss ce --class-weights --class-weight-power 0.5 --optimizer adamw --lr 1e-3 --weight-decay 1e-4 --schedule cosine --warmup 45 \
  --epochs "$epochs" --validate-every 10 --keep last --order "$out/orders.txt" --seed 1 --device cuda --precision "$precision" \
  --out "$out/mlseg" | tee "$out/mlseg.log"
"$python" "$here/compare.py" --table "$out/mlseg/metrics.json" --title "MLNet.Segmentation (GPU)" > "$out/mlseg/table.md"
"$python" "$here/pytorch_camvid.py" --data "$data" --orders "$out/orders.txt" --arch unet --width-divisor "$divisor" --crop 360x480 \
  --batch "$batch" --lr 1e-3 --weight-decay 1e-4 --class-weight-power 0.5 --warmup 45 --epochs "$epochs" --validate-every 10 --seed 1 --device cuda \
  --out "$out/pytorch" | tee "$out/pytorch.log"
"$python" "$here/compare.py" --mlseg "$out/mlseg" --pytorch "$out/pytorch" | tee "$out/comparison.md"
