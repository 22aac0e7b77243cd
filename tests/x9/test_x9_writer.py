"""`write_x9` writes cash letters `read_x9` reads back exactly: amounts, MICR fields, images, totals."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from lockbox.routing import aba_valid
from lockbox.x9 import X9CashLetterSpec, X9CheckSpec, X9Error, read_x9, write_x9


def _tiff(width: int, height: int) -> bytes:
    """A bitonal CCITT group 4 TIFF, the kind a bank's capture system writes."""
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, format="TIFF", compression="group4")
    return out.getvalue()


TIFFS = [_tiff(60, 25), _tiff(120, 50), _tiff(33, 17)]


def _routing(first8: str) -> str:
    """`first8` and the ABA check digit that makes it a valid routing number."""
    total = sum(w * int(d) for w, d in zip((3, 7, 1, 3, 7, 1, 3, 7), first8, strict=True))
    return first8 + str((10 - total % 10) % 10)


def _check(sequence: int, amount: str = "412.50", **changes: Any) -> X9CheckSpec:
    spec = X9CheckSpec(
        routing="122000661",
        on_us="4410023981/",
        amount=Decimal(amount),
        sequence_number=str(sequence),
        front_image=TIFFS[0],
        back_image=TIFFS[1],
        auxiliary_on_us="1042",
    )
    return replace(spec, **changes)


def _letter(items: list[X9CheckSpec], **changes: Any) -> X9CashLetterSpec:
    spec = X9CashLetterSpec(items, deposit_date=date(2026, 11, 17), originating_routing="111000025")
    return replace(spec, **changes)


micr_text = st.text(alphabet="0123456789 -/", max_size=20).map(str.strip)
images = st.one_of(
    st.sampled_from(TIFFS),
    # any bytes at all after the TIFF signature: newlines, EBCDIC digits, NULs must all survive
    st.binary(min_size=0, max_size=300).map(lambda tail: b"II*\x00" + tail),
)
checks = st.builds(
    X9CheckSpec,
    routing=st.from_regex(r"[0-9]{8}", fullmatch=True).filter(lambda s: s != "0" * 8).map(_routing),
    on_us=micr_text,
    amount=st.integers(0, 10**10 - 1).map(lambda cents: Decimal(cents) / 100),
    sequence_number=st.from_regex(r"[0-9]{1,15}", fullmatch=True),
    front_image=images,
    back_image=images,
    auxiliary_on_us=micr_text.map(lambda s: s[:15].strip()),
    external_processing_code=st.sampled_from(["", "4", "6"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(checks, min_size=0, max_size=12),
    bundle_size=st.integers(1, 5),
    deposit_date=st.dates(date(1993, 1, 1), date(2099, 12, 31)),
    encoding=st.sampled_from(["ascii", "ebcdic"]),
)
def test_a_written_cash_letter_reads_back_exactly(
    items: list[X9CheckSpec], bundle_size: int, deposit_date: date, encoding: str
) -> None:
    spec = _letter(items, bundle_size=bundle_size, deposit_date=deposit_date)
    data = write_x9(spec, "ebcdic" if encoding == "ebcdic" else "ascii")

    x9 = read_x9(data)

    assert x9.encoding == encoding
    assert x9.warnings == ()
    assert x9.credits == ()
    assert [i.sequence for i in x9.items] == list(range(1, len(items) + 1))
    assert [i.amount for i in x9.items] == [s.amount for s in items]
    assert [(i.routing, i.on_us, i.auxiliary_on_us) for i in x9.items] == [
        (s.routing, s.on_us, s.auxiliary_on_us) for s in items
    ]
    assert [i.external_processing_code for i in x9.items] == [
        s.external_processing_code for s in items
    ]
    assert [i.item_sequence_number for i in x9.items] == [s.sequence_number for s in items]
    assert [(i.front_image, i.back_image) for i in x9.items] == [
        (s.front_image, s.back_image) for s in items
    ]
    assert all(i.business_date == deposit_date and i.routing_valid for i in x9.items)
    assert all(i.problems == () for i in x9.items)
    assert x9.total == sum((s.amount for s in items), Decimal("0.00"))
    assert x9.control.record_count == x9.record_count
    bundles = -(-len(items) // bundle_size)
    assert [i.bundle_id for i in x9.items] == [str(n // bundle_size + 1) for n in range(len(items))]
    assert x9.record_count == 4 + 2 * bundles + 6 * len(items)


def test_the_same_cash_letter_is_the_same_bytes_and_ebcdic_is_not_ascii() -> None:
    spec = _letter([_check(1), _check(2, "0.01")])
    ascii_bytes = write_x9(spec)
    assert write_x9(spec) == ascii_bytes
    ebcdic_bytes = write_x9(spec, "ebcdic")
    assert len(ebcdic_bytes) == len(ascii_bytes)
    assert ascii_bytes[4:6] == b"01"
    assert ebcdic_bytes[4:6] == b"\xf0\xf1"


def test_a_large_cash_letter_is_split_into_bundles_whose_controls_add_up() -> None:
    items = [_check(n, f"{n}.{n % 100:02d}", front_image=TIFFS[2]) for n in range(1, 651)]
    x9 = read_x9(write_x9(_letter(items)))  # the default 300 checks a bundle

    assert x9.warnings == ()
    assert len(x9.items) == 650
    assert sorted({i.bundle_id for i in x9.items}) == ["1", "2", "3"]
    assert x9.control.item_count == 650
    assert x9.control.total_cents == sum(n * 100 + n % 100 for n in range(1, 651))
    assert x9.total == sum((s.amount for s in items), Decimal("0.00"))


def test_the_written_images_are_tiffs_pillow_opens() -> None:
    [item] = read_x9(write_x9(_letter([_check(1)]), "ebcdic")).items
    assert item.front_image is not None and item.back_image is not None
    with Image.open(io.BytesIO(item.back_image)) as back:
        assert (back.format, back.size) == ("TIFF", (120, 50))


def test_a_routing_number_failing_its_check_digit_is_an_item_problem_masked() -> None:
    x9 = read_x9(write_x9(_letter([_check(1, routing="122000662")])))
    [item] = x9.items
    assert not aba_valid(item.routing)
    assert item.problems == ("the routing number (*****0662) fails its check digit",)
    assert "122000662" not in repr(item)
    assert "4410023981" not in repr(item)


def _split(data: bytes) -> list[bytes]:
    """The records of a length-prefixed file, without their prefixes."""
    out, offset = [], 0
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        out.append(data[offset + 4 : offset + 4 + length])
        offset += 4 + length
    return out


def test_a_tampered_written_bundle_total_names_that_bundle() -> None:
    records = _split(write_x9(_letter([_check(n) for n in range(1, 6)], bundle_size=2)))
    controls = [n for n, record in enumerate(records) if record[:2] == b"70"]
    assert len(controls) == 3
    second = records[controls[1]]
    records[controls[1]] = second[:6] + b"000000099999" + second[18:]  # two checks make $825.00

    x9 = read_x9(b"".join(len(r).to_bytes(4, "big") + r for r in records))

    assert [(w.code, w.message.split(":")[0]) for w in x9.warnings] == [
        ("bundle_total", "bundle 2 (ID 2) of cash letter 1 (ID 1)")
    ]
    assert "$999.99; the items add up to $825.00" in x9.warnings[0].message
    assert x9.warnings[0].record == controls[1] + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"routing": "12200066"}, "routing number must be 9 digits"),
        ({"amount": Decimal("1.005")}, "whole cents"),
        ({"amount": Decimal("-1.00")}, "whole cents"),
        ({"amount": Decimal("100000000.00")}, "10 digits"),
        ({"amount": Decimal("1E+40")}, "10 digits"),
        ({"amount": Decimal("NaN")}, "whole cents"),
        ({"on_us": "4410023981X"}, "on-us field"),
        ({"on_us": "1" * 21}, "on-us field"),
        ({"sequence_number": ""}, "sequence number"),
        ({"front_image": b""}, "front image"),
    ],
)
def test_input_no_field_can_hold_is_refused_without_quoting_it(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        write_x9(_letter([_check(1, **change)]))
    assert not isinstance(caught.value, X9Error)
    assert "4410023981" not in str(caught.value)


def test_a_bad_originating_routing_or_bundle_size_is_refused() -> None:
    with pytest.raises(ValueError, match="originating routing"):
        write_x9(_letter([], originating_routing="1110"))
    with pytest.raises(ValueError, match="bundle_size"):
        write_x9(_letter([], bundle_size=0))
    with pytest.raises(ValueError, match="cash_letter_id"):
        write_x9(_letter([], cash_letter_id="123456789"))
