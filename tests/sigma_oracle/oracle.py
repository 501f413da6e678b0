#!/usr/bin/env python3
"""Differential test: cloudward's Sigma engine against pySigma + its DuckDB backend.

Usage: oracle.py --cloudward BIN --work DIR [--data DIR] [--rules DIR] [--known FILE]
                 [--update-known] [--no-simulate] [--only SET]

Both engines see the same rule files and the same events (one JSONL file); for every rule the set
of matching event ids must be equal, or the difference must be listed in known_differences.json.
Exit codes: 0 pass, 1 unexplained or stale difference, 2 harness error, 77 skipped (no
../shared/data, or pySigma missing and PyPI unreachable). See README.md for the data model.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SKIP = 77
HERE = Path(__file__).resolve().parent
PINNED = ["pysigma==1.5.1", "pysigma-backend-duckdb==0.1.4", "duckdb==2.0.1"]


def skip(msg: str) -> None:
    print(f"SKIPPED: {msg}", flush=True)
    sys.exit(SKIP)


# ---------------------------------------------------------------------------------------------
# Bootstrap: run inside a venv that has pySigma, creating it in the build dir when needed.

def ensure_oracle_python(work: Path, script: Path | None = None) -> None:
    """Returns when pySigma, its DuckDB backend and duckdb import; otherwise creates (or reuses)
    `work/venv`, installs PINNED into it and re-executes `script` (default: this file) with the
    same arguments under the venv's python. Exits 77 when that is impossible."""
    try:
        import duckdb  # noqa: F401
        import sigma  # noqa: F401
        import sigma_backend_duckdb  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("CW_ORACLE_REEXEC"):
        skip("pySigma still not importable inside the oracle venv")
    venv = work / "venv"
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"creating venv {venv}", flush=True)
        r = subprocess.run([sys.executable, "-m", "venv", str(venv)])
        if r.returncode != 0:
            skip("cannot create a venv (python3-venv missing?)")
    probe = subprocess.run([str(py), "-c", "import sigma, sigma_backend_duckdb, duckdb"],
                           capture_output=True)
    if probe.returncode != 0:
        print("installing " + " ".join(PINNED), flush=True)
        r = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--timeout", "30", "--retries", "1", *PINNED])
        if r.returncode != 0:
            skip("pip could not install pySigma (PyPI unreachable?)")
    env = dict(os.environ, CW_ORACLE_REEXEC="1")
    script = Path(script or __file__).resolve()
    os.execve(str(py), [str(py), str(script), *sys.argv[1:]], env)


# ---------------------------------------------------------------------------------------------
# Events

def looks_like_cloudtrail(d) -> bool:
    return isinstance(d, dict) and "eventName" in d and ("eventSource" in d or "eventVersion" in d)


def find_records(value, out: list) -> None:
    """Every CloudTrail record inside a JSON value (Records arrays, test fixtures, wrappers)."""
    if looks_like_cloudtrail(value):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            find_records(v, out)
    elif isinstance(value, list):
        for v in value:
            find_records(v, out)


def load_json_or_jsonl(path: Path) -> list:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        pass
    if text.lstrip()[:1] not in ("{", "["):
        return []  # not JSON at all (flow logs, HTML, scripts)
    values, bad = [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError:
            bad += 1
    if bad:
        print(f"  {path}: {bad} lines are not JSON, skipped")
    return values


def collect_events(data: Path, rules_root: Path) -> list[tuple[str, dict]]:
    """(source label, record) for every CloudTrail record in the shared data and rule fixtures."""
    sources: list[tuple[str, Path]] = []
    sources.append(("awsdocs", data / "awsdocs/cloudtrail_examples.jsonl"))
    for p in sorted((data / "traildiscover").glob("**/logExamples/*.cloudtrail")):
        sources.append(("traildiscover", p))
    for p in sorted((data / "trailalerts/rules/sigma_rules").glob("*_tests.json")):
        sources.append(("trailalerts", p))
    for p in sorted((data / "otrf-security-datasets/extracted").glob("**/*.json")):
        sources.append(("otrf", p))
    if rules_root.is_dir():
        for p in sorted(rules_root.glob("**/*_tests.json")):
            sources.append(("cloudward-rules", p))
    events: list[tuple[str, dict]] = []
    for label, path in sources:
        if not path.is_file():
            continue
        found: list = []
        for v in load_json_or_jsonl(path):
            find_records(v, found)
        events.extend((label, r) for r in found)
    panther = data / "panther-analysis/panther_aws_tests.jsonl"
    if panther.is_file():
        for line in panther.read_text(encoding="utf-8").splitlines():
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            if d.get("log_type") == "AWS.CloudTrail" and isinstance(d.get("log"), dict):
                events.append(("panther", d["log"]))
    return events


def assign_unique_ids(events: list[tuple[str, dict]]) -> list[dict]:
    """Gives every record a distinct eventID (cloudward deduplicates by it). The first record with
    an id keeps it; later duplicates and records without one get '<source>-<n>[-<old id>]'."""
    seen: set[str] = set()
    out = []
    counters: collections.Counter = collections.Counter()
    for label, rec in events:
        rec = dict(rec)
        eid = rec.get("eventID")
        if not isinstance(eid, str) or not eid or eid in seen:
            counters[label] += 1
            new = f"oracle-{label}-{counters[label]}"
            if isinstance(eid, str) and eid:
                new += f"-{eid}"
            while new in seen:
                new += "x"
            rec["eventID"] = new
        seen.add(rec["eventID"])
        out.append(rec)
    return out


def simulate_events(cloudward: str, work: Path) -> list[dict] | None:
    help_run = subprocess.run([cloudward, "simulate", "--help"], capture_output=True, text=True)
    if help_run.returncode != 0 or "--seed" not in help_run.stdout:
        print("  `cloudward simulate` not available: generated corpus skipped")
        return None
    out = work / "simulated"
    shutil.rmtree(out, ignore_errors=True)
    r = subprocess.run([cloudward, "simulate", "--seed", "3", "--events", "20000", "--layout",
                        "plain", "--no-gzip", "--out", str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"  cloudward simulate failed ({r.returncode}): {r.stderr.strip()[:300]}")
        return None
    records: list = []
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.suffix in (".json", ".jsonl", ""):
            for v in load_json_or_jsonl(p):
                find_records(v, records)
    return records


# ---------------------------------------------------------------------------------------------
# Field values: the data model shared by the DuckDB table (see README.md).

def scalar_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)  # object: its JSON text


def flatten(record: dict) -> dict[str, list]:
    """Dotted path -> values. Arrays add no path segment: each element is a value (nested arrays
    flattened); an object is a value too (its compact JSON) besides its members' paths."""
    out: dict[str, list] = collections.defaultdict(list)

    def leaves(v, path):
        if isinstance(v, list):
            if path not in out:
                out[path] = []
            for x in v:
                leaves(x, path)
            return
        out[path].append(scalar_text(v))
        if isinstance(v, dict):
            for k, x in v.items():
                leaves(x, f"{path}.{k}" if path else k)

    for k, v in record.items():
        leaves(v, k)
    return out


def column_values(flat: dict[str, list], field: str, lower_index: dict[str, list[str]]):
    if field in flat:
        return flat[field]
    # DuckDB binds identifiers case-insensitively: a rule's `eventname` reads `eventName`.
    for key in lower_index.get(field.lower(), []):
        return flat[key]
    return None  # missing: SQL NULL


def table_row(rec: dict, columns: dict[str, str], eid: str) -> dict:
    """One row of the DuckDB table: `__eid` and, per Sigma field -> column name of `columns`
    (OracleBackend.columns), the list of values the field reaches in `rec` (None if missing)."""
    flat = flatten(rec)
    lower_index: dict[str, list[str]] = collections.defaultdict(list)
    for k in flat:
        lower_index[k.lower()].append(k)
    row = {"__eid": eid}
    for field, col in columns.items():
        row[col] = column_values(flat, field, lower_index)
    return row


def create_table(con, table_file: Path, columns: dict[str, str], name: str = "logs") -> int:
    """Loads the JSONL of table_row()s into table `name` (`__eid` VARCHAR, one VARCHAR[] per
    column); returns its row count."""
    colspec = {"__eid": "VARCHAR", **{c: "VARCHAR[]" for c in columns.values()}}
    spec = ", ".join(f"'{k}': '{v}'" for k, v in colspec.items())
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_json('{table_file}', "
                f"columns={{{spec}}}, format='newline_delimited', maximum_object_size=67108864)")
    return con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]


# ---------------------------------------------------------------------------------------------
# pySigma side

def oracle_backend_class():
    from sigma.processing.pipeline import ProcessingPipeline
    from sigma.types import (SigmaBool, SigmaCasedString, SigmaCIDRExpression,
                             SigmaCompareExpression, SigmaExists, SigmaExpansion,
                             SigmaFieldReference, SigmaNull, SigmaNumber, SigmaRegularExpression,
                             SigmaString)
    from sigma_backend_duckdb.backend import DuckDBBackend

    BOUND = "\x00bound"  # field name that stands for the list element being tested

    class OracleBackend(DuckDBBackend):
        """The stock DuckDB backend with one change: a field is bound to a VARCHAR[] column of all
        values the dotted path reaches, and each field test `T(field)` of the backend becomes
        `coalesce(len(list_filter(col, lambda __v: T(__v))) > 0, false)` (any element matches;
        missing field = false, not SQL NULL). The value expressions are the backend's own."""

        def __init__(self):
            super().__init__(processing_pipeline=ProcessingPipeline())
            self.columns: dict[str, str] = {}  # Sigma field -> column name
            self.bound_expr = "__v"

        def column(self, field: str) -> str:
            if field not in self.columns:
                self.columns[field] = f"c{len(self.columns)}"
            return '"' + self.columns[field] + '"'

        def escape_and_quote_field(self, field_name: str) -> str:
            if field_name == BOUND:
                return self.bound_expr
            return super().escape_and_quote_field(field_name)

        def any_element(self, cond, state, bound_expr: str):
            col = self.column(cond.field)
            field, saved = cond.field, self.bound_expr
            cond.field, self.bound_expr = BOUND, bound_expr
            try:
                inner = super().convert_condition_field_eq_val(cond, state)
            finally:
                cond.field, self.bound_expr = field, saved
            return f"coalesce(len(list_filter({col}, lambda __v: {inner})) > 0, false)"

        def convert_condition_field_eq_val(self, cond, state):
            if cond.field == BOUND or cond.field is None:
                return super().convert_condition_field_eq_val(cond, state)
            v = cond.value
            if isinstance(v, SigmaExpansion):
                return super().convert_condition_field_eq_val(cond, state)
            if isinstance(v, SigmaExists):
                col = self.column(cond.field)
                return f"({col} IS NOT NULL)" if v.exists else f"({col} IS NULL)"
            if isinstance(v, SigmaNull):
                col = self.column(cond.field)
                return (f"({col} IS NULL OR len(list_filter({col}, lambda __v: __v IS NOT NULL))"
                        " = 0)")
            if isinstance(v, SigmaFieldReference):
                return self.convert_condition_field_eq_field(cond, state)
            if isinstance(v, (SigmaNumber, SigmaCompareExpression)):
                return self.any_element(cond, state, "TRY_CAST(__v AS DOUBLE)")
            if isinstance(v, SigmaBool):
                return self.any_element(cond, state, "TRY_CAST(__v AS BOOLEAN)")
            if isinstance(v, (SigmaCasedString, SigmaRegularExpression)):
                return self.any_element(cond, state, "__v")
            if isinstance(v, (SigmaString, SigmaCIDRExpression)):
                return self.any_element(cond, state, "(__v COLLATE NOCASE)")
            return self.any_element(cond, state, "__v")

        def convert_condition_field_eq_field(self, cond, state):
            a, b = self.column(cond.field), self.column(cond.value.field)
            return (f"coalesce(len(list_filter({a}, lambda __v: len(list_filter({b}, "
                    f"lambda __w: (__v COLLATE NOCASE) = __w)) > 0)) > 0, false)")

    return OracleBackend


class RuleInfo:
    def __init__(self, path: Path, rule_id: str, title: str):
        self.path, self.id, self.title = path, rule_id, title
        self.query: str | None = None
        self.error: str | None = None


def convert_rules(files: list[Path], backend) -> list[RuleInfo]:
    from sigma.collection import SigmaCollection
    from sigma.rule import SigmaRule

    rules = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        original_id = None
        try:
            coll = SigmaCollection.from_yaml(text)
        except Exception as e:  # noqa: BLE001 — pySigma raises many types
            # pySigma insists on UUID ids (TrailAlerts uses names). The id is metadata, not
            # detection: retry without it and compare under the original id.
            coll = None
            if "identifier must be an UUID" in str(e):
                import yaml
                doc = yaml.safe_load(text)
                original_id = str(doc.pop("id"))
                try:
                    coll = SigmaCollection.from_yaml(yaml.safe_dump(doc, sort_keys=False))
                except Exception as e2:  # noqa: BLE001
                    coll, e = None, e2
            if coll is None:
                info = RuleInfo(path, path.stem, path.stem)
                info.error = f"{type(e).__name__}: {e}"
                rules.append(info)
                continue
        for rule in coll.rules:
            if not isinstance(rule, SigmaRule):
                continue
            rid = original_id or (str(rule.id) if rule.id else path.stem)
            info = RuleInfo(path, rid, rule.title or "")
            try:
                queries = backend.convert_rule(rule)
                if len(queries) != 1:
                    raise ValueError(f"{len(queries)} queries")
                info.query = queries[0]
            except Exception as e:  # noqa: BLE001
                info.error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            rules.append(info)
    return rules


def is_correlation(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    return any(line.startswith("correlation:") for line in text.splitlines())


def rule_files(src: Path) -> list[Path]:
    """The Sigma rule files of a folder (*.yml then *.yaml, each sorted), correlations left out."""
    files = sorted(p for p in src.glob("**/*.yml")) + sorted(src.glob("**/*.yaml"))
    return [p for p in files if not is_correlation(p)]


# ---------------------------------------------------------------------------------------------
# cloudward side

def run_hunt(cloudward: str, rules_dir: Path, events_file: Path, out_file: Path):
    cmd = [cloudward, "hunt", "--no-default-rules", "--no-store", "--format", "jsonl",
           "--rules", str(rules_dir), str(events_file)]
    with out_file.open("w") as out:
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
    matches: dict[str, set[str]] = collections.defaultdict(set)
    bad = 0
    for line in out_file.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        rule = d.get("rule") if isinstance(d.get("rule"), dict) else {}
        rid = rule.get("id") or d.get("rule_id")
        eid = d.get("event_id")
        if eid is None:
            for key in ("record", "event"):
                if isinstance(d.get(key), dict) and d[key].get("eventID"):
                    eid = d[key]["eventID"]
                    break
        if rid is None or eid is None:
            bad += 1
            continue
        matches[str(rid)].add(str(eid))
    return r.returncode, r.stderr, matches, bad


# ---------------------------------------------------------------------------------------------

RULE_SETS = [
    ("sigmahq", "sigmahq-sigma/rules/cloud/aws"),
    ("trailalerts", "trailalerts/rules/sigma_rules"),
    ("suzaku", "suzaku-rules"),
]

PROBE_ID = "0aac1e00-0000-4000-8000-0000000000e1"
PROBE_RULE = f"""title: oracle probe (every event with an eventID)
id: {PROBE_ID}
status: test
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventID|exists: true
  condition: selection
level: informational
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cloudward", required=True)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent.parent / "shared" / "data")
    ap.add_argument("--rules", type=Path, default=HERE.parent.parent / "rules")
    ap.add_argument("--known", type=Path, default=HERE / "known_differences.json")
    ap.add_argument("--update-known", action="store_true",
                    help="rewrite --known from this run (keeps existing reasons)")
    ap.add_argument("--no-simulate", action="store_true")
    ap.add_argument("--only", action="append", help="run only these rule sets")
    args = ap.parse_args()

    if not args.data.is_dir():
        skip(f"needs ../shared/data ({args.data} is absent)")
    args.work.mkdir(parents=True, exist_ok=True)
    ensure_oracle_python(args.work)
    import duckdb

    h = subprocess.run([args.cloudward, "hunt", "--help"], capture_output=True, text=True)
    if h.returncode != 0 or "--no-default-rules" not in h.stdout:
        skip("`cloudward hunt` (with --rules/--no-default-rules) is not in this build")

    t0 = time.time()
    print("== events", flush=True)
    raw = collect_events(args.data, args.rules)
    by_source = collections.Counter(label for label, _ in raw)
    if not args.no_simulate:
        sim = simulate_events(args.cloudward, args.work)
        if sim:
            raw.extend(("simulated", r) for r in sim)
            by_source["simulated"] = len(sim)
    events = assign_unique_ids(raw)
    for label, n in sorted(by_source.items()):
        print(f"  {label:16} {n:6}")
    print(f"  {'total':16} {len(events):6}")
    events_file = args.work / "events.jsonl"
    with events_file.open("w", encoding="utf-8") as f:
        for rec in events:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    # Rule sets: copy the files both engines read into the work dir (skipping correlations).
    sets = [(name, args.data / rel) for name, rel in RULE_SETS]
    sets.append(("cloudward", args.rules))
    if args.only:
        sets = [s for s in sets if s[0] in args.only]

    Backend = oracle_backend_class()
    backend = Backend()
    per_set: list[tuple[str, list[RuleInfo], Path]] = []
    for name, src in sets:
        files = rule_files(src)
        dst = args.work / "rules" / name
        shutil.rmtree(dst, ignore_errors=True)
        dst.mkdir(parents=True)
        for i, p in enumerate(files):
            shutil.copyfile(p, dst / f"{i:04d}_{p.name}")
        (dst / "zz_oracle_probe.yml").write_text(PROBE_RULE)
        per_set.append((name, convert_rules(files, backend), dst))

    # DuckDB table: one row per event, one VARCHAR[] column per field any rule names.
    print(f"== loading {len(backend.columns)} field columns into DuckDB", flush=True)
    table_file = args.work / "table.jsonl"
    with table_file.open("w", encoding="utf-8") as f:
        for rec in events:
            row = table_row(rec, backend.columns, rec["eventID"])
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    con = duckdb.connect()
    n_rows = create_table(con, table_file, backend.columns)
    assert n_rows == len(events), (n_rows, len(events))

    known = json.loads(args.known.read_text()) if args.known.exists() else {}
    new_known: dict = {}
    failures: list[str] = []
    all_ids = {rec["eventID"] for rec in events}
    summary_rows = []
    for name, rules, rules_dir in per_set:
        print(f"\n== rule set {name}: {len(rules)} rules ({rules_dir})", flush=True)
        rc, stderr, cw, bad = run_hunt(args.cloudward, rules_dir, events_file,
                                       args.work / f"hunt_{name}.jsonl")
        if rc != 0:
            print(f"  cloudward hunt exited {rc}: {stderr.strip()[-2000:]}")
        if bad:
            print(f"  {bad} hunt output lines without rule id / event id")
        ingested = cw.get(PROBE_ID, set())
        if not ingested:
            failures.append(f"{name}: cloudward hunt produced no probe matches (exit {rc})")
            print(f"  FAIL: probe rule matched nothing; stderr: {stderr.strip()[-500:]}")
            continue
        dropped = all_ids - ingested
        if dropped:
            print(f"  cloudward did not ingest {len(dropped)} events (not compared), e.g. "
                  f"{sorted(dropped)[:3]}")
        n_same = n_diff = n_err = ref_hits = 0
        # Rules sharing an id (TrailAlerts has such pairs) are compared as the union of both.
        ref_by_id: dict[str, set[str]] = {}
        files_by_id: dict[str, list[RuleInfo]] = collections.defaultdict(list)
        for r in rules:
            if r.error is not None:
                n_err += 1
                print(f"  NOT CONVERTED {r.id} ({r.path.name}): {r.error}")
                continue
            sql = f"SELECT __eid FROM ({r.query}) AS q"
            try:
                ref = {row[0] for row in con.execute(sql).fetchall()} & ingested
            except Exception as e:  # noqa: BLE001
                n_err += 1
                print(f"  DUCKDB ERROR {r.id} ({r.path.name}): {str(e).splitlines()[0]}")
                continue
            ref_by_id.setdefault(r.id, set()).update(ref)
            files_by_id[r.id].append(r)
        for key, ref in ref_by_id.items():
            infos = files_by_id[key]
            if len(infos) > 1:
                print(f"  rule id {key} is shared by {len(infos)} files: compared as their union")
            ref_hits += bool(ref)
            got = cw.get(key, set()) & ingested
            only_cw, only_ref = sorted(got - ref), sorted(ref - got)
            if not only_cw and not only_ref:
                n_same += 1
                if key in known and known[key].get("set", name) == name:
                    failures.append(f"{name} {key}: listed difference disappeared "
                                    f"(remove it from known_differences.json)")
                continue
            n_diff += 1
            entry = {"set": name, "file": ", ".join(i.path.name for i in infos),
                     "title": infos[0].title,
                     "reason": known.get(key, {}).get("reason", "TODO: explain"),
                     "only_in_cloudward": only_cw, "only_in_pysigma": only_ref}
            new_known[key] = entry
            print(f"  DIFF {key} ({entry['file']}): only cloudward {len(only_cw)} "
                  f"{only_cw[:3]}, only pySigma {len(only_ref)} {only_ref[:3]}")
            k = known.get(key)
            if (k is None or sorted(k.get("only_in_cloudward", [])) != only_cw
                    or sorted(k.get("only_in_pysigma", [])) != only_ref):
                failures.append(f"{name} {key}: difference not (exactly) in known_differences.json")
        n_rules = len(ref_by_id) + n_err
        matched = sum(1 for k in ref_by_id if cw.get(k))
        summary_rows.append((name, n_rules, n_rules - n_err, n_same, n_diff, n_err, matched,
                             ref_hits))

    compared_sets = {n for n, _, _ in per_set}
    for key, entry in known.items():
        if entry.get("set") in compared_sets and key not in new_known and not any(
                key in f for f in failures):
            failures.append(f"{entry.get('set')} {key}: listed difference no longer occurs "
                            "(rule gone or not compared); remove it from known_differences.json")

    print("\n== summary (events %d, %.1fs)" % (len(events), time.time() - t0))
    print(f"  {'rule set':12} {'rules':>6} {'converted':>9} {'identical':>9} {'differ':>6} "
          f"{'not conv.':>9} {'hit (cw)':>8} {'hit (pySigma)':>13}")
    for row in summary_rows:
        print("  {:12} {:6} {:9} {:9} {:6} {:9} {:8} {:13}".format(*row))

    if args.update_known:
        keep = {k: v for k, v in known.items() if v.get("set") not in compared_sets}
        keep.update(new_known)
        args.known.write_text(json.dumps(dict(sorted(keep.items())), indent=1) + "\n")
        print(f"wrote {args.known} ({len(keep)} entries)")
        return 0
    if failures:
        print("\nFAILED:")
        for f in failures:
            print("  " + f)
        print(f"{sum(r[3] for r in summary_rows)} passed, {len(failures)} failed")
        return 1
    print("\nsigma oracle: all differences are known")
    return 0


def run_main(entry, name, stream=None):
    """Exits with entry()'s code; anything it raises is a harness error: traceback, a line
    naming `name` (on `stream`, stdout by default) and exit code 2."""
    try:
        sys.exit(entry())
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        print(f"{name} harness error: {e}", file=stream or sys.stdout)
        sys.exit(2)


if __name__ == "__main__":
    run_main(main, "oracle")
