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
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NONE

from flows.capture import read_one
from lockbox.capture import Capture

FileList = list[tuple[Path, str]]  # (path to read, source_file as recorded: relative to the inbox)
# Reads a batch's files (and a label for the task runs): each file's Captures, in input order.
Reader = Callable[[FileList, str], Generator[list[Capture], None, None]]

FILES_IN_FLIGHT_PER_WORKER = 2  # enough queued to keep each OCR process busy, no more
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
    """

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, files: FileList, label: str) -> Generator[list[Capture], None, None]:
        if self.workers == 1:
            for path, rel in files:
                yield read_one(path, rel)
            return
        pool = self._started()
        window = self.workers * FILES_IN_FLIGHT_PER_WORKER
        pending: deque[Future[list[Capture]]] = deque()
        try:
            for path, rel in files:
                pending.append(pool.submit(read_one, path, rel))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            self.close()  # an OCR process died (killed, out of memory): the next batch starts anew
            raise
        finally:
            for future in pending:  # recording stopped part-way: don't read the rest
                future.cancel()

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def close(self) -> None:
        """Stop the OCR processes (at the end of the run)."""
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


def read_local(files: FileList, label: str) -> Generator[list[Capture], None, None]:
    """Read in this process, one file after another (what a batch task uses without a run's reader)."""
    for path, rel in files:
        yield read_one(path, rel)


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


@contextmanager
def local_reader(workers: int | None = None) -> Iterator[Reader]:
    """This machine's OCR processes for the whole run, stopped when it ends."""
    with closing(LocalReader(workers or worker_count())) as reader:
        yield reader


def open_reader(dask_address: str | None) -> AbstractContextManager[Reader]:
    """The Reader for this run: Dask when an address is configured, else local processes."""
    return dask_reader(dask_address) if dask_address else local_reader()
