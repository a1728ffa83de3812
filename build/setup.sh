#!/usr/bin/env bash
# Checks what a fresh Debian 12 machine needs to build and test MLNet.Segmentation, and says what it found or did.
# The build needs only the .NET 10 SDK: TorchSharp, libtorch (CPU) and SkiaSharp come from NuGet, and the build gives
# TorchSharp's native library a copy that loads on Debian 12's libstdc++ (README: "TorchSharp on Debian 12").
#   --peers   also install the benchmark peers and fixture generators (Debian's python3-torch, python3-torchvision,
#             python3-sklearn, python3-scipy); needs root or sudo.
# Idempotent: a second run installs nothing.
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (https://dot.net); it is not installed" >&2
  exit 1
fi
echo "setup: dotnet $(dotnet --version)"

if [[ "${1:-}" == "--peers" ]]; then
  packages=(python3-torch python3-torchvision python3-sklearn python3-scipy)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "setup: installed ${missing[*]}"
  else
    echo "setup: peers present (${packages[*]})"
  fi
fi
