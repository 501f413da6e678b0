#!/usr/bin/env python3
"""DuckDB running the public Sigma rules as SQL (pySigma conversion) over a CloudTrail corpus.

The peer of `cloudward hunt --rules <public rules>` in bench/run.sh (issue #3). Everything that
is not DuckDB evaluating rules is done before the clock starts:

  1. untimed: pySigma + pysigma-backend-duckdb (the sigma oracle's pinned venv, created on first
     use under --work), conversion of the public rules (SigmaHQ rules/cloud/aws, TrailAlerts
     rules/sigma_rules, Suzaku; correlation rules left out) with the oracle's OracleBackend;
  2. untimed ("prepare"): every record of the corpus flattened into the oracle's table layout
     (`__eid` plus one VARCHAR[] column per field a rule names), written as JSONL parts, loaded
     into a DuckDB database file in a temp dir, then copied into an in-memory table `logs`;
  3. timed: for each thread count, best of --repeat runs of all converted rules, each
     `SELECT __eid FROM (<rule query>) AS q` fetched to the end (as the oracle does).

cloudward's time includes reading and parsing the JSON; DuckDB's does not, so the comparison
favours DuckDB. Output (stdout), one `duckdb_rules` line per item, key=value fields:

  duckdb_rules convert files=... rules=... converted=... not_converted=... seconds=...
  duckdb_rules prepare events=... columns=... flatten_seconds=... load_seconds=... seconds=...
  duckdb_rules threads=1 seconds=... rules=... matches=... peak_rss_mb=...
  duckdb_rules threads=N seconds=... rules=... matches=... peak_rss_mb=...

Usage: duckdb_rules.py CORPUS_DIR [--work DIR] [--data DIR] [--threads 1,N] [--repeat N]
                       [--workers N] [--per-rule FILE]
CORPUS_DIR holds CloudTrail delivery files (*.json, *.json.gz: {"Records":[...]}), walked
recursively. Exit codes: 0 ok, 2 error, 77 skipped (pySigma/DuckDB not installable, no rules).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "sigma_oracle"))
import oracle  # noqa: E402  (tests/sigma_oracle/oracle.py)


def log(msg: str) -> None:
    print(f"[duckdb_rules] {msg}", file=sys.stderr, flush=True)


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*")
                  if p.is_file() and (p.name.endswith(".json") or p.name.endswith(".json.gz")))


def read_records(path: Path) -> list[dict]:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            values = [json.loads(f.read())]
    else:
        values = oracle.load_json_or_jsonl(path)
    records: list = []
    for v in values:
        oracle.find_records(v, records)
    return records


_COLUMNS: dict[str, str] = {}


def _init_worker(columns: dict[str, str]) -> None:
    global _COLUMNS
    _COLUMNS = columns


def flatten_file(job: tuple[int, str, str]) -> int:
    """Worker: one delivery file -> one JSONL part of oracle.table_row()s. Returns the row count."""
    index, src, out = job
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for i, rec in enumerate(read_records(Path(src))):
            eid = rec.get("eventID")
            if not isinstance(eid, str) or not eid:
                eid = f"bench-{index}-{i}"
            f.write(json.dumps(oracle.table_row(rec, _COLUMNS, eid), ensure_ascii=False) + "\n")
            n += 1
    return n


def run_rules(con, rules: list) -> tuple[float, int, list, int]:
    """Runs every rule query once; returns (seconds, total matches, the rows of each rule (None
    on error), errors)."""
    ids: list = []
    matches = errors = 0
    t0 = time.perf_counter()
    for r in rules:
        try:
            rows = con.execute(f"SELECT __eid FROM ({r.query}) AS q").fetchall()
        except Exception:  # noqa: BLE001 — counted, reported; rules were checked by EXPLAIN
            errors += 1
            ids.append(None)
            continue
        matches += len(rows)
        ids.append(rows)
    return time.perf_counter() - t0, matches, ids, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "bench" / "duckdb_rules",
                    help="holds the pySigma venv (default build/bench/duckdb_rules)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                    help="folder with sigmahq-sigma, trailalerts, suzaku-rules")
    ap.add_argument("--threads", default=f"1,{os.cpu_count() or 1}",
                    help="comma-separated DuckDB thread counts (default 1,nproc)")
    ap.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")),
                    help="best of N timed runs per thread count (default $BENCH_REPEAT, else 3)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="processes flattening the corpus (untimed; default nproc)")
    ap.add_argument("--per-rule", type=Path, help="write {rule id: matching events} as JSON")
    args = ap.parse_args()

    if not args.corpus.is_dir():
        print(f"error: corpus folder {args.corpus} does not exist", file=sys.stderr)
        return 2
    sets = [(name, args.data / rel) for name, rel in oracle.RULE_SETS]
    sets = [(name, d) for name, d in sets if d.is_dir()]
    if not sets:
        oracle.skip(f"no public rule sets under {args.data}")
    args.work.mkdir(parents=True, exist_ok=True)
    oracle.ensure_oracle_python(args.work, script=Path(__file__))  # may re-exec in the venv
    import duckdb

    # --- rules (untimed) -----------------------------------------------------------------------
    t0 = time.perf_counter()
    backend = oracle.oracle_backend_class()()
    rules, n_files = [], 0
    for name, src in sets:
        files = oracle.rule_files(src)
        n_files += len(files)
        for r in oracle.convert_rules(files, backend):
            r.key = r.id  # rules sharing an id (TrailAlerts pairs) count as their union
            rules.append(r)
    converted = [r for r in rules if r.query is not None]
    convert_s = time.perf_counter() - t0
    for r in rules:
        if r.error is not None:
            log(f"not converted: {r.id} ({r.path.name}): {r.error[:160]}")
    print(f"duckdb_rules convert files={n_files} rules={len(rules)} converted={len(converted)} "
          f"not_converted={len(rules) - len(converted)} columns={len(backend.columns)} "
          f"seconds={convert_s:.3f}", flush=True)

    with tempfile.TemporaryDirectory(prefix="duckdb_rules.") as tmp_s:
        tmp = Path(tmp_s)
        # --- prepare (untimed): flatten -> JSONL parts -> DuckDB file -> in-memory table -------
        files = corpus_files(args.corpus)
        if not files:
            print(f"error: no *.json / *.json.gz under {args.corpus}", file=sys.stderr)
            return 2
        log(f"flattening {len(files)} files into {len(backend.columns)} columns "
            f"({args.workers} processes)")
        t0 = time.perf_counter()
        parts = tmp / "parts"
        parts.mkdir()
        jobs = [(i, str(p), str(parts / f"{i:06d}.jsonl")) for i, p in enumerate(files)]
        with ProcessPoolExecutor(max_workers=max(1, args.workers), initializer=_init_worker,
                                 initargs=(backend.columns,)) as pool:
            n_events = sum(pool.map(flatten_file, jobs, chunksize=4))
        flatten_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        dbfile = tmp / "table.duckdb"
        disk = duckdb.connect(str(dbfile))
        n_rows = oracle.create_table(disk, parts / "*.jsonl", backend.columns)
        dups = disk.execute("SELECT count(*) - count(DISTINCT __eid) FROM logs").fetchone()[0]
        disk.close()
        for p in parts.iterdir():
            p.unlink()
        con = duckdb.connect()
        con.execute(f"ATTACH '{dbfile}' AS prepared (READ_ONLY)")
        con.execute("CREATE TABLE logs AS SELECT * FROM prepared.logs")
        con.execute("DETACH prepared")
        load_s = time.perf_counter() - t0
        if n_rows != n_events:
            print(f"error: {n_rows} rows loaded for {n_events} events", file=sys.stderr)
            return 2
        print(f"duckdb_rules prepare events={n_events} files={len(files)} "
              f"columns={len(backend.columns)} duplicate_ids={dups} flatten_seconds={flatten_s:.3f} "
              f"load_seconds={load_s:.3f} seconds={flatten_s + load_s:.3f}", flush=True)

        # Queries DuckDB cannot bind are left out of the timing (none expected; reported).
        runnable = []
        for r in converted:
            try:
                con.execute(f"EXPLAIN SELECT __eid FROM ({r.query}) AS q").fetchall()
                runnable.append(r)
            except Exception as e:  # noqa: BLE001
                log(f"duckdb error: {r.id} ({r.path.name}): {str(e).splitlines()[0][:160]}")
        if len(runnable) != len(converted):
            print(f"duckdb_rules duckdb_errors={len(converted) - len(runnable)}", flush=True)

        # --- timed -----------------------------------------------------------------------------
        last_ids: list = []
        for threads in [int(t) for t in args.threads.split(",") if t.strip()]:
            con.execute(f"SET threads = {threads}")
            best = None
            for _ in range(max(1, args.repeat)):
                secs, matches, ids, errors = run_rules(con, runnable)
                log(f"threads={threads}: {secs:.3f} s, {matches} matches")
                if best is None or secs < best[0]:
                    best = (secs, matches, errors)
                last_ids = ids
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"duckdb_rules threads={threads} seconds={best[0]:.3f} rules={len(runnable)} "
                  f"matches={best[1]} errors={best[2]} peak_rss_mb={rss_mb}", flush=True)

        if args.per_rule:
            per_rule: dict[str, set] = {}
            for r, rows in zip(runnable, last_ids):
                if rows is not None:
                    per_rule.setdefault(r.key, set()).update(row[0] for row in rows)
            args.per_rule.write_text(json.dumps(
                {k: len(v) for k, v in sorted(per_rule.items())}, indent=0) + "\n")
    return 0


if __name__ == "__main__":
    oracle.run_main(main, "duckdb_rules", sys.stderr)
