"""What a phone does to a check: a colour picture of it lying on a desk, seen at an angle.

The check (drawn at 300 dpi) is tinted like paper, set on a textured background, warped by a
perspective (the phone held over it, not square to it), lit unevenly with a soft shadow, blurred a
little, given sensor noise and saved as a JPEG that says 72 dpi, as phones do: the file's
resolution says nothing about the check's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class PhotoStyle:
    """How one photo was taken: the labels the truth file lists."""

    check_px: int  # the check's width in the picture, in pixels
    tilt: float  # degrees the phone leans away from looking straight down
    lean: float  # the direction it leans, degrees
    turn: float  # degrees the check lies turned on the desk
    shadow: bool
    quality: int
    scene: str = "desk"  # what lies around the check: one of SCENES

    def labels(self) -> list[str]:
        out = [f"photo={self.check_px}px", f"tilt={self.tilt:.1f}", f"turn={self.turn:.1f}"]
        if self.shadow:
            out.append("shadow")
        if self.scene != "desk":
            out.append(f"scene={self.scene}")
        return out + [f"jpeg_quality={self.quality}"]


# A desk darker than paper, mostly; a light desk as pale as the check; another sheet of paper
# lying half under it; or the check filling the picture, hardly any desk around it.
SCENES = {"desk": 0.55, "light desk": 0.15, "paper under": 0.15, "filling": 0.15}


def plan_photo(rng: random.Random) -> PhotoStyle:
    # now and then the phone is held upright, the check across the picture's short side
    upright = rng.choice([-90, 90]) if rng.random() < 0.2 else 0
    style = PhotoStyle(
        check_px=rng.randrange(1300, 2400),
        tilt=round(rng.uniform(0.0, 20.0), 1),
        lean=round(rng.uniform(0.0, 360.0), 1),
        turn=round(rng.uniform(-12.0, 12.0) + upright, 1),
        shadow=rng.random() < 0.5,
        quality=rng.randrange(55, 92),
    )
    # the scene from the style drawn so far, so the mail around a photo is drawn as it always was
    pick = random.Random(f"scene:{style.check_px}:{style.tilt}:{style.lean}")
    return replace(style, scene=pick.choices(list(SCENES), weights=list(SCENES.values()))[0])


def _seen(style: PhotoStyle, cw: int, ch: int, pw: int, ph: int) -> np.ndarray:
    """Where the check's corners land in the picture: turned on the desk, then seen through a
    lens from a phone leaning `tilt` degrees (the far side looks shorter than the near one)."""
    t = np.radians(style.turn)
    flat = np.array([[-cw, -ch], [cw, -ch], [cw, ch], [-cw, ch]], np.float64) / 2
    turned = flat @ np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]).T
    points = np.column_stack([turned, np.zeros(4)])
    d = np.radians(style.lean)
    axis = np.array([np.cos(d), np.sin(d), 0.0]) * np.radians(style.tilt)
    rotation, _ = cv2.Rodrigues(axis)
    leant = points @ rotation.T
    focal = 1.2 * max(pw, ph)  # a phone's lens: about as wide as the picture is far away
    depth = focal + leant[:, 2]
    u = focal * leant[:, 0] / depth + pw / 2
    v = focal * leant[:, 1] / depth + ph / 2
    return np.column_stack([u, v]).astype(np.float32)


def _desk(h: int, w: int, rng: random.Random) -> np.ndarray:
    """A textured surface, darker than paper or nearly as light: wood grain, cloth or a plain
    table, in colour."""
    gen = np.random.default_rng(rng.randrange(2**31))
    top = 200 if rng.random() < 0.25 else 150
    base = np.array([rng.uniform(30, top) for _ in range(3)], np.float32)
    noise = gen.normal(0, 1, (h // 8 + 1, w // 8 + 1)).astype(np.float32)
    grain: np.ndarray = cv2.resize(cv2.GaussianBlur(noise, (0, 0), 2), (w, h))
    if rng.random() < 0.5:  # streaks along one direction, as wood has
        grain = cv2.blur(grain, (rng.randrange(40, 160), 3))
    desk = base[None, None, :] + rng.uniform(8, 25) * grain[:, :, None]
    return np.clip(desk, 0, 255).astype(np.float32)


def _light(h: int, w: int, rng: random.Random, shadow: bool) -> np.ndarray:
    """Brightness over the picture: a broad gradient and, sometimes, a soft shadow of a hand or
    phone falling across part of it."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (x * np.cos(angle) + y * np.sin(angle)) / max(h, w)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    light = 1.0 - rng.uniform(0.05, 0.3) * ramp
    if shadow:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.25, 0.6) * max(h, w)
        blob = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
        light = light * (1.0 - rng.uniform(0.15, 0.35) * blob)
    return light.astype(np.float32)


def _sheet_under(desk: np.ndarray, check: np.ndarray, rng: random.Random) -> np.ndarray:
    """The desk with a white sheet lying on it, under one side of the check and out of the
    picture: paper as bright as the check's, touching it."""
    ph, pw = desk.shape[:2]
    centre = check.mean(axis=0)
    side = check[[1, 2]] if rng.random() < 0.5 else check[[3, 0]]  # under its right or left
    reach = (side.mean(axis=0) - centre) * rng.uniform(0.3, 0.8)
    far = side + 4 * (side - centre)
    corners = np.array([side[0] - reach, far[0], far[1], side[1] - reach], np.int32)
    sheet = np.zeros((ph, pw), np.float32)
    cv2.fillConvexPoly(sheet, corners, 1.0)
    white = rng.uniform(225, 250)
    return desk * (1 - sheet[:, :, None]) + white * sheet[:, :, None]


def photograph(
    check: Image.Image, style: PhotoStyle, rng: random.Random
) -> tuple[Image.Image, np.ndarray]:
    """An RGB picture of `check` (grey, any resolution) lying on a desk, taken as `style` says,
    and where the check's corners are in it (top-left first, clockwise as the check reads)."""
    grey = np.asarray(check.convert("L"), np.float32)
    h0, w0 = grey.shape
    cw, ch = style.check_px, max(1, round(h0 * style.check_px / w0))
    small = cv2.resize(grey, (cw, ch), interpolation=cv2.INTER_AREA)
    tint = np.array([rng.uniform(0.9, 1.0), rng.uniform(0.9, 1.0), rng.uniform(0.85, 1.0)])
    paper = small[:, :, None] * tint[None, None, :].astype(np.float32)
    # The picture: the check with a margin of desk around it, wider than tall as phones shoot it.
    margin = rng.uniform(0.04, 0.3)
    if style.scene == "filling":
        margin = margin / 10
    t = np.radians(style.turn)
    across = abs(np.cos(t)) * cw + abs(np.sin(t)) * ch  # the turned check's extent
    down = abs(np.sin(t)) * cw + abs(np.cos(t)) * ch
    pw = round(across * (1 + 2 * margin))
    ph = round(max(down * (1 + 2 * margin), pw * 0.6 if across > down else pw * 1.3))
    corners = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    target = _seen(style, cw, ch, pw, ph)
    matrix = cv2.getPerspectiveTransform(corners, target)
    warped = cv2.warpPerspective(paper, matrix, (pw, ph), flags=cv2.INTER_LINEAR)
    cover = cv2.warpPerspective(np.ones((ch, cw), np.float32), matrix, (pw, ph))
    desk = _desk(ph, pw, rng)
    if style.scene == "light desk":  # as pale as paper, or a little darker
        desk = desk - desk.mean(axis=(0, 1)) + rng.uniform(195, 240)
    elif style.scene == "paper under":
        desk = _sheet_under(desk, target, rng)
    out = warped * cover[:, :, None] + desk * (1 - cover[:, :, None])
    out = out * _light(ph, pw, rng, style.shadow)[:, :, None]
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.4, 1.4))
    gen = np.random.default_rng(rng.randrange(2**31))
    out = out + gen.normal(0, rng.uniform(1.5, 5.0), out.shape).astype(np.float32)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB"), target
