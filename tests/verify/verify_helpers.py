"""Building original and de-identified trees for the `deidentify verify` tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.dataset import FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from deidentify import Plan, parse_profile
from deidentify.engine import Deidentifier

SECRET = bytes(range(32))
MARKERS = {
    "PatientName": "Verifymarker^Quentina",
    "PatientID": "VMID-77123",
    "InstitutionName": "Zellwood Marker Clinic",
    "StationName": "VMSTATION9",
    "DeviceSerialNumber": "VMSERIAL-4410",
    "StudyDate": "19870412",
    "PatientBirthDate": "19610923",
}


def copy_testdata(names: list[str], folder: Path) -> list[Path]:
    """pydicom's shipped files copied into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for name in names:
        source = get_testdata_file(name)
        assert source is not None, name
        copies.append(Path(shutil.copy(source, folder / name)))
    return copies


def deidentify_tree(originals: Path, outputs: Path, profile: str,
                    rename: bool = False) -> Deidentifier:
    """Our own output of every file of ``originals`` (renamed ``out-N.dcm`` if asked)."""
    runtime = Deidentifier(Plan.build(parse_profile(profile)), secret=SECRET)
    outputs.mkdir(parents=True, exist_ok=True)
    for number, source in enumerate(sorted(originals.iterdir())):
        target = outputs / (f"out-{number}.dcm" if rename else source.name)
        runtime.deidentify_file(source, target)
    return runtime


def marker_instance() -> Dataset:
    """A synthetic CT instance whose identifying values are distinctive markers."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = generate_uid(entropy_srcs=["verify marker instance"])
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.StudyInstanceUID = generate_uid(entropy_srcs=["verify marker study"])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=["verify marker series"])
    ds.Modality = "CT"
    ds.SeriesNumber = 3
    ds.InstanceNumber = 7
    for keyword, value in MARKERS.items():
        setattr(ds, keyword, value)
    ds.StudyDescription = f"Follow-up of {MARKERS['PatientName'].split('^')[0]}"
    ds.ReferringPhysicianName = "Drmarker^Ottoline"
    ds.AccessionNumber = "VMACC-5531"
    reference = Dataset()
    reference.ReferencedSOPClassUID = ds.SOPClassUID
    reference.ReferencedSOPInstanceUID = generate_uid(entropy_srcs=["verify marker ref"])
    ds.ReferencedImageSequence = Sequence([reference])
    request = Dataset()
    request.ScheduledProcedureStepID = "VMSPS-0042"
    request.RequestedProcedureID = "VMRP-0042"
    ds.RequestAttributesSequence = Sequence([request])
    block = ds.private_block(0x0011, "VERIFY MARKER VENDOR", create=True)
    block.add_new(0x01, "LO", f"operator {MARKERS['PatientName']}")
    return ds


def write_marker_instance(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "instance.dcm"
    pydicom.dcmwrite(path, marker_instance(), enforce_file_format=True)
    return path
