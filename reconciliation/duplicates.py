"""Has this check been seen before? Known without its MICR line, since no reader reads every line.

A later copy of a check is held (DUPLICATE_CHECK, naming the earlier item) when any of these says so:
- the MICR key: routing, account and serial (lockbox.models.CheckFingerprint);
- the same scanned file and page;
- the faces: near-identical prints (lockbox.faces), or close prints with something read on both
  agreeing and nothing disagreeing;
- what was read: the printed check number (or the MICR serial) with the amount or the payer's loan,
  or, with no number read on one of them, the amount, the date and the payer's loan together.
Whatever the earlier item became (posted, held or returned), the later one is held: a copy of a
check still waiting for review must not post beside it.

Check numbers tell legitimate repeats apart (two checks from one payer for one amount): numbers
read on both that differ, two sure dates that differ, two decided amounts that differ or two
different loans mean two checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, load_only

from lockbox.capture import Capture
from lockbox.faces import LIKE_FACE, SAME_FACE, FacePrint, face_distance
from lockbox.models import CheckFingerprint, Item

SURE_DATE = 0.5  # a date read at least this surely can tell two checks apart
FIELD_CANDIDATES = 500  # the most recent items sharing a number, loan or amount that are compared
FACE_CANDIDATES = 8  # the nearest faces by their coarse prints that are compared in full
# ... and only those whose coarse prints differ by less than this (mean grey levels a cell): rescans
# of one check stay well under it, and all but a few in a hundred other checks are over it.
COARSE_BOUND = 6.0


@dataclass(frozen=True)
class Sighting:
    """What identifies one check, as read from one copy of it."""

    numbers: frozenset[str] = frozenset()  # printed check number and MICR serial, no leading 0s
    amounts: frozenset[Decimal] = frozenset()  # every amount read (figures, words, decided)
    amount: Decimal | None = None  # the amount both fields agreed on
    check_date: date | None = None
    date_sure: bool = False
    loan_id: int | None = None
    payer: str | None = None  # upper case, letters and spaces only


@dataclass(frozen=True)
class Duplicate:
    """The earlier item a check was seen as, and how it was known."""

    item_id: int
    reason: str


def _number(value: str | None) -> str | None:
    digits = "".join(ch for ch in value or "" if ch.isdigit()).lstrip("0")
    return digits if len(digits) >= 2 else None


def _payer(name: str | None) -> str | None:
    letters = "".join(ch for ch in (name or "").upper() if ch.isalpha() or ch == " ")
    return " ".join(letters.split()) or None


def sighting(
    *,
    check_number: str | None,
    serial: str | None,
    amounts: Iterable[Decimal | None],
    amount: Decimal | None,
    check_date: date | None,
    date_confidence: float,
    loan_id: int | None,
    payer: str | None,
) -> Sighting:
    return Sighting(
        numbers=frozenset(n for n in (_number(check_number), _number(serial)) if n),
        amounts=frozenset(a for a in (*amounts, amount) if a is not None),
        amount=amount,
        check_date=check_date,
        date_sure=check_date is not None and date_confidence >= SURE_DATE,
        loan_id=loan_id,
        payer=_payer(payer),
    )


def of_capture(capture: Capture, *, amount: Decimal | None, loan_id: int | None) -> Sighting:
    return sighting(
        check_number=capture.check_number,
        serial=capture.serial,
        amounts=(capture.courtesy_amount, capture.legal_amount),
        amount=amount,
        check_date=capture.check_date,
        date_confidence=capture.date_confidence,
        loan_id=loan_id,
        payer=capture.payer,
    )


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def of_item(item: Item) -> Sighting:
    """An earlier item's sighting: its columns, and the readings its capture kept."""
    read = item.capture or {}
    decided = item.amount if item.status == "posted" or read.get("amount_decided") else None
    return sighting(
        check_number=item.check_number,
        serial=item.serial,
        amounts=(
            item.amount,
            _decimal(read.get("courtesy_amount")),
            _decimal(read.get("legal_amount")),
        ),
        amount=decided,
        check_date=item.check_date,
        date_confidence=float(read.get("date_confidence") or 0.0),
        loan_id=item.loan_id,
        payer=item.payer,
    )


def compare(a: Sighting, b: Sighting) -> tuple[set[str], set[str]]:
    """What two sightings agree on, and what tells them apart, by name."""
    agree: set[str] = set()
    differ: set[str] = set()
    if a.numbers and b.numbers:
        (agree if a.numbers & b.numbers else differ).add("number")
    if a.amounts & b.amounts:
        agree.add("amount")
    elif a.amount is not None and b.amount is not None:
        differ.add("amount")
    if a.check_date is not None and a.check_date == b.check_date:
        agree.add("date")
    elif a.date_sure and b.date_sure:
        differ.add("date")
    if a.loan_id is not None and b.loan_id is not None:
        (agree if a.loan_id == b.loan_id else differ).add("payer")
    elif a.payer is not None and a.payer == b.payer:
        agree.add("payer")
    return agree, differ


_SAID = {"number": "check number", "amount": "amount", "date": "date", "payer": "payer"}


def _listed(names: set[str]) -> str:
    return ", ".join(_SAID[n] for n in ("number", "amount", "date", "payer") if n in names)


def same_by_fields(new: Sighting, old: Sighting) -> str | None:
    """Why what was read makes two sightings one check, or None."""
    agree, differ = compare(new, old)
    if differ:
        return None
    if "number" in agree and agree & {"amount", "payer"}:
        return f"the same {_listed(agree)}"
    if {"amount", "date", "payer"} <= agree:
        return f"the same {_listed(agree)} (no check number read on one copy)"
    return None


def same_by_face(distance: float, new: Sighting, old: Sighting) -> str | None:
    """Why two faces `distance` apart are one check, or None (two check numbers settle it)."""
    agree, differ = compare(new, old)
    if distance <= SAME_FACE and "number" not in differ:
        return "a near-identical check face"
    if distance <= LIKE_FACE and agree & {"number", "amount", "payer"} and not differ:
        return f"a matching check face and the same {_listed(agree)}"
    return None


class FaceIndex:
    """The coarse prints of every earlier item, in memory, to find the few faces worth comparing.

    Loaded once per batch and added to as items are recorded; an entry whose item a rolled-back
    transaction never kept finds nothing when it is compared in full.
    """

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._rows: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    @classmethod
    def load(cls, session: Session) -> FaceIndex:
        index = cls()
        rows = session.execute(
            select(Item.id, Item.face_coarse).where(Item.face_coarse.is_not(None)).order_by(Item.id)
        )
        for item_id, coarse in rows:
            if coarse:
                index._append(item_id, coarse)
        return index

    def _append(self, item_id: int, coarse: bytes) -> None:
        row = np.frombuffer(coarse, dtype=np.uint8)
        if self._rows and row.shape != self._rows[0].shape:
            return  # another grid's recipe: never comparable
        self._ids.append(item_id)
        self._rows.append(row)
        self._matrix = None

    def add(self, item_id: int, face: FacePrint) -> None:
        self._append(item_id, face_coarse(face))

    def nearest(self, face: FacePrint, k: int = FACE_CANDIDATES) -> list[int]:
        """The ids of the k earlier items whose coarse prints are nearest, either way up."""
        if not self._rows:
            return []
        if self._matrix is None:
            self._matrix = np.stack(self._rows).astype(np.int16)
        coarse = face.coarse()
        flat = coarse.reshape(-1).astype(np.int16)
        if flat.shape[0] != self._matrix.shape[1]:
            return []
        turned = coarse[::-1, ::-1].reshape(-1).astype(np.int16)
        cost = np.minimum(
            np.abs(self._matrix - flat).sum(axis=1), np.abs(self._matrix - turned).sum(axis=1)
        )
        order = np.argsort(cost, kind="stable")[:k]
        bound = COARSE_BOUND * flat.shape[0]
        return [self._ids[i] for i in order if cost[i] <= bound]


def face_coarse(face: FacePrint) -> bytes:
    return face.coarse().tobytes()


_MICR = select(CheckFingerprint.item_id)
_SAME_PAGE = select(Item.id).order_by(Item.id).limit(1)
_COMPARED = load_only(
    Item.id,
    Item.status,
    Item.amount,
    Item.check_number,
    Item.serial,
    Item.check_date,
    Item.loan_id,
    Item.payer,
    Item.capture,
)


def find_earlier(
    session: Session,
    capture: Capture,
    *,
    amount: Decimal | None,
    loan_id: int | None,
    face: FacePrint | None = None,
    faces: FaceIndex | None = None,
) -> Duplicate | None:
    """The earliest item this capture is a later copy of, or None.

    `face`: the capture's print, decoded once by the caller (None: no face to compare).
    """
    if capture.routing and capture.bank_account and capture.serial:
        hit = session.scalar(
            _MICR.where(
                CheckFingerprint.routing == capture.routing,
                CheckFingerprint.account == capture.bank_account,
                CheckFingerprint.serial == capture.serial,
            )
        )
        if hit is not None:
            return Duplicate(hit, "the same MICR line (routing, account and serial)")
    if capture.file_sha256:
        hit = session.scalar(
            _SAME_PAGE.where(Item.file_sha256 == capture.file_sha256, Item.page == capture.page)
        )
        if hit is not None:
            return Duplicate(hit, "the same scanned file")
    new = of_capture(capture, amount=amount, loan_id=loan_id)
    found = [
        d
        for d in (
            _by_fields(session, new, capture.payer),
            _by_face(session, capture, face, new, faces),
        )
        if d
    ]
    return min(found, key=lambda d: d.item_id) if found else None


def _by_fields(session: Session, new: Sighting, payer: str | None) -> Duplicate | None:
    """`payer`: the name as read (the column holds it so)."""
    serials = {n.zfill(width) for n in new.numbers for width in range(len(n), 11)}
    # Only what same_by_fields can call one check: a shared number, the same loan, or (no loan
    # matched) the same amount on the same date from the same payer. Not every check for a common
    # amount on a busy day: that would compare hundreds of items for each one.
    where: list[ColumnElement[bool]] = []
    if new.numbers:
        where += [Item.check_number.in_(new.numbers), Item.serial.in_(serials)]
    if new.loan_id is not None:
        where.append(Item.loan_id == new.loan_id)
    elif payer and new.amounts and new.check_date is not None:
        where.append(
            and_(
                Item.amount.in_(new.amounts),
                Item.check_date == new.check_date,
                Item.payer == payer,
            )
        )
    if not where:
        return None
    rows = session.scalars(
        select(Item)
        .options(_COMPARED)
        .where(or_(*where))
        .order_by(Item.id.desc())
        .limit(FIELD_CANDIDATES)
    )
    hits = [(item.id, why) for item in rows if (why := same_by_fields(new, of_item(item)))]
    if not hits:
        return None
    item_id, why = min(hits)
    return Duplicate(item_id, why)


def _by_face(
    session: Session,
    capture: Capture,
    face: FacePrint | None,
    new: Sighting,
    faces: FaceIndex | None,
) -> Duplicate | None:
    if face is None:
        return None
    index = faces if faces is not None else FaceIndex.load(session)
    hits: list[tuple[int, str]] = []
    for item_id in index.nearest(face):
        item = session.get(Item, item_id, options=[_COMPARED])
        if item is None:
            continue  # recorded by a transaction that rolled back
        if not (capture.is_check or (item.capture or {}).get("is_check")):
            continue  # two letters alike are no copies of a check
        earlier = FacePrint.from_bytes(item.face_print)
        if earlier is None:
            continue
        why = same_by_face(face_distance(face, earlier), new, of_item(item))
        if why:
            hits.append((item_id, why))
    if not hits:
        return None
    item_id, why = min(hits)
    return Duplicate(item_id, why)
