"""The `lockbox` command line (CONTRACT): loans, run, read, export, review.

Every command upgrades the database on start. Account and routing numbers are masked unless asked.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lockbox.config import ConfigError, Settings, load_settings
from lockbox.dates import business_today
from lockbox.db import Database, DatabaseError, open_database
from lockbox.guardian import start_guardian
from lockbox.money import MoneyError, mask, parse_money

if TYPE_CHECKING:
    from ocr import PageReading


class CliError(Exception):
    """A command that could not do what was asked; printed as one line, exit status 2."""


def _db(settings: Settings) -> Database:
    return open_database(settings.database_url)


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-17") from exc


def _money_arg(text: str) -> Decimal:
    try:
        return parse_money(text)
    except MoneyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


# --- loans -------------------------------------------------------------------------------------


def cmd_loans_import(args: argparse.Namespace, settings: Settings) -> int:
    from lockbox.loanbook import LoanBookError, import_loan_book

    db = _db(settings)
    try:
        with db.session() as session:
            result = import_loan_book(session, Path(args.file), actor=_actor(None))
    except LoanBookError as exc:
        raise CliError(str(exc)) from exc
    print(f"Imported {result.total} loans ({result.created} new, {result.updated} updated).")
    return 0


def cmd_loans_show(args: argparse.Namespace, settings: Settings) -> int:
    from lockbox.statements import UnknownLoanError, render_statement

    db = _db(settings)
    with db.session() as session:
        try:
            print(render_statement(session, args.account.replace("-", "").replace(" ", "")))
        except UnknownLoanError as exc:
            raise CliError(str(exc)) from exc
    return 0


def cmd_loans_payoff(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from lockbox.ledger import loan_state
    from lockbox.models import Loan
    from lockbox.payoff import PayoffError, quote_payoff
    from lockbox.statements import UnknownLoanError

    account = args.account.replace("-", "").replace(" ", "")
    as_of = args.date or business_today()
    db = _db(settings)
    with db.session() as session:
        loan = session.scalar(select(Loan).where(Loan.account_number == account))
        if loan is None:
            raise CliError(str(UnknownLoanError(account)))
        try:
            quote = quote_payoff(
                loan_state(loan),
                as_of,
                account_number=loan.account_number,
                lease_payoff=loan.payoff_amount,
            )
        except PayoffError as exc:
            raise CliError(str(exc)) from exc
        name = loan.borrower_name
    fields = {
        "loan_account": mask(account),
        "as_of": quote.as_of.isoformat(),
        "principal": str(quote.principal),
        "interest": str(quote.interest),
        "fees": str(quote.fees),
        "payoff": str(quote.total),
        "per_diem": str(quote.per_diem),
        "good_through": quote.good_through.isoformat(),
        "payoff_good_through": str(quote.total_good_through),
    }
    if args.json:
        print(json.dumps(fields))
        return 0
    print(f"Payoff quote for loan {mask(account)} ({name}) as of {fields['as_of']}")
    rows = [
        ("Principal", quote.principal),
        (f"Interest accrued to {fields['as_of']}", quote.interest),
        ("Fees due", quote.fees),
        (f"Payoff as of {fields['as_of']}", quote.total),
        ("Per-diem interest", quote.per_diem),
        (f"Payoff good through {fields['good_through']}", quote.total_good_through),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  ${value:>12,}")
    print(
        f"A check for ${quote.total_good_through:,} received by {fields['good_through']} pays the"
        " loan off; what it pays beyond the payoff on the day received is refunded."
    )
    return 0


# --- run ---------------------------------------------------------------------------------------

# The guardian process (lockbox.guardian); referenced for the life of the command, because the
# pipe it watches closes when this object is collected.
_GUARDIAN: subprocess.Popen[bytes] | None = None


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from flows.nightly import ArchiveError, BatchesFailedError, RunLockedError, nightly_lockbox_run
    from flows.reading import DaskUnavailableError, read_early, stop_early_reading
    from lockbox.db import one_line
    from lockbox.inbox import InboxError, discover_batches
    from reconciliation.summary import render_text, summary_from_json

    inbox = Path(args.inbox).resolve()
    if not inbox.is_dir():
        raise CliError(
            f"inbox {inbox} is not a folder; pass --inbox with the scanner's output folder"
        )
    as_of = args.as_of.isoformat() if args.as_of else None
    global _GUARDIAN
    _GUARDIAN = _GUARDIAN or start_guardian()  # the run's helpers end with it, even on kill -9
    try:
        if not settings.dask_address:  # the OCR starts while Prefect's server does
            read_early([(p, b.relative(p)) for b in discover_batches(inbox) for p in b.files])
        result = nightly_lockbox_run(inbox=str(inbox), as_of=as_of)
    except (InboxError, RunLockedError, DatabaseError, DaskUnavailableError) as exc:
        raise CliError(str(exc)) from exc
    except BatchesFailedError as exc:
        raise CliError(f"the run did not finish: {exc}") from exc
    except ArchiveError as exc:
        raise CliError(f"the run stopped before finishing: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - the run could not complete: say so, exit non-zero
        raise CliError(
            f"the run stopped before finishing ({type(exc).__name__}: {one_line(exc)})."
            " Nothing is lost: fix the cause and run the same command again; items already"
            " recorded are kept."
        ) from exc
    finally:
        stop_early_reading()
    summary = summary_from_json(result)
    print(render_text(summary))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from flows.deployments import serve

    if not os.environ.get("PREFECT_API_URL"):
        raise CliError(
            "lockbox serve needs a Prefect server: set PREFECT_API_URL (for example"
            " http://127.0.0.1:4200/api after `prefect server start`), or run `make ui`"
        )
    inbox = Path(args.inbox).resolve()
    if not inbox.is_dir():
        raise CliError(
            f"inbox {inbox} is not a folder; pass --inbox with the scanner's output folder"
        )
    print(
        f"Serving nightly-lockbox-run/nightly ({args.cron}, {args.timezone}) and"
        f" review-exceptions/review on {os.environ['PREFECT_API_URL']}; Ctrl-C stops."
    )
    global _GUARDIAN
    _GUARDIAN = _GUARDIAN or start_guardian()  # the flow runs it starts end with it
    serve(str(inbox), cron=args.cron, timezone=args.timezone)
    return 0


# --- read --------------------------------------------------------------------------------------


def _reading_json(reading: Any, unmasked: bool) -> dict[str, Any]:
    """One page as the CONTRACT's JSON object; account and routing masked unless asked."""
    show = (lambda s: s) if unmasked else (lambda s: mask(s) if s else s)
    micr = reading.micr
    amount = reading.amount
    loan_account = reading.loan_account
    fields = {
        "micr": micr.confidence if micr else 0.0,
        "courtesy_amount": reading.courtesy_amount.confidence,
        "legal_amount": reading.legal_amount.confidence,
        "date": reading.date.confidence,
        "loan_account": loan_account.confidence,
        "payer": reading.payer.confidence,
    }
    found = [c for c in fields.values() if c > 0]
    fields["check_number"] = reading.check_number.confidence
    micr_text = micr.text if micr else None
    if micr_text and not unmasked and micr is not None:
        micr_text = masked_micr(micr_text, micr.serial)
    return {
        "source_file": reading.source_file,
        "page": reading.page,
        "kind": reading.kind.value,
        "micr_line": micr_text,
        "routing": show(micr.routing) if micr and micr.routing else None,
        "account": show(micr.account) if micr and micr.account else None,
        "serial": micr.serial if micr else None,
        "courtesy_amount": _s(reading.courtesy_amount.value),
        "legal_amount": _s(reading.legal_amount.value),
        "amount": _s(amount.value),
        "date": reading.date.value.isoformat() if reading.date.value else None,
        "loan_account": show(loan_account.value) if loan_account.value else None,
        "coupon_amount": _s(reading.coupon_amount.value),
        "payer": reading.payer.value,
        "check_number": reading.check_number.value,
        "confidence": round(min(found), 3) if found else 0.0,
        "confidences": {k: round(v, 3) for k, v in fields.items()},
    }


def masked_micr(text: str, serial: str | None) -> str:
    """The MICR line with every long number masked to its last 4, the check serial and amount aside.

    Masking what the parser took for routing and account is not enough: a dash (D) or an unsure
    character (?) inside the account, or a misparsed field, would leave the full number on screen.
    """

    def hide(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) <= 4 or (serial and run.lstrip("0") == serial.lstrip("0")):
            return run
        return mask(run)

    parts = re.split(r"(A[0-9?]+A)", text)  # the amount field (A0000012345A) is not an account
    return "".join(
        part if part.startswith("A") and part.endswith("A") else _LONG_NUMBER.sub(hide, part)
        for part in parts
    )


_LONG_NUMBER = re.compile(r"[0-9?](?:[0-9?D]*[0-9?])?")


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _cash_letter_readings(path: Path, page: int | None) -> list[PageReading]:
    """One reading per check of an image cash letter (page = its place in the file): its front
    image read as a scan is, its MICR fields the bank's record, as `lockbox run` takes them."""
    from lockbox.x9 import read_x9
    from ocr import PageReading, cash_letter_check_pages, parse_micr, read_page

    readings = []
    for item in read_x9(path).items:
        if page is not None and item.sequence != page:
            continue
        pages, front_problem, _ = cash_letter_check_pages(item.front_image, None, str(path))
        if front_problem is None:
            reading = read_page(pages[0])
        else:
            reading = PageReading(source_file=str(path), page=item.sequence)
            reading.warnings.append(front_problem)
        reading.page = item.sequence
        reading.micr = parse_micr(item.code_line, 1.0)
        reading.warnings.extend(item.problems)
        readings.append(reading)
    return readings


def cmd_read(args: argparse.Namespace, settings: Settings) -> int:
    from lockbox.inbox import X9_SUFFIXES
    from ocr import read_path_pages

    status = 0
    for name in args.files:
        path = Path(name)
        try:
            if path.suffix.lower() in X9_SUFFIXES:
                readings = _cash_letter_readings(path, args.page)
            else:
                readings = read_path_pages(path, page=args.page, source_file=str(path))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            print(f"{path}: cannot read ({exc})", file=sys.stderr)
            status = 1
            continue
        for reading in readings:
            obj = _reading_json(reading, args.unmasked)
            if args.json:
                print(json.dumps(obj))
            else:
                print(f"{obj['source_file']} page {obj['page']} ({obj['kind']})")
                conf = obj["confidences"]
                for key in (
                    "micr_line",
                    "routing",
                    "account",
                    "serial",
                    "courtesy_amount",
                    "legal_amount",
                    "amount",
                    "date",
                    "loan_account",
                    "payer",
                    "check_number",
                ):
                    c = conf.get(key) or conf.get(key.replace("micr_line", "micr")) or ""
                    c_text = f"  ({c:.0%})" if isinstance(c, float) else ""
                    print(f"  {key:<16}{obj[key] if obj[key] is not None else '-'}{c_text}")
    return status


# --- export ------------------------------------------------------------------------------------


_DAY_EXPORTS = ("bai", "postings")  # the exports of one day, which take --date


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from lockbox import exports
    from lockbox.bai import BaiError
    from lockbox.outputs import OutputError

    if args.what in _DAY_EXPORTS and args.date is None:
        raise CliError(f"export {args.what} needs --date YYYY-MM-DD, the day to export")
    if args.what not in _DAY_EXPORTS and args.date is not None:
        raise CliError(f"export {args.what} writes every day; --date is for export bai or postings")
    if args.unmasked and args.what != "bai":
        raise CliError("--unmasked is for export bai only")
    out = Path(args.out)
    db = _db(settings)
    with db.session() as session:
        try:
            if args.what == "bai":
                deposit = exports.export_bai(
                    session, args.date, out, unmasked=args.unmasked, force=args.force
                )
                print(
                    f"Wrote {deposit.count} checks (${deposit.total:,}) received"
                    f" {args.date.isoformat()} in {len(deposit.lockboxes)} lockboxes to {out}."
                )
                return 0
            if args.what == "postings":
                count = exports.export_postings(session, args.date, out, force=args.force)
            else:
                writer = {
                    "items": exports.export_items,
                    "ledger": exports.export_ledger,
                    "loans": exports.export_loans,
                }[args.what]
                count = writer(session, out, force=args.force)
        except (OutputError, BaiError) as exc:
            raise CliError(str(exc)) from exc
    print(f"Wrote {count} rows to {out}.")
    return 0


def cmd_return(args: argparse.Namespace, settings: Settings) -> int:
    from lockbox.models import Item
    from lockbox.reversals import ReversalError, reverse_payment

    db = _db(settings)
    try:
        with db.session() as session:
            item = session.get(Item, args.item_id)
            if item is None:
                raise CliError(f"there is no item {args.item_id}; see `lockbox export items`")
            reverse_payment(
                session,
                item=item,
                business_date=business_today(),
                reason=args.reason,
                by=_actor(args.by),
            )
            print(f"Item {item.id} returned unpaid: the payment is reversed and the loan restored.")
    except ReversalError as exc:
        raise CliError(str(exc)) from exc
    return 0


# --- report ------------------------------------------------------------------------------------


def cmd_report_daily(args: argparse.Namespace, settings: Settings) -> int:
    from lockbox.outputs import OutputError
    from reconciliation.reports import describe_deposits, write_daily_report

    db = _db(settings)
    with db.session() as session:
        try:
            report = write_daily_report(
                session, args.date, Path(args.out), unmasked=args.unmasked, force=args.force
            )
        except OutputError as exc:
            raise CliError(str(exc)) from exc
    for line in describe_deposits(report.deposits) or [f"No batches for {args.date}."]:
        print(line)
    print(f"Wrote {report.remittance} and {report.html}.")
    return 0 if all(d.balanced for d in report.deposits.values()) else 1


# --- review ------------------------------------------------------------------------------------


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


def cmd_review_list(args: argparse.Namespace, settings: Settings) -> int:
    from reconciliation.review import Queue, open_exceptions

    queue = Queue(
        site=args.site,
        batch=args.batch,
        codes=tuple(c.upper() for c in args.code),
        order="largest" if args.largest_first else "oldest",
    )
    db = _db(settings)
    with db.session() as session:
        rows = open_exceptions(session, queue)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "item_id": r.item_id,
                        "site": r.site,
                        "batch": r.batch,
                        "source_file": r.source_file,
                        "page": r.page,
                        "exception_code": r.exception_code,
                        "amount": _s(r.amount),
                        "loan_account": mask(r.loan_account) if r.loan_account else None,
                        "payer": r.payer,
                        "business_date": r.business_date.isoformat(),
                        "reason": r.message,
                        "candidates": [mask(c.account_number) for c in r.candidates],
                        "crops": r.crops,
                        "views": r.views,
                        "duplicate_of": r.earlier.item_id if r.earlier else None,
                    }
                    for r in rows
                ],
                indent=1,
            )
        )
        return 0
    if not rows:
        print("No open exceptions.")
        return 0
    print(
        f"{'item':>6}  {'site':<10} {'batch':<18} {'file':<28} {'pg':>3}  {'code':<18} {'amount':>11}"
        f"  {'account':<14} payer"
    )
    for r in rows:
        amount = f"{r.amount:,.2f}" if r.amount is not None else "-"
        print(
            f"{r.item_id:>6}  {r.site:<10} {r.batch[:18]:<18} {r.source_file[-28:]:<28} {r.page:>3}"
            f"  {r.exception_code:<18} {amount:>11}  {mask(r.loan_account) or '-':<14}"
            f" {r.payer or '-'}"
        )
        if r.earlier is not None:
            e = r.earlier
            amount = f"{e.amount:,.2f}" if e.amount is not None else "-"
            print(
                f"{'':>8}copy of item {e.item_id}: {e.source_file} page {e.page},"
                f" {e.status}, {amount}, {mask(e.loan_account) or '-'}"
            )
        for c in r.candidates:
            print(
                f"{'':>8}candidate {mask(c.account_number)}: {c.borrower}, {c.status},"
                f" payment {c.monthly_payment:,.2f} ({', '.join(c.why)})"
            )
        for name, path in {**r.crops, **r.views}.items():
            print(f"{'':>8}{name} image: {path}")
    print(
        f"{len(rows)} open exception(s). Decide with `lockbox review resolve ITEM --loan ACCOUNT"
        " --amount X.XX` or `lockbox review reject ITEM --reason TEXT`."
    )
    return 0


def cmd_review_resolve(args: argparse.Namespace, settings: Settings) -> int:
    from reconciliation.review import ReviewError, resolve

    db = _db(settings)
    try:
        with db.session() as session:
            item = resolve(
                session,
                args.item_id,
                loan_account=args.loan,
                amount=args.amount,
                by=_actor(args.by),
                note=args.note,
                business_date=business_today(),
                not_duplicate=args.not_duplicate,
            )
            print(f"Item {item.id} posted {item.amount:,.2f} to loan {mask(args.loan)}.")
    except ReviewError as exc:
        raise CliError(str(exc)) from exc
    return 0


def cmd_review_reject(args: argparse.Namespace, settings: Settings) -> int:
    from reconciliation.review import ReviewError, reject

    db = _db(settings)
    try:
        with db.session() as session:
            item = reject(
                session,
                args.item_id,
                reason=args.reason,
                by=_actor(args.by),
                business_date=business_today(),
            )
            print(f"Item {item.id} rejected: it will not post (status returned).")
    except ReviewError as exc:
        raise CliError(str(exc)) from exc
    return 0


def cmd_review_hold(args: argparse.Namespace, settings: Settings) -> int:
    from reconciliation.review import ReviewError, hold

    db = _db(settings)
    try:
        with db.session() as session:
            item = hold(session, args.item_id, by=_actor(args.by), note=args.note)
            print(f"Item {item.id} held for later (still open).")
    except ReviewError as exc:
        raise CliError(str(exc)) from exc
    return 0


# --- parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lockbox", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens to each item")
    sub = p.add_subparsers(dest="command", required=True)

    loans = sub.add_parser("loans", help="the loan book").add_subparsers(
        dest="loans_cmd", required=True
    )
    li = loans.add_parser("import", help="import or update loans from a CSV file")
    li.add_argument("file")
    li.set_defaults(func=cmd_loans_import)
    ls = loans.add_parser("show", help="a loan's statement: balances, payments, fees, audit trail")
    ls.add_argument("account")
    ls.set_defaults(func=cmd_loans_show)
    lp = loans.add_parser("payoff", help="a payoff quote: principal, interest, fees, per-diem")
    lp.add_argument("account")
    lp.add_argument(
        "--date", type=_date_arg, help="quote as of YYYY-MM-DD (default today, Chicago)"
    )
    lp.add_argument("--json", action="store_true", help="one JSON object")
    lp.set_defaults(func=cmd_loans_payoff)

    run = sub.add_parser("run", help="run the nightly flow once over every new batch in the inbox")
    run.add_argument("--inbox", required=True)
    run.add_argument(
        "--as-of", type=_date_arg, help="business date YYYY-MM-DD (default today, Chicago)"
    )
    run.set_defaults(func=cmd_run)

    sv = sub.add_parser("serve", help="serve the nightly schedule and the review flow to Prefect")
    sv.add_argument("--inbox", required=True)
    sv.add_argument(
        "--cron", default="0 2 * * *", help="when the nightly run starts (default 2 a.m.)"
    )
    sv.add_argument("--timezone", default="America/Chicago")
    sv.set_defaults(func=cmd_serve)

    rd = sub.add_parser("read", help="read scans without touching the database")
    rd.add_argument("files", nargs="+")
    rd.add_argument("--page", type=int)
    rd.add_argument("--json", action="store_true", help="JSON Lines, one object per page")
    rd.add_argument("--unmasked", action="store_true", help="show full account and routing numbers")
    rd.set_defaults(func=cmd_read)

    ex = sub.add_parser(
        "export",
        help="write items, ledger, loans or a day's postings as CSV, or a day's deposits as BAI",
    )
    ex.add_argument("what", choices=["items", "ledger", "loans", "postings", "bai"])
    ex.add_argument("--out", required=True)
    ex.add_argument(
        "--date",
        type=_date_arg,
        help="postings: the business date they were posted; bai: the day the checks were received",
    )
    ex.add_argument(
        "--unmasked",
        action="store_true",
        help="bai: full routing, bank account and loan account numbers (masked to the last 4)",
    )
    ex.add_argument(
        "--force", action="store_true", help="replace --out even when it is not an earlier export"
    )
    ex.set_defaults(func=cmd_export)

    rt = sub.add_parser("return", help="a posted check came back unpaid (NSF): reverse it")
    rt.add_argument("item_id", type=int)
    rt.add_argument("--reason", required=True, help="for example 'NSF' or 'account closed'")
    rt.add_argument("--by")
    rt.set_defaults(func=cmd_return)

    rp = sub.add_parser("report", help="daily remittance and reconciliation report")
    rps = rp.add_subparsers(dest="report_cmd", required=True)
    rd_ = rps.add_parser("daily", help="remittance CSV and HTML report for one business date")
    rd_.add_argument("--date", type=_date_arg, default=business_today())
    rd_.add_argument("--out", required=True, help="folder to write the files into")
    rd_.add_argument(
        "--unmasked", action="store_true", help="full loan account numbers in the remittance CSV"
    )
    rd_.add_argument("--force", action="store_true", help="replace files that are not reports")
    rd_.set_defaults(func=cmd_report_daily)

    rv = sub.add_parser("review", help="work the exceptions").add_subparsers(
        dest="review_cmd", required=True
    )
    rl = rv.add_parser("list", help="open exceptions, oldest first")
    rl.add_argument("--json", action="store_true")
    rl.add_argument("--site", default="", help="only this site's")
    rl.add_argument("--batch", default="", help="only this batch's")
    rl.add_argument(
        "--code", action="append", default=[], help="only items held for this code (repeatable)"
    )
    rl.add_argument("--largest-first", action="store_true", help="the largest amounts first")
    rl.set_defaults(func=cmd_review_list)
    rr = rv.add_parser("resolve", help="post an exception to a loan")
    rr.add_argument("item_id", type=int)
    rr.add_argument("--loan", required=True)
    rr.add_argument("--amount", required=True, type=_money_arg)
    rr.add_argument("--by")
    rr.add_argument("--note")
    rr.add_argument(
        "--not-duplicate",
        action="store_true",
        help="the item and the check it was held as a copy of are two different checks",
    )
    rr.set_defaults(func=cmd_review_resolve)
    rj = rv.add_parser("reject", help="the item will not post (returned)")
    rj.add_argument("item_id", type=int)
    rj.add_argument("--reason", required=True)
    rj.add_argument("--by")
    rj.set_defaults(func=cmd_review_reject)
    rh = rv.add_parser("hold", help="leave the item open for later, with a note (audited)")
    rh.add_argument("item_id", type=int)
    rh.add_argument("--note")
    rh.add_argument("--by")
    rh.set_defaults(func=cmd_review_hold)
    return p


def _quiet_prefect(verbose: bool) -> None:
    """Keep the terminal for the summary: Prefect's INFO logs still reach its API and UI."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Without a Prefect server the run starts a temporary one; on a busy machine (OCR of another
    # run, a model being trained) it can take longer than Prefect's 20 s to answer, and a nightly
    # run must not fail for that.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "ERROR")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    # A service manager stops the run with SIGTERM: end as Ctrl-C does, so the run's lock, its OCR
    # processes and Prefect's temporary server are let go instead of left running.
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _not_prefect(record: logging.LogRecord) -> bool:
    return not record.name.startswith("prefect")


def _log_to_terminal(level: int) -> None:
    """Lockbox's records on the terminal at `level`, through the console handler Prefect put on
    the root logger or one of our own; handlers someone else added (a log collector) are left as
    they are."""
    root = logging.getLogger()
    before = list(root.handlers)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if handler in before and type(handler).__name__ != "PrefectConsoleHandler":
            continue
        handler.setLevel(level)  # records propagated from Prefect's loggers skip the root's level
        # Prefect prints its own records on its console handler; don't print them twice.
        if _not_prefect not in handler.filters:
            handler.addFilter(_not_prefect)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_prefect(args.verbose)
    _log_to_terminal(logging.INFO if args.verbose else logging.WARNING)
    try:
        settings = load_settings()
        return int(args.func(args, settings) or 0)
    except (CliError, ConfigError, DatabaseError) as exc:
        print(f"lockbox: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lockbox: interrupted; run the same command again to finish", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
