"""Business dates: America/Chicago, and month arithmetic for due dates."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from lockbox.config import BUSINESS_TZ


def business_today() -> date:
    """Today's business date in the lender's time zone (a 1 a.m. UTC run is still yesterday in Texas)."""
    return datetime.now(BUSINESS_TZ).date()


def add_months(d: date, months: int, anchor_day: int | None = None) -> date:
    """Move by whole months, clamping to the month's last day (Jan 31 + 1 month = Feb 28).

    `anchor_day` keeps the original due day across short months (Feb 28 -> Mar 31 for a 31st loan).
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = anchor_day or d.day
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
