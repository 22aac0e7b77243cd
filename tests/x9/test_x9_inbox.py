"""Image cash letters in the inbox: found as item files, dated, read into one Capture per check.

What a clerk would check: each check is an item with the bank's amount and MICR fields; a file
that cannot be read is one exception saying why; what the image shows surely and the bank's record
contradicts is held; totals that do not add up and the deposit's credits reach the batch.
(The whole run, through `lockbox run`, is in tests/flows/test_cash_letter_run.py.)
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from flows import cash_letter
from flows.capture import read_one
from lockbox.capture import Capture
from lockbox.inbox import ITEM_SUFFIXES, MULTI_ITEM_SUFFIXES, scan_batch
from lockbox.x9 import (
    X9CashLetterSpec,
    X9CheckSpec,
    X9Error,
    X9Item,
    peek_business_date,
    read_x9,
    write_x9,
)
from reconciliation.codes import ExceptionCode
from reconciliation.matching import LoanDirectory, match_capture
from reconciliation.rules import bank_record_findings, decide_amount, evaluate

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "x9"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason="../shared/data/x9 is not beside the project"
)
AS_OF = date(2026, 11, 17)


def _tiff(width: int = 60, height: int = 25) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, format="TIFF", compression="group4")
    return out.getvalue()


def _check(**changes: object) -> X9CheckSpec:
    spec = X9CheckSpec(
        routing="122000661",
        on_us="4410023981/ 1042",
        amount=Decimal("412.50"),
        sequence_number="1",
        front_image=_tiff(),
        back_image=_tiff(),
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


def _letter(checks: list[X9CheckSpec], day: date = AS_OF, encoding: str = "ascii") -> bytes:
    spec = X9CashLetterSpec(checks, deposit_date=day, originating_routing="111000025")
    return write_x9(spec, encoding)  # type: ignore[arg-type]


def _spec_of(item: X9Item, **changes: object) -> X9CheckSpec:
    """A check read from a cash letter, to be written again (changed)."""
    assert item.front_image is not None and item.back_image is not None
    spec = X9CheckSpec(
        routing=item.routing,
        on_us=item.on_us.strip(),
        auxiliary_on_us=item.auxiliary_on_us.strip(),
        amount=item.amount,
        sequence_number=item.item_sequence_number,
        front_image=item.front_image,
        back_image=item.back_image,
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


# --- the inbox -----------------------------------------------------------------------------


def test_cash_letters_are_item_files_that_hold_many_items(tmp_path: Path) -> None:
    batch = tmp_path / "dallas" / "b1"
    batch.mkdir(parents=True)
    for name in ("a.x9", "b.X937", "c.icl"):
        (batch / name).write_bytes(_letter([_check()]))
    found = scan_batch("dallas", batch, tmp_path)
    assert [p.name for p in found.files] == ["a.x9", "b.X937", "c.icl"]
    assert {p.suffix.lower() for p in found.files} <= ITEM_SUFFIXES
    assert {p.suffix.lower() for p in found.files} <= MULTI_ITEM_SUFFIXES  # re-read on a resume


def test_a_batch_without_a_ticket_takes_the_cash_letters_business_date(tmp_path: Path) -> None:
    batch = tmp_path / "dallas" / "b1"
    batch.mkdir(parents=True)
    (batch / "deposit.x937").write_bytes(_letter([_check()], date(2026, 11, 13), "ebcdic"))
    found = scan_batch("dallas", batch, tmp_path)
    assert found.ticket.deposit_date == date(2026, 11, 13)
    assert found.warnings == []


def test_a_tickets_deposit_date_wins_over_the_cash_letters(tmp_path: Path) -> None:
    batch = tmp_path / "dallas" / "b1"
    batch.mkdir(parents=True)
    (batch / "batch.json").write_text(json.dumps({"deposit_date": "2026-11-12"}))
    (batch / "deposit.x937").write_bytes(_letter([_check()], date(2026, 11, 13)))
    assert scan_batch("dallas", batch, tmp_path).ticket.deposit_date == date(2026, 11, 12)


def test_cash_letters_of_different_days_date_the_batch_by_the_earliest(tmp_path: Path) -> None:
    batch = tmp_path / "dallas" / "b1"
    batch.mkdir(parents=True)
    (batch / "one.x9").write_bytes(_letter([_check()], date(2026, 11, 14)))
    (batch / "two.x9").write_bytes(_letter([_check()], date(2026, 11, 13)))
    (batch / "broken.x9").write_bytes(b"not a cash letter")
    found = scan_batch("dallas", batch, tmp_path)
    assert found.ticket.deposit_date == date(2026, 11, 13)
    assert len(found.warnings) == 1 and "2026-11-13, 2026-11-14" in found.warnings[0]


@needs_data
def test_the_business_date_is_peeked_without_reading_the_file() -> None:
    assert peek_business_date(DATA / "valid-ascii.x937") == date(2020, 10, 23)
    assert peek_business_date(DATA / "valid-ebcdic.x937") == date(2020, 10, 23)
    for path in (DATA / "crashers").iterdir():
        peek_business_date(path)  # a date or None, never an exception


@settings(max_examples=200, deadline=None)
@given(head=st.binary(max_size=400), cut=st.integers(0, 400))
def test_peeking_at_any_bytes_never_raises(
    tmp_path_factory: pytest.TempPathFactory, head: bytes, cut: int
) -> None:
    path = tmp_path_factory.mktemp("peek") / "any.x9"
    path.write_bytes(head + _letter([_check()])[:cut])
    peek_business_date(path)


# --- the bank's record ---------------------------------------------------------------------


def _item(spec: X9CheckSpec) -> X9Item:
    return read_x9(_letter([spec])).items[0]


def test_the_records_micr_fields_split_as_a_read_line_does() -> None:
    personal = cash_letter.record_micr(_item(_check(on_us="4410023981/ 1042")))
    assert (personal.routing, personal.account, personal.serial) == (
        "122000661",
        "4410023981",
        "1042",
    )
    assert personal.amount == Decimal("412.50")
    business = cash_letter.record_micr(_item(_check(on_us="4410023981/", auxiliary_on_us="001042")))
    assert (business.account, business.serial) == ("4410023981", "001042")
    assert cash_letter.record_micr(_item(_check(routing="122000662"))).routing is None
    assert cash_letter.record_micr(_item(_check(on_us="44100*3981/ 1042"))).account is None


# --- files that cannot be read -------------------------------------------------------------


@needs_data
def test_every_crasher_is_held_with_the_readers_message(tmp_path: Path) -> None:
    for path in sorted((DATA / "crashers").iterdir()):
        copy = tmp_path / f"{path.name}.x937"
        shutil.copy(path, copy)
        captures = read_one(copy, f"dallas/b1/{copy.name}")
        assert captures, path.name
        try:
            read_x9(path)
        except X9Error as exc:
            assert len(captures) == 1
            reason = captures[0].unreadable_reason or ""
            assert reason.startswith(f"dallas/b1/{copy.name}: ") and str(exc) in reason
            continue
        # a file that reads has only checks whose images say nothing: none can post by itself
        assert all(c.image_problem and c.bank_amount is not None for c in captures)


def test_a_cash_letter_past_the_size_ceiling_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.x937"
    path.write_bytes(_letter([_check()]))
    monkeypatch.setattr(cash_letter, "MAX_CASH_LETTER_BYTES", 1024)
    [capture] = read_one(path, "dallas/b1/big.x937")
    assert capture.unreadable_reason and "smaller files" in capture.unreadable_reason


def test_a_cash_letter_without_checks_is_one_item_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.x9"
    path.write_bytes(_letter([]))
    [capture] = read_one(path, "dallas/b1/empty.x9")
    assert (
        not capture.is_check and capture.not_check_reason == "the image cash letter holds no checks"
    )


# --- what the batch is told ----------------------------------------------------------------


def test_totals_that_do_not_add_up_ride_on_the_first_check_for_the_batch(tmp_path: Path) -> None:
    data = _letter(
        [_check(amount=Decimal("10.00"), front_image=b"junk"), _check(amount=Decimal("5.00"))]
    )
    # the first check's amount field altered after the controls were written
    path = tmp_path / "altered.x937"
    path.write_bytes(data.replace(b"0000001000", b"0000002000", 1))
    first, second = read_one(path, "dallas/b1/altered.x937")
    assert first.bank_amount == Decimal("20.00") and second.bank_amount == Decimal("5.00")
    assert second.file_warnings == ()
    totals = [w for w in first.file_warnings if "says the total is $15.00" in w]
    assert totals and all(w.startswith("dallas/b1/altered.x937: ") for w in totals)


@needs_data
def test_the_deposits_credits_are_listed_not_posted() -> None:
    [*captures] = read_one(DATA / "creditRecord61.icl", "dallas/b1/credit.icl")
    assert len(captures) == 4  # the four checks; the credit record is no item
    credit = [w for w in captures[0].file_warnings if "credit 1 (record type 61)" in w]
    assert credit and "$1,020.88" in credit[0] and "not a payment" in credit[0]


# --- the image against the record ----------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow, on the damaged TIFF itself
def test_a_check_without_a_readable_front_is_held_for_a_clerk_to_key_the_loan(
    tmp_path: Path,
) -> None:
    path = tmp_path / "deposit.x937"
    path.write_bytes(_letter([_check(front_image=b"II*\x00 damaged")]))
    [capture] = read_one(path, "dallas/b1/deposit.x937")
    assert capture.is_check and capture.page == 1
    assert capture.image_problem and "front image" in capture.image_problem
    assert (capture.routing, capture.bank_account, capture.serial) == (
        "122000661",
        "4410023981",
        "1042",
    )
    decision = decide_amount(capture)
    assert decision.amount == Decimal("412.50") and decision.confidence == 1.0
    match = match_capture(capture, LoanDirectory([]), decision.amount)
    findings = evaluate(
        capture, match=match, loan_status=None, business_date=AS_OF, amount=decision
    )
    assert findings[0].code == ExceptionCode.NO_CHECK_IMAGE


def _bank(**fields: object) -> Capture:
    capture = Capture(
        source_file="dallas/b1/deposit.x937",
        bank_amount=Decimal("412.50"),
        routing="122000661",
        bank_account="4410023981",
        serial="1042",
    )
    return replace(capture, **fields)  # type: ignore[arg-type]


def test_a_surely_read_amount_or_micr_line_that_contradicts_the_record_holds_the_check() -> None:
    assert (
        bank_record_findings(_bank(courtesy_amount=Decimal("412.50"), courtesy_confidence=0.99))
        == []
    )
    # an unsure reading does not outvote the bank's record
    assert bank_record_findings(_bank(legal_amount=Decimal("41.25"), legal_confidence=0.3)) == []
    [amount] = bank_record_findings(_bank(legal_amount=Decimal("421.50"), legal_confidence=0.8))
    assert amount.code == ExceptionCode.BANK_RECORD_MISMATCH
    assert "$412.50" in amount.message and "$421.50" in amount.message
    [micr] = bank_record_findings(_bank(image_routing="111000025", image_micr_confidence=0.9))
    assert "routing" in micr.message and "111000025" not in micr.message  # masked
    assert bank_record_findings(_bank(image_routing="111000025", image_micr_confidence=0.2)) == []


def test_figures_and_words_that_disagree_hold_a_cash_letter_check_too() -> None:
    """The must-review rule holds whoever read the check first: the bank's record agreeing with
    one of them does not post it; its amount waits in suspense."""
    capture = _bank(
        courtesy_amount=Decimal("512.50"),
        courtesy_confidence=0.3,
        legal_amount=Decimal("412.50"),
        legal_confidence=0.3,
    )
    decision = decide_amount(capture)
    assert decision.amount is None and decision.read == Decimal("412.50")
    assert decision.finding is not None
    assert decision.finding.code == ExceptionCode.AMOUNT_MISMATCH
    assert "$512.50" in decision.finding.message and "bank's record" in decision.finding.message
    agreeing = _bank(courtesy_amount=Decimal("412.50"), legal_amount=Decimal("412.50"))
    assert decide_amount(agreeing).amount == Decimal("412.50")


def test_a_record_whose_amount_disagrees_with_a_clearly_printed_check_is_held(
    cash_letter_mail: Path, tmp_path: Path
) -> None:
    letter = read_x9(cash_letter_mail / "cash-letter.x937")
    first = letter.items[0]  # a clean check, clearly filled in
    path = tmp_path / "wrong-amount.x937"
    path.write_bytes(_letter([_spec_of(first, amount=first.amount + 100)]))
    [capture] = read_one(path, "dallas/b1/wrong-amount.x937")
    assert capture.courtesy_amount == first.amount  # the paper says what it says
    decision = decide_amount(capture)
    assert decision.amount == first.amount + 100  # the bank's credit is the item's amount
    findings = evaluate(capture, match=None, loan_status=None, business_date=AS_OF, amount=decision)
    mismatch = [f for f in findings if f.code == ExceptionCode.BANK_RECORD_MISMATCH]
    assert mismatch and f"${first.amount + 100:,.2f}" in mismatch[0].message


# --- the generator's cash letter -----------------------------------------------------------


def test_the_generator_writes_every_check_as_the_bank_would(cash_letter_mail: Path) -> None:
    index = json.loads((cash_letter_mail / "cash-letter.json").read_text())
    truth = json.loads((cash_letter_mail / "truth.json").read_text())["items"]
    checks = [t for t in truth if t["document"] == "check"]
    letter = read_x9(cash_letter_mail / "cash-letter.x937")
    assert letter.warnings == () and len(letter.items) == len(checks) == len(index["items"])
    assert [(c["source_file"], c["page"]) for c in index["items"]] == [
        (t["source_file"], t["page"]) for t in checks
    ]
    for item, entry, fields in zip(letter.items, index["items"], checks, strict=True):
        assert str(item.amount) == entry["amount"]
        assert fields["amount"] in (None, entry["amount"])
        assert item.routing == fields["fields"]["routing"]
        assert item.business_date == date.fromisoformat(index["business_date"])
        assert item.front_image is not None
        with Image.open(io.BytesIO(item.front_image)) as front:
            assert front.mode == "1" and front.info.get("compression") == "group4"


# --- lockbox read ----------------------------------------------------------------------------


def test_lockbox_read_gives_one_reading_per_check_with_the_banks_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clerk reads a cash letter as a scan: one line per check, numbered by its place in the
    file, the MICR fields the bank's record (masked unless asked), a blank front said so."""
    from lockbox.cli import main

    second = _check(on_us="5520019876/ 2001", amount=Decimal("99.05"), sequence_number="2")
    path = tmp_path / "deposit.x937"
    path.write_bytes(_letter([_check(), second]))
    assert main(["read", str(path), "--json", "--unmasked"]) == 0
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [g["page"] for g in got] == [1, 2]
    assert [(g["routing"], g["account"], g["serial"]) for g in got] == [
        ("122000661", "4410023981", "1042"),
        ("122000661", "5520019876", "2001"),
    ]
    assert got[1]["micr_line"].endswith("A0000009905A")
    assert main(["read", str(path), "--json", "--page", "2"]) == 0
    (masked,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert masked["account"].endswith("9876") and "5520019876" not in json.dumps(masked)
