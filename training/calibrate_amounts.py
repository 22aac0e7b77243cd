"""`python -m training.calibrate_amounts`: fit the thresholds the two amounts are cross-checked by
(`ocr.amounts.AmountRules`) on a held-out mix of sources, and write them, with what they were
fitted on and what they do there and on data held out, to `ocr/models/amounts.json`.

Every check front of the sources is read once, as the nightly flow reads it, and the evidence
each amount gathered is kept (`ocr.amounts.gather_amounts`); the rules only decide among what was
read, so every candidate set of rules is tried by deciding the same evidence again
(`ocr.amounts.decide_amounts`), with no second reading.

A check posts its amount when both fields read it alike and the surer is at least as sure as the
rules' amount floor (`reconciliation.rules.MIN_AMOUNT_CONFIDENCE`); it is right when that is the
amount the check states in both fields, wrong when it is another or the check states two. The fit
goes over the thresholds one at a time, twice, each over a grid around its hand-set value, and
moves a threshold only to a value that posts more checks right with none wrong on the fitting
mix, and whose next looser value on the grid posts none wrong either (a margin: wrong amounts of
mail not seen come a little beyond the few seen); among values alike, the one nearest the
hand-set value. A wrong amount is the one failure that costs money.

Sources, as for `training.calibrate_rules`: our generator's mail at a seed no test or bench uses,
and the half of the foreign development set (`../shared/data/foreign-checks`) whose file paths a
fixed rule picks (CRC-32 even), fitted on; the other half, and the generator's handwritten checks
with their figures in people's digits from writers the recognizer never trained on
(`sample_data.digits`), held out and measured. The rules are fitted for the recognizer installed
beside them: a retrained recognizer reads otherwise, and the fit is made again with it.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ocr import amounts
from ocr.amounts import RULES_FILE, AmountRules, FieldEvidence, decide_amounts
from training.calibrate_rules import DIGITS, ONE_AMOUNT, arguments, described

ROUNDS = 2
# Each threshold is tried at its hand-set value times these (a probability kept under 1).
STEPS = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0)
# Which way each threshold lets more through: -1 when a lower value does (a floor), +1 when a
# higher one does (a cap), so that "the next looser value" means the same for all.
LOOSER = {
    "agree_floor": -1,
    "verify_legal_floor": -1,
    "verify_ratio": -1,
    "verify_words_posterior": -1,
    "verify_figures_posterior": -1,
    "verify_figures_floor": -1,
    "verify_words_floor": -1,
    "readers_differ_cap": 1,
    "cents_doubt": 1,
    "switch_ratio": -1,
    "switch_floor": -1,
    "sure_winner": -1,
}
FITTED = ("generator", "foreign-fit")
HELD_OUT = ("foreign-held-out", DIGITS)


@dataclass(frozen=True)
class Gathered:
    """One check front's amount evidence, and what the check states."""

    source: str
    court: FieldEvidence
    legal: FieldEvidence
    amount: Decimal | None  # the one amount both fields state; None when they state two


@dataclass(frozen=True)
class Outcome:
    right: int  # posted at the amount the check states
    wrong: int  # posted at another amount, or when the check states two
    held: int  # not posted


def outcome(items: list[Gathered], rules: AmountRules, floor: float) -> Outcome:
    """What `rules` do with the gathered evidence: checks posted right and wrong, and held."""
    right = wrong = held = 0
    for g in items:
        decided = decide_amounts(g.court, g.legal, rules)
        c, lg = decided.courtesy, decided.legal
        posts = (
            c.value is not None
            and c.value == lg.value
            and max(c.confidence, lg.confidence) >= floor
        )
        if not posts:
            held += 1
        elif g.amount is not None and c.value == g.amount:
            right += 1
        else:
            wrong += 1
    return Outcome(right, wrong, held)


def candidates(name: str, hand_set: float) -> list[float]:
    """The grid a threshold is tried over, in order from strictest to loosest."""
    cap = 0.999 if hand_set < 1 else math.inf
    values = sorted({round(min(cap, hand_set * s), 12) for s in STEPS})
    return values if LOOSER[name] > 0 else values[::-1]


def fit(items: list[Gathered], floor: float, log: Callable[[str], None]) -> AmountRules:
    """The rules the fit (see the module's docstring) arrives at from the hand-set ones."""
    hand = AmountRules()
    rules = hand
    for _ in range(ROUNDS):
        for f in fields(AmountRules):
            set_by_hand, current = getattr(hand, f.name), getattr(rules, f.name)
            grid = candidates(f.name, set_by_hand)
            scored = [outcome(items, replace(rules, **{f.name: v}), floor) for v in grid]
            now = scored[grid.index(current)]  # a threshold is always at a value of its grid
            safe = [  # (right, nearness to the hand-set value, place on the grid)
                (o.right, -abs(math.log(v / set_by_hand)), i)
                for i, (v, o) in enumerate(zip(grid, scored, strict=True))
                if o.wrong == 0 and (i + 1 == len(grid) or scored[i + 1].wrong == 0)
            ]
            right, _, i = max(safe, default=(now.right, 0.0, -1))
            if right > now.right:
                log(f"{f.name}: {current:g} -> {grid[i]:g}")
                rules = replace(rules, **{f.name: grid[i]})
    return rules


@contextmanager
def gathering() -> Iterator[list[tuple[FieldEvidence, FieldEvidence]]]:
    """Every check front's amount evidence as the reader gathers it, in reading order."""
    kept: list[tuple[FieldEvidence, FieldEvidence]] = []
    gather = amounts.gather_amounts

    def keep(*args: Any, **kwargs: Any) -> tuple[FieldEvidence, FieldEvidence]:
        found = gather(*args, **kwargs)
        kept.append(found)
        return found

    amounts.gather_amounts = keep  # type: ignore[assignment]
    try:
        yield kept
    finally:
        amounts.gather_amounts = gather  # type: ignore[assignment]


def read_items(
    files: list[tuple[Path, str]], stated: dict[tuple[str, int], Decimal | None], source: str
) -> list[Gathered]:
    """Each file read as the nightly flow reads it; each check front's evidence kept beside the
    amount its truth states (`stated`, by source file and page). Evidence is matched to its page
    by deciding it as the reader did; a front it cannot be matched to is left out."""
    from ocr import PageKind, read_file

    out: list[Gathered] = []
    for path, where in files:
        with gathering() as kept:
            items = read_file(path, where)
        fronts = [
            (item, page) for item in items for page in item.pages if page.kind == PageKind.CHECK
        ]
        for court, legal in kept:
            decided = decide_amounts(court, legal)
            for i, (item, page) in enumerate(fronts):
                if (page.courtesy_amount, page.legal_amount) == (decided.courtesy, decided.legal):
                    key = (item.source_file, item.page)
                    if key in stated:
                        out.append(Gathered(source, court, legal, stated[key]))
                    del fronts[i]
                    break
    return out


def _generator(items: int, seed: int, work: Path, real_digits: bool) -> list[Gathered]:
    from benchmarks.pipeline import generate_mail, load_truth

    sample = generate_mail(items, seed, work, real_digits=1.0 if real_digits else 0.0)
    truth = load_truth(sample)
    stated: dict[tuple[str, int], Decimal | None] = {}
    for t in truth["items"]:
        f = t.get("fields", {})
        if real_digits and not str(f.get("font", "")).startswith("digits:"):
            continue
        c, lg = f.get("courtesy_amount"), f.get("legal_amount")
        if c is None and lg is None:
            continue
        stated[(t["source_file"], int(t["page"]))] = Decimal(c) if c and c == lg else None
    inbox = sample / "inbox"
    files = sorted({(inbox / s, s) for s, _ in stated})
    return read_items(files, stated, DIGITS if real_digits else "generator")


def _foreign(data: Path) -> list[Gathered]:
    from benchmarks.foreign import foreign_half

    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    out: list[Gathered] = []
    for half, source in ((0, "foreign-fit"), (1, "foreign-held-out")):
        stated: dict[tuple[str, int], Decimal | None] = {}
        for t in truth["items"]:
            if foreign_half(t["source_file"]) != half or not t.get("amount"):
                continue
            one = t["category"] in ONE_AMOUNT
            stated[(t["source_file"], int(t.get("page") or 1))] = (
                Decimal(t["amount"]) if one else None
            )
        files = sorted({(data / "inbox" / s, s) for s, _ in stated})
        out += read_items(files, stated, source)
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks.table import render_table
    from reconciliation.rules import MIN_AMOUNT_CONFIDENCE

    args = arguments("training.calibrate_amounts", RULES_FILE, argv)
    work = args.work
    gathered = [
        *_generator(args.items, args.seed, work, real_digits=False),
        *_generator(args.items, args.seed, work, real_digits=True),
        *_foreign(args.foreign.resolve()),
    ]
    floor = MIN_AMOUNT_CONFIDENCE
    mix = [g for g in gathered if g.source in FITTED]
    rules = fit(mix, floor, lambda msg: print(msg, flush=True))
    parts = {"fitting mix": mix} | {s: [g for g in gathered if g.source == s] for s in HELD_OUT}
    measured: dict[str, dict[str, dict[str, int]]] = {}
    rows: list[list[object]] = []
    for label, part in parts.items():
        for kind, r in (("fitted", rules), ("hand-set", AmountRules())):
            o = outcome(part, r, floor)
            measured.setdefault(label, {})[kind] = asdict(o)
            rows.append([label, kind, len(part), o.right, o.wrong, o.held])
    print(render_table(["source", "rules", "checks", "posted right", "posted WRONG", "held"], rows))
    model = json.loads((RULES_FILE.parent / "lines.json").read_text(encoding="utf-8"))
    record = {
        "rules": asdict(rules),
        "hand_set": asdict(AmountRules()),
        "recipe": {
            "command": "python -m training.calibrate_amounts",
            "rule": "one threshold at a time, twice, over its hand-set value times "
            f"{list(STEPS)}: moved only to more checks posted right with none wrong on the "
            "fitting mix and none at the next looser value; nearest the hand-set among alike",
            "amount_floor": floor,
            "recognizer": model.get("recipe", {}).get("command", "python -m training"),
            **described(args),
            "checks": {label: len(part) for label, part in parts.items()},
        },
        "measured": measured,
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
