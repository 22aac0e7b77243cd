"""The BAI lockbox transmission: the fixed-width file banks send for a day's lockbox deposits.

A file is 80-character ASCII records, one per line, each named by its first character:

    1  immediate address header      (once)
    2  service record                (once)
    5  lockbox header                (per lockbox: here, per site)
    6  detail: one check             (per check, in its batch)
    4  overflow: the check's remittance data, here the loan account (after its 6)
    7  batch total: checks and dollars of one batch
    8  lockbox (service) total: checks and dollars of the lockbox
    9  file trailer: records in the file

Field positions follow the common BAI lockbox layout (the one the FundersClub/bai-lockbox parser
reads, in 80 columns: the detail record ends with the remitter's name at column 80 instead of a
payee name past it). `FIELDS` is the one table both `render_bai` and `read_bai` use, so what is
written is what is read. Money is cents, zero-padded; dates are YYMMDD except the check date,
MMDDYY as banks write it.

`read_bai` checks what a bank's customer checks: every 6 has its batch's and lockbox's numbers, item
numbers run 1, 2, 3 in each batch, each 7 counts and totals its batch, each 8 its lockbox, and the
9 counts the file's records; anything else raises BaiError naming the line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lockbox.money import ZERO, mask, money

RECORD_LENGTH = 80
MASK = "X"  # a masked digit: in the BAI alphanumeric set, and plainly not a digit
SERVICE_TYPE = "400"  # lockbox
BLOCKING_FACTOR = "0800"
FORMAT_CODE = "1"
OVERFLOW_OF_DETAIL = "6"  # record 4's type: it continues a record 6
LAST_OVERFLOW = "9"  # record 4's indicator: no more overflow for this check

# The characters a BAI alphanumeric field may hold.
_ALNUM = re.compile(r"[ A-Z0-9;:,./()-]*")
_NUMERIC = re.compile(r"[0-9]*")
_MASKED = re.compile(rf"[0-9{MASK}]*")


class BaiError(ValueError):
    """A BAI file (or what was to be written as one) does not add up; the message says where."""


@dataclass(frozen=True)
class Field:
    """One fixed-width field: its name, first column (1-based, as specifications number them),
    width, and kind: 'n' digits, 'm' digits or masked digits, 'a' BAI alphanumeric, 'c' a constant."""

    name: str
    column: int
    width: int
    kind: str
    constant: str = ""

    @property
    def span(self) -> slice:
        return slice(self.column - 1, self.column - 1 + self.width)


def _layout(*fields: Field) -> tuple[Field, ...]:
    """Fields in column order, checked once at import to tile the record without gaps."""
    at = 2  # column 1 is the record type
    for f in fields:
        assert f.column == at, f"{f.name} starts at {f.column}, expected {at}"
        at += f.width
    assert at - 1 <= RECORD_LENGTH, f"record runs to column {at - 1}"
    return fields


FIELDS: dict[str, tuple[Field, ...]] = {
    "1": _layout(
        Field("priority", 2, 2, "c", "00"),
        Field("destination", 4, 10, "a"),
        Field("origin", 14, 10, "n"),
        Field("processing_date", 24, 6, "n"),
        Field("processing_time", 30, 4, "n"),
    ),
    "2": _layout(
        Field("destination", 2, 10, "a"),
        Field("origin", 12, 10, "a"),
        Field("reference", 22, 10, "n"),
        Field("service_type", 32, 3, "c", SERVICE_TYPE),
        Field("record_size", 35, 3, "c", f"{RECORD_LENGTH:03d}"),
        Field("blocking_factor", 38, 4, "c", BLOCKING_FACTOR),
        Field("format_code", 42, 1, "c", FORMAT_CODE),
    ),
    "5": _layout(
        Field("batch", 2, 3, "c", "000"),
        Field("item", 5, 3, "c", "000"),
        Field("lockbox", 8, 7, "n"),
        Field("deposit_date", 15, 6, "n"),
        Field("destination", 21, 10, "a"),
        Field("origin", 31, 10, "a"),
    ),
    "6": _layout(
        Field("batch", 2, 3, "n"),
        Field("item", 5, 3, "n"),
        Field("amount", 8, 10, "n"),
        Field("routing", 18, 9, "m"),
        Field("account", 27, 10, "m"),
        Field("serial", 37, 10, "n"),
        Field("check_date", 47, 6, "n"),
        Field("remitter", 53, 28, "a"),
    ),
    "4": _layout(
        Field("batch", 2, 3, "n"),
        Field("item", 5, 3, "n"),
        Field("overflow_type", 8, 1, "c", OVERFLOW_OF_DETAIL),
        Field("sequence", 9, 2, "c", "01"),
        Field("indicator", 11, 1, "c", LAST_OVERFLOW),
        Field("remittance", 12, 30, "a"),
    ),
    "7": _layout(
        Field("batch", 2, 3, "n"),
        Field("item", 5, 3, "c", "000"),
        Field("lockbox", 8, 7, "n"),
        Field("deposit_date", 15, 6, "n"),
        Field("count", 21, 3, "n"),
        Field("total", 24, 10, "n"),
    ),
    "8": _layout(
        Field("batch", 2, 3, "c", "000"),
        Field("item", 5, 3, "c", "000"),
        Field("lockbox", 8, 7, "n"),
        Field("deposit_date", 15, 6, "n"),
        Field("count", 21, 4, "n"),
        Field("total", 25, 10, "n"),
    ),
    "9": _layout(Field("records", 2, 6, "n")),
}


@dataclass(frozen=True)
class BaiItem:
    """One check as its detail (6) and overflow (4) records carry it, each field as written:
    `routing` (9) and `account` (10) digits, zero-filled, or masked with X to the last four;
    `serial` 10 digits; `remittance` the loan account the payment went to (masked or not)."""

    amount: Decimal
    routing: str
    account: str
    serial: str
    check_date: date | None
    remitter: str
    remittance: str


@dataclass(frozen=True)
class BaiBatch:
    """One batch of a lockbox: its number (1-999) and checks, in item order."""

    number: int
    items: tuple[BaiItem, ...]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def total(self) -> Decimal:
        return money(sum((i.amount for i in self.items), ZERO))


@dataclass(frozen=True)
class BaiLockbox:
    """One lockbox's deposit for a day: its 7-digit number and batches."""

    number: str
    deposit_date: date
    batches: tuple[BaiBatch, ...]

    @property
    def count(self) -> int:
        return sum(b.count for b in self.batches)

    @property
    def total(self) -> Decimal:
        return money(sum((b.total for b in self.batches), ZERO))


@dataclass(frozen=True)
class BaiFile:
    """A whole transmission: who it is for and from, the day it describes, its lockboxes."""

    destination: str
    origin: str
    processing_date: date
    lockboxes: tuple[BaiLockbox, ...]

    @property
    def count(self) -> int:
        return sum(lb.count for lb in self.lockboxes)

    @property
    def total(self) -> Decimal:
        return money(sum((lb.total for lb in self.lockboxes), ZERO))


# --- building fields -----------------------------------------------------------------------------


def _digits(text: str | None) -> str:
    return "".join(ch for ch in text or "" if ch.isascii() and ch.isdigit())


def number_field(text: str | None, width: int, *, masked: bool) -> str:
    """A bank number as a `width`-digit field: zero-filled on the left, or its last `width` digits
    when longer (the 80-column detail has no room for more); all zeros when nothing was read.
    Masked, every digit but the last four is X, so the file holds no more than a log may show."""
    digits = _digits(text)
    if not digits:
        return "0" * width
    field = digits[-width:].rjust(width, "0")
    return mask(field, char=MASK) if masked else field


def alnum(text: str | None, width: int) -> str:
    """Free text (a payer's name) in the BAI alphanumeric set: accents dropped, upper case, any
    other character a space, spaces collapsed, cut to `width`."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().upper()
    kept = "".join(ch if _ALNUM.fullmatch(ch) else " " for ch in plain)
    return " ".join(kept.split())[:width].rstrip()


def remittance_field(loan_account: str | None, *, masked: bool) -> str:
    """The loan account for the overflow record, masked with X to its last four unless asked."""
    account = alnum(loan_account, 30).replace(" ", "")
    return mask(account, char=MASK) if masked else account


def bai_item(
    *,
    amount: Decimal,
    routing: str | None,
    account: str | None,
    serial: str | None,
    check_date: date | None,
    remitter: str | None,
    loan_account: str | None,
    unmasked: bool = False,
) -> BaiItem:
    """A check's fields as the file writes them (see BaiItem)."""
    return BaiItem(
        amount=money(amount),
        routing=number_field(routing, 9, masked=not unmasked),
        account=number_field(account, 10, masked=not unmasked),
        serial=number_field(serial, 10, masked=False),
        check_date=check_date,
        remitter=alnum(remitter, 28),
        remittance=remittance_field(loan_account, masked=not unmasked),
    )


# --- writing -------------------------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    return int(money(amount) * 100)


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def _mmddyy(day: date | None) -> str:
    return "000000" if day is None else day.strftime("%m%d%y")


def _record(kind: str, **values: object) -> str:
    """One record: every field of FIELDS[kind] formatted from `values`, padded to 80 columns."""
    out = [kind]
    for f in FIELDS[kind]:
        if f.kind == "c":
            out.append(f.constant)
            continue
        value = values[f.name]
        if f.kind == "a":
            text = str(value)
            if len(text) > f.width or not _ALNUM.fullmatch(text):
                raise BaiError(f"record {kind} {f.name} {text!r} is not {f.width} BAI characters")
            out.append(text.ljust(f.width))
            continue
        text = f"{value:0{f.width}d}" if isinstance(value, int) else str(value)
        pattern = _MASKED if f.kind == "m" else _NUMERIC
        if len(text) != f.width or not pattern.fullmatch(text):
            raise BaiError(f"record {kind} {f.name} {text!r} does not fit its {f.width} digits")
        out.append(text)
    return "".join(out).ljust(RECORD_LENGTH)


def _records(file: BaiFile) -> Iterator[str]:
    ends = {"destination": file.destination, "origin": file.origin}
    yield _record(
        "1",
        destination=file.destination,
        origin=file.origin,
        processing_date=_yymmdd(file.processing_date),
        processing_time="0000",
    )
    yield _record("2", destination=file.destination, origin=file.origin, reference=0)
    for lockbox in file.lockboxes:
        day = _yymmdd(lockbox.deposit_date)
        where = {"lockbox": lockbox.number, "deposit_date": day}
        yield _record("5", **where, **ends)
        for batch in lockbox.batches:
            for number, item in enumerate(batch.items, start=1):
                at = {"batch": batch.number, "item": number}
                yield _record(
                    "6",
                    **at,
                    amount=_cents(item.amount),
                    routing=item.routing,
                    account=item.account,
                    serial=item.serial,
                    check_date=_mmddyy(item.check_date),
                    remitter=item.remitter,
                )
                yield _record("4", **at, remittance=item.remittance)
            yield _record(
                "7", batch=batch.number, **where, count=batch.count, total=_cents(batch.total)
            )
        if not lockbox.batches:  # as banks send a lockbox with no deposit: one zero batch 000
            yield _record("7", batch=0, **where, count=0, total=0)
        yield _record("8", **where, count=lockbox.count, total=_cents(lockbox.total))


def render_bai(file: BaiFile) -> str:
    """The transmission as text: 80-column records, each ending in a newline."""
    lines = list(_records(file))
    lines.append(_record("9", records=len(lines) + 1))
    return "".join(line + "\n" for line in lines)


# --- reading -------------------------------------------------------------------------------------


@dataclass
class _Line:
    number: int
    kind: str
    fields: dict[str, str]

    def fail(self, problem: str) -> BaiError:
        return BaiError(f"line {self.number} (record {self.kind}): {problem}")

    def num(self, name: str) -> int:
        return int(self.fields[name])

    def cents(self, name: str) -> Decimal:
        return money(Decimal(self.fields[name]) / 100)

    def day(self, name: str, *, mmddyy: bool = False) -> date | None:
        text = self.fields[name]
        if mmddyy and text == "000000":
            return None
        mm, dd, yy = (text[:2], text[2:4], text[4:]) if mmddyy else (text[2:4], text[4:], text[:2])
        try:
            return date(2000 + int(yy), int(mm), int(dd))
        except ValueError:
            raise self.fail(f"{name} {text!r} is not a date") from None

    def known_day(self, name: str) -> date:
        found = self.day(name)
        assert found is not None
        return found


def _parse(number: int, raw: str) -> _Line:
    """Split one record into its fields, checking each field's characters."""
    text = raw.rstrip("\r\n")
    if not text:
        raise BaiError(f"line {number}: empty record")
    # Transfers often trim trailing blanks; a record is read as if padded back to 80 columns.
    if len(text) > RECORD_LENGTH:
        raise BaiError(f"line {number}: {len(text)} characters, a BAI record has {RECORD_LENGTH}")
    text = text.ljust(RECORD_LENGTH)
    kind = text[0]
    if kind not in FIELDS:
        raise BaiError(f"line {number}: unknown record type {kind!r}")
    line = _Line(number, kind, {})
    end = 1
    for f in FIELDS[kind]:
        value = text[f.span]
        end = f.column - 1 + f.width
        ok = {
            "c": value == f.constant,
            "n": bool(_NUMERIC.fullmatch(value)),
            "m": bool(_MASKED.fullmatch(value)),
            "a": bool(_ALNUM.fullmatch(value)),
        }[f.kind]
        if not ok:
            expected = {"c": repr(f.constant), "n": "digits", "m": "digits or X"}.get(
                f.kind, "BAI text"
            )
            raise line.fail(f"{f.name} {value!r} at column {f.column} is not {expected}")
        line.fields[f.name] = value.rstrip() if f.kind == "a" else value
    if text[end:].strip():
        raise line.fail(f"columns {end + 1}-{RECORD_LENGTH} should be blank")
    return line


class _Reader:
    """Walks the records in order, building the file and checking each total as it closes."""

    def __init__(self, text: str):
        self.lines = [_parse(n, raw) for n, raw in enumerate(text.splitlines(), start=1)]
        self.at = 0

    def next(self, *kinds: str) -> _Line:
        if self.at >= len(self.lines):
            raise BaiError(f"the file ends early: expected record {' or '.join(kinds)}")
        line = self.lines[self.at]
        if line.kind not in kinds:
            raise line.fail(f"expected record {' or '.join(kinds)}")
        self.at += 1
        return line

    def peek(self) -> str:
        return self.lines[self.at].kind if self.at < len(self.lines) else ""

    def file(self) -> BaiFile:
        head = self.next("1")
        service = self.next("2")
        sent_by = (head.fields["destination"], head.fields["origin"])
        if (service.fields["destination"], service.fields["origin"].rstrip()) != sent_by:
            raise service.fail("destination and origin differ from the header's")
        lockboxes: list[BaiLockbox] = []
        while self.peek() == "5":
            lockboxes.append(self.lockbox())
        trailer = self.next("9")
        if self.at != len(self.lines):
            raise self.lines[self.at].fail("records after the file trailer")
        if trailer.num("records") != len(self.lines):
            raise trailer.fail(
                f"the trailer counts {trailer.num('records')} records; the file has"
                f" {len(self.lines)}"
            )
        return BaiFile(
            destination=head.fields["destination"],
            origin=head.fields["origin"],
            processing_date=head.known_day("processing_date"),
            lockboxes=tuple(lockboxes),
        )

    def lockbox(self) -> BaiLockbox:
        header = self.next("5")
        where = (header.fields["lockbox"], header.fields["deposit_date"])
        batches: list[BaiBatch] = []
        while self.peek() in ("6", "7"):
            start = self.lines[self.at]
            batch = self.batch(where)
            if batch.number == 0 and not batch.items and not batches and self.peek() == "8":
                continue  # an empty lockbox's zero batch 000 carries nothing
            if batch.number < 1 or (batches and batch.number <= batches[-1].number):
                raise start.fail(f"batch {batch.number:03d} is out of order")
            batches.append(batch)
        trailer = self.next("8")
        if (trailer.fields["lockbox"], trailer.fields["deposit_date"]) != where:
            raise trailer.fail("lockbox number or deposit date differ from its header's")
        lockbox = BaiLockbox(where[0], header.known_day("deposit_date"), tuple(batches))
        if trailer.num("count") != lockbox.count or trailer.cents("total") != lockbox.total:
            raise trailer.fail(
                f"lockbox {lockbox.number} trailer says {trailer.num('count')} checks for"
                f" ${trailer.cents('total')}; its batches hold {lockbox.count} for ${lockbox.total}"
            )
        return lockbox

    def batch(self, where: tuple[str, str]) -> BaiBatch:
        items: list[BaiItem] = []
        numbers: list[int] = []
        while self.peek() == "6":
            detail = self.next("6")
            at = (detail.num("batch"), detail.num("item"))
            if numbers and at[0] != numbers[0]:
                raise detail.fail(f"batch {at[0]} inside batch {numbers[0]}")
            if at[1] != len(items) + 1:
                raise detail.fail(f"item {at[1]} where item {len(items) + 1} was expected")
            overflow = self.next("4")
            if (overflow.num("batch"), overflow.num("item")) != at:
                raise overflow.fail(f"overflow for batch {at[0]} item {at[1]} expected")
            numbers.append(at[0])
            items.append(
                BaiItem(
                    amount=detail.cents("amount"),
                    routing=detail.fields["routing"],
                    account=detail.fields["account"],
                    serial=detail.fields["serial"],
                    check_date=detail.day("check_date", mmddyy=True),
                    remitter=detail.fields["remitter"],
                    remittance=overflow.fields["remittance"],
                )
            )
        total = self.next("7")
        if numbers and total.num("batch") != numbers[0]:
            raise total.fail(f"batch {total.num('batch')} total closes batch {numbers[0]}")
        if (total.fields["lockbox"], total.fields["deposit_date"]) != where:
            raise total.fail("lockbox number or deposit date differ from its lockbox header's")
        batch = BaiBatch(total.num("batch"), tuple(items))
        if total.num("count") != batch.count or total.cents("total") != batch.total:
            raise total.fail(
                f"batch {batch.number} total says {total.num('count')} checks for"
                f" ${total.cents('total')}; its details hold {batch.count} for ${batch.total}"
            )
        return batch


def read_bai(text: str) -> BaiFile:
    """Parse a BAI lockbox transmission, checking every count and total; BaiError when one is off."""
    return _Reader(text).file()


def lockbox_batches(
    items: Sequence[tuple[Hashable, BaiItem]], *, per_batch: int = 999
) -> list[BaiBatch]:
    """Number the batches of one lockbox 1, 2, 3 from (scanner batch, item) pairs in order: one
    BAI batch per scanner batch, a scanner batch of more than `per_batch` checks (the 3-digit item
    number's limit) continued in the next."""
    batches: list[BaiBatch] = []
    current: list[BaiItem] = []
    name: Hashable = None
    for batch_name, item in items:
        if current and (batch_name != name or len(current) == per_batch):
            batches.append(BaiBatch(len(batches) + 1, tuple(current)))
            current = []
        name = batch_name
        current.append(item)
    if current:
        batches.append(BaiBatch(len(batches) + 1, tuple(current)))
    if len(batches) > 999:
        raise BaiError(f"{len(batches)} batches in one lockbox; the batch number holds 999")
    return batches
