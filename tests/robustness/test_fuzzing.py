"""Fuzzing: no text breaks a field parser, and no damaged scan breaks the reader or posts wrongly.

The parsers get any text Hypothesis makes (and OCR-like text: digits, money marks, number words,
MICR symbols); each must return its type or None, never raise. Real generated scans with random
bytes flipped go through `ocr.reader.read_file` (an error item or a reading, never an exception) and
through `lockbox run`, where a damaged check that still decodes may be held, but if it posts, it
posts the original's amount to the original's loan.
"""

from __future__ import annotations

import os
import random
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockbox.routing import aba_valid
from ocr.micr.fields import parse_micr
from ocr.parse.accounts import parse_memo_account, parse_scan_line
from ocr.parse.amounts import parse_amount
from ocr.parse.dates import parse_date
from ocr.parse.lattice import read_words
from ocr.parse.names import parse_payer
from ocr.parse.words import parse_words

NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fifteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "and",
    "only",
    "dollars",
    "cents",
    "no/100",
    "xx/100",
    "00/100",
    "--",
    "**",
    "Jan",
    "January",
    "Feb",
    "Nov",
    "November",
    "Dec",
    "2026",
    "1999",
    "acct",
    "loan",
    "#",
    "No.",
]
OCR_CHARS = "0123456789 $,.-/*:#TUAD?OolIS|()"

ocr_like = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=OCR_CHARS, max_size=40),
    st.lists(st.sampled_from(NUMBER_WORDS) | st.text(OCR_CHARS, max_size=6), max_size=14).map(
        " ".join
    ),
)
FUZZ = settings(  # LOCKBOX_FUZZ_EXAMPLES=5000 for a deeper search than the default suite's
    max_examples=int(os.environ.get("LOCKBOX_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


def assert_money(value: object) -> None:
    assert value is None or (
        isinstance(value, Decimal)
        and value.is_finite()
        and value >= 0
        and value == value.quantize(Decimal("0.01"))
    ), value


@FUZZ
@given(ocr_like)
def test_amount_parsers_return_money_or_none(text: str) -> None:
    assert_money(parse_amount(text))
    assert_money(parse_words(text))
    for reading in read_words(text):
        assert_money(reading.value)


@FUZZ
@given(ocr_like)
def test_date_parser_returns_a_date_or_none(text: str) -> None:
    value = parse_date(text)
    assert value is None or type(value) is date


@FUZZ
@given(ocr_like)
def test_account_parsers_return_digits_or_none(text: str) -> None:
    account = parse_memo_account(text)
    assert account is None or (account.isdigit() and account.isascii())
    line = parse_scan_line(text)
    if line is not None:
        assert line.account.isdigit() and line.account.isascii()
        assert_money(line.amount_due)


@FUZZ
@given(st.lists(ocr_like, max_size=6))
def test_payer_parser_returns_text_or_none(lines: list[str]) -> None:
    payer = parse_payer(lines)
    assert payer is None or (isinstance(payer, str) and payer.strip())


@FUZZ
@given(ocr_like, st.floats(0, 1))
def test_micr_parser_never_invents_a_routing_number(text: str, confidence: float) -> None:
    micr = parse_micr(text, confidence)
    assert micr.routing is None or (len(micr.routing) == 9 and aba_valid(micr.routing))
    for number in (micr.account, micr.serial):
        assert number is None or (number.isdigit() and number.isascii())
    assert_money(micr.amount)


def flip_bytes(data: bytes, rng: random.Random, count: int, header: bool = False) -> bytes:
    """`count` random bytes replaced (in the first 256 bytes when `header`)."""
    out = bytearray(data)
    span = min(len(out), 256) if header else len(out)
    for _ in range(count):
        out[rng.randrange(span)] = rng.randrange(256)
    return bytes(out)


def scans_by_format(mail: Any) -> dict[str, Path]:
    """One real generated scan per file format."""
    found: dict[str, Path] = {}
    for t in mail.truth:
        suffix = Path(t.source_file).suffix.lower().replace("jpeg", "jpg").replace("tiff", "tif")
        found.setdefault(suffix, mail.inbox / t.source_file)
    return found


def read_flipped(path: Path, out: Path) -> list[Any]:
    from ocr.reader import read_file

    readings = read_file(out, f"flipped/{out.name}")
    assert readings, "every file gives at least one item"
    for r in readings:
        if r.error_code:
            assert r.error_code == "UNREADABLE_FILE" and r.error
        else:
            assert r.pages
    return readings


@pytest.mark.parametrize("header", [True, False], ids=["header", "body"])
def test_flipped_scans_never_crash_the_reader(mail10: Any, tmp_path: Path, header: bool) -> None:
    rng = random.Random(5 if header else 6)
    for suffix, path in sorted(scans_by_format(mail10).items()):
        data = path.read_bytes()
        for n in range(2 if header else 1):  # header damage mostly fails fast; body damage reads
            out = tmp_path / f"{path.stem}-{n}{suffix}"
            out.write_bytes(flip_bytes(data, rng, count=rng.randint(1, 12), header=header))
            read_flipped(path, out)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_many_flipped_scans_never_crash_the_reader(mail10: Any, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for suffix, path in sorted(scans_by_format(mail10).items()):
        data = path.read_bytes()
        for n in range(6):
            out = tmp_path / f"{path.stem}-{n}{suffix}"
            out.write_bytes(flip_bytes(data, rng, rng.randint(1, 40), header=rng.random() < 0.5))
            read_flipped(path, out)


def test_a_damaged_check_never_posts_a_wrong_amount(mail10: Any, lb: Any, tmp_path: Path) -> None:
    """Garbage is held, never posted; a damaged check that still reads posts only what it says."""
    rng = random.Random(2026)
    inbox = tmp_path / "inbox"
    originals = {}
    for n, truth in enumerate(mail10.good_checks()):
        data = (mail10.inbox / truth.source_file).read_bytes()
        # Damage the image data, past the header, so most files still decode.
        damaged = bytearray(data)
        for _ in range(rng.randint(3, 30)):
            at = rng.randrange(min(len(data) - 1, 512), len(data))
            damaged[at] = rng.randrange(256)
        rel = f"dallas/2026-11-17-FLIPPED/{n:02d}-{Path(truth.source_file).name}"
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_bytes(bytes(damaged))
        originals[rel] = truth
    assert lb("loans", "import", str(mail10.loans_csv)).code == 0
    run = lb.run_inbox(inbox)
    assert run.code == 0, run.err
    items = lb.items()
    assert {source for source, _ in items} == set(originals)
    for (source, _), row in items.items():
        if row["status"] == "posted":
            truth = originals[source]
            assert (row["loan_account"], row["amount"]) == (truth.loan_account, truth.amount), row
