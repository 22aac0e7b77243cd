"""The run summary: per site, items, posted count and amount, exceptions by code, batch warnings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox.models import Batch, Item
from lockbox.money import ZERO, mask


@dataclass
class SiteSummary:
    site: str
    batches: int = 0
    items: int = 0
    posted: int = 0
    posted_amount: Decimal = ZERO
    exceptions: int = 0
    exception_amount: Decimal = ZERO
    by_code: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


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
                    "by_code": dict(sorted(s.by_code.items())),
                    "warnings": s.warnings,
                }
                for name, s in self.sites.items()
            },
        }


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
            by_code=Counter(s["by_code"]),
            warnings=list(s["warnings"]),
        )
    return summary


def summarize(session: Session, batch_ids: list[int], business_date: str) -> RunSummary:
    """Add up what happened to the items of the batches this run processed."""
    summary = RunSummary(business_date=business_date)
    if not batch_ids:
        return summary
    for batch in session.scalars(select(Batch).where(Batch.id.in_(batch_ids)).order_by(Batch.id)):
        site = summary.sites.setdefault(batch.site, SiteSummary(batch.site))
        site.batches += 1
        site.warnings.extend(f"{batch.name}: {w}" for w in batch.warnings or [])
    rows = session.execute(
        select(Item, Batch.site, Batch.name)
        .join(Batch, Batch.id == Item.batch_id)
        .where(Item.batch_id.in_(batch_ids))
        .order_by(Item.id)
    )
    for item, site_name, batch_name in rows:
        site = summary.sites[site_name]
        site.items += 1
        if item.status == "posted":
            site.posted += 1
            site.posted_amount += item.amount or ZERO
            continue
        site.exceptions += 1
        site.exception_amount += item.amount or ZERO
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


def _first_reason(message: str | None) -> str:
    """The item's main finding in a few words ('AMOUNT_MISMATCH: courtesy ... ; STALE...')."""
    first = (message or "").split("; ")[0]
    return first.split(": ", 1)[-1]


def site_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """One row per site for the Prefect table artifact: the numbers staff compare day to day."""
    out = []
    for s in summary.sites.values():
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
    if not summary.sites:
        lines.append("  No new batches to process.")
    header = f"  {'site':<12}{'batches':>8}{'items':>7}{'posted':>8}{'posted $':>14}{'exceptions':>12}{'held $':>12}"
    if summary.sites:
        lines.append(header)
    for s in summary.sites.values():
        lines.append(
            f"  {s.site:<12}{s.batches:>8}{s.items:>7}{s.posted:>8}{s.posted_amount:>14,.2f}"
            f"{s.exceptions:>12}{s.exception_amount:>12,.2f}"
        )
    if len(summary.sites) > 1:
        tot_posted = sum((s.posted_amount for s in summary.sites.values()), ZERO)
        tot_held = sum((s.exception_amount for s in summary.sites.values()), ZERO)
        lines.append(
            f"  {'total':<12}{sum(s.batches for s in summary.sites.values()):>8}{summary.items:>7}"
            f"{summary.posted:>8}{tot_posted:>14,.2f}{summary.exceptions:>12}{tot_held:>12,.2f}"
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


def render_markdown(summary: RunSummary) -> str:
    """The same summary as a Prefect markdown artifact."""
    out = [f"# Lockbox run — business date {summary.business_date}", ""]
    out.append("| site | batches | items | posted | posted $ | exceptions | held $ |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for s in summary.sites.values():
        out.append(
            f"| {s.site} | {s.batches} | {s.items} | {s.posted} | {s.posted_amount:,.2f} |"
            f" {s.exceptions} | {s.exception_amount:,.2f} |"
        )
    for s in summary.sites.values():
        if s.by_code:
            out += ["", f"## {s.site}: exceptions by code", "", "| code | items |", "|---|---:|"]
            out += [f"| {c} | {n} |" for c, n in sorted(s.by_code.items())]
        if s.warnings:
            out += ["", f"## {s.site}: batch warnings", ""] + [f"- {w}" for w in s.warnings]
    if summary.held:
        out += ["", "## Exceptions to review", ""]
        out.append("| item | site | code | amount | account | images of the fields in doubt |")
        out.append("|---:|---|---|---:|---|---|")
        for h in summary.held:
            amount = "-" if h.amount is None else f"{h.amount:,.2f}"
            images = ", ".join(f"[{name}](file://{path})" for name, path in h.crops.items())
            out.append(
                f"| {h.item_id} | {h.site} | {h.code} | {amount} | {h.account or '-'} |"
                f" {images or '-'} |"
            )
        out += ["", "Decide them in the `review-exceptions` flow or with `lockbox review list`."]
    out += ["", f"Late fees assessed: {summary.late_fees} (${summary.late_fee_amount:,.2f})"]
    return "\n".join(out)
