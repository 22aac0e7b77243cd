"""The amounts' thresholds are fitted by deciding gathered evidence again: a threshold moves only
where that posts more checks right and none wrong, with a margin to the nearest wrong one."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from ocr.amounts import AmountRules, FieldEvidence, decide_amounts
from ocr.evidence import Candidate
from training.calibrate_amounts import Gathered, fit, outcome

FLOOR = 0.3


def _ev(value: str, conf: float, raw: str) -> FieldEvidence:
    ev = FieldEvidence()
    ev.add(Candidate(Decimal(value), conf, raw))
    return ev


def _check(stated: str, read: str, legal_conf: float, court_conf: float = 0.25) -> Gathered:
    """Figures read fairly surely and words read faintly, alike: alone neither posts, and their
    agreement counts only when the words are above the agreement floor."""
    court = _ev(read, court_conf, read)
    legal = _ev(read, legal_conf, "words for the amount")
    return Gathered("generator", court, legal, Decimal(stated))


def test_a_floor_moves_to_post_more_right_when_no_wrong_amount_comes_near() -> None:
    items = [_check(f"{100 + i}.00", f"{100 + i}.00", 0.08) for i in range(5)]
    items.append(_check("300.00", "800.00", 0.03))  # a misread, far under the floor
    hand = AmountRules()
    assert outcome(items, hand, FLOOR).right == 0
    fitted = fit(items, FLOOR, lambda _: None)
    after = outcome(items, fitted, FLOOR)
    assert after.right == 5 and after.wrong == 0
    assert 0.03 < fitted.agree_floor <= 0.08


def test_a_floor_stays_when_the_next_looser_value_would_post_a_wrong_amount() -> None:
    items = [_check(f"{100 + i}.00", f"{100 + i}.00", 0.08) for i in range(5)]
    # a misread just under the right ones, that would post were the words' agreement counted
    items.append(_check("300.00", "800.00", 0.06, court_conf=0.28))
    fitted = fit(items, FLOOR, lambda _: None)
    assert fitted.agree_floor == AmountRules().agree_floor
    assert outcome(items, fitted, FLOOR).wrong == 0


def test_deciding_leaves_the_gathered_evidence_as_it_was() -> None:
    court, legal = _ev("412.50", 0.6, "412.50"), _ev("412.50", 0.7, "four hundred twelve")
    before = (list(court.cands), list(court.alts), list(legal.cands), list(legal.alts))
    first = decide_amounts(court, legal)
    again = decide_amounts(court, legal)
    assert (first.courtesy, first.legal) == (again.courtesy, again.legal)
    assert (court.cands, court.alts, legal.cands, legal.alts) == before


def test_fitted_rules_are_read_from_their_record(tmp_path: Path) -> None:
    assert AmountRules.load(tmp_path / "none.json") == AmountRules()
    record = tmp_path / "amounts.json"
    record.write_text(json.dumps({"rules": {"agree_floor": 0.075, "sure_winner": 0.6}}))
    loaded = AmountRules.load(record)
    assert loaded.agree_floor == 0.075 and loaded.sure_winner == 0.6
    assert loaded.switch_ratio == AmountRules().switch_ratio
