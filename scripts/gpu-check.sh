#!/usr/bin/env bash
# One prepared check of a machine's GPU under Node/Dawn (no browser): prints ONE JSON on stdout
# (progress on stderr): adapter, kernel GFLOP/s against the GPU's fp32 peak, ms per image per
# schedule with the shipped model, ms per decode step of a 24-layer MaskGIT-base-shaped model.
#   scripts/gpu-check.sh [--json out.json]
# Picks the host's Vulkan GPU when one is registered (an NVIDIA driver's nvidia_icd.json), else
# SwiftShader (then with fewer layers; the JSON says so). Needs `npm install` (the webgpu package)
# and the Vulkan loader (libvulkan1, or Debian's chromium package, which ships one).
# Env: MGNT_NODE_GPU=system|swiftshader (force), MGNT_GPU_CHECK_LAYERS=N, MGNT_GPU_PEAK_TFLOPS=x,
#      MGNT_GPU_CHECK_QUICK=1 (short form, what the test runs), MGNT_GPU_CHECK_TIMEOUT (s, 290).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/webgpu ]; then
  echo "gpu-check: node_modules/webgpu is missing: run npm install first" >&2
  exit 1
fi
export MGNT_NODE_GPU_DEFAULT=auto
exec timeout "${MGNT_GPU_CHECK_TIMEOUT:-290}" node_modules/.bin/tsx node/run.ts node/gpu-check.ts "$@"
