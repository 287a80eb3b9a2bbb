#!/usr/bin/env bash
# Second command of the README: builds and runs the whole test suite twice, in an
# optimised build with warnings as errors and under AddressSanitizer and
# UndefinedBehaviorSanitizer; in between, checks formatting and clang-tidy on the
# changed C++ files (scripts/lint.sh, with build/ci's compile_commands.json). Last, three
# of the fuzz targets run for 30 s each on their checked-in corpora (scripts/fuzz.sh; docs/fuzzing.md),
# and a finding fails the run.
# Needs the packages from scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake --workflow --preset ci
scripts/lint.sh
cmake --workflow --preset asan
# hdf5_reader_fuzzer is left out: HDF5 1.10 itself crashes or hangs within ~1,500 damaged
# files (global heap reads, docs/fuzzing.md), which gpumarket cannot fix; its corpus is
# replayed by ctest (tests/fuzz/) and it runs by hand. A fixed seed: a finding reproduces.
scripts/fuzz.sh --time 30 --seed 1 scenario_loader_fuzzer sweep_fuzzer constraint_fuzzer
