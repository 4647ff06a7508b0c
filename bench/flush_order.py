#!/usr/bin/env python3
"""How fast the expiry cleanup's statements delete refresh tokens, by the order of their ids.

Builds (once, cached under $WORK) a SQLite copy of Sesame's `refresh_tokens` table and indexes
with N rows issued over 60 days (80 % expired, users spread over 100,000 ids), with random ids
(uuid4, as Sesame wrote them before) or time-ordered ones (UUIDv7, as it writes them now), then
deletes every expired row with the statements `store::delete_batch` sends (the ids of the next
`batch` rows in expiry order, then `DELETE ... WHERE id IN (...)`), and prints rows per second,
CPU, and the largest write-ahead log seen. The server is not involved: this isolates what the
storage costs.

    python3 bench/flush_order.py random|time [--batch 1000] [--cache -2000] [--rows 1000000]
        [--drop INDEX ...]

The schema is read from a database migrated by the Sesame binary named by $SESAME_BIN
(default target/release/sesame).
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FMT = "(strftime('%Y-%m-%dT%H:%M:%f', {}) || '000000+00:00')"
IDS = {
    "random": "lower(hex(randomblob(16)))",
    "time": "printf('%012x', CAST((jd - 2440587.5) * 86400000 AS INTEGER)) || '7'"
    " || substr(lower(hex(randomblob(10))), 1, 19)",
}


def schema(work: Path) -> str:
    """The refresh_tokens table as Sesame's migrations make it, without its foreign key."""
    db = work / "schema.db"
    if not db.exists():
        binary = os.environ.get("SESAME_BIN", str(ROOT / "target/release/sesame"))
        env = {"PATH": os.environ["PATH"], "SESAME_DATABASE_URL": f"sqlite://{db}?mode=rwc",
               "SESAME_KEYS_DIR": str(work / "keys")}
        (work / "none.toml").write_text("")
        subprocess.run([binary, "--config", str(work / "none.toml"), "migrate"], env=env,
                       check=True, capture_output=True)
    con = sqlite3.connect(db)
    sql = [r[0] for r in con.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'refresh_tokens' AND sql IS NOT NULL")]
    con.close()
    table = sql[0].replace(
        ', FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE', "")
    return ";\n".join([table] + sql[1:]) + ";"


def seed(path: Path, ids: str, rows: int, ddl: str) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA cache_size=-262144")
    con.executescript(ddl)
    con.execute("BEGIN")
    con.execute(f"""
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n),
base AS MATERIALIZED (SELECT (abs(random()) % 1000000) / 1e6 AS r,
  (abs(random()) % 1000000) / 1e6 AS r2, 1 + abs(random()) % 100000 AS uid FROM seq),
t AS MATERIALIZED (SELECT uid,
  CASE WHEN r < 0.80 THEN :now - 1 - r2 * 59 ELSE :now - r2 * 23 / 24.0 END AS jd FROM base)
INSERT INTO refresh_tokens (jti, family_id, parent_jti, user_id, client_id, scope, auth_time,
                            issued_at, expires_at)
SELECT {ids}, {ids}, NULL, uid, 'client', 'read', {FMT.format('jd')}, {FMT.format('jd')},
       {FMT.format('jd + 1')}
FROM t ORDER BY jd""", {"n": rows, "now": con.execute("SELECT julianday('now')").fetchone()[0]})
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ids", choices=sorted(IDS))
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--cache", type=int, default=-2000, help="PRAGMA cache_size")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--drop", nargs="*", default=[], help="indexes to drop first")
    args = parser.parse_args()
    work = Path(os.environ.get("WORK", Path(tempfile.gettempdir()) / "sesame-flush-order"))
    work.mkdir(parents=True, exist_ok=True)
    seeded = work / f"seed-{args.ids}-{args.rows}.db"
    if not seeded.exists():
        seed(seeded, IDS[args.ids], args.rows, schema(work))
    db = work / "work.db"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(seeded, db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(f"PRAGMA cache_size={args.cache}")
    for index in args.drop:
        con.execute(f'DROP INDEX "{index}"')
    now = con.execute(f"SELECT {FMT.format(repr('now'))}").fetchone()[0]
    wal = Path(f"{db}-wal")
    started, cpu, deleted, largest_wal = time.time(), os.times(), 0, 0
    while True:
        ids = [r[0] for r in con.execute(
            "SELECT id FROM refresh_tokens WHERE expires_at < ? ORDER BY expires_at, id LIMIT ?",
            (now, args.batch))]
        if not ids:
            break
        con.execute(f"DELETE FROM refresh_tokens WHERE id IN ({','.join(map(str, ids))})")
        deleted += len(ids)
        largest_wal = max(largest_wal, wal.stat().st_size if wal.exists() else 0)
    elapsed, used = time.time() - started, os.times()
    print(f"{args.ids} ids, batch {args.batch}, cache_size {args.cache}"
          f"{', without ' + ' '.join(args.drop) if args.drop else ''}: {deleted} rows in"
          f" {elapsed:.1f} s = {deleted / elapsed:,.0f} rows/s; CPU user"
          f" {used.user - cpu.user:.1f} s, sys {used.system - cpu.system:.1f} s;"
          f" largest WAL {largest_wal / 1048576:.0f} MiB")


if __name__ == "__main__":
    main()
