"""A generated run, checked the way a user of the sample would: the planted exceptions are there,
the batch tickets add up, the loan book backs every payment that should post, and every scan opens
with the resolution and pages the truth declares."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pdfplumber
from PIL import Image, ImageSequence

from lockbox.routing import aba_valid as is_valid_routing
from sample_data.loan_book import LOAN_COLUMNS
from sample_data.plan import EXCEPTION_CODES
from sample_data.scanline import luhn_valid
from sample_data.truth import Manifest, TruthItem


def _loans(manifest: Manifest) -> dict[str, dict[str, str]]:
    assert manifest.out is not None
    with (manifest.out / "loans.csv").open(newline="") as fh:
        return {row["account_number"]: row for row in csv.DictReader(fh)}


def test_every_planted_exception_kind_is_present(run40: Manifest) -> None:
    codes = Counter(code for item in run40.items for code in item.expected_codes)
    assert set(codes) == set(EXCEPTION_CODES)
    share = sum(1 for item in run40.items if item.expected_status == "exception") / 40
    assert 0.25 <= share <= 0.35
    for item in run40.items:
        assert (item.expected_status == "posted") == (item.expected_codes == [])


def test_truth_file_has_the_documented_shape(run40: Manifest) -> None:
    assert run40.out is not None
    data = json.loads((run40.out / "truth.json").read_text())
    assert data["as_of"] == "2026-11-17" and data["seed"] == 4242
    assert len(data["items"]) == 40
    keys = {
        "site",
        "batch",
        "source_file",
        "page",
        "expected_status",
        "expected_codes",
        "loan_account",
        "amount",
        "fields",
    }
    field_keys = {
        "routing",
        "bank_account",
        "serial",
        "micr_line",
        "courtesy_amount",
        "legal_amount",
        "legal_text",
        "date",
        "memo_text",
        "memo_account",
        "coupon_account",
        "coupon_amount",
        "payer",
        "handwritten",
        "font",
        "layout",
        "dpi",
        "degradations",
        "rotation",
    }
    for item in data["items"]:
        assert keys <= set(item)
        assert field_keys <= set(item["fields"])
        assert item["site"] in ("dallas", "richardson")
        assert item["source_file"].startswith(f"{item['site']}/{item['batch']}/")
        assert isinstance(item["amount"], str | None)  # money is never a float


def test_batch_tickets_match_the_truth(run40: Manifest) -> None:
    by_batch: dict[tuple[str, str], list[TruthItem]] = defaultdict(list)
    for item in run40.items:
        by_batch[(item.site, item.batch)].append(item)
    folders = sorted(p.parent for p in run40.inbox.glob("*/*/batch.json"))
    assert len(folders) == len(by_batch) >= 4
    for (site, batch), items in by_batch.items():
        ticket = json.loads((run40.inbox / site / batch / "batch.json").read_text())
        assert ticket["item_count"] == len(items)
        total = sum(Decimal(it.amount) for it in items if it.amount is not None)
        assert Decimal(ticket["control_total"]) == total
        assert ticket["control_total"] == f"{total:.2f}"
        assert batch.startswith(ticket["deposit_date"])
        assert date.fromisoformat(ticket["deposit_date"]) <= run40.as_of


def test_loan_book_has_the_contract_columns(run40: Manifest) -> None:
    assert run40.out is not None
    with (run40.out / "loans.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == LOAN_COLUMNS
        rows = list(reader)
    assert 80 <= len(rows) <= 120  # two to three loans per item
    statuses = Counter(r["status"] for r in rows)
    assert statuses["active"] > len(rows) / 2 and statuses["paid_off"] and statuses["charged_off"]
    for row in rows:
        assert len(row["account_number"]) == 10 and row["account_number"].isdigit()
        assert row["product"] in ("retail", "lease")
        assert Decimal("180") <= Decimal(row["monthly_payment"]) <= Decimal("950")
        for money in ("monthly_payment", "principal_balance", "fees_due"):
            assert row[money] == f"{Decimal(row[money]):.2f}"
        date.fromisoformat(row["next_due_date"])
        if row["product"] == "lease":
            assert row["annual_rate"] == ""
        else:
            assert Decimal("0.0699") <= Decimal(row["annual_rate"]) <= Decimal("0.1899")
    assert any(r["co_borrower_name"] for r in rows)
    late = [
        r
        for r in rows
        if r["status"] == "active"
        and date.fromisoformat(r["next_due_date"]) < run40.as_of - timedelta(days=10)
    ]
    assert late, "some loans should be more than 10 days past due"


def test_posted_items_pay_active_loans_in_the_book(run40: Manifest) -> None:
    loans = _loans(run40)
    posted = [it for it in run40.items if it.expected_status == "posted"]
    assert posted
    for item in posted:
        assert item.loan_account in loans
        loan = loans[item.loan_account]
        assert loan["status"] == "active"
        f = item.fields
        assert item.amount == f["courtesy_amount"] == f["legal_amount"]
        assert f["memo_account"] == item.loan_account or f["coupon_account"] == item.loan_account
        names = {
            loan["borrower_name"].upper().replace(".", ""),
            loan["co_borrower_name"].upper().replace(".", ""),
        }
        assert f["payer"].upper().replace(".", "") in names
        check_date = date.fromisoformat(f["date"])
        assert run40.as_of - timedelta(days=180) <= check_date <= run40.as_of


def test_planted_exceptions_are_what_they_claim(run40: Manifest) -> None:
    loans = _loans(run40)
    borrowers = Counter(
        r["borrower_name"].upper().replace(".", "")
        for r in loans.values()
        if r["status"] == "active"
    )
    everyone = {
        n.upper().replace(".", "")
        for r in loans.values()
        for n in (r["borrower_name"], r["co_borrower_name"])
        if n
    }
    for item in run40.items:
        f = item.fields
        code = item.expected_codes[0] if item.expected_codes else None
        if code == "UNKNOWN_ACCOUNT":
            assert f["memo_account"] and f["memo_account"] not in loans
        elif code == "MISSING_ACCOUNT":
            assert f["memo_account"] is None and f["coupon_account"] is None
            assert f["payer"].upper().replace(".", "") not in everyone
        elif code == "LOAN_NOT_ACTIVE":
            assert loans[item.loan_account or ""]["status"] in ("paid_off", "charged_off")
        elif code == "STALE_DATED":
            assert date.fromisoformat(f["date"]) < run40.as_of - timedelta(days=180)
        elif code == "POST_DATED":
            assert date.fromisoformat(f["date"]) > run40.as_of
        elif code == "AMOUNT_MISMATCH":
            assert f["courtesy_amount"] != f["legal_amount"] and item.amount is None
        elif code == "UNREADABLE_AMOUNT":
            assert f["courtesy_amount"] is None and f["legal_amount"] is None
        elif code == "NOT_A_CHECK":
            assert item.kind in ("other", "blank") and f["micr_line"] is None
            assert item.document in ("letter", "blank")
        elif code == "AMBIGUOUS_LOAN":
            assert f["memo_account"] is None and f["coupon_account"] is None
            assert borrowers[f["payer"].upper().replace(".", "")] == 2


def test_duplicates_repeat_a_posted_check_from_an_earlier_batch(run40: Manifest) -> None:
    where = {(it.source_file, it.page): it for it in run40.items}
    deposit = {b: date.fromisoformat(b[:10]) for b in {it.batch for it in run40.items}}
    dups = [it for it in run40.items if it.expected_codes == ["DUPLICATE_CHECK"]]
    assert dups
    for dup in dups:
        assert dup.duplicate_of is not None
        first = where[(dup.duplicate_of["source_file"], dup.duplicate_of["page"])]
        assert first.expected_status == "posted"
        assert deposit[first.batch] < deposit[dup.batch]
        for key in ("routing", "bank_account", "serial"):
            assert dup.fields[key] == first.fields[key]
        assert dup.amount == first.amount


def test_micr_fields_and_coupons_are_consistent(run40: Manifest) -> None:
    checks = [it for it in run40.items if it.kind == "check"]
    assert {it.fields["layout"] for it in checks} == {"personal", "business"}
    assert any(it.fields["handwritten"] for it in checks)
    for item in checks:
        f = item.fields
        assert is_valid_routing(f["routing"])
        assert f"T{f['routing']}T" in f["micr_line"]
        assert f"{f['bank_account']}U" in f["micr_line"]
        if f["layout"] == "business":
            assert f["micr_line"].startswith(f"U{f['serial']}U ")
        else:
            assert f["serial"] in f["micr_line"]
    coupons = [it for it in run40.items if it.fields["coupon_account"]]
    assert 0.15 <= len(coupons) / len(run40.items) <= 0.45
    for item in coupons:
        scanline = item.fields["coupon_scanline"]
        account, cents, digit = scanline.split(" ")
        assert account == item.fields["coupon_account"]
        assert Decimal(cents) / 100 == Decimal(item.fields["coupon_amount"])
        assert luhn_valid(account + cents + digit)
        assert "coupon" in [p["kind"] for p in item.pages]


def _open_pages(path: Path) -> list[tuple[int, tuple[float, float] | None]]:
    """(width, dpi) per page, as a user's image tools would report them."""
    if path.suffix == ".pdf":
        out: list[tuple[int, tuple[float, float] | None]] = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                (image,) = page.images
                width_px = image["srcsize"][0]
                dpi = width_px / (float(page.width) / 72)
                out.append((width_px, (dpi, dpi)))
        return out
    with Image.open(path) as im:
        return [(pg.width, pg.info.get("dpi")) for pg in ImageSequence.Iterator(im)]


def test_scans_open_with_the_declared_dpi_and_pages(run40: Manifest) -> None:
    by_file: dict[str, list[TruthItem]] = defaultdict(list)
    for item in run40.items:
        by_file[item.source_file].append(item)
    suffixes = Counter(Path(f).suffix for f in by_file)
    assert {".pdf", ".tif"} <= set(suffixes) and ({".png", ".jpg", ".jpeg"} & set(suffixes))
    on_disk = {
        p.relative_to(run40.inbox).as_posix()
        for p in run40.inbox.rglob("*")
        if p.is_file() and p.name != "batch.json"
    }
    assert on_disk == set(by_file)
    for source, items in by_file.items():
        pages = _open_pages(run40.inbox / source)
        if source.endswith(".pdf"):
            assert sorted(it.page for it in items) == list(range(1, len(pages) + 1))
        else:
            (item,) = items
            assert item.page == 1 and len(pages) == len(item.pages)
        for item in items:
            dpi = item.fields["dpi"]
            assert dpi in (200, 300)
            page_dpi = pages[item.page - 1][1]
            assert page_dpi is not None and abs(page_dpi[0] - dpi) < 1
    assert any(it.fields["rotation"] == 180 for it in run40.items)
    tiffs = [p for p in run40.inbox.rglob("*.tif*")]
    compressions = set()
    for path in tiffs:
        with Image.open(path) as im:
            compressions.add(im.info.get("compression"))
    assert "group4" in compressions
