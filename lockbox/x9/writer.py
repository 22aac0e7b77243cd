"""Write an X9.100-187 image cash letter, so tests and the sample generator can make bank files.

The file is the plain forward-presentment shape a bank's capture system sends: file header (01),
one cash letter (10), bundles (20) of checks, each check as a detail record (25), its addendum A
(26) and a front and a back image (50 + 52 each), bundle controls (70) with counts and totals, the
cash letter control (90) and the file control (99); every record led by its 4-byte big-endian
length. Images are written as given: the caller supplies TIFFs (the standard's are bitonal
CCITT group 4, which the image view detail declares).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from lockbox.x9.records import (
    BUNDLE_CONTROL,
    BUNDLE_HEADER,
    CASH_LETTER_CONTROL,
    CASH_LETTER_HEADER,
    CHECK_DETAIL,
    CHECK_DETAIL_ADDENDUM_A,
    FILE_CONTROL,
    FILE_HEADER,
    IMAGE_VIEW_DATA,
    IMAGE_VIEW_DETAIL,
    RecordLayout,
    ViewSide,
)

_MICR_CHARACTERS = frozenset("0123456789 -/*")  # digits, blank, dash, on-us symbol, unreadable
_MAX_IMAGE_BYTES = 9_999_999  # the image data length field has 7 digits
_MAX_BUNDLE_ITEMS = 9_999  # the bundle control's item count has 4 digits
_CODECS = {"ascii": "ascii", "ebcdic": "cp037"}


@dataclass(frozen=True, slots=True)
class X9CheckSpec:
    """One check to write: its MICR fields as the bank would capture them, and its two images."""

    routing: str  # 9 digits, check digit included (not verified: tests write bad ones on purpose)
    on_us: str  # the on-us field: digits, spaces, '-' and '/' (the on-us symbol)
    amount: Decimal  # dollars, whole cents
    sequence_number: str  # the ECE institution item sequence number, 1 to 15 digits
    front_image: bytes
    back_image: bytes
    auxiliary_on_us: str = ""
    external_processing_code: str = ""


@dataclass(frozen=True, slots=True)
class X9CashLetterSpec:
    """A deposit to write as one cash letter: the checks, their business date, who sends it."""

    items: Sequence[X9CheckSpec]
    deposit_date: date
    originating_routing: str  # the depositing (ECE) bank, 9 digits
    destination_routing: str = ""  # the receiving bank; the originating bank when blank
    cash_letter_id: str = "1"
    origin_name: str = ""
    destination_name: str = ""
    bundle_size: int = 300  # checks per bundle
    test_file: bool = True


def write_x9(spec: X9CashLetterSpec, encoding: Literal["ascii", "ebcdic"] = "ascii") -> bytes:
    """The cash letter as X9.100-187 bytes, in ASCII or EBCDIC (code page 037).

    Counts and totals in the control records are computed from the items, so a file written here
    reads back without warnings. Raises ValueError for input that no field can hold (never
    quoting an account or routing number).
    """
    _validate(spec)
    codec = _CODECS[encoding]
    out = bytearray()
    for text, image in _records(spec):
        try:
            body = text.encode(codec) + image
        except UnicodeEncodeError as exc:
            raise ValueError(f"a name holds a character {encoding} cannot encode") from exc
        out += len(body).to_bytes(4, "big") + body
    return bytes(out)


_Record = tuple[str, bytes]
"""A record's text, and the image bytes that follow it (type 52 only)."""


def _records(spec: X9CashLetterSpec) -> Iterator[_Record]:
    """Every record of the file in order, the controls counting what came before them."""
    origin = spec.originating_routing
    destination = spec.destination_routing or origin
    day = spec.deposit_date.strftime("%Y%m%d")
    yield _text(
        FILE_HEADER,
        standard_level="35",
        test_file="T" if spec.test_file else "P",
        destination_routing=destination,
        origin_routing=origin,
        creation_date=day,
        creation_time="0000",
        resend="N",
        destination_name=spec.destination_name,
        origin_name=spec.origin_name,
        file_id_modifier="A",
        country_code="US",
    )
    yield _text(
        CASH_LETTER_HEADER,
        collection_type="01",
        destination_routing=destination,
        ece_routing=origin,
        business_date=day,
        creation_date=day,
        creation_time="0000",
        record_type_indicator="I",  # image included
        documentation_type="G",  # image included, no paper
        cash_letter_id=spec.cash_letter_id,
    )
    size = spec.bundle_size
    bundles = [spec.items[i : i + size] for i in range(0, len(spec.items), size)]
    for number, bundle in enumerate(bundles, start=1):
        yield _text(
            BUNDLE_HEADER,
            collection_type="01",
            destination_routing=destination,
            ece_routing=origin,
            business_date=day,
            creation_date=day,
            bundle_id=str(number),
            sequence_number=f"{number:04d}",
            cycle_number="01",
        )
        for item in bundle:
            yield from _check_records(item, origin, day)
        cents = sum(_cents(item.amount) for item in bundle)
        yield _text(
            BUNDLE_CONTROL,
            item_count=len(bundle),
            total=cents,
            micr_valid_total=cents,
            image_count=2 * len(bundle),
            credit_total_indicator="0",
        )
    total = sum(_cents(item.amount) for item in spec.items)
    yield _text(
        CASH_LETTER_CONTROL,
        bundle_count=len(bundles),
        item_count=len(spec.items),
        total=total,
        image_count=2 * len(spec.items),
        ece_institution_name=spec.origin_name,
        settlement_date=day,
        credit_total_indicator="0",
    )
    yield _text(
        FILE_CONTROL,
        cash_letter_count=1,
        record_count=4 + 2 * len(bundles) + _RECORDS_PER_CHECK * len(spec.items),
        item_count=len(spec.items),
        total=total,
        credit_total_indicator="0",
    )


_RECORDS_PER_CHECK = 6  # 25, 26, and 50 + 52 for each side


def _check_records(item: X9CheckSpec, origin: str, day: str) -> Iterator[_Record]:
    """The check's detail (25), addendum A (26), and front and back image records (50 + 52)."""
    yield _text(
        CHECK_DETAIL,
        auxiliary_on_us=item.auxiliary_on_us,
        external_processing_code=item.external_processing_code,
        payor_bank_routing=item.routing[:8],
        payor_bank_check_digit=item.routing[8],
        on_us=item.on_us,
        amount=_cents(item.amount),
        item_sequence_number=item.sequence_number,
        documentation_type="G",
        return_acceptance="0",
        micr_valid="1",
        bofd_indicator="Y",
        addendum_count=1,
        correction_indicator="0",
        archive_type="B",  # image
    )
    yield _text(
        CHECK_DETAIL_ADDENDUM_A,
        record_number="1",
        bofd_routing=origin,
        bofd_business_date=day,
        bofd_item_sequence_number=item.sequence_number,
        truncation_indicator="Y",
        conversion_indicator="2",
        correction_indicator="0",
    )
    for side, image in ((ViewSide.FRONT, item.front_image), (ViewSide.BACK, item.back_image)):
        yield _text(
            IMAGE_VIEW_DETAIL,
            image_indicator="1",
            image_creator_routing=origin,
            image_creator_date=day,
            format="00",  # TIFF 6
            compression="00",  # CCITT group 4
            data_size=len(image),
            view_side=side.value,
            view_descriptor="00",  # full view
            digital_signature_indicator="0",
        )
        fixed, _ = _text(
            IMAGE_VIEW_DATA,
            ece_routing=origin,
            bundle_business_date=day,
            cycle_number="01",
            item_sequence_number=item.sequence_number,
            clipping_origin="0",
            image_reference_key_length=0,
        )
        # no reference key, a zero-length digital signature, then the image's 7-digit length
        yield fixed + "00000" + f"{len(image):07d}", image


def _text(layout: RecordLayout, **values: str | int) -> _Record:
    return layout.format(values), b""


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _validate(spec: X9CashLetterSpec) -> None:
    """Refuse what no field could hold, before a byte is written."""
    if not _digits(spec.originating_routing, 9, 9):
        raise ValueError("the originating routing number must be 9 digits")
    if spec.destination_routing and not _digits(spec.destination_routing, 9, 9):
        raise ValueError("the destination routing number must be 9 digits, or blank")
    if not 1 <= spec.bundle_size <= _MAX_BUNDLE_ITEMS:
        raise ValueError(f"bundle_size must be 1 to {_MAX_BUNDLE_ITEMS:,}")
    for number, item in enumerate(spec.items, start=1):
        where = f"item {number}"
        if not _digits(item.routing, 9, 9):
            raise ValueError(f"{where}: the routing number must be 9 digits")
        for name, value, width in (
            ("on-us field", item.on_us, 20),
            ("auxiliary on-us field", item.auxiliary_on_us, 15),
        ):
            if len(value) > width or not set(value) <= _MICR_CHARACTERS or value != value.strip():
                raise ValueError(
                    f"{where}: the {name} must be at most {width} of digits, spaces, '-', '/' "
                    "and '*', with no leading or trailing space"
                )
        if len(item.external_processing_code) > 1:
            raise ValueError(f"{where}: the external processing code is one character")
        if not _digits(item.sequence_number, 1, 15):
            raise ValueError(f"{where}: the sequence number must be 1 to 15 digits")
        amount = item.amount
        if amount.is_finite() and amount * 100 >= 10**10:
            raise ValueError(f"{where}: the amount is more than the 10 digits of cents it holds")
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"{where}: the amount must be whole cents, at least 0")
        for side, image in (("front", item.front_image), ("back", item.back_image)):
            if not 1 <= len(image) <= _MAX_IMAGE_BYTES:
                raise ValueError(
                    f"{where}: the {side} image must be 1 to {_MAX_IMAGE_BYTES:,} bytes"
                )


def _digits(value: str, shortest: int, longest: int) -> bool:
    return shortest <= len(value) <= longest and value.isascii() and value.isdigit()
