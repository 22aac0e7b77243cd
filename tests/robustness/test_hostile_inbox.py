"""The inbox is a boundary, and nothing in it is lost silently (issue 23).

One `lockbox run` over an inbox a careless operator or an attacker prepared: links out of the inbox
(to a file holding a secret, and a whole batch folder that is a link elsewhere), a link to nothing,
a link loop, a link to a folder, a folder a hundred levels deep, a 0-byte batch ticket, beside good
checks. The run completes, the good checks post, each bad entry is an exception item that names it,
and nothing outside the inbox is read or copied into LOCKBOX_HOME.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

BATCH = "dallas/2026-11-17-HOSTILE"
SECRET = "TOP-SECRET-7731 do not copy"

# entry in BATCH -> a phrase its exception message must carry
REFUSED = {
    "passwd.tif": "outside the inbox",
    "gone.tif": "does not exist",
    "loop.tif": "loops back",
    "elsewhere": "outside the inbox",
    "same-batch-folder": "link to a folder",
}


@pytest.fixture(scope="module")
def hostile(mail10: Any, lockbox_at: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
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
    (inbox / "richardson").mkdir()
    (inbox / "richardson" / "2026-11-17-LINKED").symlink_to(outside, target_is_directory=True)

    home = root / "home"
    with lockbox_at(home) as lb:
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
