"""The byte-level fast path of ``deidentify apply``; see :mod:`deidentify.fastpath.apply`."""

from deidentify.fastpath.apply import fast_deidentify_file

__all__ = ["fast_deidentify_file"]
