"""What the tool does not do, stated plainly for the profile at hand."""

from __future__ import annotations

from deidentify.plan import Plan
from deidentify.text import description
from generated.model import Option

PIXELS = (
    "Clean Recognizable Visual Features Option (113102) is not implemented: a profile naming"
    " it is refused, and recognizable features (faces in photographs or surface renderings)"
    " remain."
)
BURNED_IN_GATE = (
    "Burned-in annotation: an object at risk (Burned In Annotation YES; or absent in"
    " ultrasound, secondary capture, visible light, video, XA, RF, the DX family, documents,"
    " other, or a screen capture; or an overlay in Pixel Data's unused high bits) is refused"
    " with the reason 'burned-in annotation risk' unless CleanPixelDataOption is named; with"
    " --burned-in accept it is written with its pixels untouched and De-identification Method"
    " says so. Pixel Data of objects not at risk is never decoded or changed."
)
CLEAN_PIXELS = (
    "Clean Pixel Data (113101) blanks, on every frame, the rectangles of matching region"
    " rules and the text OCR (RapidOCR) reads on the first, middle and last frames that"
    " matches the object's identifying values or identity patterns (or, in the 'all' mode,"
    " any text off the allow-list), and text too uncertain to judge; text that appears only"
    " on other frames, or that OCR does not detect, remains. Lossless inputs are re-encoded"
    " losslessly; lossy inputs are decompressed (Lossy Image Compression stays 01). Video"
    " and undecodable Pixel Data are refused."
)
CLEANING = description.LIMITS
UNLISTED = (
    "Standard attributes that Table E.1-1 does not list are kept (free text inside sequences"
    " that are cleaned or replaced is cleaned or replaced with them), except those removed"
    " beyond the table (see that section): unknown elements, contradicting VRs, unlisted"
    " attributes that identify a person, an organisation or a device, and the rest of a curve"
    " or overlay group whose data is removed."
)
UNKNOWN_VR = (
    "Where the VR is unknown (implicit VR or UN, and a tag pydicom's dictionary does not"
    " know), D, U and C remove the element instead of writing a value of a guessed type."
    " Attributes the dictionary itself declares UN get UN's dummy under D."
)
GRAPHICS = (
    "Clean Graphics removes overlay bitmaps (60xx,3000) and curve data (50xx): text drawn"
    " into them cannot be read. Their text elements (descriptions, labels, comments) and"
    " graphic annotation text are kept, cleaned of identifiers."
)
SAFE_PRIVATE = (
    "Retain Safe Private keeps the private attributes of Table E.3.10-1 (matched by Private"
    " Creator and element offset, with a value of the table's VR) and those a Private Data"
    " Element Characteristics Sequence marks safe. A private sequence not known safe is kept"
    " and walked item by item: the table's attributes inside get their actions, and an"
    " unlisted one that can hold free text (a text VR, AE, UR, UN, or a code, number or age"
    " string holding other characters than its VR's) is removed; dates and UIDs there are"
    " treated as everywhere. No other private attribute is kept."
)
STRUCTURED = (
    "Clean Structured Content handles content items by Table E.3.4-1 (by concept name); a"
    " concept name it does not list falls back to Table E.1-1 for the attributes inside."
)
ID_HASH = (
    "Retain Patient ID Hash (99DCM4CHE 113113) is dcm4che's own option: Patient ID is"
    " replaced by dcm4che's unkeyed hash of it, which anyone holding the original ID can"
    " recompute."
)


def limitations(plan: Plan) -> tuple[str, ...]:
    """The statements that apply to this plan's profile, most important first."""
    found = [PIXELS, CLEAN_PIXELS if plan.has(Option.CLEAN_PIXEL_DATA) else BURNED_IN_GATE,
             CLEANING, UNLISTED, UNKNOWN_VR]
    if plan.has(Option.CLEAN_GRAPHICS):
        found.append(GRAPHICS)
    if plan.has(Option.RETAIN_SAFE_PRIVATE):
        found.append(SAFE_PRIVATE)
    if plan.has(Option.CLEAN_STRUCTURED_CONTENT):
        found.append(STRUCTURED)
    if plan.has(Option.RETAIN_PATIENT_ID_HASH):
        found.append(ID_HASH)
    return tuple(found)
