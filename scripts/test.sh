#!/usr/bin/env bash
# Second command of the README: builds and runs the whole test suite twice, in an
# optimised build with warnings as errors and under AddressSanitizer and
# UndefinedBehaviorSanitizer; in between, checks formatting and clang-tidy on the
# changed C++ files (scripts/lint.sh, with build/ci's compile_commands.json).
# Needs the packages from scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake --workflow --preset ci
scripts/lint.sh
cmake --workflow --preset asan
