"""The same generated checks run twice through `lockbox run`: as scans, and as the bank's X9 image
cash letter (`generate(..., cash_letter=True)`), each in a home of its own; then the day's BAI
export of the cash letter run, read back; then `read_x9` alone on a 1,000-check cash letter.

A check ends the same way both times when its status, loan and amount agree. Two differences are
by design and counted apart: a loan named only on the payment coupon (a cash letter carries no
coupon), and an amount or a MICR line the scan could not read (the bank's record gives them).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks.table import render_table

AS_OF = date(2026, 11, 17)
LETTER = "dallas/from-the-bank/deposit.x937"
# What a scan may miss and the bank's record supplies: its amount and its MICR fields.
BANK_GIVES = ("UNREADABLE_AMOUNT", "MICR_UNREADABLE")


@dataclass
class Outcome:
    checks: int = 0
    same: int = 0
    by_design: Counter[str] = field(default_factory=Counter)
    differ: list[str] = field(default_factory=list)
    posted: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    bai: str = ""
    parse: str = ""


def _run(
    root: Path, inbox: Path, loans: Path
) -> tuple[dict[tuple[str, int], dict[str, str]], float]:
    from lockbox.cli import main as lockbox

    os.environ["LOCKBOX_HOME"] = str(root / "home")
    os.environ.pop("LOCKBOX_DATABASE_URL", None)
    assert lockbox(["loans", "import", str(loans)]) == 0
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        assert lockbox(["run", "--inbox", str(inbox), "--as-of", AS_OF.isoformat()]) == 0
    seconds = time.perf_counter() - started
    assert lockbox(["export", "items", "--out", str(root / "items.csv"), "--force"]) == 0
    with (root / "items.csv").open(newline="") as f:
        rows = {(r["source_file"], int(r["page"])): r for r in csv.DictReader(f)}
    return rows, seconds


def _bai(root: Path, day: str, posted: list[dict[str, str]]) -> str:
    """The day's BAI export of the cash letter run, read back, against what the run posted."""
    from decimal import Decimal

    from lockbox.bai import read_bai
    from lockbox.cli import main as lockbox

    out = root / "deposits.bai"
    assert lockbox(["export", "bai", "--date", day, "--out", str(out), "--force"]) == 0
    bai = read_bai(out.read_text())
    want = sum((Decimal(r["amount"]) for r in posted), Decimal("0"))
    return (
        f"BAI export of {day}: {bai.count} checks, ${bai.total:,} (read back, counts and totals"
        f" add up); the run posted {len(posted)} checks, ${want:,}"
    )


def _parse_thousand(letter: Path) -> str:
    """`read_x9` alone on a cash letter of 1,000 checks made of this run's checks, cycled."""
    from lockbox.x9 import X9CashLetterSpec, X9CheckSpec, read_x9, write_x9

    items = read_x9(letter).items
    specs = [
        X9CheckSpec(
            routing=i.routing,
            on_us=i.on_us.strip(),
            auxiliary_on_us=i.auxiliary_on_us.strip(),
            amount=i.amount,
            sequence_number=str(n + 1),
            front_image=i.front_image or b"",
            back_image=i.back_image or b"",
        )
        for n, i in ((n, items[n % len(items)]) for n in range(1000))
    ]
    data = write_x9(X9CashLetterSpec(specs, AS_OF, "111000025"))
    started = time.perf_counter()
    read = read_x9(data)
    seconds = time.perf_counter() - started
    del read
    tracemalloc.start()  # a second pass for the memory: tracing slows it down
    read = read_x9(data)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return (
        f"read_x9 on 1,000 checks ({len(data) / 2**20:.1f} MiB, {len(read.items)} items):"
        f" {seconds:.2f} s, at most {peak:.1f} MiB allocated while reading"
    )


def _outcome(row: dict[str, str]) -> tuple[str, ...]:
    """Posted to which loan for how much, or held (what a clerk then sees may differ)."""
    if row["status"] == "posted":
        return (row["status"], row["loan_account"], row["amount"])
    return (row["status"],)


def run(items: int, seed: int, workdir: Path) -> Outcome:
    from sample_data.generate import generate

    mail = workdir / f"cash-letter-{seed}-{items}"
    if not (mail / "cash-letter.json").is_file():
        shutil.rmtree(mail, ignore_errors=True)
        generate(mail, seed=seed, items=items, as_of=AS_OF, cash_letter=True)
    runs = workdir / f"cash-letter-runs-{seed}-{items}"
    shutil.rmtree(runs, ignore_errors=True)
    batch = runs / "letter" / "inbox" / LETTER.rsplit("/", 1)[0]
    batch.mkdir(parents=True)
    shutil.copy(mail / "cash-letter.x937", batch / "deposit.x937")
    scanned, scan_s = _run(runs / "scanned", mail / "inbox", mail / "loans.csv")
    letter, letter_s = _run(runs / "letter", runs / "letter" / "inbox", mail / "loans.csv")
    mapping = json.loads((mail / "cash-letter.json").read_text())
    truth = {
        (t["source_file"], t["page"]): t
        for t in json.loads((mail / "truth.json").read_text())["items"]
    }
    out = Outcome(seconds={"scans": scan_s, "cash letter": letter_s})
    for check in mapping["items"]:
        out.checks += 1
        key = (check["source_file"], check["page"])
        scan, item, fields = scanned[key], letter[(LETTER, check["sequence"])], truth[key]
        if _outcome(item) == _outcome(scan):
            out.same += 1
        elif scan["exception_code"] in BANK_GIVES and item["amount"] == check["amount"]:
            out.by_design[f"{scan['exception_code']} on the scan: the bank's record gives it"] += 1
        elif fields["fields"].get("coupon_account") and not fields["fields"].get("memo_account"):
            out.by_design["the loan named only on the coupon: a cash letter has none"] += 1
        else:
            out.differ.append(
                f"{check['source_file']} (check {check['sequence']}): scanned"
                f" {scan['status']} {scan['exception_code']}, cash letter {item['status']}"
                f" {item['exception_code']}"
            )
    out.posted = {
        "scans": sum(r["status"] == "posted" for r in scanned.values()),
        "cash letter": sum(r["status"] == "posted" for r in letter.values()),
    }
    os.environ["LOCKBOX_HOME"] = str(runs / "letter" / "home")
    posted = [r for r in letter.values() if r["status"] == "posted"]
    out.bai = _bai(runs / "letter", mapping["business_date"], posted)
    out.parse = _parse_thousand(mail / "cash-letter.x937")
    return out


def report(out: Outcome) -> str:
    rows = [
        [
            "same checks, as scans and as a cash letter",
            str(out.checks),
            f"{out.same} ({100 * out.same / max(out.checks, 1):.1f}%)",
            str(sum(out.by_design.values())),
            str(len(out.differ)),
        ]
    ]
    lines = [
        render_table(["run", "checks", "same outcome", "differ by design", "differ"], rows),
        "posted: "
        + ", ".join(f"{k} {v}" for k, v in out.posted.items())
        + "; run time: "
        + ", ".join(f"{k} {v:.0f} s" for k, v in out.seconds.items()),
    ]
    lines += [f"  by design: {why} {n}" for why, n in out.by_design.items()]
    lines += [f"  differ: {d}" for d in out.differ[:20]]
    lines += [out.bai, out.parse]
    return "\n".join(lines)
