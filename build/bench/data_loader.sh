#!/usr/bin/env bash
# Data-loading benchmark: decode + augment + batch on CamVid train at 360x480, MLNet.Segmentation's
# DataLoader (`mlseg bench-data`) against an equivalent PyTorch DataLoader, same batch size and workers.
# Usage: build/bench/data_loader.sh [DATA_DIR] [WORKERS] [EPOCHS]   (default ../shared/datasets/camvid, 2, 3)
# Prints images/s of the last epoch of each and the ratio (ours / PyTorch; > 1 means ours is faster).
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${1:-../shared/datasets/camvid}"
workers="${2:-2}"
epochs="${3:-3}"
python="${PYTHON:-/usr/bin/python3}"
[[ -d "$data/train" ]] || { echo "CamVid not found at $data" >&2; exit 1; }

dotnet build src/MLNet.Segmentation.Samples -c Release -v quiet -nologo >/dev/null
ours=$(dotnet src/MLNet.Segmentation.Samples/bin/Release/net10.0/mlseg.dll bench-data --data "$data" --workers "$workers" --epochs "$epochs" | tee /dev/stderr | tail -n 1)
theirs=$("$python" build/bench/data_loader.py --data "$data" --workers "$workers" --epochs "$epochs" | tee /dev/stderr | tail -n 1)

rate() { sed -n 's/.*= \([0-9.]*\) images\/s.*/\1/p' <<<"$1"; }
ours_rate=$(rate "$ours"); theirs_rate=$(rate "$theirs")
echo "MLNet.Segmentation: ${ours_rate} images/s"
echo "PyTorch DataLoader: ${theirs_rate} images/s"
awk -v a="$ours_rate" -v b="$theirs_rate" 'BEGIN { printf "ratio (ours / PyTorch): %.2f\n", a / b }'
