"""Inputs built to exhaust a reader: deflate bombs (small Deflated Explicit VR Little Endian
files whose dataset inflates to gigabytes of zeros), sequences nested thousands deep; and a
child process that reports its own peak RSS."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import UID, DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian, generate_uid

SECONDARY_CAPTURE = UID("1.2.840.10008.5.1.4.1.1.7")
MIB = 1 << 20

PEAK_RSS = """
import sys
from deidentify.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as stop:
    status = stop.code
with open("/proc/self/status", encoding="ascii") as lines:
    peak = next(line.split()[1] for line in lines if line.startswith("VmHWM:"))
print("peak-rss-kib", peak, file=sys.stderr)
sys.exit(status)
"""
"""A child's script: runs the command line on its arguments, then prints its own peak
resident set size (KiB), as the kernel's high-water mark of this program's memory (VmHWM).
``getrusage``'s ``ru_maxrss`` would not do: it survives ``exec``, so a child forked from a
large test process reports the parent's size."""


def command(*args: str | Path) -> list[str]:
    """The child's command line: ``deidentify ARGS`` that reports its peak RSS."""
    return [sys.executable, "-c", PEAK_RSS, *map(str, args)]


def _header(sop_instance: str, pixel_bytes: int) -> bytes:
    ds = Dataset()
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = sop_instance
    ds.StudyInstanceUID = generate_uid()
    ds.PatientName = "Bomb^Deflate"
    ds.PatientID = "BOMB-1"
    ds.Rows, ds.Columns = 1, 1
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    encoded = DicomBytesIO()
    encoded.is_little_endian, encoded.is_implicit_VR = True, False
    write_dataset(encoded, ds)
    return encoded.getvalue() + struct.pack("<HH2sHL", 0x7FE0, 0x0010, b"OB", 0, pixel_bytes)


def _file_meta(syntax: UID) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SECONDARY_CAPTURE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    encoded = DicomBytesIO()
    write_file_meta_info(encoded, meta)
    return bytes(128) + b"DICM" + encoded.getvalue()


def deeply_nested(path: Path, depth: int = 5000) -> Path:
    """An Explicit VR Little Endian file whose Content Sequence nests ``depth`` levels of
    undefined-length sequences and items."""
    undefined = 0xFFFFFFFF
    opening = struct.pack("<HH2sHL", 0x0040, 0xA730, b"SQ", 0, undefined)
    opening += struct.pack("<HHL", 0xFFFE, 0xE000, undefined)
    closing = struct.pack("<HHL", 0xFFFE, 0xE00D, 0) + struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    header = _header(str(generate_uid()), 0)[:-12]
    path.write_bytes(_file_meta(ExplicitVRLittleEndian) + header + opening * depth
                     + closing * depth)
    return path


def deflate_bomb(path: Path, inflated_mib: int = 1024) -> Path:
    """A deflated file whose Pixel Data is ``inflated_mib`` MiB of zeros (about 1 KB of
    deflate data per MiB): the same fully flushed block of zeros repeated."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = deflater.compress(_header(str(generate_uid()), inflated_mib * MIB))
    head += deflater.flush(zlib.Z_FULL_FLUSH)
    zeros = deflater.compress(bytes(MIB)) + deflater.flush(zlib.Z_FULL_FLUSH)
    with open(path, "wb") as stream:
        stream.write(_file_meta(DeflatedExplicitVRLittleEndian) + head)
        for _ in range(inflated_mib):
            stream.write(zeros)
        stream.write(deflater.flush())
    return path


def peak_rss_mib(stderr: str) -> int:
    """The peak RSS a child printed with ``PEAK_RSS``, in MiB."""
    lines = [line for line in stderr.splitlines() if line.startswith("peak-rss-kib ")]
    assert lines, stderr[-2000:]
    return int(lines[-1].split()[1]) // 1024
