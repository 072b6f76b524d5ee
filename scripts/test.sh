#!/usr/bin/env bash
# The README's test command: installs dependencies, builds everything and runs the tests.
# Set STORYSCOPE_SKIP_SLOW=1 to leave out the full-size parity cases (label "slow").
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh -DBUILD_TESTING=ON
# Debian's LibTorch starts with one thread; PASSIVE keeps OpenMP from spinning against other processes.
export OMP_WAIT_POLICY=PASSIVE
export STORYSCOPE_THREADS=${STORYSCOPE_THREADS:-$(nproc)}
CTEST_ARGS=(--test-dir build --output-on-failure --timeout 1800)
if [ "${STORYSCOPE_SKIP_SLOW:-0}" = "1" ]; then
  CTEST_ARGS+=(-LE slow)
fi
# One test at a time: the full-size models need most of the machine's memory.
ctest "${CTEST_ARGS[@]}"
