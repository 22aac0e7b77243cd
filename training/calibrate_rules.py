"""`python -m training.calibrate_rules`: fit the must-review rules' confidence floors on a held-out
mix of sources and write them, with what they were fitted on, to `reconciliation/calibration.json`.

A floor is the confidence under which a reading counts as not read. Each is fitted where a wrong
reading would do harm, as the lowest floor that would have let none of the fitting data's wrong
readings through, raised by a margin (wrong readings of mail not seen score higher than the few
seen), and kept within bounds (agreed amounts never under 0.3: a few hundred readings cannot show
a wrong pair rarer than that, and a wrong amount is the one failure that costs money):

- `amount`: both amounts read alike post when the surer of the two is at least this sure; fitted on
  the readings that agreed, wrong when their value is not the check's amount.
- `date`: a date at least this sure decides stale and post-dated; fitted on the dates read, wrong
  when they decide otherwise than the check's own date: on the other side of the 180-day window
  or of the business date (a date misread inside the window decides nothing wrongly). Our
  generator's truth has each check's date; the foreign set's says only which side it is on (its
  stale and post-dated categories), which is all the rule asks of a date.

Sources: our generator's mail at a seed no test or bench uses, and the half of the foreign
development set (`../shared/data/foreign-checks`) whose file paths a fixed rule picks (CRC-32 even);
the other half is held out, and the floors' outcome on it is printed and recorded beside them, with
the hand-set floors' for comparison. The generator's handwritten checks are read again with their
figures in people's digits from writers the recognizer never trained on (`sample_data.digits`), and
the floors' outcome on them recorded too (`DIGITS`). Every source runs through the nightly flow, so
the readings are exactly what the rules see. About eight minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.foreign import foreign_half
from lockbox.capture import Capture
from reconciliation.codes import ExceptionCode
from reconciliation.rules import date_findings

OUT = Path(__file__).resolve().parents[1] / "reconciliation" / "calibration.json"
SEED = 5_150_001
MARGIN = 0.1  # added to the surest wrong reading seen
BEFORE = {"amount": 0.5, "date": 0.15}  # the floors as set by hand, for comparison
# The floors the rules take as fitted. The date's is fitted and measured but not applied yet: a
# wrong date or two among the few hundred dated checks decides the whole fit.
APPLIED = ("amount",)
BOUNDS = {"amount": (0.3, 0.9), "date": (0.05, 0.9)}
FITTED = ("generator", "foreign-fit")
# Checks whose figures are people's digits are measured beside the fitting mix, not in it, while
# the committed recognizer has never trained on people's digits: it misreads a hand's cents alike
# in the figures and in the words' fraction, and a floor fitted over that would hold most good
# checks of every other source. They join the fitting mix with a model trained on them.
DIGITS = "people's digits"
# What the foreign set's truth states: a check of these categories says its amount in figures and
# words alike (an amount mismatch says two, a blank page none).
ONE_AMOUNT = {
    "normal",
    "coupon",
    "no_memo",
    "unknown",
    "closed",
    "stale",
    "postdated",
    "dup",
    "over",
}
# ... and what its date decides: a stale or post-dated category is dated so, the others are
# dated inside the window (the checks that state one amount state a date too).
DATED = {"stale": (ExceptionCode.STALE_DATED,), "postdated": (ExceptionCode.POST_DATED,)}


@dataclass(frozen=True)
class Reading:
    """One item's readings that a floor decides on, and what the check truly says."""

    source: str  # "generator", "foreign-fit" or "foreign-held-out"
    capture: Capture
    amount: Decimal | None  # the check's one amount, when it states one
    as_of: date | None = None  # the business date the run was made for
    # what the check's own date decides on that business date (`dated_by`), when the truth says
    dated: tuple[ExceptionCode, ...] | None = None


def _half(source_file: str) -> str:
    return "foreign-fit" if foreign_half(source_file) == 0 else "foreign-held-out"


def _generator(items: int, seed: int, work: Path, real_digits: bool = False) -> list[Reading]:
    """Our generator's mail read by the nightly flow; with `real_digits`, only its handwritten
    checks, their figures rewritten in people's digits (writers training never saw)."""
    from benchmarks.foreign import recorded_items
    from benchmarks.pipeline import generate_mail, home_for, load_truth, run_sample

    sample = generate_mail(items, seed, work, real_digits=1.0 if real_digits else 0.0)
    name = f"calibrate-{'digits-' if real_digits else ''}{seed}"
    run_sample(sample, work, name)
    truth = load_truth(sample)
    as_of = date.fromisoformat(truth["as_of"])
    got = recorded_items(home_for(work, name))
    out: list[Reading] = []
    for t in truth["items"]:
        g = got.get((t["source_file"], int(t["page"])))
        if g is None or not g.capture:
            continue
        fields = t.get("fields", {})
        if real_digits and not str(fields.get("font", "")).startswith("digits:"):
            continue
        stated = fields.get("courtesy_amount")
        one = stated if stated and stated == fields.get("legal_amount") else None
        when = fields.get("date")
        out.append(
            Reading(
                DIGITS if real_digits else "generator",
                Capture.from_json(dict(g.capture)),
                Decimal(one) if one else None,
                as_of,
                dated_by(date.fromisoformat(when), as_of) if when else None,
            )
        )
    return out


def _foreign(data: Path, work: Path) -> list[Reading]:
    from benchmarks.foreign import recorded_items, run

    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    as_of = date.fromisoformat(truth["as_of"])
    run(data, work)
    got = recorded_items(work / "foreign" / "home")
    out: list[Reading] = []
    for t in truth["items"]:
        g = got.get((t["source_file"], int(t.get("page") or 1)))
        if g is None or not g.capture:
            continue
        category = t["category"]
        amount = Decimal(t["amount"]) if category in ONE_AMOUNT and t.get("amount") else None
        capture = Capture.from_json(dict(g.capture))
        dated = DATED.get(category, ()) if category in ONE_AMOUNT else None
        out.append(Reading(_half(t["source_file"]), capture, amount, as_of, dated))
    return out


def _amount_scores(readings: Iterable[Reading]) -> list[tuple[float, bool]]:
    """(the surer reading's confidence, right) for every check whose two amounts read alike."""
    out = []
    for r in readings:
        c = r.capture
        if r.amount is None or c.courtesy_amount is None or c.courtesy_amount != c.legal_amount:
            continue
        out.append((max(c.courtesy_confidence, c.legal_confidence), c.courtesy_amount == r.amount))
    return out


def dated_by(day: date, as_of: date) -> tuple[ExceptionCode, ...]:
    """What a check's date decides on the business date, by the rules themselves: stale,
    post-dated, or nothing."""
    return tuple(f.code for f in date_findings(day, 1.0, as_of))


def _date_scores(readings: Iterable[Reading]) -> list[tuple[float, bool]]:
    """(confidence, right) for every date read: right when it decides what the check's does."""
    out = []
    for r in readings:
        read = r.capture.check_date
        if r.dated is None or r.as_of is None or read is None:
            continue
        out.append((r.capture.date_confidence, dated_by(read, r.as_of) == r.dated))
    return out


def fit_floor(scores: list[tuple[float, bool]], bounds: tuple[float, float]) -> float:
    """The lowest floor over every wrong reading's confidence, plus the margin, to 0.05 up."""
    worst = max((s for s, right in scores if not right), default=0.0)
    floor = math.ceil((worst + MARGIN) * 20 - 1e-9) / 20
    return round(min(bounds[1], max(bounds[0], floor)), 2)


def outcome(scores: list[tuple[float, bool]], floor: float) -> dict[str, int]:
    """What a floor does: readings let through right and wrong, and readings held."""
    return {
        "through_right": sum(1 for s, right in scores if s >= floor and right),
        "through_wrong": sum(1 for s, right in scores if s >= floor and not right),
        "held": sum(1 for s, _ in scores if s < floor),
    }


def _table(rows: list[list[object]]) -> str:
    from benchmarks.table import render_table

    head = ["floor", "source", "value", "readings", "through, right", "through, WRONG", "held"]
    return render_table(head, rows)


def arguments(prog: str, out: Path, argv: list[str] | None) -> argparse.Namespace:
    """The options every calibration takes: its sources (the fitting mix and what is held out),
    the work folder they are read in (the generated mail kept there is shared), its record."""
    from benchmarks.foreign import DEFAULT_DIR

    p = argparse.ArgumentParser(prog=f"python -m {prog}")
    p.add_argument("--items", type=int, default=200, help="generated mail items")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--foreign", type=Path, default=DEFAULT_DIR)
    p.add_argument("--work", type=Path, default=Path(".bench") / "calibrate")
    p.add_argument("--out", type=Path, default=out)
    args = p.parse_args(argv)
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    return args


def described(args: argparse.Namespace) -> dict[str, Any]:
    """The sources, as a calibration's record names them."""
    return {
        "generator": {"seed": args.seed, "items": args.items},
        DIGITS: "the generator's handwritten checks again, their figures in the digits of"
        " writers held out of training (sample_data.digits); measured, not fitted",
        "foreign": "the development set's half whose path's CRC-32 is even; the odd half held out",
    }


def main(argv: list[str] | None = None) -> int:
    args = arguments("training.calibrate_rules", OUT, argv)
    work = args.work
    readings = [
        *_generator(args.items, args.seed, work),
        *_generator(args.items, args.seed, work, real_digits=True),
        *_foreign(args.foreign.resolve(), work),
    ]
    fit = [r for r in readings if r.source in FITTED]
    held = [r for r in readings if r.source == "foreign-held-out"]
    digits = [r for r in readings if r.source == DIGITS]
    scorers = {"amount": _amount_scores, "date": _date_scores}
    fitted = {name: fit_floor(scorers[name](fit), BOUNDS[name]) for name in scorers}
    floors = {name: fitted[name] if name in APPLIED else BEFORE[name] for name in scorers}
    rows: list[list[object]] = []
    measured: dict[str, Any] = {}
    for name, scorer in scorers.items():
        parts = (("fitting mix", fit), ("foreign, held out", held), (DIGITS, digits))
        for label, part in parts:
            scores = scorer(part)
            if not scores:
                continue
            for kind, value in (("fitted", fitted[name]), ("hand-set", BEFORE[name])):
                o = outcome(scores, value)
                rows.append([name, label, f"{kind} {value}", len(scores), *o.values()])
                measured.setdefault(name, {}).setdefault(label, {})[kind] = o
    print(_table(rows))
    sources = {
        s: sum(1 for r in readings if r.source == s)
        for s in dict.fromkeys(r.source for r in readings)
    }
    record = {
        "floors": floors,
        "fitted": fitted,
        "applied": list(APPLIED),
        "recipe": {
            "command": "python -m training.calibrate_rules",
            "rule": f"lowest floor over every wrong reading of the fitting mix, + {MARGIN}, to"
            " 0.05 up, within bounds",
            "bounds": BOUNDS,
            **described(args),
            "items": sources,
        },
        "measured": measured,
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: floors {floors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
