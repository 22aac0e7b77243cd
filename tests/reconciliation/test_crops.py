"""Exception items keep the images of the fields in doubt, under LOCKBOX_HOME, named on the item."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lockbox.models import Item
from reconciliation.crops import attach_crops, fields_in_doubt, save_crops

PNG = {
    name: f"png-{name}".encode() for name in ("courtesy", "legal", "date", "memo", "payer", "micr")
}


def test_each_code_shows_the_fields_it_is_about() -> None:
    assert fields_in_doubt(["AMOUNT_MISMATCH"]) == ["courtesy", "legal"]
    assert fields_in_doubt(["UNKNOWN_ACCOUNT", "DATE_UNREADABLE"]) == ["memo", "payer", "date"]
    assert fields_in_doubt(["UNREADABLE_FILE", "NOT_A_CHECK", "NO_SUCH_CODE"]) == []


def test_saved_crops_land_under_the_home_by_business_date(tmp_path: Path) -> None:
    saved = save_crops(
        tmp_path,
        item_id=7,
        business_date=date(2026, 11, 17),
        codes=["STALE_DATED"],
        images=PNG,
    )
    assert list(saved) == ["date"]
    path = Path(saved["date"])
    assert path == tmp_path / "crops" / "2026-11-17" / "item-7-date.png"
    assert path.read_bytes() == b"png-date"
    assert not list(path.parent.glob("*.part"))


def test_only_exception_items_keep_crops(tmp_path: Path) -> None:
    held = Item(
        id=3,
        status="exception",
        exception_code="AMOUNT_MISMATCH",
        business_date=date(2026, 11, 17),
        capture={"codes": ["AMOUNT_MISMATCH"], "candidates": []},
    )
    saved = attach_crops(tmp_path, held, PNG)
    assert set(saved) == {"courtesy", "legal"}
    assert held.capture["crops"] == saved and held.capture["candidates"] == []
    posted = Item(id=4, status="posted", business_date=date(2026, 11, 17), capture={})
    assert attach_crops(tmp_path, posted, PNG) == {} and posted.capture == {}


def test_an_exception_keeps_the_views_of_its_pages_whatever_its_codes(tmp_path: Path) -> None:
    held = Item(
        id=5,
        status="exception",
        exception_code="MICR_UNREADABLE",
        business_date=date(2026, 11, 17),
        capture={"codes": ["MICR_UNREADABLE"]},
    )
    images = {"courtesy": b"png", "front": b"\xff\xd8front", "back": b"\xff\xd8back"}
    assert attach_crops(tmp_path, held, images) == {}  # no field crop is in doubt here
    views = held.capture["views"]
    folder = tmp_path / "crops" / "2026-11-17"
    assert views == {
        "front": str(folder / "item-5-front.jpg"),
        "back": str(folder / "item-5-back.jpg"),
    }
    assert Path(views["back"]).read_bytes() == b"\xff\xd8back" and "crops" not in held.capture
