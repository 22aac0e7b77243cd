"""Run the benchmarks: `python -m benchmarks [--items N] [--seed S]` (what `make bench` runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import pipeline


def main() -> int:
    p = argparse.ArgumentParser(prog="benchmarks")
    p.add_argument("--items", type=int, default=300)
    p.add_argument("--seed", type=int, default=7_001_337, help="a seed no test or sample uses")
    p.add_argument("--workdir", type=Path, default=Path(".bench"))
    args = p.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"== Pipeline accuracy: {args.items} freshly generated items, seed {args.seed} ==")
    out = pipeline.run(args.items, args.seed, args.workdir.resolve())
    print(pipeline.report(out))
    for line in out.missed[:40]:
        print("  ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
