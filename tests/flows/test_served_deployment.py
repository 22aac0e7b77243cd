"""The nightly deployment on a real Prefect server, as operations runs it.

A `prefect server start` of its own (free port on 127.0.0.1, PREFECT_HOME in tmp), `lockbox serve`
serving the deployments against it, a run triggered with `run_deployment`, and the run's summary and
progress artifacts read back through the Prefect client, as the UI shows them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lockbox.cli import main as lockbox

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample"
BATCH = "richardson/2026-11-17-R01"  # two files, three items: one to post, two to hold
AS_OF = "2026-11-17"
DEPLOYMENT = "nightly-lockbox-run/nightly"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Any, timeout: float, what: str, proc: subprocess.Popen[bytes]) -> None:
    """Poll `check` until true; fail with the process's log when it exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {proc.returncode}")
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}: not ready after {timeout:.0f} s")


def healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Ctrl-C the process group we started (the server's and the runner's children too)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment operations sets: a Prefect home of its own and a LOCKBOX_HOME."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "LOCKBOX_"))}
    return keep | {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "LOCKBOX_HOME": str(tmp_path / "home"),
        "LOCKBOX_OCR_WORKERS": "1",
    }


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A real Prefect server on a free port; its API URL."""
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
        + ["--port", str(port), "--no-ui", "--analytics-off"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_until(lambda: healthy(api), 60, "prefect server start", proc)
        yield api
    finally:
        stop(proc)
        log.close()


async def deployment_ready(name: str) -> bool:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    async with get_client() as client:
        try:
            await client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
        return True


async def artifacts_of(flow_run_id: Any) -> dict[str, list[Any]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
        )
    by_key: dict[str, list[Any]] = {}
    for artifact in found:
        by_key.setdefault(artifact.key or "", []).append(artifact.data)
    return by_key


def test_the_served_nightly_deployment_runs_and_leaves_its_artifacts(
    server: str, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE / "inbox" / BATCH, inbox / BATCH)
    monkeypatch.setenv("LOCKBOX_HOME", env["LOCKBOX_HOME"])
    monkeypatch.delenv("LOCKBOX_DATABASE_URL", raising=False)
    assert lockbox(["loans", "import", str(SAMPLE / "loans.csv")]) == 0

    log = (tmp_path / "serve.log").open("wb")
    serving = subprocess.Popen(
        [sys.executable, "-m", "lockbox.cli", "serve", "--inbox", str(inbox)],
        env=env | {"PREFECT_API_URL": server},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with temporary_settings(updates={PREFECT_API_URL: server}):
            wait_until(
                lambda: asyncio.run(deployment_ready(DEPLOYMENT)), 60, "lockbox serve", serving
            )
            flow_run = run_deployment(DEPLOYMENT, parameters={"as_of": AS_OF}, timeout=120)
            assert flow_run.state is not None and flow_run.state.is_completed(), (
                flow_run.state,
                (tmp_path / "serve.log").read_text(errors="replace")[-3000:],
            )
            artifacts = asyncio.run(artifacts_of(flow_run.id))
        # operations stops the service as systemd and container runtimes do: SIGTERM, then a
        # SIGKILL soon after (Docker's default: 10 s); it must be gone well before that, within
        # 2 s, having paused its schedules if the server answered in time
        started = time.monotonic()
        serving.send_signal(signal.SIGTERM)
        serving.wait(timeout=30)
        stopped_in = time.monotonic() - started
    finally:
        stop(serving)
        log.close()
    print("STOPPED IN", stopped_in)
    assert stopped_in <= 2.0, f"lockbox serve took {stopped_in:.1f} s to stop on SIGTERM"

    [summary] = artifacts["lockbox-run-summary"]
    assert "| richardson |" in summary and "exceptions by code" in summary
    assert "| richardson | 1 | 3 |" in summary.replace("  ", " ")  # one batch, three items
    [progress] = artifacts["lockbox-run-progress"]
    assert float(progress) == 100.0
