"""Take the screenshots in docs/review.md from a real local Prefect server, in headless Chromium.

    .venv/bin/pip install playwright          # not a project dependency: only this script needs it
    apt-get install chromium                  # Debian's; or set CHROMIUM to another browser binary
    .venv/bin/python docs/screenshots.py      # writes docs/images/*.png

A throw-away home: the sample loan book, `lockbox serve` on a copy of the sample inbox, the nightly
deployment run for the sample's business date, then the review deployment run on a queue and left
paused on its first item. Each page is opened as a clerk would and photographed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "sample"
IMAGES = ROOT / "docs" / "images"
AS_OF = "2026-11-17"
QUEUE = {"site": "", "codes": [], "order": "largest", "limit": 25}
WIDTH = 1440


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Any, what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except Exception:  # noqa: BLE001 - not up yet
            found = None
        if found:
            return found
        time.sleep(0.5)
    raise SystemExit(f"{what}: not ready after {timeout:.0f} s")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="lockbox-shots-"))
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "LOCKBOX_"))}
    env |= {
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "LOCKBOX_HOME": str(work / "home"),
    }
    os.environ.update(env | {"PREFECT_API_URL": api})
    shutil.copytree(SAMPLE / "inbox", work / "inbox")
    lockbox = [sys.executable, "-m", "lockbox.cli"]
    subprocess.run([*lockbox, "loans", "import", str(SAMPLE / "loans.csv")], env=env, check=True)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
            + ["--port", str(port), "--analytics-off"],
            env=env | {"PREFECT_UI_API_URL": api},
            stdout=(work / "server.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ]
    try:
        wait_for(lambda: urllib.request.urlopen(f"{api}/health", timeout=2).status == 200, "server")
        procs.append(
            subprocess.Popen(
                [*lockbox, "serve", "--inbox", str(work / "inbox")],
                env=env | {"PREFECT_API_URL": api},
                stdout=(work / "serve.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        shoot(f"http://127.0.0.1:{port}", work)
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                proc.wait(timeout=30)
    print(f"Screenshots in {IMAGES}; the run's files in {work}")


def shoot(ui: str, work: Path) -> None:
    from playwright.sync_api import sync_playwright
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    async def deployment_id(name: str) -> Any:
        async with get_client() as client:
            return (await client.read_deployment_by_name(name)).id

    async def summary_artifact(flow_run_id: Any) -> Any:
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["lockbox-run-summary"]))
            )
        return next((a.id for a in found if a.flow_run_id == flow_run_id), None)

    async def paused(flow_run_id: Any) -> bool:
        async with get_client() as client:
            run = await client.read_flow_run(flow_run_id)
        return bool(run.state and run.state.is_paused())

    wait_for(lambda: asyncio.run(deployment_id("review-exceptions/review")), "lockbox serve")
    nightly = run_deployment(
        "nightly-lockbox-run/nightly", parameters={"as_of": AS_OF}, timeout=900
    )
    assert nightly.state is not None and nightly.state.is_completed(), nightly.state
    artifact = wait_for(lambda: asyncio.run(summary_artifact(nightly.id)), "run summary")
    review_deployment = asyncio.run(deployment_id("review-exceptions/review"))
    review = run_deployment("review-exceptions/review", parameters=QUEUE, timeout=0)
    wait_for(lambda: asyncio.run(paused(review.id)), "review paused", timeout=300)

    IMAGES.mkdir(parents=True, exist_ok=True)
    executable = os.environ.get("CHROMIUM", shutil.which("chromium") or "")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable or None, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 1100}, color_scheme="light")

        page.set_viewport_size({"width": WIDTH, "height": 2200})
        page.goto(f"{ui}/artifacts/artifact/{artifact}")
        page.wait_for_selector("text=Batches and their deposits", timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(IMAGES / "run-summary.png"), full_page=True)

        page.set_viewport_size({"width": WIDTH, "height": 1100})
        page.goto(f"{ui}/deployments/deployment/{review_deployment}/run")
        page.wait_for_selector("text=order", timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(IMAGES / "review-queue.png"), full_page=True)

        page.goto(f"{ui}/runs/flow-run/{review.id}")
        page.get_by_role("button", name="Resume").first.click(timeout=60_000)
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Candidate loans").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        page.set_viewport_size({"width": WIDTH, "height": 2400})
        page.wait_for_timeout(800)
        dialog.screenshot(path=str(IMAGES / "review-item.png"))
        browser.close()


if __name__ == "__main__":
    main()
