# Sourced by the test scripts: finds the Python that has moto and boto3 (pyenv 3.11 on the
# project's machines) and exports it as CW_PYTHON for integration tests.
find_python() {
  local candidates=("${CW_PYTHON:-}" python3 "$HOME/.pyenv/shims/python3")
  for dir in "$HOME"/.pyenv/versions/*/bin /root/.pyenv/versions/*/bin; do
    [[ -x "$dir/python3" ]] && candidates+=("$dir/python3")
  done
  for py in "${candidates[@]}"; do
    [[ -n "$py" ]] || continue
    if "$py" -c "import moto, boto3" >/dev/null 2>&1; then
      command -v "$py" || echo "$py"
      return 0
    fi
  done
  return 1
}
if CW_PYTHON=$(find_python); then
  export CW_PYTHON
else
  echo "test-env: no Python with moto and boto3 found; AWS integration tests will skip" >&2
fi
