"""A check's face print survives a rescan (resolution, skew, bitonal, JPEG, margins) and tells
two checks apart."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from lockbox.faces import LIKE_FACE, SAME_FACE, FacePrint, face_distance
from ocr.cleanup import flat_page, upright_by_micr
from ocr.fingerprint import face_grid
from ocr.pages import load_pages
from ocr.reading import Page

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample" / "inbox"


def _fronts() -> list[Path]:
    return sorted(p for p in SAMPLE.rglob("item-*.tif"))[:3]


def _print(gray: np.ndarray, dpi: int) -> FacePrint:
    grid = face_grid(upright_by_micr(flat_page(Page(gray, dpi, 1, "face.tif"))).image)
    assert grid is not None
    return FacePrint(grid.grid, grid.aspect)


def _front(path: Path) -> tuple[np.ndarray, int]:
    page = load_pages(path)[0]
    return page.image, page.dpi


def _jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, "JPEG", quality=quality)
    return np.array(Image.open(io.BytesIO(out.getvalue())).convert("L"))


def _rescans(gray: np.ndarray, dpi: int) -> dict[str, tuple[np.ndarray, int]]:
    h, w = gray.shape
    small = cv2.resize(gray, (w * 2 // 3, h * 2 // 3), interpolation=cv2.INTER_AREA)
    tilt = cv2.warpAffine(
        gray,
        cv2.getRotationMatrix2D((w / 2, h / 2), 1.5, 1.0),
        (w, h),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    margin = cv2.copyMakeBorder(gray, 60, 40, 80, 30, cv2.BORDER_CONSTANT, value=255)
    return {
        "two thirds the resolution, tag unchanged": (small, dpi),
        "tilted 1.5 degrees": (tilt, dpi),
        "black and white": (np.where(gray < 150, 0, 255).astype(np.uint8), dpi),
        "JPEG at 40": (_jpeg(gray, 40), dpi),
        "upside down": (np.ascontiguousarray(gray[::-1, ::-1]), dpi),
        "with a margin": (margin, dpi),
    }


@pytest.mark.parametrize("style", list(_rescans(np.full((300, 600), 255, np.uint8), 200)))
def test_a_rescan_has_the_same_face(style: str) -> None:
    gray, dpi = _front(_fronts()[0])
    original = _print(gray, dpi)
    again = _print(*_rescans(gray, dpi)[style])
    assert face_distance(original, again) <= LIKE_FACE


def test_different_checks_have_different_faces() -> None:
    prints = [_print(*_front(path)) for path in _fronts()]
    for i, a in enumerate(prints):
        for b in prints[i + 1 :]:
            assert face_distance(a, b) > SAME_FACE


def test_a_print_survives_the_database() -> None:
    face = _print(*_front(_fronts()[0]))
    back = FacePrint.from_bytes(face.to_bytes())
    assert back is not None and face_distance(face, back) == 0.0
    assert FacePrint.from_bytes(b"not a print") is None


def test_a_blank_page_has_no_face() -> None:
    assert face_grid(np.full((600, 1200), 255, np.uint8)) is None
