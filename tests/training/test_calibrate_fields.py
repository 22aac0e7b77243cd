"""The fields' thresholds are fitted by deciding gathered evidence again: a threshold moves only
where that decides more checks right and none wrong, with a margin to the nearest wrong one."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from ocr.amounts import AmountRules, FieldEvidence, decide_amounts
from ocr.evidence import Candidate, fitted_rules
from ocr.fields import DateRules, FieldJob, parse_check_date
from reconciliation.codes import ExceptionCode
from training.calibrate_fields import Front, Outcome, amount_outcome, date_outcome, fit_amounts

FLOOR = 0.3
AS_OF = date(2026, 11, 24)


def _ev(value: str, conf: float, raw: str) -> FieldEvidence:
    ev = FieldEvidence()
    ev.add(Candidate(Decimal(value), conf, raw))
    return ev


def _check(stated: str, read: str, legal_conf: float, court_conf: float = 0.25) -> Front:
    """Figures read fairly surely and words read faintly, alike: alone neither posts, and their
    agreement counts only when the words are above the agreement floor."""
    court = _ev(read, court_conf, read)
    legal = _ev(read, legal_conf, "words for the amount")
    return Front("generator", court, legal, Decimal(stated))


def test_a_floor_moves_to_post_more_right_when_no_wrong_amount_comes_near() -> None:
    items = [_check(f"{100 + i}.00", f"{100 + i}.00", 0.08) for i in range(5)]
    items.append(_check("300.00", "800.00", 0.03))  # a misread, far under the floor
    hand = AmountRules()
    assert amount_outcome(items, hand, FLOOR).right == 0
    fitted = fit_amounts(items, FLOOR, lambda _: None)
    after = amount_outcome(items, fitted, FLOOR)
    assert after.right == 5 and after.wrong == 0
    assert 0.03 < fitted.agree_floor <= 0.08


def test_a_floor_stays_when_the_next_looser_value_would_post_a_wrong_amount() -> None:
    items = [_check(f"{100 + i}.00", f"{100 + i}.00", 0.08) for i in range(5)]
    # a misread just under the right ones, that would post were the words' agreement counted
    items.append(_check("300.00", "800.00", 0.06, court_conf=0.28))
    fitted = fit_amounts(items, FLOOR, lambda _: None)
    assert fitted.agree_floor == AmountRules().agree_floor
    assert amount_outcome(items, fitted, FLOOR).wrong == 0


def test_deciding_leaves_the_gathered_evidence_as_it_was() -> None:
    court, legal = _ev("412.50", 0.6, "412.50"), _ev("412.50", 0.7, "four hundred twelve")
    before = (list(court.cands), list(court.alts), list(legal.cands), list(legal.alts))
    first = decide_amounts(court, legal)
    again = decide_amounts(court, legal)
    assert (first.courtesy, first.legal) == (again.courtesy, again.legal)
    assert (court.cands, court.alts, legal.cands, legal.alts) == before


def test_fitted_rules_are_read_from_their_record(tmp_path: Path) -> None:
    assert fitted_rules(AmountRules, tmp_path / "none.json") == AmountRules()
    record = tmp_path / "amounts.json"
    record.write_text(json.dumps({"rules": {"agree_floor": 0.075, "sure_winner": 0.6}}))
    loaded = fitted_rules(AmountRules, record)
    assert loaded.agree_floor == 0.075 and loaded.sure_winner == 0.6
    assert loaded.switch_ratio == AmountRules().switch_ratio


def _dated(truth: tuple[ExceptionCode, ...], *reads: tuple[str, float]) -> Front:
    """A check front whose date Tesseract read as `reads`, and what its own date decides."""
    job: FieldJob[date] = FieldJob(box=(0, 0, 100, 30), parse=parse_check_date, whitelist=None)
    for text, conf in reads:
        job.add(Candidate(parse_check_date(text)[0], conf, text))  # type: ignore[index]
    job.reads = max(job.reads, 1)
    nothing = _ev("1.00", 0.0, "")
    return Front("foreign-fit", nothing, nothing, None, job, truth, AS_OF)


def test_a_date_is_right_when_it_decides_what_the_checks_own_date_does() -> None:
    """A stale check read inside the window would post: wrong. Read stale, or a good check read a
    few days off, decides as the check's own date does: right. Read too unsurely to tell: held."""
    stale = (ExceptionCode.STALE_DATED,)
    fronts = [
        _dated(stale, ("11/20/2026", 0.9)),
        _dated(stale, ("11/20/2025", 0.9)),
        _dated((), ("11/18/2026", 0.9)),
        _dated((), ("11/18/2026", 0.02), ("11/18/2025", 0.01)),
    ]
    assert date_outcome(fronts, DateRules()) == Outcome(right=2, wrong=1, held=1)
    # a front whose truth says nothing of its date is not counted
    assert date_outcome([_check("1.00", "1.00", 0.9)], DateRules()) == Outcome(0, 0, 0)


def test_fitted_date_thresholds_are_read_from_their_record(tmp_path: Path) -> None:
    record = tmp_path / "dates.json"
    record.write_text(json.dumps({"rules": {"posterior": 0.8}}))
    assert fitted_rules(DateRules, record) == DateRules(posterior=0.8)
