"""The review-exceptions flow: pause on a form per exception, resume with a clerk's decision."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

from flows.review import choose_account, review_exceptions
from lockbox.capture import Capture
from lockbox.config import load_settings
from lockbox.db import open_database
from lockbox.models import AuditEvent, Batch, Item, Loan
from reconciliation.process import load_directory, record_item
from tests.factories import make_capture, make_loan

TODAY = date(2026, 11, 17)


def held_check(serial: str, **kw: Any) -> Capture:
    """A clean $250 check but for its memo: no account read, and a payer not in the book."""
    return make_capture(
        serial,
        **{
            "courtesy_amount": Decimal("250.00"),
            "courtesy_confidence": 0.9,
            "legal_amount": Decimal("250.00"),
            "memo_account": None,
            "memo_confidence": 0.0,
            "payer": "Pat Q Public",
            **kw,
        },
    )


@pytest.fixture
def three_exceptions(lockbox_home: Path) -> list[int]:
    """Three held $250 checks: the first's memo reads an account no loan has, but its last four
    digits are those of the one loan in the book (the clerk picks that loan by them)."""
    db = open_database(load_settings().database_url)
    with db.session() as s:
        s.add(
            make_loan(
                account_number="4410015163",
                monthly_payment=Decimal("250.00"),
                principal_balance=Decimal("9000.00"),
                annual_rate=Decimal("0.07"),
            )
        )
        s.add(Batch(site="dallas", name="B1", business_date=TODAY, status="processing"))
    reads = {"1001": "9990015163", "1002": None, "1003": None}
    ids = []
    for serial, memo in reads.items():
        with db.session() as s:
            batch = s.scalars(select(Batch)).one()
            item = record_item(
                s,
                batch=batch,
                capture=held_check(serial, memo_account=memo, memo_confidence=0.9 if memo else 0),
                directory=load_directory(s),
                business_date=TODAY,
            )
            assert item.status == "exception"
            ids.append(item.id)
    db.engine.dispose()
    return ids


async def _paused() -> list[Any]:
    async with get_client() as client:
        return await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            )
        )


def wait_for_pause(after: str | None = None, timeout: float = 60) -> tuple[Any, str]:
    """The paused review run and its pause's key, once it pauses on a pause other than `after`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for run in asyncio.run(_paused()):
            key = run.state.state_details.pause_key
            if key != after:
                return run.id, key
        time.sleep(0.3)
    raise AssertionError("the review flow never paused for input")


def decide(after: str | None, **run_input: Any) -> str:
    """Wait for the next form and submit `run_input` on it; returns the pause's key."""
    run_id, key = wait_for_pause(after)
    resume_flow_run(run_id, run_input={"reviewer": "pat", **run_input})
    return key


async def _artifact_rows(key: str) -> list[dict[str, Any]]:
    import json

    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    async with get_client() as client:  # the newest: tests share the session's backend
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
        )
    data = found[0].data
    return json.loads(data) if isinstance(data, str) else data


def _session(**options: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """A review session over three items, running as a clerk's would while the test answers its
    forms; its outcome lands in the dict under "out"."""
    result: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: result.setdefault(
            "out", review_exceptions(limit=3, poll_seconds=1, **options)
        ),
        daemon=True,
    )
    runner.start()
    return runner, result


def test_a_clerk_posts_returns_and_holds_and_a_bad_decision_is_asked_again(
    three_exceptions: list[int],
) -> None:
    first, second, third = three_exceptions
    runner, result = _session()
    # the amount keyed two ways: refused, and the same item asked again
    key = decide(None, decision="post", loan_account="5163", amount="250.00", amount_again="205.00")
    # picked by the last four digits of the loan the form offered; the amount keyed twice alike
    key = decide(key, decision="post", loan_account="5163", amount="250", amount_again="250.00")
    key = decide(key, decision="return")  # no reason given: refused
    key = decide(key, decision="return", note="letter, not a payment")
    decide(key, decision="hold", note="calling the customer")
    runner.join(timeout=60)
    assert result["out"] == [
        f"item {first}: posted 250.00 to ******5163",
        f"item {second}: returned",
        f"item {third}: held for later",
    ]
    db = open_database(load_settings().database_url)
    with db.session() as s:
        posted, returned, held = (s.get_one(Item, i) for i in three_exceptions)
        assert (posted.status, posted.reviewed_by, posted.amount) == (
            "posted",
            "pat",
            Decimal("250.00"),
        )
        assert s.get_one(Loan, posted.loan_id).account_number == "4410015163"
        assert (returned.status, returned.review_note) == ("returned", "letter, not a payment")
        assert (held.status, held.reviewed_by, held.review_note) == (
            "exception",
            "pat",
            "calling the customer",
        )
        assert held.decided_at is not None
        events = s.scalars(select(AuditEvent).where(AuditEvent.item_id == third)).all()
        assert [(e.action, e.actor, e.details["note"]) for e in events] == [
            ("hold", "pat", "calling the customer")
        ]
    db.engine.dispose()
    rows = asyncio.run(_artifact_rows("review-decisions"))
    assert [(r["item"], r["decision"], r["result"].split(" (")[0]) for r in rows] == [
        (first, "post", "refused: the amount was keyed as 250.00 and as 205.00"),
        (first, "post", "posted 250.00 to ******5163"),
        (second, "return", "refused: say in the note why the item is returned"),
        (second, "return", "returned"),
        (third, "hold", "held for later"),
    ]
    assert "4410015163" not in json.dumps(rows)


def test_a_form_left_unanswered_ends_the_session_with_what_was_decided(
    three_exceptions: list[int],
) -> None:
    first, second, third = three_exceptions
    runner, result = _session(timeout_seconds=4)
    decide(None, decision="hold", note="calling the customer")
    runner.join(timeout=60)  # the second form is never answered
    assert result["out"] == [f"item {first}: held for later"]
    db = open_database(load_settings().database_url)
    with db.session() as s:
        assert [s.get_one(Item, i).status for i in three_exceptions] == ["exception"] * 3
    db.engine.dispose()
    rows = asyncio.run(_artifact_rows("review-decisions"))
    assert [(r["item"], r["decision"]) for r in rows] == [(first, "hold")]


def test_last_four_digits_pick_a_candidate_only_when_unique() -> None:
    from reconciliation.review import ReviewError

    assert choose_account("3981", ["4410023981", "5520019944"]) == "4410023981"
    assert choose_account("4410-023-981", []) == "4410023981"
    with pytest.raises(ReviewError, match="2 candidate loans end in 9944"):
        choose_account("9944", ["4410029944", "5520019944"])  # ambiguous: not guessed
    with pytest.raises(ReviewError, match="no candidate loan ends in 1234"):
        choose_account("1234", ["4410029944"])


def _candidate(account: str, why: tuple[str, ...]) -> Any:
    from reconciliation.review import Candidate

    return Candidate(account, "Maria Gonzalez", "active", Decimal("250.00"), TODAY, why)


def test_the_form_shows_the_check_and_candidates_but_never_a_full_number(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from flows.review import describe
    from reconciliation.review import OpenException

    crops = {}
    for name in ("courtesy", "legal", "micr"):
        path = tmp_path / f"item-9-{name}.png"
        path.write_bytes(b"\x89PNG " + name.encode())
        crops[name] = str(path)
    front = tmp_path / "item-9-front.jpg"
    front.write_bytes(cv2.imencode(".jpg", np.full((200, 450), 255, np.uint8))[1].tobytes())
    item = OpenException(
        item_id=9,
        site="dallas",
        batch="B1",
        source_file="dallas/B1/x.tif",
        page=1,
        exception_code="AMOUNT_MISMATCH",
        message="courtesy amount reads $250.00 but the legal amount reads $205.00",
        amount=Decimal("205.00"),
        loan_account="4410023981",
        payer="Maria Gonzalez",
        business_date=TODAY,
        candidates=[_candidate("4410023981", ("the account read", "the payer's name"))],
        crops=crops,
        views={"front": str(front)},
        codes=("AMOUNT_MISMATCH",),
        field_boxes={"courtesy": (0.8, 0.3, 0.9, 0.4), "memo": (0.1, 0.7, 0.4, 0.8)},
    )
    text = describe(item, refused="the amount was keyed as 250.00 and as 205.00")
    assert "4410023981" not in text and "******3981" in text
    assert text.startswith("> **Not done: the amount was keyed as 250.00 and as 205.00**")
    assert (
        "- `******3981` **Maria Gonzalez**, active, payment 250.00, next due 2026-11-17"
        " — the account read, the payer's name"
    ) in text
    assert text.count("](data:image/png;base64,") == 2  # the courtesy and legal lines, inline
    assert text.count("](data:image/jpeg;base64,") == 1  # the check's front
    assert f"`{crops['micr']}`" in text and "base64,iVBORw0gbWljcg" not in text  # MICR by path
    # the field in doubt is outlined in red on the front; the memo, not in doubt, is not
    b64 = text.split("![front](data:image/jpeg;base64,")[1].split(")")[0]
    import base64

    shown = cv2.imdecode(np.frombuffer(base64.b64decode(b64), np.uint8), cv2.IMREAD_COLOR)
    red = (shown[:, :, 2] > 150) & (shown[:, :, 1] < 100)
    ys, xs = np.nonzero(red)
    assert 0.78 < xs.min() / 450 < 0.82 and 0.28 < ys.min() / 200 < 0.32
    assert xs.max() / 450 < 0.92 and ys.max() / 200 < 0.42


def test_a_suspected_copy_is_shown_beside_the_check_seen_first(tmp_path: Path) -> None:
    from flows.review import describe
    from reconciliation.review import EarlierCopy, OpenException

    earlier_crop = tmp_path / "item-3-courtesy.png"
    earlier_crop.write_bytes(b"\x89PNG earlier")
    item = OpenException(
        item_id=9,
        site="richardson",
        batch="R2",
        source_file="richardson/R2/again.png",
        page=1,
        exception_code="DUPLICATE_CHECK",
        message="the same check as item 3 (dallas/B1/x.tif, posted): the same check number",
        amount=Decimal("412.50"),
        loan_account=None,
        payer="Maria Gonzalez",
        business_date=TODAY,
        candidates=[],
        earlier=EarlierCopy(
            item_id=3,
            site="dallas",
            batch="B1",
            source_file="dallas/B1/x.tif",
            page=1,
            status="posted",
            amount=Decimal("412.50"),
            loan_account="4410023981",
            crops={"courtesy": str(earlier_crop)},
        ),
    )
    text = describe(item)
    assert "Held as a copy of item 3 (posted)" in text and "`dallas/B1/x.tif`" in text
    assert "4410023981" not in text and "******3981" in text
    assert "](data:image/png;base64," in text  # the first copy's amount, as written


def test_an_item_that_is_no_check_shows_each_of_its_pages(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from flows.review import describe
    from reconciliation.review import OpenException

    views = {}
    for name in ("page-1", "page-2"):
        path = tmp_path / f"item-4-{name}.jpg"
        path.write_bytes(cv2.imencode(".jpg", np.full((60, 80), 255, np.uint8))[1].tobytes())
        views[name] = str(path)
    item = OpenException(
        item_id=4,
        site="dallas",
        batch="B1",
        source_file="dallas/B1/letter.pdf",
        page=1,
        exception_code="NOT_A_CHECK",
        message="no check found on the page(s): other, other",
        amount=None,
        loan_account=None,
        payer=None,
        business_date=TODAY,
        candidates=[],
        views=views,
    )
    text = describe(item)
    assert "**Page-1:**" in text and "**Page-2:**" in text
    assert text.count("](data:image/jpeg;base64,") == 2
    assert "none found; key the loan's full number" in text
