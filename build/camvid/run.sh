#!/usr/bin/env bash
# The CamVid comparison of build/camvid/README.md: U-Net (base width 16) trained from scratch on CamVid's 367 training
# images within a wall-time budget on this CPU, by `mlseg train` and/or by its PyTorch twin (pytorch_camvid.py), one
# after the other, on the same epoch orders; each is evaluated on the 101 validation images at full 360x480.
#   build/camvid/run.sh [--minutes N | --epochs E] [--out DIR] [--peer mlseg|pytorch|both] [--threads T]
#     --minutes  training budget of each side, in minutes [75]: the schedule is sized to the epochs that fit
#                (TimeBudgetPlan); the evaluation and report after it (about half a minute) come on top
#     --epochs   instead of a budget, exactly E epochs on both sides (the schedule over E epochs): the same recipe step
#                for step whatever each side's speed
#     --out      results folder [artifacts/camvid]: orders.txt, mlseg/ (model.mlseg.zip, report.html, metrics.json,
#                table.md), pytorch/ (model.safetensors, metrics.json, table.md), *.log, *.time, comparison.md
#     --peer     which side(s) to run [mlseg]; both runs mlseg first, then PyTorch, then compare.py
# Data: ${MLSEG_DATASETS:-../shared/datasets}/camvid. PyTorch: /usr/bin/python3 (build/setup.sh --peers).
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=75 EPOCHS= OUT=artifacts/camvid PEER=mlseg THREADS=$(nproc)
while (($#)); do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --peer) PEER="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    *) echo "run.sh: unknown option '$1' (--minutes N | --epochs E, --out DIR, --peer mlseg|pytorch|both, --threads T)" >&2; exit 2 ;;
  esac
done
case "$PEER" in mlseg|pytorch|both) ;; *) echo "run.sh: --peer must be mlseg, pytorch or both, not '$PEER'" >&2; exit 2 ;; esac
DATA="${MLSEG_DATASETS:-$(cd .. && pwd)/shared/datasets}/camvid"
[[ -d "$DATA/train" && -d "$DATA/valannot" ]] || { echo "run.sh: CamVid not found at $DATA (set MLSEG_DATASETS)" >&2; exit 1; }
PY=/usr/bin/python3
HERE=build/camvid

# The recipe (README.md): one place for both sides.
SEED=1 ARCH=unet DIVISOR=4 CROP=256 BATCH=8 LR=1e-3 WD=1e-4 WEIGHT_POWER=0.5 WARMUP=45 VALIDATE_EVERY=5 MAX_EPOCHS=1000
if [[ -n "$EPOCHS" ]]; then LENGTH=(--epochs "$EPOCHS"); MAX_EPOCHS="$EPOCHS"; else LENGTH=(--minutes "$MINUTES" --epochs "$MAX_EPOCHS"); fi

mkdir -p "$OUT"
"$PY" "$HERE/make_orders.py" --count "$(ls "$DATA/train" | grep -c '\.png$')" --epochs "$MAX_EPOCHS" --seed "$SEED" --out "$OUT/orders.txt"

if [[ "$PEER" != pytorch ]]; then
  dotnet build src/MLNet.Segmentation.Samples -c Release -v q -nologo >/dev/null
  MLSEG=src/MLNet.Segmentation.Samples/bin/Release/net10.0/mlseg
  rm -rf "$OUT/mlseg"
  MLSEG_NUM_THREADS="$THREADS" /usr/bin/time -v "$MLSEG" train --layout camvid --data "$DATA" --arch "$ARCH" --width-divisor "$DIVISOR" \
    --crop "$CROP" --batch "$BATCH" --workers 0 --augment full --normalize imagenet --loss ce --class-weights --class-weight-power "$WEIGHT_POWER" --optimizer adamw --lr "$LR" \
    --weight-decay "$WD" --schedule cosine --warmup "$WARMUP" "${LENGTH[@]}" \
    --validate-every "$VALIDATE_EVERY" --keep last --order "$OUT/orders.txt" --seed "$SEED" --out "$OUT/mlseg" \
    2>"$OUT/mlseg.time" | tee "$OUT/mlseg.log"
  "$PY" "$HERE/compare.py" --table "$OUT/mlseg/metrics.json" --title "MLNet.Segmentation" > "$OUT/mlseg/table.md"
fi

if [[ "$PEER" != mlseg ]]; then
  rm -rf "$OUT/pytorch"
  /usr/bin/time -v "$PY" "$HERE/pytorch_camvid.py" --data "$DATA" --orders "$OUT/orders.txt" --arch "$ARCH" --width-divisor "$DIVISOR" \
    --crop "$CROP" --batch "$BATCH" --lr "$LR" --weight-decay "$WD" --class-weight-power "$WEIGHT_POWER" --warmup "$WARMUP" "${LENGTH[@]}" \
    --validate-every "$VALIDATE_EVERY" --seed "$SEED" --threads "$THREADS" --out "$OUT/pytorch" \
    2>"$OUT/pytorch.time" | tee "$OUT/pytorch.log"
fi

args=()
[[ -f "$OUT/mlseg/metrics.json" ]] && args+=(--mlseg "$OUT/mlseg")
[[ -f "$OUT/pytorch/metrics.json" ]] && args+=(--pytorch "$OUT/pytorch")
"$PY" "$HERE/compare.py" "${args[@]}" | tee "$OUT/comparison.md"
grep -h "Elapsed (wall\|Maximum resident" "$OUT"/*.time
