"""`python -m training.calibrate_fields`: fit the thresholds the two amounts are cross-checked by
(`ocr.amounts.AmountRules`) and the date is decided by (`ocr.fields.DateRules`) on a held-out mix
of sources, and write each set, with what it was fitted on and what it does there and on data held
out, beside the recognizer (`ocr/models/amounts.json`, `ocr/models/dates.json`).

Every check front of the sources is read once, as the nightly flow reads it, and the evidence each
field gathered is kept (`ocr.amounts.gather_amounts`, and the date's reads as they are handed to
`ocr.fields.decide_date`); thresholds only decide among what was read, so every candidate set is
tried by deciding the same evidence again (`decide_amounts`, `decide_date`), with no second reading.

A check posts its amount when both fields read it alike and the surer is at least as sure as the
rules' amount floor (`reconciliation.rules.MIN_AMOUNT_CONFIDENCE`); it is right when that is the
amount the check states in both fields, wrong when it is another or the check states two. A date
decides what the rules make of it (`reconciliation.rules.date_findings`: stale, post-dated, not
read well enough, or nothing); it is right when that is what the check's own date decides, held
when not read well enough, and wrong otherwise: a stale or post-dated check that would post, or a
good one held for a date it does not have.

The fit goes over a set's thresholds one at a time, twice, each over a grid around its hand-set
value, and moves a threshold only to a value that decides more checks right with none wrong on the
fitting mix, and whose next looser value on the grid decides none wrong either (a margin: wrong
readings of mail not seen come a little beyond the few seen); among values alike, the one nearest
the hand-set value.

Sources, as for `training.calibrate_rules`: our generator's mail at a seed no test or bench uses,
and the half of the foreign development set (`../shared/data/foreign-checks`) whose file paths a
fixed rule picks (CRC-32 even), fitted on; the other half, and the generator's handwritten checks
with their figures in people's digits from writers the recognizer never trained on
(`sample_data.digits`), held out and measured. Our generator's truth states each check's date; the
foreign set's only which side of the window it is on (its stale and post-dated categories), which
is all a date decides. The thresholds are fitted for the recognizer installed beside them: a
retrained recognizer reads otherwise, and the fit is made again with it.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from ocr import amounts
from ocr import fields as field_reading
from ocr.amounts import RULES_FILE, AmountRules, FieldEvidence, decide_amounts
from ocr.fields import DATES_FILE, DateRules, FieldJob, decide_date
from reconciliation.codes import ExceptionCode
from reconciliation.rules import date_findings
from training.calibrate_rules import DATED, DIGITS, ONE_AMOUNT, arguments, dated_by, described

ROUNDS = 2
# Each threshold is tried at its hand-set value times these (a probability kept under 1).
STEPS = (0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0)
# Which way each threshold lets more through: -1 when a lower value does (a floor), +1 when a
# higher one does (a cap), so that "the next looser value" means the same for all.
AMOUNT_LOOSER = {
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
DATE_LOOSER = {
    "doubled_ratio": 1,  # more reads taken for a lost digit
    "doubled_weight": 1,
    "confirm_below": 1,  # more dates settled by the line's pixels
    "posterior": -1,
    "floor": -1,
}
FITTED = ("generator", "foreign-fit")
HELD_OUT = ("foreign-held-out", DIGITS)
Rules = TypeVar("Rules", AmountRules, DateRules)


@dataclass(frozen=True)
class Front:
    """One check front's gathered evidence, and what the check states."""

    source: str
    court: FieldEvidence
    legal: FieldEvidence
    amount: Decimal | None  # the one amount both fields state; None when they state two
    date_reads: FieldJob[date] | None = (
        None  # the date's reads, when the truth says what it decides
    )
    dated: tuple[ExceptionCode, ...] = ()  # what the check's own date decides ...
    as_of: date | None = None  # ... on the business date the mail was read for


@dataclass(frozen=True)
class Outcome:
    right: int  # posted at the amount the check states; a date deciding what the check's does
    wrong: int  # posted at another amount or when the check states two; a date deciding otherwise
    held: int  # not posted; a date not read well enough to decide


def amount_outcome(fronts: list[Front], rules: AmountRules, floor: float) -> Outcome:
    """What `rules` do with the gathered amounts: checks posted right and wrong, and held."""
    right = wrong = held = 0
    for g in fronts:
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


def date_outcome(fronts: list[Front], rules: DateRules) -> Outcome:
    """What `rules` do with the gathered dates: dates deciding right and wrong, and held."""
    right = wrong = held = 0
    for g in fronts:
        if g.date_reads is None or g.as_of is None:
            continue
        when = decide_date(g.date_reads, rules)
        found = date_findings(when.value, when.confidence, g.as_of, others=when.others)
        decides = tuple(f.code for f in found)
        if ExceptionCode.DATE_UNREADABLE in decides:
            held += 1
        elif decides == g.dated:
            right += 1
        else:
            wrong += 1
    return Outcome(right, wrong, held)


def candidates(hand_set: float, looser: int) -> list[float]:
    """The grid a threshold is tried over, in order from strictest to loosest."""
    cap = 0.999 if hand_set < 1 else math.inf
    values = sorted({round(min(cap, hand_set * s), 12) for s in STEPS})
    return values if looser > 0 else values[::-1]


def fit(
    hand: Rules,
    looser: dict[str, int],
    score: Callable[[Rules], Outcome],
    log: Callable[[str], None],
) -> Rules:
    """The thresholds the fit (see the module's docstring) arrives at from the hand-set ones."""
    rules = hand
    for _ in range(ROUNDS):
        for f in fields(hand):
            set_by_hand, current = getattr(hand, f.name), getattr(rules, f.name)
            grid = candidates(set_by_hand, looser[f.name])
            scored = [score(replace(rules, **{f.name: v})) for v in grid]
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


def fit_amounts(fronts: list[Front], floor: float, log: Callable[[str], None]) -> AmountRules:
    return fit(AmountRules(), AMOUNT_LOOSER, lambda r: amount_outcome(fronts, r, floor), log)


def fit_dates(fronts: list[Front], log: Callable[[str], None]) -> DateRules:
    return fit(DateRules(), DATE_LOOSER, lambda r: date_outcome(fronts, r), log)


Gathering = tuple[list[tuple[FieldEvidence, FieldEvidence]], list[FieldJob[date]]]


@contextmanager
def gathering() -> Iterator[Gathering]:
    """Every check front's amount evidence and date reads as the reader gathers them, in reading
    order (the reader gathers both for every check front it reads)."""
    kept: Gathering = ([], [])
    gather, decide = amounts.gather_amounts, field_reading.decide_date

    def keep_amounts(*args: Any, **kwargs: Any) -> tuple[FieldEvidence, FieldEvidence]:
        found = gather(*args, **kwargs)
        kept[0].append(found)
        return found

    def keep_date(job: FieldJob[date], *args: Any, **kwargs: Any) -> Any:
        kept[1].append(job)
        return decide(job, *args, **kwargs)

    amounts.gather_amounts = keep_amounts  # type: ignore[assignment]
    field_reading.decide_date = keep_date
    try:
        yield kept
    finally:
        amounts.gather_amounts = gather  # type: ignore[assignment]
        field_reading.decide_date = decide


@dataclass(frozen=True)
class Stated:
    """What a check's truth states: its one amount (None: two), and what its date decides (None:
    the truth does not say) on the business date."""

    amount: Decimal | None
    dated: tuple[ExceptionCode, ...] | None
    as_of: date


def read_fronts(
    files: list[tuple[Path, str]], stated: dict[tuple[str, int], Stated], source: str
) -> list[Front]:
    """Each file read as the nightly flow reads it; each check front's evidence kept beside what
    its truth states (`stated`, by source file and page). Evidence is matched to its page by
    deciding it as the reader did; a front it cannot be matched to is left out."""
    from ocr import PageKind, read_file

    out: list[Front] = []
    for path, where in files:
        with gathering() as (kept_amounts, kept_dates):
            items = read_file(path, where)
        fronts = [
            (item, page) for item in items for page in item.pages if page.kind == PageKind.CHECK
        ]
        for (court, legal), job in zip(kept_amounts, kept_dates, strict=True):
            decided, when = decide_amounts(court, legal), decide_date(job)
            for i, (item, page) in enumerate(fronts):
                read = (page.courtesy_amount, page.legal_amount, page.date)
                if read == (decided.courtesy, decided.legal, when):
                    truth = stated.get((item.source_file, item.page))
                    if truth is not None:
                        dated = truth.dated
                        out.append(
                            Front(
                                source,
                                court,
                                legal,
                                truth.amount,
                                job if dated is not None else None,
                                dated or (),
                                truth.as_of,
                            )
                        )
                    del fronts[i]
                    break
    return out


def _generator(items: int, seed: int, work: Path, real_digits: bool) -> list[Front]:
    from benchmarks.pipeline import generate_mail, load_truth

    sample = generate_mail(items, seed, work, real_digits=1.0 if real_digits else 0.0)
    truth = load_truth(sample)
    as_of = date.fromisoformat(truth["as_of"])
    stated: dict[tuple[str, int], Stated] = {}
    for t in truth["items"]:
        f = t.get("fields", {})
        if real_digits and not str(f.get("font", "")).startswith("digits:"):
            continue
        c, lg = f.get("courtesy_amount"), f.get("legal_amount")
        if c is None and lg is None:
            continue
        when = f.get("date")
        stated[(t["source_file"], int(t["page"]))] = Stated(
            Decimal(c) if c and c == lg else None,
            dated_by(date.fromisoformat(when), as_of) if when else None,
            as_of,
        )
    inbox = sample / "inbox"
    files = sorted({(inbox / s, s) for s, _ in stated})
    return read_fronts(files, stated, DIGITS if real_digits else "generator")


def _foreign(data: Path) -> list[Front]:
    from benchmarks.foreign import foreign_half

    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    as_of = date.fromisoformat(truth["as_of"])
    out: list[Front] = []
    for half, source in ((0, "foreign-fit"), (1, "foreign-held-out")):
        stated: dict[tuple[str, int], Stated] = {}
        for t in truth["items"]:
            if foreign_half(t["source_file"]) != half or not t.get("amount"):
                continue
            one = t["category"] in ONE_AMOUNT
            stated[(t["source_file"], int(t.get("page") or 1))] = Stated(
                Decimal(t["amount"]) if one else None,
                DATED.get(t["category"], ()) if one else None,
                as_of,
            )
        files = sorted({(data / "inbox" / s, s) for s, _ in stated})
        out += read_fronts(files, stated, source)
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks.table import render_table
    from reconciliation.rules import MIN_AMOUNT_CONFIDENCE

    args = arguments("training.calibrate_fields", RULES_FILE.parent, argv)
    work = args.work
    fronts = [
        *_generator(args.items, args.seed, work, real_digits=False),
        *_generator(args.items, args.seed, work, real_digits=True),
        *_foreign(args.foreign.resolve()),
    ]
    floor = MIN_AMOUNT_CONFIDENCE
    mix = [g for g in fronts if g.source in FITTED]
    say = lambda msg: print(msg, flush=True)  # noqa: E731
    parts = {"fitting mix": mix} | {s: [g for g in fronts if g.source == s] for s in HELD_OUT}
    rule_text = (
        "one threshold at a time, twice, over its hand-set value times "
        f"{list(STEPS)}: moved only to more checks decided right with none wrong on the "
        "fitting mix and none at the next looser value; nearest the hand-set among alike"
    )
    sources = {**described(args), "checks": {label: len(part) for label, part in parts.items()}}
    model = json.loads((RULES_FILE.parent / "lines.json").read_text(encoding="utf-8"))
    recipe = {
        "command": "python -m training.calibrate_fields",
        "rule": rule_text,
        "recognizer": model.get("recipe", {}).get("command", "python -m training"),
    }
    amount_rules = fit_amounts(mix, floor, say)
    date_rules = fit_dates(mix, say)
    sets: list[tuple[str, Path, Any, Callable[[list[Front], Any], Outcome], dict[str, Any]]] = [
        (
            "amounts",
            RULES_FILE,
            amount_rules,
            lambda p, r: amount_outcome(p, r, floor),
            {"amount_floor": floor},
        ),
        (
            "dates",
            DATES_FILE,
            date_rules,
            date_outcome,
            {
                "dated": {
                    label: sum(g.date_reads is not None for g in part)
                    for label, part in parts.items()
                }
            },
        ),
    ]
    for name, path, fitted, score, extra in sets:
        measured: dict[str, dict[str, dict[str, int]]] = {}
        rows: list[list[object]] = []
        for label, part in parts.items():
            for kind, r in (("fitted", fitted), ("hand-set", type(fitted)())):
                o = score(part, r)
                measured.setdefault(label, {})[kind] = asdict(o)
                rows.append([name, label, kind, o.right, o.wrong, o.held])
        print(render_table(["set", "source", "thresholds", "right", "WRONG", "held"], rows))
        record = {
            "rules": asdict(fitted),
            "hand_set": asdict(type(fitted)()),
            "recipe": {**recipe, **extra, **sources},
            "measured": measured,
        }
        out = args.out / path.name
        out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
