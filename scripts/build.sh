#!/usr/bin/env bash
# Configures and builds StoryScope into build/ (Release). Extra arguments go to CMake;
# TARGET=name builds only that target.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
if [ -n "${TARGET:-}" ]; then
  cmake --build build -j"$JOBS" --target "$TARGET"
else
  cmake --build build -j"$JOBS"
fi
