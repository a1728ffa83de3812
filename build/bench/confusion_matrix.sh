#!/usr/bin/env bash
# Confusion-matrix accumulation throughput: `mlseg bench-metrics` (ours) against a torch.bincount formulation in
# PyTorch on the same machine, for K = 12 and 150 with uint8 masks. Prints pixels/s of each and the ratios ours/torch
# (torch-mask: the usual boolean-mask formulation; torch-extra-bin: ignored pixels sent to a dropped extra bin).
# Needs a built mlseg (dotnet build -c Release) and a Python with torch (PYTHON, default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-/usr/bin/python3}
args=(--images "${IMAGES:-16}" --size "${SIZE:-512}" --repeat "${REPEAT:-10}")
dotnet build src/MLNet.Segmentation.Samples -c Release -v quiet -nologo >/dev/null
mlseg=(dotnet "src/MLNet.Segmentation.Samples/bin/Release/net10.0/mlseg.dll")

rate() { sed -n 's/.*pixels_per_s=\([0-9]*\).*/\1/p'; }
for k in 12 150; do
  ours=$("${mlseg[@]}" bench-metrics --classes "$k" "${args[@]}")
  echo "$ours"
  a=$(echo "$ours" | rate)
  for variant in mask extra-bin; do
    theirs=$("$python" build/bench/confusion_matrix.py --classes "$k" --variant "$variant" "${args[@]}")
    echo "$theirs"
    b=$(echo "$theirs" | rate)
    awk -v k="$k" -v v="$variant" -v a="$a" -v b="$b" 'BEGIN { printf "K=%s ratio mlnet / torch-%s = %.2f\n", k, v, a / b }'
  done
done
