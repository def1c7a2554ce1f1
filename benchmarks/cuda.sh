#!/usr/bin/env bash
# The GPU benchmark: the learned step at 1M/10M parameters and one quick-preset outer step on CUDA, as ratios measured
# in one run. Usage: benchmarks/cuda.sh [cuda|cuda:N] [cuda-linux|cuda-windows]. On a machine without CUDA it builds the
# default CPU backend, says so and exits 0 (the CUDA packages are not on every package feed).
set -euo pipefail
cd "$(dirname "$0")/LearnedOpt.Benchmarks"
device="${1:-cuda}"
backend="${2:-cuda-linux}"
if ! command -v nvidia-smi >/dev/null 2>&1; then backend=cpu; fi
dotnet run -c Release -p:TorchBackend="$backend" -- cuda "$device"
