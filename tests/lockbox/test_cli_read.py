"""`lockbox read`: what a clerk runs on one scan; JSON keys per CONTRACT, numbers masked by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockbox.cli import main as lockbox

SAMPLE = Path(__file__).parents[2] / "sample_data" / "sample"
KEYS = {
    "source_file",
    "page",
    "micr_line",
    "routing",
    "account",
    "serial",
    "courtesy_amount",
    "legal_amount",
    "amount",
    "date",
    "loan_account",
    "payer",
    "confidence",
}


def truth_for(source_file: str) -> dict:
    truth = json.loads((SAMPLE / "truth.json").read_text())
    return next(t for t in truth["items"] if t["source_file"] == source_file and t["page"] == 1)


def test_read_json_masks_numbers_unless_asked(capsys: pytest.CaptureFixture[str]) -> None:
    rel = "dallas/2026-11-16-D01/item-0003.jpg"
    expected = truth_for(rel)["fields"]
    assert lockbox(["read", str(SAMPLE / "inbox" / rel), "--json"]) == 0
    masked = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(masked) == 1 and set(masked[0]) >= KEYS
    page = masked[0]
    assert page["routing"] == "*****" + expected["routing"][-4:]
    assert expected["routing"] not in json.dumps(page)
    assert expected["bank_account"] not in json.dumps(page)
    assert lockbox(["read", str(SAMPLE / "inbox" / rel), "--json", "--unmasked"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert page["routing"] == expected["routing"]
    assert page["account"] == expected["bank_account"]
    assert page["micr_line"].startswith("U") or "T" in page["micr_line"]


def test_read_a_page_of_a_pdf_and_a_file_that_is_not_a_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = SAMPLE / "inbox" / "dallas" / "2026-11-16-D01" / "scan-0005.pdf"
    assert lockbox(["read", str(pdf), "--page", "2", "--json"]) == 0
    pages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["page"] for p in pages] == [2]
    junk = tmp_path / "note.jpg"
    junk.write_text("this is not a picture")
    assert lockbox(["read", str(junk)]) == 1
    assert "cannot read" in capsys.readouterr().err
