#!/usr/bin/env bash
# Installs the system packages ttb-verifier builds and tests with (Debian 12 / Ubuntu 22.04+).
# Rust itself (1.95 or newer, through rustup) must already be installed.
set -euo pipefail

packages=(
  pkg-config libclang-dev              # bindgen, for the Tesseract and Leptonica bindings
  libtesseract-dev libleptonica-dev    # the OCR libraries
  tesseract-ocr tesseract-ocr-eng      # English model; the command is used by the benchmark
  libgl1-mesa-dri libegl1 libgl1 libxkbcommon-x11-0 mesa-vulkan-drivers libvulkan1  # the window
  xvfb xauth xdotool imagemagick       # screenshots of the real window under a virtual display
  fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf fonts-urw-base35  # sample generator
  hyperfine                            # the speed benchmark
  curl jq                              # the runbook's commands, run as written by its test
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: Rust is not installed; install it with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi
