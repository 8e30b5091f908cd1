"""The byte-level fast path of ``deidentify apply``.

``fast_deidentify_file(deidentifier, source, target) -> bool`` writes exactly the bytes
``Deidentifier.deidentify_file`` writes, or returns False having written nothing, and the
caller uses the reference path. The engine itself makes every de-identification decision:
the fast path only avoids pydicom's per-element reading and writing of what the engine does
not change, and copies large values file to file.

Modules, in the order a file goes through them:

- ``source``: the input read whole, or memory-mapped above 16 MiB.
- ``layout``: where each File Meta and top-level element lies (explicit or implicit VR little
  endian), recorded by the walk of :mod:`deidentify.structure` that checks the file: one
  walk over the headers; a sequence or encapsulated Pixel Data is one element.
- ``view``: which top-level elements the engine needs, which it would remove unread, which
  it would leave alone unread (those are copied), and which it treats whatever their value
  (X, Z, K, D; U of one UID): the engine treats the first of each kind alone, and its
  output is reused.
- ``reading``: the dataset the reference reader builds, from the offsets.
- ``writing``, ``encoding``, ``sequences``: the reference writer's output, untouched elements
  copied, simple replacements and sequences encoded directly, the rest by pydicom.
- ``sink``: the output written in one pass, large ranges by ``copy_file_range``.

Refused (``CorruptStructure``, nothing written): an input this path would read but whose
element structure :mod:`deidentify.structure` finds inconsistent, as every path refuses it
(what this path declines, the reference path checks and refuses).

Declined (the reference path takes over): no 128-byte preamble and DICM prefix (but a raw
dataset that starts with a group 0008 element in little endian, whose VR encoding pydicom's
two guesses agree on, and without a value it would defer), no or an unknown Transfer Syntax
UID, big endian, deflated, a dataset whose VR encoding contradicts
its transfer syntax, an undefined length on anything but a sequence or encapsulated Pixel
Data, explicit VR UN of undefined length, a truncated or overrunning element, top-level tags
out of order, group 0000-0002 elements in the dataset, non-zero reserved header bytes, Pixel
Data whose length form contradicts the transfer syntax or of odd length, large Pixel Data
the engine would decode (implicit VR, or a cleaning profile), an engine or writer error (the
reference path then reports it), and an input that cannot be opened.

Profiles that clean text (Clean Descriptors, Clean Structured Content, Clean Graphics) make
the engine collect identifiers from every element first, so every element is shown to it:
correct, but little faster than the reference path.
"""

from deidentify.fastpath.apply import fast_deidentify_file

__all__ = ["fast_deidentify_file"]
