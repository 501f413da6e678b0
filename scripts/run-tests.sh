#!/usr/bin/env bash
# Builds and runs the whole test suite: the release preset (unit, golden, fuzz replay, integration)
# and the asan preset (ASan + UBSan). Tests labelled slow (the pySigma oracle) run with
# `make test-oracle`.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
PRESETS=${PRESETS:-"release asan"}
source scripts/test-env.sh
status=0
for preset in $PRESETS; do
  echo "=== preset $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
  ctest --preset "$preset" -j "$JOBS" || status=1
done
exit $status
