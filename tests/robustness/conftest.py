"""Fixtures for the robustness tests: generated mail, a lockbox home, and the CLI as a user drives it.

The CLI runs in this process (fast, shares the session's Prefect backend) or as a subprocess (for
kills and concurrent runs; it reaches the same backend through PREFECT_API_URL).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import lockbox
from lockbox.cli import main as lockbox_main

AS_OF = "2026-11-17"
# The subprocess runs the very code this test process imported (not another checkout's).
SOURCE_ROOT = Path(lockbox.__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _prefect(prefect_backend: None) -> None:
    """Every test here talks to the session's throw-away Prefect backend (tests/conftest.py)."""


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@dataclass(frozen=True)
class TruthItem:
    source_file: str
    page: int
    expected_status: str
    loan_account: str | None
    amount: str | None
    routing: str | None
    bank_account: str | None
    kinds: tuple[str, ...]


@dataclass
class Mail:
    """A generated mail set: its inbox, loan book and truth."""

    root: Path
    truth: list[TruthItem] = field(default_factory=list)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def loans_csv(self) -> Path:
        return self.root / "loans.csv"

    def good_checks(self) -> list[TruthItem]:
        """Image files (not PDFs) that the truth expects to post, single-page checks first."""
        good = [
            t
            for t in self.truth
            if t.expected_status == "posted" and not t.source_file.endswith(".pdf")
        ]
        return sorted(good, key=lambda t: (len(t.kinds), t.source_file))

    def loan_accounts(self) -> set[str]:
        with self.loans_csv.open(newline="") as f:
            return {row["account_number"] for row in csv.DictReader(f)}

    def copy(self, item: TruthItem, dest: Path) -> Path:
        """Copy one generated scan into a test inbox under a name of the test's choosing."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes((self.inbox / item.source_file).read_bytes())
        return dest

    @staticmethod
    def check_good(row: dict[str, str], truth: TruthItem) -> bool:
        """A good check is read as a check, and posts only to the right loan for the right amount.

        Returns whether it posted (it may be held when OCR is unsure: never a wrong posting).
        """
        assert row["exception_code"] not in ("UNREADABLE_FILE", "NOT_A_CHECK"), row
        if row["status"] == "posted":
            assert (row["loan_account"], row["amount"]) == (truth.loan_account, truth.amount), row
            return True
        return False


def load_mail(root: Path) -> Mail:
    data = json.loads((root / "truth.json").read_text())
    items = []
    for t in data["items"]:
        fields = t.get("fields") or {}
        items.append(
            TruthItem(
                source_file=t["source_file"],
                page=int(t["page"]),
                expected_status=t["expected_status"],
                loan_account=t.get("loan_account"),
                amount=t.get("amount"),
                routing=fields.get("routing"),
                bank_account=fields.get("bank_account"),
                kinds=tuple(p["kind"] for p in t.get("pages") or []),
            )
        )
    return Mail(root=root, truth=items)


def make_mail(out: Path, seed: int, items: int) -> Mail:
    from sample_data.generate import generate

    generate(out, seed=seed, items=items, as_of=date.fromisoformat(AS_OF))
    return load_mail(out)


@pytest.fixture(scope="session")
def mail10(tmp_path_factory: pytest.TempPathFactory) -> Mail:
    """Ten generated items (five image checks that should post, three of them one page), read-only."""
    return make_mail(tmp_path_factory.mktemp("mail10"), seed=2024, items=10)


class Lockbox:
    """The `lockbox` command line against one LOCKBOX_HOME, with what a user would look at."""

    def __init__(self, home: Path, database_url: str | None = None):
        self.home = home
        self.database_url = database_url

    def env(self, **extra: str) -> dict[str, str]:
        from prefect.settings import PREFECT_API_URL

        env = {k: v for k, v in os.environ.items() if not k.startswith("LOCKBOX_")}
        env.update(LOCKBOX_HOME=str(self.home), PREFECT_API_URL=str(PREFECT_API_URL.value()))
        if self.database_url:
            env.update(LOCKBOX_DATABASE_URL=self.database_url)
        env.update(extra)
        return env

    def __call__(self, *args: str) -> Result:
        """Run a command in this process (LOCKBOX_HOME must be set by the caller's monkeypatch)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = lockbox_main(list(args))
        return Result(code, out.getvalue(), err.getvalue())

    def spawn(self, *args: str, **env: str) -> subprocess.Popen[str]:
        """Start a command as its own process (for kills and concurrent runs)."""
        return subprocess.Popen(
            [sys.executable, "-m", "lockbox.cli", *args],
            env=self.env(PYTHONPATH=str(SOURCE_ROOT), **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run_inbox(self, inbox: Path) -> Result:
        return self("run", "--inbox", str(inbox), "--as-of", AS_OF)

    def export(self, what: str) -> list[dict[str, str]]:
        out = self.home.parent / f"export-{what}.csv"
        result = self("export", what, "--out", str(out))
        assert result.code == 0, result.err
        with out.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    def items(self) -> dict[tuple[str, int], dict[str, str]]:
        rows = self.export("items")
        keyed = {(r["source_file"], int(r["page"])): r for r in rows}
        assert len(keyed) == len(rows), "an item was recorded twice"
        return keyed

    def outcome(self) -> dict[tuple[str, int], tuple[str, str, str, str]]:
        """What a user compares between two runs: per (file, page) status, code, loan, amount."""
        return {
            key: (r["status"], r["exception_code"], r["loan_account"], r["amount"])
            for key, r in self.items().items()
        }

    def gl_totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Debits and credits per GL account, from the ledger export."""
        debit: dict[str, Decimal] = defaultdict(Decimal)
        credit: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.export("ledger"):
            debit[line["gl_account"]] += Decimal(line["debit"] or "0")
            credit[line["gl_account"]] += Decimal(line["credit"] or "0")
        return {gl: (debit[gl], credit[gl]) for gl in sorted(debit.keys() | credit.keys())}

    def cash_per_item(self) -> dict[str, Decimal]:
        cash: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.export("ledger"):
            if line["gl_account"] == "cash" and line["item_id"]:
                cash[line["item_id"]] += Decimal(line["debit"] or "0")
        return dict(cash)


@contextlib.contextmanager
def _lockbox_at(home: Path, database_url: str | None = None) -> Iterator[Lockbox]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCKBOX_HOME", str(home))
        if database_url:
            mp.setenv("LOCKBOX_DATABASE_URL", database_url)
        else:
            mp.delenv("LOCKBOX_DATABASE_URL", raising=False)
        mp.setenv("LOCKBOX_OCR_WORKERS", "2")
        yield Lockbox(home, database_url)


@pytest.fixture(scope="session")
def lockbox_at() -> Any:
    """`with lockbox_at(home[, database_url]) as lb:` a Lockbox whose home is this process's
    LOCKBOX_HOME (its SQLite database unless a URL is given)."""
    return _lockbox_at


@pytest.fixture
def lb(tmp_path: Path) -> Iterator[Lockbox]:
    """A fresh LOCKBOX_HOME for one test."""
    with _lockbox_at(tmp_path / "home") as box:
        yield box


@pytest.fixture(scope="session")
def new_mail() -> Any:
    """`new_mail(out, seed, items)`: generate a mail set and load its truth."""
    return make_mail
