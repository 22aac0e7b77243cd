"""The inbox is a boundary, and nothing in it is lost silently (issue 23).

One `lockbox run` over an inbox a careless operator or an attacker prepared: links out of the inbox
(to a file holding a secret, and a whole batch folder that is a link elsewhere), a link to nothing,
a link loop, a link to a folder, a folder a hundred levels deep, a 0-byte batch ticket, a PDF of
2,000 pages, a TIFF whose pages decode to gigabytes, beside good checks. On SQLite and on
PostgreSQL: the run completes, the good checks post, each bad entry is an exception item that names
it, every page is an item or named, and nothing outside the inbox is read or copied into LOCKBOX_HOME.
(The memory each file may take is measured in tests/ocr/test_pages.py and test_pdfguard.py.)
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.crafted import tiff_bomb, write_pdf
from tests.postgres import BACKENDS, postgres_schema

BATCH = "dallas/2026-11-17-HOSTILE"
SECRET = "TOP-SECRET-7731 do not copy"

# entry in BATCH -> a phrase its exception message must carry
REFUSED = {
    "passwd.tif": "outside the inbox",
    "gone.tif": "does not exist",
    "loop.tif": "loops back",
    "elsewhere": "outside the inbox",
    "same-batch-folder": "link to a folder",
    "bomb.tif": "megapixels",
}
PDF_PAGES = 2000


def blank_pdf(path: Path, pages: int) -> None:
    """A PDF of `pages` blank one-inch pages (an MFP that scanned a whole day into one file)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
    ]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>"] * pages
    write_pdf(path, objs)


@pytest.fixture(scope="module", params=BACKENDS)
def hostile(
    request: pytest.FixtureRequest,
    mail10: Any,
    lockbox_at: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    root = tmp_path_factory.mktemp("hostile")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    good = [g for g in mail10.good_checks() if g.kinds == ("check",)]
    mail10.copy(good[0], outside / "planted.tif")  # a real check, but not in the inbox

    inbox = root / "inbox"
    batch = inbox / BATCH
    batch.mkdir(parents=True)
    goods = {f"{BATCH}/0001.tif": good[1]}
    mail10.copy(good[1], inbox / f"{BATCH}/0001.tif")
    deep = batch.joinpath(*[f"d{i}" for i in range(100)])
    mail10.copy(good[2], deep / "0002.tif")
    goods[(deep / "0002.tif").relative_to(inbox).as_posix()] = good[2]
    (batch / "passwd.tif").symlink_to(outside / "secret.txt")
    (batch / "gone.tif").symlink_to(root / "no-such-file.tif")
    (batch / "loop.tif").symlink_to(batch / "loop.tif")
    (batch / "elsewhere").symlink_to(outside, target_is_directory=True)
    (batch / "same-batch-folder").symlink_to(deep, target_is_directory=True)
    (batch / "batch.json").write_bytes(b"")
    blank_pdf(batch / "day.pdf", PDF_PAGES)
    tiff_bomb(batch / "bomb.tif", 50, 10_000, 10_000)
    (inbox / "richardson").mkdir()
    (inbox / "richardson" / "2026-11-17-LINKED").symlink_to(outside, target_is_directory=True)

    home = root / "home"
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_schema()) if request.param == "postgres" else None
        lb = stack.enter_context(lockbox_at(home, url))
        assert lb("loans", "import", str(mail10.loans_csv)).code == 0
        run = lb.run_inbox(inbox)
        items = lb.items()
        # The next night: a processed scan was replaced by another under the same name.
        mail10.copy(mail10.good_checks()[3], inbox / f"{BATCH}/0001.tif")
        again = lb.run_inbox(inbox)
    return SimpleNamespace(run=run, again=again, items=items, goods=goods, mail=mail10, home=home)


def test_the_run_completes_and_good_checks_post(hostile: Any) -> None:
    """Every good check is read (posted right, or held when the reader is unsure), and the
    checks among the links post."""
    assert hostile.run.code == 0, hostile.run.err
    posted = [
        hostile.mail.check_good(hostile.items[(rel, 1)], truth)
        for rel, truth in hostile.goods.items()
    ]
    assert any(posted)


@pytest.mark.parametrize("name", list(REFUSED))
def test_each_refused_entry_is_an_exception_that_names_it(hostile: Any, name: str) -> None:
    row = hostile.items[(f"{BATCH}/{name}", 1)]
    assert row["status"] == "exception" and row["exception_code"] == "UNREADABLE_FILE"
    assert name in row["exception_message"] and REFUSED[name] in row["exception_message"]


def test_a_batch_folder_linked_out_of_the_inbox_is_named_and_not_read(hostile: Any) -> None:
    row = hostile.items[("richardson/2026-11-17-LINKED/", 1)]
    assert row["exception_code"] == "UNREADABLE_FILE"
    assert "outside the inbox" in row["exception_message"]
    assert not any(
        source.startswith("richardson/2026-11-17-LINKED/p") for source, _ in hostile.items
    )


def test_nothing_outside_the_inbox_is_copied_into_the_home(hostile: Any) -> None:
    for path in Path(hostile.home).rglob("*"):
        if path.is_file() and path.suffix != ".db":
            assert SECRET.encode() not in path.read_bytes(), path
    archived = {p.name for p in (Path(hostile.home) / "archive").rglob("*") if p.is_file()}
    assert "passwd.tif" not in archived and "planted.tif" not in archived


def test_a_scan_replaced_after_processing_is_named(hostile: Any) -> None:
    assert hostile.again.code == 0, hostile.again.err
    out = hostile.again.out
    assert "1 file(s) replaced after the batch was processed are NOT processed" in out
    assert f"{BATCH}/0001.tif" in out


def test_every_page_of_a_2000_page_pdf_is_an_item_or_named(hostile: Any) -> None:
    """'Every page of every file becomes an item or an exception with a code': the pages up to
    the per-file limit are items, the rest one exception naming them."""
    pages = {
        page: row for (source, page), row in hostile.items.items() if source == f"{BATCH}/day.pdf"
    }
    read = [p for p, row in pages.items() if row["exception_code"] != "UNREADABLE_FILE"]
    assert sorted(read) == list(range(1, len(read) + 1)) and len(read) >= 1
    (rest,) = [row for row in pages.values() if row["exception_code"] == "UNREADABLE_FILE"]
    assert (
        f"pages {len(read) + 1} to {PDF_PAGES} of {PDF_PAGES} were not read"
        in rest["exception_message"]
    )
