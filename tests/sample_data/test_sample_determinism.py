"""Same seed, same run: the truth and every file byte for byte; and the command line's guards."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from sample_data.__main__ import main
from sample_data.generate import OutputExistsError, generate


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=99, items=8, as_of=date(2026, 11, 17))
    b = generate(tmp_path / "b", seed=99, items=8, as_of=date(2026, 11, 17))
    assert a.to_json() == b.to_json()
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    c = generate(tmp_path / "c", seed=100, items=8, as_of=date(2026, 11, 17))
    assert c.to_json() != a.to_json()


def test_generate_refuses_to_mix_runs_without_clean(tmp_path: Path) -> None:
    generate(tmp_path, seed=1, items=2, as_of=date(2026, 11, 17))
    with pytest.raises(OutputExistsError):
        generate(tmp_path, seed=2, items=2, as_of=date(2026, 11, 17))
    (tmp_path / "keep.txt").write_text("not ours")
    manifest = generate(tmp_path, seed=2, items=2, as_of=date(2026, 11, 17), clean=True)
    assert manifest.seed == 2 and (tmp_path / "keep.txt").exists()


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    args = ["generate", "--out", str(out), "--seed", "5", "--items", "3", "--as-of", "2026-11-17"]
    assert main(args) == 0
    assert "3 items" in capsys.readouterr().out
    assert (out / "truth.json").is_file() and (out / "loans.csv").is_file()
    assert main(args) == 2
    assert "--clean" in capsys.readouterr().err
    assert main([*args, "--clean"]) == 0
    with pytest.raises(SystemExit):
        main(["generate", "--out", str(out), "--seed", "5", "--items", "3", "--as-of", "11/17/26"])
