"""The fast path of ``deidentify apply``: one file in, one file out, or a refusal.

The input's element headers are parsed at the byte level and the dataset the reference reader
would return is assembled from them without decoding a value; the reference engine then
de-identifies it in place (so every decision is the engine's own), and the output is written
with every element the engine left untouched copied from the input, large values by the
kernel. The result is byte-identical to ``Deidentifier.deidentify_file``; anything this path
does not reproduce exactly makes it decline before writing, and the caller then uses the
reference path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from pydicom.errors import InvalidDicomError

from deidentify.engine import Deidentifier
from deidentify.fastpath import reading, writing
from deidentify.fastpath.layout import Declined, read_layout
from deidentify.fastpath.sink import Piece, write_pieces
from deidentify.fastpath.source import SourceFile
from deidentify.fastpath.view import view_for

_READ_ERRORS = (InvalidDicomError, EOFError, ValueError, NotImplementedError, KeyError)
"""What pydicom raises on nested content this path parses with pydicom's own reader."""


def encode_file(deidentifier: Deidentifier, source: SourceFile) -> list[Piece]:
    """The output pieces of a de-identified input; raises Declined when the path declines,
    CorruptStructure when the input's element structure is inconsistent (the layout is
    read in the walk that checks it)."""
    view = view_for(deidentifier)
    layout = read_layout(source.buffer, private=not view.drops_private)
    try:
        result = reading.read(source, layout, view)
    except _READ_ERRORS as error:
        reason = f"nested content the reference reader handles ({type(error).__name__})"
        raise Declined(reason) from None
    if deidentifier.needs_pixels(result.dataset):
        raise Declined("pixel data to clean of burned-in text")
    try:
        deidentifier.apply(result.dataset, shared=True)
    except Exception as error:
        reason = f"the engine failed ({type(error).__name__}); the reference path reports it"
        raise Declined(reason) from None
    try:
        return writing.encode(result, source)
    except Declined:
        raise
    except Exception as error:
        reason = f"the reference writer would fail ({type(error).__name__}) and reports it"
        raise Declined(reason) from None


def fast_deidentify_file(
    deidentifier: Deidentifier, source: Path | SourceFile, target: BinaryIO | Path
) -> bool:
    """De-identify ``source`` into ``target``; False when declined (nothing is written then).

    ``source`` is a path, or an input its caller has opened (and closes). An input that
    cannot be opened is declined too: the reference path reports it. An input whose element
    structure is inconsistent is refused (CorruptStructure, nothing written) or declined, and
    the reference path refuses it.

    ``target`` is an open binary file positioned where the file starts, or a path to create
    (the caller writes to a temporary name and renames).
    """
    if isinstance(source, SourceFile):
        return _deidentify_opened(deidentifier, source, target)
    try:
        opened = SourceFile(Path(source))
    except OSError:
        return False
    with opened:
        try:
            _ = opened.buffer
        except OSError:
            return False
        return _deidentify_opened(deidentifier, opened, target)


def _deidentify_opened(
    deidentifier: Deidentifier, opened: SourceFile, target: BinaryIO | Path
) -> bool:
    try:
        pieces = encode_file(deidentifier, opened)
    except Declined:
        return False
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as stream:
            write_pieces(pieces, opened.fd, stream)
    else:
        write_pieces(pieces, opened.fd, target)
    return True
