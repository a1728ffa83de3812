#!/usr/bin/env bash
# Makes this project's fixtures with the TorchSharp side of the library (mlseg, built in Release):
#   model.mlseg.zip      a small U-Net (depth 3, base width 4) trained by `mlseg demo` on 64 x 64 synthetic shapes
#   unet-64.onnx         its `mlseg export` at a fixed 64 x 64 input
#   unet-dynamic.onnx    its `mlseg export --dynamic-size`
#   images/*.png         4 of the demo's generated validation images; masks/*.png their ground truth
#   torch-ids/*.png      the TorchSharp predictor's class ids for them (whole image)
#   torch-tiled-ids/*.png  the same with 32 x 32 tiles (overlap 0.5) and flip TTA
#   plain.onnx           an ONNX graph without MLNet.Segmentation's metadata (PyTorch's exporter, python3-torch)
# Usage: bash test/MLNet.Segmentation.Onnx.Tests/Fixtures/make-fixtures.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
mlseg=(dotnet "$root/src/MLNet.Segmentation.Samples/bin/Release/net10.0/mlseg.dll")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"${mlseg[@]}" demo --out "$work/demo" --size 64 --width 4 --epochs 12 --train 96 --val 4 --seed 11
cp "$work/demo/model.mlseg.zip" "$here/model.mlseg.zip"
"${mlseg[@]}" export --model "$here/model.mlseg.zip" --onnx "$here/unet-64.onnx" --size 64x64
"${mlseg[@]}" export --model "$here/model.mlseg.zip" --onnx "$here/unet-dynamic.onnx" --dynamic-size
rm -rf "$here/images" "$here/masks" "$here/torch-ids" "$here/torch-tiled-ids"
cp -r "$work/demo/data/images" "$here/images"
cp -r "$work/demo/data/masks" "$here/masks"
"${mlseg[@]}" predict --model "$here/model.mlseg.zip" --input "$here/images" --out "$work/whole"
"${mlseg[@]}" predict --model "$here/model.mlseg.zip" --input "$here/images" --out "$work/tiled" --tile 32 --overlap 0.5 --tta
cp -r "$work/whole/ids" "$here/torch-ids"
cp -r "$work/tiled/ids" "$here/torch-tiled-ids"

/usr/bin/python3 - "$here/plain.onnx" <<'PY'
import sys, torch
torch.manual_seed(0)
net = torch.nn.Conv2d(3, 2, 3, padding=1).eval()
torch.onnx.export(net, torch.zeros(1, 3, 8, 8), sys.argv[1], input_names=["image"], output_names=["logits"], opset_version=13)
PY
ls -l "$here"
