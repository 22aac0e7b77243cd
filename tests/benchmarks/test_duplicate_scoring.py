"""The duplicate table's scoring, on small made-up truth and recorded items (no pipeline run)."""

from __future__ import annotations

from typing import Any

from benchmarks import foreign
from benchmarks.duplicates import (
    ROW_DAMAGED_LATER,
    ROW_POSTED_FIRST,
    ROW_REPEATS,
    ROW_UNREADABLE_FIRST,
    Recorded,
    duplicate_report,
    generator_duplicates,
)


def _t(name: str, code: str | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "source_file": f"dallas/b/{name}",
        "page": 1,
        "expected_status": "exception" if code else "posted",
        "expected_codes": [code] if code else [],
        "fields": {},
        "duplicate_of": None,
    }
    item.update(extra)
    return item


def _ref(name: str) -> dict[str, Any]:
    return {"source_file": f"dallas/b/{name}", "page": 1}


DAMAGE = {"micr_damage": {"kind": "tape", "field": "routing"}}


def _truth() -> list[dict[str, Any]]:
    return [
        _t("a1"),  # first copy, posts
        _t("a2", "DUPLICATE_CHECK", duplicate_of=_ref("a1")),
        _t("b1", "MICR_UNREADABLE", fields=DAMAGE),  # first copy unreadable
        _t("b2", "DUPLICATE_CHECK", duplicate_of=_ref("b1")),
        _t("c1"),
        _t("c2", "DUPLICATE_CHECK", duplicate_of=_ref("c1"), fields=DAMAGE),  # damaged later copy
        _t("d1"),
        _t("d2", "DUPLICATE_CHECK", duplicate_of=_ref("d1")),
        _t("r1"),  # a legitimate repeat: both must post
        _t("r2", repeat_of=_ref("r1")),
        _t("s1"),
        _t("s2", repeat_of=_ref("s1")),
        _t("x"),  # an ordinary payment
    ]


def _key(name: str) -> tuple[str, int]:
    return (f"dallas/b/{name}", 1)


def test_generator_duplicate_table_counts_each_outcome() -> None:
    posted, dup = Recorded("posted"), Recorded("exception", "DUPLICATE_CHECK")
    recorded = {
        _key("a1"): posted,
        _key("a2"): dup,  # caught
        _key("b1"): Recorded("exception", "MICR_UNREADABLE"),
        _key("b2"): posted,  # paid twice... once held, once posted: wrong money
        _key("c1"): posted,
        _key("c2"): Recorded("exception", "MICR_UNREADABLE"),  # held, not as a duplicate
        _key("d1"): posted,  # d2 was never recorded
        _key("r1"): posted,
        _key("r2"): dup,  # a false alarm on a legitimate repeat
        _key("s1"): posted,
        _key("s2"): posted,
        _key("x"): dup,  # a false alarm on an ordinary payment
    }
    score = generator_duplicates(_truth(), recorded)
    first = score.row(ROW_POSTED_FIRST)
    assert (first.planted, first.caught, first.held_other, first.posted, first.missing) == (
        2,
        1,
        0,
        0,
        1,
    )
    unreadable = score.row(ROW_UNREADABLE_FIRST)
    assert (unreadable.planted, unreadable.caught, unreadable.posted) == (1, 0, 1)
    damaged = score.row(ROW_DAMAGED_LATER)
    assert (damaged.planted, damaged.caught, damaged.held_other) == (1, 0, 1)
    repeats = score.row(ROW_REPEATS)
    assert (repeats.planted, repeats.caught, repeats.posted) == (2, 1, 1)
    assert score.false_alarms == [_key("r2"), _key("x")]
    assert score.repeat_alarms == 1
    text = duplicate_report(score)
    assert "planted duplicates (first copy unreadable MICR)" in text
    assert "2 (1 on legitimate repeats)" in text
    assert "not recorded" in text


def test_a_clean_run_has_no_false_alarms() -> None:
    truth = _truth()
    recorded = {}
    for t in truth:
        key = (t["source_file"], 1)
        if t["duplicate_of"]:
            recorded[key] = Recorded("exception", "DUPLICATE_CHECK")
        elif t["expected_codes"]:
            recorded[key] = Recorded("exception", t["expected_codes"][0])
        else:
            recorded[key] = Recorded("posted")
    score = generator_duplicates(truth, recorded)
    assert score.false_alarms == []
    assert all(r.caught == r.planted for r in score.rows if r.label != ROW_REPEATS)
    assert score.row(ROW_REPEATS).posted == 2


def _f(name: str, check: int, expect: str, dup_of: int | None = None) -> dict[str, Any]:
    return {
        "source_file": f"dallas/B/{name}",
        "page": 1,
        "expect": expect,
        "category": "dup" if dup_of is not None else "normal",
        "check": check,
        "dup_of": dup_of,
        "loan_account": "1000000001",
        "amount": "100.00",
    }


def _got(id_: int, status: str, code: str | None = None) -> foreign.Got:
    posted = status == "posted"
    return foreign.Got(id_, status, code, "1000000001" if posted else None, "100.00")


def test_foreign_the_copy_processed_later_must_be_held_whichever_is_marked() -> None:
    truth = {
        "as_of": "2026-11-24",
        "items": [
            _f("orig1", 1, "post"),
            _f("copy1", 2, "exception", dup_of=1),  # processed after its original
            _f("orig2", 3, "post"),
            _f("copy2", 4, "exception", dup_of=3),  # processed BEFORE its original
            _f("good", 5, "post"),
        ],
    }
    recorded = {
        ("dallas/B/orig1", 1): _got(1, "posted"),
        ("dallas/B/copy1", 1): _got(5, "exception", "DUPLICATE_CHECK"),
        ("dallas/B/copy2", 1): _got(2, "posted"),  # first of its check: may post
        ("dallas/B/orig2", 1): _got(6, "exception", "DUPLICATE_CHECK"),  # later: must be held
        ("dallas/B/good", 1): _got(3, "exception", "AMOUNT_MISMATCH"),
    }
    out = foreign.score(truth, recorded)
    assert out.wrong == []
    assert (out.should_post, out.posted_right) == (3, 2)
    assert (out.must_hold, out.caught) == (2, 2)
    assert out.held_codes == {"AMOUNT_MISMATCH": 1}
    assert out.duplicates is not None
    row = out.duplicates.row(foreign.ROW_DUPLICATES)
    assert (row.planted, row.caught, row.posted) == (2, 2, 0)
    assert out.duplicates.false_alarms == []


def test_foreign_wrong_money_and_false_alarms() -> None:
    truth = {
        "as_of": "2026-11-24",
        "items": [
            _f("orig", 1, "post"),
            _f("copy", 2, "exception", dup_of=1),
            _f("good", 3, "post"),
            _f("other", 4, "post"),
        ],
    }
    recorded = {
        ("dallas/B/orig", 1): _got(1, "exception", "DUPLICATE_CHECK"),  # nothing came before it
        ("dallas/B/copy", 1): _got(2, "posted"),  # the later copy posted: money taken twice
        ("dallas/B/good", 1): foreign.Got(3, "posted", None, "1000000002", "100.00"),
        ("dallas/B/other", 1): _got(4, "exception", "DUPLICATE_CHECK"),
    }
    out = foreign.score(truth, recorded)
    assert len(out.wrong) == 2  # the later copy posted, and a payment to the wrong loan
    assert all("1000000002" not in line for line in out.wrong)  # no account numbers shown
    assert out.duplicates is not None
    row = out.duplicates.row(foreign.ROW_DUPLICATES)
    assert (row.planted, row.posted) == (1, 1)
    assert out.duplicates.false_alarms == [("dallas/B/orig", 1), ("dallas/B/other", 1)]
    assert "false alarm: dallas/B/orig#1" in foreign.report(out)


def test_copies_caught_are_counted_by_how_they_were_known() -> None:
    from benchmarks.duplicates import Recorded, how_known, score_duplicates

    held = "DUPLICATE_CHECK: the same check as item 3 (dallas/B1/x.tif, posted): "
    recorded = {
        ("a.tif", 1): Recorded("exception", "DUPLICATE_CHECK", held + "a near-identical face"),
        ("b.tif", 1): Recorded("exception", "DUPLICATE_CHECK", held + "the same check number"),
        ("c.tif", 1): Recorded("exception", "DUPLICATE_CHECK", held + "the same MICR line"),
    }
    later = [("dups", ("a.tif", 1)), ("dups", ("b.tif", 1)), ("dups", ("c.tif", 1))]
    score = score_duplicates(later, [], recorded)
    assert score.known_by == {"face": 1, "check number": 1, "MICR line": 1}
    assert how_known(None) == "other"


def test_foreign_fields_of_good_payments_are_exact_rejected_or_misread() -> None:
    truth = {
        "as_of": "2026-11-24",
        "items": [
            _f("a", 1, "post"),
            _f("b", 2, "post"),
            {**_f("c", 3, "post"), "category": "no_memo"},
        ],
    }
    read = {
        "courtesy_amount": "100.00",
        "legal_amount": None,
        "memo_account": "1000000007",  # one digit off
        "coupon_account": "1000000001",  # the coupon has it right: the account was read
    }
    recorded = {
        ("dallas/B/a", 1): foreign.Got(1, "posted", None, "1000000001", "100.00", None, read),
        ("dallas/B/b", 1): foreign.Got(
            2,
            "exception",
            "AMOUNT_MISMATCH",
            None,
            "10.00",
            None,
            {"courtesy_amount": "10.00", "legal_amount": "100.00", "memo_account": "1000000007"},
        ),
        ("dallas/B/c", 1): foreign.Got(3, "posted", None, "1000000001", "100.00", None, read),
    }
    fields = foreign.score(truth, recorded).fields
    court, legal, account = (fields[label] for label in foreign.FIELD_ROWS)
    assert (court.total, court.exact, court.rejected, court.misread) == (3, 2, 0, 1)
    assert (legal.total, legal.exact, legal.rejected, legal.misread) == (3, 1, 2, 0)
    # the item whose category says no account was written is not scored for it
    assert (account.total, account.exact, account.rejected, account.misread) == (2, 1, 0, 1)
