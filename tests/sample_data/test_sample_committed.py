"""The small sample committed under sample_data/sample (what `make demo` runs on) shows every kind
of mail the pipeline must handle, and stays small."""

from __future__ import annotations

from datetime import date
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


def test_committed_sample_is_what_make_sample_generates_now(tmp_path: Path) -> None:
    """If the generator or the MICR glyphs change, `make sample` must be rerun and committed."""
    import filecmp

    from sample_data.generate import generate

    fresh = tmp_path / "sample"
    generate(fresh, seed=20261125, items=20, as_of=date(2026, 11, 17))
    committed = Path(__file__).parents[2] / "sample_data" / "sample"
    stale = []
    for path in sorted(p for p in committed.rglob("*") if p.is_file()):
        rel = path.relative_to(committed)
        if not (fresh / rel).is_file() or not filecmp.cmp(path, fresh / rel, shallow=False):
            stale.append(str(rel))
    extra = [
        str(p.relative_to(fresh))
        for p in fresh.rglob("*")
        if p.is_file() and not (committed / p.relative_to(fresh)).exists()
    ]
    assert not stale and not extra, f"run `make sample` and commit: {stale + extra}"
