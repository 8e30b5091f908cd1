"""What the tool does not do, stated plainly for the profile at hand."""

from __future__ import annotations

from deidentify.plan import Plan
from deidentify.text import description
from generated.model import Option

PIXELS = (
    "Clean Pixel Data Option (113101) and Clean Recognizable Visual Features Option (113102)"
    " are not implemented: a profile naming them is refused, and Pixel Data is never decoded"
    " or changed, so text burned into the image (check Burned In Annotation (0028,0301)) and"
    " recognizable features (faces in photographs or surface renderings) remain."
)
CLEANING = description.LIMITS
UNLISTED = (
    "Attributes that Table E.1-1 does not list are kept (free text inside sequences that are"
    " cleaned or replaced is cleaned or replaced with them), except the other elements of an"
    " overlay whose Overlay Data is removed."
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
    " Creator and element offset) and those a Private Data Element Characteristics Sequence"
    " marks safe; no other private attribute is kept."
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
    found = [PIXELS, CLEANING, UNLISTED, UNKNOWN_VR]
    if plan.has(Option.CLEAN_GRAPHICS):
        found.append(GRAPHICS)
    if plan.has(Option.RETAIN_SAFE_PRIVATE):
        found.append(SAFE_PRIVATE)
    if plan.has(Option.CLEAN_STRUCTURED_CONTENT):
        found.append(STRUCTURED)
    if plan.has(Option.RETAIN_PATIENT_ID_HASH):
        found.append(ID_HASH)
    return tuple(found)
