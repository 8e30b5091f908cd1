"""Text detection and recognition with RapidOCR: offline, models shipped in its wheel.

Flows in: an 8-bit RGB frame; flows out: ``TextBox`` es (bounding rectangle, text,
confidence). The engine (PP-OCRv4 detection and recognition on onnxruntime) is loaded once
per process and shared; it runs on one thread (worker processes give the parallelism).
Nothing is downloaded: the ONNX models are files of the ``rapidocr-onnxruntime`` wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import Any

import numpy as np
from numpy.typing import NDArray

from deidentify.pixels.regions import Box

ENGINE_NAME = "rapidocr"
SMALL_SIDE = 300
"""Frames whose longer side is shorter than this are enlarged twice for recognition."""
DETECTION_SIDE = 2048
"""Detection runs on the frame as it is (a larger frame is scaled down to this longer side),
not scaled up to RapidOCR's default shorter side of 736, which costs time and finds nothing
more; small frames are enlarged by ``SMALL_SIDE`` instead."""


@dataclass(frozen=True)
class TextBox:
    """One line of recognised text; ``score`` in [0, 1]."""

    box: Box
    text: str
    score: float


@cache
def engine_label() -> str:
    """The engine and its version, as De-identification Method names it."""
    return f"{ENGINE_NAME} {version('rapidocr-onnxruntime')}"


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(use_cls=False, intra_op_num_threads=1, inter_op_num_threads=1,
                    det_limit_type="max", det_limit_side_len=DETECTION_SIDE)


def _bounds(points: Any, scale: int, rows: int, columns: int) -> Box:
    xs = [float(point[0]) / scale for point in points]
    ys = [float(point[1]) / scale for point in points]
    x0, y0 = max(int(np.floor(min(xs))), 0), max(int(np.floor(min(ys))), 0)
    x1, y1 = min(int(np.ceil(max(xs))) + 1, columns), min(int(np.ceil(max(ys))) + 1, rows)
    return (x0, y0, x1, y1)


def read_text(frame: NDArray[np.uint8]) -> list[TextBox]:
    """Every line of text found in ``frame`` (rows, columns, 3), low-confidence lines too."""
    rows, columns = frame.shape[:2]
    scale = 2 if max(rows, columns) < SMALL_SIDE else 1
    image = frame if scale == 1 else np.repeat(np.repeat(frame, 2, axis=0), 2, axis=1)
    found, _ = _engine()(np.ascontiguousarray(image), text_score=0.0)
    return [
        TextBox(_bounds(points, scale, rows, columns), str(text), float(score))
        for points, text, score in found or ()
    ]
