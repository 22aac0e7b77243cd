"""Read a batch's files with OCR: on this machine's cores, or on a Dask cluster; never raises for a bad file.

Without LOCKBOX_DASK_ADDRESS the files are read by a pool of local OCR processes (LOCKBOX_OCR_WORKERS,
default one per core), started once per run. With it, the files go to that Dask scheduler in chunks,
one Prefect task run per chunk (prefect-dask's DaskTaskRunner): a task run per item would load the
Prefect server more than the OCR costs. Either way the Captures come back in input order, one file at
a time, as soon as each is read, with only a few files in flight.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, closing, contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from prefect import task
from prefect.cache_policies import NONE

from flows.capture import read_one
from lockbox.capture import Capture

Key = tuple[Path, str]  # (path to read, source_file as recorded: relative to the inbox)
FileList = list[Key]


class Reader(Protocol):
    """Reads a batch's files (and a label for the task runs): each file's Captures, in input order."""

    def __call__(self, files: FileList, label: str) -> Generator[list[Capture], None, None]: ...

    def read_ahead(self, files: FileList) -> None:
        """The files the run will ask for next, in order: a reader may start on them early."""


FILES_IN_FLIGHT_PER_WORKER = 2  # enough queued to keep each OCR process busy, no more
# Before the run takes the early reader over, nothing claims its reads to make room for more, and
# Prefect's temporary server takes some seconds to start: this many files each, queued at once.
EARLY_FILES_PER_WORKER = 12
MAX_CHUNK_FILES = 16  # at most this many files per Dask task run
CHUNKS_PER_THREAD = 2  # enough chunks in flight to keep every Dask worker thread busy
DASK_CONNECT_TIMEOUT = "20s"


class DaskUnavailableError(RuntimeError):
    """The Dask scheduler named by LOCKBOX_DASK_ADDRESS cannot be reached or has no workers."""


def worker_count() -> int:
    """Local OCR processes: LOCKBOX_OCR_WORKERS when set, else one per core."""
    configured = os.environ.get("LOCKBOX_OCR_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, os.cpu_count() or 1)


class LocalReader:
    """The local Reader: one pool of OCR processes for the whole run, started on first use.

    The processes are spawned, not forked: a fork copies whatever threads the run's process holds
    (Prefect's, OpenCV's) in whatever state their locks are, and a forked OCR worker can hang on one
    for ever. With one worker, files are read in this process.

    The run tells the reader which files it will ask for, in order (`read_ahead`): a worker that
    finishes a batch's last file goes on to the next batch's first while the run records, closes
    and opens batches, instead of waiting for it.
    """

    def __init__(self, workers: int):
        self.workers = workers
        self.window = workers * FILES_IN_FLIGHT_PER_WORKER
        self._pool: ProcessPoolExecutor | None = None
        self._plan: deque[Key] = deque()  # files planned and not yet asked for, in order
        self._planned: set[Key] = set()
        self._ahead: dict[Key, Future[list[Capture]]] = {}  # planned files already being read

    def read_ahead(self, files: FileList) -> None:
        """The files the run will ask for next, in order (replacing any earlier plan): each is read
        as soon as a worker is free. A planned file the run never asks for costs one read."""
        if self.workers == 1:
            return
        self._plan = deque(files)
        self._planned = set(self._plan)
        for key in [k for k in self._ahead if k not in self._planned]:
            self._ahead.pop(key).cancel()
        self._top_up(0)

    @property
    def reading_ahead(self) -> list[str]:
        """The planned files being read (or read) before the run asked for them."""
        return [rel for _, rel in self._ahead]

    def __call__(self, files: FileList, label: str) -> Generator[list[Capture], None, None]:
        if self.workers == 1:
            for path, rel in files:
                yield read_one(path, rel)
            return
        queue: deque[Key] = deque(files)
        pending: deque[Future[list[Capture]]] = deque()
        try:
            while queue or pending:
                while queue and len(pending) < self.window:
                    pending.append(self._claim(queue.popleft()))
                future = pending.popleft()
                self._top_up(len(pending))
                yield future.result()
        except BrokenProcessPool:
            self.close()  # an OCR process died (killed, out of memory): the next batch starts anew
            raise
        finally:
            for future in pending:  # recording stopped part-way: don't read the rest
                future.cancel()

    def _claim(self, key: Key) -> Future[list[Capture]]:
        """The read of one file the run asks for: the one already under way, or a new one. Planned
        files before it that the run skipped are dropped from the plan."""
        if key in self._planned:
            while self._plan:
                skipped = self._plan.popleft()
                self._planned.discard(skipped)
                if skipped == key:
                    break
                if (unwanted := self._ahead.pop(skipped, None)) is not None:
                    unwanted.cancel()
        future = self._ahead.pop(key, None)
        return future if future is not None else self._started().submit(read_one, *key)

    def _top_up(self, busy: int) -> None:
        """Start reading planned files while fewer than `window` reads are under way."""
        for key in islice(self._plan, self.window):
            if busy + len(self._ahead) >= self.window:
                return
            if key not in self._ahead:
                self._ahead[key] = self._started().submit(read_one, *key)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def close(self) -> None:
        """Stop the OCR processes (at the end of the run)."""
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def iter_read_files(
    files: FileList, workers: int | None = None
) -> Generator[list[Capture], None, None]:
    """Each file's Captures in input order, as soon as that file is read (in parallel processes)."""
    with closing(LocalReader(workers or worker_count())) as reader:
        yield from reader(files, "")


def read_files(files: FileList, workers: int | None = None) -> list[Capture]:
    """Read files in parallel processes, keeping the input order."""
    return [c for chunk in iter_read_files(files, workers) for c in chunk]


class InProcessReader:
    """Read in this process, one file after another (what a batch task uses without a run's reader)."""

    def __call__(self, files: FileList, label: str) -> Generator[list[Capture], None, None]:
        for path, rel in files:
            yield read_one(path, rel)

    def read_ahead(self, files: FileList) -> None:
        """Nothing to start early: every file is read when asked for."""


read_local = InProcessReader()


@task(
    name="read-scans",
    task_run_name="read {label}",
    cache_policy=NONE,
    persist_result=False,
)
def read_chunk(files: list[tuple[str, str]], label: str) -> list[list[Capture]]:
    """One Dask task run: read a few files one after another on whichever worker takes it."""
    return [read_one(Path(path), rel) for path, rel in files]


def chunk_size(files: int, threads: int) -> int:
    """Files per task run: enough chunks for every worker thread, never more than MAX_CHUNK_FILES."""
    wanted_chunks = max(1, threads * CHUNKS_PER_THREAD)
    return max(1, min(MAX_CHUNK_FILES, math.ceil(files / wanted_chunks)))


class DaskReader:
    """The Dask Reader: chunks of a batch as Prefect task runs on the cluster, results in order.

    At most `window` chunks are in flight, so a failure part-way wastes little work and the
    scheduler never holds a whole night's readings.
    """

    def __init__(self, runner: Any, threads: int):
        self.runner = runner
        self.threads = threads
        self.window = max(2, threads * CHUNKS_PER_THREAD)

    def __call__(self, files: FileList, label: str) -> Generator[list[Capture], None, None]:
        size = chunk_size(len(files), self.threads)
        chunks = [files[i : i + size] for i in range(0, len(files), size)]
        pending: deque[Any] = deque()
        try:
            for n, chunk in enumerate(chunks):
                pending.append(self._submit(chunk, f"{label} part {n + 1} of {len(chunks)}"))
                if len(pending) >= self.window:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:  # recording stopped part-way: don't read the rest
                future.wrapped_future.cancel()

    def read_ahead(self, files: FileList) -> None:
        """Nothing: the cluster is sent a batch's chunks when the batch is processed."""

    def _submit(self, chunk: FileList, label: str) -> Any:
        parameters = {"files": [(str(path), rel) for path, rel in chunk], "label": label}
        return self.runner.submit(read_chunk, parameters=parameters)


@contextmanager
def dask_reader(address: str) -> Iterator[Reader]:
    """Connect to the Dask scheduler at `address` for the whole run; fail at once if it is not there."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise DaskUnavailableError(
            "LOCKBOX_DASK_ADDRESS is set but prefect-dask is not installed here: install the"
            " `dask` extra (pip install -e '.[dask]'), or unset LOCKBOX_DASK_ADDRESS"
        ) from exc

    runner = DaskTaskRunner(address=address, client_kwargs={"timeout": DASK_CONNECT_TIMEOUT})
    with runner:
        try:
            threads = sum(runner.client.nthreads().values())
        except OSError as exc:
            raise DaskUnavailableError(
                f"could not reach the Dask scheduler at LOCKBOX_DASK_ADDRESS={address} ({exc});"
                " start the scheduler and its workers (`dask scheduler`, `dask worker ADDRESS`), or"
                " unset LOCKBOX_DASK_ADDRESS to read on this machine, then run the same command again"
            ) from exc
        if threads == 0:
            raise DaskUnavailableError(
                f"the Dask scheduler at {address} has no workers; start some with"
                f" `dask worker {address}` on machines that can read the inbox, then run again"
            )
        yield DaskReader(runner, threads)


_early: LocalReader | None = None  # the OCR processes `read_early` started, until a run takes them


def read_early(files: FileList) -> None:
    """Start this machine's OCR processes on `files` now, before the run: `lockbox run` starts
    Prefect's temporary server first, which takes seconds the OCR need not wait for. The run that
    follows in this process takes the processes and their reads over (`local_reader`)."""
    global _early
    if _early is None:
        _early = LocalReader(worker_count())
        _early.window = _early.workers * EARLY_FILES_PER_WORKER
    _early.read_ahead(files)


def stop_early_reading() -> None:
    """Stop what `read_early` started if no run took it over (the run could not start)."""
    global _early
    if _early is not None:
        _early.close()
        _early = None


@contextmanager
def local_reader(workers: int | None = None) -> Iterator[Reader]:
    """This machine's OCR processes for the whole run (those `read_early` started, when it was
    called), stopped when it ends."""
    global _early
    wanted = workers or worker_count()
    early, _early = _early, None
    if early is not None and early.workers != wanted:
        early.close()
        early = None
    if early is not None:
        early.window = wanted * FILES_IN_FLIGHT_PER_WORKER  # the run claims its reads from now on
    with closing(early or LocalReader(wanted)) as reader:
        yield reader


def open_reader(dask_address: str | None) -> AbstractContextManager[Reader]:
    """The Reader for this run: Dask when an address is configured, else local processes."""
    return dask_reader(dask_address) if dask_address else local_reader()
