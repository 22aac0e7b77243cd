"""`lockbox export postings`: what the ledger posted to loans on a business date, one row per entry,
the same rows on every export, on the mail of tests/lockbox/two_days.py."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from lockbox.cli import main as lockbox
from lockbox.db import Database
from lockbox.exports import POSTING_COLUMNS, export_ledger, export_postings
from lockbox.models import Payment
from tests.lockbox.two_days import (
    CLERK,
    JAMES,
    MARIA,
    RETURNED,
    ROBERT,
    RUN_ONE,
    RUN_TWO,
    Mail,
    decide,
    loans,
    record_both_runs,
    run_mail,
)

D = Decimal
BUCKETS = {
    "fees": "fees_receivable",
    "interest": "interest_income",
    "principal": "loan_principal",
    "rent": "lease_receivable",
    "prepaid": "lease_prepaid",
    "refund_due": "refund_due",
}


@pytest.fixture
def mail(database: Database) -> Mail:
    return record_both_runs(database)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def postings(mail: Mail, day: date, out: Path) -> list[dict[str, str]]:
    with mail.db.session() as s:
        count = export_postings(s, day, out)
    found = rows(out)
    assert len(found) == count
    return found


def ledger_postings(mail: Mail, day: date, tmp_path: Path) -> dict[str, dict[str, Decimal]]:
    """The day's postings figured from the ledger export on its own: per entry, the payment's
    money in (cash or suspense debited) and the net credit to each bucket."""
    out = tmp_path / "ledger.csv"
    with mail.db.session() as s:
        export_ledger(s, out, force=True)
    lines = rows(out)
    kinds = {line["entry_id"]: line["kind"] for line in lines}
    reverses = {line["entry_id"]: line["reverses_entry_id"] for line in lines}
    wanted = {
        entry
        for entry, kind in kinds.items()
        if kind in ("payment", "apply", "reallocation")
        or (kind == "reversal" and kinds.get(reverses[entry]) in ("payment", "apply"))
    }
    net: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        if line["entry_id"] in wanted and line["business_date"] == day.isoformat():
            money = D(line["credit"]) - D(line["debit"])
            account = line["gl_account"]
            net[line["entry_id"]]["amount" if account in ("cash", "suspense") else account] += money
    for entry in net.values():
        entry["amount"] = -entry["amount"]
    return net


def as_ledger(row: dict[str, str]) -> dict[str, Decimal]:
    found = {"amount": D(row["amount"])}
    found.update({BUCKETS[name]: D(row[name]) for name in BUCKETS if D(row[name])})
    return {key: value for key, value in found.items() if value or key == "amount"}


def test_a_business_dates_postings_are_its_payments_with_their_split(
    mail: Mail, tmp_path: Path
) -> None:
    found = postings(mail, RUN_ONE, tmp_path / "postings.csv")
    assert list(found[0])[:4] == ["item_id", "loan_account", "amount", "received_date"]
    assert list(found[0]) == list(POSTING_COLUMNS)
    by_item = {int(r["item_id"]): r for r in found}
    # the held checks (no account, post-dated) are no payment yet; the others in posting order
    assert list(by_item) == [
        mail.item(k) for k in ("maria", "james", "maria_extra", "robert", "james_nsf")
    ]
    assert {r["kind"] for r in found} == {"payment"}
    assert {(r["received_date"], r["business_date"]) for r in found} == {
        ("2026-11-16", "2026-11-17")
    }
    maria = by_item[mail.item("maria")]
    # 15 days (Nov 1 to 16) at 6.99% on $15,000 = $43.09 interest; the rest to principal
    assert (maria["loan_account"], maria["amount"]) == (MARIA, "412.50")
    assert (maria["fees"], maria["interest"], maria["principal"]) == ("0.00", "43.09", "369.41")
    assert (maria["site"], maria["batch"], maria["reverses_entry_id"]) == ("dallas", "D1", "")
    james = by_item[mail.item("james")]
    assert (james["interest"], james["principal"]) == ("34.47", "354.70")  # $12,000, 15 days
    robert = by_item[mail.item("robert")]
    assert (robert["loan_account"], robert["rent"], robert["principal"]) == (
        ROBERT,
        "299.00",
        "0.00",
    )
    for r in found:
        assert D(r["amount"]) == sum(D(r[name]) for name in BUCKETS)
    assert {r["entry_id"]: as_ledger(r) for r in found} == ledger_postings(mail, RUN_ONE, tmp_path)
    with mail.db.session() as s:
        entries = {p.item_id: p.entry_id for p in s.scalars(select(Payment))}
    assert all(int(r["entry_id"]) == entries[int(r["item_id"])] for r in found)


def test_later_events_post_on_their_own_day_and_never_change_an_earlier_one(
    mail: Mail, tmp_path: Path
) -> None:
    before = {
        day: postings(mail, day, tmp_path / f"{day}-before.csv") for day in (RUN_ONE, RUN_TWO)
    }
    decide(mail)
    for day in (RUN_ONE, RUN_TWO):
        assert postings(mail, day, tmp_path / f"{day}-after.csv") == before[day]
        assert (tmp_path / f"{day}-after.csv").read_bytes() == (
            tmp_path / f"{day}-before.csv"
        ).read_bytes()

    clerk = postings(mail, CLERK, tmp_path / "clerk.csv")
    apply, *moved = clerk
    # the clerk's decision is an apply from suspense, received the day the check came
    assert (apply["item_id"], apply["kind"], apply["amount"]) == (
        str(mail.item("no_account")),
        "apply",
        "75.25",
    )
    assert (apply["received_date"], apply["business_date"]) == ("2026-11-16", "2026-11-19")
    assert (apply["loan_account"], apply["principal"]) == (MARIA, "75.25")
    # a check received before one already applied re-figures the later one's split: no money moves
    assert moved and {r["kind"] for r in moved} == {"reallocation"}
    assert {r["item_id"] for r in moved} <= {str(mail.item("maria_next"))}
    for r in moved:
        assert r["amount"] == "0.00" and sum(D(r[name]) for name in BUCKETS) == 0
    assert {r["entry_id"]: as_ledger(r) for r in clerk} == ledger_postings(mail, CLERK, tmp_path)

    (returned,) = postings(mail, RETURNED, tmp_path / "returned.csv")
    original = next(r for r in before[RUN_ONE] if r["item_id"] == str(mail.item("james_nsf")))
    assert (returned["kind"], returned["amount"], returned["reverses_entry_id"]) == (
        "reversal",
        "-200.00",
        original["entry_id"],
    )
    assert (returned["loan_account"], returned["received_date"]) == (JAMES, "2026-11-16")
    assert all(D(returned[name]) == -D(original[name]) for name in BUCKETS)


def test_every_days_postings_add_up_to_what_each_payment_holds(mail: Mail, tmp_path: Path) -> None:
    decide(mail)
    held: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for day in (RUN_ONE, RUN_TWO, CLERK, RETURNED):
        for r in postings(mail, day, tmp_path / f"{day}.csv"):
            for name in (*BUCKETS, "amount"):
                held[r["item_id"]][name] += D(r[name])
    with mail.db.session() as s:
        payments = {str(p.item_id): p for p in s.scalars(select(Payment))}
    assert set(held) == set(payments)
    for item, total in held.items():
        payment = payments[item]
        if item == str(mail.item("james_nsf")):  # returned: everything it paid is taken back
            assert set(total.values()) == {D("0")}
            continue
        assert total["amount"] == payment.amount
        assert (total["fees"], total["interest"], total["principal"], total["rent"]) == (
            payment.to_fees,
            payment.to_interest,
            payment.to_principal,
            payment.to_rent,
        )


def test_a_day_without_postings_is_a_header(mail: Mail, tmp_path: Path) -> None:
    out = tmp_path / "none.csv"
    assert postings(mail, date(2026, 11, 16), out) == []
    assert out.read_bytes() == (",".join(POSTING_COLUMNS) + "\r\n").encode()


def test_the_command_line(
    sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("LOCKBOX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCKBOX_DATABASE_URL", str(sqlite_database.engine.url))
    with sqlite_database.session() as s:
        s.add_all(loans())
    run_mail(Mail(sqlite_database), RUN_ONE)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert lockbox(["export", "postings", "--date", "2026-11-17", "--out", str(first)]) == 0
    assert "Wrote 5 rows" in capsys.readouterr().out
    assert lockbox(["export", "postings", "--date", "2026-11-17", "--out", str(second)]) == 0
    assert lockbox(["export", "postings", "--date", "2026-11-17", "--out", str(first)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert [r["loan_account"] for r in rows(first)][:2] == [MARIA, JAMES]  # in full: the import key
    assert lockbox(["export", "postings", "--out", str(first)]) == 2
    assert lockbox(["export", "ledger", "--date", "2026-11-17", "--out", str(first)]) == 2
    args = ["export", "postings", "--date", "2026-11-17", "--out", str(first), "--unmasked"]
    assert lockbox(args) == 2
    assert "--unmasked is for export bai only" in capsys.readouterr().err
