"""argon2id verify with the C reference implementation (argon2-cffi, as the peer benchmark and the
issue's 17.8 ms floor used), at Sesame's default parameters m=19456 KiB, t=2, p=1 (`[argon2]`;
ARGON2_M_COST and ARGON2_T_COST set others, for a server run with other settings); 1 process,
then one per core at once. Prints wall rate and CPU time per verification.

    python3 -m venv /tmp/argon2-venv && /tmp/argon2-venv/bin/pip install argon2-cffi==25.1.0
    /tmp/argon2-venv/bin/python bench/argon2_c_floor.py [seconds]

side_by_side.sh runs it in the peer's venv for its crypto phase.
"""
import os
import sys
import time
from importlib.metadata import version
from multiprocessing import Pool

import argon2

SECS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
M_COST = int(os.environ.get("ARGON2_M_COST", "19456"))
T_COST = int(os.environ.get("ARGON2_T_COST", "2"))
PH = argon2.PasswordHasher(time_cost=T_COST, memory_cost=M_COST, parallelism=1, hash_len=32, salt_len=16)
HASH = PH.hash("bench-password-1")


def run(_):
    n, t0, c0 = 0, time.monotonic(), time.process_time()
    while time.monotonic() - t0 < SECS:
        PH.verify(HASH, "bench-password-1")
        n += 1
    return n, time.monotonic() - t0, time.process_time() - c0


# Guarded: where multiprocessing starts its workers by importing this file (spawn, forkserver),
# they must not run the measurement themselves.
if __name__ == "__main__":
    for procs in (1, os.cpu_count() or 2):
        with Pool(procs) as pool:
            res = pool.map(run, range(procs))
        n = sum(r[0] for r in res)
        wall = max(r[1] for r in res)
        cpu = sum(r[2] for r in res)
        print(f"argon2id verify m={M_COST} t={T_COST} p=1 (argon2-cffi {version('argon2-cffi')}, C reference)  procs={procs}  "
              f"{n / wall:8.1f} ops/s  {cpu * 1e3 / n:8.2f} ms CPU/op")
