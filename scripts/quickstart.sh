#!/usr/bin/env bash
# First command of the README: installs the Debian packages, builds the release
# preset and runs a bundled scenario, printing its headline results and the path
# of the HDF5 file it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/mmc.yaml}

scripts/install-deps.sh
cmake --workflow --preset release
build/release/sim/cli/gpumarket run "$scenario"
