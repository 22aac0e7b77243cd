"""`--out` (issue 23): never through a link, never over a file lockbox did not write unless
--force, a folder named in one line; every export is whole or absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockbox.cli import main as lockbox

BOOK = (
    "account_number,borrower_name,co_borrower_name,product,status,monthly_payment,"
    "next_due_date,principal_balance,annual_rate,fees_due\n"
    "4410023981,Maria Gonzalez,,retail,active,412.50,2026-12-01,15000.00,0.0699,0.00\n"
)


@pytest.fixture
def loans(lockbox_home: Path, tmp_path: Path) -> Path:
    book = tmp_path / "loans.csv"
    book.write_text(BOOK)
    assert lockbox(["loans", "import", str(book)]) == 0
    return book


def test_an_export_replaces_an_earlier_export_of_its_kind(loans: Path, tmp_path: Path) -> None:
    out = tmp_path / "loans-out.csv"
    assert lockbox(["export", "loans", "--out", str(out)]) == 0
    first = out.read_text()
    assert lockbox(["export", "loans", "--out", str(out)]) == 0
    assert out.read_text() == first
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_an_export_never_replaces_a_scan_unless_forced(
    loans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = tmp_path / "0001.tif"
    scan.write_bytes(b"II*\x00 a scan")
    assert lockbox(["export", "ledger", "--out", str(scan)]) == 2
    assert "not an earlier lockbox output" in capsys.readouterr().err
    assert scan.read_bytes() == b"II*\x00 a scan"
    ledger = tmp_path / "ledger.csv"  # another kind's export is not replaced either
    assert lockbox(["export", "loans", "--out", str(ledger)]) == 0
    assert lockbox(["export", "ledger", "--out", str(ledger)]) == 2
    assert lockbox(["export", "ledger", "--out", str(scan), "--force"]) == 0
    assert scan.read_text().startswith("entry_id,")


def test_an_export_never_writes_through_a_link(
    loans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me")
    link = tmp_path / "items.csv"
    link.symlink_to(target)
    assert lockbox(["export", "items", "--out", str(link), "--force"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == "keep me" and link.is_symlink()


def test_a_folder_as_out_is_one_clear_line(
    loans: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert lockbox(["export", "items", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
