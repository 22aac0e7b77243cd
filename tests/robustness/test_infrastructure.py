"""Infrastructure faults: the run stops with one clear line and a non-zero exit, and the next run
finishes the work with nothing lost and nothing posted twice.
"""

from __future__ import annotations

import errno
import shutil
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import flows.nightly
import reconciliation.process


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_database_is_one_clear_line(tmp_path: Path, lb: Any) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "dallas").mkdir(parents=True)
    url = f"postgresql+psycopg://lockbox:s3cret@127.0.0.1:{closed_port()}/lockbox"
    proc = lb.spawn("run", "--inbox", str(inbox), LOCKBOX_DATABASE_URL=url)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lockbox: ")
    assert "LOCKBOX_DATABASE_URL" in lines[0] and "Connection refused" in lines[0]
    assert "s3cret" not in err  # the password is never shown
    assert "Traceback" not in err + out


@pytest.fixture
def two_days(mail10: Any, tmp_path: Path) -> Path:
    """Two batches that both must end up recorded once: two checks, then one."""
    inbox = tmp_path / "inbox"
    good = mail10.good_checks()
    for n, item in enumerate(good[:3]):
        batch = "dallas/2026-11-16-A" if n < 2 else "richardson/2026-11-17-B"
        suffix = Path(item.source_file).suffix
        mail10.copy(item, inbox / batch / f"item-{n:04d}{suffix}")
    return inbox


def every_file(inbox: Path) -> set[str]:
    return {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}


def test_disk_full_while_archiving_stops_the_run_and_the_next_run_completes(
    mail10: Any, two_days: Path, lb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_copy = shutil.copy2

    def copy_until_full(src: Any, dst: Any, **kw: Any) -> Any:
        if "2026-11-17-B" in str(src):
            Path(dst).write_bytes(Path(src).read_bytes()[:1000])  # part of the file, then full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_copy(src, dst, **kw)

    assert lb("loans", "import", str(mail10.loans_csv)).code == 0
    with monkeypatch.context() as mp:
        mp.setattr(flows.nightly.shutil, "copy2", copy_until_full)
        failed = lb.run_inbox(two_days)
    assert failed.code != 0
    message = failed.err.strip()
    assert len(message.splitlines()) == 1, message
    assert "No space left on device" in message and "run the same command again" in message
    done_first = lb.items()
    assert {source.split("/")[1] for source, _ in done_first} == {"2026-11-16-A"}

    again = lb.run_inbox(two_days)
    assert again.code == 0, again.err
    items = lb.items()
    assert {source for source, _ in items} == every_file(two_days)
    for key, row in done_first.items():
        assert items[key] == row  # the first batch was not touched again
    archive = lb.home / "archive"
    assert not list(archive.rglob("*.partial"))
    for source in every_file(two_days):
        assert (archive / source).read_bytes() == (two_days / source).read_bytes()


def test_a_failure_while_posting_leaves_no_half_recorded_item(
    mail10: Any, two_days: Path, lb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The item, its check fingerprint and its ledger entry are one transaction."""
    real_post = reconciliation.process.ledger.post_payment
    calls = {"n": 0}

    def post_then_fail(*args: Any, **kw: Any) -> Any:
        calls["n"] += 1
        payment = real_post(*args, **kw)
        if calls["n"] == 2:  # the second posting: its entry is written, then the disk fills
            raise OSError(errno.ENOSPC, "No space left on device")
        return payment

    assert lb("loans", "import", str(mail10.loans_csv)).code == 0
    with monkeypatch.context() as mp:
        mp.setattr(reconciliation.process.ledger, "post_payment", post_then_fail)
        failed = lb.run_inbox(two_days)
    if calls["n"] < 2:
        pytest.skip("OCR posted fewer than two of the good checks")
    assert failed.code != 0 and "No space left on device" in failed.err
    assert len(failed.err.strip().splitlines()) == 1, failed.err
    recorded = lb.items()
    ledger_items = {line["item_id"] for line in lb.export("ledger") if line["item_id"]}
    assert ledger_items <= {row["item_id"] for row in recorded.values()}  # no orphan entry
    posted = [row for row in recorded.values() if row["status"] == "posted"]
    assert len(posted) == 1  # the failed item was rolled back whole

    again = lb.run_inbox(two_days)
    assert again.code == 0, again.err
    items = lb.items()
    assert {source for source, _ in items} == every_file(two_days)
    cash = lb.cash_per_item()
    for row in items.values():
        if row["status"] == "posted":
            assert cash[row["item_id"]] == Decimal(row["amount"])
