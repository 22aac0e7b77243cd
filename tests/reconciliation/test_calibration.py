"""The rules' confidence floors: fitted by `training.calibrate_rules`, recorded with their data."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reconciliation import rules
from training.calibrate_rules import BOUNDS, fit_floor, outcome

RECORD = Path(rules.__file__).with_name("calibration.json")

scores = st.lists(st.tuples(st.floats(0.0, 1.0), st.booleans()), max_size=60)


@given(scores)
def test_a_fitted_floor_lets_no_wrong_reading_it_was_fitted_on_through(
    seen: list[tuple[float, bool]],
) -> None:
    floor = fit_floor(seen, BOUNDS["amount"])
    assert BOUNDS["amount"][0] <= floor <= BOUNDS["amount"][1]
    worst = max((s for s, right in seen if not right), default=None)
    if worst is not None and worst + 0.1 <= BOUNDS["amount"][1]:
        assert outcome(seen, floor)["through_wrong"] == 0
        assert floor >= worst + 0.1 - 1e-9


@given(scores, st.floats(0.0, 1.0))
def test_an_outcome_counts_every_reading_once(seen: list[tuple[float, bool]], floor: float) -> None:
    assert sum(outcome(seen, floor).values()) == len(seen)


def test_the_rules_use_the_recorded_floors_and_the_record_says_what_they_were_fitted_on() -> None:
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    assert record["floors"]["amount"] == rules.MIN_AMOUNT_CONFIDENCE
    assert record["floors"]["date"] == rules.MIN_DATE_CONFIDENCE
    recipe = record["recipe"]
    assert recipe["command"] == "python -m training.calibrate_rules"
    assert recipe["items"]["generator"] > 0 and recipe["items"]["foreign-fit"] > 0
    # on the data it was fitted on, no wrong reading got through
    for name in ("amount", "date"):
        assert record["measured"][name]["fitting mix"]["fitted"]["through_wrong"] == 0


def test_the_record_shows_the_floors_on_hands_the_recognizer_never_trained_on() -> None:
    """People's digits are measured beside the fitting mix, so whoever reads the record sees what
    the floors let through on real handwriting, not only on the mail they were fitted to."""
    from training.calibrate_rules import DIGITS, FITTED

    record = json.loads(RECORD.read_text(encoding="utf-8"))
    assert DIGITS not in FITTED and record["recipe"]["items"][DIGITS] > 0
    seen = record["measured"]["amount"][DIGITS]["fitted"]
    assert sum(seen.values()) > 0


def test_a_date_is_scored_by_what_it_decides_where_the_truth_says_only_that() -> None:
    """The foreign set's truth says which side of the window a check's date is on, not the date: a
    stale check read inside the window is a wrong date (it would post), one read stale is right,
    and a current check read a few days off decides nothing wrongly."""
    from datetime import date

    from lockbox.capture import Capture
    from reconciliation.codes import ExceptionCode
    from training.calibrate_rules import Reading, _date_scores

    as_of = date(2026, 11, 24)

    def read(day: date, stated: tuple[ExceptionCode, ...]) -> Reading:
        capture = Capture("x.tif", check_date=day, date_confidence=0.4)
        return Reading("foreign-fit", capture, None, as_of, stated)

    stale = (ExceptionCode.STALE_DATED,)
    readings = [
        read(date(2026, 11, 20), stale),
        read(date(2025, 11, 20), stale),
        read(date(2026, 11, 18), ()),
        read(date(2026, 12, 18), ()),
    ]
    assert [right for _, right in _date_scores(readings)] == [False, True, True, False]
    unknown = Reading("foreign-fit", Capture("y.tif", check_date=as_of), None, as_of, None)
    assert _date_scores([unknown]) == []
