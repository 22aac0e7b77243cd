"""Read an X9.37 / X9.100-187 image cash letter: one item per check, credits apart, totals checked.

A bank's file is trusted for nothing it can be checked on: every length is bounded by the bytes
left, every control record (70, 90, 99) is compared with what the file actually holds, and the
differences come back as warnings (data) for a clerk rather than exceptions. What cannot be read
at all raises the one error `X9Error`, saying what is wrong and at which record and byte.

Record types the lockbox has no use for (27, 28, 54, 68, 85, the return addenda ...) are skipped.
Returns (type 31) are not payments: they are counted in the control totals they belong to and
reported in a warning, never read as items.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple

from lockbox.money import mask
from lockbox.routing import aba_valid
from lockbox.x9.records import (
    MAX_IMAGE_VIEW_DATA,
    RETURN,
    BundleControl,
    BundleHeader,
    CashLetterControl,
    CashLetterHeader,
    CheckDetail,
    CheckDetailAddendumA,
    Codec,
    Credit,
    FileControl,
    FileHeader,
    ImageViewData,
    ImageViewDetail,
    ViewSide,
    Where,
    X9Error,
    measure_image_view_data,
    optional_number,
)

Encoding = Literal["ascii", "ebcdic"]
Framing = Literal["length-prefixed", "line", "fixed"]
Source = bytes | bytearray | memoryview | str | os.PathLike[str]
WarningCode = Literal[
    "bundle_count",  # a bundle control's item count disagrees with the bundle
    "bundle_total",
    "bundle_images",
    "cash_letter_count",  # bundles or items
    "cash_letter_total",
    "cash_letter_images",
    "file_count",  # cash letters, records or items
    "file_total",
    "structure",  # a record where the standard puts none (a check outside a bundle ...)
    "returns",  # returned items (type 31) were counted but not read
    "trailing_data",  # bytes after the file control record
]

_CODECS: dict[Encoding, Codec] = {"ascii": "latin-1", "ebcdic": "cp037"}
_FILE_HEADER_BYTES: dict[bytes, Encoding] = {b"01": "ascii", b"\xf0\xf1": "ebcdic"}
_NEWLINE_BYTES: dict[Encoding, bytes] = {"ascii": b"\r\n", "ebcdic": b"\x0d\x15\x25"}
_PADDING: dict[Encoding, bytes] = {  # NUL, spaces, line ends (and DOS end-of-file) after the 99
    "ascii": b"\x00\x1a \r\n",
    "ebcdic": b"\x00\x40\x0d\x15\x25",
}
_PREFIX = 4
_MAX_RECORDS = 99_999_999  # the file control's record count has 8 digits: no valid file holds more
_FIXED_LENGTHS = {"62": 100}  # records of a file without prefixes or newlines; all others are 80
# X9.100-187 writes the on-us symbol as '/', the dash as '-' and a character the bank's reader
# could not read as '*'; the project's MICR notation has U, D and '?' for them.
_TO_MICR_NOTATION = str.maketrans({"/": "U", "-": "D", "*": "?"})
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
_MICR_FLAGS = {"2": "a missing field", "3": "a read error", "4": "a missing field and a read error"}


@dataclass(frozen=True, slots=True)
class X9Warning:
    """Something a clerk should look at, found while reading (a control total that does not add up).

    `code` names the rule, for the pipeline to map to its exception codes.
    """

    code: WarningCode
    message: str
    record: int | None = None
    offset: int | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class X9Item:
    """One check (type 25 record) with its images: what the lockbox posts or holds for a clerk.

    `sequence` is the check's 1-based place among the file's checks. `problems` are item-level
    findings (no front image, an image that is not a TIFF, a routing number failing its check
    digit, a MICR line the bank flagged) that do not stop the rest of the file from being read.
    Account and routing numbers and image bytes stay out of `repr`.
    """

    sequence: int
    routing: str = field(repr=False)  # 9 digits: the 8-digit field and its check digit
    on_us: str = field(repr=False)
    auxiliary_on_us: str = field(repr=False)
    external_processing_code: str
    amount: Decimal
    item_sequence_number: str
    business_date: date | None  # the bundle's business date, else the cash letter's
    front_image: bytes | None = field(repr=False)
    back_image: bytes | None = field(repr=False)
    cash_letter_id: str
    bundle_id: str
    record: int
    offset: int
    detail: CheckDetail = field(repr=False)
    addendum_a: CheckDetailAddendumA | None = field(repr=False)
    problems: tuple[str, ...] = ()

    @property
    def routing_valid(self) -> bool:
        """True when the routing number is 9 digits whose ABA check digit is right."""
        return aba_valid(self.routing)

    @property
    def code_line(self) -> str:
        """The record's MICR fields as one code line in the project's notation (U auxiliary
        on-us U, T routing T, on-us, A amount A), for the MICR parse to split as it splits a
        line read from an image."""
        aux = self.auxiliary_on_us.strip().translate(_TO_MICR_NOTATION)
        on_us = self.on_us.strip().translate(_TO_MICR_NOTATION)
        parts = [f"U{aux}U"] if aux else []
        parts.append(f"T{self.routing.translate(_TO_MICR_NOTATION)}T")
        if on_us:
            parts.append(on_us)
        parts.append(f"A{int(self.amount * 100):010d}A")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class X9Credit:
    """A credit (type 61) or credit item (type 62): the deposit's own credit, never a payment."""

    sequence: int  # 1-based among the file's credits
    record_type: str
    routing: str = field(repr=False)
    on_us: str = field(repr=False)
    amount: Decimal
    item_sequence_number: str
    business_date: date | None
    cash_letter_id: str
    record: int
    offset: int
    detail: Credit = field(repr=False)


@dataclass(frozen=True, slots=True)
class X9File:
    """An image cash letter file as read: its checks, its credits, and what did not add up."""

    encoding: Encoding
    framing: Framing
    header: FileHeader
    cash_letters: tuple[CashLetterHeader, ...]
    items: tuple[X9Item, ...]
    credits: tuple[X9Credit, ...]
    control: FileControl
    record_count: int
    warnings: tuple[X9Warning, ...]

    @property
    def total(self) -> Decimal:
        """The checks' total in dollars (credits and returns excluded)."""
        return sum((item.amount for item in self.items), Decimal("0.00"))


def read_x9(source: Source) -> X9File:
    """Read an image cash letter from a path or from its bytes.

    ASCII or EBCDIC is told from the first record; records may be led by 4-byte big-endian
    lengths (the usual exchange form), or follow each other on lines, or at fixed 80 columns.

    A check whose amount is not digits makes the whole file fail (X9Error) rather than an item
    with a problem: a bank file with a damaged amount field cannot be trusted for its other
    amounts either, and the deposit must be reconciled as a whole. Control totals that disagree
    with the items are warnings on the result, not errors.

    Raises X9Error (and nothing else) when the file cannot be read: not an X9 file, a record or
    length prefix cut short or damaged, a length running past the end of the file, a record type
    that is not two digits, a non-numeric amount, no file control record at the end.
    """
    data = _load(source)
    encoding, framing = _detect(data)
    reader = _Reader(encoding)
    for raw in _records(data, encoding, framing):
        reader.read(raw)
        if raw.record_type == "99":
            reader.trailing(data, raw.end)
            break
    return reader.result(framing)


_HEAD_BYTES = 4096  # the file header and the first cash letter header, with room to spare


def peek_business_date(path: str | os.PathLike[str]) -> date | None:
    """The first cash letter's business date, from the file's first few records only.

    For sorting and dating a batch before its files are read: a file of a thousand checks is not
    loaded for one date. None when the head cannot be read or holds no cash letter header (the
    full read will say why).
    """
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        encoding, framing = _detect(head)
        codec = _CODECS[encoding]
        for raw in _records(head, encoding, framing):
            if raw.record_type == "10":
                return CashLetterHeader.parse(raw.body.decode(codec), raw.where).business_date
            if raw.record_type not in ("01", "10"):
                return None  # a cash letter header comes second or not at all
    except Exception:  # noqa: BLE001 - a date to sort by is never worth stopping the run
        return None
    return None


def _load(source: Source) -> bytes:
    """The file's bytes; a file that cannot be opened is an X9Error like any unreadable one."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    path = Path(source)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise X9Error(f"cannot read {path.name}: {exc.strerror or exc}") from exc


def _detect(data: bytes) -> tuple[Encoding, Framing]:
    """The file's character set and record framing, from where its file header (01) sits."""
    if len(data) >= 2 and data[:2] in _FILE_HEADER_BYTES:
        encoding = _FILE_HEADER_BYTES[data[:2]]
        first_line = data[:82]
        newline = any(b in first_line for b in _NEWLINE_BYTES[encoding])
        return encoding, "line" if newline else "fixed"
    if len(data) >= _PREFIX + 2 and data[_PREFIX : _PREFIX + 2] in _FILE_HEADER_BYTES:
        return _FILE_HEADER_BYTES[data[_PREFIX : _PREFIX + 2]], "length-prefixed"
    if not data:
        raise X9Error("the file is empty")
    raise X9Error(
        "this is not an X9.37 image cash letter: it does not begin with a file header record "
        "(type 01), in ASCII or EBCDIC, with or without a length prefix"
    )


class _Raw(NamedTuple):
    """One record's bytes, without its length prefix or line end, and where it was."""

    where: Where
    record_type: str
    body: bytes
    end: int  # offset just past the record


def _records(data: bytes, encoding: Encoding, framing: Framing) -> Iterator[_Raw]:
    """Split the file into records; every step consumes bytes, so the loop always ends."""
    codec = _CODECS[encoding]
    newlines = _NEWLINE_BYTES[encoding]
    offset, number, size = 0, 0, len(data)
    while offset < size:
        if framing != "length-prefixed" and data[offset] in newlines:
            offset += 1  # line ends between records, and after an image's last byte
            continue
        number += 1
        where = Where(number, offset)
        if number > _MAX_RECORDS:
            raise X9Error(f"the file holds more than {_MAX_RECORDS:,} records", where)
        if framing == "length-prefixed":
            start, end = _prefixed_span(data, where)
        else:
            start, end = offset, _unprefixed_end(data, where, encoding, framing)
        if end <= offset:  # pragma: no cover - every record takes at least one byte
            raise X9Error("the reader made no progress", where)
        body = data[start:end]
        record_type = body[:2].decode(codec)
        if len(record_type) < 2 or not (record_type.isascii() and record_type.isdigit()):
            raise X9Error(
                f"the record does not start with a two-digit record type (found {record_type!r}): "
                "the file is damaged or not an image cash letter",
                where,
            )
        yield _Raw(where, record_type, body, end)
        offset = end


def _prefixed_span(data: bytes, where: Where) -> tuple[int, int]:
    """The record after a 4-byte big-endian length, checked against the bytes left."""
    offset = where.offset
    left = len(data) - offset
    if left < _PREFIX:
        raise X9Error(
            f"the file ends {left} bytes into a record's 4-byte length prefix: it is cut short",
            where,
        )
    length = int.from_bytes(data[offset : offset + _PREFIX], "big")
    if length < 2:
        raise X9Error(f"the length prefix says the record is {length} bytes long", where)
    if length > MAX_IMAGE_VIEW_DATA:
        raise X9Error(
            f"the length prefix says the record is {length:,} bytes long, more than the "
            f"{MAX_IMAGE_VIEW_DATA:,} any record may hold: the prefix is damaged",
            where,
        )
    if length > left - _PREFIX:
        raise X9Error(
            f"the length prefix says the record is {length:,} bytes long but only "
            f"{left - _PREFIX:,} bytes are left: the file is cut short",
            where,
        )
    return offset + _PREFIX, offset + _PREFIX + length


def _unprefixed_end(data: bytes, where: Where, encoding: Encoding, framing: Framing) -> int:
    """Where a record without a length prefix ends: its image's end, its line's end, or 80 columns."""
    offset, codec = where.offset, _CODECS[encoding]
    record_type = data[offset : offset + 2].decode(codec)
    if record_type == "52":
        end = offset + measure_image_view_data(data, offset, codec, where).length
        if end > len(data):
            raise X9Error(
                f"the image view data record says its image runs {end - len(data):,} bytes past "
                "the end of the file: the file is cut short",
                where,
            )
        return end
    if framing == "line":
        limit = min(len(data), offset + MAX_IMAGE_VIEW_DATA)
        ends = [data.find(bytes([b]), offset, limit) for b in _NEWLINE_BYTES[encoding]]
        found = [end for end in ends if end >= 0]
        if found:
            return min(found)
        if limit < len(data):
            raise X9Error(
                f"the record runs on for more than {MAX_IMAGE_VIEW_DATA:,} bytes without a line "
                "end: the file is damaged",
                where,
            )
        return len(data)
    return min(len(data), offset + _FIXED_LENGTHS.get(record_type, 80))


@dataclass
class _Tally:
    """What a bundle, cash letter or file actually holds, to compare with its control record."""

    checks: int = 0
    returns: int = 0
    cents: int = 0  # checks and returns
    credits: int = 0
    credit_cents: int = 0
    images: int = 0

    def items(self, with_credits: bool) -> int:
        return self.checks + self.returns + (self.credits if with_credits else 0)

    def total(self, with_credits: bool) -> int:
        return self.cents + (self.credit_cents if with_credits else 0)


@dataclass
class _Bundle:
    header: BundleHeader
    label: str
    tally: _Tally = field(default_factory=_Tally)


@dataclass
class _CashLetter:
    header: CashLetterHeader
    label: str
    bundles: int = 0
    tally: _Tally = field(default_factory=_Tally)


@dataclass
class _ItemBuilder:
    """A check being read: its 25 record, then the addendum and images that follow it."""

    detail: CheckDetail
    where: Where
    business_date: date | None
    cash_letter_id: str
    bundle_id: str
    addendum_a: CheckDetailAddendumA | None = None
    front: bytes | None = None
    back: bytes | None = None
    notes: list[str] = field(default_factory=list)


class _Reader:
    """The record-by-record state: which cash letter, bundle and check the next record belongs to."""

    def __init__(self, encoding: Encoding) -> None:
        self.encoding = encoding
        self.codec = _CODECS[encoding]
        self.header: FileHeader | None = None
        self.control: FileControl | None = None
        self.cash_letter: _CashLetter | None = None
        self.bundle: _Bundle | None = None
        self.item: _ItemBuilder | None = None  # the check that addenda and images attach to
        self.in_item = False  # after any item record (a credit's or return's images are dropped)
        self.view: ImageViewDetail | None = None  # the 50 waiting for its 52
        self.cash_letter_headers: list[CashLetterHeader] = []
        self.builders: list[_ItemBuilder] = []
        self.credits: list[X9Credit] = []
        self.warnings: list[X9Warning] = []
        self.file_tally = _Tally()
        self.cash_letter_count = 0
        self.records = 0

    def read(self, raw: _Raw) -> None:
        self.records += 1
        kind = raw.record_type
        if kind == "52":
            self._image_data(raw)
            return
        text = raw.body.decode(self.codec)
        if self.header is None and kind != "01":  # pragma: no cover - _detect saw a 01 first
            raise X9Error("the file does not start with a file header (type 01)", raw.where)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, text, raw.where)

    def result(self, framing: Framing) -> X9File:
        if self.header is None or self.control is None:
            raise X9Error(
                f"the file ends after {self.records} records without its file control record "
                "(type 99): it is incomplete"
            )
        items = tuple(_finish(n, b) for n, b in enumerate(self.builders, start=1))
        return X9File(
            encoding=self.encoding,
            framing=framing,
            header=self.header,
            cash_letters=tuple(self.cash_letter_headers),
            items=items,
            credits=tuple(self.credits),
            control=self.control,
            record_count=self.records,
            warnings=tuple(self.warnings),
        )

    def trailing(self, data: bytes, end: int) -> None:
        """Bytes after the file control record: padding is normal, anything else is reported."""
        rest = data[end:]
        if rest.strip(_PADDING[self.encoding]):
            self._warn(
                "trailing_data",
                f"{len(rest):,} bytes after the file control record (type 99) were ignored",
                Where(self.records, end),
            )

    def _warn(self, code: WarningCode, message: str, where: Where | None = None) -> None:
        self.warnings.append(
            X9Warning(
                code, message, where.record if where else None, where.offset if where else None
            )
        )

    def _leave_item(self, for_another: bool = False) -> None:
        """No check owns the next images: a credit's or return's come next, or none at all."""
        self.item, self.in_item, self.view = None, for_another, None

    def _business_date(self) -> date | None:
        """The bundle's business date, else the cash letter's: the day the deposit was made."""
        bundle = self.bundle.header.business_date if self.bundle else None
        return bundle or (self.cash_letter.header.business_date if self.cash_letter else None)

    def _tallies(self) -> Iterator[_Tally]:
        yield self.file_tally
        if self.cash_letter is not None:
            yield self.cash_letter.tally
        if self.bundle is not None:
            yield self.bundle.tally

    # --- one method per record type ------------------------------------------------------

    def _file_header(self, text: str, where: Where) -> None:
        if self.header is not None:
            raise X9Error(
                "a second file header (type 01): two files are joined together, or the file is "
                "damaged",
                where,
            )
        self.header = FileHeader.parse(text, where)

    def _cash_letter_header(self, text: str, where: Where) -> None:
        if self.cash_letter is not None:
            self._close_cash_letter(None, where)
        header = CashLetterHeader.parse(text, where)
        self.cash_letter_count += 1
        label = _labelled("cash letter", self.cash_letter_count, header.cash_letter_id)
        self.cash_letter = _CashLetter(header, label)
        self.cash_letter_headers.append(header)

    def _bundle_header(self, text: str, where: Where) -> None:
        if self.bundle is not None:
            self._close_bundle(None, where)
        header = BundleHeader.parse(text, where)
        if self.cash_letter is None:
            self._warn("structure", f"a bundle header ({where}) outside any cash letter", where)
            number, owner = 1, "no cash letter"
        else:
            self.cash_letter.bundles += 1
            number, owner = self.cash_letter.bundles, self.cash_letter.label
        label = f"{_labelled('bundle', number, header.bundle_id)} of {owner}"
        self.bundle = _Bundle(header, label)

    def _check_detail(self, text: str, where: Where) -> None:
        detail = CheckDetail.parse(text, where)
        if self.bundle is None:
            self._warn("structure", f"a check detail ({where}) outside any bundle", where)
        self.item = _ItemBuilder(
            detail,
            where,
            self._business_date(),
            self.cash_letter.header.cash_letter_id if self.cash_letter else "",
            self.bundle.header.bundle_id if self.bundle else "",
        )
        self.builders.append(self.item)
        self.in_item, self.view = True, None
        for tally in self._tallies():
            tally.checks += 1
            tally.cents += detail.amount_cents

    def _addendum_a(self, text: str, where: Where) -> None:
        if self.item is not None and self.item.addendum_a is None:
            self.item.addendum_a = CheckDetailAddendumA.parse(text, where)

    def _return(self, text: str, where: Where) -> None:
        amount = optional_number(RETURN.split(text, where)["amount"])
        if amount is None:
            self._warn("returns", f"a return ({where}) has an amount that is not a number", where)
        for tally in self._tallies():
            tally.returns += 1
            tally.cents += amount or 0
        self._leave_item(for_another=True)

    def _credit(self, text: str, where: Where, record_type: str) -> None:
        credit = Credit.parse(text, record_type, where)
        self.credits.append(
            X9Credit(
                sequence=len(self.credits) + 1,
                record_type=record_type,
                routing=credit.routing,
                on_us=credit.on_us,
                amount=_dollars(credit.amount_cents),
                item_sequence_number=credit.item_sequence_number,
                business_date=self._business_date(),
                cash_letter_id=self.cash_letter.header.cash_letter_id if self.cash_letter else "",
                record=where.record,
                offset=where.offset,
                detail=credit,
            )
        )
        for tally in self._tallies():
            tally.credits += 1
            tally.credit_cents += credit.amount_cents
        self._leave_item(for_another=True)

    def _image_detail(self, text: str, where: Where) -> None:
        self.view = ImageViewDetail.parse(text, where)

    def _image_data(self, raw: _Raw) -> None:
        data = ImageViewData.parse(raw.body, self.codec, raw.where)
        for tally in self._tallies():
            tally.images += 1
        view, self.view = self.view, None
        item = self.item
        if not self.in_item:
            self._warn("structure", f"image view data ({raw.where}) outside any item", raw.where)
            return
        if item is None:
            return  # a credit's or a return's image: not a check's
        if view is None:
            item.notes.append(
                f"an image ({raw.where}) has no image view detail (type 50) before it"
            )
            return
        if view.image_indicator == "0" or not data.image:
            return
        if view.view_side is ViewSide.FRONT:
            item.front = item.front or data.image  # a second front view is an alternate rendering
        elif view.view_side is ViewSide.BACK:
            item.back = item.back or data.image
        else:
            item.notes.append(f"an image ({raw.where}) is of neither the front nor the back")

    def _bundle_control(self, text: str, where: Where) -> None:
        control = BundleControl.parse(text, where)
        if self.bundle is None:
            self._warn("structure", f"a bundle control ({where}) without its bundle header", where)
        else:
            self._close_bundle(control, where)
        self._leave_item()

    def _cash_letter_control(self, text: str, where: Where) -> None:
        control = CashLetterControl.parse(text, where)
        if self.cash_letter is None:
            self._warn(
                "structure",
                f"a cash letter control ({where}) without its cash letter header",
                where,
            )
        else:
            self._close_cash_letter(control, where)
        self._leave_item()

    def _file_control(self, text: str, where: Where) -> None:
        self.control = FileControl.parse(text, where)
        if self.cash_letter is not None:
            self._close_cash_letter(None, where)
        self._leave_item()
        self.warnings.extend(_check_file(self.control, where, self))

    # --- closing a bundle or a cash letter compares it with its control record ----------------

    def _close_bundle(self, control: BundleControl | None, where: Where) -> None:
        bundle, self.bundle = self.bundle, None
        if bundle is None:
            return
        if control is None:
            self._warn("structure", f"{bundle.label} has no bundle control record (type 70)", where)
        else:
            self.warnings.extend(_check_bundle(bundle, control, where))
        if bundle.tally.returns:
            self._warn(
                "returns",
                f"{bundle.label} holds {_count(bundle.tally.returns, 'returned item')} (type 31): returns "
                "are not payments and were not read",
                where,
            )

    def _close_cash_letter(self, control: CashLetterControl | None, where: Where) -> None:
        if self.bundle is not None:
            self._close_bundle(None, where)
        cash_letter, self.cash_letter = self.cash_letter, None
        if cash_letter is None:
            return
        if control is None:
            self._warn(
                "structure",
                f"{cash_letter.label} has no cash letter control record (type 90)",
                where,
            )
        else:
            self.warnings.extend(_check_cash_letter(cash_letter, control, where))


_HANDLERS: dict[str, Callable[[_Reader, str, Where], None]] = {
    "01": _Reader._file_header,
    "10": _Reader._cash_letter_header,
    "20": _Reader._bundle_header,
    "25": _Reader._check_detail,
    "26": _Reader._addendum_a,
    "31": _Reader._return,
    "50": _Reader._image_detail,
    "61": lambda reader, text, where: reader._credit(text, where, "61"),
    "62": lambda reader, text, where: reader._credit(text, where, "62"),
    "70": _Reader._bundle_control,
    "90": _Reader._cash_letter_control,
    "99": _Reader._file_control,
}


# --- the control checks: each compares one control record with what its part of the file holds --


_Row = tuple[WarningCode, str, int | None, int]
"""(warning code, what is counted, what the control record says, what the file holds)."""


def _mismatches(label: str, control: str, where: Where, rows: list[_Row]) -> list[X9Warning]:
    """Each row whose control value disagrees with the file, as a warning naming the part."""
    warnings = []
    for code, what, said, found in rows:
        if said == found:
            continue
        if said is None:
            message = f"{label}: its {control} ({where}) has no readable {what} count"
        elif what == "total":
            message = (
                f"{label}: its {control} ({where}) says the total is ${_dollars(said):,}; "
                f"the items add up to ${_dollars(found):,}"
            )
        else:
            message = (
                f"{label}: its {control} ({where}) counts {_count(said, what)}; "
                f"the file holds {found:,}"
            )
        warnings.append(X9Warning(code, message, where.record, where.offset))
    return warnings


def _check_bundle(bundle: _Bundle, control: BundleControl, where: Where) -> list[X9Warning]:
    """Bundle control (70): items, total and images against the bundle's records."""
    credits, tally = control.credit_total_indicator == "1", bundle.tally
    return _mismatches(
        bundle.label,
        "bundle control",
        where,
        [
            ("bundle_count", "item", control.item_count, tally.items(credits)),
            ("bundle_total", "total", control.total_cents, tally.total(credits)),
            ("bundle_images", "image", control.image_count, tally.images),
        ],
    )


def _check_cash_letter(
    cash_letter: _CashLetter, control: CashLetterControl, where: Where
) -> list[X9Warning]:
    """Cash letter control (90): bundles, items, total and images against the cash letter."""
    credits, tally = control.credit_total_indicator == "1", cash_letter.tally
    return _mismatches(
        cash_letter.label,
        "cash letter control",
        where,
        [
            ("cash_letter_count", "bundle", control.bundle_count, cash_letter.bundles),
            ("cash_letter_count", "item", control.item_count, tally.items(credits)),
            ("cash_letter_total", "total", control.total_cents, tally.total(credits)),
            ("cash_letter_images", "image", control.image_count, tally.images),
        ],
    )


def _check_file(control: FileControl, where: Where, reader: _Reader) -> list[X9Warning]:
    """File control (99): cash letters, records, items and total against the whole file."""
    credits, tally = control.credit_total_indicator == "1", reader.file_tally
    return _mismatches(
        "the file",
        "file control",
        where,
        [
            ("file_count", "cash letter", control.cash_letter_count, reader.cash_letter_count),
            ("file_count", "record", control.record_count, reader.records),
            ("file_count", "item", control.item_count, tally.items(credits)),
            ("file_total", "total", control.total_cents, tally.total(credits)),
        ],
    )


# --- finishing an item ------------------------------------------------------------------------


def _finish(sequence: int, builder: _ItemBuilder) -> X9Item:
    detail = builder.detail
    return X9Item(
        sequence=sequence,
        routing=detail.routing,
        on_us=detail.on_us,
        auxiliary_on_us=detail.auxiliary_on_us,
        external_processing_code=detail.external_processing_code,
        amount=_dollars(detail.amount_cents),
        item_sequence_number=detail.item_sequence_number,
        business_date=builder.business_date,
        front_image=builder.front,
        back_image=builder.back,
        cash_letter_id=builder.cash_letter_id,
        bundle_id=builder.bundle_id,
        record=builder.where.record,
        offset=builder.where.offset,
        detail=detail,
        addendum_a=builder.addendum_a,
        problems=tuple(_problems(builder)),
    )


def _problems(builder: _ItemBuilder) -> Iterator[str]:
    """What a clerk should know about one check; routing numbers only by their last 4 digits."""
    yield from builder.notes
    for side, image in (("front", builder.front), ("back", builder.back)):
        if image is None:
            yield f"no {side} image"
        elif image[:4] not in _TIFF_MAGIC:
            yield f"the {side} image ({_count(len(image), 'byte')}) is not a TIFF"
    routing = builder.detail.routing
    if not aba_valid(routing):
        yield f"the routing number ({mask(routing) or 'blank'}) fails its check digit"
    flag = _MICR_FLAGS.get(builder.detail.micr_valid)
    if flag:
        yield f"the bank marked the MICR line with {flag}"


def _dollars(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _count(number: int, noun: str) -> str:
    """'1 item', '14 items'."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _labelled(noun: str, number: int, identifier: str) -> str:
    """'bundle 2 (ID 747531)': the ordinal a clerk can count to, and the sender's own ID."""
    return f"{noun} {number} (ID {identifier})" if identifier else f"{noun} {number}"


__all__ = [
    "Encoding",
    "Framing",
    "WarningCode",
    "X9Credit",
    "X9File",
    "X9Item",
    "X9Warning",
    "peek_business_date",
    "read_x9",
]
