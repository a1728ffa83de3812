#!/usr/bin/env bash
# The membrane comparison of README.md: U-Net trained with the same recipe by `mlseg train` and by PyTorch
# (unet_membrane.py), one after the other on this machine. Usage: build/membrane/run.sh [EPOCHS] [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS="${1:-40}"
OUT="${2:-artifacts/membrane}"
DATA="${MLSEG_DATASETS:-$(cd .. && pwd)/shared/datasets}/membrane"
mkdir -p "$OUT"
dotnet build src/MLNet.Segmentation.Samples -c Release -v q -nologo >/dev/null
MLSEG=src/MLNet.Segmentation.Samples/bin/Release/net10.0/mlseg
/usr/bin/time -v "$MLSEG" train --layout membrane --data "$DATA" --arch unet --width-divisor 4 --crop 256 --batch 4 \
  --augment flip --loss ce+dice --optimizer adam --lr 1e-3 --schedule cosine --normalize none --epochs "$EPOCHS" --seed 1 \
  --out "$OUT/mlseg" 2>"$OUT/mlseg.time" | tee "$OUT/mlseg.log"
"$MLSEG" evaluate --model "$OUT/mlseg/model.mlseg.zip" --layout membrane --data "$DATA" --json > "$OUT/mlseg.json"
/usr/bin/time -v /usr/bin/python3 build/membrane/unet_membrane.py --data "$DATA" --epochs "$EPOCHS" --seed 1 \
  2>"$OUT/pytorch.time" | tee "$OUT/pytorch.log"
grep -h "Elapsed (wall\|Maximum resident" "$OUT/mlseg.time" "$OUT/pytorch.time"
