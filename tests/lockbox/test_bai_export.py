"""`lockbox export bai`: a day's deposits as a BAI lockbox file that adds up and reads back, on
the mail of tests/lockbox/two_days.py, and the format on its own (random deposits round-trip)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockbox.bai import (
    RECORD_LENGTH,
    BaiError,
    BaiFile,
    BaiItem,
    BaiLockbox,
    bai_item,
    lockbox_batches,
    read_bai,
    render_bai,
)
from lockbox.cli import main as lockbox
from lockbox.db import Database
from lockbox.exports import bai_deposits, export_bai
from tests.lockbox.two_days import (
    DAY_ONE,
    DAY_TWO,
    JAMES,
    MARIA,
    ROUTING,
    RUN_ONE,
    Mail,
    decide,
    loans,
    record_both_runs,
    run_mail,
)

D = Decimal


@pytest.fixture
def mail(database: Database) -> Mail:
    return record_both_runs(database)


def amounts(lockbox: BaiLockbox) -> list[list[Decimal]]:
    return [[item.amount for item in batch.items] for batch in lockbox.batches]


def test_a_days_deposits_add_up_per_batch_lockbox_and_file(mail: Mail, tmp_path: Path) -> None:
    out = tmp_path / "day1.bai"
    with mail.db.session() as s:
        written = export_bai(s, DAY_ONE, out)
    text = out.read_text(encoding="ascii")
    assert all(len(line) == RECORD_LENGTH for line in text.splitlines())
    kinds = "".join(line[0] for line in text.splitlines())
    # dallas: D1 (two checks; the third is held), D2 (one; the other is held); richardson: R1 (two)
    assert kinds == "125" + "6464" + "7" + "64" + "7" + "8" + "5" + "6464" + "7" + "8" + "9"
    file = read_bai(text)
    assert file == written
    dallas, richardson = file.lockboxes
    assert (dallas.number, richardson.number) == ("0650805", "0001501")
    assert {dallas.deposit_date, richardson.deposit_date, file.processing_date} == {DAY_ONE}
    assert amounts(dallas) == [[D("412.50"), D("389.17")], [D("100.00")]]
    assert [b.number for b in dallas.batches] == [1, 2]
    assert (dallas.count, dallas.total) == (3, D("901.67"))
    assert amounts(richardson) == [[D("299.00"), D("200.00")]]
    assert (richardson.count, richardson.total) == (2, D("499.00"))
    assert (file.count, file.total) == (5, D("1400.67"))
    lines = text.splitlines()
    assert lines[7] == "7001000" + "0650805" + "261116" + "002" + "0000080167" + " " * 47
    assert lines[11] == "8000000" + "0650805" + "261116" + "0003" + "0000090167" + " " * 46
    assert lines[-1] == "9" + "000020" + " " * 73


def test_each_check_carries_its_micr_serial_and_masked_numbers(mail: Mail, tmp_path: Path) -> None:
    out = tmp_path / "day1.bai"
    with mail.db.session() as s:
        export_bai(s, DAY_ONE, out)
    text = out.read_text(encoding="ascii")
    maria = read_bai(text).lockboxes[0].batches[0].items[0]
    assert maria.routing == "XXXXX0025" and maria.account == "XXXXXX0123"
    assert maria.serial == "0000001001" and maria.check_date == date(2026, 11, 10)
    assert maria.remitter == "MARIA GONZALEZ" and maria.remittance == "XXXXXX3981"
    assert text.splitlines()[3] == (
        "6001001" + "0000041250" + "XXXXX0025" + "XXXXXX0123" + "0000001001" + "111026"
    ) + "MARIA GONZALEZ".ljust(28)
    assert text.splitlines()[4] == "40010016019" + "XXXXXX3981".ljust(69)
    for number in (ROUTING, "987651001", MARIA, JAMES):
        assert number not in text
    unmasked = tmp_path / "day1-unmasked.bai"
    with mail.db.session() as s:
        export_bai(s, DAY_ONE, unmasked, unmasked=True)
    maria = read_bai(unmasked.read_text()).lockboxes[0].batches[0].items[0]
    # the bank account 98765 1001 0123 has 13 digits: the detail's 10 columns hold its last 10
    assert (maria.routing, maria.account, maria.remittance) == (ROUTING, "6510010123", MARIA)


def test_decisions_count_on_the_day_received_and_a_returned_check_leaves(
    mail: Mail, tmp_path: Path
) -> None:
    decide(mail)
    with mail.db.session() as s:
        file = bai_deposits(s, DAY_ONE)
    dallas, richardson = file.lockboxes
    # the clerk's 75.25 joins D1 where it came; the rejected check never posts; the NSF leaves R1
    assert amounts(dallas) == [[D("412.50"), D("389.17"), D("75.25")], [D("100.00")]]
    assert amounts(richardson) == [[D("299.00")]]
    assert (file.count, file.total) == (5, D("1275.92"))
    assert read_bai(render_bai(file)) == file


def test_the_second_day_and_an_empty_day(mail: Mail, tmp_path: Path) -> None:
    with mail.db.session() as s:
        second = bai_deposits(s, DAY_TWO)
        empty_out = tmp_path / "empty.bai"
        empty = export_bai(s, date(2026, 11, 15), empty_out)
    assert [amounts(lb) for lb in second.lockboxes] == [[[D("412.50")]], [[D("299.00")]]]
    assert empty.count == 0 and empty.total == 0
    lines = empty_out.read_text().splitlines()
    assert [line[0] for line in lines] == list("125785789")
    assert lines[3] == "7000000" + "0650805" + "261115" + "000" + "0" * 10 + " " * 47
    assert lines[4] == "8000000" + "0650805" + "261115" + "0000" + "0" * 10 + " " * 46
    assert lines[8].startswith("9000009")
    back = read_bai(empty_out.read_text())
    assert [(lb.number, lb.batches, lb.total) for lb in back.lockboxes] == [
        ("0650805", (), 0),
        ("0001501", (), 0),
    ]


def test_exporting_twice_writes_the_same_bytes(mail: Mail, tmp_path: Path) -> None:
    first, second = tmp_path / "a.bai", tmp_path / "b.bai"
    with mail.db.session() as s:
        export_bai(s, DAY_ONE, first)
    with mail.db.session() as s:
        export_bai(s, DAY_ONE, second)
        export_bai(s, DAY_ONE, first)  # an earlier BAI export is replaced
    assert first.read_bytes() == second.read_bytes()


def test_the_command_line(sqlite_database: Database, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOCKBOX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCKBOX_DATABASE_URL", str(sqlite_database.engine.url))
    with sqlite_database.session() as s:
        s.add_all(loans())
    run_mail(Mail(sqlite_database), RUN_ONE)
    out = tmp_path / "deposits.bai"
    assert lockbox(["export", "bai", "--date", "2026-11-16", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Wrote 5 checks ($1,400.67) received 2026-11-16 in 2 lockboxes" in said
    assert read_bai(out.read_text()).total == D("1400.67")
    assert lockbox(["export", "bai", "--date", "2026-11-16", "--out", str(out)]) == 0
    assert lockbox(["export", "bai", "--out", str(out)]) == 2
    assert "needs --date" in capsys.readouterr().err
    scan = tmp_path / "0001.tif"
    scan.write_bytes(b"II*\x00 a scan")
    assert lockbox(["export", "bai", "--date", "2026-11-16", "--out", str(scan)]) == 2
    assert "not an earlier lockbox output" in capsys.readouterr().err
    assert scan.read_bytes() == b"II*\x00 a scan"
    bank = tmp_path / "bank.bai"  # a bank's own file is not ours to replace
    bank.write_text("100" + "BANKONE".ljust(10) + "0111000025" + "2611161800" + " " * 47 + "\n")
    assert lockbox(["export", "bai", "--date", "2026-11-16", "--out", str(bank)]) == 2
    args = ["export", "bai", "--date", "2026-11-16", "--out", str(bank), "--unmasked", "--force"]
    assert lockbox(args) == 0
    assert MARIA in bank.read_text()
    assert lockbox(["export", "items", "--out", str(tmp_path / "i.csv"), "--unmasked"]) == 2


# --- the format on its own ------------------------------------------------------------------------

digits = st.text(alphabet="0123456789", max_size=14)
checks = st.builds(
    bai_item,
    amount=st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2),
    routing=st.one_of(st.none(), digits),
    account=st.one_of(st.none(), digits),
    serial=st.one_of(st.none(), digits),
    check_date=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2099, 12, 31))),
    remitter=st.one_of(st.none(), st.text(max_size=40)),
    loan_account=st.one_of(st.none(), st.text(alphabet="0123456789-", max_size=20)),
    unmasked=st.booleans(),
)
# A lockbox's checks with the scanner batch each came in (batch keys in deposit order).
lockbox_mail = st.lists(st.tuples(st.integers(0, 3), checks), max_size=12).map(
    lambda pairs: sorted(pairs, key=lambda pair: pair[0])
)


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    sites=st.lists(lockbox_mail, min_size=1, max_size=3),
    per_batch=st.integers(1, 4),
)
def test_random_deposits_read_back_as_written(
    day: date, sites: list[list[tuple[int, BaiItem]]], per_batch: int
) -> None:
    file = BaiFile(
        "SERVICING",
        "0000000000",
        day,
        tuple(
            BaiLockbox(f"{n:07d}", day, tuple(lockbox_batches(site, per_batch=per_batch)))
            for n, site in enumerate(sites, start=650805)
        ),
    )
    text = render_bai(file)
    assert all(len(line) == RECORD_LENGTH for line in text.splitlines())
    back = read_bai(text)
    assert back == file
    assert back.count == sum(len(site) for site in sites)
    assert back.total == sum((check.amount for site in sites for _, check in site), D("0"))
    for box, site in zip(back.lockboxes, sites, strict=True):
        assert all(1 <= batch.count <= per_batch for batch in box.batches)
        assert [c for b in box.batches for c in b.items] == [check for _, check in site]


def sample() -> str:
    item = bai_item(
        amount=D("412.50"),
        routing=ROUTING,
        account="9876543210",
        serial="1001",
        check_date=date(2026, 11, 10),
        remitter="Maria Gonzalez",
        loan_account=MARIA,
    )
    batches = tuple(lockbox_batches([(1, item), (1, item), (2, item)]))
    return render_bai(
        BaiFile("SERVICING", "0000000000", DAY_ONE, (BaiLockbox("0650805", DAY_ONE, batches),))
    )


@pytest.mark.parametrize(
    ("edit", "column", "new", "line", "message"),
    [
        (4, 8, "0000041260", 8, "batch 1 total says 2 checks for $825.00; its details hold 2 for"),
        (11, 24, "0000082500", 11, "batch 2 total says 1 checks for $825.00; its details hold 1"),
        (12, 21, "0004", 12, "lockbox 0650805 trailer says 4 checks for $1237.50; its batches"),
        (13, 2, "000012", 13, "the trailer counts 12 records; the file has 13"),
        (6, 5, "003", 6, "item 3 where item 2 was expected"),
        (11, 2, "001", 11, "batch 1 total closes batch 2"),
        (4, 18, "11100002A", 4, "routing '11100002A' at column 18 is not digits or X"),
        (8, 15, "261117", 8, "lockbox number or deposit date differ from its lockbox header's"),
    ],
)
def test_a_file_that_does_not_add_up_is_refused_naming_the_line(
    edit: int, column: int, new: str, line: int, message: str
) -> None:
    lines = sample().splitlines()
    target = lines[edit - 1]
    lines[edit - 1] = target[: column - 1] + new + target[column - 1 + len(new) :]
    with pytest.raises(BaiError, match=rf"^line {line} ") as caught:
        read_bai("\n".join(lines) + "\n")
    assert message in str(caught.value)


def test_a_missing_record_or_a_long_line_is_refused() -> None:
    lines = sample().splitlines()
    with pytest.raises(BaiError, match="the file ends early: expected record 9"):
        read_bai("\n".join(lines[:-1]))
    with pytest.raises(BaiError, match="expected record 4"):
        read_bai("\n".join(lines[:4] + lines[5:]))
    with pytest.raises(BaiError, match="81 characters"):
        read_bai("\n".join([lines[0] + "X", *lines[1:]]))
    # trailing blanks trimmed in transfer are read as the blanks they were
    assert read_bai("\n".join(line.rstrip() for line in lines)) == read_bai(sample())


def test_a_value_that_does_not_fit_is_refused_when_writing() -> None:
    item = bai_item(
        amount=D("100000000.00"),
        routing=None,
        account=None,
        serial=None,
        check_date=None,
        remitter=None,
        loan_account=None,
    )
    file = BaiFile(
        "SERVICING",
        "0000000000",
        DAY_ONE,
        (BaiLockbox("0650805", DAY_ONE, tuple(lockbox_batches([(1, item)]))),),
    )
    with pytest.raises(BaiError, match="amount '10000000000' does not fit its 10 digits"):
        render_bai(file)
