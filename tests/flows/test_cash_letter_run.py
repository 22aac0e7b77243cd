"""Image cash letters in the inbox, run end to end through `lockbox run` as a user drives it.

The same generated checks run once as scans and once as the bank's X9 cash letter: each check ends
the same way either way (posted to the same loan for the same amount, or held), except where the
bank's record gives what the paper could not (an amount nobody could read) or the mail held what
a cash letter never carries (a payment coupon). Broken cash letters beside a good one cost only
themselves.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from flows.nightly import files_to_read
from lockbox.cli import main as lockbox
from lockbox.db import open_database
from lockbox.inbox import scan_batch
from lockbox.models import Batch
from lockbox.x9 import X9Error, read_x9

AS_OF = "2026-11-17"
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "x9"
needs_data = pytest.mark.skipif(
    not (DATA / "crashers").is_dir(), reason="../shared/data/x9 is not beside the project"
)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def run_inbox(root: Path, inbox: Path, loans: Path) -> dict[tuple[str, int], dict[str, str]]:
    """Import the loans and run the nightly flow over `inbox` in a home of its own; the items
    export by (source_file, page)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCKBOX_HOME", str(root / "home"))
        mp.delenv("LOCKBOX_DATABASE_URL", raising=False)
        assert lockbox(["loans", "import", str(loans)]) == 0
        with contextlib.redirect_stdout(io.StringIO()):
            assert lockbox(["run", "--inbox", str(inbox), "--as-of", AS_OF]) == 0
        assert lockbox(["export", "items", "--out", str(root / "items.csv")]) == 0
    return {(r["source_file"], int(r["page"])): r for r in read_csv(root / "items.csv")}


def batches(root: Path) -> dict[str, tuple[date | None, list[str]]]:
    """Each batch's deposit date and warnings, by site/name, as the run recorded them."""
    db = open_database(f"sqlite:///{root / 'home' / 'lockbox.db'}")
    try:
        with db.session() as session:
            return {
                f"{b.site}/{b.name}": (b.deposit_date, list(b.warnings or []))
                for b in session.scalars(select(Batch))
            }
    finally:
        db.engine.dispose()


@pytest.fixture(scope="module")
def runs(cash_letter_mail: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The mail run as scans, and its cash letter run alone in a batch without a ticket."""
    mail = cash_letter_mail
    scans = tmp_path_factory.mktemp("scanned")
    shutil.copytree(mail / "inbox", scans / "inbox")
    letter = tmp_path_factory.mktemp("cash-letter")
    batch = letter / "inbox" / "dallas" / "from-the-bank"
    batch.mkdir(parents=True)
    shutil.copy(mail / "cash-letter.x937", batch / "deposit.X937")  # suffixes in any case
    return {
        "map": json.loads((mail / "cash-letter.json").read_text()),
        "truth": {
            (t["source_file"], t["page"]): t
            for t in json.loads((mail / "truth.json").read_text())["items"]
        },
        "scanned": run_inbox(scans, scans / "inbox", mail / "loans.csv"),
        "letter": run_inbox(letter, letter / "inbox", mail / "loans.csv"),
        "letter_root": letter,
    }


def test_each_check_ends_as_its_scan_does(runs: dict[str, Any]) -> None:
    letter, scanned, truth = runs["letter"], runs["scanned"], runs["truth"]
    checks = runs["map"]["items"]
    assert len(checks) >= 6
    assert len(letter) == len(checks)  # one item per check detail record, nothing else
    compared = 0
    for check in checks:
        scan = scanned[(check["source_file"], check["page"])]
        item = letter[("dallas/from-the-bank/deposit.X937", check["sequence"])]
        fields = truth[(check["source_file"], check["page"])]
        coupon_only = fields["fields"]["coupon_account"] and not fields["fields"]["memo_account"]
        if "UNREADABLE_AMOUNT" in fields["expected_codes"]:
            # nobody can read it on the paper: the bank's record says what was credited
            assert item["amount"] == check["amount"]
            continue
        if coupon_only:
            # the coupon named the loan; a cash letter has none, so never a wrong loan
            assert item["status"] == "exception" or (
                item["loan_account"] == scan["loan_account"] and item["amount"] == scan["amount"]
            )
            continue
        got = (item["status"], item["loan_account"], item["amount"])
        assert got == (scan["status"], scan["loan_account"], scan["amount"]), check
        if item["status"] == "posted":
            assert item["amount"] == fields["amount"] == check["amount"]
        compared += 1
    assert compared >= 6
    assert sum(r["status"] == "posted" for r in letter.values()) >= 5


def test_a_planted_copy_in_the_cash_letter_is_held_as_a_duplicate(runs: dict[str, Any]) -> None:
    letter, truth = runs["letter"], runs["truth"]
    copies = [
        c
        for c in runs["map"]["items"]
        if truth[(c["source_file"], c["page"])]["expected_codes"] == ["DUPLICATE_CHECK"]
    ]
    assert copies
    for copy in copies:
        item = letter[("dallas/from-the-bank/deposit.X937", copy["sequence"])]
        assert item["exception_code"] == "DUPLICATE_CHECK"


def test_a_batch_without_a_ticket_is_dated_by_its_cash_letter(runs: dict[str, Any]) -> None:
    deposit, warnings = batches(runs["letter_root"])["dallas/from-the-bank"]
    assert deposit == date.fromisoformat(runs["map"]["business_date"])
    assert warnings == []  # the bank's totals add up: nothing to reconcile


def test_running_again_posts_nothing_twice(runs: dict[str, Any]) -> None:
    root = runs["letter_root"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCKBOX_HOME", str(root / "home"))
        mp.delenv("LOCKBOX_DATABASE_URL", raising=False)
        assert lockbox(["export", "ledger", "--out", str(root / "before.csv")]) == 0
        with contextlib.redirect_stdout(io.StringIO()):
            assert lockbox(["run", "--inbox", str(root / "inbox"), "--as-of", AS_OF]) == 0
        assert lockbox(["export", "ledger", "--out", str(root / "after.csv")]) == 0
    assert read_csv(root / "before.csv") == read_csv(root / "after.csv")


def test_a_resumed_batch_reads_its_cash_letter_again(tmp_path: Path) -> None:
    """A killed run recorded some of the file's checks: the file is read again, and recording
    skips the checks already there (as a PDF's pages are)."""
    batch = tmp_path / "dallas" / "b1"
    batch.mkdir(parents=True)
    for name in ("deposit.icl", "item.tif"):
        (batch / name).write_bytes(b"")
    found = scan_batch("dallas", batch, tmp_path)
    todo = files_to_read(found, {"dallas/b1/deposit.icl", "dallas/b1/item.tif"})
    assert [p.name for p in todo] == ["deposit.icl"]


@needs_data
def test_broken_cash_letters_are_held_and_the_good_one_beside_them_posts(
    cash_letter_mail: Path, runs: dict[str, Any], tmp_path: Path
) -> None:
    batch = tmp_path / "inbox" / "richardson" / "bank-files"
    batch.mkdir(parents=True)
    (batch / "batch.json").write_text('{"deposit_date": "2026-11-16"}')
    crashers = sorted((DATA / "crashers").iterdir())
    for path in crashers:
        shutil.copy(path, batch / f"{path.name[:12]}.icl")
    for name in ("valid-ascii.x937", "valid-ebcdic.x937", "creditRecord61.icl"):
        shutil.copy(DATA / name, batch / name)
    shutil.copy(cash_letter_mail / "cash-letter.x937", batch / "good.x9")
    items = run_inbox(tmp_path, tmp_path / "inbox", cash_letter_mail / "loans.csv")
    by_file: dict[str, list[dict[str, str]]] = {}
    for (source, _), row in sorted(items.items()):
        by_file.setdefault(source.rsplit("/", 1)[1], []).append(row)

    for path in crashers:
        rows = by_file[f"{path.name[:12]}.icl"]
        assert rows and all(r["status"] == "exception" for r in rows), path.name
        try:
            read_x9(path)
        except X9Error as exc:
            # one item, held as an unreadable file with the reader's own words
            assert [r["exception_code"] for r in rows] == ["UNREADABLE_FILE"]
            assert str(exc) in _messages(tmp_path, rows[0]["item_id"])

    # the good file's checks end as they did in a batch of their own (no copies across runs)
    good = {int(r["page"]): r for r in by_file["good.x9"]}
    alone = {p: r for (_, p), r in runs["letter"].items()}
    assert {p: (r["status"], r["amount"]) for p, r in good.items()} == {
        p: (r["status"], r["amount"]) for p, r in alone.items()
    }
    assert sum(r["status"] == "posted" for r in good.values()) >= 5

    # another bank's files: the bank's amounts, the credit record no item
    for name in ("valid-ascii.x937", "valid-ebcdic.x937"):
        assert [r["amount"] for r in by_file[name]] == ["100.00"]
    assert [r["amount"] for r in by_file["creditRecord61.icl"]] == ["1000.00"] * 4
    deposit, warnings = batches(tmp_path)["richardson/bank-files"]
    assert deposit == date(2026, 11, 16)  # the ticket's date wins over the files'
    credit = [w for w in warnings if "creditRecord61.icl: credit 1" in w]
    assert credit and "$1,020.88" in credit[0] and "not posted" in credit[0]
    assert any("counts 38 records; the file holds 39" in w for w in warnings)


def _messages(root: Path, item_id: str) -> str:
    """The exception message of one item, as `lockbox review list --json` shows it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCKBOX_HOME", str(root / "home"))
        mp.delenv("LOCKBOX_DATABASE_URL", raising=False)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert lockbox(["review", "list", "--json"]) == 0
    rows = json.loads(out.getvalue())
    return next(str(r["reason"]) for r in rows if str(r["item_id"]) == item_id)
