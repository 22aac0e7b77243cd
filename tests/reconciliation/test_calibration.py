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
