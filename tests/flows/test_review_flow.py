"""The review-exceptions flow: pause on a form per exception, resume with a clerk's decision."""

from __future__ import annotations

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
from lockbox.models import Batch, Item
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
def two_exceptions(lockbox_home: Path) -> list[int]:
    db = open_database(load_settings().database_url)
    with db.session() as s:
        s.add(
            make_loan(
                account_number="4410023981",
                monthly_payment=Decimal("250.00"),
                principal_balance=Decimal("9000.00"),
                annual_rate=Decimal("0.07"),
            )
        )
        s.add(Batch(site="dallas", name="B1", business_date=TODAY, status="processing"))
    ids = []
    for serial in ("1001", "1002"):
        with db.session() as s:
            batch = s.scalars(select(Batch)).one()
            item = record_item(
                s,
                batch=batch,
                capture=held_check(serial),
                directory=load_directory(s),
                business_date=TODAY,
            )
            assert item.exception_code == "MISSING_ACCOUNT"
            ids.append(item.id)
    db.engine.dispose()
    return ids


async def _paused_run_ids() -> list[Any]:
    async with get_client() as client:
        runs = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
            )
        )
        return [r.id for r in runs]


def wait_for_pause(timeout: float = 60) -> Any:
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = asyncio.run(_paused_run_ids())
        if ids:
            return ids[0]
        time.sleep(0.5)
    raise AssertionError("the review flow never paused for input")


def test_clerk_decisions_in_the_ui_post_and_return(two_exceptions: list[int]) -> None:
    first, second = two_exceptions
    result: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: result.setdefault("out", review_exceptions(limit=2, poll_seconds=1)),
        daemon=True,
    )
    runner.start()
    run_id = wait_for_pause()
    resume_flow_run(
        run_id,
        run_input={
            "decision": "post",
            "loan_account": "4410023981",
            "amount": "250.00",
            "reviewer": "pat",
        },
    )
    time.sleep(1.5)
    run_id = wait_for_pause()
    resume_flow_run(
        run_id, run_input={"decision": "return", "note": "letter, not a payment", "reviewer": "pat"}
    )
    runner.join(timeout=60)
    assert result["out"] == [
        f"item {first}: posted 250.00 to ******3981",
        f"item {second}: returned",
    ]
    db = open_database(load_settings().database_url)
    with db.session() as s:
        posted, returned = s.get_one(Item, first), s.get_one(Item, second)
        assert (posted.status, posted.reviewed_by, posted.amount) == (
            "posted",
            "pat",
            Decimal("250.00"),
        )
        assert returned.status == "returned"


def test_last_four_digits_pick_a_candidate_only_when_unique() -> None:
    assert choose_account("3981", ["4410023981", "5520019944"]) == "4410023981"
    assert choose_account("9944", ["4410029944", "5520019944"]) == "9944"  # ambiguous: not guessed
    assert choose_account("4410-023-981", []) == "4410023981"


def test_the_form_shows_the_amounts_as_written_but_never_an_account_image(tmp_path: Path) -> None:
    from flows.review import describe
    from reconciliation.review import OpenException

    crops = {}
    for name in ("courtesy", "legal", "memo"):
        path = tmp_path / f"item-9-{name}.png"
        path.write_bytes(b"\x89PNG " + name.encode())
        crops[name] = str(path)
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
        candidates=["4410023981"],
        crops=crops,
    )
    text = describe(item)
    assert "4410023981" not in text and "******3981" in text
    assert text.count("](data:image/png;base64,") == 2  # the courtesy and legal lines, inline
    assert f"`{crops['memo']}`" in text and "base64,iVBORw0gbWVtbw" not in text


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
