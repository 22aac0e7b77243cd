"""Daily deposit reconciliation per site: deposited = posted + suspense + returned, to the cent.

The two sides come from different places: the deposit from the ledger's cash lines, the right-hand
side from what became of each item, so a posting bug or a lost item shows up as a difference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox import ledger
from lockbox.models import Batch, Item, LedgerEntry, LedgerLine
from lockbox.money import ZERO


@dataclass
class SiteDeposit:
    site: str
    business_date: date
    items: int = 0
    deposited: Decimal = ZERO  # net cash debited for the day's items (ledger)
    posted: Decimal = ZERO  # amounts of items now posted (items)
    suspense: Decimal = ZERO  # still held for review (ledger, suspense balance per item)
    returned: Decimal = ZERO  # rejected items' money, out of suspense (ledger)
    unknown_amount_items: int = 0  # exceptions whose amount could not be read: not in the deposit

    @property
    def difference(self) -> Decimal:
        return self.deposited - (self.posted + self.suspense + self.returned)

    @property
    def balanced(self) -> bool:
        return self.difference == 0


def reconcile_day(session: Session, business_date: date) -> dict[str, SiteDeposit]:
    """Each site's deposit for the batches of one business date."""
    sites: dict[str, SiteDeposit] = {}
    item_site: dict[int, str] = {}
    for item_id, site, status, amount in session.execute(
        select(Item.id, Batch.site, Item.status, Item.amount)
        .join(Batch, Batch.id == Item.batch_id)
        .where(Batch.business_date == business_date)
    ):
        dep = sites.setdefault(site, SiteDeposit(site, business_date))
        dep.items += 1
        item_site[item_id] = site
        if status == "posted":
            dep.posted += amount or ZERO
        elif amount is None and status == "exception":
            dep.unknown_amount_items += 1
    if not item_site:
        return sites
    net: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    rows = session.execute(
        select(LedgerEntry.item_id, LedgerLine.gl_account, LedgerLine.debit, LedgerLine.credit)
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(
            LedgerEntry.item_id.in_(list(item_site)),
            LedgerLine.gl_account.in_([ledger.CASH, ledger.SUSPENSE, ledger.RETURNED_ITEMS]),
        )
    )
    for entry_item, account, debit, credit in rows:
        if entry_item is not None:
            net[(entry_item, account)] += (debit or ZERO) - (credit or ZERO)
    for (entry_item, account), value in net.items():
        dep = sites[item_site[entry_item]]
        if account == ledger.CASH:
            dep.deposited += value
        elif account == ledger.SUSPENSE:
            dep.suspense += -value  # a credit balance is money held
        else:
            dep.returned += -value
    return sites
