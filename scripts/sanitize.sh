#!/usr/bin/env bash
# The sanitizer job (CI runs it after scripts/test.sh): builds the engine libraries, the CLI and
# the tests labelled `sanitize` with AddressSanitizer + UBSan (CMake preset `asan`: -O1 with line
# tables and asserts on, no GUI, into build-asan/) and runs those tests with CTest. The subset is
# the fast tests that reach the readers of untrusted files and the engine's own arithmetic: the
# fuzz corpus replays, tokenizer, safetensors, JSON fields, schedulers, story spec, shapes world
# and checker, attention kernel, tiny UNet/VAE/CLIP parity, tiny txt2img and the CLI's bad-input
# exit codes. Add a test to it with the label `sanitize` in its tests/core/*.cmake line.
#
# Environment: JOBS (build parallelism, default: every core), NICE (niceness of the build, 0).
# Extra arguments go to the configure step (e.g. -DSTORYSCOPE_FIXTURES_DIR=...).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
NICE=${NICE:-0}

cmake --preset asan "$@"
nice -n "$NICE" cmake --build --preset asan -j "$JOBS"

# Only our code is instrumented: LibTorch, OpenBLAS, OpenCV, Qt and libgomp are Debian's plain
# builds. ASan still sees every heap block (it replaces malloc for the whole process), so reads
# and writes from our code into LibTorch's buffers are checked, but accesses inside those
# libraries are not, and their globals carry no redzones. Hence the options:
# - detect_leaks=1: LeakSanitizer at exit of every test and of every CLI run the tests start
#   (the bad-input tests check that error paths do not leak). No suppressions are needed: what
#   LibTorch, OpenBLAS and libgomp allocate once stays reachable from their globals.
# - check_initialization_order / strict_init_order: our static registries (CLI commands,
#   schedulers) must not read another file's globals before they are constructed.
# - halt_on_error (ASan) / halt_on_error + print_stacktrace (UBSan): the first report fails the
#   test with a stack trace; the build already makes UB reports fatal (-fno-sanitize-recover).
# - allocator_may_return_null=1: an allocation ASan cannot serve (a corrupt size a reader passes
#   on, over ASan's 1 TB limit) returns null as glibc's malloc does, so LibTorch throws its
#   out-of-memory error as in the normal build, instead of ASan ending the process.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1:halt_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_WAIT_POLICY=PASSIVE
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
ctest --preset asan
