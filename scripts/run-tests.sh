#!/usr/bin/env bash
# Builds and runs the whole test suite — unit, fuzz-corpus replay, golden and integration (moto,
# PostgreSQL, the browser) — in the asan preset (ASan + UBSan at -O0), so every test also runs
# under the sanitizers. PRESETS="release" (make test-release) runs the same suite on the optimised
# build. Tests labelled slow (the pySigma oracle) run with `make test-oracle`.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
PRESETS=${PRESETS:-asan}
source scripts/test-env.sh
status=0
for preset in $PRESETS; do
  echo "=== preset $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
  ctest --preset "$preset" -j "$JOBS" || status=1
done
exit $status
