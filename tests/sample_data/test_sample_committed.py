"""The small sample committed under sample_data/sample (what `make demo` runs on) shows every kind
of mail the pipeline must handle, and stays small."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from sample_data.plan import EXCEPTION_CODES
from sample_data.truth import Manifest


def test_sample_is_the_documented_run(committed_sample: Manifest) -> None:
    assert committed_sample.seed == 20261125
    assert str(committed_sample.as_of) == "2026-11-17"
    assert len(committed_sample.items) == 20
    codes = {c for it in committed_sample.items for c in it.expected_codes}
    assert codes == set(EXCEPTION_CODES)


def test_sample_covers_both_sites_pdfs_and_coupons(committed_sample: Manifest) -> None:
    items = committed_sample.items
    assert {it.site for it in items} == {"dallas", "richardson"}
    assert len({(it.site, it.batch) for it in items}) >= 3
    pdf_pages: dict[str, int] = {}
    for it in items:
        if it.source_file.endswith(".pdf"):
            pdf_pages[it.source_file] = pdf_pages.get(it.source_file, 0) + 1
    assert max(pdf_pages.values(), default=0) >= 2
    assert any(
        it.source_file.endswith((".tif", ".tiff")) and "coupon" in [p["kind"] for p in it.pages]
        for it in items
    )
    for it in items:
        assert (committed_sample.inbox / it.source_file).is_file()


def test_sample_is_small(committed_sample: Manifest) -> None:
    assert committed_sample.out is not None
    files = [p for p in Path(committed_sample.out).rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 4_000_000
    with Image.open(next(committed_sample.inbox.rglob("*.tif"))) as im:
        assert im.info.get("dpi") is not None
