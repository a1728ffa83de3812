#!/usr/bin/env bash
# Data-loading benchmark: decode + augment + batch on CamVid train at 360x480, MLNet.Segmentation's
# DataLoader (`mlseg bench-data`) against an equivalent PyTorch DataLoader (build/bench/data_loader.py):
# PNG decode, joint random crop + horizontal flip, ImageNet normalization, batches of 8, same worker count.
# Usage: build/bench/data_loader.sh [DATA_DIR] [WORKERS] [EPOCHS] [ROUNDS]
#        (defaults: ../shared/datasets/camvid, 2, 3, 2)
# Runs the two alternately ROUNDS times; the first epoch of each run is a warm-up. Prints the best steady
# epoch of each (robust to other load on the machine), CPU seconds per run, and the ratio ours / PyTorch
# (> 1 means ours is faster).
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${1:-../shared/datasets/camvid}"
workers="${2:-2}"
epochs="${3:-3}"
rounds="${4:-2}"
python="${PYTHON:-/usr/bin/python3}"
[[ -d "$data/train" ]] || { echo "CamVid not found at $data" >&2; exit 1; }
(( epochs >= 2 )) || { echo "EPOCHS must be at least 2 (the first is a warm-up)" >&2; exit 1; }

dotnet build src/MLNet.Segmentation.Samples -c Release -v quiet -nologo >/dev/null
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
for round in $(seq 1 "$rounds"); do
  /usr/bin/time -f "cpu %U %S" -o "$log/ours-cpu-$round" \
    dotnet src/MLNet.Segmentation.Samples/bin/Release/net10.0/mlseg.dll bench-data --data "$data" --workers "$workers" --epochs "$epochs" \
    | tee "$log/ours-$round" >&2
  /usr/bin/time -f "cpu %U %S" -o "$log/torch-cpu-$round" \
    "$python" build/bench/data_loader.py --data "$data" --workers "$workers" --epochs "$epochs" \
    | tee "$log/torch-$round" >&2
done

best() { cat "$log"/$1-[0-9]* | grep '^epoch' | grep -v '^epoch 0:' | sed -n 's/.*= \([0-9.]*\) images\/s.*/\1/p' | sort -g | tail -n 1; }
cpu() { cat "$log"/$1-cpu-* | awk '/^cpu/ { total += $2 + $3; n++ } END { printf "%.1f", total / n }'; }
ours=$(best ours); theirs=$(best torch)
echo "MLNet.Segmentation DataLoader: ${ours} images/s (best steady epoch), $(cpu ours) CPU s per run"
echo "PyTorch DataLoader:            ${theirs} images/s (best steady epoch), $(cpu torch) CPU s per run"
awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio (ours / PyTorch): %.2f\n", a / b }'
