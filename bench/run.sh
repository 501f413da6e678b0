#!/usr/bin/env bash
# Benchmarks `cloudward hunt` against the raw limit of the machine (bench/raw_limit.cc), jq and
# DuckDB on the same synthetic CloudTrail corpus, and writes the table to bench/results/latest.md.
#
#   bench/run.sh [SIZE_MB]        # default 500 (decompressed CloudTrail JSON)
#
# Environment: CW_BUILD_DIR (default build/bench, configured Release here), CW_BENCH_DATA (corpus
# folder, default bench/.data/<SIZE_MB>mb, reused when present), BENCH_REPEAT (default 3, best of),
# BENCH_SKIP_RULES=1 (skip the public-rules rows), CW_PYTHON (python for bench/duckdb_rules.py,
# default python3). Missing tools give "skipped" rows, never a failure.
set -uo pipefail

SIZE_MB=${1:-500}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CW_BUILD_DIR:-$ROOT/build/bench}
DATA=${CW_BENCH_DATA:-$ROOT/bench/.data/${SIZE_MB}mb}
REPEAT=${BENCH_REPEAT:-3}
NPROC=$(nproc)
RESULTS=$ROOT/bench/results/latest.md
SHARED=$ROOT/../shared/data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

log() { echo "[bench] $*" >&2; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
less_than() { awk "BEGIN { exit !($1 < $2) }"; }

# --- tools -------------------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time"
  (apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }) >/dev/null 2>&1 || true
fi
if [[ ! -x "$BUILD/src/cli/cloudward" || ! -x "$BUILD/bench/raw_limit" || -n "${BENCH_REBUILD:-}" ]]; then
  log "building cloudward and raw_limit in $BUILD (Release)"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCW_BUILD_TESTS=OFF -DCW_BUILD_BENCH=ON \
    ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null &&
    cmake --build "$BUILD" --target cloudward raw_limit -j"$NPROC" >/dev/null || {
      log "build failed"
      exit 1
    }
fi
CW=$BUILD/src/cli/cloudward
RAW=$BUILD/bench/raw_limit
HAVE_HUNT=0
"$CW" hunt --help >/dev/null 2>&1 && HAVE_HUNT=1

# --- corpus ------------------------------------------------------------------------------------
# About 1.2 KB of JSON per simulated CloudTrail event.
EVENTS=$((SIZE_MB * 1024 * 1024 / 1200))
if [[ ! -f "$DATA/done" ]]; then
  rm -rf "$DATA"
  mkdir -p "$DATA"
  log "generating ~${SIZE_MB} MB of CloudTrail ($EVENTS events), gzip and plain"
  "$CW" simulate --out "$DATA/gz" --events "$EVENTS" --seed 1 --layout plain --gzip --scenarios all >"$DATA/simulate-gz.txt" || exit 1
  "$CW" simulate --out "$DATA/json" --events "$EVENTS" --seed 1 --layout plain --no-gzip --scenarios all >"$DATA/simulate-json.txt" || exit 1
  touch "$DATA/done"
fi
JSON_DIR=$DATA/json/cloudtrail
GZ_DIR=$DATA/gz/cloudtrail
BYTES=$(du -sb --apparent-size "$JSON_DIR" | cut -f1)
GZ_BYTES=$(du -sb --apparent-size "$GZ_DIR" | cut -f1)
NEVENTS=$("$RAW" --threads "$NPROC" "$JSON_DIR" | sed -n 's/.*records=\([0-9]*\).*/\1/p')
log "corpus: $NEVENTS events, $BYTES bytes JSON, $GZ_BYTES bytes gzip"

# --- measurement -------------------------------------------------------------------------------
# measure NAME THREADS INPUT CMD...: best wall time of $REPEAT runs and the peak RSS of that run.
ROWS=()
measure() {
  local name=$1 threads=$2 input=$3
  shift 3
  local best="" rss="" i
  for ((i = 0; i < REPEAT; i++)); do
    local t0 t1 el kb
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$TMP/time" bash -c "$*" >/dev/null 2>"$TMP/err"
    local rc=$?
    # Exit 1 is "findings reported" for hunt; anything above is a failure.
    if ((rc > 1)); then
      log "$name ($threads, $input) failed with exit $rc: $(tail -3 "$TMP/err" | tr '\n' ' ')"
      ROWS+=("$name|$threads|$input|failed|||")
      return
    fi
    t1=$(date +%s.%N)
    el=$(calc "$t1 - $t0")
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time")
    if [[ -z "$best" ]] || less_than "$el" "$best"; then
      best=$el
      rss=$kb
    fi
  done
  add_row "$name" "$threads" "$input" "$best" $((rss / 1024))
}
# add_row NAME THREADS INPUT SECONDS PEAK_RSS_MB: a measured row (events/s, GB/s from SECONDS).
add_row() {
  local eps gbs
  eps=$(calc "$NEVENTS / $4")
  gbs=$(calc "$BYTES / $4 / 1000000000")
  log "$(printf '%-28s %2s %-8s %8.3f s %12.0f ev/s %6.3f GB/s %7d MB' "$1" "$2" "$3" "$4" "$eps" "$gbs" "$5")"
  ROWS+=("$1|$2|$3|$4|$eps|$gbs|$5")
}
skip() { ROWS+=("$1|$2|$3|skipped ($4)|||"); log "$1: skipped ($4)"; }

hunt() { echo "$CW hunt --no-store --format jsonl --output /dev/null --quiet --threads $1 ${*:2}"; }

for input in json gz; do
  dir=$JSON_DIR
  [[ $input == gz ]] && dir=$GZ_DIR
  for threads in 1 "$NPROC"; do
    measure "raw limit (simdjson+libdeflate)" "$threads" "$input" "$RAW --threads $threads $dir"
  done
  for threads in 1 "$NPROC"; do
    if ((HAVE_HUNT)); then
      measure "cloudward hunt, no rules" "$threads" "$input" "$(hunt "$threads" --no-default-rules "$dir")"
    else
      skip "cloudward hunt, no rules" "$threads" "$input" "hunt not built"
    fi
  done
done

DDB_RULES="DuckDB, public rules as SQL (pySigma)"
PNR="cloudward hunt, public rules, --no-record"
DDB_NOTE=""
if [[ -z "${BENCH_SKIP_RULES:-}" ]]; then
  # The public rules as issue #3 counts them (SigmaHQ AWS, TrailAlerts, Suzaku; files with a
  # correlation left out, as in rule_load.sh and the sigma oracle), copied into one folder so that
  # cloudward runs exactly the rules bench/duckdb_rules.py converts.
  PUBLIC=$TMP/public-rules
  NRULES=0
  for pair in "sigmahq:sigmahq-sigma/rules/cloud/aws" "trailalerts:trailalerts/rules/sigma_rules" "suzaku:suzaku-rules"; do
    src=$SHARED/${pair#*:}
    [[ -d $src ]] || continue
    mkdir -p "$PUBLIC/${pair%%:*}"
    (cd "$src" && find . -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 | xargs -0 -r grep -L -Z '^correlation:' |
      xargs -0 -r cp --parents -t "$PUBLIC/${pair%%:*}")
  done
  [[ -d $PUBLIC ]] && NRULES=$(find "$PUBLIC" -type f | wc -l)
  log "public rules: $NRULES files (correlations left out)"
  for input in json gz; do
    dir=$JSON_DIR
    [[ $input == gz ]] && dir=$GZ_DIR
    for threads in 1 "$NPROC"; do
      if ((HAVE_HUNT)) && ((NRULES)); then
        measure "cloudward hunt, public rules" "$threads" "$input" "$(hunt "$threads" --no-default-rules --rules "$PUBLIC" "$dir")"
        # The same findings without the record in each line (DuckDB's rows give matching ids only).
        measure "$PNR" "$threads" "$input" "$(hunt "$threads" --no-record --no-default-rules --rules "$PUBLIC" "$dir")"
      else
        skip "cloudward hunt, public rules" "$threads" "$input" "hunt or rules missing"
      fi
    done
  done

  # DuckDB running the same rules as SQL (pySigma + pysigma-backend-duckdb, the sigma oracle's
  # conversion and table layout) on the json input. bench/duckdb_rules.py flattens and loads the
  # corpus untimed ("prepare") and times only the rule queries, best of $REPEAT, 1 and N threads.
  PY=${CW_PYTHON:-python3}
  ddb_skip() { local t; for t in 1 "$NPROC"; do skip "$DDB_RULES" "$t" json "$1"; done; }
  if ! command -v "$PY" >/dev/null; then
    ddb_skip "no python ($PY); set CW_PYTHON"
  elif ((NRULES == 0)); then
    ddb_skip "rules missing"
  else
    log "$DDB_RULES: converting the rules, flattening and loading the corpus (untimed), then timing"
    "$PY" "$ROOT/bench/duckdb_rules.py" --work "$BUILD/duckdb_rules" --data "$SHARED" \
      --threads "1,$NPROC" --repeat "$REPEAT" "$JSON_DIR" >"$TMP/ddb_rules.out" 2>"$TMP/ddb_rules.err"
    rc=$?
    if ((rc == 0)); then
      # field KEY LINE: the value of KEY=... in a `duckdb_rules ...` line.
      field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
      conv=$(grep '^duckdb_rules convert ' "$TMP/ddb_rules.out")
      prep=$(grep '^duckdb_rules prepare ' "$TMP/ddb_rules.out")
      for threads in 1 "$NPROC"; do
        line=$(grep "^duckdb_rules threads=$threads " "$TMP/ddb_rules.out" | head -1)
        if [[ -n $line ]]; then
          add_row "$DDB_RULES" "$threads" json "$(field seconds "$line")" "$(field peak_rss_mb "$line")"
          DDB_MATCHES=$(field matches "$line")
        else
          ROWS+=("$DDB_RULES|$threads|json|failed|||")
        fi
      done
      DDB_NOTE="DuckDB, public rules: $(field converted "$conv") of $(field rules "$conv") rules converted, \
$(field columns "$conv") field columns, ${DDB_MATCHES:-?} matches; untimed preparation $(field seconds "$prep") s \
(flatten $(field flatten_seconds "$prep") s + load $(field load_seconds "$prep") s, not in its rows). \
Its rows time only the queries over a table already in memory, cloudward's include reading and parsing the JSON: \
the ratio favours DuckDB."
    elif ((rc == 77)); then
      ddb_skip "$(sed -n 's/^SKIPPED: //p' "$TMP/ddb_rules.out" | head -1)"
    else
      log "$DDB_RULES failed with exit $rc: $(tail -3 "$TMP/ddb_rules.err" | tr '\n' ' ')"
      for threads in 1 "$NPROC"; do ROWS+=("$DDB_RULES|$threads|json|failed|||"); done
    fi
  fi
fi

if command -v jq >/dev/null; then
  measure "jq select(StopLogging)" 1 json "jq -c '.Records[] | select(.eventName==\"StopLogging\")' $JSON_DIR/*.json"
  measure "jq select(StopLogging)" 1 gz "zcat $GZ_DIR/*.json.gz | jq -c '.Records[] | select(.eventName==\"StopLogging\")'"
else
  skip "jq select(StopLogging)" 1 json "jq not installed"
fi

# DuckDB through its Node client, installed into bench/.node (gitignored).
NODE_DIR=$ROOT/bench/.node
HAVE_DUCKDB=0
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [[ ! -d $NODE_DIR/node_modules/@duckdb/node-api ]]; then
    log "installing @duckdb/node-api into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && { [[ -f package.json ]] || echo '{"private":true}' >package.json; } &&
      npm install --silent --no-audit --no-fund @duckdb/node-api >/dev/null 2>&1) || log "npm install failed"
  fi
  [[ -d $NODE_DIR/node_modules/@duckdb/node-api ]] && HAVE_DUCKDB=1
fi
cat >"$TMP/duck.mjs" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const [glob, threads] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await db.connect();
const sql = `SELECT count(*) AS n FROM (
  SELECT unnest(Records) AS r FROM read_json('${glob}', columns = {Records: 'JSON[]'},
    format = 'auto', maximum_object_size = 1073741824))
  WHERE r->>'eventName' = 'StopLogging'`;
const reader = await con.runAndReadAll(sql);
console.log(JSON.stringify(reader.getRows().map(r => r.map(String))));
JS
cp "$TMP/duck.mjs" "$NODE_DIR/duck.mjs" 2>/dev/null || true
for input in json gz; do
  glob="$JSON_DIR/*.json"
  [[ $input == gz ]] && glob="$GZ_DIR/*.json.gz"
  for threads in 1 "$NPROC"; do
    if ((HAVE_DUCKDB)); then
      measure "DuckDB read_json + filter" "$threads" "$input" "node $NODE_DIR/duck.mjs '$glob' $threads"
    else
      skip "DuckDB read_json + filter" "$threads" "$input" "node/npm or @duckdb/node-api missing"
    fi
  done
done

# --- report ------------------------------------------------------------------------------------
eps_of() {  # eps_of NAME THREADS INPUT
  local row
  for row in "${ROWS[@]}"; do
    IFS='|' read -r n t i s e g r <<<"$row"
    if [[ $n == "$1" && $t == "$2" && $i == "$3" && -n $e ]]; then
      echo "$e"
      return
    fi
  done
}
ratio() { if [[ -n ${1:-} && -n ${2:-} ]]; then printf '%.2f' "$(calc "$1 / $2")"; else echo "n/a"; fi; }

{
  echo "# cloudward benchmark"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $NPROC cores, $(free -g | awk '/^Mem:/{print $2}') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- corpus: $NEVENTS CloudTrail events, $((BYTES / 1000000)) MB JSON, $((GZ_BYTES / 1000000)) MB gzip ($(ls "$JSON_DIR" | wc -l) files), \`cloudward simulate --seed 1 --events $EVENTS\`"
  echo "- best of $REPEAT runs; events/s and GB/s over the decompressed JSON bytes; peak RSS from /usr/bin/time -v"
  echo
  echo "| tool | threads | input | seconds | events/s | GB/s | peak RSS MB |"
  echo "|---|---:|---|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r n t i s e g r <<<"$row"
    if [[ -n $e ]]; then
      printf '| %s | %s | %s | %.3f | %.0f | %.3f | %s |\n' "$n" "$t" "$i" "$s" "$e" "$g" "$r"
    else
      printf '| %s | %s | %s | %s | | | |\n' "$n" "$t" "$i" "$s"
    fi
  done
  echo
  echo "| ratio | json | gz | target |"
  echo "|---|---:|---:|---|"
  H="cloudward hunt, no rules"
  L="raw limit (simdjson+libdeflate)"
  echo "| cloudward / raw limit, 1 thread | $(ratio "$(eps_of "$H" 1 json)" "$(eps_of "$L" 1 json)") | $(ratio "$(eps_of "$H" 1 gz)" "$(eps_of "$L" 1 gz)") | >= 0.90 |"
  echo "| cloudward / raw limit, $NPROC threads | $(ratio "$(eps_of "$H" "$NPROC" json)" "$(eps_of "$L" "$NPROC" json)") | $(ratio "$(eps_of "$H" "$NPROC" gz)" "$(eps_of "$L" "$NPROC" gz)") | |"
  echo "| cloudward 1 -> $NPROC threads speedup | $(ratio "$(eps_of "$H" "$NPROC" json)" "$(eps_of "$H" 1 json)") | $(ratio "$(eps_of "$H" "$NPROC" gz)" "$(eps_of "$H" 1 gz)") | >= 1.7 (1 -> 2) |"
  echo "| raw limit 1 -> $NPROC threads speedup | $(ratio "$(eps_of "$L" "$NPROC" json)" "$(eps_of "$L" 1 json)") | $(ratio "$(eps_of "$L" "$NPROC" gz)" "$(eps_of "$L" 1 gz)") | |"
  echo "| cloudward / jq (1 thread) | $(ratio "$(eps_of "$H" 1 json)" "$(eps_of "jq select(StopLogging)" 1 json)") | $(ratio "$(eps_of "$H" 1 gz)" "$(eps_of "jq select(StopLogging)" 1 gz)") | |"
  echo "| cloudward / DuckDB ($NPROC threads) | $(ratio "$(eps_of "$H" "$NPROC" json)" "$(eps_of "DuckDB read_json + filter" "$NPROC" json)") | $(ratio "$(eps_of "$H" "$NPROC" gz)" "$(eps_of "DuckDB read_json + filter" "$NPROC" gz)") | |"
  P="cloudward hunt, public rules"
  echo "| cloudward / DuckDB, public rules (1 thread) | $(ratio "$(eps_of "$P" 1 json)" "$(eps_of "$DDB_RULES" 1 json)") | n/a | |"
  echo "| cloudward / DuckDB, public rules ($NPROC threads) | $(ratio "$(eps_of "$P" "$NPROC" json)" "$(eps_of "$DDB_RULES" "$NPROC" json)") | n/a | >= 30 |"
  echo "| cloudward --no-record / DuckDB, public rules (1 thread) | $(ratio "$(eps_of "$PNR" 1 json)" "$(eps_of "$DDB_RULES" 1 json)") | n/a | |"
  echo "| cloudward --no-record / DuckDB, public rules ($NPROC threads) | $(ratio "$(eps_of "$PNR" "$NPROC" json)" "$(eps_of "$DDB_RULES" "$NPROC" json)") | n/a | >= 30 |"
  echo "| cloudward, public rules / raw limit, 1 thread | $(ratio "$(eps_of "$P" 1 json)" "$(eps_of "$L" 1 json)") | $(ratio "$(eps_of "$P" 1 gz)" "$(eps_of "$L" 1 gz)") | >= 0.90 |"
  echo "| cloudward --no-record, public rules / raw limit, 1 thread | $(ratio "$(eps_of "$PNR" 1 json)" "$(eps_of "$L" 1 json)") | $(ratio "$(eps_of "$PNR" 1 gz)" "$(eps_of "$L" 1 gz)") | >= 0.90 |"
  echo "| cloudward, public rules 1 -> $NPROC threads speedup | $(ratio "$(eps_of "$P" "$NPROC" json)" "$(eps_of "$P" 1 json)") | $(ratio "$(eps_of "$P" "$NPROC" gz)" "$(eps_of "$P" 1 gz)") | >= 1.7 |"
  echo
  [[ -n $DDB_NOTE ]] && echo "$DDB_NOTE" && echo
  echo "Targets: no rules >= 90% of the raw limit per core; >= 1.7x from 1 to 2 threads; peak RSS < 256 MB on a 2 GB input."
} >"$TMP/report.md"
mkdir -p "$(dirname "$RESULTS")"
cp "$TMP/report.md" "$RESULTS"
cat "$RESULTS"
