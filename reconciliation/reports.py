"""The daily report: a remittance CSV of what posted, and an HTML page for the back office.

The HTML shows the day's deposit reconciliation per site, exceptions by code, and the straight-through
rate over the last 30 days as inline SVG charts (no scripts, opens anywhere, prints well).
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lockbox.models import Batch, Item, Loan
from lockbox.money import fmt, mask
from lockbox.outputs import OutputError, check_output, write_atomically, write_csv
from reconciliation.deposit import SiteDeposit, reconcile_day

HTML_FIRST_LINE = "<!doctype html>"  # how an earlier report page is known (lockbox.outputs)
REMITTANCE_COLUMNS = (
    "business_date",
    "site",
    "batch",
    "item_id",
    "source_file",
    "page",
    "loan_account",
    "borrower",
    "amount",
    "check_date",
    "check_serial",
    "payer",
    "reviewed_by",
)


@dataclass(frozen=True)
class DayStats:
    day: date
    items: int
    posted_straight_through: int  # posted with no clerk decision

    @property
    def rate(self) -> float:
        return self.posted_straight_through / self.items if self.items else 0.0


def write_remittance(
    session: Session,
    business_date: date,
    out: Path,
    *,
    unmasked: bool = False,
    force: bool = False,
) -> int:
    """Every item of the day that posted, one row each; the loan account masked to its last four
    digits like every other file a run leaves, unless `unmasked` (an internal hand-off that needs
    it). Written as lockbox.outputs writes: never through a link or over a file it did not write."""
    rows = session.execute(
        select(Item, Batch.site, Batch.name, Loan.account_number, Loan.borrower_name)
        .join(Batch, Batch.id == Item.batch_id)
        .join(Loan, Loan.id == Item.loan_id)
        .where(Batch.business_date == business_date, Item.status == "posted")
        .order_by(Batch.site, Batch.name, Item.id)
    )
    return write_csv(
        out,
        REMITTANCE_COLUMNS,
        (
            [
                business_date.isoformat(),
                site,
                batch,
                item.id,
                item.source_file,
                item.page,
                account if unmasked else mask(account),
                borrower,
                fmt(item.amount),
                item.check_date.isoformat() if item.check_date else "",
                item.serial or "",
                item.payer or "",
                item.reviewed_by or "",
            ]
            for item, site, batch, account, borrower in rows
        ),
        force=force,
    )


def exceptions_by_code(session: Session, business_date: date) -> Counter[str]:
    """Every item of the day that was held, by its code (decided since or not)."""
    rows = session.execute(
        select(Item.exception_code, func.count(Item.id))
        .join(Batch, Batch.id == Item.batch_id)
        .where(Batch.business_date == business_date, Item.exception_code.is_not(None))
        .group_by(Item.exception_code)
    )
    return Counter({code: n for code, n in rows if code is not None})


def history(session: Session, until: date, days: int = 30) -> list[DayStats]:
    start = until - timedelta(days=days - 1)
    rows = session.execute(
        select(Batch.business_date, Item.status, Item.reviewed_by, Item.exception_code)
        .join(Batch, Batch.id == Item.batch_id)
        .where(Batch.business_date >= start, Batch.business_date <= until)
    )
    totals: Counter[date] = Counter()
    straight: Counter[date] = Counter()
    for day, status, reviewer, code in rows:
        totals[day] += 1
        if status == "posted" and reviewer is None and code is None:
            straight[day] += 1
    return [
        DayStats(
            start + timedelta(days=i),
            totals[start + timedelta(days=i)],
            straight[start + timedelta(days=i)],
        )
        for i in range(days)
    ]


def _bar_chart(pairs: list[tuple[str, float]], title: str, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG."""
    width, row, label_w = 640, 22, 190
    peak = max((v for _, v in pairs), default=0) or 1
    height = row * max(1, len(pairs)) + 30
    parts = [
        f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
    ]
    for i, (label, value) in enumerate(pairs):
        y = 10 + i * row
        bar = (width - label_w - 60) * value / peak
        parts.append(f'<text x="0" y="{y + 14}">{html.escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{bar:.1f}" height="16" fill="#3b6ea5"></rect>'
        )
        parts.append(f'<text x="{label_w + bar + 6:.1f}" y="{y + 13}">{value:g}{unit}</text>')
    if not pairs:
        parts.append('<text x="0" y="24">none</text>')
    parts.append("</svg>")
    return "".join(parts)


def _trend_chart(stats: list[DayStats]) -> str:
    """Straight-through rate per day as columns (days without items are left empty)."""
    width, height, pad = 640, 160, 24
    step = (width - pad) / max(1, len(stats))
    parts = [
        f'<svg role="img" aria-label="straight-through rate, last {len(stats)} days"'
        f' width="{width}" height="{height + 30}" xmlns="http://www.w3.org/2000/svg"'
        ' font-family="sans-serif" font-size="10">',
        f'<line x1="{pad}" y1="{height}" x2="{width}" y2="{height}" stroke="#999"></line>',
        f'<text x="0" y="12">100%</text><text x="0" y="{height}">0%</text>',
    ]
    for i, s in enumerate(stats):
        x = pad + i * step
        if s.items:
            h = (height - 10) * s.rate
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{height - h:.1f}" width="{step - 2:.1f}" height="{h:.1f}"'
                f' fill="#4c956c"><title>{s.day}: {s.rate:.0%} of {s.items}</title></rect>'
            )
        if i % 5 == 0:
            parts.append(f'<text x="{x:.1f}" y="{height + 14}">{s.day:%m/%d}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(
    business_date: date,
    deposits: dict[str, SiteDeposit],
    by_code: Counter[str],
    stats: list[DayStats],
) -> str:
    rows = []
    for d in deposits.values():
        status = "balanced" if d.balanced else f"OUT BY ${d.difference:,.2f}"
        rows.append(
            f"<tr><td>{html.escape(d.site)}</td><td>{d.items}</td><td>{d.deposited:,.2f}</td>"
            f"<td>{d.posted:,.2f}</td><td>{d.suspense:,.2f}</td><td>{d.returned:,.2f}</td>"
            f"<td>{d.unknown_amount_items}</td><td>{status}</td></tr>"
        )
    today = stats[-1] if stats else None
    rate = f"{today.rate:.1%} of {today.items} items" if today and today.items else "no items"
    return f"""{HTML_FIRST_LINE}
<html lang="en"><head><meta charset="utf-8"><title>Lockbox daily report {business_date}</title>
<style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 10px;text-align:right}}td:first-child{{text-align:left}}
</style></head><body>
<h1>Lockbox daily report — {business_date}</h1>
<h2>Deposit reconciliation</h2>
<p>Deposited = posted + suspense + returned, per site, to the cent.</p>
<table><tr><th>site</th><th>items</th><th>deposited $</th><th>posted $</th><th>suspense $</th>
<th>returned $</th><th>amount unread</th><th>status</th></tr>
{"".join(rows) or '<tr><td colspan="8">no batches for this date</td></tr>'}
</table>
<h2>Exceptions by code</h2>
{_bar_chart(sorted(by_code.items(), key=lambda kv: -kv[1]), "exceptions by code")}
<h2>Straight-through rate, last {len(stats)} days</h2>
<p>Today: {rate} posted with no one touching them.</p>
{_trend_chart(stats)}
</body></html>
"""


@dataclass(frozen=True)
class DailyReport:
    remittance: Path
    html: Path
    deposits: dict[str, SiteDeposit]


def write_daily_report(
    session: Session,
    business_date: date,
    out_dir: Path,
    *,
    unmasked: bool = False,
    force: bool = False,
) -> DailyReport:
    """The day's remittance CSV and HTML page in `out_dir`; raises OutputError (lockbox.outputs)
    when either cannot be written safely."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file; --out names the folder the report goes into")
    remittance = out_dir / f"remittance-{business_date}.csv"
    page = out_dir / f"daily-{business_date}.html"
    check_output(page, header=HTML_FIRST_LINE, force=force)
    write_remittance(session, business_date, remittance, unmasked=unmasked, force=force)
    deposits = reconcile_day(session, business_date)
    text = render_html(
        business_date,
        deposits,
        exceptions_by_code(session, business_date),
        history(session, business_date),
    )
    write_atomically(page, lambda handle: handle.write(text))
    return DailyReport(remittance, page, deposits)


def describe_deposits(deposits: dict[str, SiteDeposit]) -> list[str]:
    """One line per site for the terminal (no account numbers at all)."""
    out = []
    for d in deposits.values():
        state = "balanced" if d.balanced else f"OUT BY ${d.difference:,.2f}"
        out.append(
            f"{d.site}: deposited ${d.deposited:,.2f} = posted ${d.posted:,.2f} + suspense"
            f" ${d.suspense:,.2f} + returned ${d.returned:,.2f} ({state})"
        )
    return out
