"""Running the project's ONNX networks through OpenCV's DNN module, safely from any thread.

A Dask worker reads pages on several threads while each loaded network is shared by them, and a
network's input is state: one forward pass at a time per process, on one OpenCV thread (OCR runs
one worker process per core).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

_FORWARD = threading.Lock()


def forward(net: cv2.dnn.Net, batch: np.ndarray) -> np.ndarray:
    """The network's output for `batch` (float32, NCHW)."""
    with _FORWARD:
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            net.setInput(batch)
            return np.asarray(net.forward())
        finally:
            cv2.setNumThreads(threads)


def load(onnx: Path) -> tuple[cv2.dnn.Net, dict[str, Any]] | None:
    """A network and its recipe (the .json beside it), or None when either file is absent."""
    meta = onnx.with_suffix(".json")
    if not onnx.is_file() or not meta.is_file():
        return None
    return cv2.dnn.readNetFromONNX(str(onnx)), json.loads(meta.read_text())


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
