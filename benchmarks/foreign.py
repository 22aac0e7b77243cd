"""The development set drawn by a generator that is not ours (../shared/data/foreign-checks).

Runs `lockbox loans import` and `lockbox run` over that inbox where it lies (nothing is copied into
the project), with a fresh LOCKBOX_HOME under the workdir and the commands' output in a log there,
then scores what the database recorded with the set's README rules:

- straight-through: items expected `post` that posted to the right loan for the right amount, over
  all items expected `post`;
- caught: items expected `exception` that were not posted, over all of them;
- wrong money: anything posted to the wrong loan or amount, or posted when it must be held;
- duplicates: of the copies of one check (`dup_of` names the `check` of the first scan), whichever is
  processed first (lowest item id) may do what the check should do, and every later copy must be
  held as DUPLICATE_CHECK. So a copy marked `dup_of` that happens to be processed first takes its
  original's expectation, and the original, processed later, must be held.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.duplicates import (
    DuplicateScore,
    Key,
    Recorded,
    duplicate_report,
    score_duplicates,
)
from benchmarks.pipeline import FieldScore, field_table
from benchmarks.table import render_table
from benchmarks.throughput import run_baseline

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "foreign-checks"
ROW_DUPLICATES = "planted duplicates (later copy)"


@dataclass(frozen=True)
class Got:
    """One recorded item: its id (processing order), status, code and where it posted."""

    id: int
    status: str
    code: str | None
    loan_account: str | None
    amount: str | None  # two places
    message: str | None = None
    capture: Mapping[str, Any] = field(default_factory=dict)  # what was read (Capture.to_json)


@dataclass
class ForeignScore:
    items: int = 0
    should_post: int = 0
    posted_right: int = 0
    must_hold: int = 0
    caught: int = 0
    either: int = 0
    either_fine: int = 0
    wrong: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    held_codes: Counter[str] = field(default_factory=Counter)
    duplicates: DuplicateScore | None = None
    seconds: float = 0.0
    fees: FeeCheck | None = None
    fields: dict[str, FieldScore] = field(default_factory=dict)
    baseline_seconds: float = 0.0  # a full-page tesseract pass over the same scans, this run
    by_half: dict[int, list[int]] = field(default_factory=dict)  # half: [posted right, should]


@dataclass
class FeeCheck:
    """Late fees after the run against the contract's rule, figured here from the loan book alone:
    every item of the set is received on its as-of date, so an active loan owes one fee for each
    installment from its next due date that was more than 10 days past due by then (5% of the
    monthly payment, at most the book's late_fee_max), whether or not its payment posted."""

    active: int = 0
    charged: int = 0
    wrong: list[str] = field(default_factory=list)


def foreign_half(source_file: str) -> int:
    """Which half of the set a file is in, by a fixed rule (its path's CRC-32, even or odd): what
    is fitted on the set (`training.calibrate_rules`) sees half 0 only, and half 1 is held out."""
    return zlib.crc32(source_file.encode()) % 2


def _key(t: Mapping[str, Any]) -> Key:
    return (str(t["source_file"]), int(t.get("page") or 1))


def expectations(
    truth_items: list[dict[str, Any]], recorded: Mapping[Key, Got]
) -> tuple[dict[Key, str], list[Key]]:
    """Every item's expectation (post | exception | either) once processing order is known, and the
    copies that must be held as duplicates (every copy of a check but the one processed first)."""
    expect = {_key(t): str(t["expect"]) for t in truth_items}
    by_check = {t["check"]: t for t in truth_items if t.get("check") is not None}
    groups: dict[Any, list[dict[str, Any]]] = {}
    for t in truth_items:
        if t.get("dup_of") is not None and t["dup_of"] in by_check:
            groups.setdefault(t["dup_of"], [by_check[t["dup_of"]]]).append(t)
    later: list[Key] = []
    unknown = 1 << 62  # an item not recorded sorts after every recorded one, in truth order
    for original, copies in groups.items():
        order = sorted(
            enumerate(copies),
            key=lambda pair: (
                recorded[_key(pair[1])].id if _key(pair[1]) in recorded else unknown,
                pair[0],
            ),
        )
        first = _key(order[0][1])
        # The first copy processed does what the check itself should (the original's expectation).
        expect[first] = str(by_check[original]["expect"])
        for _, t in order[1:]:
            expect[_key(t)] = "exception"
            later.append(_key(t))
    return expect, later


# The fields the truth states for a good payment: both amounts are its amount, and the account
# written on it (memo or coupon) is its loan's, but where the category says none was written.
FIELD_ROWS = ("courtesy amount", "legal amount", "account written (memo or coupon)")


def score_fields(t: Mapping[str, Any], got: Got, fields: dict[str, FieldScore]) -> None:
    """Add a good payment's fields as read (exact, rejected: nothing read, or misread)."""
    cap = got.capture
    wanted = [
        (FIELD_ROWS[0], t.get("amount"), [cap.get("courtesy_amount")]),
        (FIELD_ROWS[1], t.get("amount"), [cap.get("legal_amount")]),
    ]
    if t.get("category") != "no_memo":
        reads = [cap.get("memo_account"), cap.get("coupon_account")]
        wanted.append((FIELD_ROWS[2], t.get("loan_account"), reads))
    for label, expected, reads in wanted:
        if not expected:
            continue
        s = fields.setdefault(label, FieldScore())
        s.total += 1
        found = [f"{r}" for r in reads if r not in (None, "")]
        if not found:
            s.rejected += 1
        elif str(expected) in found:
            s.exact += 1
        else:
            s.misread += 1


def score(truth: dict[str, Any], recorded: Mapping[Key, Got]) -> ForeignScore:
    items = truth["items"]
    out = ForeignScore(items=len(items))
    out.fields = {label: FieldScore() for label in FIELD_ROWS}
    expect, later = expectations(items, recorded)
    for t in items:
        key = _key(t)
        where = f"{key[0]}#{key[1]}"
        want = expect[key]
        got = recorded.get(key)
        if want == "post":
            out.should_post += 1
        elif want == "exception":
            out.must_hold += 1
        else:
            out.either += 1
        if got is None:
            out.missing.append(f"{where}: no item recorded")
            continue
        posted = got.status == "posted"
        right = got.loan_account == t.get("loan_account") and got.amount == t.get("amount")
        if posted and (want == "exception" or not right):
            out.wrong.append(
                f"{where}: posted "
                + ("though it must be held" if want == "exception" else "to the wrong loan/amount")
                + f" ({t.get('category')}, code {got.code or '-'})"
            )
            continue
        if want == "post":
            score_fields(t, got, out.fields)
            half = out.by_half.setdefault(foreign_half(key[0]), [0, 0])
            half[1] += 1
            if posted:
                out.posted_right += 1
                half[0] += 1
            else:
                out.held_codes[got.code or "?"] += 1
        elif want == "exception":
            out.caught += not posted
        else:
            out.either_fine += 1
    held = {k: Recorded(g.status, g.code, g.message) for k, g in recorded.items()}
    out.duplicates = score_duplicates(
        [(ROW_DUPLICATES, key) for key in later], [], held, labels=(ROW_DUPLICATES,)
    )
    return out


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}% ({n}/{d})" if d else "-"


def report(out: ForeignScore) -> str:
    ratio = f"{out.seconds / out.baseline_seconds:.2f}" if out.baseline_seconds else "-"
    outcome = render_table(
        [
            "items",
            "straight-through",
            "caught",
            "either: held or right",
            "wrong money",
            "s/item",
            "time vs full-page tesseract",
        ],
        [
            [
                out.items,
                pct(out.posted_right, out.should_post),
                pct(out.caught, out.must_hold),
                pct(out.either_fine, out.either),
                len(out.wrong),
                f"{out.seconds / max(1, out.items):.2f}",
                ratio,
            ]
        ],
    )
    held = ", ".join(f"{c} {n}" for c, n in out.held_codes.most_common()) or "none"
    fields = field_table(out.fields, "field of a good payment")
    halves = {h: pct(*out.by_half.get(h, [0, 0])) for h in (0, 1)}
    text = (
        f"{outcome}\n\nstraight-through by half (`training.calibrate_rules` fits on half 0):"
        f" half 0 {halves[0]}, half 1 (held out) {halves[1]}"
        f"\n\ngood items held for review, by code: {held}\n\n{fields}"
    )
    lines: list[str] = []
    if out.duplicates is not None:
        text += "\n\n" + duplicate_report(out.duplicates)
        lines += [f"false alarm: {src}#{page}" for src, page in out.duplicates.false_alarms]
    if out.fees is not None:
        text += (
            f"\n\nlate fees after the run: {out.fees.active} active loans, {out.fees.charged}"
            f" charged, {len(out.fees.wrong)} not what the contract's rule says"
        )
        lines += out.fees.wrong
    lines += out.wrong + out.missing
    return text + "".join(f"\n   {line}" for line in lines)


def check_fees(book: Path, home: Path, as_of: str) -> FeeCheck:
    """Compare each active loan's fees charged in the run with the contract's rule (FeeCheck)."""
    import csv
    from datetime import date, timedelta
    from decimal import ROUND_HALF_UP, Decimal

    from sqlalchemy import select

    from lockbox.dates import add_months
    from lockbox.db import open_database
    from lockbox.models import Loan

    run_day = date.fromisoformat(as_of)
    out = FeeCheck()
    db = open_database(f"sqlite:///{home / 'lockbox.db'}")
    try:
        with db.session() as session:
            now = {loan.account_number: loan for loan in session.scalars(select(Loan))}
            with book.open(newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    if row["status"].strip().lower() != "active":
                        continue
                    out.active += 1
                    first = date.fromisoformat(row["next_due_date"])
                    late = 0
                    while add_months(first, late) + timedelta(days=10) < run_day:
                        late += 1
                    fee = (Decimal(row["monthly_payment"]) * Decimal("0.05")).quantize(
                        Decimal("0.01"), ROUND_HALF_UP
                    )
                    if row.get("late_fee_max"):
                        fee = min(fee, Decimal(row["late_fee_max"]))
                    before = Decimal(row.get("late_fees_assessed") or "0")
                    loan = now[row["account_number"].replace("-", "").replace(" ", "")]
                    charged = loan.late_fees_assessed - before
                    out.charged += charged > 0
                    if charged != fee * late:
                        out.wrong.append(
                            f"loan ******{loan.account_number[-4:]} due {row['next_due_date']}:"
                            f" charged ${charged}, the rule says ${fee * late}"
                        )
    finally:
        db.engine.dispose()
    return out


def lockbox(home: Path, log: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LOCKBOX_DATABASE_URL"}
    env["LOCKBOX_HOME"] = str(home)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ lockbox {' '.join(args)}\n")
        fh.flush()
        proc = subprocess.run(
            [sys.executable, "-m", "lockbox.cli", *args],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"lockbox {args[0]} failed (exit {proc.returncode}); see {log}")


def recorded_items(home: Path) -> dict[Key, Got]:
    """Every item the run recorded, read with the project's own models."""
    from sqlalchemy import select

    from lockbox.db import open_database
    from lockbox.models import Item

    db = open_database(f"sqlite:///{home / 'lockbox.db'}")
    try:
        with db.session() as session:
            out: dict[Key, Got] = {}
            for item in session.scalars(select(Item).order_by(Item.id)):
                loan = item.loan.account_number if item.loan is not None else None
                amount = None if item.amount is None else f"{item.amount:.2f}"
                out[(item.source_file, item.page)] = Got(
                    item.id,
                    item.status,
                    item.exception_code,
                    loan,
                    amount,
                    item.exception_message,
                    dict(item.capture or {}),
                )
            return out
    finally:
        db.engine.dispose()


def run_inbox(
    data: Path, inbox: Path, truth: dict[str, Any], work: Path
) -> tuple[ForeignScore, Path]:
    """Import the set's loans and run the nightly flow over `inbox` in a fresh home under `work`;
    the score against `truth` (its `seconds` the run's) and the home."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    home, log = work / "home", work / "run.log"
    lockbox(home, log, "loans", "import", str(data / "loans.csv"))
    start = time.perf_counter()
    lockbox(home, log, "run", "--inbox", str(inbox), "--as-of", str(truth["as_of"]))
    seconds = time.perf_counter() - start
    out = score(truth, recorded_items(home))
    out.seconds = seconds
    return out, home


def run(data: Path, workdir: Path) -> ForeignScore:
    """Import the set's loans and run the nightly flow over its inbox in a fresh home; score it."""
    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    out, home = run_inbox(data, data / "inbox", truth, workdir / "foreign")
    # what it costs beside reading the same scans' text and deciding nothing, timed in this run
    out.baseline_seconds = run_baseline(data / "inbox", len(truth["items"])).seconds
    out.fees = check_fees(data / "loans.csv", home, str(truth["as_of"]))
    return out
