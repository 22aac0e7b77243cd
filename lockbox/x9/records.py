"""The X9.100-187 (DSTU X9.37) record layouts the lockbox reads and writes, one table per record type.

Every record is fixed-position text: columns are numbered from 1 as the standard prints them, both
ends included. One table per record serves the reader (`RecordLayout.split`) and the writer
(`RecordLayout.format`), so a field's position is written down once. The image view data record
(type 52) is the exception: after its 105 fixed columns come three length-prefixed runs of bytes
(image reference key, digital signature, image), measured by `measure_image_view_data`.

Only the fields the lockbox uses (or the writer must fill) are listed; the rest stay blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Literal, NamedTuple

Codec = Literal["latin-1", "cp037"]
"""How a file's text decodes: ASCII files as latin-1 (never fails), EBCDIC files as code page 037."""

RECORD_NAMES: dict[str, str] = {
    "01": "file header",
    "10": "cash letter header",
    "20": "bundle header",
    "25": "check detail",
    "26": "check detail addendum A",
    "27": "check detail addendum B",
    "28": "check detail addendum C",
    "31": "return",
    "50": "image view detail",
    "52": "image view data",
    "54": "image view analysis",
    "61": "credit",
    "62": "credit item",
    "68": "user record",
    "70": "bundle control",
    "85": "routing number summary",
    "90": "cash letter control",
    "99": "file control",
}


def record_label(record_type: str) -> str:
    """'check detail (type 25)': how a clerk-facing message names a record."""
    name = RECORD_NAMES.get(record_type)
    return f"{name} (type {record_type})" if name else f"type {record_type}"


class Where(NamedTuple):
    """Where a record sits in its file, so every message can point a clerk (or a hex editor) at it."""

    record: int  # 1-based, counting every record in the file
    offset: int  # byte offset of the record (of its length prefix, when it has one)

    def __str__(self) -> str:
        return f"record {self.record} at byte {self.offset}"


class X9Error(ValueError):
    """The file cannot be read as an image cash letter: what is wrong and where, for a clerk.

    The one exception `read_x9` raises; `record` and `offset` say where, when a place is known.
    """

    def __init__(self, message: str, where: Where | None = None) -> None:
        self.record = where.record if where else None
        self.offset = where.offset if where else None
        super().__init__(f"{where}: {message}" if where else message)


Kind = Literal["text", "number", "micr"]
"""How a field is justified: text left with spaces, number right with zeros, micr right with spaces."""


class Field(NamedTuple):
    """One fixed-position field of a record."""

    name: str
    start: int  # first column, counted from 1 as the standard prints it
    end: int  # last column, included
    kind: Kind = "text"

    @property
    def width(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True, slots=True)
class RecordLayout:
    """The fields of one record type, and its fixed length (the writer pads to it)."""

    record_type: str
    fields: tuple[Field, ...]
    length: int = 80

    @property
    def label(self) -> str:
        return record_label(self.record_type)

    def split(self, text: str, where: Where) -> dict[str, str]:
        """Each field's text, stripped; a record shorter than its layout is cut short, so refused."""
        if len(text) < self.length:
            raise X9Error(
                f"the {self.label} record is {len(text)} bytes long; it must be {self.length}: "
                "the record is cut short",
                where,
            )
        return {f.name: text[f.start - 1 : f.end].strip() for f in self.fields}

    def format(self, values: Mapping[str, str | int]) -> str:
        """The record as text: unset fields blank, each value justified as its field's kind says.

        Raises ValueError (never quoting the value: it may be an account number) when a value
        does not fit its field.
        """
        by_name = {f.name: f for f in self.fields}
        unknown = set(values) - set(by_name)
        if unknown:
            raise ValueError(f"{self.label} has no field {sorted(unknown)[0]!r}")
        chars = list(self.record_type + " " * (self.length - 2))
        for name, value in values.items():
            spec = by_name[name]
            chars[spec.start - 1 : spec.end] = _justify(spec, value, self.label)
        return "".join(chars)


def _justify(spec: Field, value: str | int, label: str) -> str:
    """One field's text at its exact width."""
    if spec.kind == "number":
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{label} {spec.name} must be a whole number of at least 0")
        text = str(value)
        if len(text) > spec.width:
            raise ValueError(f"{label} {spec.name} has more than its {spec.width} digits")
        return text.zfill(spec.width)
    text = str(value)
    if len(text) > spec.width:
        raise ValueError(
            f"{label} {spec.name} is {len(text)} characters, more than the {spec.width} it holds"
        )
    return text.rjust(spec.width) if spec.kind == "micr" else text.ljust(spec.width)


def parse_date(text: str) -> date | None:
    """A YYYYMMDD field as a date; None when blank or not a real date (banks leave some blank)."""
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def optional_number(text: str) -> int | None:
    """A numeric field's value; None when blank or not digits (control fields are compared, not trusted)."""
    return int(text) if text and text.isascii() and text.isdigit() else None


def required_number(text: str, what: str, where: Where) -> int:
    """A numeric field that must hold digits (money, lengths): anything else is a damaged file."""
    value = optional_number(text)
    if value is None:
        shown = text if len(text) <= 20 else text[:20] + "..."
        raise X9Error(f"{what} {shown!r} is not a number", where)
    return value


FILE_HEADER = RecordLayout(
    "01",
    (
        Field("standard_level", 3, 4),
        Field("test_file", 5, 5),
        Field("destination_routing", 6, 14),
        Field("origin_routing", 15, 23),
        Field("creation_date", 24, 31),
        Field("creation_time", 32, 35),
        Field("resend", 36, 36),
        Field("destination_name", 37, 54),
        Field("origin_name", 55, 72),
        Field("file_id_modifier", 73, 73),
        Field("country_code", 74, 75),
        Field("user_field", 76, 79),
        Field("companion_document", 80, 80),
    ),
)

CASH_LETTER_HEADER = RecordLayout(
    "10",
    (
        Field("collection_type", 3, 4),
        Field("destination_routing", 5, 13),
        Field("ece_routing", 14, 22),
        Field("business_date", 23, 30),
        Field("creation_date", 31, 38),
        Field("creation_time", 39, 42),
        Field("record_type_indicator", 43, 43),
        Field("documentation_type", 44, 44),
        Field("cash_letter_id", 45, 52),
        Field("originator_contact_name", 53, 66),
        Field("originator_contact_phone", 67, 76),
        Field("fed_work_type", 77, 77),
    ),
)

BUNDLE_HEADER = RecordLayout(
    "20",
    (
        Field("collection_type", 3, 4),
        Field("destination_routing", 5, 13),
        Field("ece_routing", 14, 22),
        Field("business_date", 23, 30),
        Field("creation_date", 31, 38),
        Field("bundle_id", 39, 48),
        Field("sequence_number", 49, 52),
        Field("cycle_number", 53, 54),
        Field("user_field", 64, 68),
    ),
)

CHECK_DETAIL = RecordLayout(
    "25",
    (
        Field("auxiliary_on_us", 3, 17, "micr"),
        Field("external_processing_code", 18, 18),
        Field("payor_bank_routing", 19, 26),
        Field("payor_bank_check_digit", 27, 27),
        Field("on_us", 28, 47, "micr"),
        Field("amount", 48, 57, "number"),
        Field("item_sequence_number", 58, 72),
        Field("documentation_type", 73, 73),
        Field("return_acceptance", 74, 74),
        Field("micr_valid", 75, 75),
        Field("bofd_indicator", 76, 76),
        Field("addendum_count", 77, 78, "number"),
        Field("correction_indicator", 79, 79),
        Field("archive_type", 80, 80),
    ),
)

CHECK_DETAIL_ADDENDUM_A = RecordLayout(
    "26",
    (
        Field("record_number", 3, 3),
        Field("bofd_routing", 4, 12),
        Field("bofd_business_date", 13, 20),
        Field("bofd_item_sequence_number", 21, 35),
        Field("deposit_account", 36, 53),
        Field("deposit_branch", 54, 58),
        Field("payee_name", 59, 73),
        Field("truncation_indicator", 74, 74),
        Field("conversion_indicator", 75, 75),
        Field("correction_indicator", 76, 76),
    ),
)

RETURN = RecordLayout(
    "31",
    (
        Field("payor_bank_routing", 3, 10),
        Field("payor_bank_check_digit", 11, 11),
        Field("on_us", 12, 31, "micr"),
        Field("amount", 32, 41, "number"),
    ),
)

IMAGE_VIEW_DETAIL = RecordLayout(
    "50",
    (
        Field("image_indicator", 3, 3),
        Field("image_creator_routing", 4, 12),
        Field("image_creator_date", 13, 20),
        Field("format", 21, 22),
        Field("compression", 23, 24),
        Field("data_size", 25, 31, "number"),
        Field("view_side", 32, 32),
        Field("view_descriptor", 33, 34),
        Field("digital_signature_indicator", 35, 35),
    ),
)

IMAGE_VIEW_DATA = RecordLayout(
    "52",
    (
        Field("ece_routing", 3, 11),
        Field("bundle_business_date", 12, 19),
        Field("cycle_number", 20, 21),
        Field("item_sequence_number", 22, 36),
        Field("security_originator_name", 37, 52),
        Field("security_authenticator_name", 53, 68),
        Field("security_key_name", 69, 84),
        Field("clipping_origin", 85, 85),
        Field("image_reference_key_length", 102, 105, "number"),
    ),
    length=105,
)

CREDIT = RecordLayout(
    "61",
    (
        Field("auxiliary_on_us", 3, 17, "micr"),
        Field("external_processing_code", 18, 18),
        Field("routing", 19, 27),
        Field("on_us", 28, 47, "micr"),
        Field("amount", 48, 57, "number"),
        Field("item_sequence_number", 58, 72),
        Field("documentation_type", 73, 73),
        Field("account_type", 74, 74),
        Field("source_of_work", 75, 75),
        Field("work_type", 76, 76),
        Field("debit_credit", 77, 77),
    ),
)

CREDIT_ITEM = RecordLayout(
    "62",
    (
        Field("auxiliary_on_us", 3, 17, "micr"),
        Field("external_processing_code", 18, 18),
        Field("routing", 19, 27),
        Field("on_us", 28, 47, "micr"),
        Field("amount", 48, 61, "number"),
        Field("item_sequence_number", 62, 76),
        Field("documentation_type", 77, 77),
        Field("account_type", 78, 78),
        Field("source_of_work", 79, 80),
    ),
    length=100,
)

BUNDLE_CONTROL = RecordLayout(
    "70",
    (
        Field("item_count", 3, 6, "number"),
        Field("total", 7, 18, "number"),
        Field("micr_valid_total", 19, 30, "number"),
        Field("image_count", 31, 35, "number"),
        Field("user_field", 36, 55),
        Field("credit_total_indicator", 56, 56),
    ),
)

CASH_LETTER_CONTROL = RecordLayout(
    "90",
    (
        Field("bundle_count", 3, 8, "number"),
        Field("item_count", 9, 16, "number"),
        Field("total", 17, 30, "number"),
        Field("image_count", 31, 39, "number"),
        Field("ece_institution_name", 40, 57),
        Field("settlement_date", 58, 65),
        Field("credit_total_indicator", 66, 66),
    ),
)

FILE_CONTROL = RecordLayout(
    "99",
    (
        Field("cash_letter_count", 3, 8, "number"),
        Field("record_count", 9, 16, "number"),
        Field("item_count", 17, 24, "number"),
        Field("total", 25, 40, "number"),
        Field("contact_name", 41, 54),
        Field("contact_phone", 55, 64),
        Field("credit_total_indicator", 65, 65),
    ),
)


@dataclass(frozen=True, slots=True)
class FileHeader:
    """Type 01: who sent the file to whom, and when."""

    standard_level: str  # "03" DSTU X9.37-2003, "30"/"35" X9.100-187
    test_file: str  # "T" test, "P" production
    destination_routing: str
    origin_routing: str
    creation_date: date | None
    creation_time: str
    resend: str
    destination_name: str
    origin_name: str
    file_id_modifier: str

    @classmethod
    def parse(cls, text: str, where: Where) -> FileHeader:
        f = FILE_HEADER.split(text, where)
        return cls(
            standard_level=f["standard_level"],
            test_file=f["test_file"],
            destination_routing=f["destination_routing"],
            origin_routing=f["origin_routing"],
            creation_date=parse_date(f["creation_date"]),
            creation_time=f["creation_time"],
            resend=f["resend"],
            destination_name=f["destination_name"],
            origin_name=f["origin_name"],
            file_id_modifier=f["file_id_modifier"],
        )


@dataclass(frozen=True, slots=True)
class CashLetterHeader:
    """Type 10: one deposit (cash letter) and its business date."""

    collection_type: str
    destination_routing: str
    ece_routing: str
    business_date: date | None
    creation_date: date | None
    creation_time: str
    record_type_indicator: str
    documentation_type: str
    cash_letter_id: str

    @classmethod
    def parse(cls, text: str, where: Where) -> CashLetterHeader:
        f = CASH_LETTER_HEADER.split(text, where)
        return cls(
            collection_type=f["collection_type"],
            destination_routing=f["destination_routing"],
            ece_routing=f["ece_routing"],
            business_date=parse_date(f["business_date"]),
            creation_date=parse_date(f["creation_date"]),
            creation_time=f["creation_time"],
            record_type_indicator=f["record_type_indicator"],
            documentation_type=f["documentation_type"],
            cash_letter_id=f["cash_letter_id"],
        )


@dataclass(frozen=True, slots=True)
class BundleHeader:
    """Type 20: a bundle of items inside a cash letter."""

    collection_type: str
    destination_routing: str
    ece_routing: str
    business_date: date | None
    creation_date: date | None
    bundle_id: str
    sequence_number: str
    cycle_number: str

    @classmethod
    def parse(cls, text: str, where: Where) -> BundleHeader:
        f = BUNDLE_HEADER.split(text, where)
        return cls(
            collection_type=f["collection_type"],
            destination_routing=f["destination_routing"],
            ece_routing=f["ece_routing"],
            business_date=parse_date(f["business_date"]),
            creation_date=parse_date(f["creation_date"]),
            bundle_id=f["bundle_id"],
            sequence_number=f["sequence_number"],
            cycle_number=f["cycle_number"],
        )


@dataclass(frozen=True, slots=True)
class CheckDetail:
    """Type 25: one check, with the MICR line as the bank captured it.

    `amount_cents` must be digits: a check whose amount cannot be read is a damaged file
    (X9Error), never a zero-dollar item. Account and routing fields stay out of `repr`, so a
    logged record never shows them whole.
    """

    auxiliary_on_us: str = field(repr=False)
    external_processing_code: str
    payor_bank_routing: str = field(repr=False)  # the first 8 digits of the routing number
    payor_bank_check_digit: str = field(repr=False)  # its ninth, check digit
    on_us: str = field(repr=False)
    amount_cents: int
    item_sequence_number: str
    documentation_type: str
    return_acceptance: str
    micr_valid: str  # "1" good read, "2" missing field, "3" read error, "4" both; often blank
    bofd_indicator: str
    addendum_count: int | None
    correction_indicator: str
    archive_type: str

    @property
    def routing(self) -> str:
        """The 9-digit routing number: the 8-digit field and its check digit."""
        return self.payor_bank_routing + self.payor_bank_check_digit

    @classmethod
    def parse(cls, text: str, where: Where) -> CheckDetail:
        f = CHECK_DETAIL.split(text, where)
        return cls(
            auxiliary_on_us=f["auxiliary_on_us"],
            external_processing_code=f["external_processing_code"],
            payor_bank_routing=f["payor_bank_routing"],
            payor_bank_check_digit=f["payor_bank_check_digit"],
            on_us=f["on_us"],
            amount_cents=required_number(f["amount"], "the check's item amount", where),
            item_sequence_number=f["item_sequence_number"],
            documentation_type=f["documentation_type"],
            return_acceptance=f["return_acceptance"],
            micr_valid=f["micr_valid"],
            bofd_indicator=f["bofd_indicator"],
            addendum_count=optional_number(f["addendum_count"]),
            correction_indicator=f["correction_indicator"],
            archive_type=f["archive_type"],
        )


@dataclass(frozen=True, slots=True)
class CheckDetailAddendumA:
    """Type 26: the bank of first deposit's endorsement, as far as the lockbox needs it."""

    record_number: str
    bofd_routing: str = field(repr=False)
    bofd_business_date: date | None
    bofd_item_sequence_number: str
    truncation_indicator: str

    @classmethod
    def parse(cls, text: str, where: Where) -> CheckDetailAddendumA:
        f = CHECK_DETAIL_ADDENDUM_A.split(text, where)
        return cls(
            record_number=f["record_number"],
            bofd_routing=f["bofd_routing"],
            bofd_business_date=parse_date(f["bofd_business_date"]),
            bofd_item_sequence_number=f["bofd_item_sequence_number"],
            truncation_indicator=f["truncation_indicator"],
        )


class ViewSide(Enum):
    """Which side of the item an image view shows (type 50, column 32)."""

    FRONT = "0"
    BACK = "1"


@dataclass(frozen=True, slots=True)
class ImageViewDetail:
    """Type 50: describes the image view whose bytes the next type 52 record carries."""

    image_indicator: (
        str  # "0" no image, "1" image present (actual item), "2" image present (not actual)
    )
    image_creator_routing: str
    image_creator_date: date | None
    format: str  # "00" TIFF 6
    compression: str  # "00" CCITT group 4
    data_size: int | None
    view_side: ViewSide | None  # None when the code is neither 0 nor 1
    view_descriptor: str

    @classmethod
    def parse(cls, text: str, where: Where) -> ImageViewDetail:
        f = IMAGE_VIEW_DETAIL.split(text, where)
        side = f["view_side"]
        return cls(
            image_indicator=f["image_indicator"],
            image_creator_routing=f["image_creator_routing"],
            image_creator_date=parse_date(f["image_creator_date"]),
            format=f["format"],
            compression=f["compression"],
            data_size=optional_number(f["data_size"]),
            view_side=ViewSide(side) if side in ("0", "1") else None,
            view_descriptor=f["view_descriptor"],
        )


IMAGE_FIXED_LENGTH = IMAGE_VIEW_DATA.length
"""Columns 1-105 of a type 52 record, before its image reference key."""
_SIGNATURE_LENGTH_DIGITS = 5
_IMAGE_LENGTH_DIGITS = 7
MAX_IMAGE_VIEW_DATA = IMAGE_FIXED_LENGTH + 9_999 + 5 + 99_999 + 7 + 9_999_999
"""The longest record the standard allows: a type 52 with every length field at its maximum."""


class ImageSpans(NamedTuple):
    """Where a type 52 record's variable parts lie, as offsets from the record's first byte."""

    reference_key: slice
    signature: slice
    image: slice

    @property
    def length(self) -> int:
        """The whole record's length, through the last image byte."""
        return self.image.stop


def _length_field(raw: bytes, codec: Codec, what: str, where: Where) -> int:
    """A length inside a type 52 record: digits, spaces around them allowed, blank meaning 0."""
    text = raw.decode(codec).strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise X9Error(f"the image view data's {what} {text!r} is not a number", where)
    return int(text)


def measure_image_view_data(buf: bytes, start: int, codec: Codec, where: Where) -> ImageSpans:
    """Read the three length fields of the type 52 record at `buf[start:]`.

    Raises X9Error when a length is not a number or a length field lies past the end of `buf`; the
    caller checks the image itself fits (it knows whether `buf` is the record or the whole file).
    """

    def take(pos: int, width: int, what: str) -> int:
        if start + pos + width > len(buf):
            raise X9Error(
                f"the image view data record ends before its {what} (the file is cut short)", where
            )
        return _length_field(buf[start + pos : start + pos + width], codec, what, where)

    key_length = take(101, 4, "image reference key length")
    key = slice(IMAGE_FIXED_LENGTH, IMAGE_FIXED_LENGTH + key_length)
    signature_length = take(key.stop, _SIGNATURE_LENGTH_DIGITS, "digital signature length")
    signature_start = key.stop + _SIGNATURE_LENGTH_DIGITS
    signature = slice(signature_start, signature_start + signature_length)
    image_length = take(signature.stop, _IMAGE_LENGTH_DIGITS, "image data length")
    image_start = signature.stop + _IMAGE_LENGTH_DIGITS
    return ImageSpans(key, signature, slice(image_start, image_start + image_length))


@dataclass(frozen=True, slots=True)
class ImageViewData:
    """Type 52: one image view's bytes (a TIFF, kept raw), with the security fields before them."""

    ece_routing: str
    bundle_business_date: date | None
    cycle_number: str
    item_sequence_number: str
    security_originator_name: str
    security_authenticator_name: str
    security_key_name: str
    image_reference_key: str
    digital_signature: bytes = field(repr=False)
    image: bytes = field(repr=False)

    @classmethod
    def parse(cls, body: bytes, codec: Codec, where: Where) -> ImageViewData:
        """Parse one whole type 52 record; its image must end inside the record."""
        if len(body) < IMAGE_FIXED_LENGTH:
            raise X9Error(
                f"the image view data record is {len(body)} bytes long; its fixed part alone is "
                f"{IMAGE_FIXED_LENGTH}: the record is cut short",
                where,
            )
        spans = measure_image_view_data(body, 0, codec, where)
        if spans.length > len(body):
            raise X9Error(
                f"the image view data record says its image is "
                f"{spans.image.stop - spans.image.start:,} bytes long but the record ends "
                f"{spans.length - len(body):,} bytes before that: the record is cut short",
                where,
            )
        f = IMAGE_VIEW_DATA.split(body[:IMAGE_FIXED_LENGTH].decode(codec), where)
        return cls(
            ece_routing=f["ece_routing"],
            bundle_business_date=parse_date(f["bundle_business_date"]),
            cycle_number=f["cycle_number"],
            item_sequence_number=f["item_sequence_number"],
            security_originator_name=f["security_originator_name"],
            security_authenticator_name=f["security_authenticator_name"],
            security_key_name=f["security_key_name"],
            image_reference_key=body[spans.reference_key].decode(codec).strip(),
            digital_signature=bytes(body[spans.signature]),
            image=bytes(body[spans.image]),
        )


@dataclass(frozen=True, slots=True)
class Credit:
    """Type 61 (credit) or 62 (credit item): the deposit's offsetting credit, not a payment.

    Both carry a posting account and an amount; 62 has a wider amount (14 digits) and 100 columns.
    """

    record_type: str
    auxiliary_on_us: str = field(repr=False)
    external_processing_code: str
    routing: str = field(repr=False)
    on_us: str = field(repr=False)
    amount_cents: int
    item_sequence_number: str
    documentation_type: str
    account_type: str

    @classmethod
    def parse(cls, text: str, record_type: str, where: Where) -> Credit:
        layout = CREDIT_ITEM if record_type == "62" else CREDIT
        f = layout.split(text, where)
        return cls(
            record_type=record_type,
            auxiliary_on_us=f["auxiliary_on_us"],
            external_processing_code=f["external_processing_code"],
            routing=f["routing"],
            on_us=f["on_us"],
            amount_cents=required_number(f["amount"], "the credit's amount", where),
            item_sequence_number=f["item_sequence_number"],
            documentation_type=f["documentation_type"],
            account_type=f["account_type"],
        )


@dataclass(frozen=True, slots=True)
class BundleControl:
    """Type 70: what the sender says the bundle holds; None where a count is not a number."""

    item_count: int | None
    total_cents: int | None
    micr_valid_total_cents: int | None
    image_count: int | None
    credit_total_indicator: str  # "1": credits inside the bundle are in the counts and total

    @classmethod
    def parse(cls, text: str, where: Where) -> BundleControl:
        f = BUNDLE_CONTROL.split(text, where)
        return cls(
            item_count=optional_number(f["item_count"]),
            total_cents=optional_number(f["total"]),
            micr_valid_total_cents=optional_number(f["micr_valid_total"]),
            image_count=optional_number(f["image_count"]),
            credit_total_indicator=f["credit_total_indicator"],
        )


@dataclass(frozen=True, slots=True)
class CashLetterControl:
    """Type 90: what the sender says the cash letter holds."""

    bundle_count: int | None
    item_count: int | None
    total_cents: int | None
    image_count: int | None
    ece_institution_name: str
    settlement_date: date | None
    credit_total_indicator: str

    @classmethod
    def parse(cls, text: str, where: Where) -> CashLetterControl:
        f = CASH_LETTER_CONTROL.split(text, where)
        return cls(
            bundle_count=optional_number(f["bundle_count"]),
            item_count=optional_number(f["item_count"]),
            total_cents=optional_number(f["total"]),
            image_count=optional_number(f["image_count"]),
            ece_institution_name=f["ece_institution_name"],
            settlement_date=parse_date(f["settlement_date"]),
            credit_total_indicator=f["credit_total_indicator"],
        )


@dataclass(frozen=True, slots=True)
class FileControl:
    """Type 99: what the sender says the whole file holds."""

    cash_letter_count: int | None
    record_count: int | None
    item_count: int | None
    total_cents: int | None
    contact_name: str
    contact_phone: str
    credit_total_indicator: str

    @classmethod
    def parse(cls, text: str, where: Where) -> FileControl:
        f = FILE_CONTROL.split(text, where)
        return cls(
            cash_letter_count=optional_number(f["cash_letter_count"]),
            record_count=optional_number(f["record_count"]),
            item_count=optional_number(f["item_count"]),
            total_cents=optional_number(f["total"]),
            contact_name=f["contact_name"],
            contact_phone=f["contact_phone"],
            credit_total_indicator=f["credit_total_indicator"],
        )
