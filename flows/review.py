"""The review-exceptions flow: a clerk decides each open exception in the Prefect UI.

The flow pauses on a form per exception (Prefect's wait_for_input); the clerk's decision posts through
reconciliation.review, the same code as `lockbox review resolve|reject`. Ephemeral mode has no UI, so
run it against a Prefect server (`make ui`, or PREFECT_API_URL set).
"""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

from lockbox.config import load_settings
from lockbox.dates import business_today
from lockbox.db import open_database
from lockbox.money import mask
from reconciliation.codes import WHAT_TO_DO, ExceptionCode
from reconciliation.review import OpenException, ReviewError, open_exceptions, reject, resolve


class ExceptionDecision(RunInput):
    """The form a clerk fills in for one exception item.

    `loan_account` takes the full number or the last four digits of one of the candidate loans, so
    no full account number has to be shown in, or stored by, Prefect.
    """

    decision: Literal["post", "return", "hold"] = "hold"
    loan_account: str = ""
    amount: str = ""
    note: str = ""
    reviewer: str = ""
    # for a suspected copy of another check: the clerk compared the two and they are different
    not_a_duplicate: bool = False


def describe(item: OpenException) -> str:
    """The markdown shown above the form: everything needed to decide, numbers masked."""
    try:
        advice = WHAT_TO_DO[ExceptionCode(item.exception_code)]
    except ValueError:
        advice = ""
    amount = f"${item.amount:,.2f}" if item.amount is not None else "not read"
    candidates = ", ".join(mask(c) for c in item.candidates) or "none"
    return "\n".join(
        [
            f"### Item {item.item_id}: {item.exception_code}",
            "",
            f"- **Scan**: `{item.site}/{item.batch}` — `{item.source_file}` page {item.page}",
            f"- **Why held**: {item.message}",
            f"- **Amount read**: {amount}",
            f"- **Account read**: {mask(item.loan_account) or 'none'}",
            f"- **Payer**: {item.payer or 'not read'}",
            f"- **Candidate loans**: {candidates}",
            *_images(item.crops),
            *_earlier(item),
            "",
            advice,
            "",
            "Choose **post** (with the loan account and amount), **return** (with a note saying why),"
            " or **hold** to leave it for later.",
        ]
    )


# Crops shown inside the form: they hold no account or routing number (the memo line and the MICR
# band do, so those stay files under LOCKBOX_HOME, named by path only).
SHOWN_INLINE = ("courtesy", "legal", "date")
MAX_INLINE_BYTES = 64 * 1024


def _earlier(item: OpenException) -> list[str]:
    """The copy seen first, beside this one, for a suspected duplicate."""
    e = item.earlier
    if e is None:
        return []
    amount = f"${e.amount:,.2f}" if e.amount is not None else "not read"
    return [
        "",
        f"#### Held as a copy of item {e.item_id} ({e.status})",
        "",
        f"- **Scan**: `{e.site}/{e.batch}` — `{e.source_file}` page {e.page}",
        f"- **Amount**: {amount}; **loan**: {mask(e.loan_account) or 'none'}",
        *_images(e.crops),
        "",
        "Reject this item if it is the same check; post it only with **not_a_duplicate** ticked.",
    ]


def _images(crops: dict[str, str]) -> list[str]:
    """The images of the fields in doubt: amount and date crops inline, the others by path."""
    out: list[str] = []
    for name, where in crops.items():
        path = Path(where)
        if name in SHOWN_INLINE and path.is_file() and path.stat().st_size <= MAX_INLINE_BYTES:
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            out += [
                "",
                f"**{name.capitalize()} as written:**",
                "",
                f"![{name}](data:image/png;base64,{data})",
            ]
        else:
            out.append(f"- **{name.capitalize()} image**: `{where}`")
    return out


def choose_account(entered: str, candidates: list[str]) -> str:
    """The full account for what the clerk typed: a full number, or the last 4 of one candidate."""
    digits = "".join(ch for ch in entered if ch.isalnum())
    if len(digits) <= 4 and digits:
        matches = [c for c in candidates if c.endswith(digits)]
        if len(matches) == 1:
            return matches[0]
    return digits


def apply_decision(item: OpenException, decision: ExceptionDecision) -> str:
    """Carry out one decision; returns what happened, in a sentence for the log and the artifact."""
    item_id = item.item_id
    settings = load_settings()
    db = open_database(settings.database_url)
    who = decision.reviewer.strip() or "prefect-ui"
    try:
        with db.session() as session:
            if decision.decision == "post":
                try:
                    amount = Decimal(decision.amount.replace(",", "").replace("$", "").strip())
                except InvalidOperation:
                    return f"item {item_id}: not posted, {decision.amount!r} is not an amount"
                account = choose_account(decision.loan_account, item.candidates)
                resolve(
                    session,
                    item_id,
                    loan_account=account,
                    amount=amount,
                    by=who,
                    note=decision.note or None,
                    business_date=business_today(),
                    not_duplicate=decision.not_a_duplicate,
                )
                return f"item {item_id}: posted {amount:,.2f} to {mask(account)}"
            if decision.decision == "return":
                reject(
                    session,
                    item_id,
                    reason=decision.note or "returned by reviewer",
                    by=who,
                    business_date=business_today(),
                )
                return f"item {item_id}: returned"
            return f"item {item_id}: held for later"
    except ReviewError as exc:
        return f"item {item_id}: not changed ({exc})"
    finally:
        db.engine.dispose()


@flow(name="review-exceptions")
def review_exceptions(
    limit: int = 25, timeout_seconds: int = 3600, poll_seconds: int = 5
) -> list[str]:
    """Pause on a form for each open exception, oldest first, and apply each decision."""
    log = get_run_logger()
    settings = load_settings()
    db = open_database(settings.database_url)
    try:
        with db.session() as session:
            items = open_exceptions(session)[:limit]
    finally:
        db.engine.dispose()
    outcomes: list[str] = []
    for item in items:
        initial: dict[str, Any] = {
            # only the last 4 digits are ever shown: the clerk confirms which candidate it is
            "loan_account": item.candidates[0][-4:] if len(item.candidates) == 1 else "",
            "amount": f"{item.amount:.2f}" if item.amount is not None else "",
        }
        form = ExceptionDecision.with_initial_data(description=describe(item), **initial)
        decision = pause_flow_run(
            wait_for_input=form,
            timeout=timeout_seconds,
            poll_interval=poll_seconds,
            key=f"item-{item.item_id}",
        )
        outcome = apply_decision(item, decision)
        log.info(outcome)
        outcomes.append(outcome)
    create_markdown_artifact(
        key="review-decisions",
        markdown="# Review decisions\n\n" + "\n".join(f"- {o}" for o in outcomes or ["none open"]),
        description="What the clerk decided in this review session",
    )
    return outcomes
