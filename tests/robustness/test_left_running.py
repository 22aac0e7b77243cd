"""Nothing left running (issue 23): 'child processes end when the run ends however it ends ... and
exit within a few seconds of a kill -9; a test proves it'."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")


def _descendants(root: int) -> set[int]:
    found: set[int] = set()
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    kids = [int(c) for c in fh.read().split()]
                found.update(kids)
                todo += kids
        except OSError:
            continue
    return found


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")[:100]
    except OSError:
        return "?"


def test_a_killed_run_leaves_no_process_behind(mail10: Any, lb: Any) -> None:
    assert lb("loans", "import", str(mail10.loans_csv)).code == 0
    run = lb.spawn(
        "run", "--inbox", str(mail10.inbox), "--as-of", "2026-11-17", LOCKBOX_OCR_WORKERS="2"
    )
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        seen |= _descendants(run.pid)
        workers = [p for p in seen if "multiprocessing" in _command(p) and _running(p)]
        if len(workers) >= 2:
            break
        time.sleep(0.2)
    assert run.poll() is None, "the run ended before its OCR workers were seen"
    run.send_signal(signal.SIGKILL)
    run.wait()
    gone_by = time.monotonic() + 10
    while time.monotonic() < gone_by and any(_running(p) for p in seen):
        time.sleep(0.2)
    left = {p: _command(p) for p in seen if _running(p)}
    assert not left, f"still running 10 s after kill -9: {left}"
    assert sys.platform.startswith("linux")
