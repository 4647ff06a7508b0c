#!/usr/bin/env python3
"""Tests of floor_check.py on run directories built here, with records shaped as side_by_side.sh
writes them (measure()'s jq program, stop_sesame's memory records, run_flush's flush records, the
crypto/ files). Standard library only:

    python3 bench/floor_check_test.py
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import floor_check  # noqa: E402

# `openssl speed -seconds 3 rsa2048 ecdsap256 ed25519` as OpenSSL 3.0 prints it (tail).
OPENSSL_30 = """OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)
version: 3.0.19
built on: Fri Apr  3 12:29:32 2026 UTC
options: bn(64,64)
                  sign    verify    sign/s verify/s
rsa 2048 bits 0.000250s 0.000020s   4000.0  50000.0
                              sign    verify    sign/s verify/s
 256 bits ecdsa (nistp256)   0.0000s   0.0001s  50000.0  16000.0
                              sign    verify    sign/s verify/s
 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  30000.0  11000.0
"""
# OpenSSL 3.2 and later: encrypt and decrypt columns, rates last.
OPENSSL_32 = """OpenSSL 3.3.1 4 Jun 2024 (Library: OpenSSL 3.3.1 4 Jun 2024)
                   sign    verify    encrypt   decrypt   sign/s verify/s  encr./s  decr./s
rsa  2048 bits 0.000512s 0.000015s 0.000016s 0.000534s   1953.1  66666.7  62500.0   1872.7
"""
ARGON2 = """argon2id verify m=19456 t=2 p=1 (argon2-cffi ) procs=1     55.0 ops/s    18.10 ms CPU/op
argon2id verify m=19456 t=2 p=1 (argon2-cffi ) procs=2    110.0 ops/s    18.12 ms CPU/op
"""


def wrk_record(run_id, side, rps, p99_ms=10.0, server_us=500.0, secs=12.0, errors=0, finding=False, **more):
    """One results.jsonl line as measure() writes it: wrk's WRKJSON plus the jq additions."""
    requests = int(rps * secs)
    rec = {
        "requests": requests, "duration_us": int(secs * 1e6), "bytes": requests * 500,
        "err_connect": 0, "err_read": 0, "err_write": 0, "err_status": errors, "err_timeout": 0,
        "script_bad": 0, "script_dry": 0, "lat_mean_us": p99_ms * 400, "lat_p50_us": int(p99_ms * 400),
        "lat_p90_us": int(p99_ms * 800), "lat_p99_us": int(p99_ms * 1000), "lat_max_us": int(p99_ms * 1500),
        "id": run_id, "side": side, "label": f"label of {run_id}", "script": "x.lua", "attempt": 1,
        "conns": 32, "threads": 2, "duration": f"{int(secs)}s",
        "server_cpu_s": server_us * requests / 1e6, "client_cpu_s": 1.0, "busy_cpu_s": 20.0, "db_cpu_s": 0,
        "other_cpu_s": 0.1, "server_error_logs": 0, "server_warn_logs": 0, "server_rss_kib_after": 20000,
        "quiet_waited_s": 0, "quiet_pct_before": 3, "not_quiet": False,
    }
    rec["secs"] = rec["duration_us"] / 1e6
    rec["rps"] = rec["requests"] / rec["secs"]
    rec["non2xx"] = rec["err_status"]
    rec["chain_breaks"] = rec["script_bad"] + rec["script_dry"]
    rec["sock_errors"] = 0
    rec["server_cores"] = rec["server_cpu_s"] / rec["secs"]
    rec["client_cores"] = rec["client_cpu_s"] / rec["secs"]
    rec["db_cores"] = 0
    rec["other_cores"] = rec["other_cpu_s"] / rec["secs"]
    rec["server_cpu_us_per_req"] = rec["server_cpu_s"] * 1e6 / requests if requests else None
    rec["valid"] = errors == 0
    rec["finding_run"] = finding
    rec.update(more)
    return rec


def memory(what, hwm_mib):
    return {"kind": "memory", "side": "sesame", "what": what, "vmhwm_kib": int(hwm_mib * 1024),
            "vmrss_kib": int(hwm_mib * 900), "pss_kib": int(hwm_mib * 880)}


def flush(where, deleted, wall_s, rc=0):
    out = (f"deleted {deleted} expired refresh tokens and 0 expired revocations\n"
           "deleted 0 expired sessions, 0 old authorization codes and 0 old login attempts")
    return {"kind": "flush", "where": where, "before": "1000200 rows, 800100 expired", "rc": rc, "output": out,
            "wall_s": wall_s, "user_s": wall_s * 0.6, "sys_s": wall_s * 0.2, "max_rss_kib": 30000,
            "db_size_mib_before": 290}


# The floors of the synthetic machine: 2 cores, RS256 sign 4,000/s and verify 50,000/s (20 µs)
# on one core, argon2id 110/s on 2 processes, JWKS at 14 µs of server CPU per request; so the
# refresh floor is 8,000/s and the /api/me/ floor 2 x 1e6 / (14 + 20) = 58,824/s.
def passing_run():
    results = [
        wrk_record("s_refresh_oauth", "sesame", 6400),            # 0.80 of 8,000
        wrk_record("s_refresh_api", "sesame", 6100),              # 0.76
        wrk_record("s_me", "sesame", 42000),                      # 0.71 of 58,824
        wrk_record("s_verify", "sesame", 45000),
        wrk_record("s_login_api", "sesame", 106),
        wrk_record("s_password_oauth", "sesame", 106),            # 0.96 of 110
        wrk_record("s_login_api_1acct", "sesame", 30, errors=500, finding=True),
        wrk_record("s_introspect", "sesame", 45000),              # 0.77
        wrk_record("s_jwks", "sesame", 80000, server_us=14.0),
        wrk_record("s_client_creds", "sesame", 3500),
        wrk_record("p_refresh_rs256", "peer", 150),
        wrk_record("p_me", "peer", 1100),
        wrk_record("pg_refresh_oauth", "sesame", 5500),           # 0.86
        wrk_record("pg_refresh_api", "sesame", 5300),             # 0.87
        wrk_record("pg_me", "sesame", 40000),                     # 0.95
        wrk_record("pg_introspect", "sesame", 43000),             # 0.96
        wrk_record("pg_password_oauth", "sesame", 105),           # 0.99
        wrk_record("x_refresh_oauth", "sesame", 6200, p99_ms=20.0),
        wrk_record("x_refresh_api", "sesame", 6000),
        wrk_record("x_me", "sesame", 41000),
        wrk_record("x_password_oauth", "sesame", 104),
        wrk_record("x_introspect", "sesame", 44000),
        wrk_record("x_refresh_flush", "sesame", 5000, p99_ms=29.0, during="sesame tokens flush",
                   idle_twin="x_refresh_oauth", during_outlasted=False),
    ]
    extra = [
        {"kind": "run", "cores": 2, "phases": "crypto sesame peer pg scale", "started": "2026-12-01T06:00:00Z",
         "sesame_bin": "/x/target/release/sesame", "sesame_sha256_16": "0123456789abcdef"},
        {"kind": "crypto", **floor_check.parse_openssl_speed(OPENSSL_30),
         "argon2_verify": [{"procs": p, **v} for p, v in sorted(floor_check.parse_argon2(ARGON2).items())]},
        memory("SQLite, whole sesame phase", 40.0),
        {"kind": "memory", "side": "peer", "what": "RS256 MD5", "processes": 4, "vmhwm_sum_kib": 400000,
         "vmrss_sum_kib": 390000, "pss_sum_kib": 200000},
        memory("PostgreSQL phase", 35.0),
        memory("SQLite seeded", 50.0),
        flush("alone", 800100, 4.0),                              # 200,025 rows/s
        flush("while serving refresh (x_refresh_flush)", 800100, 9.5),
        memory("SQLite seeded copy, refresh during tokens flush", 52.0),
    ]
    return results, extra


def write_run(results, extra, crypto_files=True, header=None):
    d = tempfile.mkdtemp(prefix="floor-check-test.")
    with open(os.path.join(d, "results.jsonl"), "w") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    with open(os.path.join(d, "extra.jsonl"), "w") as f:
        for e in extra:
            f.write(json.dumps(e) + "\n")
    if crypto_files:
        os.makedirs(os.path.join(d, "crypto"))
        with open(os.path.join(d, "crypto", "openssl.txt"), "w") as f:
            f.write(OPENSSL_30)
        with open(os.path.join(d, "crypto", "argon2.txt"), "w") as f:
            f.write(ARGON2)
    if header:
        with open(os.path.join(d, "header.md"), "w") as f:
            f.write(header)
    return d


def rows_of(d, cores=None):
    run = floor_check.Run(d, cores)
    return run, floor_check.criteria(run)


def status(rows, text):
    found = [r for r in rows if text in r.criterion]
    assert found, f"no criterion contains {text!r}: {[r.criterion for r in rows]}"
    return [r.status for r in found]


def replace(results, run_id, **changes):
    return [dict(r, **changes) if r["id"] == run_id else r for r in results]


def scaled(results, run_id, rps):
    return [wrk_record(run_id, r["side"], rps, p99_ms=r["lat_p99_us"] / 1000,
                       server_us=r["server_cpu_us_per_req"]) if r["id"] == run_id else r for r in results]


class Parsing(unittest.TestCase):
    def test_openssl_30(self):
        self.assertEqual(floor_check.parse_openssl_speed(OPENSSL_30),
                         {"rsa2048_sign_per_s": 4000.0, "rsa2048_verify_per_s": 50000.0})

    def test_openssl_32_has_more_columns(self):
        self.assertEqual(floor_check.parse_openssl_speed(OPENSSL_32),
                         {"rsa2048_sign_per_s": 1953.1, "rsa2048_verify_per_s": 66666.7})

    def test_argon2(self):
        self.assertEqual(floor_check.parse_argon2(ARGON2)[2], {"ops_per_s": 110.0, "cpu_ms_per_op": 18.12})

    def test_flush_output(self):
        self.assertEqual(floor_check.flush_deleted_rows(flush("alone", 123, 1)["output"]), 123)
        out = ("deleted 5 expired refresh tokens and 2 expired revocations\n"
               "deleted 1 expired sessions, 3 old authorization codes and 4 old login attempts")
        self.assertEqual(floor_check.flush_deleted_rows(out), 15)


class Criteria(unittest.TestCase):
    def test_a_passing_run_passes(self):
        run, rows = rows_of(write_run(*passing_run()))
        self.assertEqual(run.cores, 2)
        failed = [(r.criterion, r.measured) for r in rows if r.status == "FAIL"]
        self.assertEqual(failed, [])
        self.assertNotIn("not run", [r.status for r in rows])
        # 2 refresh, 2 verify paths, 5 pg, 5 scale, flush rate, flush p99, password, memory, errors
        self.assertEqual(len([r for r in rows if r.status == "pass"]), 19)

    def test_refresh_floor_is_two_cores_of_signing(self):
        results, extra = passing_run()
        results = scaled(results, "s_refresh_api", 5990)          # 0.749 of 8,000
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "`/api/token/refresh/`"), ["FAIL"])
        self.assertEqual(status(rows, "`/oauth/token` refresh grant"), ["pass"])

    def test_verify_paths_against_jwks_plus_one_verify(self):
        results, extra = passing_run()
        expected = 2 * 1e6 / (14.0 + 20.0)
        _, rows = rows_of(write_run(scaled(results, "s_me", 0.71 * expected), extra))
        self.assertEqual(status(rows, "`GET /api/me/`"), ["pass"])
        _, rows = rows_of(write_run(scaled(results, "s_me", 0.69 * expected), extra))
        self.assertEqual(status(rows, "`GET /api/me/`"), ["FAIL"])
        # A slower HTTP floor lowers the bar: JWKS at 30 µs/req, 2e6 / 50 = 40,000 req/s.
        slow_jwks = [wrk_record("s_jwks", "sesame", 50000, server_us=30.0) if r["id"] == "s_jwks" else r
                     for r in scaled(results, "s_me", 0.69 * expected)]
        _, rows = rows_of(write_run(slow_jwks, extra))
        self.assertEqual(status(rows, "`GET /api/me/`"), ["pass"])

    def test_postgresql_refresh_085_others_095(self):
        results, extra = passing_run()
        results = scaled(results, "pg_refresh_oauth", 0.84 * 6400)
        results = scaled(results, "pg_me", 0.94 * 42000)
        results = scaled(results, "pg_introspect", 0.94 * 45000 + 100)  # 0.942: below 0.95
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "pg_refresh_oauth"), ["FAIL"])
        self.assertEqual(status(rows, "pg_refresh_api"), ["pass"])  # 0.87 >= 0.85
        self.assertEqual(status(rows, "pg_me"), ["FAIL"])
        self.assertEqual(status(rows, "pg_introspect"), ["FAIL"])
        self.assertEqual(status(rows, "pg_password_oauth"), ["pass"])

    def test_scale_every_path_095_and_the_flush_run_is_not_a_path(self):
        results, extra = passing_run()
        results = scaled(results, "x_password_oauth", 0.9 * 106)
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "x_password_oauth"), ["FAIL"])
        self.assertEqual(status(rows, "x_me"), ["pass"])
        self.assertFalse([r for r in rows if "x_refresh_flush / " in r.criterion])

    def test_flush_rate_and_p99(self):
        results, extra = passing_run()
        extra = [flush("alone", 800100, 9.0) if e.get("where") == "alone" else e for e in extra]   # 88,900/s
        results = replace(results, "x_refresh_flush", lat_p99_us=31000)                            # 1.55x
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "server stopped"), ["FAIL"])
        self.assertEqual(status(rows, "p99 while"), ["FAIL"])
        self.assertEqual(status(rows, "while serving refresh"), ["info"])

    def test_a_failed_flush_fails(self):
        results, extra = passing_run()
        extra = [flush("alone", 0, 0.3, rc=1) if e.get("where") == "alone" else e for e in extra]
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "server stopped"), ["FAIL"])

    def test_password_against_argon2_on_every_core(self):
        results, extra = passing_run()
        _, rows = rows_of(write_run(scaled(results, "s_password_oauth", 104), extra))   # 0.945
        self.assertEqual(status(rows, "password grant"), ["FAIL"])

    def test_peak_rss(self):
        results, extra = passing_run()
        extra.append(memory("PostgreSQL phase, again", 64.0))
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "peak RSS"), ["FAIL"])
        self.assertIn("64.0 MiB (PostgreSQL phase, again", [r for r in rows if "peak RSS" in r.criterion][0].measured)

    def test_errors_fail_but_finding_runs_do_not_count(self):
        results, extra = passing_run()
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "zero errors"), ["pass"])   # s_login_api_1acct had 500 non-2xx
        results = replace(results, "p_me", err_status=3, non2xx=3, valid=False)
        _, rows = rows_of(write_run(results, extra))
        self.assertEqual(status(rows, "zero errors"), ["FAIL"])
        self.assertIn("p_me", [r for r in rows if "zero errors" in r.criterion][0].measured)

    def test_phases_not_run_do_not_fail(self):
        results, extra = passing_run()
        results = [r for r in results if r["id"].startswith("p_")]
        extra = [e for e in extra if e["kind"] in ("run",)]
        d = write_run(results, extra, crypto_files=False)
        _, rows = rows_of(d)
        self.assertEqual({r.status for r in rows} - {"not run"}, {"pass"})   # only the errors row ran
        self.assertEqual(subprocess.run([sys.executable, os.path.join(HERE, "floor_check.py"), d],
                                        capture_output=True).returncode, 0)

    def test_crypto_from_the_files_of_an_older_run(self):
        results, extra = passing_run()
        extra = [e for e in extra if e["kind"] not in ("crypto", "run")]
        run, rows = rows_of(write_run(results, extra, header="- machine: X, nproc 4, 23.5 GiB RAM\n"))
        self.assertEqual(run.crypto["rsa2048_sign_per_s"], 4000.0)
        self.assertEqual(run.cores, 4)          # from header.md: a 4-core floor of 16,000 sign/s
        self.assertEqual(status(rows, "`/oauth/token` refresh grant"), ["FAIL"])
        run, rows = rows_of(write_run(results, extra, header="- machine: X, nproc 4\n"), cores=2)
        self.assertEqual(status(rows, "`/oauth/token` refresh grant"), ["pass"])


class CommandLine(unittest.TestCase):
    def run_check(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, "floor_check.py"), *args],
                              capture_output=True, text=True)

    def test_exit_codes_and_table(self):
        results, extra = passing_run()
        ok = self.run_check(write_run(results, extra))
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("| criterion | measured | required | pass |", ok.stdout)
        bad = self.run_check(write_run(scaled(results, "s_refresh_oauth", 100), extra))
        self.assertEqual(bad.returncode, 3)
        self.assertIn("| FAIL |", bad.stdout)
        self.assertEqual(self.run_check(tempfile.mkdtemp()).returncode, 1)

    def test_parse_crypto(self):
        d = write_run(*passing_run())
        out = self.run_check("--parse-crypto", os.path.join(d, "crypto"))
        rec = json.loads(out.stdout)
        self.assertEqual(rec["kind"], "crypto")
        self.assertEqual(rec["rsa2048_verify_per_s"], 50000.0)
        self.assertEqual([a["procs"] for a in rec["argon2_verify"]], [1, 2])


if __name__ == "__main__":
    unittest.main(verbosity=1)
