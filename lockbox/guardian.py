"""Nothing left running: when a run ends however it ends (kill -9 included), its helpers end too.

A run starts OCR worker processes, multiprocessing's resource tracker and, in Prefect's ephemeral
mode, a temporary API server; a killed parent cannot stop them, and each keeps memory and CPU. So
the run starts one small guardian first: it holds the read end of a pipe whose write end only the
run holds. The run puts a token in its environment, which every process it starts inherits (a
process started a moment before a kill included, however deep). When the pipe closes (the run
exited, or was killed) the guardian sends each process carrying the token SIGTERM, then SIGKILL
after a grace period. Linux only (it reads /proc); elsewhere no guardian starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

GRACE_SECONDS = 3

TOKEN_VARIABLE = "LOCKBOX_RUN_TOKEN"

_GUARDIAN = r"""
import os, select, signal, sys, time

token = ("LOCKBOX_RUN_TOKEN=" + sys.argv[1]).encode()
grace = int(sys.argv[2])

def carriers():
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:
                if token in fh.read().split(b"\0"):
                    found.append(int(name))
        except OSError:
            pass
    return found

def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

while True:
    ready, _, _ = select.select([0], [], [], 60.0)
    if ready and not os.read(0, 1):
        break
left = carriers()
for pid in left:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
deadline = time.monotonic() + grace
while time.monotonic() < deadline and any(alive(pid) for pid in left):
    time.sleep(0.1)
for pid in carriers():
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""


def start_guardian() -> subprocess.Popen[bytes] | None:
    """Start the guardian for this process (see the module docstring); None where there is no
    /proc. Keep the returned process referenced: its stdin is the pipe that must stay open."""
    if not Path(f"/proc/{os.getpid()}/environ").is_file():
        return None
    # A new token each time: a run started by a process that carries one (a test, another run)
    # must not take that process's other children for its own.
    token = os.environ[TOKEN_VARIABLE] = uuid.uuid4().hex
    return subprocess.Popen(
        [sys.executable, "-c", _GUARDIAN, token, str(GRACE_SECONDS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C to the run's terminal must not stop it first
        close_fds=True,
    )
