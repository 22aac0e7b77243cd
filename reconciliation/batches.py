"""Batches: open one once per site and name, and reconcile it against its ticket when done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lockbox.inbox import BatchDir
from lockbox.models import Batch, Item
from lockbox.money import ZERO

# Exceptions whose amount is itself in doubt: the amount recorded is a reading, not a fact.
AMOUNT_IN_DOUBT = ("UNREADABLE_AMOUNT", "AMOUNT_MISMATCH")


@dataclass(frozen=True)
class BatchTotals:
    items: int
    amount: Decimal  # every amount read (posted and held), what the operator's adding machine saw
    in_doubt: tuple[int, ...] = ()  # ids of held items whose amount is in doubt


def find_batch(session: Session, found: BatchDir) -> Batch | None:
    """The Batch row an earlier run recorded for this batch folder, if any."""
    return session.scalar(select(Batch).where(Batch.site == found.site, Batch.name == found.name))


def open_batch(
    session: Session, found: BatchDir, *, run_id: int, business_date: date
) -> Batch | None:
    """The Batch row to work on, or None when this batch was already processed completely."""
    batch = find_batch(session, found)
    if batch is not None:
        if batch.status == "complete":
            return None
        batch.run_id = run_id  # resuming a batch a crashed run left half done
        return batch
    batch = Batch(
        site=found.site,
        name=found.name,
        status="processing",
        run_id=run_id,
        business_date=business_date,
        deposit_date=found.ticket.deposit_date,
        ticket_item_count=found.ticket.item_count,
        ticket_control_total=found.ticket.control_total,
        warnings=list(found.warnings) or None,
    )
    session.add(batch)
    session.flush()
    return batch


def batch_totals(session: Session, batch_id: int) -> BatchTotals:
    count, amount = session.execute(
        select(func.count(Item.id), func.coalesce(func.sum(Item.amount), 0)).where(
            Item.batch_id == batch_id
        )
    ).one()
    in_doubt = session.scalars(
        select(Item.id)
        .where(
            Item.batch_id == batch_id,
            Item.status == "exception",
            Item.exception_code.in_(AMOUNT_IN_DOUBT),
        )
        .order_by(Item.id)
    )
    return BatchTotals(
        items=int(count),
        amount=Decimal(amount).quantize(Decimal("0.01")) if amount else ZERO,
        in_doubt=tuple(in_doubt),
    )


def reconcile_ticket(batch: Batch, totals: BatchTotals) -> list[str]:
    """Compare the batch with its ticket; a mismatch is a warning on the batch, never ignored."""
    problems: list[str] = []
    if batch.ticket_item_count is not None and batch.ticket_item_count != totals.items:
        problems.append(
            f"ticket says {batch.ticket_item_count} items, the batch has {totals.items}"
        )
    if batch.ticket_control_total is not None and batch.ticket_control_total != totals.amount:
        text = (
            f"ticket control total ${batch.ticket_control_total:,.2f} but the amounts read add up"
            f" to ${totals.amount:,.2f} (difference ${batch.ticket_control_total - totals.amount:,.2f})"
        )
        if totals.in_doubt:
            ids = ", ".join(str(i) for i in totals.in_doubt)
            text += f"; the amounts of item(s) {ids}, held for review, may account for it"
        problems.append(text)
    return problems


def close_batch(session: Session, batch: Batch) -> list[str]:
    """Mark the batch complete and record the ticket reconciliation on it."""
    problems = reconcile_ticket(batch, batch_totals(session, batch.id))
    if problems:
        batch.warnings = [*(batch.warnings or []), *problems]
    batch.status = "complete"
    batch.completed_at = datetime.now(UTC)
    return problems
