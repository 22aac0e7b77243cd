"""No full loan, bank-account or routing number in anything a person or a log collector sees.

A demo-like run over generated mail, then every screen a clerk uses (run, review list in text and
JSON, loans show, read without --unmasked), the Prefect run-summary artifact and the flow's logs in
Prefect, and every log record the Python loggers emit, are searched for the full numbers from the
loan book and the truth file. Exports are data files for other systems and are not searched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest


def secrets_of(mail: Any) -> set[str]:
    """Every full number that must never be shown: loan accounts, routing and bank accounts."""
    numbers = set(mail.loan_accounts())
    for t in mail.truth:
        numbers |= {n for n in (t.routing, t.bank_account) if n}
    return {n for n in numbers if len(n) > 4}


class Records(logging.Handler):
    """Every record from every logger, Prefect's own (which do not propagate to the root) too."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def all_logs() -> Iterator[Records]:
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()  # now, so Prefect's own set-up cannot drop the handler added below
    records = Records()
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(records)
        lg.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(records)
            lg.setLevel(level)


def prefect_run_texts(since_flow_runs: set[str]) -> list[str]:
    """The run-summary artifacts and the flow-run logs stored in Prefect by runs after `since`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        LogFilter,
        LogFilterFlowRunId,
    )

    texts: list[str] = []
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["lockbox-run-summary"]))
        )
        ours = [a for a in artifacts if str(a.flow_run_id) not in since_flow_runs]
        assert ours, "the run wrote no lockbox-run-summary artifact"
        texts += [str(a.data) for a in ours]
        run_ids = [a.flow_run_id for a in ours if a.flow_run_id]
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=run_ids)))
        assert logs, "the flow wrote no logs to Prefect"
        texts += [log.message for log in logs]
    return texts


def known_flow_runs() -> set[str]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return {str(a.flow_run_id) for a in client.read_artifacts()}


@pytest.fixture(scope="module")
def shown(mail10: Any, lockbox_at: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("shown")
    with lockbox_at(root / "home") as lb, all_logs() as records:
        return look_at_everything(mail10, lb, root, records)


def look_at_everything(mail10: Any, lb: Any, root: Any, records: Records) -> Any:
    before = known_flow_runs()
    inbox = root / "inbox"
    for t in mail10.truth:
        mail10.copy(t, inbox / t.source_file)
    screens: dict[str, str] = {}

    def use(name: str, *args: str) -> Any:
        result = lb(*args)
        screens[name] = result.out + result.err
        return result

    assert use("import", "loans", "import", str(mail10.loans_csv)).code == 0
    assert use("run", "-v", "run", "--inbox", str(inbox), "--as-of", "2026-11-17").code == 0
    assert use("review list", "review", "list").code == 0
    use("report daily", "report", "daily", "--date", "2026-11-17", "--out", str(root / "reports"))
    review = use("review list --json", "review", "list", "--json")
    for t in mail10.truth:
        if t.loan_account:
            use(f"loans show {t.source_file}", "loans", "show", t.loan_account)
    checks = mail10.good_checks()[:2]
    files = [str(inbox / t.source_file) for t in checks]
    assert use("read --json", "read", "--json", files[0]).code == 0
    assert use("read", "read", files[1]).code == 0
    unmasked = lb("read", "--json", "--unmasked", files[0])
    # A clerk's decision prints the loan too.
    open_items = json.loads(review.out)
    if open_items and checks[0].loan_account:
        use(
            "review resolve",
            "review",
            "resolve",
            str(open_items[0]["item_id"]),
            "--loan",
            checks[0].loan_account,
            "--amount",
            "10.00",
            "--by",
            "pat",
        )
    return SimpleNamespace(
        home=lb.home,
        reports=root / "reports",
        screens=screens,
        logs=list(records.messages),
        prefect=prefect_run_texts(before),
        unmasked=unmasked.out,
        secrets=secrets_of(mail10),
        checks=checks,
    )


def leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s[-4:].rjust(len(s), "*") for s in secrets if s in text)


def test_no_full_number_on_any_screen_log_or_artifact(shown: Any) -> None:
    assert len(shown.secrets) > 20
    assert any("held for review" in m for m in shown.logs)  # the flow's records were captured
    assert any("held for review" in m for m in shown.prefect)  # and Prefect's stored logs read
    for name, text in shown.screens.items():
        assert not leaks(text, shown.secrets), (
            f"`lockbox {name}` shows {leaks(text, shown.secrets)}"
        )
    for message in shown.logs:
        assert not leaks(message, shown.secrets), f"a log record shows a full number: {message}"
    for text in shown.prefect:
        assert not leaks(text, shown.secrets), f"Prefect stores a full number: {text[:200]}"


def test_screens_still_show_the_last_four_digits(shown: Any) -> None:
    """Masked, not dropped: the clerk can still tell accounts apart."""
    read = shown.screens["read --json"]
    for line in read.splitlines():
        obj = json.loads(line)
        for key in ("routing", "account"):
            if obj[key]:
                assert obj[key].startswith("*") and obj[key][-4:].isdigit()


def test_read_unmasked_shows_the_numbers_when_asked(shown: Any) -> None:
    """The one place full numbers are allowed: `lockbox read --unmasked`, asked for by name."""
    found = [json.loads(line) for line in shown.unmasked.splitlines()]
    assert found[0]["routing"] == shown.checks[0].routing


@pytest.mark.parametrize(
    ("line", "serial", "masked"),
    [
        ("T111302820T 5436648034U 3435", "3435", "T*****2820T ******8034U 3435"),
        # an unsure character and a dash inside the account: still masked whole
        ("T11130?820T 543D6648034U 3435", "3435", "T*****?820T *******8034U 3435"),
        # serial first, then the account (personal checks)
        ("T103187419T 5570 830605738U", "5570", "T*****7419T 5570 *****5738U"),
        # the encoded amount field is not an account
        (
            "T111302820T 5436648034U 3435 A0000012345A",
            "3435",
            "T*****2820T ******8034U 3435 A0000012345A",
        ),
    ],
)
def test_micr_line_on_screen_is_masked_however_it_was_read(
    line: str, serial: str, masked: str
) -> None:
    from lockbox.cli import masked_micr

    assert masked_micr(line, serial) == masked


def test_no_full_number_in_any_file_a_run_leaves(shown: Any) -> None:
    """Issue 23: 'a grep of everything a run writes outside the database (archive, crops,
    reports, ...) finds no full account or routing number unless --unmasked asked for it'."""
    files = [
        p
        for folder in (shown.home, shown.reports)
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith("lockbox.db")
    ]
    assert any(p.name.startswith("remittance-") for p in files)
    assert any("crops" in p.parts for p in files) and any("archive" in p.parts for p in files)
    for path in files:
        data = path.read_bytes()
        found = [s[-4:] for s in shown.secrets if s.encode() in data]
        assert not found, f"{path.name} holds full numbers ending {found}"
