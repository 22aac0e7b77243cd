from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lockbox.inbox import InboxError, discover_batches, read_ticket


def test_batches_are_found_under_both_sites_in_order(tmp_path: Path) -> None:
    for site, batch in [
        ("richardson", "B2"),
        ("dallas", "B1"),
        ("dallas", "A0"),
        ("elsewhere", "Z"),
    ]:
        d = tmp_path / site / batch
        d.mkdir(parents=True)
        (d / "check1.tif").write_bytes(b"x")
    (tmp_path / "dallas" / "A0" / "Thumbs.db").write_bytes(b"")
    found = discover_batches(tmp_path)
    assert [(b.site, b.name) for b in found] == [
        ("dallas", "A0"),
        ("dallas", "B1"),
        ("richardson", "B2"),
    ]
    a0 = found[0]
    assert [a0.relative(f) for f in a0.files] == ["dallas/A0/check1.tif"]
    assert any("Thumbs.db" in w for w in a0.warnings)


def test_batches_are_ordered_by_deposit_date_across_sites(tmp_path: Path) -> None:
    for site, batch, deposit in [
        ("dallas", "D-late", "2026-11-17"),
        ("richardson", "R-early", "2026-11-16"),
        ("dallas", "D-none", None),
    ]:
        d = tmp_path / site / batch
        d.mkdir(parents=True)
        (d / "a.tif").write_bytes(b"x")
        if deposit:
            (d / "batch.json").write_text(f'{{"deposit_date": "{deposit}"}}')
    assert [b.name for b in discover_batches(tmp_path)] == ["R-early", "D-late", "D-none"]


def test_ticket_is_read_and_bad_fields_are_warnings(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"deposit_date": "2026-11-17", "item_count": 3, "control_total": "1234.56"}')
    ticket, warnings = read_ticket(good)
    assert ticket.deposit_date == date(2026, 11, 17) and ticket.item_count == 3
    assert ticket.control_total == Decimal("1234.56") and warnings == []
    bad = tmp_path / "bad.json"
    bad.write_text('{"deposit_date": "11/17/2026", "item_count": "three"}')
    ticket, warnings = read_ticket(bad)
    assert ticket.deposit_date is None and ticket.item_count is None and len(warnings) == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    ticket, warnings = read_ticket(broken)
    assert ticket.item_count is None and "not readable JSON" in warnings[0]


def test_an_inbox_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InboxError, match="not a folder"):
        discover_batches(tmp_path / "missing")


def test_the_inbox_is_a_boundary(tmp_path: Path) -> None:
    """Links are read only when they end at a file inside the inbox; every other entry is kept as
    refused, with why, so nothing in a batch goes unnamed."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    batch = inbox / "dallas" / "B1"
    batch.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (batch / "a.tif").write_bytes(b"x")
    (batch / "alias.tif").symlink_to(batch / "a.tif")  # inside: read (a copy is a duplicate)
    (batch / "passwd.tif").symlink_to(outside / "secret.txt")
    (batch / "gone.tif").symlink_to(tmp_path / "nothing")
    (batch / "loop.tif").symlink_to(batch / "loop.tif")
    (inbox / "dallas" / "B2").symlink_to(outside, target_is_directory=True)
    found = {b.name: b for b in discover_batches(inbox)}
    b1 = found["B1"]
    assert [b1.relative(f) for f in b1.files] == ["dallas/B1/a.tif", "dallas/B1/alias.tif"]
    refused = {b1.relative(p): why for p, why in b1.refused}
    assert set(refused) == {"dallas/B1/passwd.tif", "dallas/B1/gone.tif", "dallas/B1/loop.tif"}
    assert "outside the inbox" in refused["dallas/B1/passwd.tif"]
    assert found["B2"].files == [] and "outside the inbox" in found["B2"].refused[0][1]
