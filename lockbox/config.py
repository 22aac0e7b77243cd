"""Settings from the environment (see CONTRACT.md); everything optional, with safe defaults."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("America/Chicago")

SITES = ("dallas", "richardson")
SITE_ADDRESSES = {
    "dallas": "P.O. Box 650805, Dallas, TX 75265-0805",
    "richardson": "1501 North Plano Rd., Suite 100, Richardson, TX 75081",
}


class ConfigError(ValueError):
    """A setting in the environment cannot be used; the message names the variable to fix."""


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    late_fee_percent: Decimal
    late_fee_cap: Decimal | None
    grace_days: int = 10
    stale_days: int = 180
    dask_address: str | None = None  # OCR on this Dask scheduler instead of local processes
    overpayment: str = "pay_ahead"  # what money beyond the installment does (OVERPAYMENTS)

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def _decimal_env(name: str, default: str | None) -> Decimal | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return Decimal(default) if default is not None else None
    try:
        value = Decimal(raw)
    except ArithmeticError as exc:
        raise ConfigError(f"{name}={raw!r} is not a number; set it like 5 or 25.00") from exc
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative")
    return value


_DASK_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/:]+(:\d{1,5})?$")


def _dask_address_env() -> str | None:
    """LOCKBOX_DASK_ADDRESS, checked now so a typo fails before any batch is touched."""
    raw = os.environ.get("LOCKBOX_DASK_ADDRESS", "").strip()
    if not raw:
        return None
    if not _DASK_ADDRESS.match(raw):
        raise ConfigError(
            f"LOCKBOX_DASK_ADDRESS={raw!r} is not a Dask scheduler address; set it like"
            " tcp://dask-scheduler:8786, or unset it to read on this machine"
        )
    return raw


# What a payment beyond the installments due does on a retail loan: "pay_ahead", the next
# installments (the next due date moves on a month for each full one), or "principal", a principal
# curtailment (the next due date moves only past the installments due). Leases always pay ahead.
OVERPAYMENTS = ("pay_ahead", "principal")


def _overpayment_env() -> str:
    raw = os.environ.get("LOCKBOX_OVERPAYMENT", "").strip().lower() or OVERPAYMENTS[0]
    if raw not in OVERPAYMENTS:
        raise ConfigError(
            f"LOCKBOX_OVERPAYMENT={raw!r} must be pay_ahead (money beyond the installment pays the"
            " next ones) or principal (it reduces the principal only)"
        )
    return raw


def load_settings() -> Settings:
    """Read the settings now (not at import) so tests and the CLI can set the environment first."""
    home = Path(os.environ.get("LOCKBOX_HOME") or Path.home() / ".lockbox").expanduser()
    url = os.environ.get("LOCKBOX_DATABASE_URL") or f"sqlite:///{home / 'lockbox.db'}"
    percent = _decimal_env("LOCKBOX_LATE_FEE_PERCENT", "5")
    assert percent is not None
    return Settings(
        home=home,
        database_url=url,
        late_fee_percent=percent,
        late_fee_cap=_decimal_env("LOCKBOX_LATE_FEE_CAP", None),
        dask_address=_dask_address_env(),
        overpayment=_overpayment_env(),
    )
