#!/usr/bin/env bash
# The main job: setup, then the mlseg demo (arguments are passed on, e.g. --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
dotnet run --project src/MLNet.Segmentation.Samples -c Release -- demo "$@"
