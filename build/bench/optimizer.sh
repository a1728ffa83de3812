#!/usr/bin/env bash
# One optimizer step alone over the bench networks' parameters: `mlseg bench-optimizer` (ours: TorchSharp's torch.optim,
# one parameter at a time) against PyTorch's torch.optim (build/bench/optimizer.py: its default, foreach=True and
# foreach=False) on the same parameter shapes, in one run. Prints the JSON lines and the ratios ours / PyTorch's default.
#   ARCHS=unet,segnet,fcn8s,deeplabv3plus  OPTIMIZER=adam  REPEATS=15  DEVICE=cpu  WIDTH_DIVISOR=1 (ours only)
# Needs a built mlseg (dotnet build -c Release) and a Python with torch (PYTHON, default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-/usr/bin/python3}
archs=${ARCHS:-unet,segnet,fcn8s,deeplabv3plus}
args=(--arch "$archs" --optimizer "${OPTIMIZER:-adam}" --repeats "${REPEATS:-15}" --device "${DEVICE:-cpu}")
dotnet build src/MLNet.Segmentation.Samples -c Release -v quiet -nologo >/dev/null
mlseg=(dotnet "src/MLNet.Segmentation.Samples/bin/Release/net10.0/mlseg.dll")
lines=$(
  "${mlseg[@]}" bench-optimizer "${args[@]}"
  (cd build/bench && "$python" optimizer.py "${args[@]}")
)
echo "$lines"
echo "$lines" | "$python" -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin if line.strip()]
peer = {r["arch"]: r["step_ms"] for r in rows if r["framework"].startswith("pytorch") and r["foreach"] == "default"}
for r in rows:
    if r["framework"] == "MLNet.Segmentation":
        arch, ms = r["arch"], r["step_ms"]
        print("%s: ours %.1f ms / PyTorch default %.1f ms = %.2f" % (arch, ms, peer[arch], ms / peer[arch]))
'
