"""The network: convolutions only (OpenCV's DNN module runs them reliably), the line's height
folded into channels, then 1-D convolutions along the line for context, and a per-frame CTC head.

One output frame per 4 input columns: enough for the narrowest glyphs ('1', '.') and for doubled
digits, which CTC needs a blank frame between.
"""

from __future__ import annotations

import torch
from torch import nn


def _block(cin: int, cout: int, kernel: tuple[int, int] = (3, 3)) -> nn.Sequential:
    pad = (kernel[0] // 2, kernel[1] // 2)
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, padding=pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU()
    )


# Context along the line: each block sees `d` frames (4 d columns) further to either side, so a
# letter is read knowing its neighbours' shapes, about a short word's width in all.
CONTEXT_DILATIONS = (1, 2, 4, 8)


class _Context(nn.Module):
    """A residual 1-D convolution along the line (as a 1xk 2-D one, for the export)."""

    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            channels, channels, (1, 3), padding=(0, dilation), dilation=(1, dilation), bias=False
        )
        self.norm = nn.BatchNorm2d(channels)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.act(self.norm(self.conv(x)))


class LineNet(nn.Module):
    """(N, 1, 32, W) ink images -> (N, classes, 1, W/4) logits."""

    def __init__(self, classes: int, width: int = 128) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _block(1, 16),
            nn.MaxPool2d(2),  # 16 x W/2
            _block(16, 32),
            nn.MaxPool2d(2),  # 8 x W/4
            _block(32, 64),
            nn.MaxPool2d((2, 1)),  # 4 x W/4
            _block(64, 96),
            nn.MaxPool2d((2, 1)),  # 2 x W/4
            _block(96, width, (2, 3)),
            nn.MaxPool2d((3, 1), stride=(1, 1)),  # 1 x W/4 (the (2,3) block pads to 3 rows)
        )
        self.context = nn.Sequential(*(_Context(width, d) for d in CONTEXT_DILATIONS))
        self.drop = nn.Dropout(0.15)
        self.head = nn.Conv2d(width, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(self.context(self.features(x))))
