"""Run the benchmarks: `python -m benchmarks [--only ledger|pipeline] [--items N] [--seed S]`.

What `make bench` runs: both by default. The ledger part uses PostgreSQL too when --postgres-url
(or LOCKBOX_TEST_POSTGRES_URL) names a reachable server.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from benchmarks import ledger, pipeline


def main() -> int:
    p = argparse.ArgumentParser(prog="benchmarks")
    p.add_argument("--items", type=int, default=300)
    p.add_argument("--seed", type=int, default=7_001_337, help="a seed no test or sample uses")
    p.add_argument("--workdir", type=Path, default=Path(".bench"))
    p.add_argument("--only", choices=["ledger", "pipeline"], help="run one part (default: both)")
    p.add_argument("--payments", type=int, default=10_000, help="ledger: payments to post")
    p.add_argument("--loans", type=int, default=100_000, help="ledger: loans in the late-fee pass")
    p.add_argument(
        "--postgres-url",
        default=os.environ.get("LOCKBOX_TEST_POSTGRES_URL"),
        help="ledger: also on PostgreSQL, in a throw-away schema (default LOCKBOX_TEST_POSTGRES_URL)",
    )
    args = p.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "pipeline"):
        print(f"== Pipeline accuracy: {args.items} freshly generated items, seed {args.seed} ==")
        out = pipeline.run(args.items, args.seed, args.workdir.resolve())
        print(pipeline.report(out))
        for line in out.missed[:40]:
            print("  ", line)
    if args.only in (None, "ledger"):
        if args.only is None:
            print()
        print(
            f"== Ledger: {args.payments:,} payments posted, late fees over {args.loans:,} loans =="
        )
        print(ledger.run(args.payments, args.loans, args.workdir.resolve(), args.postgres_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
