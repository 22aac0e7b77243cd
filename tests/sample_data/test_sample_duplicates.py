"""Duplicates whose first copy's MICR line cannot be read, damaged later copies, and legitimate
repeats (the same payer, loan and amount on another check): planned from the seed with a truth that
says which copy is processed first. Planned and assigned to files without drawing anything."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from sample_data.batches import assign_batches
from sample_data.check_front import render_check_front
from sample_data.damage import obscure_micr
from sample_data.plan import Planner, RunPlan
from sample_data.specs import MICR_DAMAGE_FIELDS, MICR_DAMAGE_KINDS, MicrDamage
from sample_data.truth import TruthItem, truth_for_file

AS_OF = date(2026, 11, 17)


def planned(seed: int, items: int) -> tuple[RunPlan, list[TruthItem]]:
    """The plan and truth of a run, in generation order, without rendering a page."""
    plan = Planner(seed, items, AS_OF).plan()
    first_seen: dict[int, tuple[str, int]] = {}
    out: list[TruthItem] = []
    for batch in assign_batches(plan):
        for scan_file in batch.files:
            out += truth_for_file(scan_file, first_seen)
    return plan, out


def planned_truth(seed: int, items: int) -> list[TruthItem]:
    return planned(seed, items)[1]


def processing_key(item: TruthItem) -> tuple[str, str, str]:
    """lockbox.inbox.discover_batches: deposit date (the batch name starts with it), name, site."""
    return (item.batch[:10], item.batch, item.site)


def style(item: TruthItem) -> tuple[Any, ...]:
    f = item.fields
    return (f["file_format"], f["dpi"], f["bitonal"], f.get("dpi_tag", True))


@pytest.fixture(scope="module")
def run200() -> list[TruthItem]:
    return planned_truth(seed=8_200_200, items=200)


def _where(items: list[TruthItem]) -> dict[tuple[str, int], TruthItem]:
    return {(it.source_file, it.page): it for it in items}


def test_duplicates_point_to_a_copy_processed_earlier(run200: list[TruthItem]) -> None:
    where = _where(run200)
    dups = [it for it in run200 if it.duplicate_of is not None]
    assert dups and all(it.expected_codes == ["DUPLICATE_CHECK"] for it in dups)
    assert {it.source_file for it in run200 if it.expected_codes == ["DUPLICATE_CHECK"]} == {
        it.source_file for it in dups
    }
    for dup in dups:
        assert dup.duplicate_of is not None
        first = where[(dup.duplicate_of["source_file"], dup.duplicate_of["page"])]
        assert first.duplicate_of is None
        assert processing_key(first) < processing_key(dup)
        assert first.batch[:10] < dup.batch[:10]  # a later deposit day
        for key in ("routing", "bank_account", "serial", "check_number", "date", "payer"):
            assert dup.fields[key] == first.fields[key]
        assert (dup.amount, dup.loan_account) == (first.amount, first.loan_account)


def test_some_first_copies_have_an_obscured_micr_line_and_a_restyled_rescan(
    run200: list[TruthItem],
) -> None:
    where = _where(run200)
    pairs = []
    for dup in run200:
        if dup.duplicate_of is None:
            continue
        first = where[(dup.duplicate_of["source_file"], dup.duplicate_of["page"])]
        pairs.append((first, dup))
    unreadable_first = [(f, d) for f, d in pairs if "micr_damage" in f.fields]
    damaged_later = [(f, d) for f, d in pairs if "micr_damage" in d.fields]
    clean = [(f, d) for f, d in pairs if (f, d) not in unreadable_first + damaged_later]
    assert unreadable_first and damaged_later and clean
    for first, dup in unreadable_first:
        assert first.expected_status == "exception"
        assert first.expected_codes == ["MICR_UNREADABLE"]
        assert first.fields["micr_damage"]["kind"] in MICR_DAMAGE_KINDS
        assert first.fields["micr_damage"]["field"] in MICR_DAMAGE_FIELDS
        assert "micr_damage" not in dup.fields  # the rescan is clean
        assert style(dup) != style(first)
        assert first.amount is not None  # the first copy's amount is still stated
    for first, dup in damaged_later:
        assert first.expected_status == "posted" and "micr_damage" not in first.fields
        assert dup.expected_codes == ["DUPLICATE_CHECK"]
        assert style(dup) != style(first)
    for first, _ in clean:
        assert first.expected_status == "posted"
    # Only first copies of duplicates carry MICR_UNREADABLE, and every one has its damage.
    obscured = [it for it in run200 if "micr_damage" in it.fields]
    assert len(obscured) == len(unreadable_first) + len(damaged_later)
    assert [it for it in run200 if "MICR_UNREADABLE" in it.expected_codes] == [
        f for f, _ in unreadable_first
    ]


def test_legitimate_repeats_are_other_checks_for_the_same_payment(
    run200: list[TruthItem],
) -> None:
    where = _where(run200)
    repeats = [it for it in run200 if it.repeat_of is not None]
    assert len(repeats) >= 2
    for second in repeats:
        assert second.repeat_of is not None
        first = where[(second.repeat_of["source_file"], second.repeat_of["page"])]
        assert first.expected_status == second.expected_status == "posted"
        assert first.duplicate_of is None and second.duplicate_of is None
        assert processing_key(first) < processing_key(second)
        assert (second.loan_account, second.amount) == (first.loan_account, first.amount)
        same = ("payer", "routing", "bank_account", "layout", "bank_name", "memo_account")
        for key in same:
            assert second.fields[key] == first.fields[key], key
        assert second.fields["serial"] != first.fields["serial"]
        assert second.fields["check_number"] != first.fields["check_number"]
        assert second.fields["micr_line"] != first.fields["micr_line"]
        gap = date.fromisoformat(second.fields["date"]) - date.fromisoformat(first.fields["date"])
        assert 5 <= gap.days <= 40
        assert date.fromisoformat(second.fields["date"]) <= date.fromisoformat(second.batch[:10])
        assert date.fromisoformat(first.fields["date"]) <= date.fromisoformat(first.batch[:10])


def test_the_shares_at_600_items() -> None:
    plan, items = planned(seed=8_600_600, items=600)
    dups = [it for it in items if it.duplicate_of is not None]
    unreadable_first = [it for it in items if "MICR_UNREADABLE" in it.expected_codes]
    repeats = [it for it in items if it.repeat_of is not None]
    assert 8 <= len(dups) <= 12
    assert len(dups) / 3 <= len(unreadable_first) <= len(dups) / 2
    assert 8 <= len(repeats) <= 12
    # The loan takes both payments: active, an ordinary installment, a balance well above both.
    loans = {loan.account_number: loan for loan in plan.loans}
    for it in repeats:
        loan = loans[it.loan_account or ""]
        assert loan.status == "active"
        assert Decimal(it.amount or "0") == loan.monthly_payment
        assert loan.principal_balance > 3 * loan.monthly_payment


@pytest.mark.parametrize("items", [6, 20, 40])
def test_small_runs_have_none_of_these(items: int) -> None:
    truth = planned_truth(seed=4242, items=items)
    assert not any(it.repeat_of or "micr_damage" in it.fields for it in truth)
    assert not any("MICR_UNREADABLE" in it.expected_codes for it in truth)


@pytest.mark.parametrize("kind", MICR_DAMAGE_KINDS)
@pytest.mark.parametrize("field", MICR_DAMAGE_FIELDS)
def test_damage_covers_only_the_micr_band_and_defeats_the_reader(kind: str, field: str) -> None:
    from ocr.micr import read_micr

    plan = Planner(515, 20, AS_OF).plan()
    spec = next(it.check for it in plan.items if it.code is None and it.check is not None)
    clean = render_check_front(spec)
    damaged = obscure_micr(clean, spec, MicrDamage(kind, field, 77), background=255)
    a = np.asarray(clean, dtype=np.int16)
    b = np.asarray(damaged, dtype=np.int16)
    changed_rows = np.flatnonzero((np.abs(a - b) > 8).any(axis=1))
    assert changed_rows.size
    assert changed_rows.min() >= a.shape[0] - 0.9 * 300  # the bottom 0.9 inch only
    read_clean = read_micr(a.astype(np.uint8), 300)
    assert read_clean is not None and read_clean.routing == spec.routing
    read = read_micr(b.astype(np.uint8), 300)
    assert read is None or not (read.routing and read.account and read.serial)
