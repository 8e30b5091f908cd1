"""Whether compressed Pixel Data still carries text or pictures beside the image.

The engine blanks the comments, application segments and JP2 text boxes of encapsulated Pixel
Data (``deidentify.pixels.codestream``); an output holding any of them with content is a
violation, whatever tool wrote it. Only their number and size are reported, never their bytes.
"""

from __future__ import annotations

from pydicom import Dataset

from deidentify.pixels import codestream
from deidentify.structure import PIXEL_DATA
from deidentify.verify.findings import Violation

EXPECTED = "no comment, application segment or JP2 text box with content"


def check(output: Dataset, file: str) -> list[Violation]:
    """A violation when the output's encapsulated Pixel Data has something left to blank."""
    element = output.get(PIXEL_DATA)
    if element is None or not element.is_undefined_length or not isinstance(
            element.value, bytes):
        return []
    found = codestream.edits(element.value)
    if not found:
        return []
    size = sum(len(data) for _, data in found)
    return [Violation(file, f"byte {found[0][0]} of its value", "Pixel Data", "codestream",
                      EXPECTED, f"{len(found)} range(s), {size} bytes")]
