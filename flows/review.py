"""The review-exceptions flow: a clerk works a queue of open exceptions in the Prefect UI.

The deployment's Run form picks the queue (site, batch, exception codes, oldest or largest first).
The flow pauses on a form per exception (Prefect's wait_for_input) that shows the check's images
and the loans it could be meant for; the clerk's decision posts through reconciliation.review, the
same code as `lockbox review resolve|reject|hold`. A decision that cannot be carried out is refused and
the same item asked again with the reason at the top. Ephemeral mode has no UI, so run it against
a Prefect server (`make ui`, or PREFECT_API_URL set).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field

from lockbox.config import load_settings
from lockbox.dates import business_today
from lockbox.db import open_database
from lockbox.money import mask, money
from ocr.snippets import outline
from reconciliation.codes import WHAT_TO_DO, ExceptionCode
from reconciliation.crops import NOT_EMBEDDED, fields_in_doubt
from reconciliation.review import (
    Candidate,
    ItemNotOpenError,
    OpenException,
    Queue,
    ReviewError,
    hold,
    open_exceptions,
    reject,
    resolve,
)


class ExceptionDecision(RunInput):
    """The form a clerk fills in for one exception item.

    `loan_account` takes the full number or the last four digits of one of the candidate loans, so
    no full account number has to be shown in, or stored by, Prefect.
    """

    decision: Literal["post", "return", "hold"] = Field(
        description="post it to a loan, return it (it will not post), or hold it for later"
    )
    reviewer: str = Field(min_length=1, description="who decides: kept in the audit trail")
    loan_account: str = Field(
        "", description="post: a candidate's last four digits, or a full number"
    )
    amount: str = Field("", description="post: the amount to post, as written on the check")
    amount_again: str = Field("", description="post: the same amount, keyed a second time")
    confirm_amount_read: bool = Field(
        False, description="post: the amount read is right (instead of keying it twice)"
    )
    note: str = Field("", description="why: required to return an item")
    # for a suspected copy of another check: the clerk compared the two and they are different
    not_a_duplicate: bool = False


@dataclass(frozen=True)
class Outcome:
    """What came of one decision: done (posted, returned, held) or refused, in a sentence."""

    item_id: int
    decision: str
    done: bool
    text: str
    refused: str = ""  # why nothing was changed, for the form asked again
    reviewer: str = ""
    note: str = ""
    loan: str = ""  # masked
    amount: Decimal | None = None
    at: str = ""


def describe(item: OpenException, refused: str = "") -> str:
    """The markdown shown above the form: everything needed to decide, numbers masked."""
    try:
        advice = WHAT_TO_DO[ExceptionCode(item.exception_code)]
    except ValueError:
        advice = ""
    amount = f"${item.amount:,.2f}" if item.amount is not None else "not read"
    top = [f"> **Not done: {refused}** Correct the form and submit again.", ""] if refused else []
    return "\n".join(
        [
            *top,
            f"### Item {item.item_id}: {item.exception_code}",
            "",
            f"- **Scan**: `{item.site}/{item.batch}` — `{item.source_file}` page {item.page}",
            f"- **Why held**: {item.message}",
            f"- **Amount read**: {amount}",
            f"- **Account read**: {_masked(item.loan_account)}",
            f"- **Payer**: {item.payer or 'not read'}",
            *_views(
                item.views,
                ["front", *sorted(v for v in item.views if v.startswith("page-"))],
                _in_doubt(item),
            ),
            *_crops(item.crops),
            "",
            *_candidates(item.candidates),
            *_views(item.views, ["back", "coupon"]),
            *_earlier(item),
            "",
            advice,
            "",
            "Choose **post** (a candidate's last four digits or a full loan number, and the amount"
            " keyed twice or the amount read confirmed), **return** (with a note saying why), or"
            " **hold** to leave it for later.",
        ]
    )


# Field crops are shown inside the form but for those holding bank numbers (NOT_EMBEDDED): they
# stay files under LOCKBOX_HOME, named by path only (and the page views have the band painted over).
MAX_INLINE_BYTES = 160 * 1024
Boxes = dict[str, tuple[float, ...]]  # field -> its box on the front, as shares of the page


def _data_uri(path: Path, data: bytes | None = None) -> str:
    data = path.read_bytes() if data is None else data
    kind = "jpeg" if data[:2] == b"\xff\xd8" else "png"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _inline(path: Path) -> bool:
    return path.is_file() and path.stat().st_size <= MAX_INLINE_BYTES


def _views(views: dict[str, str], names: list[str], outlined: Boxes | None = None) -> list[str]:
    """The item's pages by name, embedded; the front with the `outlined` boxes drawn on it."""
    out: list[str] = []
    for name in names:
        where = views.get(name)
        if where is None or not _inline(Path(where)):
            continue
        data = Path(where).read_bytes()
        if name == "front" and outlined:
            data = outline(data, outlined)
        out += ["", f"**{name.capitalize()}:**", "", f"![{name}]({_data_uri(Path(where), data)})"]
    return out


def _in_doubt(item: OpenException) -> Boxes:
    doubt = fields_in_doubt(item.codes or (item.exception_code,))
    return {k: v for k, v in item.field_boxes.items() if k in doubt}


def _crops(crops: dict[str, str]) -> list[str]:
    """The images of the fields in doubt: inline but for the MICR band's, shown by path."""
    out: list[str] = []
    for name, where in crops.items():
        path = Path(where)
        if name not in NOT_EMBEDDED and _inline(path):
            out += ["", f"**{name.capitalize()} as written:**", "", f"![{name}]({_data_uri(path)})"]
        else:
            out.append(f"- **{name.capitalize()} image**: `{where}`")
    return out


def _masked(number: str | None) -> str:
    """A number masked to its last four, in a code span (markdown would take `**` for bold)."""
    return f"`{mask(number)}`" if number else "none"


def _candidates(candidates: list[Candidate]) -> list[str]:
    """One line each (the form is narrow): masked number, borrower, status, payment, next due."""
    if not candidates:
        return ["**Candidate loans**: none found; key the loan's full number to post."]
    out = ["**Candidate loans** (key the last four digits to pick one):", ""]
    for c in candidates:
        due = c.next_due.isoformat() if c.next_due else "not set"
        out.append(
            f"- {_masked(c.account_number)} **{c.borrower}**, {c.status.replace('_', ' ')},"
            f" payment {c.monthly_payment:,.2f}, next due {due} — {', '.join(c.why)}"
        )
    return out


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
        f"- **Amount**: {amount}; **loan**: {_masked(e.loan_account)}",
        *_views(e.views, ["front"]),
        *_crops(e.crops),
        "",
        "Reject this item if it is the same check; post it only with **not_a_duplicate** ticked.",
    ]


def choose_account(entered: str, candidates: list[str]) -> str:
    """The full account for what the clerk typed: a full number, or the last 4 of one candidate.

    Raises ReviewError when four digits or fewer fit no candidate, or more than one.
    """
    digits = "".join(ch for ch in entered if ch.isalnum())
    if not digits:
        raise ReviewError("to post, key the loan: a candidate's last four digits or a full number")
    if len(digits) > 4:
        return digits
    matches = [c for c in candidates if c.endswith(digits)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ReviewError(f"no candidate loan ends in {digits}; key the loan's full number")
    raise ReviewError(f"{len(matches)} candidate loans end in {digits}; key the loan's full number")


def _amount(text: str) -> Decimal | None:
    try:
        return money(Decimal(text.replace(",", "").replace("$", "").strip()))
    except InvalidOperation:
        return None


def keyed_amount(item: OpenException, decision: ExceptionDecision) -> Decimal:
    """The amount to post: keyed twice alike, or the amount read, confirmed. Raises ReviewError."""
    if decision.amount.strip() or decision.amount_again.strip():
        first, second = _amount(decision.amount), _amount(decision.amount_again)
        if first is None:
            raise ReviewError(f"{decision.amount!r} is not an amount")
        if second is None:
            raise ReviewError("key the amount a second time in amount_again")
        if first != second:
            raise ReviewError(f"the amount was keyed as {first:,.2f} and as {second:,.2f}")
        return first
    if decision.confirm_amount_read:
        if item.amount is None:
            raise ReviewError("no amount was read: key the amount twice")
        return item.amount
    raise ReviewError("key the amount twice, or tick confirm_amount_read")


def apply_decision(item: OpenException, decision: ExceptionDecision) -> Outcome:
    """Carry out one decision, or refuse it with the reason (nothing changed)."""
    who = decision.reviewer.strip() or "prefect-ui"
    note = decision.note.strip()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    asked = Outcome(item.item_id, decision.decision, done=False, text="", reviewer=who, note=note)
    db = open_database(load_settings().database_url)
    try:
        with db.session() as session:
            if decision.decision == "post":
                account = choose_account(
                    decision.loan_account, [c.account_number for c in item.candidates]
                )
                amount = keyed_amount(item, decision)
                resolve(
                    session,
                    item.item_id,
                    loan_account=account,
                    amount=amount,
                    by=who,
                    note=note or None,
                    business_date=business_today(),
                    not_duplicate=decision.not_a_duplicate,
                )
                text = f"item {item.item_id}: posted {amount:,.2f} to {mask(account)}"
                return replace(
                    asked, done=True, text=text, loan=mask(account), amount=amount, at=now
                )
            if decision.decision == "return":
                if not note:
                    raise ReviewError("say in the note why the item is returned")
                reject(session, item.item_id, reason=note, by=who, business_date=business_today())
                return replace(asked, done=True, text=f"item {item.item_id}: returned", at=now)
            hold(session, item.item_id, by=who, note=note or None)
            return replace(asked, done=True, text=f"item {item.item_id}: held for later", at=now)
    except ItemNotOpenError as exc:
        # decided meanwhile (on the command line, in another review run): nothing to ask again
        return replace(asked, done=True, text=f"item {item.item_id}: not changed ({exc})", at=now)
    except ReviewError as exc:
        return replace(asked, text=f"item {item.item_id}: not changed ({exc})", refused=str(exc))
    finally:
        db.engine.dispose()


def decision_rows(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """The review run's table artifact: one row per decision, refusals included."""
    return [
        {
            "item": o.item_id,
            "decision": o.decision,
            "result": o.text.split(": ", 1)[-1] if o.done else "refused: " + o.refused,
            "loan": o.loan or "-",
            "amount": "-" if o.amount is None else f"{o.amount:,.2f}",
            "reviewer": o.reviewer,
            "note": o.note,
            "at": o.at or "-",
        }
        for o in outcomes
    ]


@flow(name="review-exceptions")
def review_exceptions(
    site: str = "",
    batch: str = "",
    codes: tuple[ExceptionCode, ...] = (),
    order: Literal["oldest", "largest"] = "oldest",
    limit: int = 25,
    timeout_seconds: int = 3600,
    poll_seconds: int = 5,
) -> list[str]:
    """Pause on a form for each open exception in the queue and apply each decision.

    A refused decision asks for the same item again, its reason shown.

    Args:
        site: only this site's items (empty: every site)
        batch: only this batch's items (empty: every batch)
        codes: only items held for these codes (none chosen: every code)
        order: the oldest items first, or the largest amounts
        limit: at most this many items in this session
        timeout_seconds: how long a form waits for the clerk before the session ends
        poll_seconds: how often the flow looks for the clerk's answer
    """
    log = get_run_logger()
    queue = Queue(site=site, batch=batch, codes=tuple(codes or ()), order=order)
    db = open_database(load_settings().database_url)
    try:
        with db.session() as session:
            items = open_exceptions(session, queue)[:limit]
    finally:
        db.engine.dispose()
    log.info("%d open exception(s) in this queue", len(items))
    outcomes: list[Outcome] = []
    for index, item in enumerate(items):
        reviewer = next((o.reviewer for o in reversed(outcomes) if o.reviewer), "")
        try:
            outcomes += _decide(item, reviewer, timeout_seconds, poll_seconds)
        except FlowPauseTimeout:
            # the clerk went: the session ends with what was decided, the rest stays open
            log.warning(
                "no decision on item %d in %d s: the review session ends here, %d item(s) left"
                " open for the next one",
                item.item_id,
                timeout_seconds,
                len(items) - index,
            )
            break
    create_table_artifact(
        key="review-decisions",
        table=decision_rows(outcomes),
        description=f"What the clerk decided in this review session ({_queue_words(queue)})",
    )
    return [o.text for o in outcomes if o.done]


def _decide(item: OpenException, reviewer: str, timeout: int, poll: int) -> list[Outcome]:
    """Ask for a decision on one item until one is carried out (each refusal asks again, its
    reason shown); returns every answer, refusals first. Raises FlowPauseTimeout when the form
    waits `timeout` seconds unanswered."""
    log = get_run_logger()
    answers: list[Outcome] = []
    refused = ""
    for attempt in range(1, 1000):
        # the reviewer stays required until a decision names one
        initial: dict[str, Any] = {"reviewer": reviewer} if reviewer else {}
        if len(item.candidates) == 1:
            # only the last 4 digits are ever shown: the clerk confirms which loan it is
            initial["loan_account"] = item.candidates[0].account_number[-4:]
        form = ExceptionDecision.with_initial_data(description=describe(item, refused), **initial)
        decision = pause_flow_run(
            wait_for_input=form,
            timeout=timeout,
            poll_interval=poll,
            key=f"item-{item.item_id}-{attempt}",
        )
        reviewer = decision.reviewer.strip() or reviewer
        outcome = apply_decision(item, decision)
        answers.append(outcome)
        if outcome.done:
            log.info(outcome.text)
            break
        refused = outcome.refused
        log.warning("%s; asking again", outcome.text)
    return answers


def _queue_words(queue: Queue) -> str:
    parts = [
        f"site {queue.site}" if queue.site else "every site",
        f"batch {queue.batch}" if queue.batch else "",
        ", ".join(queue.codes),
        f"{queue.order} first",
    ]
    return "; ".join(p for p in parts if p)
