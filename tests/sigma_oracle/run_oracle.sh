#!/bin/sh
# ctest entry point: run_oracle.sh CLOUDWARD_BIN WORK_DIR DATA_DIR [oracle.py options]
# Runs oracle.py with $CW_PYTHON, else python3; exits 77 (ctest SKIP_RETURN_CODE) when neither exists.
py="${CW_PYTHON:-python3}"
if ! command -v "$py" >/dev/null 2>&1; then
  echo "SKIPPED: no Python interpreter ($py); set CW_PYTHON"
  exit 77
fi
bin="$1" work="$2" data="$3"
shift 3
exec "$py" "$(dirname "$0")/oracle.py" --cloudward "$bin" --work "$work" --data "$data" "$@"
