"""Throughput: items per second of `lockbox run` against a plain full-page tesseract pass, and scaling.

Ours is the real command, `lockbox run`, as a child process over freshly generated mail (start-up,
archive, OCR, matching, posting and the summary included), scored with the pipeline bench's helpers
so the accuracy of the fields that decide a posting is beside the speed. The baseline, timed in the
same run on the same mail, is what a naive reader does: decode each page and run one full-page
`tesseract` pass over it (pytesseract.image_to_string); it reads text but decides nothing, so it has
no accuracy to show. Both use two OCR processes (LOCKBOX_OCR_WORKERS=2 for ours), so the ratio is
per core whatever the machine. Peak RSS is the whole process tree (the run, its OCR workers and, in
ephemeral mode, Prefect's temporary server, shown apart), sampled every 0.1 s with psutil.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.pipeline import Outcome, fresh_home, generate_mail, load_truth, score_home
from benchmarks.table import render_table

GIB = 1024**3
MEMORY_LIMIT = 1.5 * GIB  # a 2,000-item run must stay under this (run + OCR workers)
TARGET_RATIO = 4.0
BASELINE_PROCESSES = 2
SCAN_SUFFIXES = {".tif", ".tiff", ".png", ".jpg", ".jpeg", ".pdf"}


@dataclass
class Measured:
    """One timed run: how long, how many items, how much memory at the peak."""

    items: int
    seconds: float
    peak_rss: int  # bytes, the run's process tree without Prefect's temporary server
    peak_rss_all: int  # bytes, everything the command started
    outcome: Outcome | None = None

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


class TreeMemory:
    """Samples the summed RSS of a process and all its descendants until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1):
        import psutil

        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_all = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            ours = every = 0
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    with_server = _is_prefect_server(proc)
                    rss = proc.memory_info().rss
                    every += rss
                    ours += 0 if with_server else rss
            except psutil.Error:
                pass  # a worker ended between listing and reading: the next sample has it right
            self.peak, self.peak_all = max(self.peak, ours), max(self.peak_all, every)
            self._stop.wait(self.interval)


def _is_prefect_server(proc: Any) -> bool:
    """Prefect's temporary API server (ephemeral mode): not lockbox's memory, shown apart."""
    try:
        cmdline = " ".join(proc.cmdline())
    except Exception:  # noqa: BLE001 - a process that is gone counts as not the server
        return False
    return "uvicorn" in cmdline or "prefect.server" in cmdline or "server start" in cmdline


def _lockbox(home: Path, *args: str, workers: int | None) -> subprocess.Popen[bytes]:
    """`lockbox ARGS` as its own process, with LOCKBOX_HOME set (and the OCR workers, when given)."""
    env = {k: v for k, v in os.environ.items() if k != "LOCKBOX_DATABASE_URL"}
    env["LOCKBOX_HOME"] = str(home)
    if workers:
        env["LOCKBOX_OCR_WORKERS"] = str(workers)
    return subprocess.Popen(
        [sys.executable, "-m", "lockbox.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def run_ours(sample: Path, home: Path, workers: int | None = None) -> Measured:
    """`lockbox loans import` (not timed), then `lockbox run` timed and measured; scored after."""
    truth = load_truth(sample)
    importing = _lockbox(home, "loans", "import", str(sample / "loans.csv"), workers=workers)
    _, err = importing.communicate()
    if importing.returncode != 0:
        raise RuntimeError(f"lockbox loans import failed: {err.decode(errors='replace')}")
    start = time.perf_counter()
    proc = _lockbox(
        home, "run", "--inbox", str(sample / "inbox"), "--as-of", truth["as_of"], workers=workers
    )
    with TreeMemory(proc.pid) as memory:
        _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"lockbox run failed: {err.decode(errors='replace')}")
    outcome = score_home(home, truth, seconds)
    return Measured(len(truth["items"]), seconds, memory.peak, memory.peak_all, outcome)


def full_page_text(path: Path) -> int:
    """The baseline's work on one file: decode every page, one full-page tesseract pass each."""
    import pytesseract

    from ocr import load_pages

    chars = 0
    for page in load_pages(path, path.name):
        chars += len(pytesseract.image_to_string(page.image))
    return chars


def run_baseline(inbox: Path, items: int) -> Measured:
    """Full-page tesseract over every page of every scan, BASELINE_PROCESSES files at a time."""
    files = sorted(p for p in inbox.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES)
    start = time.perf_counter()
    with (
        ProcessPoolExecutor(max_workers=BASELINE_PROCESSES) as pool,
        TreeMemory(os.getpid()) as memory,
    ):
        list(pool.map(full_page_text, files))
    seconds = time.perf_counter() - start
    return Measured(items, seconds, memory.peak, memory.peak_all)


def _pct(outcome: Outcome | None, label: str) -> str:
    if outcome is None or label not in outcome.fields or not outcome.fields[label].total:
        return "-"
    f = outcome.fields[label]
    return f"{100 * f.exact / f.total:.1f}%"


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.0f} MiB"


def comparison_table(ours: Measured, baseline: Measured) -> str:
    """Items per second for both, the ratio, and our accuracy on the fields that decide a posting."""
    ratio = ours.rate / baseline.rate if baseline.rate else 0.0
    o = ours.outcome
    rows = [
        [
            "lockbox run (ours)",
            ours.items,
            f"{ours.seconds:.1f}",
            f"{ours.rate:.3f}",
            f"{ratio:.2f}x",
            _pct(o, "courtesy amount"),
            _pct(o, "legal amount"),
            _pct(o, "MICR routing"),
            _pct(o, "on-us account"),
            o.wrong if o else "-",
        ],
        [
            f"full-page tesseract ({BASELINE_PROCESSES} processes)",
            baseline.items,
            f"{baseline.seconds:.1f}",
            f"{baseline.rate:.3f}",
            "1.00x",
            "-",
            "-",
            "-",
            "-",
            "-",
        ],
    ]
    table = render_table(
        [
            "reader",
            "items",
            "seconds",
            "items/s",
            "vs baseline",
            "courtesy exact",
            "legal exact",
            "MICR routing exact",
            "on-us exact",
            "wrong postings",
        ],
        rows,
    )
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    return f"{table}\n\nratio {ratio:.2f}x {verdict} the {TARGET_RATIO:.0f}x target"


def scaling_table(results: list[Measured]) -> str:
    """Seconds per item (should stay flat) and peak RSS (should not grow with the run) per size."""
    rows = [
        [
            r.items,
            f"{r.seconds:.1f}",
            f"{r.seconds / max(1, r.items):.2f}",
            _mib(r.peak_rss),
            _mib(r.peak_rss_all),
            "ok" if r.peak_rss < MEMORY_LIMIT else "OVER 1.5 GiB",
        ]
        for r in results
    ]
    return render_table(
        [
            "items",
            "seconds",
            "s/item",
            "peak RSS (run + OCR workers)",
            "with Prefect's temporary server",
            "under 1.5 GiB",
        ],
        rows,
    )


def run(items: int, sizes: list[int], seed: int, workdir: Path) -> str:
    """The comparison on `items` fresh items, then the scaling table over `sizes`; tables as text."""
    workdir.mkdir(parents=True, exist_ok=True)
    sample = generate_mail(items, seed, workdir)
    baseline = run_baseline(sample / "inbox", len(load_truth(sample)["items"]))
    ours = run_ours(sample, fresh_home(workdir, f"throughput-{items}"), BASELINE_PROCESSES)
    parts = [comparison_table(ours, baseline)]
    scaled: list[Measured] = []
    for size in sizes:
        mail = sample if size == items else generate_mail(size, seed, workdir)
        scaled.append(
            ours
            if size == items
            else run_ours(mail, fresh_home(workdir, f"throughput-{size}"), BASELINE_PROCESSES)
        )
    if scaled:
        parts.append(scaling_table(scaled))
    return "\n\n".join(parts)
