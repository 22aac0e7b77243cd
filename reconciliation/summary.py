"""The run summary: per site, items, posted count and amount, exceptions by code, batch warnings."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox.models import Batch, Item
from lockbox.money import ZERO, mask
from reconciliation.crops import NOT_EMBEDDED


@dataclass
class SiteSummary:
    site: str
    batches: int = 0
    items: int = 0
    posted: int = 0
    posted_amount: Decimal = ZERO
    exceptions: int = 0
    exception_amount: Decimal = ZERO
    returned: int = 0  # of the exceptions, those a clerk has since returned
    returned_amount: Decimal = ZERO
    by_code: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BatchSummary:
    """One batch as its deposit is checked: the ticket's count and control total beside what was
    scanned, and what became of it (posted, held, returned)."""

    site: str
    batch: str
    deposit_date: str  # YYYY-MM-DD, or "" when the ticket gave none
    ticket_items: int | None = None
    ticket_total: Decimal | None = None
    items: int = 0
    amount: Decimal = ZERO  # every amount read (held items with no amount read add nothing)
    unread: int = 0  # items with no amount
    posted: int = 0
    posted_amount: Decimal = ZERO
    held: int = 0
    held_amount: Decimal = ZERO
    returned: int = 0
    returned_amount: Decimal = ZERO

    @property
    def agrees(self) -> bool | None:
        """Does the scan add up to the ticket (count and control total)? None: no ticket."""
        if self.ticket_items is None and self.ticket_total is None:
            return None
        count_ok = self.ticket_items is None or self.ticket_items == self.items
        total_ok = self.ticket_total is None or (
            self.ticket_total == self.amount and not self.unread
        )
        return count_ok and total_ok


@dataclass(frozen=True)
class HeldItem:
    """One exception as the run's artifact lists it: enough to find it and see what is in doubt."""

    item_id: int
    site: str
    batch: str
    source_file: str
    code: str
    amount: Decimal | None
    account: str  # masked to the last 4
    reason: str
    crops: dict[str, str] = field(default_factory=dict)  # field in doubt -> image path


@dataclass
class RunSummary:
    business_date: str
    sites: dict[str, SiteSummary] = field(default_factory=dict)
    batches: list[BatchSummary] = field(default_factory=list)
    held: list[HeldItem] = field(default_factory=list)
    skipped_batches: int = 0
    late_fees: int = 0
    late_fee_amount: Decimal = ZERO

    @property
    def items(self) -> int:
        return sum(s.items for s in self.sites.values())

    @property
    def posted(self) -> int:
        return sum(s.posted for s in self.sites.values())

    @property
    def exceptions(self) -> int:
        return sum(s.exceptions for s in self.sites.values())

    @property
    def deposit_dates(self) -> list[str]:
        return sorted({b.deposit_date for b in self.batches if b.deposit_date})

    def with_total(self) -> list[SiteSummary]:
        """Each site, and the grand total row after them when there are several."""
        sites = list(self.sites.values())
        return [*sites, self.total()] if len(sites) > 1 else sites

    def total(self) -> SiteSummary:
        """Every site added up: the grand total row."""
        out = SiteSummary("total")
        for s in self.sites.values():
            out.batches += s.batches
            out.items += s.items
            out.posted += s.posted
            out.posted_amount += s.posted_amount
            out.exceptions += s.exceptions
            out.exception_amount += s.exception_amount
            out.returned += s.returned
            out.returned_amount += s.returned_amount
            out.by_code.update(s.by_code)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "business_date": self.business_date,
            "items": self.items,
            "posted": self.posted,
            "exceptions": self.exceptions,
            "skipped_batches": self.skipped_batches,
            "late_fees": self.late_fees,
            "late_fee_amount": str(self.late_fee_amount),
            "held": [
                {
                    "item_id": h.item_id,
                    "site": h.site,
                    "batch": h.batch,
                    "source_file": h.source_file,
                    "code": h.code,
                    "amount": None if h.amount is None else str(h.amount),
                    "account": h.account,
                    "reason": h.reason,
                    "crops": h.crops,
                }
                for h in self.held
            ],
            "sites": {
                name: {
                    "batches": s.batches,
                    "items": s.items,
                    "posted": s.posted,
                    "posted_amount": str(s.posted_amount),
                    "exceptions": s.exceptions,
                    "exception_amount": str(s.exception_amount),
                    "returned": s.returned,
                    "returned_amount": str(s.returned_amount),
                    "by_code": dict(sorted(s.by_code.items())),
                    "warnings": s.warnings,
                }
                for name, s in self.sites.items()
            },
            "batches": [_batch_json(b) for b in self.batches],
        }


def _batch_json(b: BatchSummary) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in asdict(b).items():
        out[key] = str(value) if isinstance(value, Decimal) else value
    return out


def _batch_from_json(data: dict[str, Any]) -> BatchSummary:
    money_keys = ("ticket_total", "amount", "posted_amount", "held_amount", "returned_amount")
    values: dict[str, Any] = {
        k: (Decimal(v) if k in money_keys and v is not None else v) for k, v in data.items()
    }
    return BatchSummary(**values)


def summary_from_json(data: dict[str, Any]) -> RunSummary:
    """Rebuild a summary from `RunSummary.to_json()` (what the flow returns)."""
    summary = RunSummary(
        business_date=data["business_date"],
        skipped_batches=int(data.get("skipped_batches", 0)),
        late_fees=int(data.get("late_fees", 0)),
        late_fee_amount=Decimal(data.get("late_fee_amount", "0")),
    )
    for h in data.get("held", []):
        summary.held.append(
            HeldItem(
                item_id=int(h["item_id"]),
                site=h["site"],
                batch=h["batch"],
                source_file=h["source_file"],
                code=h["code"],
                amount=None if h["amount"] is None else Decimal(h["amount"]),
                account=h["account"],
                reason=h["reason"],
                crops=dict(h.get("crops") or {}),
            )
        )
    for name, s in data.get("sites", {}).items():
        summary.sites[name] = SiteSummary(
            site=name,
            batches=s["batches"],
            items=s["items"],
            posted=s["posted"],
            posted_amount=Decimal(s["posted_amount"]),
            exceptions=s["exceptions"],
            exception_amount=Decimal(s["exception_amount"]),
            returned=int(s.get("returned", 0)),
            returned_amount=Decimal(s.get("returned_amount", "0")),
            by_code=Counter(s["by_code"]),
            warnings=list(s["warnings"]),
        )
    summary.batches = [_batch_from_json(b) for b in data.get("batches", [])]
    return summary


def summarize(session: Session, batch_ids: list[int], business_date: str) -> RunSummary:
    """Add up what happened to the items of the batches this run processed."""
    summary = RunSummary(business_date=business_date)
    if not batch_ids:
        return summary
    by_id: dict[int, BatchSummary] = {}
    for batch in session.scalars(select(Batch).where(Batch.id.in_(batch_ids)).order_by(Batch.id)):
        site = summary.sites.setdefault(batch.site, SiteSummary(batch.site))
        site.batches += 1
        site.warnings.extend(f"{batch.name}: {w}" for w in batch.warnings or [])
        by_id[batch.id] = BatchSummary(
            site=batch.site,
            batch=batch.name,
            deposit_date=batch.deposit_date.isoformat() if batch.deposit_date else "",
            ticket_items=batch.ticket_item_count,
            ticket_total=batch.ticket_control_total,
        )
    summary.batches = list(by_id.values())
    rows = session.execute(
        select(Item, Batch.site, Batch.name)
        .join(Batch, Batch.id == Item.batch_id)
        .where(Item.batch_id.in_(batch_ids))
        .order_by(Item.id)
    )
    for item, site_name, batch_name in rows:
        site = summary.sites[site_name]
        site.items += 1
        _count(by_id[item.batch_id], item)
        if item.status == "posted":
            site.posted += 1
            site.posted_amount += item.amount or ZERO
            continue
        site.exceptions += 1
        site.exception_amount += item.amount or ZERO
        if item.status == "returned":
            site.returned += 1
            site.returned_amount += item.amount or ZERO
        site.by_code[item.exception_code or "UNKNOWN"] += 1
        if item.status == "exception":
            summary.held.append(
                HeldItem(
                    item_id=item.id,
                    site=site_name,
                    batch=batch_name,
                    source_file=item.source_file,
                    code=item.exception_code or "UNKNOWN",
                    amount=item.amount,
                    account=mask(item.loan_account_read),
                    reason=_first_reason(item.exception_message),
                    crops=dict((item.capture or {}).get("crops") or {}),
                )
            )
    return summary


def _count(batch: BatchSummary, item: Item) -> None:
    amount = item.amount or ZERO
    batch.items += 1
    batch.amount += amount
    batch.unread += item.amount is None
    if item.status == "posted":
        batch.posted += 1
        batch.posted_amount += amount
    elif item.status == "returned":
        batch.returned += 1
        batch.returned_amount += amount
    else:
        batch.held += 1
        batch.held_amount += amount


def _first_reason(message: str | None) -> str:
    """The item's main finding in a few words ('AMOUNT_MISMATCH: courtesy ... ; STALE...')."""
    first = (message or "").split("; ")[0]
    return first.split(": ", 1)[-1]


def site_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """One row per site and a total row, for the Prefect table artifact: the numbers staff compare
    day to day."""
    out = []
    for s in summary.with_total():
        rate = f"{s.posted / s.items:.0%}" if s.items else "-"
        out.append(
            {
                "site": s.site,
                "batches": s.batches,
                "items": s.items,
                "posted": s.posted,
                "posted $": f"{s.posted_amount:,.2f}",
                "exceptions": s.exceptions,
                "held $": f"{s.exception_amount:,.2f}",
                "returned": s.returned,
                "returned $": f"{s.returned_amount:,.2f}",
                "straight-through": rate,
                "exceptions by code": ", ".join(f"{c} {n}" for c, n in sorted(s.by_code.items())),
                "batch warnings": len(s.warnings),
            }
        )
    return out


def held_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """One row per exception waiting for a clerk, for the Prefect table artifact."""
    return [
        {
            "item": h.item_id,
            "site": h.site,
            "batch": h.batch,
            "file": h.source_file,
            "code": h.code,
            "amount": "-" if h.amount is None else f"{h.amount:,.2f}",
            "account": h.account or "-",
            "reason": h.reason,
            "images": " ".join(h.crops.values()),
        }
        for h in summary.held
    ]


def render_text(summary: RunSummary) -> str:
    """The summary a person reads at the end of `lockbox run` and `make demo`."""
    lines = [f"Lockbox run for business date {summary.business_date}"]
    if summary.deposit_dates:
        lines.append(f"  Deposit date(s): {', '.join(summary.deposit_dates)}")
    if not summary.sites:
        lines.append("  No new batches to process.")
    header = f"  {'site':<12}{'batches':>8}{'items':>7}{'posted':>8}{'posted $':>14}{'exceptions':>12}{'held $':>12}"
    if summary.sites:
        lines.append(header)
    for s in summary.with_total():
        lines.append(
            f"  {s.site:<12}{s.batches:>8}{s.items:>7}{s.posted:>8}{s.posted_amount:>14,.2f}"
            f"{s.exceptions:>12}{s.exception_amount:>12,.2f}"
        )
    for s in summary.sites.values():
        if s.by_code:
            codes = ", ".join(f"{code} {n}" for code, n in sorted(s.by_code.items()))
            lines.append(f"  {s.site} exceptions: {codes}")
        for w in s.warnings:
            lines.append(f"  {s.site} warning: {w}")
    if summary.skipped_batches:
        lines.append(
            f"  {summary.skipped_batches} batch(es) already processed earlier were skipped."
        )
    lines.append(f"  Late fees assessed: {summary.late_fees} (${summary.late_fee_amount:,.2f})")
    if summary.exceptions:
        lines.append("  Work the exceptions with `lockbox review list`.")
    return "\n".join(lines)


def render_markdown(summary: RunSummary, shrink: Callable[[bytes], bytes] | None = None) -> str:
    """The same summary as a Prefect markdown artifact: per site with a grand total, per batch
    against its ticket, and each exception with the images of its fields in doubt, embedded (a
    browser opens no file:// link from a web page), each made small enough for a table row by
    `shrink` (the caller's image code: this package reads no pixels)."""
    dates = ", ".join(summary.deposit_dates) or "not given"
    out = [
        f"# Lockbox run — business date {summary.business_date}",
        "",
        f"Deposit date(s): {dates}",
        "",
    ]
    out.append(
        "| site | batches | items | posted | posted $ | exceptions | held $ | returned | returned $ |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in summary.with_total():
        name = "**total**" if s.site == "total" else s.site
        out.append(
            f"| {name} | {s.batches} | {s.items} | {s.posted} | {s.posted_amount:,.2f} |"
            f" {s.exceptions} | {s.exception_amount:,.2f} | {s.returned} | {s.returned_amount:,.2f} |"
        )
    if summary.batches:
        out += ["", "## Batches and their deposits", ""]
        out.append(
            "| batch | deposit | items (ticket) | amount read | ticket total | agrees | posted $ |"
            " held $ |"
        )
        out.append("|---|---|---:|---:|---:|---|---:|---:|")
        for b in summary.batches:
            agrees = {None: "no ticket", True: "yes", False: "**no**"}[b.agrees]
            unread = f" ({b.unread} not read)" if b.unread else ""
            out.append(
                f"| {b.site}/{b.batch} | {b.deposit_date or '-'} | {b.items} ({_opt(b.ticket_items)})"
                f" | {b.amount:,.2f}{unread} | {_opt(b.ticket_total)} | {agrees} |"
                f" {b.posted_amount:,.2f} | {b.held_amount:,.2f} |"
            )
    for s in summary.sites.values():
        if s.by_code:
            out += ["", f"## {s.site}: exceptions by code", "", "| code | items |", "|---|---:|"]
            out += [f"| {c} | {n} |" for c, n in sorted(s.by_code.items())]
        if s.warnings:
            out += ["", f"## {s.site}: batch warnings", ""] + [f"- {w}" for w in s.warnings]
    if summary.held:
        out += ["", "## Exceptions to review", ""]
        out.append("| item | site | code | amount | account | the fields in doubt, as written |")
        out.append("|---:|---|---|---:|---|---|")
        budget = MAX_EMBEDDED_BYTES
        for h in summary.held:
            amount = "-" if h.amount is None else f"{h.amount:,.2f}"
            images, budget = _embedded(h.crops, budget, shrink)
            out.append(
                f"| {h.item_id} | {h.site} | {h.code} | {amount} |"
                f" {f'`{h.account}`' if h.account else '-'} | {images or '-'} |"
            )
        out += ["", "Decide them in the `review-exceptions` flow or with `lockbox review list`."]
    out += ["", f"Late fees assessed: {summary.late_fees} (${summary.late_fee_amount:,.2f})"]
    return "\n".join(out)


# Images embedded in one summary, at most: beyond it the rest are named (a day of a thousand
# exceptions must not make an artifact the UI cannot load); the review form shows every one.
MAX_EMBEDDED_BYTES = 2_000_000


def _opt(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if isinstance(value, Decimal) else str(value)


def _embedded(
    crops: dict[str, str], budget: int, shrink: Callable[[bytes], bytes] | None
) -> tuple[str, int]:
    """The crops as images inside the artifact while the budget lasts, else their names."""
    parts = []
    for name, where in crops.items():
        path = Path(where)
        data = path.read_bytes() if path.is_file() and name not in NOT_EMBEDDED else b""
        data = shrink(data) if data and shrink else data
        if not data or len(data) * 4 // 3 > budget:
            parts.append(name)
            continue
        budget -= len(data) * 4 // 3
        parts.append(f"![{name}](data:image/png;base64,{base64.b64encode(data).decode('ascii')})")
    return " ".join(parts), budget
