#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (the whole tree instrumented with ASan,
# UBSan and coverage) and runs each one for a while on a copy of its seed corpus.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, every target)
#
# Environment: JOBS (build parallelism, default 1), BUILD_DIR (default build-fuzz),
# NICE (niceness of the build and the runs, default 5), FUZZ_ARGS (extra libFuzzer flags).
# Per target it prints executions, exec/s, time and findings. Crash, leak, timeout and OOM
# inputs are copied to tests/fuzz/findings/<target>/, where the fuzz replay tests (label `fuzz`,
# normal build) keep them as regression inputs once the reader is fixed. New coverage inputs
# stay in the run's work folder (printed), to merge into the corpus by hand if wanted.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER_TARGET=${1:-60}
[ $# -gt 0 ] && shift
ALL_TARGETS=(tokenizer story config safetensors records ldm_keys png_metadata)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
BUILD=${BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${JOBS:-1}
NICE=${NICE:-5}

# -O1 keeps asserts on (no NDEBUG) and builds fast; -fno-pch-timestamp lets ccache reuse clang's
# precompiled LibTorch header.
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only" \
    -DCMAKE_CXX_FLAGS="$SAN -fsanitize=fuzzer-no-link -fno-omit-frame-pointer -Xclang -fno-pch-timestamp" \
    -DCMAKE_EXE_LINKER_FLAGS="$SAN" \
    -DSTORYSCOPE_FUZZ=ON -DSTORYSCOPE_GUI=OFF -DBUILD_TESTING=ON
fi
BUILD_TARGETS=()
for t in "${TARGETS[@]}"; do BUILD_TARGETS+=("fuzz_$t"); done
nice -n "$NICE" cmake --build "$BUILD" -j "$JOBS" --target "${BUILD_TARGETS[@]}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/storyscope-fuzz-run.XXXXXX")
SUMMARY=()
for t in "${TARGETS[@]}"; do
  mkdir -p "$WORK/$t/corpus" "$WORK/$t/artifacts"
  cp -r "$ROOT/tests/fuzz/corpus/$t/." "$WORK/$t/corpus/"
  echo "== fuzz_$t: ${SECONDS_PER_TARGET}s, log $WORK/$t/log"
  start=$(date +%s)
  # libFuzzer exits non-zero on a finding; the summary below reports it.
  (cd "$WORK/$t" && OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE nice -n "$NICE" \
    "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$WORK/$t/artifacts/" ${FUZZ_ARGS:-} corpus >log 2>&1) || true
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$t/log" | tail -1)
  findings=$(find "$WORK/$t/artifacts" -type f | wc -l)
  if [ "$findings" -gt 0 ]; then
    mkdir -p "$ROOT/tests/fuzz/findings/$t"
    cp "$WORK/$t/artifacts/"* "$ROOT/tests/fuzz/findings/$t/"
    grep -m1 -E "ERROR: |runtime error|fuzz invariant|uncaught exception|terminate called" "$WORK/$t/log" || true
  fi
  SUMMARY+=("$(printf '%-14s %12s %8s %6ss %9s' "$t" "${execs:-?}" "${rate:-?}" "$elapsed" "$findings")")
done

echo
printf '%-14s %12s %8s %7s %9s\n' target executions exec/s time findings
printf '%s\n' "${SUMMARY[@]}"
echo "work folder (logs, grown corpora): $WORK"
