"""Running the project's ONNX networks through OpenCV's DNN module, safely from any thread.

A Dask worker reads pages on several threads while each loaded network is shared by them, and a
network's input is state: one forward pass at a time per process, on one OpenCV thread (OCR runs
one worker process per core).
"""

from __future__ import annotations

import threading

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
