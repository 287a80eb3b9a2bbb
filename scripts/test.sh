#!/usr/bin/env bash
# Second command of the README: builds and runs the whole test suite twice, in an
# optimised build with warnings as errors and under AddressSanitizer and
# UndefinedBehaviorSanitizer. Needs the packages from scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake --workflow --preset ci
cmake --workflow --preset asan
