#!/usr/bin/env bash
# Compiles every bridge source with its CUDA parts on (MLSEG_WITH_CUDA=1) against the libtorch headers here
# (Debian's, which include ATen/cuda and c10/cuda) and the CUDA runtime headers of Debian's nvidia-cuda-dev (non-free;
# downloaded into a cache folder, not installed). A syntax and type check: nothing is linked, since Debian's libtorch
# has no libtorch_cuda. Prints "cuda bridge check: N files compiled".
#   MLSEG_CUDA_CHECK_REQUIRED=1  fail (instead of skipping) when the headers cannot be downloaded
#   MLSEG_CUDA_HEADERS=DIR       use CUDA headers already on disk (DIR holds cuda_runtime_api.h)
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${MLSEG_CUDA_CHECK_CACHE:-artifacts/cuda-check}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

skip_or_fail() {
  if [[ "${MLSEG_CUDA_CHECK_REQUIRED:-0}" == 1 ]]; then echo "cuda bridge check: $1" >&2; exit 1; fi
  echo "cuda bridge check: SKIPPED ($1)"
  exit 0
}

headers=${MLSEG_CUDA_HEADERS:-}
if [[ -z "$headers" ]]; then
  headers="$cache/root/usr/include"
  if [[ ! -f "$headers/cuda_runtime_api.h" ]]; then
    # A private apt state (sources, lists) so the machine's own apt configuration is left as it is.
    apt_dir="$cache/apt"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
    cat > "$apt_dir/sources.list" <<'SOURCES'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm non-free
SOURCES
    apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$apt_dir/lists"
                 -o "Dir::Cache::Archives=$apt_dir/archives" -o "APT::Sandbox::User=root")
    apt-get "${apt_options[@]}" update -qq >/dev/null 2>&1 || skip_or_fail "could not read Debian's non-free package list"
    (cd "$cache" && apt-get "${apt_options[@]}" download nvidia-cuda-dev >/dev/null 2>&1) || skip_or_fail "could not download nvidia-cuda-dev"
    mkdir -p "$cache/root"
    dpkg-deb --fsys-tarfile "$(ls "$cache"/nvidia-cuda-dev_*.deb | head -n 1)" | tar -x -C "$cache/root" ./usr/include
    rm -f "$cache"/nvidia-cuda-dev_*.deb
  fi
fi
[[ -f "$headers/cuda_runtime_api.h" ]] || skip_or_fail "no cuda_runtime_api.h under $headers"

# The one generated c10 CUDA header a CPU-only libtorch package lacks.
shim="$cache/shim"
mkdir -p "$shim/c10/cuda/impl"
printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$shim/c10/cuda/impl/cuda_cmake_macros.h"

native=src/MLNet.Segmentation.Native
count=0
for source in "$native"/src/*.cpp; do
  g++ -std=c++17 -fsyntax-only -Wall -Werror -DMLSEG_WITH_CUDA=1 -DMLSEG_WITH_IMAGE_CODECS=1 -I"$native/include" -I"$shim" \
    -I/usr/include/torch/csrc/api/include -I"$headers" "$source"
  count=$((count + 1))
done
echo "cuda bridge check: $count files compiled with MLSEG_WITH_CUDA=1 against libtorch $(awk '/define TORCH_VERSION_(MAJOR|MINOR) /{v = v (v ? "." : "") $3} END {print v}' /usr/include/torch/csrc/api/include/torch/version.h)'s headers"
