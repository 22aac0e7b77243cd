"""`read_x9` on files another project and real banks wrote (../shared/data/x9), and on damaged ones.

The contract: one item per check detail (25) with its MICR fields, amount and TIFF images; credits
apart; control totals that disagree as warnings; anything unreadable as X9Error, never another
exception and never a hang.
"""

from __future__ import annotations

import io
import struct
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from lockbox.x9 import X9CashLetterSpec, X9CheckSpec, X9Error, read_x9, write_x9

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "x9"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason="../shared/data/x9 is not beside the project"
)


def _records(data: bytes) -> list[bytes]:
    """The records of a length-prefixed file, without their prefixes."""
    out, offset = [], 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        out.append(data[offset + 4 : offset + 4 + length])
        offset += 4 + length
    return out


def _prefixed(records: list[bytes]) -> bytes:
    return b"".join(struct.pack(">I", len(r)) + r for r in records)


@needs_data
def test_the_ascii_and_ebcdic_files_read_to_the_same_check() -> None:
    ascii_file = read_x9(DATA / "valid-ascii.x937")
    ebcdic_file = read_x9((DATA / "valid-ebcdic.x937").read_bytes())

    assert (ascii_file.encoding, ebcdic_file.encoding) == ("ascii", "ebcdic")
    assert ascii_file.framing == ebcdic_file.framing == "length-prefixed"
    assert ascii_file.items == ebcdic_file.items
    [item] = ascii_file.items
    assert item.sequence == 1
    assert item.amount == Decimal("100.00")
    assert item.routing == "122000661"
    assert item.routing_valid
    assert item.on_us == "1211-1234-56789/"
    assert item.auxiliary_on_us == ""
    assert item.item_sequence_number == "000000029001104"
    assert item.business_date == date(2020, 10, 23)
    assert (item.cash_letter_id, item.bundle_id) == ("74753", "747531")
    assert item.addendum_a is not None
    assert item.addendum_a.bofd_business_date == date(2020, 10, 16)
    assert item.problems == ()
    assert ascii_file.warnings == ebcdic_file.warnings == ()
    assert ascii_file.total == Decimal("100.00")
    assert ascii_file.record_count == 12
    assert ascii_file.header.origin_name == "Wave Money"


@needs_data
def test_the_front_and_back_images_are_the_tiffs_pillow_opens() -> None:
    [item] = read_x9(DATA / "valid-ascii.x937").items
    assert item.front_image is not None and item.back_image is not None
    assert (len(item.front_image), len(item.back_image)) == (7408, 8646)
    for image in (item.front_image, item.back_image):
        with Image.open(io.BytesIO(image)) as opened:
            assert opened.format == "TIFF"
            assert opened.size == (1200, 550)
            opened.load()


@needs_data
def test_a_bank_file_with_returns_reads_its_checks_and_reports_the_rest() -> None:
    x9 = read_x9(DATA / "BNK20180905121042882-A.icl")

    assert len(x9.cash_letters) == 2
    assert [item.amount for item in x9.items] == [Decimal("1000.00")] * 4
    assert [item.item_sequence_number for item in x9.items] == ["1", "2", "1", "2"]
    assert [item.cash_letter_id for item in x9.items] == ["A1", "A1", "A2", "A2"]
    assert all(item.routing == "031300012" and item.routing_valid for item in x9.items)
    assert x9.items[0].auxiliary_on_us == "123456789"
    assert x9.items[0].business_date == date(2018, 10, 3)
    # the bank's images are one byte each, and there are no backs: item problems, not errors
    assert "the front image (1 byte) is not a TIFF" in x9.items[0].problems
    assert "no back image" in x9.items[0].problems
    codes = [w.code for w in x9.warnings]
    assert codes.count("returns") == 2
    # its controls count records where the standard counts items
    assert any("counts 14 items; the file holds 2" in w.message for w in x9.warnings)


@needs_data
def test_a_file_without_a_micr_valid_indicator_reads_like_the_valid_one() -> None:
    valid = read_x9(DATA / "valid-ascii.x937").items[0]
    [item] = read_x9(DATA / "without-micrValidIndicator.icl").items
    assert item.detail.micr_valid == "0"
    assert (item.amount, item.routing, item.on_us) == (valid.amount, valid.routing, valid.on_us)
    assert item.front_image == valid.front_image


@needs_data
def test_a_credit_record_61_is_reported_apart_from_the_checks() -> None:
    x9 = read_x9(DATA / "creditRecord61.icl")

    [credit] = x9.credits
    assert credit.record_type == "61"
    assert credit.amount == Decimal("1020.88")
    assert credit.routing == "999920060"
    assert credit.business_date == date(2022, 8, 3)
    assert len(x9.items) == 4
    assert x9.total == Decimal("4000.00")
    assert credit.amount not in {item.amount for item in x9.items}
    # the bank left its credit out of the file control's record count
    assert [w.message for w in x9.warnings] == [
        "the file: its file control (record 39 at byte 3344) counts 38 records; the file holds 39"
    ]


@needs_data
def test_a_credit_item_62_is_a_credit_too() -> None:
    x9 = read_x9(DATA / "BNK20181010121042882-A.icl")
    [credit] = x9.credits
    assert (credit.record_type, credit.amount, credit.cash_letter_id) == (
        "62",
        Decimal("1000.00"),
        "A1",
    )
    assert len(x9.items) == 4


CRASHERS = sorted((DATA / "crashers").iterdir()) if DATA.is_dir() else []


@needs_data
@pytest.mark.parametrize("path", CRASHERS, ids=lambda p: p.name[:8])
def test_every_fuzzed_file_reads_or_raises_x9error_within_a_second(path: Path) -> None:
    started = time.perf_counter()
    try:
        x9 = read_x9(path)
    except X9Error as exc:
        assert type(exc) is X9Error
        assert str(exc).strip()
    else:
        assert x9.header is not None
    assert time.perf_counter() - started < 1.0


@needs_data
def test_there_are_crashers_to_test() -> None:
    assert len(CRASHERS) >= 10


@needs_data
@pytest.mark.parametrize("cut", [1, 3, 5, 60, 84, 86, 300, 530, 2000, 8033, 16884, 17100, 17135])
def test_a_cut_short_file_raises_x9error_saying_so(cut: int) -> None:
    data = (DATA / "valid-ascii.x937").read_bytes()[:cut]
    with pytest.raises(X9Error) as caught:
        read_x9(data)
    message = str(caught.value)
    assert any(
        phrase in message
        for phrase in ("cut short", "incomplete", "not an X9.37", "two-digit record type")
    ), message


@needs_data
def test_a_file_cut_at_a_record_boundary_is_incomplete() -> None:
    data = (DATA / "valid-ascii.x937").read_bytes()[:16968]  # before the 90 and 99
    with pytest.raises(X9Error, match=r"without its file control record \(type 99\)"):
        read_x9(data)


@needs_data
def test_a_tampered_bundle_total_is_a_warning_naming_the_bundle() -> None:
    records = _records((DATA / "valid-ascii.x937").read_bytes())
    control = records[9]
    assert control[:2] == b"70"
    records[9] = control[:6] + b"000000012345" + control[18:]

    x9 = read_x9(_prefixed(records))

    [warning] = x9.warnings
    assert warning.code == "bundle_total"
    assert warning.message.startswith("bundle 1 (ID 747531) of cash letter 1 (ID 74753)")
    assert "says the total is $123.45; the items add up to $100.00" in warning.message
    assert warning.record == 10
    assert len(x9.items) == 1  # the items are still read


@needs_data
def test_a_check_amount_that_is_not_a_number_fails_the_file_at_its_record() -> None:
    records = _records((DATA / "valid-ascii.x937").read_bytes())
    detail = records[3]
    records[3] = detail[:47] + b"00000X0000" + detail[57:]
    with pytest.raises(
        X9Error, match=r"record 4 at byte 252: .*amount '00000X0000' is not a number"
    ):
        read_x9(_prefixed(records))


@needs_data
def test_a_damaged_length_prefix_is_named_with_its_offset() -> None:
    data = bytearray((DATA / "valid-ascii.x937").read_bytes())
    data[84:88] = struct.pack(">I", 2_000_000_000)
    with pytest.raises(X9Error, match=r"record 2 at byte 84: .*prefix is damaged") as caught:
        read_x9(bytes(data))
    assert (caught.value.record, caught.value.offset) == (2, 84)


@needs_data
@pytest.mark.parametrize("separator", [b"\n", b"\r\n", b""])
def test_files_without_length_prefixes_read_the_same(separator: bytes) -> None:
    data = (DATA / "valid-ascii.x937").read_bytes()
    unprefixed = separator.join(_records(data)) + separator
    prefixed = read_x9(data)

    x9 = read_x9(unprefixed)

    assert x9.framing == ("fixed" if not separator else "line")
    assert [(i.amount, i.routing, i.on_us, i.front_image, i.back_image) for i in x9.items] == [
        (i.amount, i.routing, i.on_us, i.front_image, i.back_image) for i in prefixed.items
    ]
    assert x9.warnings == ()


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 100, bytes(range(256)) * 4, b"%PDF-1.7\n", b"25" + b" " * 78],
    ids=["empty", "zeros", "noise", "pdf", "no-header"],
)
def test_what_is_not_an_x9_file_raises_x9error(data: bytes) -> None:
    with pytest.raises(X9Error) as caught:
        read_x9(data)
    assert type(caught.value) is X9Error and str(caught.value)


def test_a_missing_file_raises_x9error(tmp_path: Path) -> None:
    with pytest.raises(X9Error, match="cannot read nothing.x937"):
        read_x9(tmp_path / "nothing.x937")


def _small_file(encoding: str) -> bytes:
    item = X9CheckSpec(
        routing="122000661",
        on_us="1211-1234-56789/",
        amount=Decimal("12.34"),
        sequence_number="7",
        front_image=b"II*\x00front",
        back_image=b"II*\x00back",
    )
    spec = X9CashLetterSpec(
        [item, item], deposit_date=date(2026, 11, 17), originating_routing="111000025"
    )
    return write_x9(spec, "ebcdic" if encoding == "ebcdic" else "ascii")


SMALL = {encoding: _small_file(encoding) for encoding in ("ascii", "ebcdic")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    encoding=st.sampled_from(["ascii", "ebcdic"]),
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_damaged_bytes_never_raise_anything_but_x9error(
    encoding: str, edits: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(SMALL[encoding])
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    try:
        read_x9(bytes(data))
    except X9Error as exc:
        assert str(exc)
