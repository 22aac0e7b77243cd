"""End-to-end accuracy: generate fresh mail with a seed no test uses, run the nightly flow, compare.

Prints the outcome table (straight-through, exceptions caught, wrong postings, seconds per item), a
per-field table (exact / rejected / misread) from what each item's capture recorded, and the duplicate
table (planted duplicates caught, legitimate repeats posted, false alarms: see benchmarks.duplicates).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.duplicates import (
    DuplicateScore,
    Recorded,
    duplicate_report,
    generator_duplicates,
)
from benchmarks.table import render_table

AS_OF = date(2026, 11, 17)

FIELDS = [
    # (label, truth key, capture key)
    ("MICR routing", "routing", "routing"),
    ("on-us account", "bank_account", "bank_account"),
    ("serial", "serial", "serial"),
    ("courtesy amount", "courtesy_amount", "courtesy_amount"),
    ("legal amount", "legal_amount", "legal_amount"),
    ("date", "date", "check_date"),
    ("memo account", "memo_account", "memo_account"),
    ("coupon account", "coupon_account", "coupon_account"),
    ("payer", "payer", "payer"),
]
# Not a field read but what the fields are for: the loan the item was tied to, on every check that
# carries an account (memo or coupon) of a loan in the book; 'rejected' is no loan found.
LOAN_ROW = "loan account matched"
# Not scored on a copy whose MICR line is obscured on purpose (truth fields.micr_damage).
MICR_KEYS = ("routing", "bank_account", "serial")


@dataclass
class FieldScore:
    total: int = 0
    exact: int = 0
    rejected: int = 0
    misread: int = 0


@dataclass
class Outcome:
    items: int = 0
    should_post: int = 0
    posted_right: int = 0
    planted: int = 0
    caught: int = 0
    wrong: int = 0
    seconds: float = 0.0
    fields: dict[str, FieldScore] = field(default_factory=dict)
    held_codes: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    amounts_twice: int = 0  # checks whose figures and words state the same amount
    amounts_agreed: int = 0  # ... of which both were read, agreeing, and right
    duplicates: DuplicateScore | None = None


def _norm(key: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    if key == "payer":
        return " ".join(text.upper().replace(".", "").replace(",", "").split())
    return text


def score(truth: dict[str, Any], items: list[Any], seconds: float) -> Outcome:
    out = Outcome(items=len(truth["items"]), seconds=seconds)
    out.fields = {label: FieldScore() for label, _, _ in FIELDS}
    out.fields[LOAN_ROW] = FieldScore()
    by_key = {(i.source_file, i.page): i for i in items}
    for t in truth["items"]:
        item = by_key.get((t["source_file"], int(t["page"])))
        expected_post = t["expected_status"] == "posted"
        if expected_post:
            out.should_post += 1
        else:
            out.planted += 1
        if item is None:
            out.missed.append(f"{t['source_file']}#{t['page']}: no item recorded")
            continue
        posted = item.status == "posted"
        loan = item.loan.account_number if item.loan is not None else None
        if expected_post and posted:
            if loan == t["loan_account"] and f"{item.amount:.2f}" == t["amount"]:
                out.posted_right += 1
            else:
                out.wrong += 1
                out.missed.append(f"{t['source_file']}#{t['page']}: POSTED WRONG")
        elif expected_post:
            out.held_codes[item.exception_code or "?"] += 1
        elif posted:
            out.wrong += 1
            out.missed.append(
                f"{t['source_file']}#{t['page']}: planted {t['expected_codes']} was POSTED"
            )
        else:
            out.caught += 1
        cap = item.capture or {}
        truth_fields = t.get("fields", {})
        stated = truth_fields.get("courtesy_amount")
        if stated and stated == truth_fields.get("legal_amount"):
            out.amounts_twice += 1
            read = _norm("courtesy_amount", cap.get("courtesy_amount"))
            out.amounts_agreed += read == stated == _norm("legal_amount", cap.get("legal_amount"))
        carried = truth_fields.get("memo_account") or truth_fields.get("coupon_account")
        if carried and t.get("loan_account") and "UNKNOWN_ACCOUNT" not in t["expected_codes"]:
            s = out.fields[LOAN_ROW]
            s.total += 1
            if loan is None:
                s.rejected += 1
            elif loan == t["loan_account"]:
                s.exact += 1
            else:
                s.misread += 1
        for label, tkey, ckey in FIELDS:
            expected = _norm(tkey, truth_fields.get(tkey))
            if expected is None or (tkey in MICR_KEYS and "micr_damage" in truth_fields):
                continue
            s = out.fields[label]
            s.total += 1
            got = _norm(tkey, cap.get(ckey))
            if got is None:
                s.rejected += 1
            elif got == expected:
                s.exact += 1
            else:
                s.misread += 1
    recorded = {
        key: Recorded(i.status, i.exception_code, i.exception_message) for key, i in by_key.items()
    }
    out.duplicates = generator_duplicates(truth["items"], recorded)
    return out


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "-"


def field_table(fields: dict[str, FieldScore], heading: str = "field") -> str:
    """One row per field: how many were scored, and the shares exact, rejected and misread."""
    return render_table(
        [heading, "items", "exact", "rejected", "misread"],
        [
            [
                label,
                s.total,
                _pct(s.exact, s.total),
                _pct(s.rejected, s.total),
                _pct(s.misread, s.total),
            ]
            for label, s in fields.items()
        ],
    )


def report(out: Outcome) -> str:
    fields = field_table(out.fields)
    outcome = render_table(
        [
            "items",
            "straight-through",
            "exceptions caught",
            "amounts agree and right",
            "wrong postings",
            "s/item",
        ],
        [
            [
                out.items,
                f"{_pct(out.posted_right, out.should_post)} ({out.posted_right}/{out.should_post})",
                f"{_pct(out.caught, out.planted)} ({out.caught}/{out.planted})",
                f"{_pct(out.amounts_agreed, out.amounts_twice)}"
                f" ({out.amounts_agreed}/{out.amounts_twice})",
                out.wrong,
                f"{out.seconds / max(1, out.items):.2f}",
            ]
        ],
    )
    held = ", ".join(f"{c} {n}" for c, n in out.held_codes.most_common()) or "none"
    text = f"{fields}\n\n{outcome}\n\nclean items held for review, by code: {held}"
    if out.duplicates is not None:
        text += "\n\n" + duplicate_report(out.duplicates)
    return text


def generate_mail(
    items: int,
    seed: int,
    workdir: Path,
    as_of: date = AS_OF,
    photos: float = 0.0,
    stroke_hands: float = 0.0,
    real_digits: float = 0.0,
) -> Path:
    """Fresh mail for this seed and size under `workdir` (kept, so a second bench reuses it);
    `photos`: the share of lone check fronts that come as phone photos (sample_data.photo);
    `stroke_hands`: the share of handwritten checks written stroke by stroke
    (sample_data.strokes); `real_digits`: the share whose figures are people's own digits
    (sample_data.digits)."""
    from sample_data.generate import generate

    ways = [("photos", photos), ("strokes", stroke_hands), ("digits", real_digits)]
    kind = "-".join(name for name, share in ways if share) or "mail"
    sample = workdir / f"{kind}-{seed}-{items}"
    if not (sample / "truth.json").exists():
        generate(
            sample,
            seed=seed,
            items=items,
            as_of=as_of,
            clean=True,
            photos=photos,
            stroke_hands=stroke_hands,
            real_digits=real_digits,
        )
    return sample


def load_truth(sample: Path) -> dict[str, Any]:
    """The generator's truth for a mail set: every item's expected outcome and fields."""
    truth: dict[str, Any] = json.loads((sample / "truth.json").read_text())
    return truth


def home_for(workdir: Path, name: str) -> Path:
    """The LOCKBOX_HOME of the benchmark run called `name`."""
    return workdir / f"home-{name}"


def fresh_home(workdir: Path, name: str) -> Path:
    """An empty LOCKBOX_HOME for one benchmark run (the previous one's is removed)."""
    home = home_for(workdir, name)
    if home.exists():
        shutil.rmtree(home)
    return home


def score_home(home: Path, truth: dict[str, Any], seconds: float) -> Outcome:
    """Score what a run recorded in `home`'s database against the truth."""
    from lockbox.db import open_database
    from lockbox.models import Item

    db = open_database(f"sqlite:///{home / 'lockbox.db'}")
    try:
        with db.session() as session:
            rows = list(session.scalars(select(Item)))
            for r in rows:
                _ = r.loan
            return score(truth, rows, seconds)
    finally:
        db.engine.dispose()


def run(items: int, seed: int, workdir: Path, as_of: date = AS_OF) -> Outcome:
    """Generate, import the loans, run the nightly flow in this process, and score it."""
    sample = generate_mail(items, seed, workdir, as_of)
    return run_sample(sample, workdir, str(seed))


def run_sample(
    sample: Path, workdir: Path, name: str, keep: Callable[[dict[str, Any]], bool] | None = None
) -> Outcome:
    """Import a generated mail set's loans, run the nightly flow over its inbox in a fresh home
    in this process, and score it: every item, or those of its truth `keep` picks."""
    from lockbox.cli import main as lockbox

    home = fresh_home(workdir, name)
    os.environ["LOCKBOX_HOME"] = str(home)
    os.environ.pop("LOCKBOX_DATABASE_URL", None)
    truth = load_truth(sample)
    assert lockbox(["loans", "import", str(sample / "loans.csv")]) == 0
    start = time.perf_counter()
    assert lockbox(["run", "--inbox", str(sample / "inbox"), "--as-of", truth["as_of"]]) == 0
    seconds = time.perf_counter() - start
    if keep is not None:
        picked = [t for t in truth["items"] if keep(t)]
        seconds *= len(picked) / max(1, len(truth["items"]))
        truth = {**truth, "items": picked}
    return score_home(home, truth, seconds)


def check_key(t: dict[str, Any]) -> tuple[str, int]:
    """A truth item's check, whatever its file became: item-0003.png scanned is item-0003.jpg
    photographed."""
    return str(t["source_file"]).rsplit(".", 1)[0], int(t["page"])


def picked_checks(
    sample: Path, picked: Callable[[dict[str, Any]], bool]
) -> Callable[[dict[str, Any]], bool]:
    """Whether a truth item is one of the checks `picked` chooses in `sample`'s truth, in this or
    another mail set of the same seed (`check_key`)."""
    chosen = {check_key(t) for t in load_truth(sample)["items"] if picked(t)}
    return lambda t: check_key(t) in chosen


def the_same_checks(
    base: Path,
    variant: Path,
    picked: Callable[[dict[str, Any]], bool],
    workdir: Path,
    names: tuple[str, str],
) -> tuple[Outcome, Outcome]:
    """Two mail sets of one seed (the variant photographed, say), each run and scored on the
    checks `picked` chooses in the variant's truth: (base, variant)."""
    keep = picked_checks(variant, picked)
    second = run_sample(variant, workdir, names[1], keep=keep)
    first = run_sample(base, workdir, names[0], keep=keep)
    return first, second


def side_by_side(runs: list[tuple[str, Outcome]], what: str) -> str:
    """The same checks run several ways: one row each, then the last run's held codes and
    fields (`what` names its checks, as in 'field of a photographed check')."""
    rows = [
        [
            name,
            out.items,
            f"{100 * out.posted_right / max(1, out.should_post):.1f}%"
            f" ({out.posted_right}/{out.should_post})",
            f"{100 * out.caught / max(1, out.planted):.1f}% ({out.caught}/{out.planted})",
            out.wrong,
        ]
        for name, out in runs
    ]
    table = render_table(
        ["the same checks", "items", "straight-through", "exceptions caught", "wrong postings"],
        rows,
    )
    last = runs[-1][1]
    held = ", ".join(f"{c} {n}" for c, n in last.held_codes.most_common()) or "none"
    return (
        f"{table}\n\n{runs[-1][0]} good items held, by code: {held}\n\n"
        f"{field_table(last.fields, f'field of {what}')}"
    )
