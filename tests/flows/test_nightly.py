"""The nightly run end to end through the CLI, as a back-office user drives it."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from lockbox.cli import main as lockbox

ITEM_COLUMNS = {
    "site",
    "batch",
    "source_file",
    "page",
    "status",
    "loan_account",
    "amount",
    "exception_code",
    "confidence",
    "item_id",
    "reviewed_by",
}
LEDGER_COLUMNS = {
    "entry_id",
    "business_date",
    "loan_account",
    "item_id",
    "gl_account",
    "debit",
    "credit",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def ran(small_mail: Path, tmp_path_factory: pytest.TempPathFactory):
    """One run of the small mail for the whole module (the tests only look, except the last).

    The review test, last in the file, decides two items; the tests before it see the run as it was.
    """
    root = tmp_path_factory.mktemp("nightly")
    inbox = root / "inbox"
    shutil.copytree(small_mail / "inbox", inbox)
    truth = json.loads((small_mail / "truth.json").read_text())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCKBOX_HOME", str(root / "home"))
        mp.delenv("LOCKBOX_DATABASE_URL", raising=False)
        assert lockbox(["loans", "import", str(small_mail / "loans.csv")]) == 0
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert lockbox(["run", "--inbox", str(inbox), "--as-of", truth["as_of"]]) == 0
        yield inbox, truth, out.getvalue(), small_mail


def test_run_posts_clean_items_and_holds_every_planted_exception(ran, tmp_path: Path) -> None:
    inbox, truth, out, _ = ran
    assert "dallas" in out and "posted" in out
    assert lockbox(["export", "items", "--out", str(tmp_path / "items.csv")]) == 0
    rows = read_csv(tmp_path / "items.csv")
    assert set(rows[0]) >= ITEM_COLUMNS
    got = {(r["source_file"], int(r["page"])): r for r in rows}
    assert len(got) == len(truth["items"])  # every item recorded, none lost
    posted_right = should_post = 0
    for t in truth["items"]:
        row = got[(t["source_file"], int(t["page"]))]
        if t["expected_status"] == "posted":
            should_post += 1
            if row["status"] == "posted":
                # never a wrong posting
                assert (row["loan_account"], row["amount"]) == (t["loan_account"], t["amount"])
                posted_right += 1
        else:
            assert row["status"] == "exception", f"planted {t['expected_codes']} was posted"
            assert row["exception_code"]
    assert posted_right >= should_post // 2, "most clean items should post straight through"


def test_ledger_balances_and_cash_matches_posted_items(ran, tmp_path: Path) -> None:
    assert lockbox(["export", "ledger", "--out", str(tmp_path / "ledger.csv")]) == 0
    assert lockbox(["export", "items", "--out", str(tmp_path / "items.csv")]) == 0
    lines = read_csv(tmp_path / "ledger.csv")
    assert set(lines[0]) >= LEDGER_COLUMNS
    per_entry: dict[str, Decimal] = defaultdict(Decimal)
    cash_by_item: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        per_entry[line["entry_id"]] += Decimal(line["debit"] or "0") - Decimal(
            line["credit"] or "0"
        )
        if line["gl_account"] == "cash" and line["item_id"]:
            cash_by_item[line["item_id"]] += Decimal(line["debit"] or "0")
    assert all(v == 0 for v in per_entry.values())
    for item in read_csv(tmp_path / "items.csv"):
        if item["status"] == "posted":
            assert cash_by_item[item["item_id"]] == Decimal(item["amount"])


def test_the_summary_counts_every_late_fee_the_run_charged(ran, tmp_path: Path) -> None:
    """Fees charged as late payments posted, and the nightly pass's, are all in the summary."""
    _, _, out, _ = ran
    assert lockbox(["export", "loans", "--out", str(tmp_path / "loans.csv")]) == 0
    charged = [Decimal(r["late_fees_assessed"]) for r in read_csv(tmp_path / "loans.csv")]
    total = sum(charged, Decimal("0"))
    count_line = next(line for line in out.splitlines() if "Late fees assessed" in line)
    assert f"(${total:,.2f})" in count_line


def test_running_again_posts_nothing_twice(ran, tmp_path: Path, capsys) -> None:
    inbox, truth, _, _ = ran
    lockbox(["export", "ledger", "--out", str(tmp_path / "before.csv")])
    assert lockbox(["run", "--inbox", str(inbox), "--as-of", truth["as_of"]]) == 0
    assert "already processed" in capsys.readouterr().out
    lockbox(["export", "ledger", "--out", str(tmp_path / "after.csv")])
    assert read_csv(tmp_path / "before.csv") == read_csv(tmp_path / "after.csv")


def test_review_list_resolve_and_reject(ran, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert lockbox(["review", "list", "--json"]) == 0
    open_items = json.loads(capsys.readouterr().out)
    assert open_items and {
        "item_id",
        "site",
        "batch",
        "source_file",
        "page",
        "exception_code",
        "amount",
    } <= set(open_items[0])
    first, second = open_items[0], open_items[1]
    # a held check keeps the images of the fields in doubt under LOCKBOX_HOME
    crops = [path for item in open_items for path in (item.get("crops") or {}).values()]
    home = ran[0].parent / "home"
    assert crops and all(Path(p).is_file() and Path(p).is_relative_to(home) for p in crops)
    assert all(Path(p).read_bytes().startswith(b"\x89PNG") for p in crops)
    # and a view of every page of it, as a JPEG: a check's front at least
    views = [item.get("views") or {} for item in open_items]
    assert all(
        v and all(Path(p).read_bytes()[:2] == b"\xff\xd8" for p in v.values()) for v in views
    )
    assert any("front" in v for v in views)
    # a queue: one site's items, one code's
    site, code = first["site"], first["exception_code"]
    assert lockbox(["review", "list", "--json", "--site", site, "--code", code]) == 0
    queue = json.loads(capsys.readouterr().out)
    assert first["item_id"] in {q["item_id"] for q in queue}
    assert all(q["site"] == site and q["exception_code"] == code for q in queue)
    # a hold keeps it open, recorded
    assert (
        lockbox(["review", "hold", str(first["item_id"]), "--note", "calling", "--by", "sam"]) == 0
    )
    capsys.readouterr()
    # an unknown loan is refused with a message and a non-zero exit
    assert (
        lockbox(
            [
                "review",
                "resolve",
                str(first["item_id"]),
                "--loan",
                "0000000000",
                "--amount",
                "10.00",
            ]
        )
        != 0
    )
    assert "no loan" in capsys.readouterr().err
    loans = read_csv(ran[3] / "loans.csv")
    account = next(r["account_number"] for r in loans if r["status"] == "active")
    assert (
        lockbox(
            [
                "review",
                "resolve",
                str(first["item_id"]),
                "--loan",
                account,
                "--amount",
                "100.00",
                "--by",
                "pat",
            ]
        )
        == 0
    )
    assert (
        lockbox(["review", "reject", str(second["item_id"]), "--reason", "letter", "--by", "pat"])
        == 0
    )
    # deciding it again is refused
    assert lockbox(["review", "reject", str(second["item_id"]), "--reason", "again"]) != 0
    lockbox(["export", "items", "--out", str(tmp_path / "items.csv")])
    rows = {r["item_id"]: r for r in read_csv(tmp_path / "items.csv")}
    assert rows[str(first["item_id"])]["status"] == "posted"
    assert rows[str(first["item_id"])]["reviewed_by"] == "pat"
    assert rows[str(first["item_id"])]["decided_at"]
    assert rows[str(second["item_id"])]["status"] == "returned"
    assert rows[str(second["item_id"])]["review_note"] == "letter"


def test_run_leaves_summary_and_progress_artifacts_for_the_ui(ran) -> None:
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterId,
    )

    inbox = str(ran[0])
    accounts = [r["account_number"] for r in read_csv(ran[3] / "loans.csv")]

    async def versions(key: str) -> list[str]:
        """This module's runs' artifacts (other tests' runs share the session's backend)."""
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=["nightly-lockbox-run"]))
            )
            ours = [r.id for r in runs if r.parameters.get("inbox") == inbox]
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ours)),
            )
            return [str(a.data) for a in found]

    # the first run's summary (a rerun that finds nothing new leaves a later, empty one)
    summaries = asyncio.run(versions("lockbox-run-summary"))
    assert any("| dallas |" in s and "exceptions by code" in s for s in summaries)
    sites = asyncio.run(versions("lockbox-run-sites"))
    assert any('"site": "dallas"' in t or "'site': 'dallas'" in t for t in sites), sites
    held = asyncio.run(versions("lockbox-run-exceptions"))
    assert held and all(acct not in t for t in held for acct in accounts)
    progress = asyncio.run(versions("lockbox-run-progress"))
    assert progress and all(float(p) == 100.0 for p in progress)
