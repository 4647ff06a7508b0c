#!/usr/bin/env python3
"""The floor check of a side_by_side.sh run: each hot path against the floors measured in the
same run, as the performance issue states them. Python 3 standard library only.

    bench/floor_check.py OUT_DIR             # the table; exit 3 if a criterion fails
    bench/floor_check.py --cores 2 OUT_DIR   # the cores the floors are scaled to (default: the
                                             # run's nproc, else 2)
    bench/floor_check.py --parse-crypto DIR  # the crypto phase's figures as one JSON record
                                             # (side_by_side.sh appends it to extra.jsonl)

OUT_DIR is what side_by_side.sh wrote: results.jsonl (one record per wrk run), extra.jsonl
(memory, flush, crypto and run records) and crypto/ (openssl speed and argon2 output). A
criterion whose runs are not in the directory (a PHASES subset) prints "not run" and does not
fail. Exit status: 0 when every criterion that ran passed, 3 when one failed, 1 when the
directory cannot be read.
"""
import json
import os
import re
import sys

FAIL_EXIT = 3

# The criteria, as ratios (see bench/README.md, "Side by side with simplejwt, and the floors").
REFRESH_OF_SIGN_FLOOR = 0.75      # refresh with rotation / (cores x one-core RS256 sign/s)
VERIFY_PATH_OF_FLOOR = 0.70       # /api/me/, introspection / (cores x 1e6 / (JWKS us/req + verify us))
PG_REFRESH_OF_SQLITE = 0.85       # refresh on PostgreSQL / the same on SQLite
PG_OTHER_OF_SQLITE = 0.95         # every other path on PostgreSQL / SQLite
SCALE_OF_SMALL = 0.95             # every path on the seeded database / the small one
FLUSH_ROWS_PER_S = 100_000        # sesame tokens flush, rows deleted per second
FLUSH_P99_OF_IDLE = 1.5           # refresh p99 while the flush runs / idle refresh p99
PASSWORD_OF_ARGON2_FLOOR = 0.95   # password grant / argon2id verifications per second on every core
PEAK_RSS_KIB = 64 * 1024          # Sesame's VmHWM, every phase


# ---------------------------------------------------------------- reading a run
def parse_openssl_speed(text):
    """RSA-2048 sign/s and verify/s (one core) from `openssl speed rsa2048` output. The rates are
    the last columns of the `rsa 2048 bits` line, named by the header line above it (OpenSSL 3.2
    added encrypt and decrypt columns)."""
    header = None
    for line in text.splitlines():
        if "sign/s" in line and "verify/s" in line:
            header = line.split()
            continue
        m = re.match(r"^\s*rsa\s+2048\s+bits\s+(.*)$", line)
        if m and header:
            rate_names = [h for h in header if h.endswith("/s")]
            values = [float(v.rstrip("s")) for v in m.group(1).split()]
            rates = dict(zip(rate_names, values[-len(rate_names):]))
            if "sign/s" in rates and "verify/s" in rates:
                return {"rsa2048_sign_per_s": rates["sign/s"], "rsa2048_verify_per_s": rates["verify/s"]}
    return {}


def parse_argon2(text):
    """argon2id verifications per second for each process count, from the crypto phase's
    argon2.txt (`... procs=2    109.5 ops/s    18.10 ms CPU/op`)."""
    out = {}
    for line in text.splitlines():
        m = re.search(r"procs=(\d+)\s+([\d.]+)\s+ops/s(?:\s+([\d.]+)\s+ms CPU/op)?", line)
        if m:
            out[int(m.group(1))] = {"ops_per_s": float(m.group(2)),
                                    "cpu_ms_per_op": float(m.group(3)) if m.group(3) else None}
    return out


def parse_crypto_dir(crypto_dir):
    """The kind:"crypto" record of a crypto/ directory (empty figures where a file is missing)."""
    rec = {"kind": "crypto"}
    path = os.path.join(crypto_dir, "openssl.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        rec.update(parse_openssl_speed(text))
        first = text.splitlines()[0] if text else ""
        rec["openssl_version"] = first.strip()
    path = os.path.join(crypto_dir, "argon2.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            argon = parse_argon2(f.read())
        rec["argon2_verify"] = [{"procs": p, **v} for p, v in sorted(argon.items())]
    return rec


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def flush_deleted_rows(output):
    """Rows a `sesame tokens flush` deleted, summed over its "deleted N expired ..., M old ..."
    lines."""
    return sum(int(n) for n in re.findall(r"(\d+) (?:expired|old) ", output or ""))


class Run:
    """One side_by_side.sh output directory."""

    def __init__(self, out_dir, cores=None):
        self.dir = out_dir
        results = os.path.join(out_dir, "results.jsonl")
        if not os.path.exists(results):
            raise FileNotFoundError(f"{results} does not exist: not a side_by_side.sh output directory")
        self.records = {}
        for r in read_jsonl(results):
            self.records[r["id"]] = r        # the harness writes one record per run id
        self.extra = read_jsonl(os.path.join(out_dir, "extra.jsonl"))
        crypto = [e for e in self.extra if e.get("kind") == "crypto"]
        if crypto:
            self.crypto = crypto[-1]
        elif os.path.isdir(os.path.join(out_dir, "crypto")):
            self.crypto = parse_crypto_dir(os.path.join(out_dir, "crypto"))  # a run older than the record
        else:
            self.crypto = {}
        self.cores = cores or self._run_cores() or 2

    def _run_cores(self):
        for e in self.extra:
            if e.get("kind") == "run" and e.get("cores"):
                return int(e["cores"])
        header = os.path.join(self.dir, "header.md")
        if os.path.exists(header):
            with open(header, encoding="utf-8") as f:
                m = re.search(r"\bnproc (\d+)", f.read())
            if m:
                return int(m.group(1))
        return None

    def rec(self, run_id):
        return self.records.get(run_id)

    def argon2_floor(self):
        """argon2id verifications/s with one process per core (the largest process count run)."""
        rows = self.crypto.get("argon2_verify") or []
        if not rows:
            return None, None
        best = max(rows, key=lambda r: r["procs"])
        return best["ops_per_s"], best["procs"]


# ---------------------------------------------------------------- the criteria
class Row:
    def __init__(self, criterion, measured, required, status):
        self.criterion, self.measured, self.required, self.status = criterion, measured, required, status


def fmt_rate(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def not_run(criterion, required, why):
    return Row(criterion, f"not run ({why})", required, "not run")


def at_least(criterion, ratio, minimum, detail):
    return Row(criterion, f"{ratio:.3f} ({detail})", f">= {minimum:.2f}", "pass" if ratio >= minimum else "FAIL")


def refresh_rows(run):
    sign = run.crypto.get("rsa2048_sign_per_s")
    req = f">= {REFRESH_OF_SIGN_FLOOR:.2f}"
    rows = []
    for run_id, what in (("s_refresh_oauth", "`/oauth/token` refresh grant"),
                         ("s_refresh_api", "`/api/token/refresh/`")):
        crit = f"refresh with rotation, {what} (RS256, SQLite) / {run.cores} x one-core RS256 sign/s"
        r = run.rec(run_id)
        if r is None:
            rows.append(not_run(crit, req, f"no {run_id}"))
        elif not sign:
            rows.append(not_run(crit, req, "no crypto phase"))
        else:
            floor = run.cores * sign
            rows.append(at_least(crit, r["rps"] / floor, REFRESH_OF_SIGN_FLOOR,
                                 f"{fmt_rate(r['rps'])} req/s of {fmt_rate(floor)} sign/s"))
    return rows


def verify_path_rows(run):
    """/api/me/ and introspection against the HTTP floor (the JWKS run's server CPU per request:
    a precomputed body) plus one RS256 verification: cores x 1e6 / (jwks_us + verify_us)."""
    verify = run.crypto.get("rsa2048_verify_per_s")
    jwks = run.rec("s_jwks")
    req = f">= {VERIFY_PATH_OF_FLOOR:.2f}"
    rows = []
    for run_id, what in (("s_me", "`GET /api/me/`"), ("s_introspect", "`POST /oauth/introspect`")):
        crit = f"{what} / (HTTP floor + one RS256 verify) on {run.cores} cores"
        r = run.rec(run_id)
        if r is None:
            rows.append(not_run(crit, req, f"no {run_id}"))
        elif jwks is None or not jwks.get("server_cpu_us_per_req"):
            rows.append(not_run(crit, req, "no s_jwks run"))
        elif not verify:
            rows.append(not_run(crit, req, "no crypto phase"))
        else:
            verify_us = 1e6 / verify
            expected = run.cores * 1e6 / (jwks["server_cpu_us_per_req"] + verify_us)
            rows.append(at_least(crit, r["rps"] / expected, VERIFY_PATH_OF_FLOOR,
                                 f"{fmt_rate(r['rps'])} of {fmt_rate(expected)} req/s = {run.cores} x 1e6 / "
                                 f"({jwks['server_cpu_us_per_req']:.1f} + {verify_us:.1f} µs)"))
    return rows


def paired_rows(run, prefix, title, minimum_for, required, skip=lambda r: False):
    """Every `<prefix>X` run against the same path `s_X` of the sesame phase."""
    ids = [i for i, r in run.records.items() if i.startswith(prefix) and not skip(r)]
    if not ids:
        return [not_run(title, required, f"no {prefix}* runs")]
    rows = []
    for run_id in ids:
        base_id = "s_" + run_id[len(prefix):]
        minimum = minimum_for(run_id)
        crit = f"{title}: {run_id} / {base_id}"
        a, b = run.rec(run_id), run.rec(base_id)
        if b is None:
            rows.append(not_run(crit, f">= {minimum:.2f}", f"no {base_id}"))
        elif not b["rps"]:
            rows.append(Row(crit, f"{base_id} made no request", f">= {minimum:.2f}", "FAIL"))
        else:
            rows.append(at_least(crit, a["rps"] / b["rps"], minimum,
                                 f"{fmt_rate(a['rps'])} / {fmt_rate(b['rps'])} req/s"))
    return rows


def during_flush(r):
    return bool(r.get("during"))


def flush_rows(run):
    rows = []
    flushes = [e for e in run.extra if e.get("kind") == "flush"]
    alone = [e for e in flushes if e.get("where", "alone") == "alone"]
    busy = [e for e in flushes if e.get("where", "alone") != "alone"]
    crit = "`sesame tokens flush` (server stopped), rows deleted per second"
    req = f">= {FLUSH_ROWS_PER_S:,}"
    if not alone:
        rows.append(not_run(crit, req, "no scale phase"))
    for e in alone:
        rows.append(flush_rate_row(crit, e, req))
    for e in busy:
        # Shown, not judged: the figure is the flush's own rate; this one shares the
        # cores with the refresh run it disturbs.
        deleted = flush_deleted_rows(e.get("output"))
        rate = deleted / e["wall_s"] if e.get("wall_s") else 0
        rows.append(Row("`sesame tokens flush` while serving refresh, rows per second (for reading, not judged)",
                        f"{fmt_rate(rate)} ({deleted:,} rows in {e.get('wall_s')} s, exit {e.get('rc')})", "-", "info"))
    crit = "refresh p99 while `sesame tokens flush` runs / idle refresh p99 (seeded database)"
    req = f"<= {FLUSH_P99_OF_IDLE:.2f}"
    during = [r for r in run.records.values() if during_flush(r)]
    if not during:
        rows.append(not_run(crit, req, "no scale phase"))
    for r in during:
        idle = run.rec(r.get("idle_twin") or "x_refresh_oauth")
        if idle is None or not idle.get("lat_p99_us"):
            rows.append(not_run(crit, req, "no idle refresh run"))
            continue
        ratio = r["lat_p99_us"] / idle["lat_p99_us"]
        detail = f"{r['lat_p99_us'] / 1000:.1f} / {idle['lat_p99_us'] / 1000:.1f} ms, {r['id']} / {idle['id']}"
        if r.get("during_outlasted"):
            detail += "; the flush outlasted the run"
        rows.append(Row(crit, f"{ratio:.3f} ({detail})", req, "pass" if ratio <= FLUSH_P99_OF_IDLE else "FAIL"))
    return rows


def flush_rate_row(crit, e, req):
    deleted = flush_deleted_rows(e.get("output"))
    if e.get("rc", 0) != 0:
        return Row(crit, f"exit {e['rc']}: {(e.get('output') or '').strip()[:80]}", req, "FAIL")
    if not e.get("wall_s"):
        return Row(crit, "no timing", req, "FAIL")
    rate = deleted / e["wall_s"]
    status = "pass" if rate >= FLUSH_ROWS_PER_S else "FAIL"
    detail = f"{deleted:,} rows in {e['wall_s']} s"
    if deleted == 0:
        detail += "; nothing to delete"
    return Row(crit, f"{fmt_rate(rate)} ({detail})", req, status)


def password_rows(run):
    crit = "password grant `/oauth/token` (SQLite) / argon2id verify/s on every core"
    req = f">= {PASSWORD_OF_ARGON2_FLOOR:.2f}"
    r = run.rec("s_password_oauth")
    floor, procs = run.argon2_floor()
    if r is None:
        return [not_run(crit, req, "no s_password_oauth")]
    if not floor:
        return [not_run(crit, req, "no crypto phase")]
    return [at_least(crit, r["rps"] / floor, PASSWORD_OF_ARGON2_FLOOR,
                     f"{fmt_rate(r['rps'])} req/s of {fmt_rate(floor)} verify/s on {procs} processes")]


def memory_rows(run):
    crit = "peak RSS (VmHWM) of the Sesame server, every phase"
    req = f"< {PEAK_RSS_KIB // 1024} MiB"
    mem = [e for e in run.extra if e.get("kind") == "memory" and e.get("side") == "sesame"]
    if not mem:
        return [not_run(crit, req, "no Sesame phase")]
    top = max(mem, key=lambda e: e["vmhwm_kib"])
    return [Row(crit, f"{top['vmhwm_kib'] / 1024:.1f} MiB ({top['what']}; the largest of {len(mem)})", req,
                "pass" if top["vmhwm_kib"] < PEAK_RSS_KIB else "FAIL")]


def error_rows(run):
    crit = "every recorded run with zero errors (non-2xx, socket errors, broken chains; finding runs aside)"
    counted = [r for r in run.records.values() if not r.get("finding_run")]
    if not counted:
        return [not_run(crit, "0", "no runs")]
    bad = [r["id"] for r in counted if not r.get("valid")]
    measured = f"{len(bad)} of {len(counted)} runs" + (f": {', '.join(bad)}" if bad else "")
    return [Row(crit, measured, "0", "FAIL" if bad else "pass")]


def criteria(run):
    rows = []
    rows += refresh_rows(run)
    rows += verify_path_rows(run)
    rows += paired_rows(run, "pg_", "PostgreSQL / SQLite",
                        lambda i: PG_REFRESH_OF_SQLITE if "refresh" in i else PG_OTHER_OF_SQLITE,
                        f"refresh >= {PG_REFRESH_OF_SQLITE:.2f}, others >= {PG_OTHER_OF_SQLITE:.2f}")
    rows += paired_rows(run, "x_", "seeded database / small database", lambda i: SCALE_OF_SMALL,
                        f">= {SCALE_OF_SMALL:.2f}", skip=during_flush)
    rows += flush_rows(run)
    rows += password_rows(run)
    rows += memory_rows(run)
    rows += error_rows(run)
    return rows


def render(run, rows):
    lines = [f"## Floors (bench/floor_check.py, {run.cores} cores)", "",
             "| criterion | measured | required | pass |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.criterion} | {r.measured} | {r.required} | {r.status} |")
    busy = [r["id"] for r in run.records.values() if r.get("not_quiet") or r.get("other_cores", 0) > 0.25]
    if busy:
        lines += ["", f"Measured while other processes used the machine (read with care): {', '.join(busy)}."]
    failed = [r for r in rows if r.status == "FAIL"]
    lines += ["", f"{len([r for r in rows if r.status == 'pass'])} passed, {len(failed)} failed, "
                  f"{len([r for r in rows if r.status == 'not run'])} not run"]
    return "\n".join(lines)


def main(argv):
    args = list(argv[1:])
    if args[:1] == ["--parse-crypto"] and len(args) == 2:
        print(json.dumps(parse_crypto_dir(args[1]), separators=(",", ":")))
        return 0
    cores = None
    if args[:1] == ["--cores"] and len(args) >= 2:
        cores = int(args[1])
        args = args[2:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 1
    try:
        run = Run(args[0], cores)
    except (OSError, ValueError, KeyError) as err:
        print(f"floor_check: {err}", file=sys.stderr)
        return 1
    rows = criteria(run)
    print(render(run, rows))
    return FAIL_EXIT if any(r.status == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
