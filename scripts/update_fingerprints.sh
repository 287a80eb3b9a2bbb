#!/usr/bin/env bash
# Regenerates tests/fingerprints/ from the current code, for a change of results that is
# intended. Commit the new fingerprints with a message that says why the results changed;
# `git diff tests/fingerprints` shows which summary values and series moved.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release --target market_fingerprint_test
GPUMARKET_UPDATE_FINGERPRINTS=1 build/release/tests/market/market_fingerprint_test
git status --short tests/fingerprints
