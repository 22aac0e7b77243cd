"""The run's local OCR reader: results in order, and the next batch read while this one records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.reading import (
    FILES_IN_FLIGHT_PER_WORKER,
    FileList,
    LocalReader,
    local_reader,
    read_early,
    stop_early_reading,
)


@pytest.fixture
def reader() -> Iterator[LocalReader]:
    found = LocalReader(workers=2)
    yield found
    found.close()


def _batch(tmp_path: Path, name: str, count: int) -> FileList:
    """Files that fail to decode: read in milliseconds, each still an item named for its file."""
    files: FileList = []
    for n in range(count):
        path = tmp_path / name / f"item-{n}.tif"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not a scan")
        files.append((path, f"{name}/item-{n}.tif"))
    return files


def _read(reader: LocalReader, files: FileList) -> list[str]:
    return [c.source_file for chunk in reader(files, "test") for c in chunk]


def test_reads_the_next_batch_while_this_one_is_recorded(
    reader: LocalReader, tmp_path: Path
) -> None:
    first, second = _batch(tmp_path, "b1", 5), _batch(tmp_path, "b2", 5)
    reader.read_ahead(first + second)
    assert _read(reader, first) == [rel for _, rel in first]
    assert reader.reading_ahead == [rel for _, rel in second[: reader.window]]
    assert _read(reader, second) == [rel for _, rel in second]
    assert reader.reading_ahead == []


def test_a_planned_batch_the_run_skips_is_not_returned(reader: LocalReader, tmp_path: Path) -> None:
    first, done, third = (_batch(tmp_path, name, 3) for name in ("b1", "b2", "b3"))
    reader.read_ahead(first + done + third)
    assert _read(reader, first) == [rel for _, rel in first]
    assert _read(reader, third) == [rel for _, rel in third]
    unplanned = _batch(tmp_path, "late", 2)
    assert _read(reader, unplanned) == [rel for _, rel in unplanned]
    assert reader.reading_ahead == []


def test_every_item_of_an_unreadable_file_is_kept(reader: LocalReader, tmp_path: Path) -> None:
    files = _batch(tmp_path, "b1", 3)
    reader.read_ahead(files)
    captures = [c for chunk in reader(files, "test") for c in chunk]
    assert [c.unreadable_reason is not None for c in captures] == [True, True, True]


def test_a_run_takes_over_the_reads_started_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lockbox run` starts reading while Prefect's server starts; the run reads on from there."""
    monkeypatch.setenv("LOCKBOX_OCR_WORKERS", "2")
    files = _batch(tmp_path, "b1", 12)
    read_early(files)
    try:
        with local_reader(2) as reader:
            assert isinstance(reader, LocalReader)
            # nothing claims reads while the server starts: more than the run's window was queued
            assert reader.reading_ahead == [rel for _, rel in files]
            assert reader.window == 2 * FILES_IN_FLIGHT_PER_WORKER < len(files)
            assert _read(reader, files) == [rel for _, rel in files]
    finally:
        stop_early_reading()
    with local_reader(2) as fresh:  # taken once: the next run starts its own
        assert isinstance(fresh, LocalReader) and fresh.reading_ahead == []
