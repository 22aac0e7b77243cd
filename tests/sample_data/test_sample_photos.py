"""`--photos`: lone check fronts come as a phone's pictures, and nothing else in the run changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sample_data.generate import generate

from .conftest import AS_OF, truth_items


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    scans, photos = tmp_path_factory.mktemp("scans"), tmp_path_factory.mktemp("photos")
    generate(scans, seed=4243, items=24, as_of=AS_OF)
    generate(photos, seed=4243, items=24, as_of=AS_OF, photos=1.0)
    return scans, photos


def test_lone_fronts_become_colour_jpegs_at_72_dpi(runs: tuple[Path, Path]) -> None:
    _, photos = runs
    shot = [t for t in truth_items(photos) if "photo" in t["fields"]]  # type: ignore[operator]
    assert shot, "no check front was sent alone as PNG or JPEG in this run"
    for t in shot:
        assert str(t["source_file"]).endswith(".jpg")
        with Image.open(photos / "inbox" / str(t["source_file"])) as im:
            assert im.mode == "RGB" and round(im.info["dpi"][0]) == 72
            assert len(t["pages"]) == 1  # type: ignore[arg-type]


def test_the_rest_of_the_run_is_the_same(runs: tuple[Path, Path]) -> None:
    scans, photos = runs
    a, b = truth_items(scans), truth_items(photos)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x["amount"] == y["amount"] and x["loan_account"] == y["loan_account"]
        if "photo" not in y["fields"]:  # type: ignore[operator]
            assert x["source_file"] == y["source_file"]
            assert (scans / "inbox" / str(x["source_file"])).read_bytes() == (
                photos / "inbox" / str(y["source_file"])
            ).read_bytes()
