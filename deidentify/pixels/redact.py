"""Blanking: each box filled, on every frame, with the darkest value a viewer shows.

Flows in: ``Frames`` and boxes; flows out: the same frames, changed in place. The fill is 0
for RGB and PALETTE COLOR (index 0), the smallest stored value for MONOCHROME2 and the
largest for MONOCHROME1, so a blanked box reads as background.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from deidentify.pixels.decode import Frames
from deidentify.pixels.regions import Box

PAD = 2
"""Pixels added on every side of a detected text box, so no stroke survives at its edge."""


def padded(box: Box, rows: int, columns: int, pad: int = PAD) -> Box:
    """``box`` grown by ``pad`` on each side, clipped to the image."""
    x0, y0, x1, y1 = box
    return (max(x0 - pad, 0), max(y0 - pad, 0), min(x1 + pad, columns), min(y1 + pad, rows))


def _fill(frames: Frames) -> int | float:
    array = frames.array
    if frames.photometric == "MONOCHROME2":
        return array.min().item()  # type: ignore[no-any-return]
    if frames.photometric == "MONOCHROME1":
        return array.max().item()  # type: ignore[no-any-return]
    return 0


def blank(frames: Frames, boxes: Iterable[Box]) -> int:
    """Fill every box on every frame; the number of boxes that covered any pixel."""
    rows, columns = frames.array.shape[1:3]
    fill = _fill(frames)
    count = 0
    for x0, y0, x1, y1 in boxes:
        x0, x1 = max(x0, 0), min(x1, columns)
        y0, y1 = max(y0, 0), min(y1, rows)
        if x1 <= x0 or y1 <= y0:
            continue
        frames.array[:, y0:y1, x0:x1, ...] = np.array(fill, dtype=frames.array.dtype)
        count += 1
    return count
