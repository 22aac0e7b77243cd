"""Scale-out: with LOCKBOX_DASK_ADDRESS set, the OCR runs on that Dask cluster and posts the same."""

from __future__ import annotations

import asyncio
import csv
import math
import os
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from flows.reading import MAX_CHUNK_FILES, chunk_size
from lockbox.cli import main as lockbox

distributed = pytest.importorskip("distributed")

AS_OF = "2026-11-17"


@pytest.fixture(scope="module")
def mail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few fresh items in three batches (a seed of this test's own)."""
    from sample_data.generate import generate

    out = tmp_path_factory.mktemp("dask-mail")
    generate(out, seed=8101, items=6, as_of=date.fromisoformat(AS_OF))
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two single-thread Dask workers, reached over TCP as a real scheduler would be."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        dashboard_address=None,
    ) as local:
        yield local.scheduler_address


def run_and_export(mail: Path, home: Path, dask_address: str | None) -> list[dict[str, str]]:
    """One nightly run over the mail into its own LOCKBOX_HOME; the items export, by file and page."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LOCKBOX_HOME", str(home))
        mp.delenv("LOCKBOX_DATABASE_URL", raising=False)
        if dask_address:
            mp.setenv("LOCKBOX_DASK_ADDRESS", dask_address)
        else:
            mp.delenv("LOCKBOX_DASK_ADDRESS", raising=False)
        assert lockbox(["loans", "import", str(mail / "loans.csv")]) == 0
        assert lockbox(["run", "--inbox", str(mail / "inbox"), "--as-of", AS_OF]) == 0
        assert lockbox(["export", "items", "--out", str(home / "items.csv")]) == 0
    with (home / "items.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return sorted(rows, key=lambda r: (r["source_file"], int(r["page"])))


async def read_task_run_names() -> list[str]:
    """The names of the newest nightly run's OCR task runs (`read SITE/BATCH part N of M`)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        TaskRunFilter,
        TaskRunFilterName,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    async with get_client() as client:
        [newest] = await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["nightly-lockbox-run"])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
        runs = await client.read_task_runs(
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="read ")),
        )
        return [r.name for r in runs if r.flow_run_id == newest.id]


def test_ocr_on_a_dask_cluster_posts_what_a_local_run_posts(
    mail: Path, cluster: str, tmp_path: Path
) -> None:
    local = run_and_export(mail, tmp_path / "local", None)
    on_dask = run_and_export(mail, tmp_path / "dask", cluster)
    ignore = {"item_id"}  # ids are the database's own
    assert [{k: v for k, v in r.items() if k not in ignore} for r in on_dask] == [
        {k: v for k, v in r.items() if k not in ignore} for r in local
    ]
    assert any(r["status"] == "posted" for r in on_dask)
    # one task run per chunk of a batch, as many as the chunking says (not one per item)
    names = asyncio.run(read_task_run_names())
    per_batch = Counter(name.split(" part ")[0].removeprefix("read ") for name in names)
    files = Counter(
        "/".join(p.relative_to(mail / "inbox").parts[:2])
        for p in (mail / "inbox").rglob("*")
        if p.is_file() and p.name != "batch.json"
    )
    assert per_batch == {b: math.ceil(n / chunk_size(n, threads=2)) for b, n in files.items()}


def test_big_batches_are_read_in_chunks_not_file_by_file() -> None:
    assert chunk_size(2000, threads=8) == MAX_CHUNK_FILES  # 125 task runs, not 2,000
    assert chunk_size(40, threads=8) == 3  # every thread busy, twice over
    assert chunk_size(3, threads=8) == 1


def test_an_unreachable_scheduler_stops_the_run_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    monkeypatch.setattr("flows.reading.DASK_CONNECT_TIMEOUT", "2s")
    monkeypatch.setenv("LOCKBOX_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOCKBOX_DATABASE_URL", raising=False)
    monkeypatch.setenv("LOCKBOX_DASK_ADDRESS", f"tcp://127.0.0.1:{port}")
    (tmp_path / "inbox" / "dallas" / "B1").mkdir(parents=True)
    (tmp_path / "inbox" / "dallas" / "B1" / "item-0001.tif").write_bytes(b"not read")
    assert lockbox(["run", "--inbox", str(tmp_path / "inbox"), "--as-of", AS_OF]) != 0
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1, message
    assert f"LOCKBOX_DASK_ADDRESS=tcp://127.0.0.1:{port}" in message
    assert "unset LOCKBOX_DASK_ADDRESS" in message and "run the same command again" in message


def test_a_malformed_dask_address_is_refused_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOCKBOX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCKBOX_DASK_ADDRESS", "dask-scheduler 8786")
    (tmp_path / "inbox").mkdir()
    assert lockbox(["run", "--inbox", str(tmp_path / "inbox")]) != 0
    assert "LOCKBOX_DASK_ADDRESS='dask-scheduler 8786'" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "home" / "lockbox.db")  # nothing was touched
