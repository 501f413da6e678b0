#!/usr/bin/env bash
# How long cloudward takes to load and compile a large rule set, and how much memory it needs
# (issue target: 10,000 rules in under 5 s and 500 MB).
#
#   bench/rule_load.sh [COUNT]     # default 10000 rules
#
# The rules are the public AWS rules of ../shared/data (SigmaHQ, TrailAlerts, Suzaku; correlation
# files left out), copied round-robin until COUNT, each copy with its own id and no name, so every
# copy is a distinct rule to the loader. Measured, best of BENCH_REPEAT (default 3): `hunt` over an
# empty file with only these rules (parse, validate, index, compile the shared pattern databases),
# and `rules check` (parse and validate only). Environment: CW_BUILD_DIR (default build/release).
set -uo pipefail

COUNT=${1:-10000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CW_BUILD_DIR:-$ROOT/build/release}
CW=$BUILD/src/cli/cloudward
SHARED=$ROOT/../shared/data
REPEAT=${BENCH_REPEAT:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[[ -x "$CW" ]] || { echo "rule_load: build cloudward first ($CW)" >&2; exit 2; }
[[ -d "$SHARED" ]] || { echo "rule_load: skipped, $SHARED is absent" >&2; exit 0; }

mapfile -t SOURCES < <(find "$SHARED/sigmahq-sigma/rules/cloud/aws" "$SHARED/trailalerts" "$SHARED/suzaku-rules" \
  -name '*.yml' -type f 2>/dev/null | sort | xargs grep -L '^correlation:' 2>/dev/null)
[[ ${#SOURCES[@]} -gt 0 ]] || { echo "rule_load: no source rules found" >&2; exit 2; }

# One awk process writes every copy: ids are made unique, names dropped (names must be unique too).
mkdir -p "$TMP/rules"
printf '%s\n' "${SOURCES[@]}" | awk -v count="$COUNT" -v out="$TMP/rules" '
  { files[n++] = $0 }
  END {
    for (i = 0; i < count; i++) {
      src = files[i % n]
      dst = sprintf("%s/r%05d.yml", out, i)
      while ((getline line < src) > 0) {
        if (line ~ /^id:/) line = sprintf("id: 00000000-0000-4000-8000-%012d", i)
        else if (line ~ /^name:/) continue
        print line > dst
      }
      close(src); close(dst)
    }
  }'
echo '{"Records":[]}' >"$TMP/empty.json"

best() {  # best-of wall seconds and the peak RSS (MB) of that run
  local best_s="" best_rss="" s rss
  for ((r = 0; r < REPEAT; r++)); do
    /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err"
    read -r s rss <"$TMP/time"
    if [[ -z "$best_s" ]] || awk "BEGIN { exit !($s < $best_s) }"; then best_s=$s best_rss=$((rss / 1024)); fi
  done
  echo "$best_s $best_rss"
}

read -r hunt_s hunt_mb < <(best "$CW" hunt "$TMP/empty.json" --rules "$TMP/rules" --no-default-rules --no-store -q \
  --format jsonl --output /dev/null)
read -r check_s check_mb < <(best "$CW" rules check "$TMP/rules" --format json)
loaded=$("$CW" rules check "$TMP/rules" --format json 2>/dev/null | grep -o '"loaded": *[0-9]*' | grep -o '[0-9]*$')

echo "| step | rules | seconds (best of $REPEAT) | peak RSS MB |"
echo "|---|---:|---:|---:|"
echo "| hunt: load, index, compile | ${loaded:-?} of $COUNT | $hunt_s | $hunt_mb |"
echo "| rules check: load, validate | ${loaded:-?} of $COUNT | $check_s | $check_mb |"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
