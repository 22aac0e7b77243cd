"""The project's learned E-13B character classifier (ocr/models/micr.onnx, trained by `make
micr-model`): one character box in, a probability for each glyph and for "not a character" out.

It sees exactly the box the strip reader cuts for a group of components (the template box, in
grid squares, whatever the scan's resolution), shrunk to a fixed size, so the scale measured on
the line is all it needs. OpenCV's DNN module runs it: no training framework at read time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ocr.dnn import forward, load, softmax

MODEL = Path(__file__).resolve().parents[1] / "models" / "micr.onnx"
SIZE = 32  # the network's input is SIZE x SIZE
REJECT = "?"  # the class of boxes that hold no whole character (a part, a pair, a speck)


def prepare(box: np.ndarray) -> np.ndarray:
    """A character box (uint8, paper 255) as the network's input: SIZE x SIZE, ink 1, paper 0."""
    small = cv2.resize(box, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    return (255.0 - small.astype(np.float32)) / 255.0


@dataclass(frozen=True)
class MicrClassifier:
    net: cv2.dnn.Net
    labels: str  # class i is labels[i]; REJECT among them

    def probabilities(self, boxes: list[np.ndarray]) -> np.ndarray:
        """(len(boxes), classes) softmax probabilities."""
        batch = np.stack([prepare(b) for b in boxes])[:, None, :, :]
        return softmax(forward(self.net, batch).reshape(len(boxes), -1))


@lru_cache(maxsize=2)
def _load(path: str) -> MicrClassifier | None:
    loaded = load(Path(path))
    if loaded is None or int(loaded[1].get("size", SIZE)) != SIZE:
        return None
    return MicrClassifier(loaded[0], str(loaded[1]["labels"]))


def classifier(path: Path = MODEL) -> MicrClassifier | None:
    """The trained classifier, or None when the model file is absent (templates decide then)."""
    return _load(str(path))
