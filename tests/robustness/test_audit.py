"""Audit trail: the inbox is never touched, every scan is archived and fingerprinted (SHA-256), and
the same scan sent again under another name, in another batch or on another day is held as a
duplicate instead of posting twice.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import create_engine, text

DAY1 = "dallas/2026-11-16-A"
DAY2_DALLAS = "dallas/2026-11-17-B"
DAY2_RICHARDSON = "richardson/2026-11-17-C"


def snapshot(inbox: Path) -> dict[str, tuple[str, int]]:
    """Every file in the inbox with its SHA-256 and modification time."""
    return {
        p.relative_to(inbox).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(inbox.rglob("*"))
        if p.is_file()
    }


def ticket(folder: Path, deposit: str) -> None:
    (folder / "batch.json").write_text(json.dumps({"deposit_date": deposit}))


@pytest.fixture(scope="module")
def audited(mail10: Any, lockbox_at: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("audit")
    inbox = root / "inbox"
    first, second = mail10.good_checks()[0], mail10.good_checks()[3]
    mail10.copy(first, inbox / DAY1 / "item-0001.jpg")
    mail10.copy(second, inbox / DAY1 / "item-0002.tif")
    mail10.copy(first, inbox / DAY1 / "item-0003 rescan.jpg")  # the same scan twice in a batch
    ticket(inbox / DAY1, "2026-11-16")
    with lockbox_at(root / "home") as lb:
        assert lb("loans", "import", str(mail10.loans_csv)).code == 0
        before = snapshot(inbox)
        day1 = lb.run_inbox(inbox)
        after_day1 = snapshot(inbox)
        # The next day the scanner operator sends the same scans again, renamed, to both sites.
        mail10.copy(first, inbox / DAY2_DALLAS / "resent.jpg")
        mail10.copy(second, inbox / DAY2_RICHARDSON / "0001.tif")
        # ...and puts one more scan into yesterday's folder, after that batch was processed.
        mail10.copy(mail10.good_checks()[1], inbox / DAY1 / "item-0004 late.jpg")
        ticket(inbox / DAY2_DALLAS, "2026-11-17")
        ticket(inbox / DAY2_RICHARDSON, "2026-11-17")
        before_day2 = snapshot(inbox)
        day2 = lb.run_inbox(inbox)
        after_day2 = snapshot(inbox)
        engine = create_engine(f"sqlite:///{root / 'home' / 'lockbox.db'}")
        with engine.connect() as conn:
            digests: dict[str, str] = dict(
                conn.execute(text("SELECT source_file, file_sha256 FROM items")).tuples().all()
            )
        engine.dispose()
        return SimpleNamespace(
            inbox=inbox,
            home=root / "home",
            runs=(day1, day2),
            snapshots=((before, after_day1), (before_day2, after_day2)),
            items=lb.items(),
            ledger=lb.export("ledger"),
            digests=digests,
            first=first,
            second=second,
        )


def test_runs_leave_the_inbox_untouched(audited: Any) -> None:
    assert [r.code for r in audited.runs] == [0, 0], [r.err[-500:] for r in audited.runs]
    for before, after in audited.snapshots:
        assert after == before  # same files, same bytes, same modification times


def test_every_scan_is_recorded_with_its_sha256(audited: Any) -> None:
    for source, digest in audited.digests.items():
        data = (audited.inbox / source).read_bytes()
        assert digest == hashlib.sha256(data).hexdigest(), source


def test_original_scans_are_archived_byte_for_byte(audited: Any) -> None:
    archive = audited.home / "archive"
    for source in audited.digests:
        kept = archive / source
        assert kept.is_file(), f"{source} is not archived"
        assert kept.read_bytes() == (audited.inbox / source).read_bytes()


def test_the_same_scan_again_is_a_duplicate_never_posted_twice(audited: Any) -> None:
    items = audited.items
    originals = {DAY1 + "/item-0001.jpg": audited.first, DAY1 + "/item-0002.tif": audited.second}
    copies = {
        DAY1 + "/item-0003 rescan.jpg": DAY1 + "/item-0001.jpg",
        DAY2_DALLAS + "/resent.jpg": DAY1 + "/item-0001.jpg",
        DAY2_RICHARDSON + "/0001.tif": DAY1 + "/item-0002.tif",
    }
    for copy, original in copies.items():
        row = items[(copy, 1)]
        assert row["status"] == "exception"
        assert row["exception_code"] == "DUPLICATE_CHECK", row
        assert f"item {items[(original, 1)]['item_id']}" in row["exception_message"]
        # Its money may wait in suspense for a clerk; it never reaches a loan.
        accounts = {
            line["gl_account"] for line in audited.ledger if line["item_id"] == row["item_id"]
        }
        assert accounts <= {"cash", "suspense"}, accounts
    for source in originals:
        assert items[(source, 1)]["exception_code"] != "DUPLICATE_CHECK"
    posted = [r for r in items.values() if r["status"] == "posted"]
    assert len(posted) <= len(originals)  # at most once per check


def test_a_scan_added_to_a_processed_batch_is_reported_not_silently_lost(audited: Any) -> None:
    day2 = audited.runs[1].out
    assert "2026-11-16-A: 1 file(s) added after the batch was processed are NOT processed" in day2
    assert f"{DAY1}/item-0004 late.jpg" in day2
    assert (f"{DAY1}/item-0004 late.jpg", 1) not in audited.items  # the batch was not reopened
