"""Keep the images of an exception beside it, where the clerk and the UI find them.

The reader hands back small PNG crops of every field and a JPEG view of each page; only an
exception item's images are kept: the crops of the fields its codes are about (an amount mismatch
shows both amounts, an unknown account the memo line and the payer), and the views of its pages.
They go under LOCKBOX_HOME/crops/<business date>/, and their paths are recorded on the item so
`lockbox review list`, the run summary and the review form can point at them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from lockbox.models import Item
from reconciliation.codes import ExceptionCode

FIELDS_IN_DOUBT: dict[ExceptionCode, tuple[str, ...]] = {
    ExceptionCode.UNREADABLE_AMOUNT: ("courtesy", "legal"),
    ExceptionCode.AMOUNT_MISMATCH: ("courtesy", "legal"),
    ExceptionCode.STALE_DATED: ("date",),
    ExceptionCode.POST_DATED: ("date",),
    ExceptionCode.DATE_UNREADABLE: ("date",),
    ExceptionCode.MISSING_ACCOUNT: ("memo", "payer"),
    ExceptionCode.UNKNOWN_ACCOUNT: ("memo", "payer"),
    ExceptionCode.AMBIGUOUS_LOAN: ("memo", "payer"),
    ExceptionCode.LOAN_NOT_ACTIVE: ("memo", "payer"),
    ExceptionCode.MICR_UNREADABLE: ("micr",),
    ExceptionCode.DUPLICATE_CHECK: ("micr", "courtesy"),
    ExceptionCode.BANK_RECORD_MISMATCH: ("courtesy", "legal", "micr"),
}


# Crops that hold the payer's bank account and routing numbers: named by path wherever an image is
# shown (the review form, the run summary), never embedded in what Prefect stores.
NOT_EMBEDDED = ("micr",)


def fields_in_doubt(codes: Iterable[str]) -> list[str]:
    """The fields a clerk needs to see for these codes, in the order the codes came."""
    out: list[str] = []
    for code in codes:
        try:
            wanted = FIELDS_IN_DOUBT.get(ExceptionCode(code), ())
        except ValueError:
            continue
        out += [f for f in wanted if f not in out]
    return out


def crops_dir(home: Path, business_date: date) -> Path:
    return home / "crops" / business_date.isoformat()


def save_crops(
    home: Path,
    *,
    item_id: int,
    business_date: date,
    codes: Iterable[str],
    images: Mapping[str, bytes],
) -> dict[str, str]:
    """Write the crops of the fields in doubt; returns field -> absolute path of each one written."""
    wanted = [f for f in fields_in_doubt(codes) if f in images]
    return _write(crops_dir(home, business_date), item_id, {f: images[f] for f in wanted}, ".png")


VIEWS = ("front", "back", "coupon")


def is_view(name: str) -> bool:
    """A whole page's view (front, back, coupon, or page-N of an item with no check found), kept
    for every exception whatever its codes, rather than a field's crop."""
    return name in VIEWS or name.startswith("page-")


def save_views(
    home: Path, *, item_id: int, business_date: date, images: Mapping[str, bytes]
) -> dict[str, str]:
    """Write the JPEG views of the item's pages; returns page -> absolute path of each one."""
    views = {name: data for name, data in images.items() if is_view(name)}
    return _write(crops_dir(home, business_date), item_id, views, ".jpg")


def _write(folder: Path, item_id: int, images: Mapping[str, bytes], suffix: str) -> dict[str, str]:
    """Each image to its file, written to a temporary name and renamed, so a crash never leaves
    half an image under the name the item points at; a rerun overwrites with the same bytes."""
    if not images:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    saved: dict[str, str] = {}
    for name, data in images.items():
        path = folder / f"item-{item_id}-{name}{suffix}"
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        saved[name] = str(path)
    return saved


def attach_crops(home: Path, item: Item, images: Mapping[str, bytes]) -> dict[str, str]:
    """Save an exception item's crops and page views and record their paths on the item
    (capture['crops'], capture['views']); returns the crops'."""
    if item.status != "exception" or not images:
        return {}
    codes = (item.capture or {}).get("codes") or [item.exception_code or ""]
    day = item.business_date
    saved = save_crops(home, item_id=item.id, business_date=day, codes=codes, images=images)
    views = save_views(home, item_id=item.id, business_date=day, images=images)
    extra = {k: v for k, v in (("crops", saved), ("views", views)) if v}
    if extra:
        item.capture = {**(item.capture or {}), **extra}
    return saved
